from __future__ import annotations

import hashlib

from sqlalchemy import and_, or_, select, update
from sqlalchemy.orm import Session

from newsloom.store._upsert import insert_ignoring_conflicts
from newsloom.store.models import BoilerplateRow, SourceRow, utcnow
from newsloom.store.records import BoilerplateItem


def _fingerprint(item: BoilerplateItem) -> str:
    return hashlib.sha256(f"{item.kind}:{' '.join(item.text.split()).casefold()}".encode()).hexdigest()


class BoilerplateRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def items(self, source_id: int) -> list[BoilerplateItem]:
        rows = self.session.scalars(
            select(BoilerplateRow).where(BoilerplateRow.source_id == source_id).order_by(BoilerplateRow.id)
        )
        return [BoilerplateItem(row.kind, row.text, row.article_count) for row in rows]

    def remember(self, source_id: int, items: list[BoilerplateItem], sample_size: int) -> int:
        """Add what was learned; known items keep their place. Returns how many are new.

        Nothing is forgotten automatically: once stripped, boilerplate no longer shows in
        stored articles, so its absence there says nothing.
        """
        now = utcnow()
        added = 0
        for item in items:
            statement = insert_ignoring_conflicts(self.session, BoilerplateRow).values(
                source_id=source_id, kind=item.kind, text=item.text, fingerprint=_fingerprint(item),
                article_count=item.article_count, sample_size=sample_size, learned_at=now,
            )  # fmt: skip
            result = self.session.execute(statement.on_conflict_do_nothing(index_elements=["source_id", "fingerprint"]))
            added += result.rowcount or 0
        self.session.execute(
            update(SourceRow).where(SourceRow.id == source_id).values(boilerplate_learned_at=now)
        )
        return added

    def forget(self, source_id: int) -> int:
        rows = list(self.session.scalars(select(BoilerplateRow).where(BoilerplateRow.source_id == source_id)))
        for row in rows:
            self.session.delete(row)
        return len(rows)

    def count_new_article(self, source_id: int) -> None:
        self.session.execute(
            update(SourceRow)
            .where(SourceRow.id == source_id)
            .values(articles_since_learning=SourceRow.articles_since_learning + 1)
        )

    def claim_learning(self, source_id: int, first_after: int, then_every: int) -> bool:
        """Atomically take the source's next learning pass when enough new articles came in.

        The counter is reset by the same statement, so of several workers storing articles
        of one source at once, exactly one learns.
        """
        due = or_(
            and_(SourceRow.boilerplate_learned_at.is_(None), SourceRow.articles_since_learning >= first_after),
            SourceRow.articles_since_learning >= then_every,
        )
        claimed = self.session.execute(
            update(SourceRow)
            .where(SourceRow.id == source_id, due)
            .values(articles_since_learning=0, boilerplate_learned_at=utcnow())
            .returning(SourceRow.id)
        ).first()
        return claimed is not None
