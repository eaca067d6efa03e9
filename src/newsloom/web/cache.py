"""Rendered reader pages, shared by every reader for a few seconds.

A news page is read by many and changes rarely, so the second reader of an article within
`seconds` gets the first reader's HTML: no database work and no rendering. Pages are stored
without anything personal (the form token is a placeholder filled in per reader).
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable

from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send


class PageCache:
    def __init__(self, seconds: float, max_entries: int = 4096) -> None:
        self.seconds, self.max_entries = seconds, max_entries
        self._pages: OrderedDict[str, tuple[float, object]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: str) -> object | None:
        if self.seconds <= 0:
            return None
        with self._lock:
            entry = self._pages.get(key)
            if entry is None:
                return None
            if entry[0] < time.monotonic():
                del self._pages[key]
                return None
            self._pages.move_to_end(key)
            return entry[1]

    def put(self, key: str, page: object) -> None:
        if self.seconds <= 0:
            return
        with self._lock:
            self._pages[key] = (time.monotonic() + self.seconds, page)
            self._pages.move_to_end(key)
            while len(self._pages) > self.max_entries:
                self._pages.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._pages.clear()


def page_key(path: str, query: str) -> str:
    return f"{path}?{query}"


class PageCacheMiddleware:
    """Serves cached pages straight from the event loop: a hit never waits for a worker thread."""

    def __init__(self, app: ASGIApp, cache: PageCache, personalise: Callable[[Request, str], Response]) -> None:
        self.app, self.cache, self.personalise = app, cache, personalise

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] in ("GET", "HEAD") and "session" in scope:
            html = self.cache.get(page_key(scope["path"], scope["query_string"].decode("latin-1")))
            if isinstance(html, str):
                await self.personalise(Request(scope), html)(scope, receive, send)
                return
        await self.app(scope, receive, send)
