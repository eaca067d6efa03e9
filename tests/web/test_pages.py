"""The reader's pages, rendered by the real app over both databases."""

import re
from urllib.parse import urlparse

from fastapi.testclient import TestClient

from newsloom.store import EnrichmentRepository, FeedRepository
from newsloom.web import create_app
from newsloom.web.rendering import slugify
from newsloom.web.security import CONTENT_SECURITY_POLICY
from tests.conftest import make_settings
from tests.support.benchdata import zyte_page, zyte_page_ids
from tests.support.site import article_page, seed_story
from tests.web.conftest import csrf_from, ingest_pages

SEED_SLUG = "match-made-in-heaven-why-the-us-will-fail-to-drive-a-wedge-between-russia-china"


def test_article_page_shows_every_section_in_the_seed_order(client, services, publisher):
    ids = ingest_pages(services, publisher, 4, enrich=True)
    response = client.get(f"/article/{ids[0]}")
    assert response.url.path == f"/article/{ids[0]}/{SEED_SLUG}"
    html = response.text
    sections = ['id="headline"', 'class="body"', ">Hashtags<", ">AI features<", ">Comments<", ">Related Articles<"]
    positions = [html.index(section) for section in sections]
    assert positions == sorted(positions)
    assert re.search(r'<time datetime="2025-[^"]+" title="2025-[^"]+ UTC">', html)
    assert f'href="{publisher.url("/a0")}"' in html  # the original
    assert 'href="/tag/Russia">#Russia</a>' in html
    assert "Temur Umarov" in html and "match made in heaven" in html
    assert "No comments yet..." in html
    related = html[html.index(">Related Articles<") :]
    assert any(f'href="/article/{other}/' in related for other in ids[1:])


def test_article_page_renders_while_enrichment_is_missing(client, services, publisher):
    [article_id] = ingest_pages(services, publisher, 1)
    html = client.get(f"/article/{article_id}").text
    assert "Hashtags are still being worked out" in html
    assert "The summary is still being prepared" in html
    assert "Related coverage appears once this article has been analysed" in html
    assert 'name="question"' in html  # questions work without stored enrichment


def test_wrong_slugs_redirect_and_missing_pages_are_html_404s(client, services, publisher):
    [article_id] = ingest_pages(services, publisher, 1)
    response = client.get(f"/article/{article_id}/old-title", follow_redirects=False)
    assert response.status_code == 301 and response.headers["location"] == f"/article/{article_id}/{SEED_SLUG}"
    for path in ("/article/999999", "/entity/999999", "/source/nowhere.example", "/tag/NoSuchTag", "/no/such/page"):
        missing = client.get(path)
        assert missing.status_code == 404 and missing.headers["content-type"].startswith("text/html"), path
        assert "<h1>Not found</h1>" in missing.text
    assert client.get("/article/not-a-number").status_code in (400, 404)
    assert client.get("/api/v1/articles/999999").json()["detail"]  # the API keeps JSON errors


def test_question_box_works_as_a_plain_form_post(client, services, publisher):
    [article_id] = ingest_pages(services, publisher, 1)
    path = f"/article/{article_id}/{SEED_SLUG}"
    token = csrf_from(client.get(path).text)
    response = client.post(f"{path}/ask", data={"question": "What does North Korea get from Russia?", "csrf_token": token})
    assert response.status_code == 200
    answer = response.text[response.text.index('id="answer"') :]
    assert "military technology" in answer and "(sentence " in answer
    forged = client.post(f"{path}/ask", data={"question": "Why?", "csrf_token": "forged"})
    assert forged.status_code == 403 and "expired" in forged.text
    empty = client.post(f"{path}/ask", data={"question": "  ", "csrf_token": token})
    assert "Type a question first." in empty.text


def test_questions_are_rate_limited_per_address(tmp_path, services, publisher):
    [article_id] = ingest_pages(services, publisher, 1)
    settings = make_settings(tmp_path, services.settings.database_url, questions_per_minute=2)
    with TestClient(create_app(settings, services.database)) as limited:
        path = f"/article/{article_id}/{SEED_SLUG}"
        token = csrf_from(limited.get(path).text)
        assert limited.post(f"/api/v1/articles/{article_id}/ask", json={"question": "Who?"}).status_code == 200
        assert limited.post(f"{path}/ask", data={"question": "Who?", "csrf_token": token}).status_code == 200
        assert limited.post(f"{path}/ask", data={"question": "Who?", "csrf_token": token}).status_code == 429
        assert limited.post(f"/api/v1/articles/{article_id}/ask", json={"question": "Who?"}).status_code == 429


