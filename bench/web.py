"""Web throughput and latency with wrk on loopback: the article page, the home page and the
search page of a 100k-article SQLite archive (bench/archive.py), beside a bare Starlette endpoint
returning a page of the same size, measured in the same run. One uvicorn process serves each.

    apt-get install wrk
    .venv/bin/python bench/web.py [--articles 100000] [--connections 50] [--seconds 15] [--no-cache]

Article pages are measured three ways:
- "hot": the 200 newest (the front pages' links, which most readers open), each requested
  once before the run as on a site that is already serving them (the in-process page cache);
- "kept": 50,000 articles drawn from the whole archive, each page rendered earlier and kept in
  the database (`newsloom pages`, timed here), so nearly every request is one the process has
  not served before;
- "never rendered": 2,000 other articles whose kept pages are removed before the run, so
  each first request renders the page (and keeps it).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import re
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench.archive import build  # noqa: E402
from bench.search import queries  # noqa: E402
from newsloom.store import ArticleRepository, Database, PageRepository  # noqa: E402
from newsloom.store.migrate import upgrade  # noqa: E402
from newsloom.web.rendering import article_path  # noqa: E402

BARE_BODY_BYTES = 20_000  # about an article page's size, so both send the same bytes
HOT_ARTICLES = 200  # what most readers open: the articles on the first pages
KEPT_SAMPLE = 50_000
NEVER_RENDERED_SAMPLE = 2_000


def serve(kind: str, port: int, archive: Path, cache_seconds: int) -> None:
    import uvicorn

    if kind == "bare":
        from starlette.applications import Starlette
        from starlette.responses import HTMLResponse
        from starlette.routing import Route

        body = "<!doctype html><p>" + "x" * BARE_BODY_BYTES + "</p>"

        async def bare(request):  # type: ignore[no-untyped-def]  # async: no worker-thread hop, the fastest baseline
            return HTMLResponse(body)

        app = Starlette(routes=[Route("/{path:path}", bare)])
    else:
        from newsloom.settings import Settings
        from newsloom.web import create_app

        settings = Settings(data_dir=archive.parent, database_url=f"sqlite:///{archive}", page_cache_seconds=cache_seconds)
        app = create_app(settings)
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)


def keep_pages(archive: Path) -> float:
    started = time.perf_counter()
    subprocess.run(
        [str(Path(sys.executable).with_name("newsloom")), "pages"], check=True,
        env={**os.environ, "NEWSLOOM_DATABASE_URL": f"sqlite:///{archive}", "NEWSLOOM_DATA_DIR": str(archive.parent)},
    )  # fmt: skip
    return round(time.perf_counter() - started)


def start(kind: str, port: int, archive: Path, cache_seconds: int) -> subprocess.Popen:
    process = subprocess.Popen(
        [sys.executable, __file__, "--serve", kind, "--port", str(port), "--archive", str(archive), "--cache", str(cache_seconds)]
    )
    for _ in range(600):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz" if kind != "bare" else f"http://127.0.0.1:{port}/", timeout=60)
            return process
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"{kind} server did not start")


def wrk(port: int, paths: list[str], connections: int, seconds: int) -> dict:
    script = tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False)
    script.write("paths = {" + ",".join(json.dumps(p) for p in paths) + "}\n"
                 "request = function() return wrk.format('GET', paths[math.random(#paths)]) end\n")  # fmt: skip
    script.close()
    output = subprocess.run(
        ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", "-s", script.name, f"http://127.0.0.1:{port}"],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    os.unlink(script.name)
    latency = dict(re.findall(r"^\s+(50|99)%\s+([\d.]+\w+)", output, re.M))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    return {
        "requests_per_second": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),
        "p50_ms": _ms(latency["50"]), "p99_ms": _ms(latency["99"]),
        "non_2xx": int(errors.group(1)) if errors else 0,
    }  # fmt: skip


def _ms(value: str) -> float:
    number, unit = re.match(r"([\d.]+)(\w+)", value).groups()
    return round(float(number) * {"us": 0.001, "ms": 1, "s": 1000}[unit], 2)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--connections", type=int, default=50)
    parser.add_argument("--seconds", type=int, default=15)
    parser.add_argument("--no-cache", action="store_true", help="Measure with the page cache off.")
    parser.add_argument("--serve", choices=["newsloom", "bare"], help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, default=8765, help=argparse.SUPPRESS)
    parser.add_argument("--archive", type=Path, default=None, help=argparse.SUPPRESS)
    parser.add_argument("--cache", type=int, default=30, help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    archive = arguments.archive or Path(f"/tmp/newsloom-bench/archive-{arguments.articles}.db")
    if arguments.serve:
        serve(arguments.serve, arguments.port, archive, arguments.cache)
        return
    build(archive, arguments.articles)
    database = Database(f"sqlite:///{archive}")
    upgrade(database.engine)  # an archive built by an earlier version
    results = {
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
        "date": datetime.now(UTC).date().isoformat(), "articles": arguments.articles,
        "connections": arguments.connections, "seconds": arguments.seconds,
    }  # fmt: skip
    results["keeping every article page (newsloom pages), seconds"] = keep_pages(archive)
    rng = random.Random(5)
    sample = rng.sample(range(1, arguments.articles + 1), KEPT_SAMPLE + NEVER_RENDERED_SAMPLE)
    with database.write() as session:
        articles = ArticleRepository(session)
        kept = articles.get_many(sample[:KEPT_SAMPLE])
        never_rendered = articles.get_many(sample[KEPT_SAMPLE:])
        PageRepository(session).drop(*never_rendered)
        hot = articles.page(HOT_ARTICLES).articles
    kept_paths = [article_path(article) for article in kept.values()]
    never_rendered_paths = [article_path(article) for article in never_rendered.values()]
    hot_paths = [article_path(article) for article in hot]
    search_paths = [f"/search?q={q.replace(' ', '+')}" for q in queries(database, 200)]
    database.dispose()

    cache = 0 if arguments.no_cache else 30
    results["page_cache_seconds"] = cache
    bare = start("bare", arguments.port + 1, archive, cache)
    try:
        results["bare Starlette endpoint"] = wrk(arguments.port + 1, ["/"], arguments.connections, arguments.seconds)
    finally:
        bare.terminate()
        bare.wait()
    server = start("newsloom", arguments.port, archive, cache)
    try:
        started = time.perf_counter()
        while json.load(urllib.request.urlopen(f"http://127.0.0.1:{arguments.port}/healthz"))["related_index_size"] < arguments.articles:
            time.sleep(1)  # the related-articles index builds in the background after start-up
        results["related index built in seconds"] = round(time.perf_counter() - started)
        pages = (
            ("article page, hot: the 200 newest", hot_paths),
            ("article page, kept: any of the archive", kept_paths),
            ("article page, never rendered", never_rendered_paths),
            ("home page", ["/"]),
            ("search page", search_paths),
        )
        for label, paths in pages:
            if paths is hot_paths:  # a running site has its hot pages cached: measure that steady state
                for path in paths:
                    urllib.request.urlopen(f"http://127.0.0.1:{arguments.port}{path}").read()
            results[label] = wrk(arguments.port, paths, arguments.connections, arguments.seconds)
            results[label]["of_bare_throughput"] = round(
                results[label]["requests_per_second"] / results["bare Starlette endpoint"]["requests_per_second"], 3
            )
    finally:
        server.terminate()
        server.wait()
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
