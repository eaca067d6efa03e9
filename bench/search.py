"""Search latency at 100k articles: the repository query (FTS5 or PostgreSQL full text, ranking,
filters, snippets) and the whole /search page, on the archive from bench/archive.py.

Queries are words and word pairs drawn from the archive's own vocabulary at three frequency
bands (very common, common, rare), so some match tens of thousands of articles and some a
handful. The baseline, in the same run, is a primary-key lookup of 20 articles (the floor any
results page pays).

    .venv/bin/python bench/search.py [--articles 100000] [--queries 200]
"""

from __future__ import annotations

import argparse
import json
import platform
import random
import re
import statistics
import sys
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from fastapi.testclient import TestClient  # noqa: E402

from bench.archive import build  # noqa: E402
from newsloom.settings import Settings  # noqa: E402
from newsloom.store import ArticleRepository, Database  # noqa: E402
from newsloom.store.records import SearchFilters  # noqa: E402
from newsloom.web import create_app  # noqa: E402

STOPWORDS = set("the a an and or of to in on for with that this is was are were be been by as at from it its he she they said".split())


def queries(database: Database, count: int, seed: int = 11) -> list[str]:
    with database.read() as session:
        sample = [a.text for a in ArticleRepository(session).get_many(list(range(1, 3001, 3))).values()]
    words = Counter(w for text in sample for w in re.findall(r"[a-z]{4,}", text.lower()) if w not in STOPWORDS)
    ranked = [w for w, _ in words.most_common()]
    bands = [ranked[:100], ranked[100:1000], ranked[1000:8000]]
    rng = random.Random(seed)
    chosen = []
    for number in range(count):
        band = bands[number % 3]
        chosen.append(rng.choice(band) if number % 2 else f"{rng.choice(band)} {rng.choice(bands[min(2, number % 3 + 1)])}")
    return chosen


def timed(call, runs: list[str]) -> dict:  # type: ignore[no-untyped-def]
    latencies = []
    for query in runs:
        started = time.perf_counter()
        call(query)
        latencies.append((time.perf_counter() - started) * 1000)
    latencies.sort()
    return {
        "p50_ms": round(statistics.median(latencies), 2),
        "p95_ms": round(latencies[int(len(latencies) * 0.95) - 1], 2),
        "max_ms": round(latencies[-1], 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--archive", type=Path, default=None)
    arguments = parser.parse_args()
    path = build(arguments.archive or Path(f"/tmp/newsloom-bench/archive-{arguments.articles}.db"), arguments.articles)
    database = Database(f"sqlite:///{path}")
    runs = queries(database, arguments.queries)
    month_ago = datetime.now(UTC) - timedelta(days=30)
    cases = {
        "relevance": SearchFilters(),
        "relevance, one source": SearchFilters(source_domain="source7.example"),
        "relevance, one hashtag": SearchFilters(tag="#Trump"),
        "relevance, last 30 days": SearchFilters(since=month_ago),
    }
    results = {"machine": f"{platform.machine()}, {platform.processor() or 'cpu'}, Python {platform.python_version()}",
               "date": datetime.now(UTC).date().isoformat(), "articles": arguments.articles, "queries": len(runs)}  # fmt: skip
    with database.read() as session:
        articles = ArticleRepository(session)
        ids = list(range(1, 21))
        results["baseline: fetch 20 articles by id"] = timed(lambda _q: articles.get_many(ids), runs)
        for label, filters in cases.items():
            results[label] = timed(lambda q, f=filters: articles.search(q, f), runs)
        results["newest first"] = timed(lambda q: articles.search(q, SearchFilters(), by_date=True), runs)
        hits = [len(articles.search(q, SearchFilters(), limit=20).hits) for q in runs[:50]]
        results["queries with a full first page (of 50)"] = sum(h == 20 for h in hits)
    settings = Settings(data_dir=path.parent, database_url=f"sqlite:///{path}")
    app = create_app(settings, database)
    with TestClient(app) as client:
        app.state.related._warming.join()  # measure search alone, not beside the related index being built
        results["/search page (in process)"] = timed(lambda q: client.get("/search", params={"q": q}).raise_for_status(), runs)
    database.dispose()
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
