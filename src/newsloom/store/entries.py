from __future__ import annotations

from datetime import datetime

from sqlalchemy import and_, or_, select, update
from sqlalchemy.orm import Session

from newsloom.store._upsert import insert_ignoring_conflicts
from newsloom.store.models import EntryRow, FeedRow, utcnow
from newsloom.store.records import Entry, NewEntry

# Life of an entry: pending -> (retry ->)* stored | duplicate | failed.
PENDING, RETRY, STORED, DUPLICATE, FAILED = "pending", "retry", "stored", "duplicate", "failed"
FINISHED = (STORED, DUPLICATE, FAILED)


class EntryRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def add_new(self, feed_id: int, entries: list[NewEntry]) -> list[int]:
        """Insert the entries not seen before in this feed; return only the new ids."""
        now = utcnow()
        new_ids: list[int] = []
        for entry in entries:
            statement = (
                insert_ignoring_conflicts(self.session, EntryRow)
                .values(
                    feed_id=feed_id,
                    guid=entry.guid,
                    url=entry.url,
                    title=entry.title,
                    author=entry.author,
                    published_at=entry.published_at,
                    content_html=entry.content_html,
                    status=PENDING,
                    attempts=0,
                    next_attempt_at=now,
                    created_at=now,
                    updated_at=now,
                )
                .on_conflict_do_nothing(index_elements=["feed_id", "guid"])
                .returning(EntryRow.id)
            )
            new_id = self.session.scalar(statement)
            if new_id is not None:
                new_ids.append(new_id)
        return new_ids

    def get(self, entry_id: int) -> Entry | None:
        found = self.session.execute(
            select(EntryRow, FeedRow.source_id).join(FeedRow, FeedRow.id == EntryRow.feed_id).where(EntryRow.id == entry_id)
        ).first()
        if found is None:
            return None
        row, source_id = found
        return Entry(
            id=row.id,
            feed_id=row.feed_id,
            guid=row.guid,
            url=row.url,
            title=row.title,
            author=row.author,
            published_at=row.published_at,
            content_html=row.content_html,
            status=row.status,
            reason=row.reason,
            attempts=row.attempts,
            article_id=row.article_id,
            source_id=source_id,
        )

    def count_attempt(self, entry_id: int) -> None:
        """Counted before the work starts, so that a crash still uses up an attempt."""
        self.session.execute(
            update(EntryRow).where(EntryRow.id == entry_id).values(attempts=EntryRow.attempts + 1, updated_at=utcnow())
        )

    def finish(self, entry_id: int, status: str, reason: str | None, article_id: int | None = None) -> None:
        """Record the outcome once: a second worker racing on the same entry changes nothing."""
        assert status in FINISHED
        self.session.execute(
            update(EntryRow)
            .where(EntryRow.id == entry_id, EntryRow.status.notin_(FINISHED))
            .values(status=status, reason=reason, article_id=article_id, updated_at=utcnow())
        )

    def retry_later(self, entry_id: int, reason: str, at: datetime) -> None:
        self.session.execute(
            update(EntryRow)
            .where(EntryRow.id == entry_id)
            .values(status=RETRY, reason=reason, next_attempt_at=at, updated_at=utcnow())
        )

    def claim_unfinished(self, now: datetime, stale_before: datetime, lease_until: datetime, limit: int = 500) -> list[int]:
        """Entries to (re)process: retries that are due, and pending ones whose job was lost."""
        wanted = or_(
            and_(EntryRow.status == RETRY, EntryRow.next_attempt_at <= now),
            and_(EntryRow.status == PENDING, EntryRow.updated_at < stale_before, EntryRow.next_attempt_at <= now),
        )
        due = select(EntryRow.id).where(wanted).order_by(EntryRow.id).limit(limit)
        statement = (
            update(EntryRow)
            .where(EntryRow.id.in_(due.scalar_subquery()), wanted)
            .values(next_attempt_at=lease_until)
            .returning(EntryRow.id)
        )
        return list(self.session.scalars(statement))

    def ids_for_feed(self, feed_id: int, statuses: tuple[str, ...] = (PENDING, RETRY)) -> list[int]:
        return list(
            self.session.scalars(
                select(EntryRow.id).where(EntryRow.feed_id == feed_id, EntryRow.status.in_(statuses)).order_by(EntryRow.id)
            )
        )
