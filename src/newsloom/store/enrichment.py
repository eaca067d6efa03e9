from __future__ import annotations

import json
from datetime import datetime

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from newsloom.names import better_spelling
from newsloom.store._upsert import insert_ignoring_conflicts
from newsloom.store.models import (
    ArticleDigestRow,
    ArticleEmbeddingRow,
    ArticleEntityRow,
    ArticleHashtagRow,
    ArticleQuoteRow,
    ArticleRow,
    EnrichmentRow,
    EntityRow,
    utcnow,
)
from newsloom.store.pages import PageRepository
from newsloom.store.records import (
    ArticleEntityRecord,
    AttributedQuote,
    DigestRecord,
    EnrichmentStatus,
    Entity,
    QuoteRecord,
)
from newsloom.store.vectors import VectorRepository

# Written together by one enrichment, in one transaction; the last one marks it complete.
KINDS = ("entities", "quotes", "digest", "embedding")


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
            entity_id, stored_name = self.session.execute(
                select(EntityRow.id, EntityRow.name).where(EntityRow.kind == kind, EntityRow.key == key[:300])
            ).one()
            if better_spelling(stored_name, name):
                self.session.execute(update(EntityRow).where(EntityRow.id == entity_id).values(name=name[:300]))
            self.session.add(ArticleEntityRow(article_id=article_id, entity_id=entity_id, mentions=mentions, salience=salience))
        self.session.add_all(ArticleHashtagRow(article_id=article_id, tag=tag, rank=rank) for rank, tag in enumerate(hashtags))
        self.record_status(article_id, "entities", model=model, model_version=model_version, status=status, reason=reason)

    def record_status(self, article_id: int, kind: str, *, model: str, model_version: str, status: str, reason: str | None) -> None:
        PageRepository(self.session).drop(article_id)  # every enrichment result is recorded with its status
        self.session.merge(
            EnrichmentRow(
                article_id=article_id, kind=kind, model=model, model_version=model_version,
                status=status, reason=reason, computed_at=utcnow(),
            )  # fmt: skip
        )

    def replace_quotes(self, article_id: int, quotes: list[tuple[str, str, str, str | None, str | None, int]]) -> None:
        """(text, speaker, speaker_key, affiliation, cue, offset) in reading order."""
        self.session.execute(delete(ArticleQuoteRow).where(ArticleQuoteRow.article_id == article_id))
        self.session.add_all(
            ArticleQuoteRow(
                article_id=article_id, position=position, text=text, speaker=speaker[:300], speaker_key=key[:300],
                affiliation=affiliation[:500] if affiliation else None, cue=cue[:50] if cue else None, start_offset=offset,
            )  # fmt: skip
            for position, (text, speaker, key, affiliation, cue, offset) in enumerate(quotes)
        )

    def replace_digest(self, article_id: int, summary: list[str], key_points: list[str]) -> None:
        self.session.merge(ArticleDigestRow(article_id=article_id, summary=json.dumps(summary), key_points=json.dumps(key_points)))

    def replace_embedding(self, article_id: int, model: str, vector: bytes | None) -> None:
        """A new row (and `seq`) on every write, so that indexes see the change; no vector is
        written as an empty one, which tells indexes to drop the article."""
        self.session.execute(delete(ArticleEmbeddingRow).where(ArticleEmbeddingRow.article_id == article_id))
        self.session.add(ArticleEmbeddingRow(article_id=article_id, model=model, vector=vector or b""))
        VectorRepository(self.session).put_article(article_id, vector)

    def quotes(self, article_id: int) -> list[QuoteRecord]:
        rows = self.session.execute(
            select(ArticleQuoteRow.text, ArticleQuoteRow.speaker, ArticleQuoteRow.affiliation, ArticleQuoteRow.cue)
            .where(ArticleQuoteRow.article_id == article_id)
            .order_by(ArticleQuoteRow.position)
        )
        return [QuoteRecord(*row) for row in rows]

    def digest(self, article_id: int) -> DigestRecord | None:
        row = self.session.get(ArticleDigestRow, article_id)
        return DigestRecord(json.loads(row.summary), json.loads(row.key_points)) if row else None

    def statuses(self, article_id: int) -> list[EnrichmentStatus]:
        rows = self.session.scalars(select(EnrichmentRow).where(EnrichmentRow.article_id == article_id).order_by(EnrichmentRow.kind))
        return [EnrichmentStatus(r.kind, r.model, r.model_version, r.status, r.reason, r.computed_at) for r in rows]

    def embedding(self, article_id: int) -> bytes | None:
        vector = self.session.scalar(select(ArticleEmbeddingRow.vector).where(ArticleEmbeddingRow.article_id == article_id))
        return vector or None

    def embeddings_since(self, seq: int, limit: int = 10_000) -> list[tuple[int, int, bytes]]:
        """(seq, article_id, vector) written after `seq`, oldest first; an empty vector means removed."""
        rows = self.session.execute(
            select(ArticleEmbeddingRow.seq, ArticleEmbeddingRow.article_id, ArticleEmbeddingRow.vector)
            .where(ArticleEmbeddingRow.seq > seq)
            .order_by(ArticleEmbeddingRow.seq)
            .limit(limit)
        )
        return [(row[0], row[1], row[2]) for row in rows]

    def entities(self, article_id: int) -> list[ArticleEntityRecord]:
        """The article's entities, most salient first."""
        return self.entities_of([article_id]).get(article_id, [])

    def entities_of(self, article_ids: list[int]) -> dict[int, list[ArticleEntityRecord]]:
        """`entities` for many articles at once, in chunks that keep under SQL's limit on
        bound parameters."""
        found: dict[int, list[ArticleEntityRecord]] = {}
        chunk = 500  # older SQLite builds bind at most 999 parameters
        for start in range(0, len(article_ids), chunk):
            rows = self.session.execute(
                select(ArticleEntityRow.article_id, EntityRow.id, EntityRow.kind, EntityRow.name, ArticleEntityRow.mentions,
                       ArticleEntityRow.salience)
                .join(ArticleEntityRow, ArticleEntityRow.entity_id == EntityRow.id)
                .where(ArticleEntityRow.article_id.in_(article_ids[start : start + chunk]))
                .order_by(ArticleEntityRow.article_id, ArticleEntityRow.salience.desc(), EntityRow.name)
            )  # fmt: skip
            for article_id, *entity in rows:
                found.setdefault(article_id, []).append(ArticleEntityRecord(*entity))
        return found

    def hashtags(self, article_id: int) -> list[str]:
        return list(
            self.session.scalars(
                select(ArticleHashtagRow.tag).where(ArticleHashtagRow.article_id == article_id).order_by(ArticleHashtagRow.rank)
            )
        )

    def is_enriched(self, article_id: int) -> bool:
        """Whether the article's enrichment finished (its last kind is written with the rest)."""
        return self.session.get(EnrichmentRow, (article_id, KINDS[-1])) is not None

    def article_ids(self, only_missing: bool, created_before: datetime | None = None, limit: int | None = None) -> list[int]:
        statement = select(ArticleRow.id).order_by(ArticleRow.id).limit(limit)
        if only_missing:
            done = select(EnrichmentRow.article_id).where(EnrichmentRow.kind == KINDS[-1])
            statement = statement.where(ArticleRow.id.notin_(done))
        if created_before is not None:
            statement = statement.where(ArticleRow.created_at < created_before)
        return list(self.session.scalars(statement))

    def entity(self, entity_id: int) -> Entity | None:
        row = self.session.get(EntityRow, entity_id)
        if row is None:
            return None
        count = self.session.scalar(select(func.count()).where(ArticleEntityRow.entity_id == entity_id)) or 0
        return Entity(row.id, row.kind, row.name, count)

    def quotes_by(self, entity_id: int, limit: int = 20) -> list[AttributedQuote]:
        """What a person was quoted saying, newest article first (quotes name speakers by the entity's key)."""
        entity = self.session.get(EntityRow, entity_id)
        if entity is None or entity.kind != "person":
            return []
        rows = self.session.execute(
            select(ArticleQuoteRow.text, ArticleQuoteRow.speaker, ArticleQuoteRow.affiliation, ArticleQuoteRow.cue,
                   ArticleRow.id, ArticleRow.title, ArticleRow.sort_at)  # fmt: skip
            .join(ArticleRow, ArticleRow.id == ArticleQuoteRow.article_id)
            .where(ArticleQuoteRow.speaker_key == entity.key)
            .order_by(ArticleRow.sort_at.desc(), ArticleQuoteRow.position)
            .limit(limit)
        )
        return [AttributedQuote(QuoteRecord(*row[:4]), row[4], row[5], row[6]) for row in rows]

    def popular_tags(self, since: datetime, limit: int = 12) -> list[tuple[str, int]]:
        """The hashtags most articles since `since` carry, for the home page's filter."""
        count = func.count().label("articles")
        recent = select(ArticleRow.id).where(ArticleRow.sort_at >= since, ArticleRow.duplicate_of.is_(None))
        rows = self.session.execute(
            select(ArticleHashtagRow.tag, count)
            .where(ArticleHashtagRow.article_id.in_(recent))  # a join lets SQLite walk every tag instead
            .group_by(ArticleHashtagRow.tag)
            .order_by(count.desc(), ArticleHashtagRow.tag)
            .limit(limit)
        )
        return [(row[0], row[1]) for row in rows]

    # --- a story's members at once ------------------------------------------------

    def quotes_in(self, article_ids: list[int]) -> list[tuple[int, str, QuoteRecord]]:
        """(article id, speaker key, quote) of these articles, in reading order."""
        if not article_ids:
            return []
        rows = self.session.execute(
            select(ArticleQuoteRow.article_id, ArticleQuoteRow.speaker_key, ArticleQuoteRow.text, ArticleQuoteRow.speaker,
                   ArticleQuoteRow.affiliation, ArticleQuoteRow.cue)  # fmt: skip
            .where(ArticleQuoteRow.article_id.in_(article_ids))
            .order_by(ArticleQuoteRow.article_id, ArticleQuoteRow.position)
        )
        return [(row[0], row[1], QuoteRecord(*row[2:])) for row in rows]

    def entities_in(self, article_ids: list[int], limit: int = 20) -> list[tuple[Entity, int]]:
        """The entities most of these articles mention, with how many articles do."""
        if not article_ids:
            return []
        articles = func.count().label("articles")
        rows = self.session.execute(
            select(EntityRow.id, EntityRow.kind, EntityRow.name, articles)
            .join(ArticleEntityRow, ArticleEntityRow.entity_id == EntityRow.id)
            .where(ArticleEntityRow.article_id.in_(article_ids))
            .group_by(EntityRow.id, EntityRow.kind, EntityRow.name)
            .order_by(articles.desc(), EntityRow.name)
            .limit(limit)
        )
        return [(Entity(row[0], row[1], row[2], row[3]), row[3]) for row in rows]

    def summaries_of(self, article_ids: list[int]) -> dict[int, list[str]]:
        if not article_ids:
            return {}
        rows = self.session.execute(
            select(ArticleDigestRow.article_id, ArticleDigestRow.summary).where(ArticleDigestRow.article_id.in_(article_ids))
        )
        return {row[0]: json.loads(row[1]) for row in rows}
