"""Paths into ../shared/benchdata (read in place, never copied into the repository)."""

from __future__ import annotations

import gzip
import json
import os
from functools import cache
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
BENCHDATA = Path(os.environ.get("NEWSLOOM_BENCHDATA", REPO.parent / "shared" / "benchdata"))
NEWSPAPER_HTML = BENCHDATA / "articles" / "newspaper4k-tests" / "tests" / "data" / "html"
ZYTE = BENCHDATA / "extraction-zyte"
FEEDPARSER_TESTS = BENCHDATA / "feeds" / "feedparser-tests" / "tests"
FEEDJIRA_FEEDS = BENCHDATA / "feeds" / "feedjira-sample-feeds" / "spec" / "sample_feeds"
RSS_PARSER_FEEDS = BENCHDATA / "feeds" / "rss-parser-tests" / "test" / "input"
DEFUSEDXML_DATA = BENCHDATA / "security" / "defusedxml-xmltestdata" / "xmltestdata"
XXE_FILES = BENCHDATA / "security" / "payloadsallthethings" / "XXE Injection" / "Files"
SEED = REPO.parent / "shared" / "seed" / "000_ee48700b1c29a763.txt"


@cache
def zyte_ground_truth() -> dict[str, dict]:
    return json.loads((ZYTE / "ground-truth.json").read_text())


def zyte_page(page_id: str) -> bytes:
    return gzip.decompress((ZYTE / "html" / f"{page_id}.html.gz").read_bytes())


def zyte_page_ids(limit: int | None = None) -> list[str]:
    ids = sorted(zyte_ground_truth())
    return ids[:limit] if limit else ids
