"""Top stories and Full Coverage pages in real headless Chromium: three real events from the
Google News set, each covered by several outlets, through the whole pipeline (ingest, enrich,
story assignment) and served on a socket."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from newsloom.web import create_app
from tests.stories.test_service import ingest
from tests.support.live import LiveServer
from tests.support.stories import coverage_page, find_story
from tests.web.test_browser import browser, fresh_services, keep_screenshots, new_page, serious_violations  # noqa: F401 (fixture)

pytestmark = pytest.mark.browser

# The event's word, and how many outlets cover it: the home page ranks by distinct sources.
EVENTS = (("Sbarro", 4), ("Titanfall", 3), ("Elephants", 2))


@pytest.fixture(scope="module")
def newsroom(tmp_path_factory):
    services = fresh_services(tmp_path_factory.mktemp("stories"))
    start = datetime.now(UTC) - timedelta(hours=6)
    placed = {}
    for word, outlets in EVENTS:
        story = find_story(word)
        placed[word] = [
            ingest(services, f"https://{word.lower()}-desk{n}.example/story", coverage_page(story, n, start + timedelta(minutes=40 * n))[1])
            for n in range(outlets)
        ]  # fmt: skip
    assert all(len({a.story_id for a in articles}) == 1 for articles in placed.values())
    with LiveServer(create_app(services.settings, services.database)) as live:
        yield live, placed
    services.close()


def test_home_leads_with_the_widest_story_and_opens_its_full_coverage(browser, newsroom):  # noqa: F811
    live, placed = newsroom
    page = new_page(browser, live, viewport={"width": 1280, "height": 900})
    page.goto(live.url("/"))
    assert page.locator("h1").first.inner_text() == "Top stories"
    cards = page.locator("ol.stories .card")
    assert cards.count() == len(EVENTS)
    assert cards.first.locator(".meta").inner_text().startswith("4 sources · 4 articles")
    assert serious_violations(page) == []

    cards.first.locator("a.card-link").click()
    page.wait_for_url(f"**/story/{placed['Sbarro'][0].story_id}")
    assert "sbarro" in page.locator("h1").inner_text().casefold()  # the most central headline
    headings = page.locator("main h2").all_inner_texts()
    assert headings[:3] == ["Summary from the coverage", "Sources", "Timeline"]
    assert page.locator(".sources li").count() == 4 and page.locator(".timeline .card").count() == 4
    assert "sbarro-desk0.example" in page.locator(".first-report").inner_text()  # first by 40 minutes
    assert "before others" in page.locator(".first-report").inner_text()
    sources_in_summary = page.locator(".story-summary li .meta a").all_inner_texts()
    assert len(sources_in_summary) >= 2 and len(set(sources_in_summary)) == len(sources_in_summary)
    assert serious_violations(page) == []

    page.locator(".timeline .card a.card-link").last.click()
    page.wait_for_url("**/article/**")
    page.get_by_role("link", name="Full coverage: 4 articles from 4 sources").click()
    page.wait_for_url(f"**/story/{placed['Sbarro'][0].story_id}")
    assert page.errors == []
    page.context.close()


def test_story_pages_in_dark_mode_and_on_small_screens(browser, newsroom):  # noqa: F811
    live, placed = newsroom
    for options in ({"color_scheme": "dark", "viewport": {"width": 1280, "height": 900}}, {"viewport": {"width": 360, "height": 800}}):
        page = new_page(browser, live, **options)
        for path in ("/", *(f"/story/{articles[0].story_id}" for articles in placed.values())):
            page.goto(live.url(path))
            assert serious_violations(page) == [], (options, path)
            assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"), (options, path)
        assert page.errors == []
        page.context.close()


def test_screenshots_of_home_and_a_story_for_the_readme(browser, newsroom, tmp_path):  # noqa: F811
    """Taken on every run; NEWSLOOM_SCREENSHOTS=1 also refreshes the ones in docs/screenshots."""
    live, placed = newsroom
    for width, label in ((1280, "desktop"), (375, "mobile")):
        page = new_page(browser, live, viewport={"width": width, "height": 900}, device_scale_factor=1)
        page.goto(live.url("/"))
        page.screenshot(path=str(tmp_path / f"home-{label}.png"))
        page.goto(live.url(f"/story/{placed['Sbarro'][0].story_id}"))
        page.screenshot(path=str(tmp_path / f"story-{label}.png"))
        page.context.close()
    keep_screenshots(tmp_path, 4)
