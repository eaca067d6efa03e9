"""Every function that parses HTML with lxml runs under one process-wide lock (newsloom/libxml.py).
The sanitizer is not among them: nh3 parses with html5ever, not libxml2."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

from newsloom.extract import article, boilerplate, chunks, clean, metadata, rules, sanitize, sections
from newsloom.ingest import discovery
from newsloom.libxml import one_thread_at_a_time
from tests.support.benchdata import zyte_page, zyte_page_ids

PARSING = [
    article.extract_article, sections.drop_related_sections, rules.apply_rules, rules.compile_selector,
    metadata.read_page_metadata, clean.strip_boilerplate, chunks.add_sibling_chunks, boilerplate.block_texts,
    boilerplate.learn, boilerplate.strip_learned, sanitize.html_to_text,
    discovery.discover_feed_urls,
]  # fmt: skip


def test_every_parsing_entry_point_holds_the_lock():
    assert [f.__qualname__ for f in PARSING if getattr(f, "__wrapped__", None) is None] == []


def test_the_lock_lets_one_thread_in_and_is_reentrant():
    inside, most = [0], [0]
    guard = threading.Lock()

    @one_thread_at_a_time
    def nested() -> int:
        return 1

    @one_thread_at_a_time
    def parse() -> int:
        with guard:
            inside[0] += 1
            most[0] = max(most[0], inside[0])
        time.sleep(0.01)
        with guard:
            inside[0] -= 1
        return nested()  # another locked function from inside: no deadlock

    with ThreadPoolExecutor(4) as pool:
        assert sum(pool.map(lambda _: parse(), range(20))) == 20
    assert most[0] == 1


def test_pages_extracted_on_many_threads_come_out_as_on_one():
    pages = [zyte_page(page_id) for page_id in zyte_page_ids(12)]
    alone = [article.extract_article(page, "https://example.com/a").text for page in pages]
    with ThreadPoolExecutor(4) as pool:
        together = list(pool.map(lambda page: article.extract_article(page, "https://example.com/a").text, pages * 3))
    assert together == alone * 3
