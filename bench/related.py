"""Vector index benchmark: usearch (what Newsloom uses) against faiss, on real article embeddings.

Embeds real news texts from ../shared/benchdata (PolNeAR's ~1,000 articles and the Zyte
benchmark's bodies, opening 256 tokens each; Google News headlines from the stories set),
then for each index reports build time, query latency (50 neighbours, as RelatedFinder
asks) and recall@10 against exact search (faiss IndexFlatIP) in the same run.

    .venv/bin/python bench/related.py
"""

from __future__ import annotations

import csv
import json
import platform
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from newsloom.enrich.embeddings import MiniLmEmbedder  # noqa: E402
from newsloom.enrich.related import CANDIDATES, UsearchIndex  # noqa: E402
from tests.support.benchdata import BENCHDATA, zyte_ground_truth  # noqa: E402

QUERIES = 500


def real_texts() -> list[str]:
    texts = [p.read_text("utf-8")[:2000] for p in sorted((BENCHDATA / "quotes-polnear" / "data").glob("*/text/*.txt"))]
    texts += [page["articleBody"][:2000] for page in zyte_ground_truth().values() if page["articleBody"].strip()]
    with (BENCHDATA / "stories-googlenews" / "dev.csv").open(newline="", encoding="utf-8") as handle:
        texts += [row.get("TITLE") or row.get("title") or "" for row in csv.DictReader(handle)]
    return [text for text in texts if text.strip()]


def timed_queries(search, queries: np.ndarray) -> tuple[list[list[int]], list[float]]:  # type: ignore[no-untyped-def]
    results, latencies = [], []
    for query in queries:
        started = time.perf_counter()
        results.append(search(query))
        latencies.append((time.perf_counter() - started) * 1000)
    return results, latencies


def main() -> None:
    import faiss

    texts = real_texts()
    started = time.process_time()
    vectors = MiniLmEmbedder().embed(texts)
    embed_seconds = time.process_time() - started
    keys = np.arange(1, len(vectors) + 1, dtype=np.uint64)
    queries = vectors[np.random.default_rng(0).choice(len(vectors), QUERIES, replace=False)]

    exact = faiss.IndexIDMap2(faiss.IndexFlatIP(vectors.shape[1]))
    started = time.perf_counter()
    exact.add_with_ids(vectors, keys.astype(np.int64))
    exact_build = time.perf_counter() - started
    truth, exact_latency = timed_queries(lambda q: exact.search(q[None, :], CANDIDATES)[1][0].tolist(), queries)

    hnsw = faiss.IndexIDMap2(faiss.IndexHNSWFlat(vectors.shape[1], 16, faiss.METRIC_INNER_PRODUCT))
    started = time.perf_counter()
    hnsw.add_with_ids(vectors, keys.astype(np.int64))
    hnsw_build = time.perf_counter() - started
    hnsw_found, hnsw_latency = timed_queries(lambda q: hnsw.search(q[None, :], CANDIDATES)[1][0].tolist(), queries)

    ours = UsearchIndex(vectors.shape[1])
    started = time.perf_counter()
    ours.upsert(keys, vectors)
    usearch_build = time.perf_counter() - started
    usearch_found, usearch_latency = timed_queries(lambda q: [key for key, _ in ours.search(q, CANDIDATES)], queries)

    def recall_at_10(found: list[list[int]]) -> float:
        return round(statistics.mean(len(set(f[:10]) & set(t[:10])) / 10 for f, t in zip(found, truth, strict=True)), 4)

    def row(build: float, latencies: list[float], found: list[list[int]]) -> dict[str, float]:
        ordered = sorted(latencies)
        return {
            "build_s": round(build, 3),
            "query_p50_ms": round(ordered[len(ordered) // 2], 3),
            "query_p95_ms": round(ordered[int(len(ordered) * 0.95)], 3),
            "recall_at_10": recall_at_10(found),
        }

    report = {
        "date": datetime.now(UTC).strftime("%Y-%m-%d"),
        "machine": f"{platform.machine()}, {platform.python_implementation()} {platform.python_version()}",
        "vectors": len(vectors),
        "embedding_cpu_s": round(embed_seconds, 1),
        "queries": QUERIES,
        "neighbours_per_query": CANDIDATES,
        "faiss_flat_exact (baseline)": row(exact_build, exact_latency, truth),
        "faiss_hnsw_m16": row(hnsw_build, hnsw_latency, hnsw_found),
        "usearch_hnsw (in use)": row(usearch_build, usearch_latency, usearch_found),
    }
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
