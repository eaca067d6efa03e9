"""Story pages, top stories on home, the stories API: real pages through the whole pipeline."""

from datetime import UTC, datetime, timedelta

import pytest

from newsloom.store import StoryRepository
from tests.stories.test_service import ingest
from tests.support.stories import coverage_page, find_story


@pytest.fixture
def coverage(services):
    """Sbarro covered by three outlets an hour apart, Titanfall by two."""
    start = datetime.now(UTC) - timedelta(hours=5)
    placed = {}
    for word, outlets in (("Sbarro", 3), ("Titanfall", 2)):
        story = find_story(word)
        placed[word] = [
            ingest(services, f"https://{word.lower()}{n}.example/story", coverage_page(story, n, start + timedelta(hours=n))[1])
            for n in range(outlets)
        ]
    return placed


def test_stories_api_ranks_the_widest_coverage_first_and_lists_every_article(client, coverage):
    sbarro = coverage["Sbarro"][0].story_id
    top = client.get("/api/v1/stories").json()["items"]
    assert [s["id"] for s in top] == [sbarro, coverage["Titanfall"][0].story_id]
    assert (top[0]["article_count"], top[0]["source_count"]) == (3, 3) and "sbarro" in top[0]["headline"]["title"].casefold()

    story = client.get(f"/api/v1/stories/{sbarro}").json()
    assert [e["article"]["id"] for e in story["articles"]] == [a.article_id for a in coverage["Sbarro"]]  # oldest first
    assert [s["source"]["domain"] for s in story["sources"]][0] == "sbarro0.example"
    assert story["first_report_lead_seconds"] == pytest.approx(3600, abs=5)
    assert 2 <= len(story["summary"]) <= 4 and len({s["source"]["id"] for s in story["summary"]}) == len(story["summary"])
    assert all(s["text"] in client.get(f"/api/v1/articles/{s['article_id']}").json()["text"] for s in story["summary"])
    assert client.get(f"/api/v1/articles/{coverage['Sbarro'][1].article_id}").json()["story_id"] == sbarro
    assert client.get("/api/v1/stories/999999").status_code == 404


def test_story_page_home_and_article_link_to_full_coverage(client, coverage):
    sbarro = coverage["Sbarro"][0].story_id
    page = client.get(f"/story/{sbarro}").text
    for section in ("Summary from the coverage", "Sources", "Timeline", "First reported by", "before others"):
        assert section in page
    home = client.get("/").text
    assert "Top stories" in home and f'href="/story/{sbarro}"' in home
    assert home.index('id="top-heading"') < home.index('id="latest-heading"')
    article = client.get(f"/article/{coverage['Sbarro'][2].article_id}", follow_redirects=True).text
    assert f'href="/story/{sbarro}"' in article and "Full coverage: 3 articles from 3 sources" in article


def test_related_articles_prefer_other_outlets_on_the_same_story(services, coverage):
    related = services.related.related(coverage["Sbarro"][0].article_id, limit=5)
    same = {a.article_id for a in coverage["Sbarro"][1:]}
    assert {r.article.id for r in related[:2]} == same


def test_a_merged_story_redirects_to_the_one_that_absorbed_it(client, services, coverage):
    keep, gone = coverage["Sbarro"][0].story_id, coverage["Titanfall"][0].story_id
    with services.database.write() as session:
        StoryRepository(session).merge(keep, gone)
    assert client.get(f"/story/{gone}", follow_redirects=False).headers["location"] == f"/story/{keep}"
    response = client.get(f"/api/v1/stories/{gone}", follow_redirects=False)
    assert response.status_code == 301 and response.headers["location"] == f"/api/v1/stories/{keep}"
