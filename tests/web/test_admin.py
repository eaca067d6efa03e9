"""Feeds admin: sign-in, lockout, CSRF, and the CLI's feed operations on the web."""

from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from newsloom.store import FeedRepository, UserRepository
from newsloom.web import create_app
from tests.conftest import make_settings
from tests.support.publisher import rss_feed
from tests.web.conftest import csrf_from

PASSWORD = "correct horse battery staple"


@pytest.fixture
def admin_client(tmp_path, services):
    settings = make_settings(tmp_path, services.settings.database_url, login_max_failures=3, login_lockout_seconds=30)
    app = create_app(settings, services.database)
    app.state.accounts.set_admin("editor", PASSWORD)
    with TestClient(app) as client:
        yield client


def sign_in(client, username="editor", password=PASSWORD, next_path="/admin/feeds"):
    token = csrf_from(client.get("/login").text)
    return client.post(
        "/login", data={"username": username, "password": password, "next": next_path, "csrf_token": token},
        follow_redirects=False,
    )  # fmt: skip


def post_form(client, path, **fields):
    token = csrf_from(client.get("/admin/feeds").text)
    return client.post(path, data={**fields, "csrf_token": token})


def test_feeds_admin_needs_the_admin(admin_client):
    response = admin_client.get("/admin/feeds", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/login?next=%2Fadmin%2Ffeeds"
    assert admin_client.get("/admin/feeds.opml", follow_redirects=False).status_code == 303
    assert admin_client.post("/admin/feeds", data={"url": "https://x.example/"}, follow_redirects=False).status_code in (303, 403)
    wrong = sign_in(admin_client, password="not the password")
    assert wrong.status_code == 401 and "Wrong username or password." in wrong.text
    right = sign_in(admin_client)
    assert right.status_code == 303 and right.headers["location"] == "/admin/feeds"
    cookie = right.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=lax" in cookie
    assert "<h1>Feeds</h1>" in admin_client.get("/admin/feeds").text


def test_sign_in_without_the_form_token_is_refused(admin_client):
    response = admin_client.post("/login", data={"username": "editor", "password": PASSWORD, "csrf_token": "x"})
    assert response.status_code == 403


def test_repeated_failures_lock_sign_in_even_for_the_right_password(admin_client):
    for _ in range(3):
        assert sign_in(admin_client, password="guess").status_code == 401
    locked = sign_in(admin_client)
    assert locked.status_code == 429 and int(locked.headers["retry-after"]) >= 29
    assert "Too many failed sign-ins" in locked.text


def test_next_never_leaves_the_site(admin_client):
    for target in ("//evil.example/", "https://evil.example/", "/\\evil.example"):
        response = sign_in(admin_client, next_path=target)
        assert response.headers["location"] == "/", target
        admin_client.cookies.clear()


def test_a_password_change_ends_signed_in_sessions(admin_client):
    sign_in(admin_client)
    assert admin_client.get("/admin/feeds", follow_redirects=False).status_code == 200
    admin_client.app.state.accounts.set_admin("editor", "another long passphrase")
    assert admin_client.get("/admin/feeds", follow_redirects=False).status_code == 303


def test_readers_are_not_admins(admin_client, services):
    with services.database.write() as session:
        UserRepository(session).create("reader1", admin_client.app.state.accounts.hasher.hash(PASSWORD), "reader")
    sign_in(admin_client, username="reader1")
    assert admin_client.get("/admin/feeds").status_code == 403


def test_add_refresh_import_export_and_remove_feeds(admin_client, services, publisher):
    site = publisher.url("/")
    publisher.add("/feed.xml", rss_feed("Local Publisher", site, []), content_type="application/rss+xml")
    publisher.add("/", '<html><head><link rel="alternate" type="application/rss+xml" href="/feed.xml"></head></html>')
    sign_in(admin_client)

    added = post_form(admin_client, "/admin/feeds", url=site)  # autodiscovered from the home page
    assert "Added Local Publisher" in added.text and publisher.url("/feed.xml") in added.text
    assert "could not fetch" in post_form(admin_client, "/admin/feeds", url=publisher.url("/missing")).text
    assert "invalid URL" in post_form(admin_client, "/admin/feeds", url="ftp://x.example/").text

    with services.database.write() as session:
        [feed] = FeedRepository(session).list()
        later = datetime.now(UTC).replace(tzinfo=None) + timedelta(hours=5)  # the column holds naive UTC
        session.execute(text("UPDATE feeds SET next_check_at = :later"), {"later": later})
    assert "Refresh queued" in post_form(admin_client, f"/admin/feeds/{feed.id}/refresh").text
    with services.database.read() as session:
        assert FeedRepository(session).get(feed.id).next_check_at <= datetime.now(UTC)

    opml = (
        b'<?xml version="1.0"?><opml version="2.0"><body>'
        b'<outline type="rss" text="Two" xmlUrl="https://two.example/feed.xml"/>'
        b'<outline type="rss" text="Bad" xmlUrl="javascript:alert(1)"/></body></opml>'
    )
    token = csrf_from(admin_client.get("/admin/feeds").text)
    imported = admin_client.post("/admin/feeds/import", data={"csrf_token": token}, files={"opml": ("feeds.opml", opml)})
    assert "Imported: 1 added, 0 already followed, 1 skipped" in imported.text
    broken = admin_client.post("/admin/feeds/import", data={"csrf_token": token}, files={"opml": ("x.opml", b"<html>")})
    assert "Could not read that OPML file" in broken.text

    exported = admin_client.get("/admin/feeds.opml")
    assert exported.headers["content-type"].startswith("text/x-opml")
    assert "https://two.example/feed.xml" in exported.text and publisher.url("/feed.xml") in exported.text

    assert "Unsubscribed" in post_form(admin_client, f"/admin/feeds/{feed.id}/remove").text
    with services.database.read() as session:
        assert [f.url for f in FeedRepository(session).list()] == ["https://two.example/feed.xml"]
    assert post_form(admin_client, f"/admin/feeds/{feed.id}/remove").status_code == 404


def test_state_changing_forms_need_the_token(admin_client):
    sign_in(admin_client)
    for path in ("/admin/feeds", "/admin/feeds/refresh", "/admin/feeds/1/remove", "/logout"):
        assert admin_client.post(path, data={"url": "https://x.example/", "csrf_token": "forged"}).status_code == 403, path
    assert post_form(admin_client, "/logout").url.path == "/"
    assert admin_client.get("/admin/feeds", follow_redirects=False).status_code == 303
