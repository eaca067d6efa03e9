"""Crash safety and exactly-once effects: workers killed with SIGKILL at random moments while
they ingest, enrich and place articles, restarted each time; afterwards nothing is lost, every
article is enriched and in a story, and no effect (article, entry, entity, hashtag, quote,
embedding, story membership, comment) is stored twice.

Two set-ups:
- the embedded default: SQLite database, SQLite queue, one worker, 600 articles;
- the scaled-out one: PostgreSQL, Redis, three workers and two `serve --no-worker` web
  processes, 1,200 articles. Each entry's job is also queued a second time, so that workers
  process the same articles at once, and readers comment through both web processes at once
  while the workers are being killed.
In both, two feeds list the same articles and each feed's refresh is queued three times at
once, so refreshes race for the same entries too.
"""

from __future__ import annotations

import random
import signal
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import httpx
import pytest
from sqlalchemy import text

from newsloom.accounts import Accounts
from newsloom.jobs import JobQueue
from newsloom.services import Services
from newsloom.settings import Settings
from newsloom.store import Database, EntryRepository
from newsloom.store.migrate import upgrade
from tests.conftest import POSTGRES_URL, expected_vector_index, make_settings
from tests.jobs.test_worker import REDIS_URL, _free_port, fresh_postgres_and_redis, wait_for, worker_env
from tests.support.comments import PASSWORD, nonce
from tests.support.workers import Fleet, progress, publish

# Alone, after the rest of the suite (Makefile): its worker and web processes would crowd the
# two cores the suite's other process needs.
pytestmark = pytest.mark.crash

KILLS = 20
COMMENTS = 40
LEASE_SECONDS, LOST_SECONDS = 15, 20  # lost work comes back within seconds, not the default half hour
LEASES = {"NEWSLOOM_JOB_LEASE_SECONDS": str(LEASE_SECONDS), "NEWSLOOM_LOST_JOB_SECONDS": str(LOST_SECONDS)}

# Rows that would be one effect stored twice; each query counts such groups.
REPEATS = {
    "articles by canonical URL": "SELECT canonical_url FROM articles GROUP BY canonical_url",
    "feed entries": "SELECT feed_id, guid FROM feed_entries GROUP BY feed_id, guid",
    "entities": "SELECT kind, key FROM entities GROUP BY kind, key",
    "article entities": "SELECT article_id, entity_id FROM article_entities GROUP BY article_id, entity_id",
    "hashtags": "SELECT article_id, tag FROM article_hashtags GROUP BY article_id, tag",
    "quotes": "SELECT article_id, start_offset FROM article_quotes GROUP BY article_id, start_offset",
    "embeddings": "SELECT article_id FROM article_embeddings GROUP BY article_id",
    "comments": "SELECT user_id, nonce FROM comments GROUP BY user_id, nonce",
}


@dataclass(frozen=True)
class SetUp:
    database_url: str
    queue_url: str | None
    workers: int
    webs: int
    articles: int


@pytest.fixture(params=["sqlite", pytest.param("postgresql+redis", marks=pytest.mark.postgres)])
def setup(request, tmp_path) -> SetUp:
    """The set-up under test, its database migrated."""
    if request.param != "sqlite":
        fresh_postgres_and_redis()
        return SetUp(POSTGRES_URL, REDIS_URL, workers=3, webs=2, articles=1200)
    url = f"sqlite:///{tmp_path / 'newsloom.db'}"
    database = Database(url)
    upgrade(database.engine)
    database.dispose()
    return SetUp(url, None, workers=1, webs=0, articles=600)


