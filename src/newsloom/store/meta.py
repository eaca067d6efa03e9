from __future__ import annotations

from sqlalchemy.orm import Session

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
