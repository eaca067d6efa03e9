from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from newsloom.store._upsert import insert_ignoring_conflicts
from newsloom.store.models import ArticleEntityRow, ArticleHashtagRow, ArticleRow, EnrichmentRow, EntityRow, utcnow
from newsloom.store.records import ArticleEntityRecord


class EnrichmentRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def replace_entities(
        self,
        article_id: int,
        entities: list[tuple[str, str, str, int, float]],
        hashtags: list[str],
        *,
        model: str,
        model_version: str,
        status: str,
        reason: str | None,
    ) -> None:
        """All of one article's entities and hashtags at once: running it again changes nothing."""
        self.session.execute(delete(ArticleEntityRow).where(ArticleEntityRow.article_id == article_id))
        self.session.execute(delete(ArticleHashtagRow).where(ArticleHashtagRow.article_id == article_id))
        for kind, name, key, mentions, salience in entities:
            self.session.execute(
                insert_ignoring_conflicts(self.session, EntityRow)
                .values(kind=kind, name=name[:300], key=key[:300])
                .on_conflict_do_nothing(index_elements=["kind", "key"])
            )
            entity_id = self.session.scalar(select(EntityRow.id).where(EntityRow.kind == kind, EntityRow.key == key[:300]))
            self.session.add(ArticleEntityRow(article_id=article_id, entity_id=entity_id, mentions=mentions, salience=salience))
        self.session.add_all(ArticleHashtagRow(article_id=article_id, tag=tag, rank=rank) for rank, tag in enumerate(hashtags))
        self.session.merge(
            EnrichmentRow(
                article_id=article_id, kind="entities", model=model, model_version=model_version,
                status=status, reason=reason, computed_at=utcnow(),
            )  # fmt: skip
        )

    def entities(self, article_id: int) -> list[ArticleEntityRecord]:
        rows = self.session.execute(
            select(EntityRow.id, EntityRow.kind, EntityRow.name, ArticleEntityRow.mentions, ArticleEntityRow.salience)
            .join(ArticleEntityRow, ArticleEntityRow.entity_id == EntityRow.id)
            .where(ArticleEntityRow.article_id == article_id)
            .order_by(ArticleEntityRow.salience.desc(), EntityRow.name)
        )
        return [ArticleEntityRecord(*row) for row in rows]

    def hashtags(self, article_id: int) -> list[str]:
        return list(
            self.session.scalars(
                select(ArticleHashtagRow.tag).where(ArticleHashtagRow.article_id == article_id).order_by(ArticleHashtagRow.rank)
            )
        )

    def article_ids(self, only_missing: bool, created_before: datetime | None = None, limit: int | None = None) -> list[int]:
        statement = select(ArticleRow.id).order_by(ArticleRow.id).limit(limit)
        if only_missing:
            done = select(EnrichmentRow.article_id).where(EnrichmentRow.kind == "entities")
            statement = statement.where(ArticleRow.id.notin_(done))
        if created_before is not None:
            statement = statement.where(ArticleRow.created_at < created_before)
        return list(self.session.scalars(statement))
