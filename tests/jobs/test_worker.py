"""Real worker processes on SqliteHuey and RedisHuey, against the local publisher."""

import os
import signal
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import psutil
import pytest
import redis

from newsloom.services import Services
from newsloom.store import ArticleRepository, Database, FeedRepository
from newsloom.store.migrate import upgrade
from tests.conftest import POSTGRES_URL, REDIS_URL, make_settings, reset_postgres, skip_or_fail
from tests.support.site import publish_zyte_site
from tests.support.workers import progress


def redis_available() -> bool:
    try:
        return redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.RedisError:
        return False


def fresh_postgres_and_redis() -> None:
    """Empty the test PostgreSQL database and Redis, and migrate the database (or skip, or
    fail under NEWSLOOM_REQUIRE_ALL_BACKENDS, when either is missing)."""
    if not POSTGRES_URL:
        skip_or_fail("NEWSLOOM_TEST_DATABASE_URL is not set")
    if not redis_available():
        skip_or_fail(f"no Redis at {REDIS_URL}")
    redis.Redis.from_url(REDIS_URL).flushdb()
    reset_postgres(POSTGRES_URL)
    database = Database(POSTGRES_URL)
    upgrade(database.engine)
    database.dispose()


@pytest.fixture(params=["sqlite-queue", "redis-queue"])
def queue_url(request):
    if request.param == "sqlite-queue":
        return None
    if not redis_available():
        skip_or_fail(f"no Redis at {REDIS_URL}")
    redis.Redis.from_url(REDIS_URL).flushdb()
    return REDIS_URL


def worker_env(tmp_path, database_url, queue_url):
    env = {
        **os.environ,
        "NEWSLOOM_DATA_DIR": str(tmp_path / "data"),
        "NEWSLOOM_DATABASE_URL": database_url,
        "NEWSLOOM_ALLOW_PRIVATE_NETWORKS": "true",
        "NEWSLOOM_WORKER_THREADS": "2",
    }
    if queue_url:
        env["NEWSLOOM_QUEUE_URL"] = queue_url
    return env


def wait_for(predicate, timeout=90.0, interval=0.25, worker=None, describe=None):
    """The predicate's first true value; fails at once if `worker` (a `Popen`) exits meanwhile,
    and says what `describe()` returns, so a failure on CI can be read without a rerun."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        if worker is not None and worker.poll() is not None:
            raise AssertionError(f"the worker exited with code {worker.returncode}{_said(describe)}")
        time.sleep(interval)
    raise AssertionError(f"condition not reached in {timeout:.0f} s{_said(describe)}")


def _said(describe):
    return f"\n{describe()}" if describe else ""


@contextmanager
def running_worker(env, log: Path):
    """A `newsloom -v worker` writing to `log`; stopped with SIGTERM on leaving (running jobs
    finish first), and killed if it has not stopped in 30 s, so that it never takes the next
    test's jobs from the same Redis database."""
    with log.open("a") as output:
        worker = subprocess.Popen([sys.executable, "-m", "newsloom", "-v", "worker"], env=env, stderr=output)
        try:
            yield worker
        finally:
            worker.send_signal(signal.SIGTERM)
            try:
                worker.wait(30)
            except subprocess.TimeoutExpired:
                worker.kill()
                worker.wait(30)


def worker_report(services, log: Path) -> str:
    try:
        pipeline = progress(services)
    except Exception as error:  # the report must still show the log when the database is the trouble
        pipeline = f"unreadable ({error})"
    return f"pipeline: {pipeline}\nthe worker's log ends:\n{log.read_text()[-6000:]}"


def count_articles(services):
    with services.database.read() as session:
        return ArticleRepository(session).count()


def test_worker_ingests_due_feeds_and_stops_cleanly(tmp_path, database_url, queue_url, publisher):
    publish_zyte_site(publisher, 5)
    services = Services(make_settings(tmp_path, database_url, queue_url=queue_url))
    services.subscriptions.add(publisher.url("/feed.xml"))
    env, log = worker_env(tmp_path, database_url, queue_url), tmp_path / "worker.log"
    with running_worker(env, log) as worker:
        wait_for(lambda: count_articles(services) == 5, worker=worker, describe=lambda: worker_report(services, log))
    # Enrichment jobs were likely still running at SIGTERM: they finish first.
    assert worker.returncode == 0, worker_report(services, log)
    assert "Shutting down gracefully" in log.read_text()
    # A second worker run re-reads the same feed (now due again) and stores nothing twice.
    with services.database.write() as session:
        FeedRepository(session).schedule_now(1)
    with running_worker(env, log) as worker:
        wait_for(lambda: len(publisher.hits("/feed.xml")) >= 3, worker=worker, describe=lambda: worker_report(services, log))
        time.sleep(2)
    assert count_articles(services) == 5
    services.close()


def test_serve_runs_web_and_a_supervised_worker(tmp_path, sqlite_url, publisher):
    import httpx

    publish_zyte_site(publisher, 2)
    services = Services(make_settings(tmp_path, sqlite_url))
    services.subscriptions.add(publisher.url("/feed.xml"))
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "newsloom", "serve", "--port", str(port)], env=worker_env(tmp_path, sqlite_url, None)
    )
    try:
        health = wait_for(lambda: _get(f"http://127.0.0.1:{port}/healthz"))
        assert health.json()["status"] == "ok"
        wait_for(lambda: count_articles(services) == 2)
        articles = httpx.get(f"http://127.0.0.1:{port}/api/v1/articles").json()
        assert len(articles["items"]) == 2

        [child] = wait_for(lambda: psutil.Process(server.pid).children())
        child.kill()  # the supervisor must bring a worker back
        replacement = wait_for(lambda: [c for c in psutil.Process(server.pid).children() if c.pid != child.pid])
        assert replacement[0].is_running()
    finally:
        server.send_signal(signal.SIGTERM)
        assert server.wait(30) == 0
    assert not any(proc.is_running() and proc.status() != psutil.STATUS_ZOMBIE for proc in replacement)
    services.close()


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _get(url):
    import httpx

    try:
        return httpx.get(url, timeout=2)
    except httpx.HTTPError:
        return None
