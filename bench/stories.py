"""Time to assign one new article to its story, at 10k, 100k and 1M articles in the archive.

The archive grows at a steady 3,000 articles a day (so 1M articles span the past year), in
stories of three articles with synthetic unit embeddings, written straight into a migrated
SQLite database. Then `StoryService.assign` (the worker's stage 7, store reads and writes
included) places 300 new articles: half follow an active story (its direction plus noise),
half are new events. Reported: mean and p95 wall time per article, CPU time, and the ratio
to the 10k point measured in the same run (the target: the 1M point within 3x of the 10k
point and under 20 ms).

    .venv/bin/python bench/stories.py --sizes 10000 100000 1000000
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))

from newsloom.store import Database  # noqa: E402
from newsloom.store.migrate import upgrade  # noqa: E402
from newsloom.stories import StoryService  # noqa: E402

DIMENSIONS = 384
PER_DAY = 3000
PER_STORY = 3
NEW_ARTICLES = 300
WORDS = [f"word{n}" for n in range(5000)]


def build(path: Path, articles: int, rng: np.random.Generator) -> np.ndarray:
    """The archive; returns the directions of the stories still active (last 72 hours)."""
    path.unlink(missing_ok=True)
    database = Database(f"sqlite:///{path}")
    upgrade(database.engine)
    database.dispose()
    now = datetime.now(UTC).replace(tzinfo=None)
    connection = sqlite3.connect(path)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA synchronous=OFF")
    active = []
    with connection:
        connection.execute("INSERT INTO sources (id, name, domain, created_at, articles_since_learning, drop_selectors) "
                           "VALUES (1, 'Source', 'source.example', ?, 0, '[]')", (now,))  # fmt: skip
        for first in range(0, articles, 30_000):
            stories, rows = [], []
            for article_id in range(first + 1, min(first + 30_000, articles) + 1):
                at = now - timedelta(days=(articles - article_id) / PER_DAY)
                story_id = (article_id - 1) // PER_STORY + 1
                if (article_id - 1) % PER_STORY == 0:
                    direction = rng.standard_normal(DIMENSIONS).astype("<f4")
                    direction /= np.linalg.norm(direction)
                    terms = {str(w): PER_STORY for w in rng.choice(WORDS, 6)}
                    stories.append((story_id, (direction * PER_STORY).tobytes(), json.dumps(terms), PER_STORY, at, at, at, at))
                    if at >= now - timedelta(hours=72):
                        active.append(direction)
                url = f"https://source.example/{article_id}"
                rows.append((article_id, url, url, "Title", at, at, at, "en", "<p>x</p>", "x", None, 1, "ok", at, story_id))
            connection.executemany(
                "INSERT INTO stories (id, vector_sum, terms, article_count, first_at, last_at, created_at, updated_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?)", stories,
            )  # fmt: skip
            connection.executemany(
                "INSERT INTO articles (id, url, canonical_url, title, published_at, fetched_at, sort_at, language, html, text, "
                "content_hash, source_id, extraction_status, created_at, story_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                rows,
            )
    connection.execute("ANALYZE")
    connection.close()
    return np.stack(active)


def add_new_articles(path: Path, start_id: int, active: np.ndarray, rng: np.random.Generator) -> list[int]:
    now = datetime.now(UTC).replace(tzinfo=None)
    connection = sqlite3.connect(path)
    ids = list(range(start_id, start_id + NEW_ARTICLES))
    with connection:
        for n, article_id in enumerate(ids):
            if n % 2 == 0:
                base = active[rng.integers(len(active))]
                vector = base + 0.5 * rng.standard_normal(DIMENSIONS).astype("<f4") / np.sqrt(DIMENSIONS)
            else:
                vector = rng.standard_normal(DIMENSIONS).astype("<f4")
            vector = (vector / np.linalg.norm(vector)).astype("<f4")
            url = f"https://source.example/new/{article_id}"
            title = " ".join(str(w) for w in rng.choice(WORDS, 6))
            connection.execute(
                "INSERT INTO articles (id, url, canonical_url, title, published_at, fetched_at, sort_at, language, html, text, "
                "content_hash, source_id, extraction_status, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, 'en', '<p>x</p>', 'x', NULL, 1, 'ok', ?)",
                (article_id, url, url, title, now, now, now, now),
            )
            connection.execute("INSERT INTO article_embeddings (article_id, model, vector) VALUES (?, 'synthetic', ?)",
                               (article_id, vector.tobytes()))  # fmt: skip
    connection.close()
    return ids


def measure(path: Path, ids: list[int]) -> dict[str, float]:
    database = Database(f"sqlite:///{path}")
    service = StoryService(database)
    service.assign(ids[0])  # the first call loads the window's stories: reported apart
    walls, cpus, statuses = [], [], {}
    for article_id in ids[1:]:
        wall, cpu = time.perf_counter(), time.process_time()
        result = service.assign(article_id)
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
        statuses[result.status] = statuses.get(result.status, 0) + 1
    database.dispose()
    return {"mean_ms": 1000 * float(np.mean(walls)), "p95_ms": 1000 * float(np.percentile(walls, 95)),
            "cpu_ms": 1000 * float(np.mean(cpus)), "active": len(service.active.stories), **statuses}  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--dir", type=Path, default=Path("/tmp/newsloom-bench"))
    args = parser.parse_args()
    args.dir.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(7)
    results = {}
    for size in args.sizes:
        path = args.dir / f"stories-{size}.db"
        started = time.perf_counter()
        active = build(path, size, rng)
        ids = add_new_articles(path, size + 1, active, rng)
        built = time.perf_counter() - started
        results[size] = measure(path, ids)
        print(f"{size:>9,} articles (built in {built:.0f} s): {results[size]}", file=sys.stderr, flush=True)
    base = results[args.sizes[0]]["mean_ms"]
    print("| articles in the archive | active stories | mean ms per article | p95 ms | CPU ms | × first size |")
    print("| --- | --- | --- | --- | --- | --- |")
    for size, r in results.items():
        print(f"| {size:,} | {r['active']:,} | {r['mean_ms']:.2f} | {r['p95_ms']:.2f} | {r['cpu_ms']:.2f} | {r['mean_ms'] / base:.2f} |")


if __name__ == "__main__":
    main()
