"""Stored article pages (the `article_pages` table), compressed: what the web serves for an
article without rendering it again. Writes that change what an article's page shows drop it
(see `drop`'s callers), so a stored page is never older than its article's content."""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from newsloom.store._upsert import insert_ignoring_conflicts
from newsloom.store.models import ArticlePageRow, ArticleRow, EnrichmentRow


@dataclass(frozen=True)
class StoredPage:
    path: str
    version: str
    html: str
    rendered_at: datetime
    fresh_until: datetime


class PageRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def get(self, article_id: int) -> StoredPage | None:
        row = self.session.execute(
            select(
                ArticlePageRow.path, ArticlePageRow.version, ArticlePageRow.html, ArticlePageRow.rendered_at,
                ArticlePageRow.fresh_until,
            ).where(ArticlePageRow.article_id == article_id)
        ).first()
        if row is None:
            return None
        return StoredPage(row[0], row[1], zlib.decompress(row[2]).decode(), row[3], row[4])

    def put(self, article_id: int, path: str, version: str, html: str, rendered_at: datetime, fresh_until: datetime) -> bool:
        """Keeps the page rendered from what was stored at `rendered_at`; False (nothing kept)
        when the article is gone or its enrichment was recorded after that."""
        values = {
            "path": path, "version": version, "html": zlib.compress(html.encode(), 6), "rendered_at": rendered_at,
            "fresh_until": fresh_until,
        }  # fmt: skip
        statement = insert_ignoring_conflicts(self.session, ArticlePageRow).values(article_id=article_id, **values)
        exists = self.session.scalar(select(ArticleRow.id).where(ArticleRow.id == article_id))
        newer = select(EnrichmentRow.article_id).where(EnrichmentRow.article_id == article_id, EnrichmentRow.computed_at > rendered_at)
        if exists is None or self.session.scalar(newer.limit(1)) is not None:
            return False
        self.session.execute(statement.on_conflict_do_update(index_elements=["article_id"], set_=values))
        return True

    def drop(self, *article_ids: int) -> None:
        self.session.execute(delete(ArticlePageRow).where(ArticlePageRow.article_id.in_(article_ids)))

    def drop_all(self) -> int:
        return self.session.execute(delete(ArticlePageRow)).rowcount

    def readable_ids(self, after_id: int, limit: int, only_missing: bool) -> list[int]:
        """Articles with a page of their own (copies redirect to their original), in id order."""
        query = select(ArticleRow.id).where(ArticleRow.id > after_id, ArticleRow.duplicate_of.is_(None))
        if only_missing:
            query = query.where(~select(ArticlePageRow.article_id).where(ArticlePageRow.article_id == ArticleRow.id).exists())
        return list(self.session.scalars(query.order_by(ArticleRow.id).limit(limit)))

    def count(self) -> int:
        return self.session.scalar(select(func.count()).select_from(ArticlePageRow)) or 0
