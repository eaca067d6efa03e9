"""Syndicated copies on different publishers are grouped under the original."""

import pytest

from newsloom.dedupe.fingerprints import band_keys, estimated_jaccard, signature
from newsloom.store import ArticleRepository
from tests.support.publisher import PublisherServer
from tests.support.site import article_page, is_boilerplate_line, seed_story

TITLE, LINES = seed_story()
STORY = [line for line in LINES if not is_boilerplate_line(line)]


@pytest.fixture
def outlets():
    """Three publishers on three loopback addresses: three domains, three sources."""
    with PublisherServer("127.0.0.1") as original, PublisherServer("127.0.0.2") as aggregator, PublisherServer(
        "127.0.0.3"
    ) as reprint:
        yield original, aggregator, reprint


def test_original_arriving_late_becomes_the_primary(services, outlets):
    original, aggregator, reprint = outlets
    original_url = original.url("/news/match-made-in-heaven")
    based_on = f'<script type="application/ld+json">{{"@type":"NewsArticle","isBasedOn":"{original_url}"}}</script>'
    aggregator.add("/news/syndicated", article_page(TITLE, ["By The Kyiv Independent"] + STORY, extra_head=based_on))
    original.add("/news/match-made-in-heaven", article_page(TITLE, STORY + ["Support independent journalism."]))
    reprint.add("/world/russia-china", article_page(TITLE, STORY[:-2] + ["Copyright 2025, all rights reserved."]))

    syndicated = services.pipeline.ingest_page(aggregator.url("/news/syndicated"))
    first = services.pipeline.ingest_page(original_url)
    copy = services.pipeline.ingest_page(reprint.url("/world/russia-china"))
    assert [r.status for r in (syndicated, first, copy)] == ["stored"] * 3
    assert "near copy of article" in copy.reason

    with services.database.read() as session:
        articles = ArticleRepository(session)
        listed = [article.id for article in articles.page(limit=10).articles]
        primary, aggregated, reprinted = (articles.get(r.article_id) for r in (first, syndicated, copy))
        copies = {article.id for article in articles.copies_of(primary.id)}
    assert listed == [primary.id]
    assert primary.duplicate_of is None and aggregated.duplicate_of == primary.id == reprinted.duplicate_of
    assert copies == {aggregated.id, reprinted.id}
    assert aggregated.original_source.domain == "127.0.0.1"
    assert reprinted.original_source.domain == "127.0.0.1"  # attributed through the near-duplicate match


def test_different_stories_from_one_outlet_stay_apart(services, publisher):
    from tests.support.site import seed_related_stories

    for number, (title, paragraphs) in enumerate(seed_related_stories()):
        publisher.add(f"/{number}", article_page(title, paragraphs))
    publisher.add("/seed", article_page(TITLE, STORY))
    results = [services.pipeline.ingest_page(publisher.url(path)) for path in ("/0", "/1", "/seed")]
    with services.database.read() as session:
        assert len(ArticleRepository(session).page(limit=10).articles) == 3
    assert all("near copy" not in (result.reason or "") for result in results)


def test_signatures_are_reproducible_and_short_texts_are_skipped():
    text = "\n".join(STORY)
    first, second = signature(text), signature(text)
    assert estimated_jaccard(first, second) == 1.0 and band_keys(first) == band_keys(second)
    assert signature("Too short to compare with anything.") is None


def test_api_shows_copies_under_the_primary(services, outlets):
    from fastapi.testclient import TestClient

    from newsloom.web import create_app

    original, aggregator, _ = outlets
    original.add("/story", article_page(TITLE, STORY))
    aggregator.add("/copy", article_page(TITLE, ["Via the wire."] + STORY))
    first = services.pipeline.ingest_page(original.url("/story"))
    second = services.pipeline.ingest_page(aggregator.url("/copy"))
    with TestClient(create_app(services.settings, services.database)) as client:
        detail = client.get(f"/api/v1/articles/{first.article_id}").json()
        listed = client.get("/api/v1/articles").json()["items"]
    assert [copy["id"] for copy in detail["copies"]] == [second.article_id]
    assert detail["copies"][0]["source"]["domain"] == "127.0.0.2"
    assert [item["id"] for item in listed] == [first.article_id]
