"""Background jobs on Huey: SQLite-backed by default, Redis when NEWSLOOM_QUEUE_URL says so.

Jobs carry only ids, reload their rows and are idempotent, so a job that runs
twice (retry after a crash, or a duplicate enqueue) stores nothing twice.
Jobs are enqueued only after the transaction that created their rows commits.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

from huey import Huey, RedisHuey, SqliteHuey, crontab

from newsloom.services import Services
from newsloom.settings import Settings
from newsloom.store import EnrichmentRepository, EntryRepository, FeedRepository, StoryRepository

log = logging.getLogger(__name__)


def create_huey(settings: Settings) -> Huey:
    if settings.queue_url:
        if not settings.queue_url.startswith(("redis://", "rediss://", "unix://")):
            raise ValueError(f"unsupported queue URL {settings.queue_url!r}: use redis://host:port/db")
        return RedisHuey("newsloom", url=settings.queue_url)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    return SqliteHuey("newsloom", filename=str(settings.data_dir / "queue.db"))


class JobQueue:
    def __init__(self, services: Services, huey: Huey | None = None) -> None:
        self.services = services
        self.huey = huey or create_huey(services.settings)
        self._refresh_feed = self.huey.task(retries=2, retry_delay=30, name="refresh_feed")(self._run_refresh)
        self._process_entry = self.huey.task(retries=2, retry_delay=30, name="process_entry")(self._run_entry)
        self._enrich_article = self.huey.task(retries=2, retry_delay=30, name="enrich_article")(self._run_enrich)
        self._assign_story = self.huey.task(retries=2, retry_delay=30, name="assign_story")(self._run_assign)
        self.huey.periodic_task(crontab(minute="*"), name="schedule_due_work")(self.schedule_due_work)
        self.huey.periodic_task(crontab(minute="*/10"), name="consolidate_stories")(self._run_consolidate)

    # --- enqueueing (call only after the rows' transaction has committed) ---

    def enqueue_refresh(self, feed_id: int) -> None:
        self._refresh_feed(feed_id)

    def enqueue_entry(self, entry_id: int) -> None:
        self._process_entry(entry_id)

    def enqueue_enrich(self, article_id: int) -> None:
        self._enrich_article(article_id)

    def enqueue_assign(self, article_id: int) -> None:
        self._assign_story(article_id)

    def pending(self) -> int:
        return self.huey.pending_count()

    # --- job bodies ------------------------------------------------------

    def _run_refresh(self, feed_id: int) -> str:
        result = self.services.refresher.refresh(feed_id)
        for entry_id in result.new_entry_ids:
            self.enqueue_entry(entry_id)
        return result.status

    def _run_entry(self, entry_id: int) -> str:
        result = self.services.pipeline.process_entry(entry_id)
        if result.status == "stored" and result.article_id is not None:
            self.enqueue_enrich(result.article_id)  # 6. enrich, as its own job
        return result.status

    def _run_enrich(self, article_id: int) -> str:
        status = self.services.enricher.enrich_once(article_id).status
        self.enqueue_assign(article_id)  # 7. assign to a story, once the embedding is stored
        return status

    def _run_assign(self, article_id: int) -> str:
        return self.services.stories.assign(article_id).status

    def _run_consolidate(self) -> str:
        done = self.services.stories.consolidate()
        return f"{done.merged} merged, {done.split} split"

    def schedule_due_work(self) -> tuple[int, int]:
        """Enqueue feeds that are due and entries to retry or whose job was lost."""
        now, settings = datetime.now(UTC), self.services.settings
        lease_until, lost_before = now + timedelta(seconds=settings.job_lease_seconds), now - timedelta(seconds=settings.lost_job_seconds)
        with self.services.database.write() as session:
            feed_ids = FeedRepository(session).claim_due(now, lease_until)
            entry_ids = EntryRepository(session).claim_unfinished(now, lost_before, lease_until)
        with self.services.database.read() as session:
            # Stored, but the enrich job never ran (a crash between commit and enqueue).
            unenriched = EnrichmentRepository(session).article_ids(True, created_before=lost_before, limit=500)
            # Enriched, but the story job never ran.
            unplaced = StoryRepository(session).unassigned(enriched_before=lost_before, limit=500)
        for feed_id in feed_ids:
            self.enqueue_refresh(feed_id)
        for entry_id in entry_ids:
            self.enqueue_entry(entry_id)
        for article_id in unenriched:
            self.enqueue_enrich(article_id)
        for article_id in unplaced:
            self.enqueue_assign(article_id)
        if feed_ids or entry_ids:
            log.info("scheduled %d feed refreshes and %d entries", len(feed_ids), len(entry_ids))
        return len(feed_ids), len(entry_ids)
