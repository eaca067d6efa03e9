from newsloom.ingest.discovery import discover_feed_urls
from tests.support.benchdata import NEWSPAPER_HTML


def test_finds_alternate_links_in_priority_order():
    html = b"""<html><head><base href="https://site.example/news/">
    <link rel="alternate" type="text/xml" href="generic.xml">
    <link rel="alternate" type="application/atom+xml" href="/atom.xml">
    <link rel="alternate stylesheet" type="text/css" href="/style.css">
    <link rel="alternate" type="application/rss+xml" href="rss.xml">
    <link rel="alternate" type="application/rss+xml" href="rss.xml"></head></html>"""
    assert discover_feed_urls(html, "https://site.example/page") == [
        "https://site.example/news/rss.xml",
        "https://site.example/atom.xml",
        "https://site.example/news/generic.xml",
    ]


def test_real_publisher_page():
    found = discover_feed_urls((NEWSPAPER_HTML / "cnn_article.html").read_bytes(), "http://www.cnn.com/2013/x")
    assert found and all(url.startswith("http") for url in found)


def test_garbage_yields_nothing():
    assert discover_feed_urls(b"", "https://x.example/") == []
    assert discover_feed_urls(b"\x00\x01", "https://x.example/") == []
