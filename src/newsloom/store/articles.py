from __future__ import annotations

import base64
import re
from dataclasses import asdict
from datetime import datetime, timedelta

from sqlalchemy import bindparam, column, func, literal, literal_column, or_, select, table, text, tuple_, update
from sqlalchemy.orm import Session

from newsloom.store.models import ArticleEntityRow, ArticleHashtagRow, ArticleRow, SourceRow, UTCDateTime
from newsloom.store.pages import PageRepository
from newsloom.store.records import Article, ArticleOutline, ArticlePage, NewArticle, SearchFilters, SearchHit, SearchPage
from newsloom.store.sources import to_source

# A publish date this far past the fetch time is a publisher's clock or
# timezone error; such articles sort by when we fetched them instead.
FUTURE_DATE_TOLERANCE = timedelta(hours=1)

# Search snippets mark matched words with these private-use characters; the page
# escapes the text first and only then turns them into <mark>, so no markup passes.
SNIPPET_START, SNIPPET_END = "\ue000", "\ue001"
_FTS = table("articles_fts", column("rowid"))
RANK_WINDOW = 2000
DATE_SCAN_ABOVE = 2000


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
        rows = list(self.session.scalars(select(ArticleRow).where(ArticleRow.id.in_(article_ids)))) if article_ids else []
        return {article.id: article for article in self._to_articles(rows)}

    def outlines(self, article_ids: list[int]) -> dict[int, ArticleOutline]:
        columns = (ArticleRow.id, ArticleRow.title, ArticleRow.source_id, ArticleRow.sort_at, ArticleRow.duplicate_of,
                   ArticleRow.story_id)  # fmt: skip
        rows = self.session.execute(select(*columns).where(ArticleRow.id.in_(article_ids))) if article_ids else []
        return {row[0]: ArticleOutline(*row) for row in rows}

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
            # A row-value comparison, which both databases answer from ix_articles_sort (an OR would not).
            statement = statement.where(
                tuple_(ArticleRow.sort_at, ArticleRow.id) < tuple_(literal(sort_at, UTCDateTime), literal(article_id))
            )
        rows = list(self.session.scalars(statement))
        next_cursor = encode_cursor(rows[limit - 1].sort_at, rows[limit - 1].id) if len(rows) > limit else None
        return ArticlePage(articles=self._to_articles(rows[:limit]), next_cursor=next_cursor)

    def neighbours(self, article: Article) -> tuple[int | None, int | None]:
        """The listed articles just newer and just older than `article`, for next/previous links."""
        listed = ArticleRow.duplicate_of.is_(None)
        position, here = tuple_(ArticleRow.sort_at, ArticleRow.id), tuple_(literal(article.sort_at, UTCDateTime), literal(article.id))
        newer = self.session.scalar(
            select(ArticleRow.id).where(listed, position > here).order_by(ArticleRow.sort_at.asc(), ArticleRow.id.asc()).limit(1)
        )
        older = self.session.scalar(
            select(ArticleRow.id).where(listed, position < here).order_by(ArticleRow.sort_at.desc(), ArticleRow.id.desc()).limit(1)
        )
        return newer, older

    def recent_bodies(self, source_id: int, limit: int) -> list[tuple[int, str, str]]:
        """(id, title, html) of the source's latest articles: what its boilerplate is learned from."""
        rows = self.session.execute(
            select(ArticleRow.id, ArticleRow.title, ArticleRow.html)
            .where(ArticleRow.source_id == source_id)
            .order_by(ArticleRow.id.desc())
            .limit(limit)
        )
        return [(row[0], row[1], row[2]) for row in rows]

    def replace_title(self, article_id: int, title: str) -> None:
        """A re-cleaned headline (the full-text index follows it, as it follows the body)."""
        PageRepository(self.session).drop(article_id)
        self.session.execute(update(ArticleRow).where(ArticleRow.id == article_id).values(title=title))

    def set_original(self, article_id: int, source_id: int, url: str | None) -> None:
        PageRepository(self.session).drop(article_id)
        self.session.execute(
            update(ArticleRow).where(ArticleRow.id == article_id).values(original_source_id=source_id, original_url=url)
        )

    def copies_of(self, article_id: int) -> list[Article]:
        rows = self.session.scalars(select(ArticleRow).where(ArticleRow.duplicate_of == article_id).order_by(ArticleRow.id))
        return self._to_articles(list(rows))

    def replace_body(self, article_id: int, html: str, text: str) -> None:
        """A re-cleaned body. The content hash keeps naming the article as first stored."""
        PageRepository(self.session).drop(article_id)
        self.session.execute(update(ArticleRow).where(ArticleRow.id == article_id).values(html=html, text=text))

    def search_ids(self, query: str, limit: int = 50) -> list[int]:
        """Article ids by full-text relevance (SQLite FTS5 or PostgreSQL tsvector)."""
        return [hit.article.id for hit in self.search(query, SearchFilters(), limit=limit).hits]

    def search(
        self, query: str, filters: SearchFilters, *, by_date: bool = False, limit: int = 20, offset: int = 0
    ) -> SearchPage:
        """Listed articles matching every word of `query`, most relevant (or newest) first, with snippets.

        Ranking every match of a common word costs milliseconds per thousand rows, so relevance
        ranks the RANK_WINDOW most recently stored matches (on a 100k archive: under 20 ms instead
        of 170 ms for a word in half the articles); newest-first walks the date index instead of
        sorting when there are many matches."""
        sqlite = self.session.get_bind().dialect.name == "sqlite"
        match = fts5_query(query) if sqlite else query.strip()
        if not match:
            return SearchPage([], has_more=False)
        params = {"match": match}
        if sqlite:
            matches = text("articles_fts MATCH :match")
            stored_order = _FTS.c.rowid  # FTS5 walks its rowids either way without sorting
            statement = select(ArticleRow.id).join(_FTS, _FTS.c.rowid == ArticleRow.id).where(matches)
            rank = text("bm25(articles_fts, 10.0, 1.0)")
        else:
            matches = text("search_vector @@ websearch_to_tsquery('english', :match)")
            stored_order = ArticleRow.id
            statement = select(ArticleRow.id).where(matches)
            rank = text("ts_rank_cd(search_vector, websearch_to_tsquery('english', :match)) DESC")
        statement = self._filtered(statement.where(ArticleRow.duplicate_of.is_(None)), filters)
        if by_date:
            if sqlite and self._match_count(match, DATE_SCAN_ABOVE) > DATE_SCAN_ABOVE:
                # "+id" keeps SQLite from looking matches up by key, so it walks ix_articles_sort newest
                # first and stops after one page, instead of sorting tens of thousands of matches.
                in_matches = literal_column("+articles.id").in_(select(_FTS.c.rowid).where(matches))
                statement = self._filtered(select(ArticleRow.id).where(in_matches, ArticleRow.duplicate_of.is_(None)), filters)
            statement = statement.order_by(ArticleRow.sort_at.desc(), ArticleRow.id.desc())
            ids = list(self.session.scalars(statement.limit(limit + 1).offset(offset), params))
        else:
            every_match = select(stored_order).where(matches).order_by(stored_order.desc())
            ids = self._ranked(statement, every_match, stored_order, rank, params, limit + 1 + offset)[offset:]
        has_more, ids = len(ids) > limit, ids[:limit]
        snippets = self._snippets(ids, match, sqlite)
        articles = self.get_many(ids)
        return SearchPage([SearchHit(articles[i], snippets.get(i, "")) for i in ids if i in articles], has_more)

    def _ranked(self, statement, every_match, stored_order, rank, params: dict, wanted: int) -> list[int]:  # type: ignore[no-untyped-def]
        """The best `wanted` ids among the newest matches: RANK_WINDOW of them, four times as many
        while filters leave too few, and all of them at last."""
        window = RANK_WINDOW
        while True:
            cutoff = self.session.scalar(every_match.offset(window - 1).limit(1), params)
            bounded = statement if cutoff is None else statement.where(stored_order >= cutoff)
            ids = list(self.session.scalars(bounded.order_by(rank, ArticleRow.id.desc()).limit(wanted), params))
            if cutoff is None or len(ids) >= wanted:
                return ids
            window *= 4

    def _match_count(self, match: str, cap: int) -> int:
        """How many articles match, counting no further than `cap + 1`."""
        capped = select(_FTS.c.rowid).where(text("articles_fts MATCH :match")).limit(cap + 1).subquery()
        return self.session.scalar(select(func.count()).select_from(capped), {"match": match}) or 0

    def _filtered(self, statement, filters: SearchFilters):  # type: ignore[no-untyped-def]
        if filters.source_domain:
            source = select(SourceRow.id).where(SourceRow.domain == filters.source_domain).scalar_subquery()
            statement = statement.where(ArticleRow.source_id == source)
        if filters.tag:
            # Checked per candidate by primary key: a popular tag's whole article list is never read.
            tagged = select(ArticleHashtagRow.article_id).where(
                ArticleHashtagRow.article_id == ArticleRow.id, ArticleHashtagRow.tag == filters.tag
            )
            statement = statement.where(tagged.exists())
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

    def _to_articles(self, rows: list[ArticleRow]) -> list[Article]:
        # One query for all their publishers; `_to_article` then finds each in the identity map.
        # The list holds them: the identity map only keeps objects something else references.
        source_ids = {row.source_id for row in rows} | {row.original_source_id for row in rows if row.original_source_id}
        held = list(self.session.scalars(select(SourceRow).where(SourceRow.id.in_(source_ids)))) if source_ids else []
        articles = [self._to_article(row) for row in rows]
        del held
        return articles

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
            story_id=row.story_id,
        )
