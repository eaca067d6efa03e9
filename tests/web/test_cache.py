"""Shared reader pages: the second reader gets the first reader's HTML, with a form token of their own."""

from fastapi.testclient import TestClient

from newsloom.web import create_app
from newsloom.web.cache import PageCache
from newsloom.web.rendering import CSRF_PLACEHOLDER
from tests.conftest import make_settings
from tests.web.conftest import csrf_from, ingest_pages


def test_pages_are_reused_until_they_expire_and_tokens_stay_personal(tmp_path, sqlite_services, publisher):
    services = sqlite_services
    [article_id] = ingest_pages(services, publisher, 1)
    settings = make_settings(tmp_path, services.settings.database_url, page_cache_seconds=30)
    app = create_app(settings, services.database)
    with TestClient(app) as first, TestClient(app) as second:
        page = first.get(f"/article/{article_id}").text
        assert "still being prepared" in page
        services.enricher.enrich(article_id)
        again = second.get(f"/article/{article_id}").text
        assert "still being prepared" in again  # served from the cache: the summary shows after it expires
        assert CSRF_PLACEHOLDER not in again and csrf_from(again) != csrf_from(page)  # each reader their own token
        app.state.page_cache.clear()
        assert "still being prepared" not in second.get(f"/article/{article_id}").text
        # Redirects and errors are never cached.
        assert second.get(f"/article/{article_id}/old-slug", follow_redirects=False).status_code == 301
        assert second.get("/article/999999").status_code == 404


def test_cache_expiry_and_bound(monkeypatch):
    clock = [100.0]
    monkeypatch.setattr("newsloom.web.cache.time.monotonic", lambda: clock[0])
    cache = PageCache(seconds=10, max_entries=2)
    cache.put("a", "A")
    cache.put("b", "B")
    assert cache.get("a") == "A"
    cache.put("c", "C")  # "b" was used least recently
    assert cache.get("b") is None and cache.get("a") == "A" and cache.get("c") == "C"
    clock[0] += 11
    assert cache.get("a") is None
    off = PageCache(seconds=0)
    off.put("a", "A")
    assert off.get("a") is None


def test_stale_pages_are_served_only_while_their_successor_renders(monkeypatch):
    clock = [100.0]
    monkeypatch.setattr("newsloom.web.cache.time.monotonic", lambda: clock[0])
    cache = PageCache(seconds=10)
    cache.put("a", "A")
    clock[0] += 11
    assert cache.get("a") is None and cache.servable("a") is None  # expired, and nobody renders it
    with cache.rendering("a"):
        assert cache.servable("a") == "A"  # meanwhile other readers get the old page
    clock[0] += 10 * PageCache.STALE_FACTOR
    with cache.rendering("a"):
        assert cache.servable("a") is None  # too old to serve at all
