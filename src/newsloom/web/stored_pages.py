"""Article pages kept in the database: the page cache's second level.

The page cache (cache.py) holds what readers opened in the last few seconds, in one process.
An archive is read the other way: many articles, each rarely, so most requests would render
a page (the article, its enrichment, a vector search for related articles: ~5 ms of CPU)
that nobody else reads for hours. The shared rendering of each article page is therefore
kept in `article_pages` and served by one lookup, in every web process.

When a kept page is out of date:
- What the page shows of its own article (body, enrichment, copies, story) changes through
  repository writes that drop the kept page in the same transaction (store/pages.py).
- What it shows of other articles (related coverage, previous and next) drifts as articles
  arrive. A kept page is fresh for a tenth of its article's age when rendered (the heuristic
  HTTP caches use for documents without an expiry, RFC 9111 §4.2.2), between a minute and
  `stored_page_max_seconds`; past that it is still served, while a background thread renders
  its successor, so no reader waits for it.
- Relative times ("22 minutes ago") are brought up to date each time a kept page is loaded.
- The discussion signed-out readers see is kept beside the page and cleared by every comment
  write; signed-in readers get theirs rendered live, as on every shared page.
- A page rendered by another version of the code or templates is never served.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import queue
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from newsloom import __version__
from newsloom.store import Database, PageRepository, read_kept_page
from newsloom.store.records import Article
from newsloom.web.rendering import TEMPLATES, article_path, current_times

MIN_FRESH = timedelta(minutes=1)
AGE_FRACTION = 0.1
BACKLOG = 1000
PACKAGE = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class KeptPage:
    html: str  # the shared page, its comments still a placeholder
    discussion: str | None  # the comments as signed-out readers see them, when kept
    discussion_version: int


@dataclass(frozen=True)
class RenderedPage:
    article: Article
    html: str
    quiet_discussion: str | None  # the comments section of an article nobody commented on yet


# Renders one article's shared page, or None when it has no page of its own (gone, or a copy
# that redirects to its original).
PageRender = Callable[[int], RenderedPage | None]


@functools.cache
def rendering_version() -> str:
    """A fingerprint of what renders pages: the package's code and templates."""
    digest = hashlib.sha256(__version__.encode())
    for path in sorted([*PACKAGE.rglob("*.py"), *TEMPLATES.rglob("*.html")]):
        digest.update(path.relative_to(PACKAGE).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]


def fresh_until(published: datetime, rendered_at: datetime, longest: timedelta) -> datetime:
    age = max(rendered_at - published, timedelta(0))
    return rendered_at + min(max(age * AGE_FRACTION, MIN_FRESH), longest)


class StoredPages:
    def __init__(self, database: Database, longest_fresh_seconds: int, ready: Callable[[], bool]) -> None:
        """`ready` says whether pages rendered now are complete enough to keep (related articles
        are not while the index is still being built)."""
        self.database, self.ready = database, ready
        self.enabled = longest_fresh_seconds > 0
        self.longest = timedelta(seconds=longest_fresh_seconds)
        self.version = rendering_version()
        self._render: PageRender | None = None
        self._backlog: queue.Queue[tuple[tuple[str, int], Callable[[], object]]] = queue.Queue(BACKLOG)
        self._queued: set[tuple[str, int]] = set()
        self._lock = threading.Lock()
        self._worker: threading.Thread | None = None

    def set_renderer(self, render: PageRender) -> None:
        self._render = render

    def load(self, article_id: int, path: str) -> KeptPage | None:
        """The kept page for this path, with its times brought up to date; an out-of-date one
        is still returned, and its successor rendered in the background."""
        if not self.enabled:
            return None
        page = read_kept_page(self.database, article_id)
        if page is None or page.path != path or page.version != self.version:
            return None
        now = datetime.now(UTC)
        if page.fresh_until <= now:
            self._later(("page", article_id), lambda: self.render(article_id))
        discussion = current_times(page.discussion, now) if page.discussion is not None else None
        return KeptPage(current_times(page.html, now), discussion, page.discussion_version)

    def keep_discussion_later(self, article_id: int, html: str, seen_version: int) -> None:
        """Keeps the signed-out discussion rendered after the kept page (and its discussion
        version) was read; a comment written meanwhile makes this a no-op."""

        def keep() -> None:
            with self.database.write() as session:
                PageRepository(session).keep_discussion(article_id, html, seen_version)

        self._later(("discussion", article_id), keep)

    def keep_later(self, article: Article, path: str, html: str, rendered_at: datetime) -> None:
        """Keeps a page just rendered for a reader, from the background thread: on SQLite a
        write may wait for a worker's transaction, and no reader should wait with it."""
        if self.enabled and self.ready():
            self._later(("page", article.id), lambda: self.save(article, path, html, rendered_at))

    def save(self, article: Article, path: str, html: str, rendered_at: datetime, quiet_discussion: str | None = None) -> bool:
        """`rendered_at` is when rendering began: a page is not kept if the article's enrichment
        changed after that (the change's drop would have come before the page it missed)."""
        if not self.enabled or not self.ready():
            return False
        try:
            with self.database.write() as session:
                kept = PageRepository(session).put(
                    article.id, path, self.version, html, rendered_at,
                    fresh_until(article.published_at or article.sort_at, rendered_at, self.longest), quiet_discussion,
                )  # fmt: skip
        except Exception:  # a page not kept is rendered again next time; the reader still gets it
            logging.getLogger(__name__).warning("could not keep the page of article %s", article.id, exc_info=True)
            return False
        return kept

    def render(self, article_id: int) -> bool:
        """Renders and keeps one article's page now; False when it has none or it was not kept."""
        if self._render is None:
            raise RuntimeError("StoredPages.set_renderer was not called")
        started = datetime.now(UTC)
        rendered = self._render(article_id)
        if rendered is None:
            return False
        article = rendered.article
        return self.save(article, article_path(article), rendered.html, started, rendered.quiet_discussion)

    def _later(self, key: tuple[str, int], work: Callable[[], object]) -> None:
        with self._lock:
            if key in self._queued:
                return
            try:
                self._backlog.put_nowait((key, work))
            except queue.Full:  # the next reader of this page asks again
                return
            self._queued.add(key)
            if self._worker is None:
                self._worker = threading.Thread(target=self._work_forever, name="stored-pages", daemon=True)
                self._worker.start()

    def _work_forever(self) -> None:
        while True:
            key, work = self._backlog.get()
            try:
                work()
            except Exception:
                logging.getLogger(__name__).warning("keeping the %s of article %s failed", *key, exc_info=True)
            finally:
                with self._lock:
                    self._queued.discard(key)
                self._backlog.task_done()

    def wait(self) -> None:
        """Until every page queued for keeping or refreshing is done (for tests)."""
        self._backlog.join()
