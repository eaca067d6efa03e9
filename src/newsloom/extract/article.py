"""Main text and metadata of an article page, via trafilatura."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from html import escape

import trafilatura
from lxml import etree
from trafilatura.htmlprocessing import convert_to_html

from newsloom.extract.bylines import clean_byline
from newsloom.extract.chunks import add_sibling_chunks
from newsloom.extract.metadata import PageMetadata, is_plausible_site_name, read_page_metadata
from newsloom.extract.sanitize import html_to_text
from newsloom.extract.sections import drop_related_sections
from newsloom.ingest.urls import domain_of
from newsloom.libxml import one_thread_at_a_time

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


# Precision first; a short result is checked against trafilatura's balanced mode,
# which wins when it finds much more text (precision mode sometimes drops whole
# sections). Measured on the Zyte benchmark: see docs/benchmarks.md.
SECOND_OPINION_BELOW_CHARS = 2000
SECOND_OPINION_RATIO = 0.7
_DATE_OPTIONS = {"extensive_search": True, "original_date": True, "outputformat": "%Y-%m-%dT%H:%M:%S%z"}


@one_thread_at_a_time
def extract_article(html: bytes | str, url: str | None, min_chars: int = 250) -> ExtractionResult:
    metadata = read_page_metadata(html, url or "")
    try:
        html = drop_related_sections(html)
        document = _trafilatura(html, url, favor_precision=True, with_metadata=True)
        if document is None or document.body is None:
            return ExtractionResult(FAILED, "no main text found on the page", metadata=metadata)
        body_html = _body_to_html(document.body, document.title)
        text = html_to_text(body_html)
        if len(text) < SECOND_OPINION_BELOW_CHARS:
            balanced = _trafilatura(html, url, favor_precision=False, with_metadata=False)
            if balanced is not None and balanced.body is not None:
                balanced_html = _body_to_html(balanced.body, document.title)
                balanced_text = html_to_text(balanced_html)
                if len(text) < SECOND_OPINION_RATIO * len(balanced_text):
                    body_html, text = balanced_html, balanced_text
        with_chunks = add_sibling_chunks(html, body_html)
        if with_chunks != body_html:
            body_html, text = with_chunks, html_to_text(with_chunks)
    except Exception as error:  # trafilatura raises many kinds on hostile markup
        return ExtractionResult(FAILED, f"extractor error: {type(error).__name__}: {error}", metadata=metadata)

    metadata = _with_trafilatura_fallbacks(metadata, document)
    domain = domain_of(url or "")
    outlets = frozenset(
        name for name in (metadata.site_name, document.sitename, metadata.original_publisher, domain, domain.partition(".")[0]) if name
    )
    fields = {
        "title": document.title,
        "author": clean_byline(document.author, outlets),
        "published_at": _parse_date(document.date),
        "body_html": body_html,
        "text": text,
        "lead_image_url": document.image,
        "metadata": metadata,
    }
    if len(text) < min_chars:
        return ExtractionResult(TOO_SHORT, f"main text has {len(text)} characters, fewer than {min_chars}", **fields)
    return ExtractionResult(OK, None, **fields)


def _trafilatura(html: bytes | str, url: str | None, *, favor_precision: bool, with_metadata: bool):  # type: ignore[no-untyped-def]
    # Images stay out of the body: their captions and credits are mostly not article
    # text, and the lead image comes from the page metadata.
    return trafilatura.bare_extraction(
        html,
        url=url,
        favor_precision=favor_precision,
        with_metadata=with_metadata,
        include_comments=False,
        include_images=False,
        include_links=True,
        include_tables=True,
        date_extraction_params=_DATE_OPTIONS if with_metadata else None,
    )


def _body_to_html(body: etree._Element, title: str | None) -> str:
    converted = convert_to_html(body)
    inner = converted.find("body")
    container = inner if inner is not None else converted
    for heading in container.iter("h1"):
        heading.tag = "h2"  # one <h1> per page, and it is the headline
    children = list(container)
    # The headline is shown above the body; a copy of it inside the body is noise.
    skip_first = bool(children) and children[0].tag == "h2" and _same_text("".join(children[0].itertext()), title)
    # Loose text between blocks (a dateline after the headline, say) is kept as its own paragraph.
    parts = [_loose_text(container.text)]
    for index, child in enumerate(children):
        if not (index == 0 and skip_first):
            parts.append(etree.tostring(child, encoding="unicode", method="html", with_tail=False))
        parts.append(_loose_text(child.tail))
    return "".join(parts)


def _loose_text(text: str | None) -> str:
    return f"<p>{escape(text.strip())}</p>" if text and text.strip() else ""


def _same_text(a: str | None, b: str | None) -> bool:
    return bool(a and b) and " ".join(a.split()).casefold() == " ".join(b.split()).casefold()  # type: ignore[union-attr]


def _with_trafilatura_fallbacks(metadata: PageMetadata, document: trafilatura.settings.Document) -> PageMetadata:
    return PageMetadata(
        canonical_url=metadata.canonical_url or document.url,
        language=metadata.language or document.language,
        site_name=metadata.site_name or (document.sitename if is_plausible_site_name(document.sitename) else None),
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
