"""Page metadata trafilatura does not give us: canonical links, language, syndication."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from urllib.parse import urljoin

import lxml.html
from lxml.etree import ParserError

from newsloom.ingest.urls import domain_of, subdomain_labels
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
    original_publisher = publisher = None
    for data in _json_ld_objects(document):
        if isinstance(data.get("publisher"), dict) and isinstance(data["publisher"].get("name"), str):
            publisher = publisher or data["publisher"]["name"].strip()
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
        site_name=_site_name(first("//meta[@property='og:site_name']/@content"), publisher, page_url),
        original_url=urljoin(page_url, original_url) if original_url else None,
        original_publisher=original_publisher,
    )


def _site_name(declared: str | None, publisher: str | None, page_url: str) -> str | None:
    """The site's name as readers know it: its `og:site_name`, unless that is a slug ("usatoday",
    "nj", "livescience.com"), an address or a handle; then the publisher its structured data
    names ("USA TODAY"), else its domain ("nj.com"). The publisher is never asked first, nor
    without a declared name: on a wire story it is the agency ("Associated Press" on
    chron.com), not the site. A declared name that is only a label of the host is a slug too:
    AP's pages for member papers on hosted.ap.org call themselves "Hosted"."""
    if not declared or (is_plausible_site_name(declared) and declared.casefold() not in subdomain_labels(page_url)):
        return declared
    if is_plausible_site_name(publisher):
        return publisher
    return domain_of(page_url) or declared


def is_plausible_site_name(name: str | None) -> bool:
    """Whether a name found on the page could be the site's: not a slug (no capital letter), an
    address, a handle or a copyright line ("Copyright 2014", which trafilatura takes from a
    page's footer)."""
    if not name or name.startswith(("http://", "https://", "@")) or not any(ch.isupper() for ch in name):
        return False
    return not re.match(r"(?i)\s*(?:©|\(c\)|copyright\b)", name)


def source_name(site_name: str) -> str:
    """The name a source is listed by: the site's name without its tagline ("The Jerusalem Post
    | JPost.com", "Remember 80/90 - Memorabilia anni 80/90", "Autoracing | F1 | Indy | ...")."""
    return re.split(r"\s+[|·—–-]\s+", site_name.strip(), maxsplit=1)[0] or site_name


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
