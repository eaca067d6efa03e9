"""Feed refresh and article processing end to end: local publisher, real database (SQLite and PostgreSQL)."""

from datetime import UTC, datetime, timedelta

from newsloom.ingest.refresh import backoff_delay
from newsloom.store import ArticleRepository, EntryRepository, FeedRepository, FetchAttemptRepository
from tests.support.benchdata import DEFUSEDXML_DATA
from tests.support.publisher import rss_feed
from tests.support.site import article_page, publish_zyte_site, seed_story


def subscribe(services, url):
    result = services.subscriptions.add(url)
    assert result.status == "added", result.reason
    return result.feed


def process_all(services, entry_ids):
    return [services.pipeline.process_entry(entry_id) for entry_id in entry_ids]


def article_count(services):
    with services.database.read() as session:
        return ArticleRepository(session).count()


def feed(services, feed_id):
    with services.database.read() as session:
        return FeedRepository(session).get(feed_id)


def test_refresh_stores_every_article_once_and_again_nothing(services, publisher):
    urls = publish_zyte_site(publisher, 5)
    subscribed = subscribe(services, publisher.url("/feed.xml"))

    first = services.refresher.refresh(subscribed.id)
    assert first.status == "updated" and len(first.new_entry_ids) == 5
    outcomes = process_all(services, first.new_entry_ids)
    assert [outcome.status for outcome in outcomes] == ["stored"] * 5
    assert article_count(services) == 5
    with services.database.read() as session:
        stored = ArticleRepository(session).get(outcomes[0].article_id)
    assert stored.url == urls[0] and stored.text.startswith("Gaming used to be so simple")
    assert stored.extraction_status == "page"
    assert stored.published_at is not None and "<script" not in stored.html

    second = services.refresher.refresh(subscribed.id)
    assert second.status == "updated" and second.new_entry_ids == []
    assert process_all(services, first.new_entry_ids) == [
        type(outcome)(outcome.status, "already processed", outcome.article_id) for outcome in outcomes
    ]
    assert article_count(services) == 5


def test_conditional_get_takes_the_304_path(services, publisher):
    publish_zyte_site(publisher, 2, etag='"feed-v1"')
    subscribed = subscribe(services, publisher.url("/feed.xml"))
    assert services.refresher.refresh(subscribed.id).status == "updated"
    again = services.refresher.refresh(subscribed.id)
    assert again.status == "not_modified" and again.http_status == 304
    assert publisher.hits("/feed.xml")[-1].headers["if-none-match"] == '"feed-v1"'
    state = feed(services, subscribed.id)
    assert state.error_count == 0 and state.last_status == 304 and state.etag == '"feed-v1"'


def test_failing_feed_records_its_error_and_backs_off(services, publisher):
    publisher.add("/ok.xml", rss_feed("OK", publisher.url("/"), []), content_type="application/rss+xml")
    healthy = subscribe(services, publisher.url("/ok.xml"))
    publisher.add("/ok.xml", "gone", status=404)  # breaks after subscribing
    before = datetime.now(UTC)
    result = services.refresher.refresh(healthy.id)
    assert result.status == "error" and result.reason == "HTTP 404 Not Found"
    state = feed(services, healthy.id)
    assert state.error_count == 1 and state.last_error == "HTTP 404 Not Found" and state.last_status == 404
    assert state.next_check_at >= before + backoff_delay(services.settings, 1)
    services.refresher.refresh(healthy.id)
    state = feed(services, healthy.id)
    assert state.error_count == 2 and state.next_check_at >= before + backoff_delay(services.settings, 2)
    with services.database.read() as session:
        attempts = FetchAttemptRepository(session).for_feed(healthy.id)
    assert [attempt.outcome for attempt in attempts][:2] == ["error", "error"]


def test_retry_after_is_honoured(services, publisher):
    publisher.add("/f.xml", rss_feed("F", publisher.url("/"), []), content_type="application/rss+xml")
    subscribed = subscribe(services, publisher.url("/f.xml"))
    publisher.add("/f.xml", "busy", status=503, headers={"Retry-After": str(7 * 3600)})
    before = datetime.now(UTC)
    services.refresher.refresh(subscribed.id)
    state = feed(services, subscribed.id)
    assert state.next_check_at >= before + timedelta(hours=7) and "503" in state.last_error


def test_xml_bomb_feed_gets_a_clear_error_and_nothing_else_breaks(services, publisher):
    publish_zyte_site(publisher, 1)
    good = subscribe(services, publisher.url("/feed.xml"))
    publisher.add("/bomb.xml", (DEFUSEDXML_DATA / "xmlbomb.xml").read_bytes(), content_type="application/xml")
    bomb = services.subscriptions.add(publisher.url("/bomb.xml"))
    assert bomb.status == "error" and "declares entities" in bomb.reason
    bomb_feed = services.subscriptions.add(publisher.url("/bomb.xml"), check=False).feed
    assert services.refresher.refresh(bomb_feed.id).status == "error"
    assert "declares entities" in feed(services, bomb_feed.id).last_error
    assert services.refresher.refresh(good.id).status == "updated"


