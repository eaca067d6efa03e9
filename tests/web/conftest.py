import pytest
from fastapi.testclient import TestClient

from newsloom.web import create_app
from tests.support.benchdata import zyte_page, zyte_page_ids
from tests.support.site import article_page, seed_story


@pytest.fixture
def client(services):
    with TestClient(create_app(services.settings, services.database)) as test_client:
        yield test_client


def ingest_pages(services, publisher, count, enrich=False):
    """The seed story first, then distinct real pages; returns their article ids."""
    title, paragraphs = seed_story()
    publisher.add("/a0", article_page(title, paragraphs))
    for number, page_id in enumerate(zyte_page_ids(count - 1), start=1):
        publisher.add(f"/a{number}", zyte_page(page_id))
    ids = [services.pipeline.ingest_page(publisher.url(f"/a{number}")).article_id for number in range(count)]
    if enrich:
        for article_id in ids:
            services.enricher.enrich(article_id)
    return ids


def csrf_from(html: str) -> str:
    marker = 'name="csrf_token" value="'
    start = html.index(marker) + len(marker)
    return html[start : html.index('"', start)]
