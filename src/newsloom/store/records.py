"""What the store hands out and takes in: plain frozen records, never table rows."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True)
class Source:
    id: int
    name: str
    domain: str


@dataclass(frozen=True)
class SourceHealth:
    """A publisher with what an admin needs to judge its pages' extraction."""

    source: Source
    extraction: dict[str, int]
    failed_entries: int
    learned_boilerplate: int
    body_selector: str | None
    drop_selectors: list[str]
    boilerplate_learned_at: datetime | None


@dataclass(frozen=True)
class Feed:
    id: int
    url: str
    title: str | None
    site_url: str | None
    source_id: int | None
    etag: str | None
    last_modified: str | None
    next_check_at: datetime
    last_checked_at: datetime | None
    last_success_at: datetime | None
    last_status: int | None
    error_count: int
    last_error: str | None
    created_at: datetime


@dataclass(frozen=True)
class FeedHealth:
    """A feed with what a user needs to judge it: its entries' outcomes."""

    feed: Feed
    source_name: str | None
    entry_counts: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class NewEntry:
    guid: str
    url: str | None
    title: str | None
    author: str | None
    published_at: datetime | None
    content_html: str | None


@dataclass(frozen=True)
class Entry:
    id: int
    feed_id: int
    guid: str
    url: str | None
    title: str | None
    author: str | None
    published_at: datetime | None
    content_html: str | None
    status: str
    reason: str | None
    attempts: int
    article_id: int | None
    source_id: int | None


@dataclass(frozen=True)
class NewArticle:
    url: str
    canonical_url: str
    title: str
    author: str | None
    published_at: datetime | None
    fetched_at: datetime
    language: str | None
    lead_image_url: str | None
    html: str
    text: str
    content_hash: str | None
    source_id: int
    original_source_id: int | None
    original_url: str | None
    extraction_status: str
    extraction_reason: str | None


@dataclass(frozen=True)
class Article:
    id: int
    url: str
    canonical_url: str
    title: str
    author: str | None
    published_at: datetime | None
    fetched_at: datetime
    sort_at: datetime
    language: str | None
    lead_image_url: str | None
    html: str
    text: str
    content_hash: str | None
    source: Source
    original_source: Source | None
    original_url: str | None
    extraction_status: str
    extraction_reason: str | None
    duplicate_of: int | None = None
    story_id: int | None = None


@dataclass(frozen=True)
class ArticleOutline:
    """An article without its text: enough to choose among many before loading a few."""

    id: int
    title: str
    source_id: int
    sort_at: datetime
    duplicate_of: int | None
    story_id: int | None


@dataclass(frozen=True)
class ArticlePage:
    articles: list[Article]
    next_cursor: str | None


@dataclass(frozen=True)
class BoilerplateItem:
    """A block, a sentence or a title part a source repeats across its articles."""

    kind: str  # "block", "sentence" or "title"
    text: str
    article_count: int


@dataclass(frozen=True)
class ArticleEntityRecord:
    entity_id: int
    kind: str
    name: str
    mentions: int
    salience: float


@dataclass(frozen=True)
class QuoteRecord:
    text: str
    speaker: str
    affiliation: str | None
    cue: str | None


@dataclass(frozen=True)
class DigestRecord:
    summary: list[str]
    key_points: list[str]


@dataclass(frozen=True)
class EnrichmentStatus:
    kind: str
    model: str
    model_version: str
    status: str
    reason: str | None
    computed_at: datetime


@dataclass(frozen=True)
class User:
    id: int
    username: str
    role: str  # reader, moderator, admin
    session_epoch: int
    created_at: datetime | None = None
    banned: bool = False

    @property
    def moderates(self) -> bool:
        return self.role in ("moderator", "admin")


@dataclass(frozen=True)
class NewComment:
    article_id: int
    user_id: int
    body: str
    body_html: str
    status: str  # visible or held
    fingerprint: str
    nonce: str
    parent_id: int | None = None
    held_reason: str | None = None


@dataclass(frozen=True)
class Comment:
    id: int
    article_id: int
    parent_id: int | None
    user_id: int | None
    author: str | None  # None once the account is deleted
    depth: int
    body: str
    body_html: str
    status: str  # visible, held, hidden or deleted
    held_reason: str | None
    score: int
    created_at: datetime
    edited_at: datetime | None


@dataclass(frozen=True)
class CommentReport:
    reporter: str
    reason: str
    created_at: datetime


@dataclass(frozen=True)
class QueuedComment:
    """A comment waiting for a moderator: held by the rules, or reported by readers."""

    comment: Comment
    article_title: str
    reports: list[CommentReport]


@dataclass(frozen=True)
class ModerationEntry:
    moderator: str
    action: str
    comment_id: int | None
    target_user_id: int | None
    article_id: int | None
    detail: str | None
    created_at: datetime


@dataclass(frozen=True)
class CommentFilter:
    id: int
    pattern: str


@dataclass(frozen=True)
class SearchFilters:
    """What a reader narrows a search or a list by; every field is optional."""

    source_domain: str | None = None
    tag: str | None = None
    since: datetime | None = None
    until: datetime | None = None


@dataclass(frozen=True)
class SearchHit:
    article: Article
    # Plain text with the matched words between SNIPPET_START and SNIPPET_END.
    snippet: str


@dataclass(frozen=True)
class SearchPage:
    hits: list[SearchHit]
    has_more: bool


@dataclass(frozen=True)
class Entity:
    id: int
    kind: str
    name: str
    article_count: int


@dataclass(frozen=True)
class AttributedQuote:
    """A quote with the article it appeared in."""

    quote: QuoteRecord
    article_id: int
    article_title: str
    sort_at: datetime


@dataclass(frozen=True)
class StoryState:
    """What the clusterer keeps of a story: `vector_sum` float32 bytes, word counts."""

    id: int
    vector_sum: bytes
    terms: dict[str, int]
    article_count: int
    first_at: datetime
    last_at: datetime
    headline_article_id: int | None
    merged_into_id: int | None
    updated_at: datetime


@dataclass(frozen=True)
class StoryMember:
    """What a split looks at of a story's article: `vector` float32 bytes, or None (no text);
    `entities` most salient first."""

    article_id: int
    title: str
    sort_at: datetime
    duplicate_of: int | None
    vector: bytes | None
    entities: tuple[ArticleEntityRecord, ...] = ()


@dataclass(frozen=True)
class StorySummary:
    """A story as lists show it: its headline article and how widely it is covered."""

    id: int
    headline: Article | None
    article_count: int
    source_count: int
    first_at: datetime
    last_at: datetime
    recent_count: int = 0


@dataclass(frozen=True)
class EntryProblem:
    """An article the pipeline is retrying, or gave up on (the dead letters)."""

    entry_id: int
    url: str | None
    status: str  # retry or failed
    reason: str | None
    attempts: int
    updated_at: datetime
    next_attempt_at: datetime | None  # for retries
