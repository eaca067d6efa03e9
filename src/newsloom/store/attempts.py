from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from newsloom.store.models import FetchAttemptRow


@dataclass(frozen=True)
class FetchAttempt:
    kind: str
    url: str
    started_at: datetime
    duration_ms: int
    http_status: int | None
    outcome: str
    error: str | None
    bytes_received: int
    feed_id: int | None = None
    entry_id: int | None = None


class FetchAttemptRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def record(self, attempt: FetchAttempt) -> None:
        self.session.add(FetchAttemptRow(**asdict(attempt)))

    def for_feed(self, feed_id: int, limit: int = 20) -> list[FetchAttempt]:
        rows = self.session.scalars(
            select(FetchAttemptRow)
            .where(FetchAttemptRow.feed_id == feed_id)
            .order_by(FetchAttemptRow.id.desc())
            .limit(limit)
        )
        return [
            FetchAttempt(
                kind=row.kind,
                url=row.url,
                started_at=row.started_at,
                duration_ms=row.duration_ms,
                http_status=row.http_status,
                outcome=row.outcome,
                error=row.error,
                bytes_received=row.bytes_received,
                feed_id=row.feed_id,
                entry_id=row.entry_id,
            )
            for row in rows
        ]
