"""Tables. Only `store/` imports this module: the rest of the code sees records."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import (
    BigInteger,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    SmallInteger,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class UTCDateTime(TypeDecorator[datetime]):
    """Stores naive UTC, returns aware UTC, on SQLite and PostgreSQL alike."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect):  # type: ignore[no-untyped-def]
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect):  # type: ignore[no-untyped-def]
        return value.replace(tzinfo=UTC) if value is not None else None


def utcnow() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    pass


class SourceRow(Base):
    __tablename__ = "sources"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(300))
    domain: Mapped[str] = mapped_column(String(253), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    boilerplate_learned_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    articles_since_learning: Mapped[int] = mapped_column(Integer, default=0)
    body_selector: Mapped[str | None] = mapped_column(Text)
    drop_selectors: Mapped[str] = mapped_column(Text, default="[]")  # JSON list


class FeedRow(Base):
    __tablename__ = "feeds"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    url: Mapped[str] = mapped_column(String(2048), unique=True)
    title: Mapped[str | None] = mapped_column(String(500))
    site_url: Mapped[str | None] = mapped_column(String(2048))
    source_id: Mapped[int | None] = mapped_column(ForeignKey("sources.id", ondelete="SET NULL"))
    etag: Mapped[str | None] = mapped_column(String(500))
    last_modified: Mapped[str | None] = mapped_column(String(100))
    next_check_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    last_checked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_success_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_status: Mapped[int | None] = mapped_column(Integer)
    error_count: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class EntryRow(Base):
    """One item of a feed; the unit of work for the article pipeline."""

    __tablename__ = "feed_entries"
    __table_args__ = (
        UniqueConstraint("feed_id", "guid", name="uq_feed_entries_feed_guid"),
        Index("ix_feed_entries_status_next", "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    feed_id: Mapped[int] = mapped_column(ForeignKey("feeds.id", ondelete="CASCADE"))
    guid: Mapped[str] = mapped_column(String(2048))
    url: Mapped[str | None] = mapped_column(String(2048))
    title: Mapped[str | None] = mapped_column(Text)
    author: Mapped[str | None] = mapped_column(String(500))
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    content_html: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20), default="pending")
    reason: Mapped[str | None] = mapped_column(Text)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    article_id: Mapped[int | None] = mapped_column(ForeignKey("articles.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class ArticleRow(Base):
    __tablename__ = "articles"
    __table_args__ = (
        Index("ix_articles_sort", "sort_at", "id"),
        Index("ix_articles_listed", "sort_at", "id", sqlite_where=text("duplicate_of IS NULL"),
              postgresql_where=text("duplicate_of IS NULL")),
        Index("ix_articles_facets", "id", "duplicate_of", "source_id", "sort_at"),
        Index("ix_articles_story", "story_id", "sort_at"),
    )  # fmt: skip

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    url: Mapped[str] = mapped_column(String(2048))
    canonical_url: Mapped[str] = mapped_column(String(2048), unique=True)
    title: Mapped[str] = mapped_column(Text)
    author: Mapped[str | None] = mapped_column(String(500))
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    fetched_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sort_at: Mapped[datetime] = mapped_column(UTCDateTime)
    language: Mapped[str | None] = mapped_column(String(20))
    lead_image_url: Mapped[str | None] = mapped_column(String(2048))
    html: Mapped[str] = mapped_column(Text)
    text: Mapped[str] = mapped_column(Text)
    content_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("sources.id"), index=True)
    original_source_id: Mapped[int | None] = mapped_column(ForeignKey("sources.id"))
    original_url: Mapped[str | None] = mapped_column(String(2048))
    extraction_status: Mapped[str] = mapped_column(String(20))
    extraction_reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # A near copy of another article (syndication, wire copy): listed once, under its primary.
    duplicate_of: Mapped[int | None] = mapped_column(ForeignKey("articles.id", ondelete="SET NULL"), index=True)
    story_id: Mapped[int | None] = mapped_column(ForeignKey("stories.id", ondelete="SET NULL"))


class ArticleSignatureRow(Base):
    __tablename__ = "article_signatures"

    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True)
    signature: Mapped[bytes] = mapped_column(LargeBinary)


class LshBucketRow(Base):
    __tablename__ = "article_lsh_buckets"

    band: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    bucket: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True, index=True)


