from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from newsloom.store._upsert import insert_ignoring_conflicts
from newsloom.store.models import SourceRow, utcnow
from newsloom.store.records import Source


def to_source(row: SourceRow) -> Source:
    return Source(id=row.id, name=row.name, domain=row.domain)


class SourceRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def get_or_create(self, domain: str, name: str | None = None) -> Source:
        """Publishers are keyed by domain; the first name seen wins until edited."""
        statement = insert_ignoring_conflicts(self.session, SourceRow).values(
            domain=domain, name=name or domain, created_at=utcnow()
        )
        self.session.execute(statement.on_conflict_do_nothing(index_elements=["domain"]))
        row = self.session.scalars(select(SourceRow).where(SourceRow.domain == domain)).one()
        if name and row.name == row.domain and name != domain:
            row.name = name
        return to_source(row)

    def get(self, source_id: int) -> Source | None:
        row = self.session.get(SourceRow, source_id)
        return to_source(row) if row else None
