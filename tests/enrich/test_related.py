"""Related articles from stored embeddings: real pages, real models, both databases."""

from datetime import UTC, datetime, timedelta

import numpy as np
import pytest
from fastapi.testclient import TestClient

from newsloom.enrich.related import UsearchIndex, recency_weight
from newsloom.web import create_app
from tests.conftest import expected_vector_index
from tests.support.benchdata import zyte_page, zyte_page_ids
from tests.support.publisher import PublisherServer
from tests.support.site import article_page, is_boilerplate_line, seed_related_stories, seed_story

TITLE, LINES = seed_story()
STORY = [line for line in LINES if not is_boilerplate_line(line)]


def test_usearch_index_upserts_and_returns_cosine_similarity():
    index = UsearchIndex(dimensions=4)
    vectors = np.eye(4, dtype=np.float32)
    index.upsert(np.array([1, 2, 3, 4], dtype=np.uint64), vectors)
    assert index.search(vectors[1], 1)[0][0] == 2 and index.search(vectors[1], 1)[0][1] == pytest.approx(1.0, abs=1e-5)
    index.upsert(np.array([2], dtype=np.uint64), vectors[[0]])  # re-embedded: moves, never duplicates
    assert len(index) == 4 and {key for key, _ in index.search(vectors[0], 2)} == {1, 2}


def test_recency_weight_prefers_coverage_close_in_time():
    now = datetime.now(UTC)
    assert recency_weight(now, now) == pytest.approx(1.0)
    assert recency_weight(now, now - timedelta(days=14)) == pytest.approx(0.85)
    assert recency_weight(now, now - timedelta(days=365)) < 0.71


@pytest.fixture
def newsroom(services, publisher):
    """The seed story, a syndicated copy of it, its two related stories, and unrelated real pages."""
    ids = {}
    publisher.add("/seed", article_page(TITLE, STORY))
    ids["seed"] = services.pipeline.ingest_page(publisher.url("/seed")).article_id
    with PublisherServer("127.0.0.2") as aggregator:
        aggregator.add("/copy", article_page(TITLE, ["By Kyiv Independent staff.", *STORY]))
        ids["copy"] = services.pipeline.ingest_page(aggregator.url("/copy")).article_id
    for number, (title, paragraphs) in enumerate(seed_related_stories()):
        publisher.add(f"/related{number}", article_page(title, paragraphs))
        ids[f"related{number}"] = services.pipeline.ingest_page(publisher.url(f"/related{number}")).article_id
    for number, page_id in enumerate(zyte_page_ids(6)):
        publisher.add(f"/other{number}", zyte_page(page_id))
        ids[f"other{number}"] = services.pipeline.ingest_page(publisher.url(f"/other{number}")).article_id
    for article_id in ids.values():
        assert services.enricher.enrich(article_id).status in ("ok", "skipped")
    return ids


def test_related_articles_skip_copies_and_rank_the_same_subject_first(services, newsroom):
    # PostgreSQL answers through pgvector, SQLite through usearch (CI builds pgvector: tests/store/test_vectors.py)
    assert services.related.index.name == expected_vector_index(services.database)
    related = services.related.related(newsroom["seed"], limit=5)
    found = [r.article.id for r in related]
    assert newsroom["seed"] not in found and newsroom["copy"] not in found  # itself and its syndicated copy
    assert set(found[:2]) == {newsroom["related0"], newsroom["related1"]}
    assert all(r.similarity >= 0.35 for r in related)
    assert [r.score for r in related] == sorted((r.score for r in related), reverse=True)


def test_show_json_and_api_carry_every_enrichment(services, newsroom):
    with TestClient(create_app(services.settings, services.database)) as client:
        body = client.get(f"/api/v1/articles/{newsroom['seed']}").json()
        heaven = next(q for q in body["quotes"] if "match made in heaven" in q["text"])
        assert heaven["speaker"] == "Temur Umarov" and "Carnegie" in heaven["affiliation"]
        assert len(body["summary"]) == 3 and 3 <= len(body["key_points"]) <= 5
        assert all(sentence in body["text"] for sentence in body["summary"] + body["key_points"])
        assert body["related"] and {"title", "source", "published_at", "teaser"} <= set(body["related"][0])
        assert {s["kind"] for s in body["enrichment"]} == {"entities", "quotes", "digest", "embedding"}
        assert all(s["status"] == "ok" and s["model_version"] != "not loaded" for s in body["enrichment"])

        answer = client.post(f"/api/v1/articles/{newsroom['seed']}/ask", json={"question": "Does China buy gas from Russia?"}).json()
        assert answer["answered"] and any("gas" in s["text"] for s in answer["sentences"])
        nothing = client.post(f"/api/v1/articles/{newsroom['seed']}/ask", json={"question": "Who won the cup final?"}).json()
        assert nothing == {"question": "Who won the cup final?", "answered": False, "reason": nothing["reason"], "sentences": []}
        assert client.post(f"/api/v1/articles/{newsroom['seed']}/ask", json={"question": ""}).status_code == 422
        assert client.post("/api/v1/articles/999999/ask", json={"question": "Why?"}).status_code == 404


def test_enrichment_is_idempotent_and_reembedding_replaces_the_vector(services, newsroom):
    before = services.related.related(newsroom["seed"])
    services.enricher.enrich(newsroom["seed"])
    services.enricher.enrich(newsroom["related0"])
    after = services.related.related(newsroom["seed"])
    assert [r.article.id for r in after] == [r.article.id for r in before]
    assert len(services.related.index) == len(newsroom)  # one vector per article, however often re-embedded


def test_an_article_that_loses_its_vector_leaves_the_index(services, newsroom):
    from newsloom.store import EnrichmentRepository

    assert newsroom["related0"] in {r.article.id for r in services.related.related(newsroom["seed"])}
    with services.database.write() as session:  # what enrichment writes when a text turns out empty or foreign
        EnrichmentRepository(session).replace_embedding(newsroom["related0"], "test", None)
    assert newsroom["related0"] not in {r.article.id for r in services.related.related(newsroom["seed"])}
    assert len(services.related.index) == len(newsroom) - 1
    assert services.related.related(newsroom["related0"]) == []


def test_the_index_builds_in_the_background_and_stops_on_request(services, newsroom):
    from newsloom.enrich import RelatedFinder

    finder = RelatedFinder(services.database, backend="embedded")  # pgvector has nothing to build
    finder.warm_up().join(60)
    assert len(finder.index) == len(newsroom)
    stopped = RelatedFinder(services.database, backend="embedded")
    stopped.stop()  # e.g. the server shuts down before the build began
    stopped.warm_up().join(60)
    assert len(stopped.index) == 0
    stopped.stop()
