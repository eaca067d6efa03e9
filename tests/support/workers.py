"""A local publisher of many short real articles, worker processes to kill and replace, and
counts of what they stored: for the crash test."""

from __future__ import annotations

import random
import signal
import subprocess
import sys
from datetime import UTC, datetime, timedelta

from sqlalchemy import text

from newsloom.enrich.sentences import split_sentences
from newsloom.services import Services
from tests.support.benchdata import BENCHDATA
from tests.support.publisher import rss_feed
from tests.support.site import article_page


def short_articles(count: int) -> list[tuple[str, list[str]]]:
    """Distinct English news articles of six sentences, cut from PolNeAR's texts."""
    found, seen = [], set()
    for path in sorted((BENCHDATA / "quotes-polnear" / "data").glob("*/text/*.txt")):
        sentences = [s.text for s in split_sentences(path.read_text("utf-8")) if 40 <= len(s.text) <= 300]
        for start in (0, 8, 16):
            window = sentences[start : start + 6]
            if len(window) == 6 and tuple(window) not in seen:  # PolNeAR holds a few articles twice
                seen.add(tuple(window))
                found.append((f"{window[0][:70]} ({len(found)})", window))
    assert len(found) >= count, "not enough PolNeAR text"
    return found[:count]


def publish(publisher, count: int, feeds: dict[str, slice] | None = None) -> None:
    """`count` articles, and feeds listing them: by default /a.xml and /b.xml, both with all."""
    now = datetime.now(UTC)
    items = []
    for index, (title, paragraphs) in enumerate(short_articles(count)):
        path = f"/news/{index}.html"
        publisher.add(path, article_page(title, paragraphs))
        items.append({"title": title, "link": publisher.url(path), "published": now - timedelta(seconds=index)})
    for feed, part in (feeds or {"/a.xml": slice(None), "/b.xml": slice(None)}).items():
        publisher.add(feed, rss_feed(f"Feed {feed}", publisher.url("/"), items[part]), content_type="application/rss+xml")


class Fleet:
    """Worker processes that can be killed and replaced."""

    def __init__(self, env: dict, size: int) -> None:
        self.env = env
        self.workers = [self._start() for _ in range(size)]

    def _start(self) -> subprocess.Popen:
        return subprocess.Popen([sys.executable, "-m", "newsloom", "worker"], env=self.env,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip

    def kill_and_replace(self, rng: random.Random) -> None:
        index = rng.randrange(len(self.workers))
        self.workers[index].send_signal(signal.SIGKILL)
        self.workers[index].wait(30)
        self.workers[index] = self._start()

    def stop(self) -> None:
        for worker in self.workers:
            worker.send_signal(signal.SIGTERM)
        for worker in self.workers:
            try:
                worker.wait(30)
            except subprocess.TimeoutExpired:
                worker.kill()


def progress(services: Services) -> dict[str, int]:
    with services.database.read() as session:
        row = session.execute(text("""
            SELECT (SELECT COUNT(*) FROM articles),
                   (SELECT COUNT(DISTINCT canonical_url) FROM articles),
                   (SELECT COUNT(*) FROM enrichments WHERE kind = 'embedding' AND status = 'ok'),
                   (SELECT COUNT(*) FROM articles WHERE story_id IS NOT NULL),
                   (SELECT COUNT(*) FROM feed_entries WHERE status IN ('pending', 'retry')),
                   (SELECT COUNT(*) FROM feed_entries WHERE status = 'failed'),
                   (SELECT COUNT(*) FROM feed_entries)
        """)).one()  # fmt: skip
    keys = ("articles", "distinct_urls", "enriched", "in_story", "unfinished", "failed", "entries")
    return dict(zip(keys, row, strict=True))