def test_unfetchable_page_falls_back_to_feed_content_and_says_why(services, publisher):
    title, paragraphs = seed_story()
    publisher.add(
        "/feed.xml",
        rss_feed("KI", publisher.url("/"), [
            {"title": title, "link": publisher.url("/missing"), "description": "<p>" + "</p><p>".join(paragraphs[:6]) + "</p>"},
        ]),
        content_type="application/rss+xml",
    )  # fmt: skip
    subscribed = subscribe(services, publisher.url("/feed.xml"))
    [entry_id] = services.refresher.refresh(subscribed.id).new_entry_ids
    outcome = services.pipeline.process_entry(entry_id)
    assert outcome.status == "stored" and "HTTP 404" in outcome.reason
    with services.database.read() as session:
        article = ArticleRepository(session).get(outcome.article_id)
    assert article.extraction_status == "feed_fallback" and "HTTP 404" in article.extraction_reason
    assert paragraphs[0] in article.text and article.title == title


def test_transient_failure_without_content_is_retried_then_given_up(services, publisher):
    publisher.add("/down", "maintenance", status=503)
    publisher.add("/feed.xml", rss_feed("D", publisher.url("/"), [{"title": "Down", "link": publisher.url("/down")}]),
                  content_type="application/rss+xml")  # fmt: skip
    subscribed = subscribe(services, publisher.url("/feed.xml"))
    [entry_id] = services.refresher.refresh(subscribed.id).new_entry_ids
    statuses = [services.pipeline.process_entry(entry_id).status for _ in range(services.settings.entry_max_attempts)]
    assert statuses == ["retry"] * (services.settings.entry_max_attempts - 1) + ["failed"]
    with services.database.read() as session:
        entry = EntryRepository(session).get(entry_id)
    assert entry.status == "failed" and "HTTP 503" in entry.reason and article_count(services) == 0


def test_same_article_via_two_feeds_and_tracking_parameters_is_stored_once(services, publisher):
    title, paragraphs = seed_story()
    publisher.add("/story", article_page(title, paragraphs))
    for name, suffix in (("a", "?utm_source=rss&utm_medium=feed"), ("b", "?fbclid=abc123")):
        publisher.add(f"/{name}.xml", rss_feed(name, publisher.url("/"), [{"title": title, "link": publisher.url("/story" + suffix)}]),
                      content_type="application/rss+xml")  # fmt: skip
    results = []
    for name in ("a", "b"):
        subscribed = subscribe(services, publisher.url(f"/{name}.xml"))
        results += process_all(services, services.refresher.refresh(subscribed.id).new_entry_ids)
    assert [result.status for result in results] == ["stored", "duplicate"]
    assert results[0].article_id == results[1].article_id and article_count(services) == 1
    with services.database.read() as session:
        article = ArticleRepository(session).get(results[0].article_id)
    assert article.canonical_url == publisher.url("/story")


def test_same_text_at_another_url_is_a_duplicate(services, publisher):
    title, paragraphs = seed_story()
    publisher.add("/one", article_page(title, paragraphs))
    publisher.add("/two", article_page(title, paragraphs))
    first = services.pipeline.ingest_page(publisher.url("/one"))
    second = services.pipeline.ingest_page(publisher.url("/two"))
    assert (first.status, second.status) == ("stored", "duplicate") and first.article_id == second.article_id


def test_syndicated_copy_names_the_original_publisher(services, publisher):
    title, paragraphs = seed_story()
    original = "https://kyivindependent.com/match-made-in-heaven-why-the-us-will-fail/"
    publisher.add("/news/syndicated", article_page(title, paragraphs, canonical=original))
    result = services.pipeline.ingest_page(publisher.url("/news/syndicated"))
    with services.database.read() as session:
        article = ArticleRepository(session).get(result.article_id)
    assert article.original_source.domain == "kyivindependent.com"
    assert article.canonical_url == original and article.url == publisher.url("/news/syndicated")
    assert article.source.domain == "127.0.0.1"


def test_links_to_non_pages_and_declared_charsets(services, publisher):
    title, paragraphs = seed_story()
    latin = article_page("Café crème à Genève", ["Déjà vu à l'été, naïve façade. " * 20] + paragraphs[:3])
    publisher.add("/latin1", latin.replace("charset='utf-8'", "").encode("latin-1", errors="replace"),
                  content_type="text/html; charset=ISO-8859-1")  # fmt: skip
    publisher.add("/report.pdf", b"%PDF-1.4 binary", content_type="application/pdf")
    publisher.add("/feed.xml", rss_feed("X", publisher.url("/"), [
        {"title": "Latin", "link": publisher.url("/latin1")},
        {"title": "PDF", "link": publisher.url("/report.pdf")},
    ]), content_type="application/rss+xml")  # fmt: skip
    subscribed = subscribe(services, publisher.url("/feed.xml"))
    latin_result, pdf_result = process_all(services, services.refresher.refresh(subscribed.id).new_entry_ids)
    with services.database.read() as session:
        article = ArticleRepository(session).get(latin_result.article_id)
    assert article.title == "Café crème à Genève" and "naïve façade" in article.text
    assert pdf_result.status == "failed" and "not a web page (application/pdf)" in pdf_result.reason
