"""Exactly-once effects at scale: three workers and two web processes on one PostgreSQL and one
Redis refresh the same two feeds of 2,000 articles and process the same articles at once, while
readers comment through both web processes; afterwards every effect is counted, and nothing
(article, entity, hashtag, quote, embedding, story membership, comment) is there twice.
"""

from __future__ import annotations

import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from sqlalchemy import text

from newsloom.accounts import Accounts
from newsloom.jobs import JobQueue
from newsloom.services import Services
from newsloom.store import EntryRepository
from tests.conftest import POSTGRES_URL, expected_vector_index, make_settings
from tests.jobs.test_worker import REDIS_URL, _free_port, fresh_postgres_and_redis, wait_for, worker_env
from tests.support.comments import PASSWORD, nonce
from tests.support.workers import Fleet, progress, publish

ARTICLES = 2000
WORKERS, WEBS = 3, 2
COMMENTS = 40

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


@pytest.fixture
def scaled_out(tmp_path):
    fresh_postgres_and_redis()
    services = Services(make_settings(tmp_path, POSTGRES_URL, queue_url=REDIS_URL))
    yield services
    services.close()


@pytest.mark.timeout(900)
def test_three_workers_on_the_same_2000_articles_store_every_effect_once(tmp_path, scaled_out, publisher):
    services = scaled_out
    publish(publisher, ARTICLES)  # two feeds list the same 2,000 articles
    feeds = [services.subscriptions.add(publisher.url(path), check=False).feed.id for path in ("/a.xml", "/b.xml")]
    # Every reader comes from 127.0.0.1 here: the per-address limit would refuse them as one.
    env = {**worker_env(tmp_path, POSTGRES_URL, REDIS_URL), "NEWSLOOM_COMMENTS_PER_MINUTE_PER_ADDRESS": "1000"}
    queue = JobQueue(services)
    for _ in range(3):  # several workers refresh the same feeds at the same time
        for feed_id in feeds:
            queue.enqueue_refresh(feed_id)
    fleet = Fleet(env, WORKERS)
    ports = [_free_port() for _ in range(WEBS)]
    webs = [subprocess.Popen([sys.executable, "-m", "newsloom", "serve", "--no-worker", "--port", str(port)], env=env,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL) for port in ports]  # fmt: skip
    started = time.monotonic()
    try:
        wait_for(lambda: progress(services)["entries"] >= 2 * ARTICLES, timeout=300)
        with services.database.read() as session:  # ... and the same articles: every entry's job queued again
            entry_ids = [entry for feed_id in feeds for entry in EntryRepository(session).ids_for_feed(feed_id)]
        for entry_id in entry_ids:
            queue.enqueue_entry(entry_id)
        wait_for(lambda: progress(services)["enriched"] >= 50, timeout=300)
        comment_ids = _comment_concurrently_through_both_web_processes(services, ports)
        done = wait_for(lambda: _finished(services), timeout=720, interval=2)
        elapsed = time.monotonic() - started
        print(f"{ARTICLES} articles ingested, enriched and placed by {WORKERS} workers in {elapsed:.0f} s:", done)
    finally:
        fleet.stop()
        for web in webs:
            web.terminate()
            web.wait(30)

    assert done["articles"] == done["distinct_urls"] == ARTICLES
    assert done["enriched"] == done["in_story"] == ARTICLES and done["failed"] == 0
    assert done["entries"] == 2 * ARTICLES
    with services.database.read() as session:
        repeated = {name: session.execute(text(f"SELECT COUNT(*) FROM ({query} HAVING COUNT(*) > 1) AS twice")).scalar_one()
                    for name, query in REPEATS.items()}  # fmt: skip
        counted = session.execute(text("SELECT SUM(article_count) FROM stories WHERE merged_into_id IS NULL")).scalar_one()
        entities = session.execute(text("SELECT COUNT(*) FROM article_entities")).scalar_one()
        quotes = session.execute(text("SELECT COUNT(*) FROM article_quotes")).scalar_one()
        comments = session.execute(text("SELECT COUNT(*) FROM comments")).scalar_one()
        vectors = session.execute(text("SELECT COUNT(*) FROM article_vectors")).scalar_one() if expected_vector_index(
            services.database) == "pgvector" else ARTICLES  # fmt: skip
    assert repeated == dict.fromkeys(REPEATS, 0)
    assert counted == ARTICLES  # a story's count is summed into as articles join: a double placement shows
    assert entities > ARTICLES and quotes > 0  # the counts above are over real enrichment, not empty tables
    assert vectors == ARTICLES  # pgvector's copy of the embeddings: one each
    assert comments == COMMENTS and len(set(comment_ids)) == COMMENTS


def _finished(services: Services) -> dict[str, int] | None:
    state = progress(services)
    return state if state["in_story"] >= ARTICLES and state["unfinished"] == 0 else None


def _comment_concurrently_through_both_web_processes(services: Services, ports: list[int]) -> list[int]:
    """Each comment is sent through every web process at once (a double click across a load
    balancer); one nonce each, so each must be stored once."""
    accounts = Accounts(services.database)
    # Two comments per account: each is sent twice at once, and both sends may count against the
    # account's limit (shared by the web processes through Redis) before either is stored.
    tokens = [accounts.create_token(accounts.sign_up(f"reader{n}", PASSWORD).id, "test") for n in range(COMMENTS // 2)]

    def send(number: int, port: int, key: str) -> int:
        response = httpx.post(
            f"http://127.0.0.1:{port}/api/v1/articles/{1 + number % 20}/comments",
            json={"body": f"Comment number {number}", "nonce": key},
            headers={"authorization": f"Bearer {tokens[number % len(tokens)]}"}, timeout=60,
        )  # fmt: skip
        assert response.status_code in (200, 201), response.text
        return response.json()["id"]

    with ThreadPoolExecutor(8) as pool:
        sends = [(number, port, key) for number, key in ((n, nonce()) for n in range(COMMENTS)) for port in ports]
        ids = list(pool.map(lambda args: send(*args), sends))
    by_comment = [set(ids[i : i + len(ports)]) for i in range(0, len(ids), len(ports))]
    assert all(len(same) == 1 for same in by_comment)  # both web processes answered with the one stored comment
    return [same.pop() for same in by_comment]
