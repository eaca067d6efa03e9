"""What the API returns. Tables never leave `store/`; these shapes are the contract.

Fields are validated from the store's records by name, so a record field that is not
declared here (an etag, a content hash's neighbours) never leaks into a response.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Self

from pydantic import BaseModel, Field

from newsloom.store.records import (
    Article,
    ArticleEntityRecord,
    Comment,
    DigestRecord,
    EnrichmentStatus,
    FeedHealth,
    QuoteRecord,
    SourceHealth,
    StorySummary,
)
from newsloom.stories.coverage import StoryCoverage


class SourceOut(BaseModel):
    id: int
    name: str
    domain: str


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
    duplicate_of: int | None
    story_id: int | None
    teaser: str

    @classmethod
    def of(cls, article: Article) -> Self:
        return cls.model_validate(
            {**asdict(article), "original_publisher": article.original_source and asdict(article.original_source),
             "teaser": teaser(article.text)}
        )  # fmt: skip


class CopyOut(BaseModel):
    """Another outlet's near copy of the article, grouped under it."""

    id: int
    url: str
    source: SourceOut


class EntityOut(BaseModel):
    id: int
    kind: str
    name: str
    mentions: int
    salience: float


class QuoteOut(BaseModel):
    text: str
    speaker: str
    affiliation: str | None
    cue: str | None


class RelatedOut(BaseModel):
    """An article on a related subject, as listed under an article."""

    id: int
    title: str
    url: str
    source: SourceOut
    published_at: datetime | None
    sort_at: datetime
    teaser: str
    similarity: float


class EnrichmentStatusOut(BaseModel):
    kind: str
    model: str
    model_version: str
    status: str
    reason: str | None
    computed_at: datetime


@dataclass(frozen=True)
class Enrichment:
    """Everything enrichment stored for one article, and what is related to it now."""

    hashtags: list[str]
    entities: list[ArticleEntityRecord]
    quotes: list[QuoteRecord]
    digest: DigestRecord | None
    statuses: list[EnrichmentStatus]
    related: list[tuple[Article, float]]


class ArticleOut(ArticleSummaryOut):
    html: str
    text: str
    content_hash: str | None
    extraction_status: str
    extraction_reason: str | None
    copies: list[CopyOut] = []
    hashtags: list[str] = []
    entities: list[EntityOut] = []
    quotes: list[QuoteOut] = []
    summary: list[str] = []
    key_points: list[str] = []
    related: list[RelatedOut] = []
    # Per kind (entities, quotes, digest, embedding): which model, when, and why it is empty.
    enrichment: list[EnrichmentStatusOut] = []

    @classmethod
    def full(cls, article: Article, copies: list[Article], enrichment: Enrichment) -> ArticleOut:
        view = cls.of(article)
        view.copies = [CopyOut.model_validate(asdict(copy)) for copy in copies]
        view.hashtags = enrichment.hashtags
        view.entities = [
            EntityOut(id=e.entity_id, kind=e.kind, name=e.name, mentions=e.mentions, salience=e.salience) for e in enrichment.entities
        ]
        view.quotes = [QuoteOut.model_validate(asdict(q)) for q in enrichment.quotes]
        if enrichment.digest is not None:
            view.summary, view.key_points = enrichment.digest.summary, enrichment.digest.key_points
        view.related = [
            RelatedOut.model_validate({**asdict(other), "teaser": teaser(other.text), "similarity": round(similarity, 4)})
            for other, similarity in enrichment.related
        ]
        view.enrichment = [EnrichmentStatusOut.model_validate(asdict(status)) for status in enrichment.statuses]
        return view


class StoryOut(BaseModel):
    id: int
    headline: ArticleSummaryOut | None
    article_count: int
    source_count: int
    first_at: datetime
    last_at: datetime

    @classmethod
    def of(cls, story: StorySummary) -> StoryOut:
        headline = ArticleSummaryOut.of(story.headline) if story.headline else None
        return cls.model_validate({**asdict(story), "headline": headline})


class StoryPageOut(BaseModel):
    items: list[StoryOut]


class SourceCoverageOut(BaseModel):
    source: SourceOut
    articles: int
    first_at: datetime


class TimelineEntryOut(BaseModel):
    article: ArticleSummaryOut
    copies: list[CopyOut]


class StorySentenceOut(BaseModel):
    text: str
    article_id: int
    source: SourceOut


class SpeakerQuoteOut(BaseModel):
    text: str
    article_id: int


class SpeakerQuotesOut(BaseModel):
    speaker: str
    affiliation: str | None
    quotes: list[SpeakerQuoteOut]


class StoryEntityOut(BaseModel):
    id: int
    kind: str
    name: str
    articles: int


