"""Scale-out figures on PostgreSQL + pgvector + Redis.

    .venv/bin/python bench/scale.py corpus  [--articles 1000000]   # build the archive once (reused)
    .venv/bin/python bench/scale.py queries                        # search and related p95 on it
    .venv/bin/python bench/scale.py page    [--connections 50]     # article page p99 under wrk (apt-get install wrk)
    .venv/bin/python bench/scale.py workers [--articles 400]       # ingest + enrich throughput, 1/2/4 workers, 3 rounds

The archive goes into its own database (`newsloom_scale`, created on the local server), never
into the tests' `test` database. Articles are windows of real news sentences (bench/archive.py);
their embeddings are real MiniLM embeddings of 3,000 real documents, each article's moved a
little at random around its document's, so that the vectors cluster as coverage of stories
does (uniform random vectors would make HNSW look worse, and related articles meaningless).

Each figure comes with a baseline measured in the same run (a primary-key lookup for queries,
an exact scan for HNSW's recall and speed, a bare endpoint for pages, one worker for workers),
because these machines are noisy.
"""

from __future__ import annotations

import argparse
import io
import json
import platform
import random
import struct
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from html import escape
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench.archive import SOURCES, real_documents  # noqa: E402
from bench.search import queries as search_queries  # noqa: E402
from bench.search import timed  # noqa: E402

SERVER = "postgresql://postgres@127.0.0.1:5432"
DIMENSIONS = 384
BASE_DOCUMENTS = 3000
SPREAD = 0.03  # per-dimension noise around a document's vector: cosine ~0.93 to it
SLICE = 20_000


def database_url(name: str) -> str:
    return f"{SERVER}/{name}"


