"""What the API returns. Tables never leave `store/`; these shapes are the contract."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel

from newsloom.store.records import Article, FeedHealth, Source


class SourceOut(BaseModel):
    id: int
    name: str
    domain: str

    @classmethod
    def of(cls, source: Source) -> SourceOut:
        return cls(id=source.id, name=source.name, domain=source.domain)


class ArticleSummaryOut(BaseModel):
    id: int
    title: str
    url: str
    canonical_url: str
    author: str | None
    published_at: datetime | None
    fetched_at: datetime
    language: str | None
    lead_image_url: str | None
    source: SourceOut
    original_publisher: SourceOut | None
    original_url: str | None
    teaser: str

    @classmethod
    def of(cls, article: Article) -> ArticleSummaryOut:
        return cls(**_common(article), teaser=_teaser(article.text))


class ArticleOut(ArticleSummaryOut):
    html: str
    text: str
    content_hash: str | None
    extraction_status: str
    extraction_reason: str | None

    @classmethod
    def of(cls, article: Article) -> ArticleOut:
        return cls(
            **_common(article),
            teaser=_teaser(article.text),
            html=article.html,
            text=article.text,
            content_hash=article.content_hash,
            extraction_status=article.extraction_status,
            extraction_reason=article.extraction_reason,
        )


class ArticlePageOut(BaseModel):
    items: list[ArticleSummaryOut]
    next_cursor: str | None
    next: str | None


class FeedOut(BaseModel):
    id: int
    url: str
    title: str | None
    site_url: str | None
    source_name: str | None
    last_checked_at: datetime | None
    last_success_at: datetime | None
    next_check_at: datetime
    last_status: int | None
    error_count: int
    last_error: str | None
    entries: dict[str, int]

    @classmethod
    def of(cls, health: FeedHealth) -> FeedOut:
        feed = health.feed
        return cls(
            id=feed.id,
            url=feed.url,
            title=feed.title,
            site_url=feed.site_url,
            source_name=health.source_name,
            last_checked_at=feed.last_checked_at,
            last_success_at=feed.last_success_at,
            next_check_at=feed.next_check_at,
            last_status=feed.last_status,
            error_count=feed.error_count,
            last_error=feed.last_error,
            entries=health.entry_counts,
        )


class HealthOut(BaseModel):
    status: str
    database: str
    schema_revision: str | None


def _common(article: Article) -> dict:
    return {
        "id": article.id,
        "title": article.title,
        "url": article.url,
        "canonical_url": article.canonical_url,
        "author": article.author,
        "published_at": article.published_at,
        "fetched_at": article.fetched_at,
        "language": article.language,
        "lead_image_url": article.lead_image_url,
        "source": SourceOut.of(article.source),
        "original_publisher": SourceOut.of(article.original_source) if article.original_source else None,
        "original_url": article.original_url,
    }


def _teaser(text: str, limit: int = 280) -> str:
    flat = " ".join(text.split())
    if len(flat) <= limit:
        return flat
    return flat[:limit].rsplit(" ", 1)[0] + "…"
