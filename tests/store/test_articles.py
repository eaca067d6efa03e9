from datetime import UTC, datetime, timedelta

import pytest

from newsloom.store import ArticleRepository, InvalidCursorError, SourceRepository
from newsloom.store.migrate import current_revision, head_revision
from newsloom.store.records import NewArticle

NOW = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)


def new_article(source_id, number, text=None, published=None):
    return NewArticle(
        url=f"https://news.example/{number}",
        canonical_url=f"https://news.example/{number}",
        title=f"Headline number {number}",
        author=None,
        published_at=published,
        fetched_at=NOW,
        language="en",
        lead_image_url=None,
        html=f"<p>{text or f'Body {number}'}</p>",
        text=text or f"Body {number}",
        content_hash=f"{number:064d}",
        source_id=source_id,
        original_source_id=None,
        original_url=None,
        extraction_status="page",
        extraction_reason=None,
    )


def test_migrations_reach_head(database):
    assert current_revision(database.engine) == head_revision() == "0011"


def test_keyset_pages_cover_everything_once_newest_first(database):
    with database.write() as session:
        source = SourceRepository(session).get_or_create("news.example", "News")
        for number in range(25):
            ArticleRepository(session).insert(new_article(source.id, number, published=NOW - timedelta(hours=number % 7)))
    seen, cursor = [], None
    with database.read() as session:
        while True:
            page = ArticleRepository(session).page(limit=10, cursor=cursor)
            seen += page.articles
            cursor = page.next_cursor
            if cursor is None:
                break
    assert len(seen) == 25 and len({article.id for article in seen}) == 25
    keys = [(article.sort_at, article.id) for article in seen]
    assert keys == sorted(keys, reverse=True)


def test_future_publish_dates_sort_by_fetch_time(database):
    with database.write() as session:
        source = SourceRepository(session).get_or_create("news.example")
        article_id = ArticleRepository(session).insert(new_article(source.id, 1, published=NOW + timedelta(days=3)))
    with database.read() as session:
        assert ArticleRepository(session).get(article_id).sort_at == NOW


def test_bad_cursor_is_a_clear_error(database):
    with database.read() as session, pytest.raises(InvalidCursorError):
        ArticleRepository(session).page(limit=10, cursor="not-a-cursor")


def test_full_text_search_ranks_and_survives_hostile_queries(database):
    with database.write() as session:
        source = SourceRepository(session).get_or_create("news.example")
        repo = ArticleRepository(session)
        wedge = repo.insert(new_article(source.id, 1, "Washington tries to drive a wedge between Russia and China."))
        repo.insert(new_article(source.id, 2, "The harvest in Kansas was early this year."))
    with database.read() as session:
        repo = ArticleRepository(session)
        assert repo.search_ids("wedge China") == [wedge]
        assert repo.search_ids("wedges") == [wedge]  # stemmed on both backends
        for hostile in ['"', "NEAR(", "a OR", "*", "'; DROP TABLE articles; --", "title:x", ""]:
            assert isinstance(repo.search_ids(hostile), list)


def test_search_index_follows_updates_and_deletes(database):
    from sqlalchemy import delete, update

    from newsloom.store.models import ArticleRow

    with database.write() as session:
        source = SourceRepository(session).get_or_create("news.example")
        article_id = ArticleRepository(session).insert(new_article(source.id, 1, "Original wording about ceasefires."))
    with database.write() as session:
        session.execute(update(ArticleRow).where(ArticleRow.id == article_id).values(text="Rewritten about pipelines."))
    with database.read() as session:
        assert ArticleRepository(session).search_ids("ceasefires") == []
        assert ArticleRepository(session).search_ids("pipelines") == [article_id]
    with database.write() as session:
        session.execute(delete(ArticleRow).where(ArticleRow.id == article_id))
    with database.read() as session:
        assert ArticleRepository(session).search_ids("pipelines") == []


def test_canonical_url_and_content_hash_are_unique(database):
    from sqlalchemy.exc import IntegrityError

    with database.write() as session:
        source = SourceRepository(session).get_or_create("news.example")
        ArticleRepository(session).insert(new_article(source.id, 1))
    with pytest.raises(IntegrityError), database.write() as session:
        ArticleRepository(session).insert(new_article(source.id, 1))
    with database.read() as session:
        assert ArticleRepository(session).count() == 1
