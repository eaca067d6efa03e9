"""Adding feeds (autodiscovery included) and OPML round trips, against the local publisher."""

import pytest

from newsloom.ingest.opml import OPMLError, parse_opml
from tests.support.benchdata import DEFUSEDXML_DATA, FEEDJIRA_FEEDS
from tests.support.publisher import rss_feed


def test_add_by_page_url_discovers_the_feed(sqlite_services, publisher):
    publisher.add("/", '<html><head><link rel="alternate" type="application/rss+xml" href="/rss"></head><body>Home</body></html>')
    publisher.add("/rss", rss_feed("Home News", publisher.url("/"), []), content_type="application/rss+xml")
    result = sqlite_services.subscriptions.add(publisher.url("/"))
    assert result.status == "added" and result.feed.url == publisher.url("/rss") and result.feed.title == "Home News"
    again = sqlite_services.subscriptions.add(publisher.url("/rss"))
    assert again.status == "exists" and again.feed.id == result.feed.id


def test_page_without_feed_and_broken_urls_are_clear_errors(sqlite_services, publisher):
    publisher.add("/plain", "<html><body>No feeds here</body></html>")
    publisher.add("/dead-link", '<html><head><link rel="alternate" type="application/rss+xml" href="/nope"></head></html>')
    assert "advertises no feed" in sqlite_services.subscriptions.add(publisher.url("/plain")).reason
    assert "none could be read" in sqlite_services.subscriptions.add(publisher.url("/dead-link")).reason
    assert "invalid URL" in sqlite_services.subscriptions.add("javascript:alert(1)").reason
    assert "HTTP 404" in sqlite_services.subscriptions.add(publisher.url("/missing")).reason


def test_opml_round_trip(sqlite_services, publisher):
    feeds = ["AmazonWebServicesBlog.xml", "TechCrunch.xml", "SamRuby.xml"]
    for name in feeds:
        publisher.add(f"/{name}", (FEEDJIRA_FEEDS / name).read_bytes(), content_type="application/xml")
        assert sqlite_services.subscriptions.add(publisher.url(f"/{name}")).status == "added"
    exported = sqlite_services.subscriptions.export_opml()
    assert [sub.url for sub in parse_opml(exported.encode())] == [publisher.url(f"/{name}") for name in feeds]
    report = sqlite_services.subscriptions.import_opml(exported.encode())
    assert (report.added, report.existing) == (0, 3)


def test_opml_import_handles_nesting_and_bad_urls(sqlite_services):
    opml = b"""<?xml version="1.0"?><opml version="1.0"><head/><body>
    <outline text="World"><outline text="A" xmlUrl="https://a.example/feed"/>
    <outline text="Bad" xmlUrl="javascript:alert(1)"/></outline>
    <outline text="B" xmlurl="https://b.example/rss"/></body></opml>"""
    report = sqlite_services.subscriptions.import_opml(opml)
    assert (report.added, report.existing, report.invalid) == (2, 0, ["javascript:alert(1)"])


def test_hostile_opml_is_refused():
    with pytest.raises(OPMLError, match="unsafe"):
        parse_opml((DEFUSEDXML_DATA / "xmlbomb.xml").read_bytes())
    with pytest.raises(OPMLError, match="not valid OPML"):
        parse_opml(b"<opml><unclosed>")
    with pytest.raises(OPMLError, match="not OPML"):
        parse_opml(b"<rss/>")
