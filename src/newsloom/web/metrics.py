"""Prometheus metrics at /metrics: this process's HTTP traffic, and the installation's state
read from the database and the queue at scrape time (so every web process reports the
workers' fetches and enrichment alike, and nothing is lost when a process restarts)."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from newsloom.store import Database
from newsloom.store.operations import OperationsRepository

LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


class StateCollector(Collector):
    def __init__(self, database: Database, queue_depth: Callable[[], int]) -> None:
        self.database, self.queue_depth = database, queue_depth

    def collect(self) -> Iterator[Metric]:
        with self.database.read() as session:
            state = OperationsRepository(session).snapshot(datetime.now(UTC))
        yield _gauge("newsloom_articles", "Articles stored.", state.articles)
        yield _gauge("newsloom_stories", "Stories (not merged into another).", state.stories)
        feeds = GaugeMetricFamily("newsloom_feeds", "Subscriptions, by health.", labels=["health"])
        feeds.add_metric(["ok"], state.feeds_ok)
        feeds.add_metric(["failing"], state.feeds_failing)
        yield feeds
        entries = GaugeMetricFamily("newsloom_feed_entries", "Feed entries by processing status.", labels=["status"])
        for status, count in sorted(state.entries_by_status.items()):
            entries.add_metric([status], count)
        yield entries
        fetches = GaugeMetricFamily("newsloom_fetches_last_hour", "Fetches in the last hour, by kind and outcome.", labels=["kind", "outcome"])
        seconds = GaugeMetricFamily("newsloom_fetch_seconds_last_hour", "Time spent fetching in the last hour.", labels=["kind", "outcome"])
        for (kind, outcome), (count, total) in sorted(state.fetches_last_hour.items()):
            fetches.add_metric([kind, outcome], count)
            seconds.add_metric([kind, outcome], total)
        yield fetches
        yield seconds
        yield _gauge("newsloom_enriched_last_hour", "Articles enriched in the last hour.", state.enriched_last_hour)
        if state.enrich_lag_seconds_last_hour is not None:
            yield _gauge("newsloom_enrich_lag_seconds", "Mean time from fetch to enrichment, last hour.", state.enrich_lag_seconds_last_hour)
        comments = GaugeMetricFamily("newsloom_comments", "Comments by status (held ones wait for a moderator).", labels=["status"])
        for status, count in sorted(state.comments_by_status.items()):
            comments.add_metric([status], count)
        yield comments
        try:
            yield _gauge("newsloom_queue_depth", "Jobs waiting in the queue.", self.queue_depth())
        except Exception:  # an unreachable queue shows as a missing series and in /healthz, not as a failed scrape
            return


def _gauge(name: str, documentation: str, value: float) -> GaugeMetricFamily:
    return GaugeMetricFamily(name, documentation, value=value)


class Metrics:
    """One registry per app (no process-wide default registry), served at /metrics."""

    def __init__(self, database: Database, queue_depth: Callable[[], int]) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter("newsloom_http_requests", "HTTP requests served by this process.",
                                ["method", "route", "status"], registry=self.registry)  # fmt: skip
        self.latency = Histogram("newsloom_http_request_seconds", "HTTP request latency in this process.", ["route"],
                                 buckets=LATENCY_BUCKETS, registry=self.registry)  # fmt: skip
        self.registry.register(StateCollector(database, queue_depth))

    def response(self, _request: Request) -> Response:
        return Response(generate_latest(self.registry), media_type=CONTENT_TYPE_LATEST)


class MetricsMiddleware:
    """Counts every response by route template (never the raw path: bounded label values)."""

    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        self.app, self.metrics = app, metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started, status = time.perf_counter(), 500

        async def record_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, record_status)
        finally:
            route = getattr(scope.get("route"), "path", None) or ("page cache" if status < 400 else "unmatched")
            self.metrics.requests.labels(scope["method"], route, str(status)).inc()
            self.metrics.latency.labels(route).observe(time.perf_counter() - started)
