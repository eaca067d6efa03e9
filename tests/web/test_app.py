import pytest
from fastapi.testclient import TestClient

from newsloom.store.migrate import head_revision
from newsloom.store.vectors import PgvectorMissingError
from newsloom.web import create_app
from tests.conftest import expected_vector_index, make_settings
from tests.support.site import article_page, seed_story
from tests.web.conftest import ingest_pages


def test_healthz_reports_database_schema_queue_and_models(client, services):
    body = client.get("/healthz").json()
    index = expected_vector_index(services.database)
    assert body == {
        "status": "ok", "database": services.database.dialect, "schema_revision": head_revision(), "vector_index": index,
        "related_index_size": 0 if index == "usearch" else None,  # pgvector's index is the database's
        "queue": "sqlite: 0 waiting", "models": {"embeddings": "ready", "ner": "ready"},
    }


def test_a_web_process_told_to_use_pgvector_refuses_to_start_without_it(tmp_path, sqlite_url):
    settings = make_settings(tmp_path, sqlite_url, vector_backend="pgvector")
    with pytest.raises(PgvectorMissingError, match="vector_backend is pgvector"), TestClient(create_app(settings)):
        pass


def test_healthz_is_degraded_without_the_queue(tmp_path, services):
    settings = make_settings(tmp_path, services.settings.database_url, queue_url="redis://127.0.0.1:1/0")
    with TestClient(create_app(settings, services.database)) as degraded:
        response = degraded.get("/healthz")
    assert response.status_code == 200
    assert response.json()["status"] == "degraded" and response.json()["queue"].startswith("unreachable")


def test_healthz_fails_loudly_when_the_database_is_gone(tmp_path):
    settings = make_settings(tmp_path, "postgresql://nobody@127.0.0.1:1/none")
    with TestClient(create_app(settings)) as broken:
        response = broken.get("/healthz")
    assert response.status_code == 503 and response.json()["status"] == "error"


def test_article_list_pages_newest_first(client, services, publisher):
    ids = ingest_pages(services, publisher, 5)
    first = client.get("/api/v1/articles", params={"limit": 2}).json()
    assert len(first["items"]) == 2 and first["next_cursor"]
    second = client.get(first["next"].replace("http://testserver", "")).json()
    third = client.get("/api/v1/articles", params={"limit": 2, "cursor": second["next_cursor"]}).json()
    listed = [item["id"] for page in (first, second, third) for item in page["items"]]
    assert sorted(listed) == sorted(ids) and third["next_cursor"] is None
    item = first["items"][0]
    assert item["source"]["domain"] == "127.0.0.1" and item["teaser"] and "html" not in item
    assert item["duplicate_of"] is None


def test_article_detail_and_errors(client, services, publisher):
    [article_id] = ingest_pages(services, publisher, 1)
    detail = client.get(f"/api/v1/articles/{article_id}").json()
    assert detail["id"] == article_id and "Kissinger" in detail["text"] and detail["html"].startswith("<")
    assert client.get("/api/v1/articles/999999").status_code == 404
    assert client.get("/api/v1/articles", params={"cursor": "garbage"}).status_code == 400
    assert client.get("/api/v1/articles", params={"limit": 0}).status_code == 422


def test_feeds_endpoint_shows_health(client, services, publisher):
    publisher.add("/broken.xml", "<html><body>not a feed</body></html>")
    services.subscriptions.add(publisher.url("/broken.xml"), check=False)
    [feed] = client.get("/api/v1/feeds").json()
    assert feed["error_count"] == 0 and feed["last_error"] is None
    services.refresher.refresh(feed["id"])
    [feed] = client.get("/api/v1/feeds").json()
    assert feed["error_count"] == 1 and "HTML page" in feed["last_error"]


def test_front_page_lists_articles_escaped(client, services, publisher):
    publisher.add("/x", article_page("<script>alert(1)</script> Headline", seed_story()[1]))
    services.pipeline.ingest_page(publisher.url("/x"))
    page = client.get("/").text
    assert "&lt;script&gt;alert(1)&lt;/script&gt; Headline" in page and "<script>alert" not in page