class FetchAttemptRow(Base):
    __tablename__ = "fetch_attempts"

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    kind: Mapped[str] = mapped_column(String(10))  # "feed" or "article"
    feed_id: Mapped[int | None] = mapped_column(ForeignKey("feeds.id", ondelete="CASCADE"), index=True)
    entry_id: Mapped[int | None] = mapped_column(ForeignKey("feed_entries.id", ondelete="CASCADE"))
    url: Mapped[str] = mapped_column(String(2048))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    duration_ms: Mapped[int] = mapped_column(Integer, default=0)
    http_status: Mapped[int | None] = mapped_column(Integer)
    outcome: Mapped[str] = mapped_column(String(20))
    error: Mapped[str | None] = mapped_column(Text)
    bytes_received: Mapped[int] = mapped_column(Integer, default=0)


class BoilerplateRow(Base):
    """A block or sentence learned to be publisher boilerplate for one source."""

    __tablename__ = "source_boilerplate"
    __table_args__ = (UniqueConstraint("source_id", "fingerprint", name="uq_source_boilerplate_fingerprint"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("sources.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(10))  # "block", "sentence" or "title"
    text: Mapped[str] = mapped_column(Text)
    fingerprint: Mapped[str] = mapped_column(String(64))
    article_count: Mapped[int] = mapped_column(Integer)
    sample_size: Mapped[int] = mapped_column(Integer)
    learned_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class EntityRow(Base):
    __tablename__ = "entities"
    __table_args__ = (UniqueConstraint("kind", "key", name="uq_entities_kind_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))  # person, organization, place
    name: Mapped[str] = mapped_column(String(300))
    key: Mapped[str] = mapped_column(String(300))


class ArticleEntityRow(Base):
    __tablename__ = "article_entities"

    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True)
    entity_id: Mapped[int] = mapped_column(ForeignKey("entities.id", ondelete="CASCADE"), primary_key=True, index=True)
    mentions: Mapped[int] = mapped_column(Integer)
    salience: Mapped[float] = mapped_column(Float)


class ArticleHashtagRow(Base):
    __tablename__ = "article_hashtags"

    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True)
    tag: Mapped[str] = mapped_column(String(100), primary_key=True, index=True)
    rank: Mapped[int] = mapped_column(Integer)


class EnrichmentRow(Base):
    """Which model computed which enrichment of an article, and how it went."""

    __tablename__ = "enrichments"

    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True)
    kind: Mapped[str] = mapped_column(String(30), primary_key=True)
    model: Mapped[str] = mapped_column(String(200))
    model_version: Mapped[str] = mapped_column(String(50))
    status: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str | None] = mapped_column(Text)
    computed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class MetaRow(Base):
    """Small key/value facts about this installation (e.g. starter feeds seeded)."""

    __tablename__ = "app_meta"

    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class ArticleQuoteRow(Base):
    __tablename__ = "article_quotes"

    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True)
    position: Mapped[int] = mapped_column(Integer, primary_key=True)
    text: Mapped[str] = mapped_column(Text)
    speaker: Mapped[str] = mapped_column(String(300))
    speaker_key: Mapped[str] = mapped_column(String(300), index=True)
    affiliation: Mapped[str | None] = mapped_column(String(500))
    cue: Mapped[str | None] = mapped_column(String(50))
    start_offset: Mapped[int] = mapped_column(Integer)


class ArticleDigestRow(Base):
    __tablename__ = "article_digests"

    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True)
    summary: Mapped[str] = mapped_column(Text)  # JSON list
    key_points: Mapped[str] = mapped_column(Text)  # JSON list


class ArticleEmbeddingRow(Base):
    __tablename__ = "article_embeddings"
    __table_args__ = (UniqueConstraint("article_id", name="uq_article_embeddings_article_id"),)

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"))
    model: Mapped[str] = mapped_column(String(100))
    vector: Mapped[bytes] = mapped_column(LargeBinary)


