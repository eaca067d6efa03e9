"""A large synthetic archive for the web and search benchmarks, built from real news text.

Articles are windows of sentences from real articles in ../shared/benchdata (PolNeAR's ~1,000
and the Zyte benchmark's bodies), so word frequencies, snippets and ranking behave as on real
news; sources, dates, hashtags and (random, unit-length) embeddings are spread over them.
Written straight into a migrated SQLite database (the FTS triggers index it as usual) and
reused while its file exists.

    .venv/bin/python bench/archive.py --articles 100000 --out /tmp/newsloom-bench/newsloom.db
"""

from __future__ import annotations

import argparse
import random
import re
import sqlite3
import sys
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from html import escape
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from newsloom.enrich.sentences import split_sentences  # noqa: E402
from newsloom.store import Database  # noqa: E402
from newsloom.store.migrate import upgrade  # noqa: E402
from tests.support.benchdata import BENCHDATA, zyte_ground_truth  # noqa: E402

SOURCES = 60
TAGS = 300
DIMENSIONS = 384


def real_documents() -> list[list[str]]:
    texts = [p.read_text("utf-8") for p in sorted((BENCHDATA / "quotes-polnear" / "data").glob("*/text/*.txt"))]
    texts += [page["articleBody"] for page in zyte_ground_truth().values()]
    documents = [[s.text for s in split_sentences(text) if 30 <= len(s.text) <= 400] for text in texts]
    return [sentences for sentences in documents if len(sentences) >= 8]


def build(path: Path, articles: int, seed: int = 7) -> Path:
    if path.exists():
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    database = Database(f"sqlite:///{path}")
    upgrade(database.engine)
    database.dispose()
    rng = random.Random(seed)
    vectors = np.random.default_rng(seed)
    documents = real_documents()
    capitalised = Counter(w for doc in documents for s in doc for w in re.findall(r"\b[A-Z][a-z]{3,}\b", s))
    tags = [word for word, _ in capitalised.most_common(TAGS)]
    now = datetime.now(UTC).replace(tzinfo=None)
    started = time.perf_counter()
    connection = sqlite3.connect(path)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA synchronous=OFF")
    with connection:
        connection.executemany(
            "INSERT INTO sources (id, name, domain, created_at, articles_since_learning, drop_selectors) VALUES (?, ?, ?, ?, 0, '[]')",
            [(n + 1, f"Source {n + 1}", f"source{n + 1}.example", now) for n in range(SOURCES)],
        )
        for first in range(0, articles, 5000):
            rows, tag_rows, embedding_rows = [], [], []
            for article_id in range(first + 1, min(first + 5000, articles) + 1):
                document = rng.choice(documents)
                start = rng.randrange(0, max(1, len(document) - 8))
                body = document[start : start + rng.randint(8, 24)]
                title = " ".join(rng.choice(document).split()[:14]).rstrip(",.;:")
                html = "".join(f"<p>{escape(' '.join(body[i : i + 3]))}</p>" for i in range(0, len(body), 3))
                text = "\n".join(" ".join(body[i : i + 3]) for i in range(0, len(body), 3))
                published = now - timedelta(minutes=rng.randrange(0, 365 * 24 * 60))
                url = f"https://source{article_id % SOURCES + 1}.example/news/{article_id}"
                rows.append((article_id, url, url, title, published, published, published, "en", html, text,
                             f"{article_id:064x}", article_id % SOURCES + 1, "ok", published))  # fmt: skip
                present = [tag for tag in tags if tag in text][:3]
                tag_rows += [(article_id, f"#{tag}", rank) for rank, tag in enumerate(present)]
                vector = vectors.standard_normal(DIMENSIONS).astype("<f4")
                embedding_rows.append((article_id, "synthetic", (vector / np.linalg.norm(vector)).astype("<f4").tobytes()))
            connection.executemany(
                "INSERT INTO articles (id, url, canonical_url, title, published_at, fetched_at, sort_at, language, html, text, "
                "content_hash, source_id, extraction_status, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                rows,
            )
            connection.executemany("INSERT INTO article_hashtags (article_id, tag, rank) VALUES (?, ?, ?)", tag_rows)
            connection.executemany("INSERT INTO article_embeddings (article_id, model, vector) VALUES (?, ?, ?)", embedding_rows)
            print(f"\r{min(first + 5000, articles):,} articles", end="", file=sys.stderr, flush=True)
    connection.execute("ANALYZE")
    connection.close()
    print(f"\rbuilt {articles:,} articles in {time.perf_counter() - started:.0f} s: {path}", file=sys.stderr)
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--out", type=Path, default=Path("/tmp/newsloom-bench/newsloom.db"))
    arguments = parser.parse_args()
    build(arguments.out, arguments.articles)


if __name__ == "__main__":
    main()
