"""Parse RSS 0.9x/1.0/2.0, Atom and JSON Feed bodies into entries."""

from __future__ import annotations

import calendar
import hashlib
import json
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from urllib.parse import urljoin

import feedparser

from newsloom.ingest.urls import is_http_url
from newsloom.ingest.xmlguard import UnsafeXMLError, check_xml_is_safe
from newsloom.store.records import NewEntry

_HTML_START = re.compile(rb"^\s*(<!--.*?-->\s*)*(<!doctype\s+html|<html|<head|<body)", re.IGNORECASE | re.DOTALL)
_XML_START = re.compile(rb"^\s*(<\?xml|(<!--.*?-->\s*)*(<!DOCTYPE\s+(?!html)|<rss|<feed|<rdf:RDF))", re.IGNORECASE | re.DOTALL)
_JSON_FEED_VERSION = "https://jsonfeed.org/version/"


@dataclass(frozen=True)
class ParsedFeed:
    kind: str
    title: str | None
    site_url: str | None
    entries: list[NewEntry] = field(default_factory=list)


@dataclass(frozen=True)
class FeedParseResult:
    """`status` is ok or error; `is_html` tells the caller to try autodiscovery."""

    status: str
    reason: str | None = None
    feed: ParsedFeed | None = None
    is_html: bool = False


def parse_feed(body: bytes, content_type: str = "", base_url: str = "") -> FeedParseResult:
    stripped = body.lstrip(b"\xef\xbb\xbf \t\r\n")
    if not stripped:
        return FeedParseResult("error", "empty response: the server sent no feed")
    if "json" in content_type.lower() or stripped.startswith(b"{"):
        return _parse_json_feed(stripped, base_url)
    # Publishers do serve feeds as text/html: the body decides, the header only breaks a tie.
    served_as_html = "text/html" in content_type.lower() and not _XML_START.match(stripped[:4096])
    if served_as_html or _HTML_START.match(stripped[:4096]):
        return FeedParseResult("error", "not a feed: the URL returned an HTML page", is_html=True)
    try:
        check_xml_is_safe(body)
    except UnsafeXMLError as error:
        return FeedParseResult("error", str(error))
    headers = {"content-type": content_type or "application/xml"}
    if base_url:
        headers["content-location"] = base_url
    parsed = feedparser.parse(body, response_headers=headers, sanitize_html=False, resolve_relative_uris=True)
    if not parsed.version and not parsed.entries:
        problem = parsed.get("bozo_exception")
        detail = f": {problem}" if problem else ""
        return FeedParseResult("error", f"not a valid RSS or Atom feed{detail}")
    meta = parsed.feed
    site_url = meta.get("link") or None
    entries = [_entry_from_feedparser(item, base_url) for item in parsed.entries]
    return FeedParseResult(
        "ok",
        feed=ParsedFeed(
            kind=parsed.version or "rss",
            title=_clean(meta.get("title")),
            site_url=urljoin(base_url, site_url) if site_url else None,
            entries=[entry for entry in entries if entry is not None],
        ),
    )


def _entry_from_feedparser(item: feedparser.FeedParserDict, base_url: str) -> NewEntry | None:
    # FeedBurner-style proxies hide the publisher's own URL in origLink.
    link = item.get("feedburner_origlink") or item.get("link") or None
    url = _http_url(base_url, link)
    title = _clean(item.get("title"))
    content = None
    if item.get("content"):
        html_parts = [part for part in item["content"] if "html" in part.get("type", "")]
        content = (html_parts or item["content"])[0].get("value")
    content = content or item.get("summary") or None
    guid = item.get("id") or url or _fallback_guid(title, content)
    if guid is None:
        return None
    return NewEntry(
        guid=guid[:2048],
        url=url,
        title=title,
        author=_clean(item.get("author")),
        published_at=_struct_to_datetime(item.get("published_parsed") or item.get("updated_parsed")),
        content_html=content,
    )


def _parse_json_feed(body: bytes, base_url: str) -> FeedParseResult:
    try:
        document = json.loads(body)
    except (ValueError, UnicodeDecodeError) as error:
        return FeedParseResult("error", f"not a valid JSON Feed: {error}")
    if not isinstance(document, dict) or not str(document.get("version", "")).startswith(_JSON_FEED_VERSION):
        return FeedParseResult("error", "not a JSON Feed: missing https://jsonfeed.org/version/ marker")
    items = document.get("items")
    if not isinstance(items, list):
        return FeedParseResult("error", "not a valid JSON Feed: `items` must be a list")
    entries = []
    for item in items:
        if not isinstance(item, dict):
            continue
        url = _http_url(base_url, item.get("url") or item.get("external_url"))
        title = _clean(item.get("title"))
        content = item.get("content_html") or item.get("content_text") or item.get("summary")
        content = content if isinstance(content, str) else None
        guid = item.get("id")
        guid = str(guid) if guid not in (None, "") else url or _fallback_guid(title, content)
        if guid is None:
            continue
        authors = item.get("authors") or ([item["author"]] if isinstance(item.get("author"), dict) else [])
        author_names = [a.get("name") for a in authors if isinstance(a, dict) and a.get("name")]
        entries.append(
            NewEntry(
                guid=guid[:2048],
                url=url,
                title=title,
                author=", ".join(author_names) or None,
                published_at=_parse_iso(item.get("date_published") or item.get("date_modified")),
                content_html=content,
            )
        )
    home = document.get("home_page_url")
    return FeedParseResult(
        "ok",
        feed=ParsedFeed(
            kind="json",
            title=_clean(document.get("title")),
            site_url=urljoin(base_url, home) if isinstance(home, str) and home else None,
            entries=entries,
        ),
    )


def _http_url(base_url: str, link: object) -> str | None:
    """Only web links count: feeds also put tag: URIs and other ids where links belong."""
    if not isinstance(link, str) or not link.strip():
        return None
    absolute = urljoin(base_url, link.strip())
    return absolute if is_http_url(absolute) else None


def _clean(value: object) -> str | None:
    if not isinstance(value, str):
        return None
    return " ".join(value.split()) or None


def _fallback_guid(title: str | None, content: str | None) -> str | None:
    if not title and not content:
        return None
    digest = hashlib.sha256(f"{title}\n{content}".encode()).hexdigest()
    return f"sha256:{digest}"


def _struct_to_datetime(value: object) -> datetime | None:
    if value is None:
        return None
    try:
        return datetime.fromtimestamp(calendar.timegm(value), tz=UTC)  # type: ignore[arg-type]
    except (TypeError, ValueError, OverflowError):
        return None


def _parse_iso(value: object) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