def test_home_pages_and_filters(tmp_path, services, publisher):
    ids = ingest_pages(services, publisher, 5, enrich=True)
    # A second publisher: the same local server under another name.
    publisher.add("/other", zyte_page(zyte_page_ids(10)[-1]))
    other = services.pipeline.ingest_page(f"http://localhost:{publisher.port}/other").article_id
    settings = make_settings(tmp_path, services.settings.database_url, page_size=2)
    with TestClient(create_app(settings, services.database)) as small_pages:
        first = small_pages.get("/").text
        listed = re.findall(r'class="card-link" href="/article/(\d+)/', first)
        assert len(listed) == 2
        older = re.search(r'rel="next" href="([^"]+)"', first).group(1).replace("&amp;", "&")
        second = small_pages.get(older).text
        assert not set(re.findall(r'class="card-link" href="/article/(\d+)/', second)) & set(listed)
        by_source = small_pages.get("/", params={"source": "localhost"}).text
        assert re.findall(r'class="card-link" href="/article/(\d+)/', by_source) == [str(other)]
        by_tag = small_pages.get("/", params={"tag": "Russia"}).text
        assert f'href="/article/{ids[0]}/' in by_tag and f'href="/article/{ids[1]}/' not in by_tag
        assert small_pages.get("/", params={"source": "nowhere.example"}).status_code == 404
        assert small_pages.get("/", params={"cursor": "garbage"}).status_code == 400


def test_tag_entity_and_source_pages(client, services, publisher):
    ids = ingest_pages(services, publisher, 3, enrich=True)
    publisher.add("/broken.xml", "<html><body>not a feed</body></html>")
    feed = services.subscriptions.add(publisher.url("/broken.xml"), check=False).feed
    services.refresher.refresh(feed.id)

    tag = client.get("/tag/Russia").text
    assert f'href="/article/{ids[0]}/' in tag and f'href="/article/{ids[1]}/' not in tag

    with services.database.read() as session:
        entities = EnrichmentRepository(session).entities(ids[0])
    umarov = next(e for e in entities if e.name == "Temur Umarov")
    entity = client.get(f"/entity/{umarov.entity_id}").text
    assert "<h1>Temur Umarov</h1>" in entity and "match made in heaven" in entity and "Person" in entity

    source = client.get("/source/127.0.0.1").text
    assert "Feed health" in source and "HTML page" in source and f'href="/article/{ids[0]}/' in source
    with services.database.read() as session:
        assert FeedRepository(session).get(feed.id).last_error in source.replace("&#39;", "'").replace("&#34;", '"')


def test_search_highlights_filters_and_sorts(client, services, publisher):
    ids = ingest_pages(services, publisher, 4, enrich=True)
    paragraphs = [f"wedge <script>alert(1)</script> wedge {p}" for p in seed_story()[1][:6]]
    publisher.add("/hostile", article_page("A wedge story <script>alert(1)</script>", paragraphs))
    hostile = services.pipeline.ingest_page(publisher.url("/hostile")).article_id

    html = client.get("/search", params={"q": "wedge"}).text
    assert "<mark>wedge</mark>" in html.lower() or "<mark>Wedge</mark>" in html
    assert f'href="/article/{ids[0]}/' in html and f'href="/article/{hostile}/' in html
    assert "<script>alert" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html

    by_tag = client.get("/search", params={"q": "wedge", "tag": "Russia"}).text
    assert f'href="/article/{ids[0]}/' in by_tag and f'href="/article/{hostile}/' not in by_tag
    newest = client.get("/search", params={"q": "wedge", "sort": "date"}).text
    assert newest.index(f'href="/article/{hostile}/') < newest.index(f'href="/article/{ids[0]}/')  # fetched now vs 2025
    assert "No results" in client.get("/search", params={"q": "wedge", "from": "2099-01-01"}).text
    assert "No results" in client.get("/search", params={"q": "wedge", "source": "nowhere.example"}).text
    assert "No results" not in client.get("/search", params={"q": "wedge", "to": "2025-01-02", "from": "2024-12-31"}).text
    bad_date = client.get("/search", params={"q": "wedge", "from": "yesterday"})
    assert bad_date.status_code == 400 and "From date must look like" in bad_date.text
    assert client.get("/search", params={"q": '"unbalanced AND ( NEAR*'}).status_code == 200
    assert client.get("/search", params={"sort": "sideways"}).status_code == 400


def test_security_headers_and_no_inline_script_or_style(client, services, publisher):
    [article_id] = ingest_pages(services, publisher, 1, enrich=True)
    assert "'unsafe-inline'" not in CONTENT_SECURITY_POLICY and "frame-ancestors 'none'" in CONTENT_SECURITY_POLICY
    for path in ("/", f"/article/{article_id}/{SEED_SLUG}", "/search?q=wedge", "/login", "/tag/Russia", "/nope"):
        response = client.get(path)
        headers = response.headers
        assert headers["content-security-policy"] == CONTENT_SECURITY_POLICY, path
        assert headers["x-content-type-options"] == "nosniff" and headers["referrer-policy"]
        assert not re.search(r"<script(?![^>]*\bsrc=)", response.text), path
        assert not re.search(r"\sstyle=", response.text) and "<style" not in response.text, path
        assert not re.search(r'(src|href)="(https?:)?//(?!127\.0\.0\.1|localhost)', response.text.split('class="body"')[0]), path
    static = client.get("/static/newsloom.css")
    assert static.status_code == 200 and static.headers["x-content-type-options"] == "nosniff"


def test_slugs():
    assert slugify("‘Match made in heaven' — Why the US will fail") == "match-made-in-heaven-why-the-us-will-fail"
    assert slugify("Ünïcödé façade") == "unicode-facade"
    assert slugify("!!!") == "article" and len(slugify("word " * 100)) <= 80
    assert urlparse("/article/1/" + slugify("a/b?c#d")).path == "/article/1/a-b-c-d"
