"""Ingestion: fetching (SSRF-guarded), feed parsing, subscriptions and refresh."""

from newsloom.ingest.fetcher import Fetcher, FetchResult
from newsloom.ingest.refresh import FeedRefresher, FeedRefreshResult
from newsloom.ingest.subscriptions import ImportReport, SubscribeResult, Subscriptions

__all__ = [
    "FeedRefreshResult",
    "FeedRefresher",
    "FetchResult",
    "Fetcher",
    "ImportReport",
    "SubscribeResult",
    "Subscriptions",
]
