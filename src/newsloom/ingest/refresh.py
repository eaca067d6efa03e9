"""Refresh one feed: conditional GET, parse, record new entries, schedule the next check."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from newsloom.ingest.feeds import parse_feed
from newsloom.ingest.fetcher import Fetcher, FetchResult
from newsloom.ingest.urls import domain_of
from newsloom.settings import Settings
from newsloom.store import Database, EntryRepository, FeedRepository, FetchAttemptRepository, SourceRepository

log = logging.getLogger(__name__)

FEED_ACCEPT = (
    "application/rss+xml, application/atom+xml, application/feed+json, "
    "application/xml;q=0.9, text/xml;q=0.9, */*;q=0.8"
)


@dataclass(frozen=True)
class FeedRefreshResult:
    """`status`: updated, not_modified, error or missing."""

    feed_id: int
    status: str
    reason: str | None = None
    http_status: int | None = None
    new_entry_ids: list[int] = field(default_factory=list)
    entries_in_feed: int = 0


class FeedRefresher:
    def __init__(self, settings: Settings, database: Database, fetcher: Fetcher) -> None:
        self.settings = settings
        self.database = database
        self.fetcher = fetcher

    def refresh(self, feed_id: int) -> FeedRefreshResult:
        with self.database.read() as session:
            feed = FeedRepository(session).get(feed_id)
        if feed is None:
            return FeedRefreshResult(feed_id, "missing", f"feed {feed_id} does not exist")

        fetched = self.fetcher.fetch(feed.url, accept=FEED_ACCEPT, etag=feed.etag, last_modified=feed.last_modified)
        now = datetime.now(UTC)
        if fetched.status == "not_modified":
            with self.database.write() as session:
                FetchAttemptRepository(session).record(fetched.as_attempt("feed", feed_id))
                FeedRepository(session).record_success(
                    feed_id,
                    checked_at=now,
                    next_check_at=self._next_check(now),
                    http_status=304,
                    etag=fetched.etag or feed.etag,
                    last_modified=fetched.last_modified or feed.last_modified,
                )
            return FeedRefreshResult(feed_id, "not_modified", http_status=304)
        if not fetched.ok:
            return self._failed(feed_id, feed.error_count, fetched, fetched.reason or "download failed", now)

        try:
            parsed = parse_feed(fetched.body, fetched.content_type, fetched.final_url or feed.url)
        except Exception as error:  # a parser bug on one hostile feed must not stop the others
            log.exception("feed %s: parser crashed", feed_id)
            return self._failed(feed_id, feed.error_count, fetched, f"could not parse the feed: {error!r}", now)
        if parsed.feed is None:
            reason = parsed.reason or "not a feed"
            if parsed.is_html:
                reason += "; subscribe with `newsloom feeds add` on the page URL to discover its feed"
            return self._failed(feed_id, feed.error_count, fetched, reason, now)

        with self.database.write() as session:
            FetchAttemptRepository(session).record(fetched.as_attempt("feed", feed_id))
            source_id = feed.source_id
            if source_id is None:
                domain = domain_of(parsed.feed.site_url or feed.url)
                source_id = SourceRepository(session).get_or_create(domain, parsed.feed.title).id
            new_ids = EntryRepository(session).add_new(feed_id, parsed.feed.entries)
            FeedRepository(session).record_success(
                feed_id,
                checked_at=now,
                next_check_at=self._next_check(now),
                http_status=fetched.http_status or 200,
                etag=fetched.etag,
                last_modified=fetched.last_modified,
                title=parsed.feed.title,
                site_url=parsed.feed.site_url,
                source_id=source_id,
            )
        log.info("feed %s: %d new of %d entries", feed_id, len(new_ids), len(parsed.feed.entries))
        return FeedRefreshResult(
            feed_id, "updated", http_status=fetched.http_status, new_entry_ids=new_ids,
            entries_in_feed=len(parsed.feed.entries),
        )  # fmt: skip

    def _failed(
        self, feed_id: int, previous_errors: int, fetched: FetchResult, reason: str, now: datetime
    ) -> FeedRefreshResult:
        delay = backoff_delay(self.settings, previous_errors + 1, fetched.retry_after)
        with self.database.write() as session:
            FetchAttemptRepository(session).record(fetched.as_attempt("feed", feed_id))
            FeedRepository(session).record_failure(
                feed_id, checked_at=now, next_check_at=now + delay, http_status=fetched.http_status, error=reason
            )
        log.warning("feed %s: %s (next try in %s)", feed_id, reason, delay)
        return FeedRefreshResult(feed_id, "error", reason, http_status=fetched.http_status)

    def _next_check(self, now: datetime) -> datetime:
        return now + timedelta(minutes=self.settings.refresh_interval_minutes)


def backoff_delay(settings: Settings, error_count: int, retry_after: float | None = None) -> timedelta:
    """Exponential in the number of consecutive errors, capped; never sooner than Retry-After."""
    minutes = min(settings.refresh_interval_minutes * 2 ** max(error_count - 1, 0), settings.max_backoff_minutes)
    return max(timedelta(minutes=minutes), timedelta(seconds=retry_after or 0))