def recreate_database(name: str) -> None:
    import psycopg

    with psycopg.connect(database_url("postgres"), autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')


# --- the 1M archive ------------------------------------------------------------


def vector_copy(rows: list[tuple[int, np.ndarray]]) -> bytes:
    """PostgreSQL's binary COPY stream of (int4, vector) rows: pgvector's binary form is
    int16 dimensions, int16 unused, then big-endian float4s."""
    out = io.BytesIO()
    out.write(b"PGCOPY\n\xff\r\n\x00" + struct.pack(">ii", 0, 0))
    for article_id, vector in rows:
        out.write(struct.pack(">hii", 2, 4, article_id))
        out.write(struct.pack(">ihh", 4 + 4 * DIMENSIONS, DIMENSIONS, 0))
        out.write(vector.astype(">f4").tobytes())
    out.write(struct.pack(">h", -1))
    return out.getvalue()


def build_corpus(name: str, articles: int, seed: int = 7) -> None:
    import psycopg

    from newsloom.enrich.embeddings import MiniLmEmbedder
    from newsloom.store import Database
    from newsloom.store.migrate import upgrade

    url = database_url(name)
    try:
        with psycopg.connect(url) as connection:
            have = connection.execute("SELECT count(*) FROM article_vectors").fetchone()[0]
        if have >= articles:
            print(f"reusing {name}: {have:,} articles", file=sys.stderr)
            return
    except psycopg.Error:
        pass
    recreate_database(name)
    database = Database(url)
    upgrade(database.engine)
    database.dispose()
    started = time.perf_counter()
    rng = random.Random(seed)
    noise = np.random.default_rng(seed)
    documents = real_documents()
    base_ids = rng.sample(range(len(documents)), min(BASE_DOCUMENTS, len(documents)))
    base = MiniLmEmbedder(threads=2).embed([" ".join(documents[i][:10]) for i in base_ids])
    print(f"embedded {len(base_ids)} real documents in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    now = datetime.now(UTC).replace(tzinfo=None)
    with psycopg.connect(url) as connection:
        # Indexes are built once after the load: much faster than growing them row by row.
        connection.execute("DROP INDEX ix_articles_search_vector, ix_article_vectors_hnsw")
        connection.execute(
            "INSERT INTO sources (id, name, domain, created_at, articles_since_learning, drop_selectors) "
            "SELECT n, 'Source ' || n, 'source' || n || '.example', now(), 0, '[]' FROM generate_series(1, %s) AS n",
            (SOURCES,),
        )
        for first in range(1, articles + 1, SLICE):
            last = min(first + SLICE, articles + 1)
            vectors = []
            with connection.cursor() as cursor:
                with cursor.copy("COPY articles (id, url, canonical_url, title, published_at, fetched_at, sort_at, language, "
                                 "html, text, content_hash, source_id, extraction_status, created_at) FROM STDIN") as copy:  # fmt: skip
                    for article_id in range(first, last):
                        pick = rng.randrange(len(base_ids))
                        document = documents[base_ids[pick]]
                        start = rng.randrange(0, max(1, len(document) - 8))
                        body = document[start : start + rng.randint(8, 24)]
                        title = " ".join(rng.choice(document).split()[:14]).rstrip(",.;:")
                        paragraphs = [" ".join(body[i : i + 3]) for i in range(0, len(body), 3)]
                        published = now - timedelta(minutes=rng.randrange(0, 365 * 24 * 60))
                        source = article_id % SOURCES + 1
                        url_ = f"https://source{source}.example/news/{article_id}"
                        copy.write_row((article_id, url_, url_, title, published, published, published, "en",
                                        "".join(f"<p>{escape(p)}</p>" for p in paragraphs), "\n".join(paragraphs),
                                        f"{article_id:064x}", source, "ok", published))  # fmt: skip
                        moved = base[pick] + noise.normal(0, SPREAD, DIMENSIONS).astype(np.float32)
                        vectors.append((article_id, moved / np.linalg.norm(moved)))
                with cursor.copy("COPY article_embeddings (article_id, model, vector) FROM STDIN") as copy:
                    for article_id, vector in vectors:
                        copy.write_row((article_id, "synthetic", vector.astype("<f4").tobytes()))
                with cursor.copy("COPY article_vectors (article_id, embedding) FROM STDIN (FORMAT BINARY)") as copy:
                    copy.write(vector_copy(vectors))
            connection.commit()
            print(f"\r{last - 1:,} articles, {time.perf_counter() - started:.0f} s", end="", file=sys.stderr, flush=True)
        connection.execute("SELECT setval('articles_id_seq', %s)", (articles,))
        connection.commit()
        connection.autocommit = True
        connection.execute("SET maintenance_work_mem = '6GB'")
        connection.execute("SET max_parallel_maintenance_workers = 2")
        for label, statement in (
            ("GIN full-text index", "CREATE INDEX ix_articles_search_vector ON articles USING gin (search_vector)"),
            ("HNSW vector index", "CREATE INDEX ix_article_vectors_hnsw ON article_vectors USING hnsw (embedding vector_cosine_ops)"),
        ):
            began = time.perf_counter()
            connection.execute(statement)
            print(f"\n{label} built in {time.perf_counter() - began:.0f} s", file=sys.stderr)
        connection.execute("VACUUM ANALYZE")
    print(f"built {articles:,} articles in {time.perf_counter() - started:.0f} s", file=sys.stderr)


# --- queries on it --------------------------------------------------------------


def measure_queries(name: str, runs: int) -> dict:
    from sqlalchemy import text

    from newsloom.enrich.related import RelatedFinder
    from newsloom.store import ArticleRepository, Database
    from newsloom.store.articles import SearchFilters

    database = Database(database_url(name))
    with database.read() as session:
        count = session.execute(text("SELECT count(*) FROM articles")).scalar_one()
    rng = random.Random(3)
    ids = [rng.randrange(1, count + 1) for _ in range(runs)]
    words = search_queries(database, runs)

    def lookup(article_id: int) -> None:
        with database.read() as session:
            ArticleRepository(session).get(article_id)

    def search(query: str) -> None:
        with database.read() as session:
            ArticleRepository(session).search(query, SearchFilters(), limit=20)

    finder = RelatedFinder(database, backend="pgvector")
    for article_id in ids[:20]:  # warm the caches a reader's first requests would
        finder.related(article_id)
    figures = {
        "articles": count,
        "baseline_primary_key_lookup": timed(lookup, ids),
        "search": timed(search, words),
        "related": timed(finder.related, ids),
    }
    figures["exact_scan_and_recall"] = _recall(database, ids[: max(10, runs // 5)])
    for key in ("search", "related"):
        figures[key]["p95_vs_lookup"] = round(figures[key]["p95_ms"] / figures["baseline_primary_key_lookup"]["p95_ms"], 1)
    database.dispose()
    return figures


def _recall(database, ids: list[int]) -> dict:  # type: ignore[no-untyped-def]
    """HNSW's top 10 against an exact scan (index off) of the same query vectors."""
    from sqlalchemy import text

    from newsloom.store.vectors import VectorRepository

    found, exact_ms, hnsw_ms = 0, [], []
    for article_id in ids:
        with database.read() as session:
            vector = np.frombuffer(
                session.execute(text("SELECT vector FROM article_embeddings WHERE article_id = :id"), {"id": article_id}).scalar_one(),
                dtype="<f4",
            )  # fmt: skip
            began = time.perf_counter()
            approximate = {key for key, _ in VectorRepository(session).nearest_articles(vector, 10)}
            hnsw_ms.append((time.perf_counter() - began) * 1000)
        with database.read() as session:
            session.execute(text("SET LOCAL enable_indexscan = off"))
            began = time.perf_counter()
            exact = {key for key, _ in VectorRepository(session).nearest_articles(vector, 10)}
            exact_ms.append((time.perf_counter() - began) * 1000)
        found += len(approximate & exact)
    return {
        "queries": len(ids), "recall_at_10": round(found / (10 * len(ids)), 3),
        "hnsw_median_ms": round(float(np.median(hnsw_ms)), 2), "exact_scan_median_ms": round(float(np.median(exact_ms)), 1),
    }  # fmt: skip


# --- the article page under load ------------------------------------------------


def measure_page(name: str, connections: int, seconds: int) -> dict:
    from bench.comments import serve
    from bench.web import start, wrk
    from newsloom.store import ArticleRepository, Database
    from newsloom.web.rendering import article_path

    count = _count(name)
    rng = random.Random(5)
    database = Database(database_url(name))
    with database.read() as session:  # spread over the whole archive: cold; with the slug, as linked (no redirect)
        articles = ArticleRepository(session).get_many([rng.randrange(1, count + 1) for _ in range(5000)])
    database.dispose()
    paths = [article_path(article) for article in articles.values()]
    figures = {"articles": count, "connections": connections, "seconds": seconds}
    bare = start("bare", 8791, Path("/dev/null"), 0)
    try:
        wrk(8791, ["/"], connections, 3)
        figures["bare"] = wrk(8791, ["/"], connections, seconds)
    finally:
        bare.terminate()
        bare.wait()
    data_dir = tempfile.mkdtemp(prefix="newsloom-scale-page-")
    server = serve(database_url(name), 8792, data_dir)  # the page cache at its default, 30 s
    try:
        wrk(8792, paths[:500], connections, 5)  # start-up work (templates, pools) out of the way
        figures["article_cold"] = wrk(8792, paths, connections, seconds)
    finally:
        server.terminate()
        server.wait()
    figures["article_p99_vs_bare"] = round(figures["article_cold"]["p99_ms"] / figures["bare"]["p99_ms"], 1)
    return figures


def _count(name: str) -> int:
    import psycopg

    with psycopg.connect(database_url(name)) as connection:
        return connection.execute("SELECT count(*) FROM articles").fetchone()[0]


# --- worker throughput ----------------------------------------------------------


WARM_UP_PER_WORKER = 10


def measure_workers(counts: list[int], articles: int, repeats: int) -> dict:
    """End to end (refresh, fetch, extract, store, enrich, place in a story) after a warm-up
    feed has loaded the workers' models: articles over the seconds from the refresh to the last
    one placed. The counts take turns, `repeats` rounds, and each reports its median round."""
    import os

    import redis

    from newsloom.jobs import JobQueue
    from newsloom.services import Services
    from newsloom.settings import Settings
    from newsloom.store import Database
    from newsloom.store.migrate import upgrade
    from tests.support.publisher import PublisherServer
    from tests.support.workers import Fleet, publish

    queue_url = "redis://127.0.0.1:6379/14"
    figures: dict = {"articles": articles, "rounds": repeats, "runs": {}}
    rounds: dict[int, list[dict]] = {workers: [] for workers in counts}
    warm_up = WARM_UP_PER_WORKER * max(counts)
    with PublisherServer() as publisher:
        # /warm.xml loads every worker's models; /main.xml holds the measured articles.
        publish(publisher, warm_up + articles, {"/warm.xml": slice(0, warm_up), "/main.xml": slice(warm_up, None)})
        for workers in counts * repeats:
            recreate_database("newsloom_workers")
            redis.Redis.from_url(queue_url).flushdb()
            url = database_url("newsloom_workers")
            database = Database(url)
            upgrade(database.engine)
            database.dispose()
            data_dir = Path(f"/tmp/newsloom-scale-{workers}")
            settings = Settings(data_dir=data_dir, database_url=url, queue_url=queue_url, allow_private_networks=True)
            services = Services(settings)
            queue = JobQueue(services)
            env = {**os.environ, "NEWSLOOM_DATABASE_URL": url, "NEWSLOOM_QUEUE_URL": queue_url, "NEWSLOOM_DATA_DIR": str(data_dir),
                   "NEWSLOOM_ALLOW_PRIVATE_NETWORKS": "true"}  # fmt: skip
            fleet = Fleet(env, workers)
            try:
                queue.enqueue_refresh(services.subscriptions.add(publisher.url("/warm.xml"), check=False).feed.id)
                _wait_until_placed(services, warm_up)
                began, cpu_before = time.monotonic(), _cpu_seconds(fleet)
                queue.enqueue_refresh(services.subscriptions.add(publisher.url("/main.xml"), check=False).feed.id)
                _wait_until_placed(services, warm_up + articles)
                seconds, cpu = time.monotonic() - began, _cpu_seconds(fleet) - cpu_before
            finally:
                fleet.stop()
                services.close()
            rounds[workers].append({
                "seconds": round(seconds, 1), "articles_per_second": round(articles / seconds, 2),
                "worker_cpu_ms_per_article": round(cpu / articles * 1000), "worker_cores_busy": round(cpu / seconds, 2),
            })  # fmt: skip
            print(f"{workers} worker(s): {rounds[workers][-1]}", file=sys.stderr)
    for workers, runs in rounds.items():
        median = sorted(runs, key=lambda run: run["articles_per_second"])[len(runs) // 2]
        figures["runs"][workers] = {**median, "all_articles_per_second": [run["articles_per_second"] for run in runs]}
    one = figures["runs"][counts[0]]["articles_per_second"]
    for workers, run in figures["runs"].items():
        run["speed_up"] = round(run["articles_per_second"] / one, 2)
        run["efficiency"] = round(run["speed_up"] / (workers / counts[0]), 2)
    return figures


def _cpu_seconds(fleet) -> float:  # type: ignore[no-untyped-def]
    import psutil

    return sum(sum(psutil.Process(worker.pid).cpu_times()[:2]) for worker in fleet.workers)


def _wait_until_placed(services, count: int) -> None:  # type: ignore[no-untyped-def]
    from tests.support.workers import progress

    began = time.monotonic()
    while progress(services)["in_story"] < count:
        if time.monotonic() - began > 1800:
            raise RuntimeError(f"only {progress(services)['in_story']} of {count} articles placed in 30 minutes")
        time.sleep(0.25)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("what", choices=["corpus", "queries", "page", "workers"])
    parser.add_argument("--articles", type=int, help="corpus: archive size (1,000,000); workers: articles per run (400)")
    parser.add_argument("--database", default="newsloom_scale", help="database name on the local server")
    parser.add_argument("--runs", type=int, default=200, help="queries: queries of each kind")
    parser.add_argument("--connections", type=int, default=50)
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2, 4])
    parser.add_argument("--repeats", type=int, default=3, help="workers: rounds of each worker count")
    arguments = parser.parse_args()
    machine = {"machine": f"{platform.machine()} {platform.processor() or ''}".strip(), "cpus": len(__import__("os").sched_getaffinity(0)),
               "python": platform.python_version(), "date": datetime.now(UTC).date().isoformat()}  # fmt: skip
    if arguments.what == "corpus":
        build_corpus(arguments.database, arguments.articles or 1_000_000)
        return
    if arguments.what == "queries":
        result = measure_queries(arguments.database, arguments.runs)
    elif arguments.what == "page":
        result = measure_page(arguments.database, arguments.connections, arguments.seconds)
    else:
        result = measure_workers(arguments.workers, arguments.articles or 400, arguments.repeats)
    print(json.dumps({"benchmark": f"scale {arguments.what}", **machine, **result}, indent=2))


if __name__ == "__main__":
    main()
