from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from newsloom.store.models import EntryRow, FeedRow, SourceRow, utcnow
from newsloom.store.records import Feed, FeedHealth


class FeedExistsError(Exception):
    def __init__(self, feed: Feed) -> None:
        super().__init__(f"already subscribed: feed {feed.id} ({feed.url})")
        self.feed = feed


def to_feed(row: FeedRow) -> Feed:
    return Feed(
        id=row.id,
        url=row.url,
        title=row.title,
        site_url=row.site_url,
        source_id=row.source_id,
        etag=row.etag,
        last_modified=row.last_modified,
        next_check_at=row.next_check_at,
        last_checked_at=row.last_checked_at,
        last_success_at=row.last_success_at,
        last_status=row.last_status,
        error_count=row.error_count,
        last_error=row.last_error,
        created_at=row.created_at,
    )


class FeedRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, url: str, title: str | None, site_url: str | None, source_id: int | None) -> Feed:
        existing = self.get_by_url(url)
        if existing:
            raise FeedExistsError(existing)
        row = FeedRow(url=url, title=title, site_url=site_url, source_id=source_id, next_check_at=utcnow())
        try:
            with self.session.begin_nested():
                self.session.add(row)
        except IntegrityError:
            raise FeedExistsError(self.get_by_url(url)) from None  # type: ignore[arg-type]
        return to_feed(row)

    def get(self, feed_id: int) -> Feed | None:
        row = self.session.get(FeedRow, feed_id)
        return to_feed(row) if row else None

    def get_by_url(self, url: str) -> Feed | None:
        row = self.session.scalars(select(FeedRow).where(FeedRow.url == url)).first()
        return to_feed(row) if row else None

    def list(self) -> list[Feed]:
        return [to_feed(row) for row in self.session.scalars(select(FeedRow).order_by(FeedRow.id))]

    def list_with_health(self, source_id: int | None = None) -> list[FeedHealth]:
        """Every feed (or one source's) with its entries' outcomes."""
        only = [FeedRow.source_id == source_id] if source_id is not None else []
        counts: dict[int, dict[str, int]] = {}
        for feed_id, status, count in self.session.execute(
            select(EntryRow.feed_id, EntryRow.status, func.count())
            .join(FeedRow, FeedRow.id == EntryRow.feed_id)
            .where(*only)
            .group_by(EntryRow.feed_id, EntryRow.status)
        ):
            counts.setdefault(feed_id, {})[status] = count
        rows = self.session.execute(
            select(FeedRow, SourceRow.name)
            .outerjoin(SourceRow, FeedRow.source_id == SourceRow.id)
            .where(*only)
            .order_by(FeedRow.id)
        )
        return [
            FeedHealth(feed=to_feed(feed), source_name=name, entry_counts=counts.get(feed.id, {}))
            for feed, name in rows
        ]

    def count(self) -> int:
        return self.session.scalar(select(func.count()).select_from(FeedRow)) or 0

    def remove(self, feed_id: int) -> bool:
        row = self.session.get(FeedRow, feed_id)
        if row is None:
            return False
        # Articles stay: they were published and may be linked to; only the subscription goes.
        self.session.delete(row)
        return True

    def claim_due(self, now: datetime, lease_until: datetime, limit: int = 500) -> list[int]:
        """Atomically take due feeds so that two schedulers never enqueue the same one."""
        due = select(FeedRow.id).where(FeedRow.next_check_at <= now).order_by(FeedRow.next_check_at).limit(limit)
        statement = (
            update(FeedRow)
            .where(FeedRow.id.in_(due.scalar_subquery()), FeedRow.next_check_at <= now)
            .values(next_check_at=lease_until)
            .returning(FeedRow.id)
        )
        return list(self.session.scalars(statement))

    def schedule_now(self, feed_id: int) -> None:
        self.session.execute(update(FeedRow).where(FeedRow.id == feed_id).values(next_check_at=utcnow()))

    def record_success(
        self,
        feed_id: int,
        *,
        checked_at: datetime,
        next_check_at: datetime,
        http_status: int,
        etag: str | None,
        last_modified: str | None,
        title: str | None = None,
        site_url: str | None = None,
        source_id: int | None = None,
    ) -> None:
        row = self.session.get(FeedRow, feed_id)
        if row is None:
            return
        row.last_checked_at = checked_at
        row.last_success_at = checked_at
        row.next_check_at = next_check_at
        row.last_status = http_status
        row.error_count = 0
        row.last_error = None
        row.etag = etag
        row.last_modified = last_modified
        row.title = title or row.title
        row.site_url = site_url or row.site_url
        row.source_id = row.source_id or source_id

    def record_failure(
        self, feed_id: int, *, checked_at: datetime, next_check_at: datetime, http_status: int | None, error: str
    ) -> None:
        row = self.session.get(FeedRow, feed_id)
        if row is None:
            return
        row.last_checked_at = checked_at
        row.next_check_at = next_check_at
        row.last_status = http_status
        row.error_count += 1
        row.last_error = error
