from __future__ import annotations

import base64
import re
from dataclasses import asdict
from datetime import datetime, timedelta

from sqlalchemy import and_, func, or_, select, text, update
from sqlalchemy.orm import Session

from newsloom.store.models import ArticleRow, SourceRow
from newsloom.store.records import Article, ArticlePage, NewArticle
from newsloom.store.sources import to_source

# A publish date this far past the fetch time is a publisher's clock or
# timezone error; such articles sort by when we fetched them instead.
FUTURE_DATE_TOLERANCE = timedelta(hours=1)


class InvalidCursorError(ValueError):
    pass


def encode_cursor(sort_at: datetime, article_id: int) -> str:
    return base64.urlsafe_b64encode(f"{sort_at.isoformat()}|{article_id}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, int]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        stamp, article_id = raw.split("|")
        return datetime.fromisoformat(stamp), int(article_id)
    except (ValueError, UnicodeDecodeError) as error:
        raise InvalidCursorError(f"invalid cursor: {cursor!r}") from error


def fts5_query(user_query: str) -> str:
    """Every word as a quoted FTS5 string: user input can never be FTS5 syntax."""
    words = re.findall(r"\w+", user_query)
    return " ".join(f'"{word}"' for word in words)


class ArticleRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def find_duplicate(self, canonical_url: str, content_hash: str | None) -> int | None:
        condition = ArticleRow.canonical_url == canonical_url
        if content_hash:
            condition = or_(condition, ArticleRow.content_hash == content_hash)
        return self.session.scalar(select(ArticleRow.id).where(condition).order_by(ArticleRow.id).limit(1))

    def insert(self, article: NewArticle) -> int:
        sort_at = article.fetched_at
        if article.published_at and article.published_at <= article.fetched_at + FUTURE_DATE_TOLERANCE:
            sort_at = article.published_at
        row = ArticleRow(**asdict(article), sort_at=sort_at)
        self.session.add(row)
        self.session.flush()
        return row.id

    def get(self, article_id: int) -> Article | None:
        row = self.session.get(ArticleRow, article_id)
        return self._to_article(row) if row else None

    def get_many(self, article_ids: list[int]) -> dict[int, Article]:
        rows = self.session.scalars(select(ArticleRow).where(ArticleRow.id.in_(article_ids))) if article_ids else []
        return {row.id: self._to_article(row) for row in rows}

    def count(self) -> int:
        return self.session.scalar(select(text("count(*)")).select_from(ArticleRow)) or 0

    def count_for_source(self, source_id: int) -> int:
        return self.session.scalar(select(func.count()).where(ArticleRow.source_id == source_id)) or 0

    def page(self, limit: int, cursor: str | None = None, source_id: int | None = None) -> ArticlePage:
        """Newest first, keyset-paginated so deep pages cost the same as the first."""
        statement = (
            select(ArticleRow)
            .where(ArticleRow.duplicate_of.is_(None))  # near copies are listed once, under their primary
            .order_by(ArticleRow.sort_at.desc(), ArticleRow.id.desc())
            .limit(limit + 1)
        )
        if source_id is not None:
            statement = statement.where(ArticleRow.source_id == source_id)
        if cursor:
            sort_at, article_id = decode_cursor(cursor)
            statement = statement.where(
                or_(ArticleRow.sort_at < sort_at, and_(ArticleRow.sort_at == sort_at, ArticleRow.id < article_id))
            )
        rows = list(self.session.scalars(statement))
        next_cursor = encode_cursor(rows[limit - 1].sort_at, rows[limit - 1].id) if len(rows) > limit else None
        return ArticlePage(articles=[self._to_article(row) for row in rows[:limit]], next_cursor=next_cursor)

    def recent_bodies(self, source_id: int, limit: int) -> list[tuple[int, str]]:
        rows = self.session.execute(
            select(ArticleRow.id, ArticleRow.html)
            .where(ArticleRow.source_id == source_id)
            .order_by(ArticleRow.id.desc())
            .limit(limit)
        )
        return [(row[0], row[1]) for row in rows]

    def set_original(self, article_id: int, source_id: int, url: str | None) -> None:
        self.session.execute(
            update(ArticleRow).where(ArticleRow.id == article_id).values(original_source_id=source_id, original_url=url)
        )

    def copies_of(self, article_id: int) -> list[Article]:
        rows = self.session.scalars(select(ArticleRow).where(ArticleRow.duplicate_of == article_id).order_by(ArticleRow.id))
        return [self._to_article(row) for row in rows]

    def replace_body(self, article_id: int, html: str, text: str) -> None:
        """A re-cleaned body. The content hash keeps naming the article as first stored."""
        self.session.execute(update(ArticleRow).where(ArticleRow.id == article_id).values(html=html, text=text))

    def search_ids(self, query: str, limit: int = 50) -> list[int]:
        """Article ids by full-text relevance (SQLite FTS5 or PostgreSQL tsvector)."""
        if self.session.get_bind().dialect.name == "sqlite":
            match = fts5_query(query)
            if not match:
                return []
            result = self.session.execute(
                text(
                    "SELECT rowid FROM articles_fts WHERE articles_fts MATCH :match "
                    "ORDER BY bm25(articles_fts, 10.0, 1.0) LIMIT :limit"
                ),
                {"match": match, "limit": limit},
            )
        else:
            result = self.session.execute(
                text(
                    "SELECT id FROM articles, websearch_to_tsquery('english', :query) AS query "
                    "WHERE search_vector @@ query ORDER BY ts_rank_cd(search_vector, query) DESC, id DESC LIMIT :limit"
                ),
                {"query": query, "limit": limit},
            )
        return [row[0] for row in result]

    def _to_article(self, row: ArticleRow) -> Article:
        source = self.session.get(SourceRow, row.source_id)
        original = self.session.get(SourceRow, row.original_source_id) if row.original_source_id else None
        assert source is not None
        return Article(
            id=row.id,
            url=row.url,
            canonical_url=row.canonical_url,
            title=row.title,
            author=row.author,
            published_at=row.published_at,
            fetched_at=row.fetched_at,
            sort_at=row.sort_at,
            language=row.language,
            lead_image_url=row.lead_image_url,
            html=row.html,
            text=row.text,
            content_hash=row.content_hash,
            source=to_source(source),
            original_source=to_source(original) if original else None,
            original_url=row.original_url,
            extraction_status=row.extraction_status,
            extraction_reason=row.extraction_reason,
            duplicate_of=row.duplicate_of,
        )
