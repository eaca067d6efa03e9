"""Rendered reader pages, shared by every reader for a few seconds.

A news page is read by many and changes rarely, so the second reader of an article within
`seconds` gets the first reader's HTML: no database work and no rendering. Pages are stored
without anything personal (the form token is a placeholder filled in per reader). Article
pages are also kept in the database (stored_pages.py); the middleware serves those too.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Protocol

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send


class PageCache:
    """Fresh for `seconds`; then still served while one request renders it again (so readers
    never wait on an expired page), and dropped after STALE_FACTOR times as long."""

    STALE_FACTOR = 10
    STRIPES = 64

    def __init__(self, seconds: float, max_entries: int = 4096) -> None:
        self.seconds, self.max_entries = seconds, max_entries
        self._pages: OrderedDict[str, tuple[float, object]] = OrderedDict()
        self._lock = threading.Lock()
        # One renderer per page at a time: readers arriving meanwhile wait for its result.
        self._stripes = [threading.Lock() for _ in range(self.STRIPES)]
        self._building: set[str] = set()

    def lookup(self, key: str) -> tuple[object | None, bool]:
        """The page (or None) and whether it is still fresh."""
        if self.seconds <= 0:
            return None, False
        now = time.monotonic()
        with self._lock:
            entry = self._pages.get(key)
            if entry is None:
                return None, False
            if entry[0] + self.seconds * (self.STALE_FACTOR - 1) < now:
                del self._pages[key]
                return None, False
            self._pages.move_to_end(key)
            return entry[1], entry[0] >= now

    def get(self, key: str) -> object | None:
        page, fresh = self.lookup(key)
        return page if fresh else None

    def servable(self, key: str) -> object | None:
        """A fresh page, or a stale one while someone is already rendering its successor."""
        page, fresh = self.lookup(key)
        if fresh:
            return page
        with self._lock:
            return page if key in self._building else None

    @contextmanager
    def rendering(self, key: str) -> Iterator[None]:
        with self._stripes[hash(key) % self.STRIPES]:
            with self._lock:
                self._building.add(key)
            try:
                yield
            finally:
                with self._lock:
                    self._building.discard(key)

    def put(self, key: str, page: object) -> None:
        if self.seconds <= 0:
            return
        with self._lock:
            self._pages[key] = (time.monotonic() + self.seconds, page)
            self._pages.move_to_end(key)
            while len(self._pages) > self.max_entries:
                self._pages.popitem(last=False)

    def drop(self, key: str) -> None:
        with self._lock:
            self._pages.pop(key, None)

    def clear(self) -> None:
        with self._lock:
            self._pages.clear()


def page_key(path: str, query: str) -> str:
    return f"{path}?{query}"


class KeptPages(Protocol):
    """Pages kept beyond this cache (see comments.KeptArticlePages)."""

    inline: bool  # whether `complete` may run on the event loop

    def wanted(self, scope: Scope) -> bool: ...
    def complete(self, scope: Scope) -> str | None: ...
    def fill(self, scope: Scope) -> str | None: ...


class PageCacheMiddleware:
    """Serves cached pages straight from the event loop: a hit never waits for a worker thread."""

    def __init__(
        self, app: ASGIApp, cache: PageCache, personalise: Callable[[Request, str], Response], live_mark: str,
        fill_live: Callable[[Scope, str, PageCache], str | None], kept: KeptPages | None = None,
    ) -> None:  # fmt: skip
        self.app, self.cache, self.personalise = app, cache, personalise
        self.live_mark, self.fill_live, self.kept = live_mark, fill_live, kept

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] in ("GET", "HEAD") and "session" in scope:
            html = self.cache.servable(page_key(scope["path"], scope["query_string"].decode("latin-1")))
            # A page with live parts (an article's comments) is completed here when `fill_live`
            # can do it from the cache; otherwise its route fills them from the database.
            if isinstance(html, str) and self.live_mark in html:
                html = self.fill_live(scope, html, self.cache)
            elif html is None and self.kept is not None and self.kept.wanted(scope):  # not read here lately, but kept
                html = self.kept.complete(scope) if self.kept.inline else None
                if html is None:
                    html = await run_in_threadpool(self.kept.fill, scope)
            if isinstance(html, str):
                await self.personalise(Request(scope), html)(scope, receive, send)
                return
        await self.app(scope, receive, send)