@pytest.mark.timeout(1500)
def test_workers_killed_at_random_lose_nothing_and_store_nothing_twice(tmp_path, setup, publisher):
    publish(publisher, setup.articles)
    services = Services(make_settings(tmp_path, setup.database_url, queue_url=setup.queue_url))
    feeds = [services.subscriptions.add(publisher.url(path), check=False).feed.id for path in ("/a.xml", "/b.xml")]
    queue = JobQueue(services)
    for _ in range(3):
        for feed_id in feeds:
            queue.enqueue_refresh(feed_id)
    # Every reader comes from 127.0.0.1 here: the per-address limit would refuse them as one.
    env = {**worker_env(tmp_path, setup.database_url, setup.queue_url), "NEWSLOOM_COMMENTS_PER_MINUTE_PER_ADDRESS": "1000"}
    fleet = Fleet({**env, **LEASES}, setup.workers)
    ports = [_free_port() for _ in range(setup.webs)]
    webs = [subprocess.Popen([sys.executable, "-m", "newsloom", "serve", "--no-worker", "--port", str(port)], env=env,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL) for port in ports]  # fmt: skip
    rng = random.Random(20261129)
    comment_ids: list[int] = []
    try:
        if setup.webs:  # several workers on the same articles at once: every entry's job queued twice
            wait_for(lambda: progress(services)["entries"] >= 2 * setup.articles, timeout=300)
            with services.database.read() as session:
                for entry_id in [entry for feed_id in feeds for entry in EntryRepository(session).ids_for_feed(feed_id)]:
                    queue.enqueue_entry(entry_id)
        for kill in range(KILLS):
            if kill == KILLS // 2:  # the second half lands while articles are being enriched and placed
                wait_for(lambda: progress(services)["enriched"] >= 50, timeout=300, interval=0.5)
                print("enrichment under way:", progress(services))
                comment_ids = _comment_concurrently_through_every_web_process(services, ports)
            time.sleep(rng.uniform(1.0, 4.0) if kill < KILLS // 2 else rng.uniform(2.0, 7.0))
            fleet.kill_and_replace(rng)
        print("after the kills:", progress(services))
        time.sleep(LOST_SECONDS + 1)
        fleet.kill_and_replace(rng)  # a fresh worker re-queues at once whatever the last kills left behind
        started = time.monotonic()
        done = wait_for(lambda: _finished(services, setup.articles), timeout=900, interval=2)
        print(f"finished {time.monotonic() - started:.0f} s after the last kill:", done)
        served = [httpx.get(f"http://127.0.0.1:{port}/api/v1/articles", params={"limit": 1}, timeout=30) for port in ports]
    finally:
        fleet.stop()
        for web in webs:
            web.send_signal(signal.SIGTERM)
            web.wait(30)

    articles = setup.articles
    assert done["articles"] == done["distinct_urls"] == articles  # nothing lost, nothing stored twice
    assert done["enriched"] == done["in_story"] == articles  # every article enriched and in a story
    assert done["failed"] == 0 and done["entries"] == 2 * articles  # two feeds' entries, all finished
    with services.database.read() as session:
        repeated = {name: session.execute(text(f"SELECT COUNT(*) FROM ({query} HAVING COUNT(*) > 1) AS twice")).scalar_one()
                    for name, query in REPEATS.items()}  # fmt: skip
        counted = session.execute(text("SELECT SUM(article_count) FROM stories WHERE merged_into_id IS NULL")).scalar_one()
        entities = session.execute(text("SELECT COUNT(*) FROM article_entities")).scalar_one()
        quotes = session.execute(text("SELECT COUNT(*) FROM article_quotes")).scalar_one()
        comments = session.execute(text("SELECT COUNT(*) FROM comments")).scalar_one()
        pgvector = expected_vector_index(services.database) == "pgvector"
        vectors = session.execute(text("SELECT COUNT(*) FROM article_vectors")).scalar_one() if pgvector else articles
    assert repeated == dict.fromkeys(REPEATS, 0)
    assert counted == articles  # a story's count is summed into as articles join: a double placement shows
    assert entities > articles and quotes > 0  # the counts above are over real enrichment, not empty tables
    assert vectors == articles  # pgvector's copy of the embeddings: one each
    assert all(response.status_code == 200 for response in served)
    assert comments == len(set(comment_ids)) == (COMMENTS if setup.webs else 0)
    services.close()


def _finished(services: Services, articles: int) -> dict[str, int] | None:
    state = progress(services)
    return state if state["in_story"] >= articles and state["unfinished"] == 0 else None


def _comment_concurrently_through_every_web_process(services: Services, ports: list[int]) -> list[int]:
    """Each comment is sent through every web process at once (a double click across a load
    balancer); one nonce each, so each must be stored once."""
    if not ports:
        return []
    accounts = Accounts(services.database)
    # As many comments per account as its limit allows a minute: each is sent through both web
    # processes at once, and the limit (shared through Redis) must count each form once.
    per_account = Settings.model_fields["comments_per_minute"].default
    tokens = [accounts.create_token(accounts.sign_up(f"reader{n}", PASSWORD).id, "test") for n in range(COMMENTS // per_account)]
    with services.database.read() as session:  # ids, not 1 to 20: a rolled-back insert leaves a gap in the sequence
        article_ids = list(session.scalars(text("SELECT id FROM articles ORDER BY id LIMIT 20")))

    def send(number: int, port: int, key: str) -> int:
        response = httpx.post(
            f"http://127.0.0.1:{port}/api/v1/articles/{article_ids[number % len(article_ids)]}/comments",
            json={"body": f"Comment number {number}", "nonce": key},
            headers={"authorization": f"Bearer {tokens[number % len(tokens)]}"}, timeout=60,
        )  # fmt: skip
        assert response.status_code in (200, 201), response.text
        return response.json()["id"]

    with ThreadPoolExecutor(8) as pool:
        sends = [(number, port, key) for number, key in ((n, nonce()) for n in range(COMMENTS)) for port in ports]
        ids = list(pool.map(lambda args: send(*args), sends))
    by_comment = [set(ids[i : i + len(ports)]) for i in range(0, len(ids), len(ports))]
    assert all(len(same) == 1 for same in by_comment)  # every web process answered with the one stored comment
    return [same.pop() for same in by_comment]
