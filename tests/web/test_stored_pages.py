"""Kept article pages: served by one lookup, never out of date in what they say of their own
article, refreshed in the background when other articles may have changed around them."""

from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient

from newsloom.store import ArticleRepository, CommentRepository, PageRepository, UserRepository, read_kept_page
from newsloom.store.records import NewComment
from newsloom.web import create_app
from newsloom.web.rendering import current_times
from newsloom.web.stored_pages import StoredPages, fresh_until
from tests.conftest import make_settings
from tests.web.conftest import ingest_pages

NOW = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)
STAMP = '<time datetime="2026-11-29T11:00:00+00:00" title="2026-11-29 11:00 UTC">3 minutes ago</time>'


@pytest.fixture
def app(tmp_path, services):
    settings = make_settings(tmp_path, services.settings.database_url, stored_page_max_seconds=3600)
    built = create_app(settings, services.database)
    built.state.related.sync()
    return built


def kept_page(services, article_id, app=None):
    if app is not None:
        app.state.stored_pages.wait()  # pages are kept by a background thread
    return read_kept_page(services.database, article_id)


def replace_kept(services, article_id, html, fresh_for=timedelta(hours=1)):
    """What a page kept earlier looks like: recognisable, with a relative time gone stale."""
    page = kept_page(services, article_id)
    with services.database.write() as session:
        now = datetime.now(UTC)
        PageRepository(session).put(article_id, page.path, page.version, html, now, now + fresh_for)


def test_a_kept_page_is_served_as_kept_with_its_times_current(app, services, publisher):
    [article_id, _other] = ingest_pages(services, publisher, 2, enrich=True)
    with TestClient(app) as client:
        page = client.get(f"/article/{article_id}")
        assert page.status_code == 200
        kept = kept_page(services, article_id, app)
        assert kept.path == page.url.path and "Temur Umarov" in kept.html
        assert "\ue002" in kept.html  # kept without anything personal or live in it

        replace_kept(services, article_id, kept.html.replace("Temur Umarov", "KEPT-MARKER", 1).replace("<main", STAMP + "<main", 1))
        served = client.get(page.url.path).text
        assert "KEPT-MARKER" in served  # no render: the kept page
        assert STAMP not in served and STAMP.split(">")[0] in served  # the time kept, its "3 minutes ago" made current
        assert "No comments yet..." in served and "\ue002" not in served  # comments and the reader's parts filled in

        # Another address of the article still redirects to its page.
        assert client.get(f"/article/{article_id}/old-slug", follow_redirects=False).status_code == 301


def test_what_changes_an_article_drops_its_kept_page(app, services, publisher):
    [article_id] = ingest_pages(services, publisher, 1)
    with TestClient(app) as client:
        path = client.get(f"/article/{article_id}").url.path
        assert "still being prepared" in kept_page(services, article_id, app).html
        services.enricher.enrich(article_id)
        assert kept_page(services, article_id) is None
        assert "still being prepared" not in client.get(path).text


def test_signed_out_readers_get_the_kept_discussion_until_a_comment_changes_it(app, services, publisher):
    [article_id] = ingest_pages(services, publisher, 1, enrich=True)
    assert app.state.stored_pages.render(article_id)  # as `newsloom pages` does
    kept = kept_page(services, article_id)
    assert "No comments yet..." in kept.discussion
    with services.database.write() as session:
        marked = kept.discussion.replace("No comments yet...", "KEPT-DISCUSSION")
        assert PageRepository(session).keep_discussion(article_id, marked, kept.discussion_version)
    with TestClient(app) as client:
        assert "KEPT-DISCUSSION" in client.get(kept.path).text
        with services.database.write() as session:  # a comment, posted through another web process say
            user = UserRepository(session).create("ann", "hash", "reader")
            CommentRepository(session).add(NewComment(article_id, user.id, "First!", "<p>First!</p>", "visible", "f", "n"))
        page = client.get(kept.path).text
        assert "First!" in page and "KEPT-DISCUSSION" not in page
        assert "First!" in kept_page(services, article_id, app).discussion  # kept again, with the comment


def test_pages_from_other_templates_are_not_served(app, services, publisher):
    [article_id] = ingest_pages(services, publisher, 1, enrich=True)
    with TestClient(app) as client:
        path = client.get(f"/article/{article_id}").url.path
        kept = kept_page(services, article_id, app)
        with services.database.write() as session:
            PageRepository(session).put(article_id, path, "older-templates", "<p>OLD LAYOUT</p>", kept.rendered_at, kept.fresh_until)
        assert "OLD LAYOUT" not in client.get(path).text
        assert kept_page(services, article_id, app).version == app.state.stored_pages.version


def test_an_out_of_date_page_is_served_while_its_successor_renders(app, services, publisher):
    [article_id, _other] = ingest_pages(services, publisher, 2, enrich=True)
    with TestClient(app) as client:
        path = client.get(f"/article/{article_id}").url.path
        kept = kept_page(services, article_id, app)
        replace_kept(services, article_id, kept.html.replace("Temur Umarov", "KEPT-MARKER", 1), fresh_for=-timedelta(seconds=1))
        assert "KEPT-MARKER" in client.get(path).text  # nobody waits for the new one
        renewed = kept_page(services, article_id, app)
        assert "KEPT-MARKER" not in renewed.html and renewed.fresh_until > datetime.now(UTC)
        assert "KEPT-MARKER" not in client.get(path).text


def test_pages_are_kept_only_once_related_articles_are_complete(services, publisher):
    [article_id] = ingest_pages(services, publisher, 1, enrich=True)
    stored = StoredPages(services.database, 3600, ready=lambda: False)
    with services.database.read() as session:
        article = ArticleRepository(session).get(article_id)
    assert stored.save(article, "/article/x", "<p>page</p>", datetime.now(UTC)) is False
    assert StoredPages(services.database, 0, ready=lambda: True).save(article, "/article/x", "<p>page</p>", datetime.now(UTC)) is False
    assert kept_page(services, article_id) is None


@pytest.mark.parametrize(
    ("age_hours", "fresh_minutes"),
    [(0.01, 1), (1, 6), (5, 30), (24 * 30, 60)],  # a tenth of the age, at least a minute, at most the setting
)
def test_a_page_is_fresh_for_a_tenth_of_its_articles_age(age_hours, fresh_minutes):
    assert fresh_until(NOW - timedelta(hours=age_hours), NOW, timedelta(hours=1)) == NOW + timedelta(minutes=fresh_minutes)


def test_relative_times_are_brought_up_to_date():
    html = f"<p>{STAMP} and {STAMP}</p>"
    assert current_times(html, NOW) == html.replace("3 minutes ago", "1 hour ago")
    assert current_times(html, NOW + timedelta(days=30)).count(">29 Nov 2026</time>") == 2
    assert current_times("<p>no times</p>", NOW) == "<p>no times</p>"