class UserRow(Base):
    __tablename__ = "users"
    __table_args__ = (UniqueConstraint("username", name="uq_users_username"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(64))
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(20))  # reader, moderator, admin
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    session_epoch: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    banned_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class CommentRow(Base):
    __tablename__ = "comments"
    __table_args__ = (
        UniqueConstraint("user_id", "nonce", name="uq_comments_user_nonce"),
        Index("ix_comments_article", "article_id", "status", "created_at"),
        Index("ix_comments_user", "user_id", "created_at"),
        Index("ix_comments_status", "status", "created_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("comments.id", ondelete="SET NULL"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    depth: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    body: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(10))  # visible, held, hidden, deleted
    held_reason: Mapped[str | None] = mapped_column(String(200))
    score: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    fingerprint: Mapped[str] = mapped_column(String(64))
    nonce: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    edited_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class CommentVoteRow(Base):
    __tablename__ = "comment_votes"

    comment_id: Mapped[int] = mapped_column(ForeignKey("comments.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class CommentReportRow(Base):
    __tablename__ = "comment_reports"
    __table_args__ = (
        UniqueConstraint("comment_id", "reporter_id", name="uq_comment_reports_once"),
        Index("ix_comment_reports_open", "resolved_at", "created_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    comment_id: Mapped[int] = mapped_column(ForeignKey("comments.id", ondelete="CASCADE"))
    reporter_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    reason: Mapped[str] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class LockedThreadRow(Base):
    __tablename__ = "locked_threads"

    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True)
    locked_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    locked_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class CommentFilterRow(Base):
    __tablename__ = "comment_filters"
    __table_args__ = (UniqueConstraint("pattern", name="uq_comment_filters_pattern"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    pattern: Mapped[str] = mapped_column(String(200))
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ModerationLogRow(Base):
    __tablename__ = "moderation_log"
    __table_args__ = (Index("ix_moderation_log_created", "created_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    moderator_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    moderator_name: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(30))
    comment_id: Mapped[int | None] = mapped_column(ForeignKey("comments.id", ondelete="SET NULL"))
    target_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    article_id: Mapped[int | None] = mapped_column(ForeignKey("articles.id", ondelete="SET NULL"))
    detail: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ApiTokenRow(Base):
    __tablename__ = "api_tokens"
    __table_args__ = (UniqueConstraint("token_hash", name="uq_api_tokens_hash"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    token_hash: Mapped[str] = mapped_column(String(64))
    label: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class StoryRow(Base):
    """The coverage of one event; `vector_sum` (float32) and `terms` (JSON word counts) are
    what the clusterer scores newcomers against."""

    __tablename__ = "stories"
    __table_args__ = (Index("ix_stories_updated_at", "updated_at", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    vector_sum: Mapped[bytes] = mapped_column(LargeBinary)
    terms: Mapped[str] = mapped_column(Text)
    article_count: Mapped[int] = mapped_column(Integer)
    first_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    headline_article_id: Mapped[int | None] = mapped_column(ForeignKey("articles.id", ondelete="SET NULL"))
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("stories.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ArticlePageRow(Base):
    """An article page as every signed-out reader sees it, kept so that reading an article
    nobody opened lately costs one lookup instead of a render (see web/stored_pages.py)."""

    __tablename__ = "article_pages"

    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True)
    path: Mapped[str] = mapped_column(String(2048))  # the page's address; another (an old slug) redirects
    version: Mapped[str] = mapped_column(String(32))  # of the templates that rendered it
    html: Mapped[bytes] = mapped_column(LargeBinary)  # zlib-compressed
    rendered_at: Mapped[datetime] = mapped_column(UTCDateTime)
    fresh_until: Mapped[datetime] = mapped_column(UTCDateTime)
    # The comments as signed-out readers see them (oldest first), kept apart from the page: they
    # change more often. Every comment write clears them and counts up the version, so a
    # discussion rendered before a change is never kept after it.
    discussion: Mapped[str | None] = mapped_column(Text)
    discussion_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
