"""Feed parsing on real feeds from ../shared/benchdata/feeds and on hostile XML."""

import pytest

from newsloom.ingest.feeds import parse_feed
from newsloom.ingest.xmlguard import UnsafeXMLError, check_xml_is_safe
from tests.support.benchdata import (
    DEFUSEDXML_DATA,
    FEEDJIRA_FEEDS,
    FEEDPARSER_TESTS,
    RSS_PARSER_FEEDS,
    XXE_FILES,
)

NOT_FEEDS = {"unrecognized.rss"}  # an HTML "Document Moved" page kept in that corpus as a negative case
REAL_FEEDS = sorted(
    # "...FirstEntry..." files are single-entry fragments, not feeds.
    [path for path in FEEDJIRA_FEEDS.iterdir() if path.suffix in (".xml", ".json") and "FirstEntry" not in path.name]
    + [path for path in RSS_PARSER_FEEDS.iterdir() if path.suffix in (".rss", ".atom") and path.name not in NOT_FEEDS]
)
ENTITY_PAYLOADS = ["xmlbomb.xml", "xmlbomb2.xml", "quadratic.xml", "cyclic.xml", "external.xml", "external_file.xml"]


@pytest.mark.parametrize("path", REAL_FEEDS, ids=lambda path: path.name)
def test_real_feeds_parse_with_entries(path):
    result = parse_feed(path.read_bytes(), base_url="https://publisher.example/feed")
    assert result.status == "ok", result.reason
    for entry in result.feed.entries:
        assert entry.guid
        assert entry.url is None or entry.url.startswith(("http://", "https://")), entry.url
        assert entry.published_at is None or entry.published_at.tzinfo is not None


def test_html_page_in_the_feed_corpus_is_reported_as_html():
    result = parse_feed((RSS_PARSER_FEEDS / "unrecognized.rss").read_bytes())
    assert result.status == "error" and result.is_html


def test_real_feed_corpus_yields_entries():
    assert sum(len(parse_feed(path.read_bytes()).feed.entries) for path in REAL_FEEDS) > 500


def test_rss_items_carry_title_link_date_and_content():
    result = parse_feed((FEEDJIRA_FEEDS / "TechCrunch.xml").read_bytes(), "text/xml", "https://techcrunch.com/feed/")
    first = result.feed.entries[0]
    assert result.feed.title == "TechCrunch"
    assert first.title and first.url.startswith("http") and first.published_at is not None
    assert first.content_html and "<" in first.content_html


def test_feedburner_origlink_wins_over_the_proxy_link():
    result = parse_feed((RSS_PARSER_FEEDS / "encoding.rss").read_bytes(), base_url="http://feeds.jn.pt/JN-ULTIMAS")
    assert result.status == "ok"
    assert result.feed.entries[0].url.startswith("https://www.jn.pt/nacional/")
    # ISO-8859-1 declared in the prolog is honoured.
    assert "Mãe" in result.feed.entries[0].title


def test_json_feed():
    result = parse_feed((FEEDPARSER_TESTS / "json" / "example.json").read_bytes(), "application/feed+json")
    assert result.status == "ok" and result.feed.kind == "json" and result.feed.title == "My Example Feed"
    assert [entry.guid for entry in result.feed.entries] == ["2", "1"]
    assert result.feed.entries[1].author == "you"
    assert result.feed.entries[0].content_html == "This is a second item."


def test_feedjira_json_feed():
    result = parse_feed((FEEDJIRA_FEEDS / "json_feed.json").read_bytes(), "application/json")
    assert result.status == "ok" and result.feed.entries


@pytest.mark.parametrize(
    "body, content_type, expected",
    [
        (b"", "application/rss+xml", "empty response"),
        (b"   \n ", "application/rss+xml", "empty response"),
        (b"<!doctype html><html><body>hi</body></html>", "text/html", "HTML page"),
        (b"<html><head></head></html>", "application/xml", "HTML page"),
        (b"{\"not\": \"a feed\"}", "application/json", "not a JSON Feed"),
        (b"{broken json", "application/json", "not a valid JSON Feed"),
        (b"\x00\x01\x02binary garbage\xff\xfe", "application/octet-stream", "not a valid RSS or Atom feed"),
        (b"<root><unclosed>", "application/xml", "not a valid RSS or Atom feed"),
    ],
)
def test_bad_bodies_get_clear_errors(body, content_type, expected):
    result = parse_feed(body, content_type)
    assert result.status == "error" and expected in result.reason


def test_illformed_feeds_from_feedparser_never_raise():
    for path in sorted((FEEDPARSER_TESTS / "illformed").rglob("*.xml")):
        result = parse_feed(path.read_bytes())
        assert result.status in ("ok", "error") and (result.feed is not None or result.reason)


def test_wrongly_encoded_feeds_never_raise():
    outcomes = [parse_feed(path.read_bytes()).status for path in sorted((FEEDPARSER_TESTS / "encoding").glob("*.xml"))]
    assert len(outcomes) > 40 and set(outcomes) <= {"ok", "error"}


@pytest.mark.parametrize("name", ENTITY_PAYLOADS)
def test_entity_declarations_are_refused(name):
    body = (DEFUSEDXML_DATA / name).read_bytes()
    with pytest.raises(UnsafeXMLError):
        check_xml_is_safe(body)
    result = parse_feed(body, "application/xml")
    assert result.status == "error" and "declares entities" in result.reason


def test_xxe_payload_files_are_refused():
    payloads = [path for path in XXE_FILES.rglob("*") if path.is_file()]
    assert payloads
    for path in payloads:
        body = path.read_bytes()
        if b"<!ENTITY" in body:
            assert parse_feed(body, "application/xml").status == "error", path.name


def test_utf16_encoded_bomb_is_refused():
    body = (DEFUSEDXML_DATA / "xmlbomb.xml").read_text().encode("utf-16")
    assert parse_feed(body, "application/xml").reason.startswith("unsafe XML")


def test_entity_declaration_in_a_real_feed_is_refused_with_a_clear_error():
    body = (FEEDPARSER_TESTS / "wellformed" / "rss" / "entity_in_doctype.xml").read_bytes()
    result = parse_feed(body)
    assert result.status == "error" and "declares entities" in result.reason


def test_plain_doctype_without_entities_is_accepted():
    body = b"""<?xml version="1.0"?>
<!DOCTYPE rss PUBLIC "-//Netscape Communications//DTD RSS 0.91//EN" "http://my.netscape.com/publish/formats/rss-0.91.dtd">
<rss version="0.91"><channel><title>Old</title><link>http://old.example/</link>
<item><title>One</title><link>http://old.example/1</link></item></channel></rss>"""
    check_xml_is_safe(body)
    result = parse_feed(body)
    assert result.status == "ok" and result.feed.entries[0].url == "http://old.example/1"


def test_entity_text_inside_content_is_not_mistaken_for_a_declaration():
    body = b"""<rss version="2.0"><channel><title>XML blog</title><link>http://x.example/</link>
<item><title>On entities</title><link>http://x.example/1</link>
<description><![CDATA[Never accept <!ENTITY declarations from strangers.]]></description></item></channel></rss>"""
    assert parse_feed(body).status == "ok"


def test_a_feed_served_as_text_html_is_still_a_feed():
    body = (FEEDJIRA_FEEDS / "TechCrunch.xml").read_bytes()
    assert parse_feed(body, "text/html; charset=utf-8").status == "ok"
    assert parse_feed(b"<p>hello</p>", "text/html").is_html
