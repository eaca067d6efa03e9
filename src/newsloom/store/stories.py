from __future__ import annotations

import json
from dataclasses import replace
from datetime import datetime

from sqlalchemy import func, or_, select, text, tuple_, update
from sqlalchemy.orm import Session

from newsloom.store.articles import ArticleRepository
from newsloom.store.enrichment import EnrichmentRepository
from newsloom.store.models import ArticleEmbeddingRow, ArticleRow, EnrichmentRow, SourceRow, StoryRow, utcnow
from newsloom.store.pages import PageRepository
from newsloom.store.records import Article, Source, StoryMember, StoryState, StorySummary
from newsloom.store.sources import to_source
from newsloom.store.vectors import VectorRepository


class StoryRepository:
    """Stories and their members. Writers lock the story row they change (PostgreSQL
    `FOR UPDATE`; SQLite writers are serialised already), so concurrent workers never
    lose each other's members."""

    def __init__(self, session: Session) -> None:
        self.session = session

    # --- the clusterer's state ------------------------------------------------

    def within(self, since: datetime, until: datetime | None = None) -> list[StoryState]:
        """Stories (not merged away) with an article between `since` and `until`."""
        query = select(StoryRow).where(StoryRow.last_at >= since, StoryRow.merged_into_id.is_(None))
        if until is not None:
            query = query.where(StoryRow.first_at <= until)
        rows = self.session.scalars(query.order_by(StoryRow.id))
        return [_state(row) for row in rows]

    def changed_since(self, moment: datetime, limit: int = 10_000) -> list[tuple[int, datetime, datetime, int | None]]:
        """(id, written at, last article time, merged into) of stories written at or after
        `moment`, merged ones too so readers can drop them. A reader whose copy was written at
        the same time holds the story as it is, so only the others are loaded whole (`states`)."""
        rows = self.session.execute(
            select(StoryRow.id, StoryRow.updated_at, StoryRow.last_at, StoryRow.merged_into_id)
            .where(StoryRow.updated_at >= moment)
            .order_by(StoryRow.updated_at, StoryRow.id)
            .limit(limit)
        )
        return [(row[0], row[1], row[2], row[3]) for row in rows]

    def states(self, story_ids: list[int]) -> list[StoryState]:
        return [_state(row) for row in self.session.scalars(select(StoryRow).where(StoryRow.id.in_(story_ids)))] if story_ids else []

    def lock(self, story_id: int) -> StoryState | None:
        row = self.session.scalar(select(StoryRow).where(StoryRow.id == story_id).with_for_update())
        return _state(row) if row is not None else None

    def create(self, vector_sum: bytes, terms: dict[str, int], article_count: int, first_at: datetime, last_at: datetime,
               headline_article_id: int | None) -> StoryState:  # fmt: skip
        now = utcnow()
        row = StoryRow(
            vector_sum=vector_sum, terms=json.dumps(terms), article_count=article_count, first_at=first_at,
            last_at=last_at, headline_article_id=headline_article_id, created_at=now, updated_at=now,
        )  # fmt: skip
        self.session.add(row)
        self.session.flush()
        VectorRepository(self.session).put_story(row.id, vector_sum, first_at, last_at)
        return _state(row)

    def save(self, story_id: int, vector_sum: bytes, terms: dict[str, int], article_count: int, first_at: datetime,
             last_at: datetime, headline_article_id: int | None) -> StoryState:  # fmt: skip
        row = self.session.get(StoryRow, story_id)
        assert row is not None
        row.vector_sum, row.terms, row.article_count = vector_sum, json.dumps(terms), article_count
        row.first_at, row.last_at, row.headline_article_id, row.updated_at = first_at, last_at, headline_article_id, utcnow()
        self.session.flush()
        VectorRepository(self.session).put_story(story_id, vector_sum, first_at, last_at)
        return _state(row)

    def hold_all(self) -> None:
        """Keeps every other writer away from the stories until this transaction ends, for a
        rebuild: on PostgreSQL it waits for those holding a story row and makes the next ones
        wait (readers go on); SQLite's write transaction holds the whole database already."""
        if self.session.get_bind().dialect.name == "postgresql":
            self.session.execute(text(f"LOCK TABLE {StoryRow.__tablename__} IN EXCLUSIVE MODE"))

    def touch(self, story_ids: list[int]) -> None:
        """Marks the stories written now, at the end of a long transaction: readers catching
        up after it commits look for stories written since their last look, and the time
        each row got at the start of the transaction may be older than that."""
        ids, now = sorted(set(story_ids)), utcnow()
        for start in range(0, len(ids), 500):  # older SQLite builds bind at most 999 parameters
            self.session.execute(update(StoryRow).where(StoryRow.id.in_(ids[start : start + 500])).values(updated_at=now))

    def claim(self, article_id: int) -> int | None:
        """The article's story, with its row locked until commit: two workers placing the same
        article take turns, and the second sees the first's story (READ COMMITTED re-reads a
        locked row) instead of adding the article to a story a second time."""
        return self.session.scalar(select(ArticleRow.story_id).where(ArticleRow.id == article_id).with_for_update())

    def unassigned(self, enriched_before: datetime, limit: int = 500) -> list[int]:
        """Articles enriched before `enriched_before` that are in no story yet, oldest first."""
        enriched = select(EnrichmentRow.article_id).where(EnrichmentRow.kind == "embedding", EnrichmentRow.computed_at < enriched_before)
        return list(
            self.session.scalars(
                select(ArticleRow.id)
                .where(ArticleRow.story_id.is_(None), ArticleRow.id.in_(enriched))
                .order_by(ArticleRow.sort_at, ArticleRow.id)
                .limit(limit)
            )
        )

    def join(self, article_id: int, story_id: int) -> None:
        PageRepository(self.session).drop(article_id)  # its page links its story
        self.session.execute(update(ArticleRow).where(ArticleRow.id == article_id).values(story_id=story_id))

    def merge(self, keep_id: int, gone_id: int) -> int:
        """Moves the members of `gone_id` (and links to it) to `keep_id`; returns how many moved."""
        moved = self.session.execute(update(ArticleRow).where(ArticleRow.story_id == gone_id).values(story_id=keep_id)).rowcount
        self.session.execute(update(StoryRow).where(StoryRow.merged_into_id == gone_id).values(merged_into_id=keep_id))
        self.session.execute(update(StoryRow).where(StoryRow.id == gone_id).values(merged_into_id=keep_id, updated_at=utcnow()))
        VectorRepository(self.session).drop_story(gone_id)
        return moved or 0

    def member_outlines(self, story_id: int, limit: int) -> list[StoryMember]:
        """Its articles' titles, times, embeddings and entities, oldest first, at most `limit`."""
        return [outline for _, outline in self._outlines(ArticleRow.story_id == story_id, limit)]

    def placements(self) -> dict[int, int]:
        """The story of every article in one, by article id."""
        rows = self.session.execute(select(ArticleRow.id, ArticleRow.story_id).where(ArticleRow.story_id.is_not(None)))
        return {row[0]: row[1] for row in rows}

    def placed_outlines(self) -> list[tuple[int, StoryMember]]:
        """Every article in a story, with its story's id, oldest first: what a rebuild reads."""
        return self._outlines(ArticleRow.story_id.is_not(None))

    def _outlines(self, where, limit: int | None = None) -> list[tuple[int, StoryMember]]:  # type: ignore[no-untyped-def]
        rows = self.session.execute(
            select(ArticleRow.story_id, ArticleRow.id, ArticleRow.title, ArticleRow.sort_at, ArticleRow.duplicate_of,
                   ArticleEmbeddingRow.vector)
            .outerjoin(ArticleEmbeddingRow, ArticleEmbeddingRow.article_id == ArticleRow.id)
            .where(where)
            .order_by(ArticleRow.sort_at, ArticleRow.id)
            .limit(limit)
        )  # fmt: skip
        outlines = [(row[0], StoryMember(row[1], row[2], row[3], row[4], row[5] or None)) for row in rows]
        entities = EnrichmentRepository(self.session).entities_of([outline.article_id for _, outline in outlines])
        return [(story_id, replace(outline, entities=tuple(entities.get(outline.article_id, ())))) for story_id, outline in outlines]

    def move(self, article_ids: list[int], from_id: int, to_id: int) -> int:
        """Moves those of the articles still in `from_id` to `to_id`; returns how many moved."""
        PageRepository(self.session).drop(*article_ids)
        moved = self.session.execute(
            update(ArticleRow).where(ArticleRow.id.in_(article_ids), ArticleRow.story_id == from_id).values(story_id=to_id)
        ).rowcount
        return moved or 0

    # --- what readers see -------------------------------------------------------

    def get(self, story_id: int) -> StoryState | None:
        row = self.session.get(StoryRow, story_id)
        return _state(row) if row is not None else None

    def members(self, story_id: int, limit: int = 500) -> list[Article]:
        """Its articles, oldest first (the timeline), near copies included."""
        ids = list(
            self.session.scalars(
                select(ArticleRow.id).where(ArticleRow.story_id == story_id).order_by(ArticleRow.sort_at, ArticleRow.id).limit(limit)
            )
        )
        articles = ArticleRepository(self.session).get_many(ids)
        return [articles[i] for i in ids if i in articles]

    def extent(self, story_id: int) -> tuple[int, datetime | None, datetime | None]:
        """How many articles the story holds, and its first and its last article's time."""
        count, first_at, last_at = self.session.execute(
            select(func.count(), func.min(ArticleRow.sort_at), func.max(ArticleRow.sort_at)).where(ArticleRow.story_id == story_id)
        ).one()
        return count, first_at, last_at

    def outlets(self, story_id: int) -> list[tuple[Source, int, datetime]]:
        """Each outlet of the story (a syndicated copy counts for its original publisher), with
        its number of articles and its first article's time."""
        outlet = func.coalesce(ArticleRow.original_source_id, ArticleRow.source_id)
        rows = self.session.execute(
            select(outlet, func.count(), func.min(ArticleRow.sort_at)).where(ArticleRow.story_id == story_id).group_by(outlet)
        ).all()
        named = {row.id: to_source(row) for row in self.session.scalars(select(SourceRow).where(SourceRow.id.in_([r[0] for r in rows])))}
        return [(named[source_id], count, first_at) for source_id, count, first_at in rows if source_id in named]

    def timeline(self, story_id: int, offset: int, limit: int) -> tuple[list[Article], dict[int, list[Article]], int]:
        """A page of the story's originals, oldest first, the near copies of each, and how many
        originals the story holds. An article is an original here unless it copies another
        article of the story."""
        in_story = select(ArticleRow.id).where(ArticleRow.story_id == story_id)
        original = (ArticleRow.story_id == story_id, or_(ArticleRow.duplicate_of.is_(None), ArticleRow.duplicate_of.not_in(in_story)))
        total = self.session.scalar(select(func.count()).select_from(ArticleRow).where(*original)) or 0
        ids = list(self.session.scalars(
            select(ArticleRow.id).where(*original).order_by(ArticleRow.sort_at, ArticleRow.id).offset(offset).limit(limit)
        ))  # fmt: skip
        copy_ids = list(self.session.scalars(
            select(ArticleRow.id).where(ArticleRow.story_id == story_id, ArticleRow.duplicate_of.in_(ids))
            .order_by(ArticleRow.sort_at, ArticleRow.id)
        )) if ids else []  # fmt: skip
        articles = ArticleRepository(self.session).get_many(ids + copy_ids)
        copies: dict[int, list[Article]] = {}
        for copy_id in copy_ids:
            if copy_id in articles:
                copies.setdefault(articles[copy_id].duplicate_of, []).append(articles[copy_id])  # type: ignore[arg-type]
        return [articles[i] for i in ids if i in articles], copies, total

    def summaries(self, story_ids: list[int], recent_since: datetime | None = None) -> list[StorySummary]:
        """Stories in the given order with their headline article, article and source counts."""
        if not story_ids:
            return []
        rows = {row.id: row for row in self.session.scalars(select(StoryRow).where(StoryRow.id.in_(story_ids)))}
        counts = {
            story_id: (articles, sources)
            for story_id, articles, sources in self.session.execute(
                select(ArticleRow.story_id, func.count(), func.count(func.distinct(ArticleRow.source_id)))
                .where(ArticleRow.story_id.in_(story_ids))
                .group_by(ArticleRow.story_id)
            )
        }
        recent: dict[int, int] = {}
        if recent_since is not None:
            recent = dict(
                self.session.execute(  # type: ignore[arg-type]
                    select(ArticleRow.story_id, func.count())
                    .where(ArticleRow.story_id.in_(story_ids), ArticleRow.sort_at >= recent_since)
                    .group_by(ArticleRow.story_id)
                ).all()
            )
        headline_ids = [row.headline_article_id for row in rows.values() if row.headline_article_id]
        headlines = ArticleRepository(self.session).get_many(headline_ids)
        return [
            StorySummary(
                id=story_id, headline=headlines.get(rows[story_id].headline_article_id or -1),
                article_count=counts.get(story_id, (0, 0))[0], source_count=counts.get(story_id, (0, 0))[1],
                first_at=rows[story_id].first_at, last_at=rows[story_id].last_at, recent_count=recent.get(story_id, 0),
            )  # fmt: skip
            for story_id in story_ids
            if story_id in rows
        ]

    def recent_ids(self, since: datetime, limit: int = 500) -> list[int]:
        """Stories with an article since `since`, most recently updated first."""
        return list(
            self.session.scalars(
                select(StoryRow.id)
                .where(StoryRow.last_at >= since, StoryRow.merged_into_id.is_(None))
                .order_by(StoryRow.last_at.desc(), StoryRow.id.desc())
                .limit(limit)
            )
        )

    def newest_ids(self, limit: int, before: tuple[datetime, int] | None = None) -> list[int]:
        query = select(StoryRow.id).where(StoryRow.merged_into_id.is_(None))
        if before is not None:
            query = query.where(tuple_(StoryRow.last_at, StoryRow.id) < before)
        return list(self.session.scalars(query.order_by(StoryRow.last_at.desc(), StoryRow.id.desc()).limit(limit)))


def _state(row: StoryRow) -> StoryState:
    return StoryState(
        id=row.id, vector_sum=row.vector_sum, terms=json.loads(row.terms), article_count=row.article_count,
        first_at=row.first_at, last_at=row.last_at, headline_article_id=row.headline_article_id,
        merged_into_id=row.merged_into_id, updated_at=row.updated_at,
    )  # fmt: skip
