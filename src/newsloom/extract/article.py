"""Main text and metadata of an article page, via trafilatura."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime

import trafilatura
from lxml import etree
from trafilatura.htmlprocessing import convert_to_html

from newsloom.extract.metadata import PageMetadata, read_page_metadata
from newsloom.extract.sanitize import html_to_text

# trafilatura logs every page it finds too short at WARNING; we report that ourselves.
logging.getLogger("trafilatura").setLevel(logging.ERROR)

OK, TOO_SHORT, FAILED = "ok", "too_short", "failed"


@dataclass(frozen=True)
class ExtractionResult:
    """`status` is ok, too_short (text found but below the minimum) or failed."""

    status: str
    reason: str | None = None
    title: str | None = None
    author: str | None = None
    published_at: datetime | None = None
    body_html: str = ""
    text: str = ""
    lead_image_url: str | None = None
    metadata: PageMetadata = PageMetadata()

    @property
    def ok(self) -> bool:
        return self.status == OK


def extract_article(html: bytes | str, url: str, min_chars: int = 250) -> ExtractionResult:
    metadata = read_page_metadata(html, url)
    try:
        document = trafilatura.bare_extraction(
            html,
            url=url,
            with_metadata=True,
            include_comments=False,
            include_images=True,
            include_links=True,
            include_tables=True,
            date_extraction_params={"extensive_search": True, "original_date": True, "outputformat": "%Y-%m-%dT%H:%M:%S%z"},
        )
    except Exception as error:  # trafilatura raises many kinds on hostile markup
        return ExtractionResult(FAILED, f"extractor error: {type(error).__name__}: {error}", metadata=metadata)
    if document is None or document.body is None:
        return ExtractionResult(FAILED, "no main text found on the page", metadata=metadata)

    body_html = _body_to_html(document.body, document.title)
    text = html_to_text(body_html)
    fields = {
        "title": document.title,
        "author": document.author,
        "published_at": _parse_date(document.date),
        "body_html": body_html,
        "text": text,
        "lead_image_url": document.image,
        "metadata": _with_trafilatura_fallbacks(metadata, document),
    }
    if len(text) < min_chars:
        return ExtractionResult(TOO_SHORT, f"main text has {len(text)} characters, fewer than {min_chars}", **fields)
    return ExtractionResult(OK, None, **fields)


def _body_to_html(body: etree._Element, title: str | None) -> str:
    converted = convert_to_html(body)
    inner = converted.find("body")
    container = inner if inner is not None else converted
    children = list(container)
    # The headline is shown above the body; a copy of it inside the body is noise.
    if children and children[0].tag in ("h1", "h2") and _same_text("".join(children[0].itertext()), title):
        container.remove(children[0])
    for heading in container.iter("h1"):
        heading.tag = "h2"  # one <h1> per page, and it is the headline
    return "".join(etree.tostring(child, encoding="unicode", method="html") for child in container)


def _same_text(a: str | None, b: str | None) -> bool:
    return bool(a and b) and " ".join(a.split()).casefold() == " ".join(b.split()).casefold()  # type: ignore[union-attr]


def _with_trafilatura_fallbacks(metadata: PageMetadata, document: trafilatura.settings.Document) -> PageMetadata:
    return PageMetadata(
        canonical_url=metadata.canonical_url or document.url,
        language=metadata.language or document.language,
        site_name=metadata.site_name or document.sitename,
        original_url=metadata.original_url,
        original_publisher=metadata.original_publisher,
    )


def _parse_date(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed.astimezone(UTC) if parsed.tzinfo else parsed.replace(tzinfo=UTC)
