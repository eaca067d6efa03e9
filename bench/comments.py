"""Comments under load on loopback: concurrent readers who read article pages and post comments,
half through the web form (session + CSRF + nonce) and half through the API (Bearer token).

    .venv/bin/python bench/comments.py [--clients 200] [--seconds 60] [--database-url postgresql://...]

One `newsloom serve --no-worker` process serves a fresh database (SQLite in a temporary folder unless
--database-url is given; that database is emptied first). Every client signs in before the
clock starts, then loops: read an article page, and every few pages post a comment; one post
in ten is sent twice at once, as a double click or a retry would. Afterwards the database is
counted: each accepted comment must be stored exactly once, and no response may be a 5xx.
The rate limits are raised for the run (all clients share one address), and reported.

Baseline, same run, same clients: a static file from the same server for --baseline-seconds,
the ceiling of this client harness and the framework on this machine. The clients share
the machine's cores with the server, so the server's own CPU time per request is reported too.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import random
import re
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import httpx  # noqa: E402
from sqlalchemy import create_engine, text  # noqa: E402

from newsloom.accounts import Accounts  # noqa: E402
from newsloom.store import Database  # noqa: E402
from newsloom.store.db import normalize_url  # noqa: E402
from newsloom.store.migrate import upgrade  # noqa: E402
from tests.support.comments import PASSWORD, store_article  # noqa: E402

ARTICLES = 20
# uvicorn closes a connection idle for 5 s; a client that reuses one just as it closes gets a
# dropped request, so clients let idle connections go a little sooner (as browsers do).
CLIENT_LIMITS = httpx.Limits(keepalive_expiry=4.0)
POST_EVERY = 4  # pages read between two posts, on average
LIMITS = {
    "NEWSLOOM_COMMENTS_PER_MINUTE": "30",
    "NEWSLOOM_COMMENTS_PER_HOUR": "1000",
    "NEWSLOOM_COMMENTS_PER_MINUTE_PER_ADDRESS": "1000000",
    "NEWSLOOM_LOGIN_MAX_FAILURES": "1000",
}
NONCE = re.compile(r'name="nonce" value="([^"]+)"')
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def prepare(url: str, clients: int) -> tuple[list[int], list[str]]:
    """A fresh database with articles, and one account per client (API clients get a token)."""
    if url.startswith("postgresql"):
        engine = create_engine(normalize_url(url))
        with engine.begin() as connection:
            connection.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
        engine.dispose()
    database = Database(url)
    upgrade(database.engine)
    articles = [store_article(database, f"Story number {n} about the council budget") for n in range(ARTICLES)]
    accounts = Accounts(database)
    tokens = []
    for number in range(clients):
        user = accounts.sign_up(f"load{number}", PASSWORD)
        tokens.append(accounts.create_token(user.id, "load") if number % 2 else "")
    database.dispose()
    return articles, tokens


class Tally:
    def __init__(self) -> None:
        self.statuses: Counter[int] = Counter()
        self.page_ms: list[float] = []
        self.post_ms: list[float] = []
        self.accepted: dict[str, int] = {}  # nonce -> comment id, from the responses
        self.errors: list[str] = []
        self.transport_errors = 0  # connections dropped without an answer (retried for posts)


async def client(number: int, token: str, base: str, articles: list[int], deadline: float, tally: Tally) -> None:
    rng = random.Random(number)
    async with httpx.AsyncClient(base_url=base, timeout=60, follow_redirects=False, limits=CLIENT_LIMITS) as http:
        if not token:
            page = await http.get("/login")
            login = {"username": f"load{number}", "password": PASSWORD, "csrf_token": CSRF.search(page.text).group(1)}
            if (await http.post("/login", data=login)).status_code != 303:
                tally.errors.append(f"client {number} could not sign in")
                return
        sent, paths = 0, {}
        while time.monotonic() < deadline:
            article = rng.choice(articles)
            if article not in paths:  # readers follow links with the slug: no redirect in the measured loop
                paths[article] = (await http.get(f"/article/{article}")).headers["location"]
            started = time.perf_counter()
            try:
                page = await http.get(paths[article])
            except httpx.TransportError:
                tally.transport_errors += 1
                continue
            tally.page_ms.append((time.perf_counter() - started) * 1000)
            tally.statuses[page.status_code] += 1
            if rng.random() > 1 / POST_EVERY or time.monotonic() >= deadline:
                continue
            sent += 1
            body = f"Load comment {number}-{sent}: {secrets.token_hex(6)}"
            twice = rng.random() < 0.1
            started = time.perf_counter()
            if token:
                nonce = secrets.token_hex(12)
                url, request = f"/api/v1/articles/{article}/comments", {
                    "json": {"body": body, "nonce": nonce}, "headers": {"authorization": f"Bearer {token}"}
                }
            else:
                nonce = NONCE.search(page.text).group(1)
                url, request = f"/article/{article}/comments", {
                    "data": {"body": body, "nonce": nonce, "csrf_token": CSRF.search(page.text).group(1)}
                }
            responses = await asyncio.gather(*(_post(http, url, request, tally) for _ in range(2 if twice else 1)))
            tally.post_ms.append((time.perf_counter() - started) * 1000)
            for response in responses:
                tally.statuses[response.status_code] += 1
                comment_id = _comment_id(response)
                if comment_id is not None:
                    if tally.accepted.setdefault(nonce, comment_id) != comment_id:
                        tally.errors.append(f"nonce {nonce} answered with two comments")


async def _post(http: httpx.AsyncClient, url: str, request: dict, tally: Tally, attempts: int = 3) -> httpx.Response:
    """A post whose answer was lost is sent again with the same nonce, as a careful client does."""
    for attempt in range(attempts):
        try:
            return await http.post(url, **request)
        except httpx.TransportError:
            tally.transport_errors += 1
            if attempt == attempts - 1:
                raise
    raise AssertionError("unreachable")


def _comment_id(response: httpx.Response) -> int | None:
    if response.status_code in (200, 201, 202) and response.headers.get("content-type", "").startswith("application/json"):
        return response.json()["id"]
    match = re.search(r"#comment-(\d+)$", response.headers.get("location", "")) if response.status_code == 303 else None
    return int(match.group(1)) if match else None


def serve(url: str, port: int, data_dir: str) -> subprocess.Popen:
    environment = {**os.environ, **LIMITS, "NEWSLOOM_DATABASE_URL": url, "NEWSLOOM_DATA_DIR": data_dir, "HF_HUB_OFFLINE": "1"}
    log = open(Path(data_dir) / "serve.log", "w")  # noqa: SIM115 - open for the server's lifetime
    process = subprocess.Popen(
        [str(Path(sys.executable).parent / "newsloom"), "serve", "--no-worker", "--host", "127.0.0.1", "--port", str(port)],
        env=environment, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    for _ in range(600):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=30)
            return process
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("the server did not start")


def count_stored(url: str, marker: str = "Load comment ") -> tuple[int, int]:
    """Comments stored by the run, and how many of their texts are stored more than once."""
    engine = create_engine(normalize_url(url))
    with engine.connect() as connection:
        bodies = [row[0] for row in connection.execute(text("SELECT body FROM comments WHERE body LIKE :m"), {"m": marker + "%"})]
    engine.dispose()
    return len(bodies), sum(count - 1 for count in Counter(bodies).values() if count > 1)


async def baseline(base: str, clients: int, seconds: float) -> float:
    """Requests per second for a static file, with the same number of clients."""
    count = 0
    deadline = time.monotonic() + seconds

    async def fetch() -> None:
        nonlocal count
        async with httpx.AsyncClient(base_url=base, timeout=60, limits=CLIENT_LIMITS) as http:
            while time.monotonic() < deadline:
                (await http.get("/static/newsloom.css")).raise_for_status()
                count += 1

    started = time.monotonic()
    await asyncio.gather(*(fetch() for _ in range(clients)))
    return count / (time.monotonic() - started)


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime


async def run(arguments: argparse.Namespace) -> dict:
    folder = tempfile.mkdtemp(prefix="newsloom-comments-")
    url = arguments.database_url or f"sqlite:///{folder}/newsloom.db"
    articles, tokens = prepare(url, arguments.clients)
    server = serve(url, arguments.port, folder)
    tally = Tally()
    try:
        base = f"http://127.0.0.1:{arguments.port}"
        static_rps = await baseline(base, arguments.clients, arguments.baseline_seconds)
        cpu_before, started = cpu_seconds(server.pid), time.monotonic()
        deadline = started + arguments.seconds
        await asyncio.gather(*(client(n, tokens[n], base, articles, deadline, tally) for n in range(arguments.clients)))
        elapsed, server_cpu = time.monotonic() - started, cpu_seconds(server.pid) - cpu_before
    finally:
        server.terminate()
        server.wait()
    stored, duplicated = count_stored(url)
    requests = sum(tally.statuses.values())
    return {
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
        "date": datetime.now(UTC).date().isoformat(), "database": url.split(":")[0], "clients": arguments.clients,
        "seconds": round(elapsed, 1), "requests": requests, "requests_per_second": round(requests / elapsed, 1),
        "baseline_static_file_rps": round(static_rps, 1), "of_baseline": round(requests / elapsed / static_rps, 3),
        "server_cpu_ms_per_request": round(server_cpu * 1000 / max(requests, 1), 2),
        "statuses": dict(sorted(tally.statuses.items())), "server_errors": sum(n for s, n in tally.statuses.items() if s >= 500),
        "page_p50_ms": _percentile(tally.page_ms, 50), "page_p99_ms": _percentile(tally.page_ms, 99),
        "post_p50_ms": _percentile(tally.post_ms, 50), "post_p99_ms": _percentile(tally.post_ms, 99),
        "transport_errors": tally.transport_errors, "comments_accepted": len(tally.accepted), "comments_stored": stored, "stored_twice": duplicated,
        "client_errors": tally.errors[:10], "limits": LIMITS,
    }  # fmt: skip


def _percentile(values: list[float], percent: int) -> float:
    if len(values) < 2:
        return round(values[0], 1) if values else 0.0
    return round(statistics.quantiles(values, n=100)[percent - 1], 1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, default=200)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--baseline-seconds", type=float, default=10)
    parser.add_argument("--database-url", default=None, help="A PostgreSQL database to empty and use (default: SQLite).")
    parser.add_argument("--port", type=int, default=8790)
    results = asyncio.run(run(parser.parse_args()))
    print(json.dumps(results, indent=2))
    ok = results["server_errors"] == 0 and results["stored_twice"] == 0 and results["comments_stored"] == results["comments_accepted"]
    sys.exit(0 if ok and not results["client_errors"] else 1)


if __name__ == "__main__":
    main()