class StoryDetailOut(BaseModel):
    """A story's Full Coverage: its articles oldest first, with copies grouped under originals."""

    id: int
    headline: ArticleSummaryOut | None
    article_count: int
    first_at: datetime
    last_at: datetime
    sources: list[SourceCoverageOut]
    first_report_lead_seconds: float | None
    summary: list[StorySentenceOut]
    articles: list[TimelineEntryOut]
    page: int
    pages: int
    quotes: list[SpeakerQuotesOut]
    entities: list[StoryEntityOut]

    @classmethod
    def of(cls, story: StoryCoverage) -> StoryDetailOut:
        return cls(
            id=story.id, headline=story.headline and ArticleSummaryOut.of(story.headline), article_count=story.article_count,
            first_at=story.first_at, last_at=story.last_at,
            sources=[SourceCoverageOut.model_validate(asdict(s)) for s in story.sources],
            first_report_lead_seconds=story.lead.total_seconds() if story.lead is not None else None,
            summary=[StorySentenceOut(text=s.text, article_id=s.article.id, source=SourceOut.model_validate(asdict(s.article.source)))
                     for s in story.summary],
            articles=[TimelineEntryOut(article=ArticleSummaryOut.of(e.article), copies=[CopyOut.model_validate(asdict(c)) for c in e.copies])
                      for e in story.timeline],
            page=story.page, pages=story.pages,
            quotes=[SpeakerQuotesOut(speaker=q.speaker, affiliation=q.affiliation,
                                     quotes=[SpeakerQuoteOut(text=quote.text, article_id=a.id) for quote, a in q.quotes])
                    for q in story.quotes],
            entities=[StoryEntityOut(id=e.id, kind=e.kind, name=e.name, articles=n) for e, n in story.entities],
        )  # fmt: skip


class QuestionIn(BaseModel):
    question: str = Field(min_length=1, max_length=500)


class CommentIn(BaseModel):
    # The site's own limit (comment_max_chars) is checked by the service with a clear message;
    # this bound only stops a megabyte body before it is parsed any further.
    body: str = Field(min_length=1, max_length=100_000)
    parent_id: int | None = Field(None, description="The comment this one replies to.")
    nonce: str = Field(
        min_length=8, max_length=64, pattern=r"^[A-Za-z0-9_-]+$",
        description="A value unique to this comment: sending the same one again returns the stored comment instead "
        "of posting twice (safe retries).",
    )  # fmt: skip


class CommentOut(BaseModel):
    id: int
    article_id: int
    parent_id: int | None
    author: str | None = Field(description="null once the author's account is deleted")
    depth: int
    status: str = Field(description="visible, held (waiting for a moderator; only its author sees it) or deleted")
    body: str = Field(description="the Markdown the author wrote (empty once deleted)")
    body_html: str = Field(description="the body rendered and sanitized")
    score: int
    created_at: datetime
    edited_at: datetime | None

    @classmethod
    def of(cls, comment: Comment) -> Self:
        return cls.model_validate(asdict(comment), from_attributes=False)


class CommentListOut(BaseModel):
    article_id: int
    order: str
    count: int = Field(description="visible comments")
    items: list[CommentOut]


class CitedSentenceOut(BaseModel):
    index: int
    text: str
    score: float


class AnswerOut(BaseModel):
    question: str
    answered: bool
    reason: str | None
    sentences: list[CitedSentenceOut]


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
        return cls.model_validate({**asdict(health.feed), "source_name": health.source_name, "entries": health.entry_counts})


class SourceHealthOut(BaseModel):
    id: int
    name: str
    domain: str
    extraction: dict[str, int]
    failed_entries: int
    learned_boilerplate: int
    boilerplate_learned_at: datetime | None
    body_selector: str | None
    drop_selectors: list[str]

    @classmethod
    def of(cls, health: SourceHealth) -> SourceHealthOut:
        return cls.model_validate({**asdict(health), **asdict(health.source)})


class HealthOut(BaseModel):
    status: str = Field(description="ok; degraded when the queue is unreachable or a model is missing; error (503) without a database")
    database: str
    schema_revision: str | None
    queue: str = Field("unknown", description="the queue's kind and its waiting jobs, or why it is unreachable")
    models: dict[str, str] = Field(default_factory=dict, description="per offline model: ready, or what is missing")
    # Where related articles come from: pgvector (the database answers) or usearch (in this process).
    vector_index: str = "usearch"
    # Articles in this process's usearch index, which fills in the background after start-up;
    # None with pgvector, whose index the database keeps.
    related_index_size: int | None = 0


def teaser(text: str, limit: int = 280) -> str:
    """The opening of a text up to `limit` characters, cut at a word; the API and the pages share it."""
    flat = " ".join(text.split())
    if len(flat) <= limit:
        return flat
    return flat[:limit].rsplit(" ", 1)[0] + "…"
