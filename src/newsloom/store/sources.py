from __future__ import annotations

import json
from collections.abc import Callable

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from newsloom.store._upsert import insert_ignoring_conflicts
from newsloom.store.models import ArticleRow, BoilerplateRow, EntryRow, FeedRow, SourceRow, utcnow
from newsloom.store.records import Source, SourceHealth


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
        if name:
            self.name_if_unnamed(row.id, name)
        return to_source(row)

    def name_if_unnamed(self, source_id: int, name: str, replaces: Callable[[str], bool] = lambda current: False) -> None:
        """A publisher first seen by its domain gets the name its pages give; so does one whose
        name `replaces` accepts (a slug an earlier version took from its pages)."""
        row = self.session.get(SourceRow, source_id)
        if row is not None and name.strip() and (row.name == row.domain or replaces(row.name)):
            row.name = name.strip()[:300]

    def find_by_name(self, name: str) -> Source | None:
        """A publisher by the name a credit line gives ("the Kyiv Independent")."""
        bare = name.strip().casefold().removeprefix("the ").strip()
        row = self.session.scalars(
            select(SourceRow).where(func.lower(SourceRow.name).in_([bare, f"the {bare}"])).order_by(SourceRow.id)
        ).first()
        return to_source(row) if row else None

    def get_by_domain(self, domain: str) -> Source | None:
        row = self.session.scalars(select(SourceRow).where(SourceRow.domain == domain)).first()
        return to_source(row) if row else None

    def rules(self, source_id: int) -> tuple[str | None, list[str]]:
        row = self.session.get(SourceRow, source_id)
        if row is None:
            return None, []
        return row.body_selector, json.loads(row.drop_selectors or "[]")

    def set_rules(self, source_id: int, body_selector: str | None, drop_selectors: list[str]) -> None:
        row = self.session.get(SourceRow, source_id)
        if row is not None:
            row.body_selector = body_selector or None
            row.drop_selectors = json.dumps(drop_selectors)

    def list_with_health(self, source_id: int | None = None) -> list[SourceHealth]:
        """Every publisher (or just `source_id`) with how its articles were extracted and its entries failed."""
        only = (lambda column: [column == source_id]) if source_id is not None else (lambda column: [])
        extraction: dict[int, dict[str, int]] = {}
        for row_source, status, count in self.session.execute(
            select(ArticleRow.source_id, ArticleRow.extraction_status, func.count())
            .where(*only(ArticleRow.source_id))
            .group_by(ArticleRow.source_id, ArticleRow.extraction_status)
        ):
            extraction.setdefault(row_source, {})[status] = count
        failures = dict(
            self.session.execute(
                select(FeedRow.source_id, func.count())
                .join(EntryRow, EntryRow.feed_id == FeedRow.id)
                .where(EntryRow.status == "failed", *only(FeedRow.source_id))
                .group_by(FeedRow.source_id)
            ).all()
        )
        learned = dict(
            self.session.execute(
                select(BoilerplateRow.source_id, func.count())
                .where(*only(BoilerplateRow.source_id))
                .group_by(BoilerplateRow.source_id)
            ).all()
        )
        return [
            SourceHealth(
                source=to_source(row),
                extraction=extraction.get(row.id, {}),
                failed_entries=failures.get(row.id, 0),
                learned_boilerplate=learned.get(row.id, 0),
                body_selector=row.body_selector,
                drop_selectors=json.loads(row.drop_selectors or "[]"),
                boilerplate_learned_at=row.boilerplate_learned_at,
            )
            for row in self.session.scalars(select(SourceRow).where(*only(SourceRow.id)).order_by(SourceRow.domain))
        ]

    def get(self, source_id: int) -> Source | None:
        row = self.session.get(SourceRow, source_id)
        return to_source(row) if row else None

    def list_all(self) -> list[Source]:
        """Every publisher by name, for filters (no counts: those cost a scan of the archive)."""
        return [to_source(row) for row in self.session.scalars(select(SourceRow).order_by(SourceRow.name, SourceRow.id))]
