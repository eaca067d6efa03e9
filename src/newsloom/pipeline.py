"""The article pipeline, one readable page.

    1. fetch     download the article page (SSRF-guarded, capped)
    2. extract   the source's scraper rules, then main text and metadata (trafilatura);
                 else the feed's own content
    3. clean     generic boilerplate, then what this source is known to repeat
    4. sanitize  allowlist the HTML that will be republished
    5. store     one transaction: the same canonical URL or content is never stored twice,
                 a near copy is grouped under its primary, the original publisher is
                 recorded, and the SQLite FTS5 / PostgreSQL tsvector index is updated
    after 5      every so many new articles, the source's boilerplate is learned again

    6. enrich    entities, hashtags, quotes, summary, embedding (enrich/), its own job after stage 5
    7. story     join the article's story or start one (stories/), its own job after stage 6

Every outcome is returned as a `PipelineResult` and recorded on
the feed entry, so failures are visible per article and per feed.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

from sqlalchemy.exc import IntegrityError

from newsloom.dedupe import link_near_duplicate, signature
from newsloom.extract import (
    ExtractionResult,
    clean_text,
    extract_article,
    html_to_text,
    sanitize_html,
    strip_boilerplate,
)
from newsloom.extract.article import TOO_SHORT
from newsloom.extract.boilerplate import Boilerplate, strip_learned
from newsloom.extract.credits import find_credit
from newsloom.extract.language import article_language
from newsloom.extract.metadata import is_plausible_site_name, source_name
from newsloom.extract.rules import SourceRules, apply_rules
from newsloom.extract.site import SiteCleanup, SiteProfile
from newsloom.extract.titles import headline, without_learned_parts
from newsloom.ingest.fetcher import Fetcher, FetchResult
from newsloom.ingest.urls import canonicalize, domain_of, is_http_url
from newsloom.settings import Settings
from newsloom.store import (
    ArticleRepository,
    Database,
    EntryRepository,
    FetchAttemptRepository,
    SourceRepository,
)
from newsloom.store.entries import DUPLICATE, FAILED, FINISHED, STORED
from newsloom.store.records import Entry, NewArticle

log = logging.getLogger(__name__)

PAGE_ACCEPT = "text/html,application/xhtml+xml;q=0.9,*/*;q=0.5"
MIN_HASHED_CHARS = 100  # shorter texts ("Watch the video") collide across unrelated articles


@dataclass(frozen=True)
class PipelineResult:
    """`status`: stored, duplicate, retry, failed or missing."""

    status: str
    reason: str | None = None
    article_id: int | None = None


@dataclass(frozen=True)
class _Content:
    """What stages 1-2 produced: the text we will publish and where it came from."""

    extraction_status: str  # page, feed_fallback or too_short
    reason: str | None
    body_html: str
    base_url: str
    extraction: ExtractionResult | None


class ArticlePipeline:
    def __init__(self, settings: Settings, database: Database, fetcher: Fetcher) -> None:
        self.settings = settings
        self.database = database
        self.fetcher = fetcher
        self.site_cleanup = SiteCleanup(database)

    # --- entry points ------------------------------------------------------

    def process_entry(self, entry_id: int) -> PipelineResult:
        """Idempotent: an entry already finished is reported, never processed again."""
        with self.database.write() as session:
            entry = EntryRepository(session).get(entry_id)
            if entry is None:
                return PipelineResult("missing", f"entry {entry_id} does not exist")
            if entry.status in FINISHED:
                return PipelineResult(entry.status, "already processed", entry.article_id)
            EntryRepository(session).count_attempt(entry_id)
        source_id = entry.source_id or self._source_for(entry.url or "")
        site = self.site_cleanup.profile(source_id)

        # 1. fetch
        page = self._fetch(entry.url, feed_id=entry.feed_id, entry_id=entry.id) if entry.url else None
        # 2. extract (the source's scraper rules first)
        content = self._choose_content(entry, page, site.rules)
        if isinstance(content, str):
            return self._give_up_or_retry(entry, page, problem=content)
        # 3.-5. clean, sanitize, store
        result = self._finish_and_store(
            content,
            site,
            page_url=(page.final_url if page and page.ok else None) or entry.url or content.base_url,
            fallback_title=entry.title,
            fallback_author=entry.author,
            published_at=entry.published_at,
            fetched_at=page.started_at if page else datetime.now(UTC),
            source_id=source_id,
            entry_id=entry.id,
        )
        log.info("entry %s: %s (%s)", entry_id, result.status, result.reason or "ok")
        return result

    def ingest_page(self, url: str, html: bytes | None = None) -> PipelineResult:
        """One article page, fetched now or given as HTML (the CLI's `ingest`)."""
        page = None
        if html is None:
            page = self._fetch(url)
            if not page.ok:
                return PipelineResult(FAILED, f"could not fetch {url}: {page.reason}")
            html, url = page.body, page.final_url or url
        source_id = self._source_for(url)
        site = self.site_cleanup.profile(source_id)
        extraction = self._extract(html, page.content_type if page else "", url, site.rules)
        if not extraction.text:
            return PipelineResult(FAILED, f"no article text found: {extraction.reason}")
        content = _Content(
            "page" if extraction.ok else TOO_SHORT, extraction.reason, extraction.body_html, url, extraction
        )
        return self._finish_and_store(
            content,
            site,
            page_url=url,
            fallback_title=None,
            fallback_author=None,
            published_at=None,
            fetched_at=page.started_at if page else datetime.now(UTC),
            source_id=source_id,
            entry_id=None,
        )

    # --- stages ------------------------------------------------------------

    def _source_for(self, url: str) -> int:
        with self.database.write() as session:
            return SourceRepository(session).get_or_create(domain_of(url)).id

    def _fetch(self, url: str, feed_id: int | None = None, entry_id: int | None = None) -> FetchResult:
        page = self.fetcher.fetch(url, accept=PAGE_ACCEPT)
        with self.database.write() as session:
            FetchAttemptRepository(session).record(page.as_attempt("article", feed_id, entry_id))
        return page

    def _choose_content(self, entry: Entry, page: FetchResult | None, rules: SourceRules) -> _Content | str:
        """The best text we have for the entry, or why there is none."""
        page_problem = "entry has no link" if page is None else page.reason
        extraction = None
        if page is not None and page.ok and not _is_html(page.content_type):
            page_problem = f"the link is not a web page ({page.content_type.split(';')[0]})"
        elif page is not None and page.ok:
            extraction = self._extract(page.body, page.content_type, page.final_url or page.url, rules)
            if extraction.ok:
                return _Content("page", extraction.reason, extraction.body_html, page.final_url or page.url, extraction)
            page_problem = f"extraction: {extraction.reason}"
        feed_html = entry.content_html or ""
        feed_text = html_to_text(feed_html)
        page_text_length = len(extraction.text) if extraction else 0
        if feed_text and len(feed_text) >= page_text_length:
            return _Content("feed_fallback", f"used the feed's content; {page_problem}", feed_html, entry.url or "", None)
        if extraction is not None and extraction.text:
            return _Content(TOO_SHORT, extraction.reason, extraction.body_html, page.final_url or page.url, extraction)  # type: ignore[union-attr]
        return page_problem or "empty page"

    def _extract(self, body: bytes, content_type: str, url: str, rules: SourceRules) -> ExtractionResult:
        ruled = apply_rules(_decode_html(body, content_type), rules)
        extraction = extract_article(ruled.html, url, self.settings.min_article_chars)
        if ruled.reason:  # a rule that no longer matches must show, not fail silently
            extraction = replace(extraction, reason="; ".join(filter(None, [extraction.reason, ruled.reason])))
        return extraction

    def _give_up_or_retry(self, entry: Entry, page: FetchResult | None, problem: str) -> PipelineResult:
        reason = f"no content: {problem}"
        attempts = entry.attempts + 1
        with self.database.write() as session:
            entries = EntryRepository(session)
            if page is not None and page.transient and attempts < self.settings.entry_max_attempts:
                delay = max(page.retry_after or 0, 60 * 2**attempts)
                entries.retry_later(entry.id, reason, datetime.now(UTC) + timedelta(seconds=delay))
                return PipelineResult("retry", reason)
            entries.finish(entry.id, FAILED, reason)
        return PipelineResult(FAILED, reason)

    def _finish_and_store(
        self,
        content: _Content,
        site: SiteProfile,
        *,
        page_url: str,
        fallback_title: str | None,
        fallback_author: str | None,
        published_at: datetime | None,
        fetched_at: datetime,
        source_id: int,
        entry_id: int | None,
    ) -> PipelineResult:
        extraction = content.extraction
        metadata = extraction.metadata if extraction else None
        title = headline(extraction.title if extraction else None, metadata.site_name if metadata else None, page_url, fallback_title)
        title = without_learned_parts(title, site.boilerplate.title_parts) if title else "(untitled)"
        html, text = clean_and_sanitize(content.body_html, content.base_url or page_url, site.boilerplate, title)
        canonical_url = _canonical_url(page_url, metadata.canonical_url if metadata else None)
        original_url = metadata.original_url if metadata and metadata.original_url else None
        if original_url is None and domain_of(canonical_url) != domain_of(page_url):
            original_url = canonical_url  # a cross-domain canonical link names the original publisher
        fingerprint = signature(text)
        # 5. store
        with self.database.write() as session:
            sources = SourceRepository(session)
            if metadata and metadata.site_name:
                # A name an earlier version took from a slug ("nj", "usatoday") gives way too.
                name = source_name(metadata.site_name)
                sources.name_if_unnamed(source_id, name, replaces=lambda current: not is_plausible_site_name(current))
            original_source_id = None
            if original_url and domain_of(original_url) != sources.get(source_id).domain:  # type: ignore[union-attr]
                publisher = metadata.original_publisher if metadata else None
                original_source_id = sources.get_or_create(domain_of(original_url), publisher).id
            elif original_url is None:
                original_source_id = _credited_source(sources, text, extraction.author if extraction else None)
                original_source_id = original_source_id if original_source_id != source_id else None
            article = NewArticle(
                url=page_url,
                canonical_url=canonical_url,
                title=title,
                author=(extraction.author if extraction else None) or fallback_author,
                published_at=published_at or (extraction.published_at if extraction else None),
                fetched_at=fetched_at,
                language=article_language(text, metadata.language if metadata else None),
                lead_image_url=extraction.lead_image_url if extraction else None,
                html=html,
                text=text,
                content_hash=_content_hash(text),
                source_id=source_id,
                original_source_id=original_source_id,
                original_url=original_url,
                extraction_status=content.extraction_status,
                extraction_reason=content.reason,
            )
            result = self._store(session, article, entry_id, fingerprint)
        if result.status == STORED:
            self.site_cleanup.article_stored(source_id)  # may learn, and re-clean older articles
        return result

    def _store(self, session, article: NewArticle, entry_id: int | None, fingerprint) -> PipelineResult:  # type: ignore[no-untyped-def]
        articles = ArticleRepository(session)
        entries = EntryRepository(session)
        existing = articles.find_duplicate(article.canonical_url, article.content_hash)
        if existing is None:
            try:
                with session.begin_nested():
                    new_id = articles.insert(article)
            except IntegrityError:  # another worker stored it a moment ago
                existing = articles.find_duplicate(article.canonical_url, article.content_hash)
                if existing is None:
                    raise
            else:
                near = link_near_duplicate(session, new_id, article, fingerprint)
                reason = article.extraction_reason
                if near is not None and not near.promoted:
                    reason = "; ".join(filter(None, [reason, f"near copy of article {near.primary_id} ({near.similarity:.2f})"]))
                if entry_id is not None:
                    entries.finish(entry_id, STORED, reason, new_id)
                return PipelineResult(STORED, reason, new_id)
        reason = f"same canonical URL or text as article {existing}"
        if entry_id is not None:
            entries.finish(entry_id, DUPLICATE, reason, existing)
        return PipelineResult(DUPLICATE, reason, existing)


def clean_and_sanitize(body_html: str, base_url: str, learned: Boilerplate | None = None, title: str | None = None) -> tuple[str, str]:
    """Stages 3 and 4 for one body: returns the HTML to publish and its plain text."""
    # 3. clean: a copy of the headline on top, generic boilerplate everywhere, then what this source is known to repeat
    cleaned = strip_boilerplate(body_html, title)
    if learned:
        cleaned = strip_learned(cleaned.html, learned)
    # 4. sanitize
    html = sanitize_html(cleaned.html, base_url=base_url)
    return html, clean_text(html_to_text(html))


def _credited_source(sources: SourceRepository, text: str, author: str | None) -> int | None:
    """The publisher a wire dateline or a republication note names, when we can identify it."""
    credit = find_credit(text, author)
    if credit is None:
        return None
    if credit.domain:
        return sources.get_or_create(credit.domain, credit.name).id
    known = sources.find_by_name(credit.name)
    return known.id if known else None


def _is_html(content_type: str) -> bool:
    kind = content_type.split(";")[0].strip().lower()
    return not kind or kind in ("text/html", "application/xhtml+xml", "text/plain", "application/xml", "text/xml")


def _decode_html(body: bytes, content_type: str) -> bytes | str:
    """The HTTP charset wins (as in browsers); without one the extractor sniffs the bytes."""
    charset = next(
        (part.split("=", 1)[1].strip(" \"'") for part in content_type.split(";") if part.strip().lower().startswith("charset=")),
        None,
    )
    if charset is None or body.startswith((b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")):
        return body
    try:
        return body.decode(charset, errors="replace")
    except LookupError:  # an unknown charset name
        return body


def _canonical_url(page_url: str, declared: str | None) -> str:
    if declared and is_http_url(declared):
        candidate = canonicalize(declared)
        # Some sites point every article's canonical link at their home page.
        if _has_path(candidate) or not _has_path(page_url):
            return candidate
    return canonicalize(page_url)


def _has_path(url: str) -> bool:
    return bool(urlsplit(url).path.strip("/"))


def _content_hash(text: str) -> str | None:
    normalized = " ".join(text.lower().split())
    if len(normalized) < MIN_HASHED_CHARS:
        return None
    return hashlib.sha256(normalized.encode()).hexdigest()
