"""End to end in real headless Chromium (Debian's /usr/bin/chromium, driven by Playwright):
the app on a socket, articles ingested from a local publisher serving ../shared/benchdata pages."""

from __future__ import annotations

import base64
import os
import shutil
from datetime import UTC, datetime
from html import escape
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe

from newsloom.services import Services
from newsloom.store import ArticleRepository, Database, SourceRepository
from newsloom.store.migrate import upgrade
from newsloom.store.records import NewArticle
from newsloom.web import create_app
from tests.conftest import REQUIRE_ALL_BACKENDS, make_settings
from tests.extract.test_sanitize import PAYLOADS
from tests.support.benchdata import REPO, zyte_page, zyte_page_ids
from tests.support.live import LiveServer
from tests.support.publisher import PublisherServer
from tests.support.site import article_page, seed_related_stories, seed_story

CHROMIUM = Path(os.environ.get("NEWSLOOM_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync"]
SCREENSHOTS = REPO / "docs" / "screenshots"
# Publishers' image servers are the outside world: the browser gets a 1x1 PNG from here instead.
PIXEL = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=")
SERIOUS = {"serious", "critical"}
XSS_PROBE = """
window.__xss = false;
for (const name of ["alert", "confirm", "prompt", "print"]) { window[name] = () => { window.__xss = true; }; }
"""

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        message = f"{CHROMIUM} is missing (apt-get install chromium chromium-driver)"
        pytest.fail(message) if REQUIRE_ALL_BACKENDS else pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield launched
        launched.close()


def fresh_services(folder: Path) -> Services:
    url = f"sqlite:///{folder / 'newsloom.db'}"
    database = Database(url)
    upgrade(database.engine)
    database.dispose()
    return Services(make_settings(folder, url))


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """A newsroom: the seed story, its related Kyiv Independent stories and real pages, all enriched."""
    services = fresh_services(tmp_path_factory.mktemp("browser"))
    with PublisherServer() as publisher:
        title, paragraphs = seed_story()
        publisher.add("/seed", article_page(title, paragraphs))
        pages = ["/seed"]
        for number, (related_title, related_paragraphs) in enumerate(seed_related_stories()):
            pages.append(publisher.add(f"/related{number}", article_page(related_title, related_paragraphs)).split(str(publisher.port))[1])
        for page_id in zyte_page_ids(8):
            pages.append(publisher.add(f"/zyte/{page_id[:12]}", zyte_page(page_id)).split(str(publisher.port))[1])
        ids = [services.pipeline.ingest_page(publisher.url(path)).article_id for path in pages]
    for article_id in ids:
        services.enricher.enrich(article_id)
    app = create_app(services.settings, services.database)
    with LiveServer(app) as live:
        yield live, services, ids
    services.close()


@pytest.fixture
def page(browser, site):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    opened = context.new_page()
    opened.errors = []
    opened.on("console", lambda message: message.type == "error" and opened.errors.append(message.text))
    opened.on("pageerror", lambda error: opened.errors.append(str(error)))
    local = site[0].url("/")
    opened.route(
        "**/*",
        lambda route: route.continue_() if route.request.url.startswith(local)
        else route.fulfill(status=200, content_type="image/png", body=PIXEL),
    )
    yield opened
    context.close()


def new_page(browser, live, **options):  # noqa: F811 (the fixture's value)
    """A page in a context of its own (`page.context`), recording console errors in `page.errors`
    and reaching nothing but the app."""
    context = browser.new_context(**options)
    page = context.new_page()
    page.errors = []
    page.on("console", lambda message: message.type == "error" and page.errors.append(message.text))
    page.on("pageerror", lambda error: page.errors.append(str(error)))
    page.route("**/*", lambda route: route.continue_() if route.request.url.startswith(live.url("/")) else route.abort())
    return page


def keep_screenshots(folder: Path, count: int) -> None:
    """Checks the shots taken into `folder`; NEWSLOOM_SCREENSHOTS=1 also copies them to docs/screenshots."""
    shots = sorted(folder.glob("*.png"))
    assert len(shots) == count and all(shot.read_bytes().startswith(b"\x89PNG") and shot.stat().st_size > 10_000 for shot in shots)
    if os.environ.get("NEWSLOOM_SCREENSHOTS") == "1":
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        for shot in shots:
            shutil.copy(shot, SCREENSHOTS / shot.name)


def serious_violations(page) -> list[str]:
    results = Axe().run(page)
    return [f"{v['id']}: {v['help']} ({len(v['nodes'])})" for v in results.response["violations"] if v["impact"] in SERIOUS]


def test_axe_finds_what_it_should(page, site):
    """The checker itself, on a page built to fail: an unlabelled image and field."""
    page.set_content("<html><body><img src='x.png'><input type='text'></body></html>")
    assert {"image-alt", "label"} <= {v.split(":")[0] for v in serious_violations(page)}


def test_home_article_sections_and_accessibility(page, site):
    live, _, ids = site
    page.goto(live.url("/"))
    assert page.locator("h1").first.inner_text() == "Latest"
    assert serious_violations(page) == []
    page.get_by_role("link", name="‘Match made in heaven' — Why the US will fail to drive a wedge between Russia, China").click()
    page.wait_for_url("**/article/*/match-made-in-heaven-*")
    headings = page.locator("main h2").all_inner_texts()
    order = [headings.index(name) for name in ("Hashtags", "AI features", "Comments", "Related Articles")]
    assert order == sorted(order)
    assert page.locator("article .body p").count() > 10
    assert page.locator("#related .card").count() >= 2
    assert page.locator("time[datetime]").first.get_attribute("title").endswith("UTC")
    assert serious_violations(page) == []
    assert page.errors == []


def test_question_is_answered_in_place_with_javascript(page, site):
    live, _, ids = site
    page.goto(live.url(f"/article/{ids[0]}"))
    page.evaluate("window.__stillHere = true")
    page.get_by_label("Your question").fill("What does North Korea get from Russia?")
    page.get_by_role("button", name="Ask").click()
    page.locator("#answer li").first.wait_for()
    assert "military technology" in page.locator("#answer").inner_text()
    assert page.evaluate("window.__stillHere") is True  # no reload
    assert page.errors == []


def test_question_is_answered_by_a_form_post_without_javascript(browser, site):
    live, _, ids = site
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(live.url(f"/article/{ids[0]}"))
    page.get_by_label("Your question").fill("What does North Korea get from Russia?")
    page.get_by_role("button", name="Ask").click()
    page.wait_for_load_state()
    assert page.url.endswith("/ask") and "military technology" in page.locator("#answer").inner_text()
    context.close()


def test_search_and_hashtag_pages(page, site):
    live, _, ids = site
    page.goto(live.url("/"))
    page.get_by_label("Search articles").fill("wedge")
    page.keyboard.press("Enter")
    page.wait_for_url("**/search?q=wedge*")
    assert page.locator(".results mark").count() >= 1
    assert serious_violations(page) == []
    page.goto(live.url(f"/article/{ids[0]}"))
    page.locator("#hashtags").get_by_role("link", name="#Russia").click()
    page.wait_for_url("**/tag/Russia")
    assert page.locator("h1").inner_text() == "#Russia" and page.locator(".card").count() >= 2
    assert serious_violations(page) == []
    assert page.errors == []


def test_j_and_k_move_through_lists_and_articles(page, site):
    live, _, _ = site
    page.goto(live.url("/"))
    links = page.locator("main .card-link")
    page.keyboard.press("j")
    assert page.evaluate("document.activeElement.href") == links.nth(0).evaluate("a => a.href")
    page.keyboard.press("j")
    page.keyboard.press("j")
    page.keyboard.press("k")
    assert page.evaluate("document.activeElement.href") == links.nth(1).evaluate("a => a.href")
    second = links.nth(1).evaluate("a => a.href")
    page.goto(links.nth(0).evaluate("a => a.href"))
    page.keyboard.press("j")  # on an article: the next (older) one
    page.wait_for_url(second)
    page.get_by_label("Your question").focus()
    page.keyboard.press("k")  # typing in a field is never a shortcut
    assert page.url == second and page.errors == []


def test_dark_mode_and_small_screens_stay_accessible(browser, site):
    live, _, ids = site
    for options in ({"color_scheme": "dark", "viewport": {"width": 1280, "height": 900}}, {"viewport": {"width": 360, "height": 800}}):
        context = browser.new_context(**options)
        page = context.new_page()
        for path in ("/", f"/article/{ids[0]}", "/search?q=China"):
            page.goto(live.url(path))
            assert serious_violations(page) == [], (options, path)
            assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"), (options, path)
        context.close()


@pytest.fixture
def hostile_site(tmp_path):
    services = fresh_services(tmp_path)
    with LiveServer(create_app(services.settings, services.database)) as live:
        yield live, services
    services.close()


def test_xss_payloads_in_feed_content_never_run(browser, hostile_site):
    """Articles built from every payload in ../shared/benchdata/security, through the pipeline and also
    written straight to the database unsanitized: no script runs, no dialog opens."""
    live, services = hostile_site
    chunks = [PAYLOADS[start : start + 60] for start in range(0, len(PAYLOADS), 60)]
    ids = []
    with PublisherServer() as publisher:
        for number, chunk in enumerate(chunks):
            body = "".join(f"<p>Report {number}.{line} on the council budget vote. {payload}</p>" for line, payload in enumerate(chunk))
            html = f"<html><head><title>{escape(chunk[0])}</title></head><body><article><h1>{escape(chunk[0])}</h1>{body}</article></body></html>"
            publisher.add(f"/xss{number}", html)
            result = services.pipeline.ingest_page(publisher.url(f"/xss{number}"))
            ids.append(result.article_id)
    with services.database.write() as session:  # a row some other writer left unsanitized
        source = SourceRepository(session).get_or_create("hostile.example")
        now = datetime.now(UTC)
        raw = ArticleRepository(session).insert(NewArticle(
            url="https://hostile.example/x", canonical_url="https://hostile.example/x", title=PAYLOADS[0], author=PAYLOADS[1],
            published_at=now, fetched_at=now, language="en", lead_image_url="javascript:alert(1)", html="".join(PAYLOADS[:400]),
            text="budget " + " ".join(PAYLOADS[:50]), content_hash=None, source_id=source.id, original_source_id=None,
            original_url="javascript:alert(1)", extraction_status="ok", extraction_reason=None,
        ))  # fmt: skip
    ids = [article_id for article_id in ids if article_id] + [raw]
    assert len(ids) > len(chunks) // 2

    context = browser.new_context()
    context.add_init_script(XSS_PROBE)
    page = context.new_page()
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.route("**/*", lambda route: route.continue_() if route.request.url.startswith(live.url("/")) else route.abort())
    for path in ["/", "/search?q=budget", "/search?q=alert", *(f"/article/{article_id}" for article_id in ids)]:
        page.goto(live.url(path))
        page.wait_for_timeout(50)
        for link in page.locator("main a[href^='javascript:']").all():
            pytest.fail(f"{path}: a javascript: link survived: {link.get_attribute('href')}")
        assert page.evaluate("window.__xss") is False, path
    assert dialogs == []
    page.evaluate("alert('probe')")  # the probe itself works: a script that did run would have been seen
    assert page.evaluate("window.__xss") is True
    context.close()


def test_screenshots_for_the_readme(browser, site, tmp_path):
    """Taken on every run; NEWSLOOM_SCREENSHOTS=1 also refreshes the ones in docs/screenshots (the
    home page's come from test_browser_stories.py, where stories lead it)."""
    live, _, ids = site
    for width, label in ((1280, "desktop"), (375, "mobile")):
        context = browser.new_context(viewport={"width": width, "height": 900}, device_scale_factor=1)
        page = context.new_page()
        page.route("**/*", lambda route: route.continue_() if route.request.url.startswith(live.url("/")) else route.abort())
        page.goto(live.url(f"/article/{ids[0]}"))
        page.screenshot(path=str(tmp_path / f"article-{label}.png"))
        page.locator("#ai").scroll_into_view_if_needed()
        page.screenshot(path=str(tmp_path / f"article-panels-{label}.png"))
        context.close()
    keep_screenshots(tmp_path, 4)
