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


def test_a_big_storys_counts_cover_every_article_and_its_timeline_comes_a_page_at_a_time(client, services):
    from newsloom.stories.coverage import story_coverage
    from tests.stories.test_service import REPUBLISHED, cover

    start = datetime.now(UTC) - timedelta(hours=6)
    placed = cover(services, "Sbarro", 5, published=start)
    reprint = coverage_page(find_story("Sbarro"), 4, start)[1].replace("</article>", f"<p>{REPUBLISHED}</p></article>")
    copy = ingest(services, "https://aggregator.example/sbarro", reprint)  # a near copy of the newest original
    story_id = placed[0].story_id
    assert {a.story_id for a in placed + [copy]} == {story_id}
    originals = [a.article_id for a in placed]
    with services.database.read() as session:
        assert [a.id for a in StoryRepository(session).members(story_id)] == sorted(originals + [copy.article_id])
        pages = [story_coverage(session, story_id, page, per_page=2) for page in (1, 2, 3)]
        assert story_coverage(session, story_id, 4, per_page=2) is None
    assert [[e.article.id for e in p.timeline] for p in pages] == [originals[:2], originals[2:4], originals[4:]]
    assert [c.id for c in pages[2].timeline[0].copies] == [copy.article_id]  # under its original, on the original's page
    for page in pages:  # counted over the whole story on every page, the copy for its original publisher
        assert (page.article_count, page.pages, len(page.sources)) == (6, 3, 5)
        assert sum(s.articles for s in page.sources) == 6

    # Readers get TIMELINE_PAGE originals a page (100): this story has one page, and no page 2.
    page = client.get(f"/story/{story_id}").text
    assert "6 articles from 5 sources" in page and 'rel="next"' not in page
    assert client.get(f"/story/{story_id}?page=2").status_code == 404
    api = client.get(f"/api/v1/stories/{story_id}").json()
    assert (api["article_count"], api["page"], api["pages"], len(api["articles"])) == (6, 1, 1, 5)
    assert client.get(f"/api/v1/stories/{story_id}?page=2").status_code == 404


def test_the_timeline_pages_link_to_each_other(client, services, monkeypatch):
    import newsloom.stories.coverage
    from tests.stories.test_service import cover

    monkeypatch.setattr(newsloom.stories.coverage, "TIMELINE_PAGE", 2)
    story_id = cover(services, "Sbarro", 5, published=datetime.now(UTC) - timedelta(hours=6))[0].story_id
    first, middle, last = (client.get(f"/story/{story_id}" + (f"?page={n}" if n > 1 else "")).text for n in (1, 2, 3))
    assert "Page 1 of 3" in first and f'rel="next" href="/story/{story_id}?page=2"' in first and 'rel="prev"' not in first
    assert f'rel="prev" href="/story/{story_id}"' in middle and f'rel="next" href="/story/{story_id}?page=3"' in middle
    assert f'rel="prev" href="/story/{story_id}?page=2"' in last and 'rel="next"' not in last
    assert all("5 articles from 5 sources" in page for page in (first, middle, last))
    assert client.get(f"/api/v1/stories/{story_id}?page=3").json()["pages"] == 3
