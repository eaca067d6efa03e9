"""The scheduler's choices, run through Huey in immediate mode (tasks execute in-process)."""

from datetime import UTC, datetime, timedelta

from sqlalchemy import update

from newsloom.jobs import JobQueue, create_huey
from newsloom.store import ArticleRepository, EntryRepository, FeedRepository
from newsloom.store.models import EntryRow
from tests.support.site import publish_zyte_site


def immediate_queue(services):
    huey = create_huey(services.settings)
    huey.immediate = True
    return JobQueue(services, huey)


def test_due_feeds_are_claimed_once(services, publisher):
    publish_zyte_site(publisher, 3)
    services.subscriptions.add(publisher.url("/feed.xml"))
    queue = immediate_queue(services)
    assert queue.schedule_due_work() == (1, 0)
    assert queue.schedule_due_work() == (0, 0)  # not due again until its next check
    with services.database.read() as session:
        assert ArticleRepository(session).count() == 3
        assert FeedRepository(session).get(1).next_check_at > datetime.now(UTC) + timedelta(minutes=20)


def test_lost_jobs_and_due_retries_are_picked_up(services, publisher):
    publish_zyte_site(publisher, 2)
    subscribed = services.subscriptions.add(publisher.url("/feed.xml")).feed
    entry_ids = services.refresher.refresh(subscribed.id).new_entry_ids  # rows committed, jobs never enqueued
    with services.database.write() as session:
        session.execute(update(EntryRow).values(updated_at=datetime.now(UTC) - timedelta(hours=1)))
    queue = immediate_queue(services)
    with services.database.write() as session:
        FeedRepository(session).claim_due(datetime.now(UTC) + timedelta(days=1), datetime.now(UTC) + timedelta(days=2))
    assert queue.schedule_due_work() == (0, 2)
    with services.database.read() as session:
        entries = EntryRepository(session)
        assert [entries.get(entry_id).status for entry_id in entry_ids] == ["stored", "stored"]


def test_running_a_job_twice_stores_nothing_twice(services, publisher):
    publish_zyte_site(publisher, 2)
    subscribed = services.subscriptions.add(publisher.url("/feed.xml")).feed
    queue = immediate_queue(services)
    queue.enqueue_refresh(subscribed.id)
    for entry_id in (1, 2, 1, 2):
        queue.enqueue_entry(entry_id)
    queue.enqueue_refresh(subscribed.id)
    with services.database.read() as session:
        assert ArticleRepository(session).count() == 2


def test_an_enrich_job_run_again_finds_the_work_done(services, publisher):
    publish_zyte_site(publisher, 1)
    subscribed = services.subscriptions.add(publisher.url("/feed.xml")).feed
    [entry_id] = services.refresher.refresh(subscribed.id).new_entry_ids
    article_id = services.pipeline.process_entry(entry_id).article_id
    assert services.enricher.enrich_once(article_id).status == "ok"
    again = services.enricher.enrich_once(article_id)
    assert again.status == "unchanged" and again.reason == "already enriched"
    assert services.enricher.enrich(article_id).status == "ok"  # `newsloom enrich --all` still recomputes
