"""Subscribing: add a feed (with autodiscovery), import and export OPML."""

from __future__ import annotations

from dataclasses import dataclass

from newsloom.ingest.discovery import discover_feed_urls
from newsloom.ingest.feeds import ParsedFeed, parse_feed
from newsloom.ingest.fetcher import Fetcher
from newsloom.ingest.opml import Subscription, parse_opml, render_opml
from newsloom.ingest.refresh import FEED_ACCEPT
from newsloom.ingest.urls import domain_of, is_http_url
from newsloom.store import Database, FeedExistsError, FeedRepository, SourceRepository
from newsloom.store.records import Feed

MAX_DISCOVERED_CANDIDATES = 5


@dataclass(frozen=True)
class SubscribeResult:
    """`status`: added, exists or error."""

    status: str
    reason: str | None = None
    feed: Feed | None = None


@dataclass(frozen=True)
class ImportReport:
    added: int
    existing: int
    invalid: list[str]


class Subscriptions:
    def __init__(self, database: Database, fetcher: Fetcher) -> None:
        self.database = database
        self.fetcher = fetcher

    def add(self, url: str, *, check: bool = True, title: str | None = None) -> SubscribeResult:
        """Subscribe to `url`; a web page is searched for the feed it advertises."""
        url = url.strip()
        if not is_http_url(url):
            return SubscribeResult("error", f"invalid URL (need http:// or https://): {url}")
        parsed: ParsedFeed | None = None
        if check:
            found = self._find_feed(url)
            if isinstance(found, str):
                return SubscribeResult("error", found)
            url, parsed = found
        return self._store(url, title or (parsed.title if parsed else None), parsed.site_url if parsed else None)

    def import_opml(self, data: bytes) -> ImportReport:
        added = existing = 0
        invalid = []
        for sub in parse_opml(data):
            if not is_http_url(sub.url):
                invalid.append(sub.url)
                continue
            result = self._store(sub.url, sub.title, sub.site_url)
            added += result.status == "added"
            existing += result.status == "exists"
        return ImportReport(added=added, existing=existing, invalid=invalid)

    def export_opml(self) -> str:
        with self.database.read() as session:
            feeds = FeedRepository(session).list()
        return render_opml([Subscription(url=f.url, title=f.title, site_url=f.site_url) for f in feeds])

    def _find_feed(self, url: str) -> tuple[str, ParsedFeed] | str:
        fetched = self.fetcher.fetch(url, accept=FEED_ACCEPT + ", text/html;q=0.7")
        if not fetched.ok:
            return f"could not fetch {url}: {fetched.reason}"
        final_url = fetched.final_url or url
        parsed = parse_feed(fetched.body, fetched.content_type, final_url)
        if parsed.feed is not None:
            return final_url, parsed.feed
        if not parsed.is_html:
            return f"{url}: {parsed.reason}"
        candidates = discover_feed_urls(fetched.body, final_url)
        if not candidates:
            return f"{url} is a web page that advertises no feed (no <link rel=\"alternate\"> to RSS, Atom or JSON Feed)"
        problems = []
        for candidate in candidates[:MAX_DISCOVERED_CANDIDATES]:
            feed_fetch = self.fetcher.fetch(candidate, accept=FEED_ACCEPT)
            if not feed_fetch.ok:
                problems.append(f"{candidate}: {feed_fetch.reason}")
                continue
            feed_url = feed_fetch.final_url or candidate
            candidate_parse = parse_feed(feed_fetch.body, feed_fetch.content_type, feed_url)
            if candidate_parse.feed is not None:
                return feed_url, candidate_parse.feed
            problems.append(f"{candidate}: {candidate_parse.reason}")
        return "the page advertises feeds, but none could be read: " + "; ".join(problems)

    def _store(self, url: str, title: str | None, site_url: str | None) -> SubscribeResult:
        with self.database.write() as session:
            source = SourceRepository(session).get_or_create(domain_of(site_url or url), title)
            try:
                feed = FeedRepository(session).add(url, title, site_url, source.id)
            except FeedExistsError as error:
                return SubscribeResult("exists", str(error), error.feed)
        return SubscribeResult("added", None, feed)
