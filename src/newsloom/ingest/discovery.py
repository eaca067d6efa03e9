"""Find the feeds a web page advertises with <link rel="alternate">."""

from __future__ import annotations

from urllib.parse import urljoin

import lxml.html
from lxml.etree import ParserError

from newsloom.libxml import one_thread_at_a_time

FEED_TYPES = (
    "application/rss+xml",
    "application/atom+xml",
    "application/feed+json",
    "application/json",
    "application/rdf+xml",
    "application/xml",
    "text/xml",
)


@one_thread_at_a_time
def discover_feed_urls(html: bytes, base_url: str) -> list[str]:
    try:
        document = lxml.html.document_fromstring(html)
    except (ParserError, ValueError):
        return []
    base = document.xpath("string(//base/@href)") or base_url
    found: list[tuple[int, str]] = []
    for link in document.xpath("//link[@href]"):
        rel = (link.get("rel") or "").lower().split()
        kind = (link.get("type") or "").lower().split(";")[0].strip()
        if "alternate" not in rel or kind not in FEED_TYPES:
            continue
        found.append((FEED_TYPES.index(kind), urljoin(urljoin(base_url, base), link.get("href").strip())))
    # Stable: page order within a type, and RSS/Atom before the generic XML types.
    ordered = [url for _, url in sorted(found, key=lambda pair: pair[0])]
    return list(dict.fromkeys(ordered))
