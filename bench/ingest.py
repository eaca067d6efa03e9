"""End-to-end ingestion benchmark: feed -> fetch -> extract -> clean -> sanitize -> store.

Serves N real news pages (../shared/benchdata/extraction-zyte) and an RSS feed
listing them from a local HTTP server, then refreshes the feed and processes
every entry the way `newsloom refresh` does. The baseline, measured in the
same run, is plain trafilatura extraction of the same pages in memory, so the
ratio says what fetching, sanitizing and storing cost on top of extraction.

    .venv/bin/python bench/ingest.py [--pages 181] [--database-url URL] [--workers 8]
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import platform
import resource
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import trafilatura  # noqa: E402

from newsloom.services import Services  # noqa: E402
from newsloom.settings import Settings  # noqa: E402
from newsloom.store.migrate import upgrade  # noqa: E402
from tests.conftest import reset_postgres  # noqa: E402
from tests.support.benchdata import zyte_page, zyte_page_ids  # noqa: E402
from tests.support.publisher import PublisherServer  # noqa: E402
from tests.support.site import publish_zyte_site  # noqa: E402


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def serve_publisher(pages: int, port_queue: multiprocessing.Queue, stop: multiprocessing.Event) -> None:
    """The publisher lives in its own process so it does not compete with Newsloom for the GIL."""
    with PublisherServer() as server:
        publish_zyte_site(server, pages)
        port_queue.put(server.url("/feed.xml"))
        stop.wait()


def run_pipeline(pages: int, database_url: str, workers: int, data_dir: Path) -> dict:
    settings = Settings(
        data_dir=data_dir, database_url=database_url, allow_private_networks=True, fetch_workers=workers,
        per_host_concurrency=workers,
    )  # fmt: skip
    services = Services(settings)
    upgrade(services.database.engine)
    port_queue: multiprocessing.Queue = multiprocessing.Queue()
    stop = multiprocessing.Event()
    publisher = multiprocessing.Process(target=serve_publisher, args=(pages, port_queue, stop), daemon=True)
    publisher.start()
    try:
        feed = services.subscriptions.add(port_queue.get(timeout=60)).feed
        started = time.perf_counter()
        refreshed = services.refresher.refresh(feed.id)
        with ThreadPoolExecutor(workers) as pool:
            outcomes = list(pool.map(services.pipeline.process_entry, refreshed.new_entry_ids))
        elapsed = time.perf_counter() - started
    finally:
        stop.set()
        publisher.join(10)
        services.close()
    statuses: dict[str, int] = {}
    for outcome in outcomes:
        statuses[outcome.status] = statuses.get(outcome.status, 0) + 1
    return {"seconds": elapsed, "articles_per_second": len(outcomes) / elapsed, "outcomes": statuses}


def run_baseline(pages: int) -> dict:
    bodies = [zyte_page(page_id) for page_id in zyte_page_ids(pages)]
    started = time.perf_counter()
    for body in bodies:
        trafilatura.bare_extraction(body, with_metadata=True, include_comments=False)
    elapsed = time.perf_counter() - started
    return {"seconds": elapsed, "pages_per_second": len(bodies) / elapsed}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pages", type=int, default=181, help="pages to ingest (at most 181)")
    parser.add_argument("--database-url", default=None, help="default: a temporary SQLite file")
    parser.add_argument("--workers", type=int, default=8, help="threads processing articles")
    args = parser.parse_args()
    pages = min(args.pages, 181)

    with tempfile.TemporaryDirectory() as tmp:
        database_url = args.database_url or f"sqlite:///{tmp}/bench.db"
        if database_url.startswith("postgresql"):
            reset_postgres(database_url)
        pipeline = run_pipeline(pages, database_url, args.workers, Path(tmp) / "data")
    pipeline_peak = peak_rss_mib()
    baseline = run_baseline(pages)
    report = {
        "date": datetime.now(UTC).strftime("%Y-%m-%d"),
        "machine": f"{platform.machine()}, {platform.python_implementation()} {platform.python_version()}",
        "backend": database_url.split(":", 1)[0],
        "pages": pages,
        "workers": args.workers,
        "pipeline": pipeline,
        "peak_rss_mib_after_pipeline": round(pipeline_peak, 1),
        "baseline_trafilatura_only": baseline,
        "pipeline_time_over_baseline": round(pipeline["seconds"] / baseline["seconds"], 2),
    }
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
