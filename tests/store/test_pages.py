"""Kept article pages: stored compressed, and dropped by every write that changes what the page shows."""

from datetime import UTC, datetime, timedelta

import numpy as np

from newsloom.store import (
    ArticleRepository,
    CommentRepository,
    EnrichmentRepository,
    ModerationRepository,
    NearDuplicateRepository,
    PageRepository,
    SourceRepository,
    StoryRepository,
    UserRepository,
    read_kept_page,
)
from newsloom.store.records import NewComment
from tests.store.test_articles import NOW, new_article

PAGE = "<main>" + "A page that compresses well. " * 400 + "</main>"


def keep(session, *article_ids):
    for article_id in article_ids:
        PageRepository(session).put(article_id, f"/article/{article_id}/x", "v1", PAGE, NOW, NOW + timedelta(hours=1))


def kept(database, *article_ids):
    return [read_kept_page(database, article_id) is not None for article_id in article_ids]


def test_a_kept_page_comes_back_as_written_and_is_replaced_in_place(database):
    with database.write() as session:
        source = SourceRepository(session).get_or_create("news.example", "News")
        article_id = ArticleRepository(session).insert(new_article(source.id, 1))
        keep(session, article_id)
    with database.write() as session:
        page = read_kept_page(database, article_id)
        assert (page.path, page.version, page.html, page.rendered_at) == (f"/article/{article_id}/x", "v1", PAGE, NOW)
        assert PageRepository(session).put(999_999, "/article/999999/gone", "v2", "<p>gone</p>", NOW, NOW) is False
    with database.write() as session:
        EnrichmentRepository(session).record_status(article_id, "digest", model="m", model_version="1", status="ok", reason=None)
    with database.write() as session:
        # Rendered before that enrichment was recorded: it would show the article without it.
        assert PageRepository(session).put(article_id, "/article/1/y", "v2", "<p>older</p>", NOW, NOW) is False
        assert PageRepository(session).put(article_id, "/article/1/y", "v2", "<p>new</p>", datetime.now(UTC), NOW) is True
    assert read_kept_page(database, article_id).html == "<p>new</p>"
    with database.read() as session:
        assert PageRepository(session).count() == 1
        assert PageRepository(session).readable_ids(0, 10, without_version="v2") == []
        assert PageRepository(session).readable_ids(0, 10, without_version="v3") == [article_id]  # kept by another version
        assert PageRepository(session).readable_ids(0, 10) == [article_id]


def test_writes_that_change_an_article_page_drop_it(database):
    with database.write() as session:
        source = SourceRepository(session).get_or_create("news.example", "News")
        ids = [ArticleRepository(session).insert(new_article(source.id, number)) for number in range(6)]
        keep(session, *ids)
    with database.write() as session:
        EnrichmentRepository(session).record_status(ids[0], "digest", model="m", model_version="1", status="ok", reason=None)
    assert kept(database, *ids) == [False, True, True, True, True, True]
    with database.write() as session:
        ArticleRepository(session).replace_body(ids[1], "<p>re-cleaned</p>", "re-cleaned")
        NearDuplicateRepository(session).link(ids[2], ids[3])  # the copy redirects; its original lists it
    assert kept(database, *ids) == [False, False, False, False, True, True]
    with database.write() as session:
        story = StoryRepository(session).create(np.eye(1, 384, dtype="<f4").tobytes(), {}, 1, NOW, NOW, ids[4])
        StoryRepository(session).join(ids[4], story.id)
    assert kept(database, *ids[4:]) == [False, True]


def test_the_kept_discussion_follows_every_comment_write(database):
    with database.write() as session:
        source = SourceRepository(session).get_or_create("news.example", "News")
        article_id = ArticleRepository(session).insert(new_article(source.id, 1))
        other_id = ArticleRepository(session).insert(new_article(source.id, 2))
        user = UserRepository(session).create("ann", "hash", "reader")
        pages = PageRepository(session)
        for kept_id in (article_id, other_id):
            assert pages.put(kept_id, f"/article/{kept_id}/x", "v1", PAGE, NOW, NOW, quiet_discussion="<p>No comments yet</p>")

    def discussion():
        page = read_kept_page(database, article_id)
        return page.discussion, page.discussion_version

    assert discussion() == ("<p>No comments yet</p>", 0)
    writes = [
        lambda s: CommentRepository(s).add(NewComment(article_id, user.id, "Hi", "<p>Hi</p>", "visible", "f", "n1"))[0].id,
        lambda s: CommentRepository(s).vote(first_comment, user.id),
        lambda s: CommentRepository(s).edit(first_comment, "Hey", "<p>Hey</p>", "f2", "visible", None),
        lambda s: CommentRepository(s).set_status(first_comment, "hidden"),
        lambda s: CommentRepository(s).erase(first_comment),
        lambda s: CommentRepository(s).erase_all_by(user.id),
        lambda s: ModerationRepository(s).set_locked(article_id, True, user.id),
    ]
    first_comment = None
    for version, write in enumerate(writes, start=1):
        with database.write() as session:
            assert PageRepository(session).keep_discussion(article_id, f"<p>as of {version - 1}</p>", version - 1)
        with database.write() as session:
            result = write(session)
            first_comment = first_comment or result
        assert discussion() == (None, version)
        with database.write() as session:  # rendered before that write: not kept
            assert not PageRepository(session).keep_discussion(article_id, "<p>stale</p>", version - 1)
    assert read_kept_page(database, other_id).discussion == "<p>No comments yet</p>"  # another article's stays

    # With comments (or a lock), rendering the page again never keeps a quiet discussion,
    # and drops one kept meanwhile.
    with database.write() as session:
        assert PageRepository(session).keep_discussion(article_id, "<p>kept</p>", len(writes))
        PageRepository(session).put(article_id, "/article/1/x", "v1", PAGE, datetime.now(UTC), NOW, quiet_discussion="<p>No comments yet</p>")
    assert discussion() == (None, len(writes) + 1)
