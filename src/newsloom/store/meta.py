from __future__ import annotations

from sqlalchemy.orm import Session

from newsloom.store._upsert import insert_ignoring_conflicts
from newsloom.store.models import MetaRow


class MetaRepository:
    """Facts about this installation, such as whether starter feeds were ever seeded."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def get(self, key: str) -> str | None:
        row = self.session.get(MetaRow, key)
        return row.value if row else None

    def set(self, key: str, value: str) -> None:
        self.session.merge(MetaRow(key=key, value=value))

    def get_or_set(self, key: str, value: str) -> str:
        """The stored value, or `value` if none was: the first of racing writers wins for all."""
        statement = insert_ignoring_conflicts(self.session, MetaRow).values(key=key, value=value)
        self.session.execute(statement.on_conflict_do_nothing(index_elements=["key"]))
        return self.get(key)  # type: ignore[return-value]
