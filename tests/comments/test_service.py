"""The comment rules, one by one, on SQLite and PostgreSQL."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text

from newsloom.accounts import Accounts
from newsloom.comments import CommentService, ModerationService, render_comment
from newsloom.comments.service import FORBIDDEN, HELD, LIMITED, NOT_FOUND, PUBLISHED, REFUSED, filter_hits, fingerprint
from newsloom.store.records import CommentFilter
from tests.conftest import make_settings
from tests.support.comments import PASSWORD, nonce, store_article


@pytest.fixture
def site(tmp_path, services):
    def build(**overrides):
        settings = make_settings(tmp_path, services.settings.database_url, **overrides)
        accounts = Accounts(services.database)
        return CommentService(services.database, settings), ModerationService(services.database), accounts

    return build


@pytest.fixture
def world(site, services):
    comments, moderation, accounts = site()
    reader = accounts.sign_up("reader1", PASSWORD)
    other = accounts.sign_up("reader2", PASSWORD)
    accounts.sign_up("mod", PASSWORD)
    moderator = accounts.set_role("mod", "moderator")
    return comments, moderation, accounts, reader, other, moderator, store_article(services.database)


def test_a_comment_is_stored_once_per_form_even_when_sent_twice(world):
    comments, _, _, reader, *_, article = world
    token = nonce()
    first = comments.post(reader, article, "I was at the meeting.", token, "10.0.0.1")
    again = comments.post(reader, article, "I was at the meeting.", token, "10.0.0.1")
    assert first.status == again.status == PUBLISHED
    assert first.comment.id == again.comment.id
    assert [c.id for c in comments.thread(article)] == [first.comment.id]


def test_replies_nest_and_keep_their_depth(world):
    comments, _, _, reader, other, _, article = world
    top = comments.post(reader, article, "Top", nonce(), "a").comment
    reply = comments.post(other, article, "Reply", nonce(), "b", parent_id=top.id).comment
    deeper = comments.post(reader, article, "Reply to the reply", nonce(), "a", parent_id=reply.id).comment
    assert (top.depth, reply.depth, deeper.depth) == (0, 1, 2)
    assert deeper.parent_id == reply.id


def test_a_reply_must_stay_in_its_article(world, services):
    comments, _, _, reader, *_, article = world
    elsewhere = store_article(services.database, "Another story")
    top = comments.post(reader, article, "Top", nonce(), "a").comment
    assert comments.post(reader, elsewhere, "Reply", nonce(), "a", parent_id=top.id).status == NOT_FOUND
    assert comments.post(reader, 999_999, "Nowhere", nonce(), "a").status == NOT_FOUND


def test_text_limits_give_clear_reasons(site, services):
    comments, _, accounts = site(comment_max_chars=100, comment_max_links=1)
    reader = accounts.sign_up("reader1", PASSWORD)
    article = store_article(services.database)
    assert comments.post(reader, article, "   ", nonce(), "a").status == REFUSED
    long = comments.post(reader, article, "x" * 101, nonce(), "a")
    assert long.status == REFUSED and "at most 100 characters" in long.reason
    links = comments.post(reader, article, "see https://a.example/1 and [this](https://b.example/2)", nonce(), "a")
    assert links.status == REFUSED and "at most 1 links; this one has 2" in links.reason
    assert comments.post(reader, article, "see https://a.example/1", nonce(), "a").status == PUBLISHED


def test_the_same_text_twice_is_refused(world):
    comments, _, _, reader, other, _, article = world
    assert comments.post(reader, article, "First!", nonce(), "a").status == PUBLISHED
    repeat = comments.post(reader, article, "  first  ", nonce(), "a")
    assert repeat.status == REFUSED and "already posted" in repeat.reason
    assert comments.post(other, article, "First!", nonce(), "b").status == PUBLISHED  # someone else may say it


def test_rate_limits_per_account_and_per_address(site, services):
    comments, _, accounts = site(comments_per_minute=2, comments_per_minute_per_address=3)
    first, second = accounts.sign_up("reader1", PASSWORD), accounts.sign_up("reader2", PASSWORD)
    article = store_article(services.database)
    results = [comments.post(first, article, f"comment {n}", nonce(), "10.0.0.1").status for n in range(3)]
    assert results == [PUBLISHED, PUBLISHED, LIMITED]
    # The address has sent 3 now: a second account from it is limited too, another address is not.
    assert comments.post(second, article, "hello", nonce(), "10.0.0.1").status == LIMITED
    assert comments.post(second, article, "hello", nonce(), "10.0.0.2").status == PUBLISHED


def test_a_form_counts_once_against_the_limits_however_often_it_is_sent(site, services):
    comments, _, accounts = site(comments_per_minute=1)
    reader, article, form = accounts.sign_up("reader1", PASSWORD), store_article(services.database), nonce()
    assert comments.post(reader, article, "   ", form, "10.0.0.1").status == REFUSED  # empty: corrected and sent again
    assert comments.post(reader, article, "Now with words.", form, "10.0.0.1").status == PUBLISHED
    assert comments.post(reader, article, "Another one.", nonce(), "10.0.0.1").status == LIMITED  # a new form counts


def test_filter_matches_are_held_for_review_and_moderators_are_not(world):
    comments, moderation, _, reader, _, moderator, article = world
    assert moderation.add_filter(moderator, "casino").ok
    assert moderation.add_filter(moderator, "spam.example").ok
    assert not moderation.add_filter(reader, "anything").ok
    held = comments.post(reader, article, "Best Casino bonus at https://spam.example/win", nonce(), "a")
    assert held.status == HELD and "casino" in held.comment.held_reason
    assert comments.post(reader, article, "The casinos debate matters", nonce(), "a").status == PUBLISHED  # whole words
    assert comments.post(moderator, article, "Casino talk is off topic here", nonce(), "m").status == PUBLISHED
    assert [c.id for c in comments.thread(article)].count(held.comment.id) == 0
    assert held.comment.id in [item.comment.id for item in moderation.queue()]


def test_first_comments_of_new_accounts_can_be_held(site, services):
    comments, moderation, accounts = site(hold_first_comments=1)
    reader = accounts.sign_up("reader1", PASSWORD)
    accounts.sign_up("mod", PASSWORD)
    moderator = accounts.set_role("mod", "moderator")
    article = store_article(services.database)
    first = comments.post(reader, article, "Hello, first time here", nonce(), "a")
    assert first.status == HELD
    assert comments.post(reader, article, "Still waiting?", nonce(), "a").status == HELD
    assert moderation.act(moderator, first.comment.id, "approve").ok
    assert comments.post(reader, article, "Now I am trusted", nonce(), "a").status == PUBLISHED


def test_editing_is_for_the_author_within_the_window(world, services):
    comments, _, _, reader, other, _, article = world
    comment = comments.post(reader, article, "Teh budget", nonce(), "a").comment
    assert comments.edit(other, comment.id, "hijacked", "b").status == FORBIDDEN
    edited = comments.edit(reader, comment.id, "The budget", "a")
    assert edited.status == PUBLISHED and edited.comment.body == "The budget" and edited.comment.edited_at is not None
    with services.database.write() as session:  # the window has passed
        session.execute(text("UPDATE comments SET created_at = :t WHERE id = :id"),
                        {"t": (datetime.now(UTC) - timedelta(minutes=16)).replace(tzinfo=None), "id": comment.id})  # fmt: skip
    late = comments.edit(reader, comment.id, "Later", "a")
    assert late.status == FORBIDDEN and "15 minutes" in late.reason


def test_deleting_keeps_the_place_of_replies(world):
    comments, moderation, _, reader, other, moderator, article = world
    top = comments.post(reader, article, "Top", nonce(), "a").comment
    comments.post(other, article, "Reply", nonce(), "b", parent_id=top.id)
    assert comments.delete(other, top.id).status == FORBIDDEN
    assert comments.delete(reader, top.id).status == PUBLISHED
    thread = {c.id: c for c in comments.thread(article)}
    assert thread[top.id].status == "deleted" and thread[top.id].body == ""
    assert moderation.act(moderator, top.id, "approve").status == REFUSED  # nothing left to restore


def test_votes_toggle_and_order_top_comments_first(world):
    comments, _, _, reader, other, moderator, article = world
    first = comments.post(reader, article, "First", nonce(), "a").comment
    second = comments.post(other, article, "Second", nonce(), "b").comment
    comments.vote(reader, second.id)
    comments.vote(moderator, second.id)
    comments.vote(moderator, first.id)
    comments.vote(moderator, first.id)  # withdrawn
    assert [c.id for c in comments.thread(article, "top")] == [second.id, first.id]
    assert [c.id for c in comments.thread(article, "newest")] == [second.id, first.id]
    assert [c.id for c in comments.thread(article, "oldest")] == [first.id, second.id]
    assert comments.get(second.id).score == 2 and comments.get(first.id).score == 0


def test_reports_reach_the_queue_once_and_actions_are_logged(world):
    comments, moderation, _, reader, other, moderator, article = world
    comment = comments.post(reader, article, "You are all idiots", nonce(), "a").comment
    assert comments.report(reader, comment.id, "mine").status == REFUSED
    assert comments.report(other, comment.id, "").status == REFUSED
    assert comments.report(other, comment.id, "abusive").reason.startswith("Thank you")
    assert comments.report(other, comment.id, "abusive").reason == "You already reported this comment."
    [queued] = moderation.queue()
    assert queued.comment.id == comment.id and [r.reason for r in queued.reports] == ["abusive"]
    assert moderation.act(reader, comment.id, "hide").status == FORBIDDEN
    assert moderation.act(moderator, comment.id, "hide").ok
    assert moderation.queue() == [] and comments.thread(article) == []
    assert moderation.act(moderator, comment.id, "approve").ok
    assert [c.id for c in comments.thread(article)] == [comment.id]
    assert [(e.moderator, e.action, e.comment_id) for e in moderation.log()] == [
        ("mod", "approve", comment.id), ("mod", "hide", comment.id)
    ]


def test_banned_accounts_cannot_comment_and_staff_cannot_be_banned(world, services):
    comments, moderation, accounts, reader, _, moderator, article = world
    assert moderation.set_banned(moderator, moderator.id, True).status == FORBIDDEN
    assert moderation.set_banned(moderator, reader.id, True).ok
    banned = accounts.get(reader.id)
    assert banned.banned and banned.session_epoch != reader.session_epoch  # signed out everywhere
    assert comments.post(banned, article, "Let me back", nonce(), "a").status == FORBIDDEN
    assert [e.action for e in moderation.log()] == ["ban"]


def test_a_locked_thread_takes_no_new_comments_except_from_moderators(world):
    comments, moderation, _, reader, _, moderator, article = world
    assert moderation.set_locked(moderator, article, True).ok
    assert comments.post(reader, article, "Can I?", nonce(), "a").status == FORBIDDEN
    assert comments.post(moderator, article, "Closing this thread.", nonce(), "m").status == PUBLISHED
    assert moderation.set_locked(moderator, article, False).ok
    assert comments.post(reader, article, "Open again", nonce(), "a").status == PUBLISHED


def test_deleting_an_account_keeps_or_erases_its_comments(world):
    comments, _, accounts, reader, other, _, article = world
    kept = comments.post(reader, article, "Mine, kept", nonce(), "a").comment
    erased = comments.post(other, article, "Mine, erased", nonce(), "b").comment
    accounts.delete_account(reader.id, PASSWORD, keep_comments=True)
    assert accounts.delete_account(other.id, PASSWORD, keep_comments=False) == 1
    thread = {c.id: c for c in comments.thread(article)}
    assert thread[kept.id].author is None and thread[kept.id].body == "Mine, kept"
    assert thread[erased.id].status == "deleted" and thread[erased.id].body == ""


def test_sql_metacharacters_are_stored_as_text(world):
    comments, _, _, reader, *_, article = world
    body = "Robert'); DROP TABLE comments;-- \\ % _ \" ; --"
    stored = comments.post(reader, article, body, nonce(), "a").comment
    assert comments.get(stored.id).body == body


def test_markdown_subset_renders_links_as_user_content():
    html = render_comment("Read **this** [report](https://example.org/r) <script>alert(1)</script> [x](javascript:alert(1))")
    assert "<strong>this</strong>" in html
    assert 'href="https://example.org/r"' in html and 'rel="nofollow ugc noopener"' in html
    assert "<script" not in html and "javascript:" not in html.split("&lt;")[0]
    assert "&lt;script&gt;" in html


def test_fingerprints_and_filters_ignore_case_and_spacing():
    assert fingerprint("Hello,  World!") == fingerprint("hello world")
    rules = [CommentFilter(1, "free money"), CommentFilter(2, "spam.example")]
    assert filter_hits("Get FREE  money now", rules) == []  # a phrase matches as written, one space
    assert filter_hits("get free money at www.spam.example", rules) == ["free money", "spam.example"]
