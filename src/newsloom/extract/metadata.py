"""Page metadata trafilatura does not give us: canonical links, language, syndication."""

from __future__ import annotations

import json
from dataclasses import dataclass
from urllib.parse import urljoin

import lxml.html
from lxml.etree import ParserError

from newsloom.libxml import one_thread_at_a_time


@dataclass(frozen=True)
class PageMetadata:
    canonical_url: str | None = None
    language: str | None = None
    site_name: str | None = None
    # Set when the page says it republishes another publisher's article.
    original_url: str | None = None
    original_publisher: str | None = None


@one_thread_at_a_time
def read_page_metadata(html: bytes | str, page_url: str) -> PageMetadata:
    try:
        document = lxml.html.document_fromstring(html)
    except (ParserError, ValueError):
        return PageMetadata()

    def first(xpath: str) -> str | None:
        values = [value.strip() for value in document.xpath(xpath) if isinstance(value, str) and value.strip()]
        return values[0] if values else None

    canonical = first("//link[translate(@rel,'CANONICAL','canonical')='canonical']/@href") or first(
        "//meta[@property='og:url']/@content"
    )
    language = first("/html/@lang") or first("//meta[@http-equiv='content-language']/@content")
    original_url = first("//meta[@name='original-source']/@content") or first(
        "//meta[@name='syndication-source']/@content"
    )
    original_publisher = None
    for data in _json_ld_objects(document):
        based_on = data.get("isBasedOn")
        if isinstance(based_on, str) and not original_url:
            original_url = based_on
        elif isinstance(based_on, dict) and not original_url:
            original_url = based_on.get("url") if isinstance(based_on.get("url"), str) else None
        source_org = data.get("sourceOrganization") or data.get("provider")
        if isinstance(source_org, dict) and isinstance(source_org.get("name"), str):
            original_publisher = original_publisher or source_org["name"].strip()
    return PageMetadata(
        canonical_url=urljoin(page_url, canonical) if canonical else None,
        language=language.split(",")[0].strip()[:20] if language else None,
        site_name=first("//meta[@property='og:site_name']/@content"),
        original_url=urljoin(page_url, original_url) if original_url else None,
        original_publisher=original_publisher,
    )


def _json_ld_objects(document: lxml.html.HtmlElement) -> list[dict]:
    found: list[dict] = []
    for script in document.xpath("//script[@type='application/ld+json']/text()"):
        try:
            data = json.loads(script)
        except ValueError:
            continue
        stack = [data]
        while stack:
            item = stack.pop()
            if isinstance(item, list):
                stack.extend(item)
            elif isinstance(item, dict):
                if "@graph" in item:
                    stack.append(item["@graph"])
                found.append(item)
    return found
