from __future__ import annotations

import base64
import re
from dataclasses import asdict
from datetime import datetime, timedelta

from sqlalchemy import and_, bindparam, column, func, or_, select, table, text, update
from sqlalchemy.orm import Session

from newsloom.store.models import ArticleEntityRow, ArticleHashtagRow, ArticleRow, SourceRow
from newsloom.store.records import Article, ArticlePage, NewArticle, SearchFilters, SearchHit, SearchPage
from newsloom.store.sources import to_source

# A publish date this far past the fetch time is a publisher's clock or
# timezone error; such articles sort by when we fetched them instead.
FUTURE_DATE_TOLERANCE = timedelta(hours=1)

# Search snippets mark matched words with these private-use characters; the page
# escapes the text first and only then turns them into <mark>, so no markup passes.
SNIPPET_START, SNIPPET_END = "\ue000", "\ue001"
_FTS = table("articles_fts", column("rowid"))


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

    def page(
        self, limit: int, cursor: str | None = None, source_id: int | None = None, *, tag: str | None = None,
        entity_id: int | None = None,
    ) -> ArticlePage:  # fmt: skip
        """Newest first, keyset-paginated so deep pages cost the same as the first."""
        statement = (
            select(ArticleRow)
            .where(ArticleRow.duplicate_of.is_(None))  # near copies are listed once, under their primary
            .order_by(ArticleRow.sort_at.desc(), ArticleRow.id.desc())
            .limit(limit + 1)
        )
        if source_id is not None:
            statement = statement.where(ArticleRow.source_id == source_id)
        if tag is not None:
            statement = statement.where(ArticleRow.id.in_(select(ArticleHashtagRow.article_id).where(ArticleHashtagRow.tag == tag)))
        if entity_id is not None:
            statement = statement.where(
                ArticleRow.id.in_(select(ArticleEntityRow.article_id).where(ArticleEntityRow.entity_id == entity_id))
            )
        if cursor:
            sort_at, article_id = decode_cursor(cursor)
            statement = statement.where(
                or_(ArticleRow.sort_at < sort_at, and_(ArticleRow.sort_at == sort_at, ArticleRow.id < article_id))
            )
        rows = list(self.session.scalars(statement))
        next_cursor = encode_cursor(rows[limit - 1].sort_at, rows[limit - 1].id) if len(rows) > limit else None
        return ArticlePage(articles=[self._to_article(row) for row in rows[:limit]], next_cursor=next_cursor)

    def neighbours(self, article: Article) -> tuple[int | None, int | None]:
        """The listed articles just newer and just older than `article`, for next/previous links."""
        listed = ArticleRow.duplicate_of.is_(None)
        at, own_id = article.sort_at, article.id
        newer = self.session.scalar(
            select(ArticleRow.id)
            .where(listed, or_(ArticleRow.sort_at > at, and_(ArticleRow.sort_at == at, ArticleRow.id > own_id)))
            .order_by(ArticleRow.sort_at.asc(), ArticleRow.id.asc())
            .limit(1)
        )
        older = self.session.scalar(
            select(ArticleRow.id)
            .where(listed, or_(ArticleRow.sort_at < at, and_(ArticleRow.sort_at == at, ArticleRow.id < own_id)))
            .order_by(ArticleRow.sort_at.desc(), ArticleRow.id.desc())
            .limit(1)
        )
        return newer, older

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
        return [hit.article.id for hit in self.search(query, SearchFilters(), limit=limit).hits]

    def search(
        self, query: str, filters: SearchFilters, *, by_date: bool = False, limit: int = 20, offset: int = 0
    ) -> SearchPage:
        """Listed articles matching every word of `query`, most relevant (or newest) first, with snippets."""
        sqlite = self.session.get_bind().dialect.name == "sqlite"
        match = fts5_query(query) if sqlite else query.strip()
        if not match:
            return SearchPage([], has_more=False)
        if sqlite:
            statement = (
                select(ArticleRow.id)
                .join(_FTS, _FTS.c.rowid == ArticleRow.id)
                .where(text("articles_fts MATCH :match"))
                .order_by(text("bm25(articles_fts, 10.0, 1.0)"))
            )
        else:
            statement = (
                select(ArticleRow.id)
                .where(text("search_vector @@ websearch_to_tsquery('english', :match)"))
                .order_by(text("ts_rank_cd(search_vector, websearch_to_tsquery('english', :match)) DESC"))
            )
        if by_date:
            statement = statement.order_by(None).order_by(ArticleRow.sort_at.desc())
        statement = self._filtered(statement.where(ArticleRow.duplicate_of.is_(None)), filters)
        ids = list(self.session.scalars(statement.order_by(ArticleRow.id.desc()).limit(limit + 1).offset(offset), {"match": match}))
        has_more, ids = len(ids) > limit, ids[:limit]
        snippets = self._snippets(ids, match, sqlite)
        articles = self.get_many(ids)
        return SearchPage([SearchHit(articles[i], snippets.get(i, "")) for i in ids if i in articles], has_more)

    def _filtered(self, statement, filters: SearchFilters):  # type: ignore[no-untyped-def]
        if filters.source_domain:
            source = select(SourceRow.id).where(SourceRow.domain == filters.source_domain).scalar_subquery()
            statement = statement.where(ArticleRow.source_id == source)
        if filters.tag:
            statement = statement.where(
                ArticleRow.id.in_(select(ArticleHashtagRow.article_id).where(ArticleHashtagRow.tag == filters.tag))
            )
        if filters.since:
            statement = statement.where(ArticleRow.sort_at >= filters.since)
        if filters.until:
            statement = statement.where(ArticleRow.sort_at < filters.until)
        return statement

    def _snippets(self, ids: list[int], match: str, sqlite: bool) -> dict[int, str]:
        """Only for the page shown: highlighting is the expensive part of a search."""
        if not ids:
            return {}
        marks = {"start": SNIPPET_START, "end": SNIPPET_END}
        if sqlite:
            rows = self.session.execute(
                text(
                    "SELECT rowid, snippet(articles_fts, 1, :start, :end, '…', 40) FROM articles_fts "
                    "WHERE articles_fts MATCH :match AND rowid IN :ids"
                ).bindparams(bindparam("ids", expanding=True)),
                {"match": match, "ids": ids, **marks},
            )
        else:
            rows = self.session.execute(
                text(
                    "SELECT id, ts_headline('english', text, websearch_to_tsquery('english', :match), "
                    "'StartSel=' || :start || ', StopSel=' || :end || ', MaxFragments=2, MaxWords=35, MinWords=15, "
                    "FragmentDelimiter=\" … \"') FROM articles WHERE id IN :ids"
                ).bindparams(bindparam("ids", expanding=True)),
                {"match": match, "ids": ids, **marks},
            )
        return {row[0]: row[1] for row in rows}

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
