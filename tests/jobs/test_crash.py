"""Crash safety and exactly-once effects: workers killed with SIGKILL at random moments while
they ingest and enrich 1,000 articles, restarted each time; afterwards nothing is lost, nothing
is stored twice and every article is enriched and placed in a story.

Two set-ups: the embedded default (SQLite database, SQLite queue, one worker), and the
scaled-out one (PostgreSQL, Redis, three workers and two `serve --no-worker` web processes,
each entry's job also queued a second time so that workers process the same articles at once).
Two feeds list the same 1,000 articles, so their refreshes race for them too.
"""

from __future__ import annotations

import random
import signal
import subprocess
import sys
import time

import httpx
import pytest
from sqlalchemy import text

from newsloom.accounts import Accounts
from newsloom.jobs import JobQueue
from newsloom.services import Services
from newsloom.store import Database, EntryRepository
from newsloom.store.migrate import upgrade
from tests.conftest import POSTGRES_URL, make_settings
from tests.jobs.test_worker import REDIS_URL, _free_port, fresh_postgres_and_redis, wait_for, worker_env
from tests.support.comments import PASSWORD, nonce
from tests.support.workers import Fleet, progress, publish

ARTICLES = 1000
KILLS = 20
LEASE_SECONDS, LOST_SECONDS = 15, 20  # lost work comes back within seconds, not the default half hour
LEASES = {"NEWSLOOM_JOB_LEASE_SECONDS": str(LEASE_SECONDS), "NEWSLOOM_LOST_JOB_SECONDS": str(LOST_SECONDS)}


@pytest.fixture(params=["sqlite", pytest.param("postgresql+redis", marks=pytest.mark.postgres)])
def setup(request, tmp_path):
    """(database URL, queue URL, workers, web processes) for the set-up under test, migrated."""
    if request.param != "sqlite":
        fresh_postgres_and_redis()
        return POSTGRES_URL, REDIS_URL, 3, 2
    url = f"sqlite:///{tmp_path / 'newsloom.db'}"
    database = Database(url)
    upgrade(database.engine)
    database.dispose()
    return url, None, 1, 0


def finished(services: Services) -> dict[str, int] | None:
    state = progress(services)
    return state if state["in_story"] >= ARTICLES and state["unfinished"] == 0 else None


@pytest.mark.timeout(900)
def test_workers_killed_at_random_lose_nothing_and_store_nothing_twice(tmp_path, setup, publisher):
    database_url, queue_url, worker_count, web_count = setup
    publish(publisher, ARTICLES)
    services = Services(make_settings(tmp_path, database_url, queue_url=queue_url))
    for feed in ("/a.xml", "/b.xml"):
        services.subscriptions.add(publisher.url(feed), check=False)
    env = worker_env(tmp_path, database_url, queue_url)
    fleet = Fleet({**env, **LEASES}, worker_count)
    ports = [_free_port() for _ in range(web_count)]
    webs = [subprocess.Popen([sys.executable, "-m", "newsloom", "serve", "--no-worker", "--port", str(port)], env=env,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL) for port in ports]  # fmt: skip
    rng = random.Random(20261129)
    try:
        if web_count:  # several workers on the same articles at once: every entry's job queued twice
            wait_for(lambda: progress(services)["entries"] >= 2 * ARTICLES, timeout=120)
            queue = JobQueue(services)
            with services.database.read() as session:
                for feed_id in (1, 2):
                    for entry_id in EntryRepository(session).ids_for_feed(feed_id):
                        queue.enqueue_entry(entry_id)
        for kill in range(KILLS):
            if kill == KILLS // 2:  # the second half lands while articles are being enriched and placed
                wait_for(lambda: progress(services)["enriched"] > 0, timeout=300, interval=0.5)
                print("enrichment under way:", progress(services))
            time.sleep(rng.uniform(1.0, 4.0) if kill < KILLS // 2 else rng.uniform(2.0, 7.0))
            fleet.kill_and_replace(rng)
        print("after the kills:", progress(services))
        time.sleep(LOST_SECONDS + 1)
        fleet.kill_and_replace(rng)  # a fresh worker re-queues at once whatever the last kills left behind
        started = time.monotonic()
        done = wait_for(lambda: finished(services), timeout=600, interval=2)
        print(f"finished {time.monotonic() - started:.0f} s after the last kill:", done)
        served = [httpx.get(f"http://127.0.0.1:{port}/api/v1/articles", params={"limit": 1}, timeout=30) for port in ports]
        comment_ids = _comment_through_every_web_process(services, ports)
    finally:
        fleet.stop()
        for web in webs:
            web.send_signal(signal.SIGTERM)
            web.wait(30)

    assert done["articles"] == done["distinct_urls"] == ARTICLES  # nothing lost, nothing stored twice
    assert done["enriched"] == done["in_story"] == ARTICLES  # every article enriched and in a story
    assert done["failed"] == 0 and done["entries"] == 2 * ARTICLES  # two feeds' entries, all finished
    with services.database.read() as session:
        repeated_quotes = session.execute(text(
            "SELECT COUNT(*) FROM (SELECT article_id, start_offset FROM article_quotes"
            " GROUP BY article_id, start_offset HAVING COUNT(*) > 1) AS twice"
        )).scalar_one()  # fmt: skip
        # A story's count is summed into as articles join: an article placed twice would show here.
        counted = session.execute(text("SELECT SUM(article_count) FROM stories WHERE merged_into_id IS NULL")).scalar_one()
    assert repeated_quotes == 0 and counted == ARTICLES
    assert all(response.status_code == 200 for response in served)
    assert len(set(comment_ids)) == 1 if web_count else comment_ids == []
    services.close()


def _comment_through_every_web_process(services: Services, ports: list[int]) -> list[int]:
    """The same comment (one nonce) posted through each web process: stored once."""
    if not ports:
        return []
    accounts = Accounts(services.database)
    token = accounts.create_token(accounts.sign_up("crashtest", PASSWORD).id, "crash test")
    body = {"body": "Posted through every web process", "nonce": nonce()}
    ids = []
    for port in ports:
        response = httpx.post(f"http://127.0.0.1:{port}/api/v1/articles/1/comments", json=body,
                              headers={"authorization": f"Bearer {token}"}, timeout=30)  # fmt: skip
        assert response.status_code in (200, 201), response.text
        ids.append(response.json()["id"])
    with services.database.read() as session:
        assert session.execute(text("SELECT COUNT(*) FROM comments")).scalar_one() == 1
    return ids

