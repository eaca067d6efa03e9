"""Initial schema: sources, feeds, feed entries, articles, fetch attempts, full-text index.

Revision ID: 0001
Revises:
Create Date: 2026-11-29
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sources",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(300), nullable=False),
        sa.Column("domain", sa.String(253), nullable=False, unique=True),
        sa.Column("created_at", sa.DateTime, nullable=False),
    )
    op.create_table(
        "feeds",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("url", sa.String(2048), nullable=False, unique=True),
        sa.Column("title", sa.String(500)),
        sa.Column("site_url", sa.String(2048)),
        sa.Column("source_id", sa.Integer, sa.ForeignKey("sources.id", ondelete="SET NULL")),
        sa.Column("etag", sa.String(500)),
        sa.Column("last_modified", sa.String(100)),
        sa.Column("next_check_at", sa.DateTime, nullable=False),
        sa.Column("last_checked_at", sa.DateTime),
        sa.Column("last_success_at", sa.DateTime),
        sa.Column("last_status", sa.Integer),
        sa.Column("error_count", sa.Integer, nullable=False, server_default="0"),
        sa.Column("last_error", sa.Text),
        sa.Column("created_at", sa.DateTime, nullable=False),
    )
    op.create_index("ix_feeds_next_check_at", "feeds", ["next_check_at"])
    op.create_table(
        "articles",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("url", sa.String(2048), nullable=False),
        sa.Column("canonical_url", sa.String(2048), nullable=False, unique=True),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("author", sa.String(500)),
        sa.Column("published_at", sa.DateTime),
        sa.Column("fetched_at", sa.DateTime, nullable=False),
        sa.Column("sort_at", sa.DateTime, nullable=False),
        sa.Column("language", sa.String(20)),
        sa.Column("lead_image_url", sa.String(2048)),
        sa.Column("html", sa.Text, nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("content_hash", sa.String(64), unique=True),
        sa.Column("source_id", sa.Integer, sa.ForeignKey("sources.id"), nullable=False),
        sa.Column("original_source_id", sa.Integer, sa.ForeignKey("sources.id")),
        sa.Column("original_url", sa.String(2048)),
        sa.Column("extraction_status", sa.String(20), nullable=False),
        sa.Column("extraction_reason", sa.Text),
        sa.Column("created_at", sa.DateTime, nullable=False),
    )
    op.create_index("ix_articles_sort", "articles", ["sort_at", "id"])
    op.create_index("ix_articles_source_id", "articles", ["source_id"])
    op.create_table(
        "feed_entries",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("feed_id", sa.Integer, sa.ForeignKey("feeds.id", ondelete="CASCADE"), nullable=False),
        sa.Column("guid", sa.String(2048), nullable=False),
        sa.Column("url", sa.String(2048)),
        sa.Column("title", sa.Text),
        sa.Column("author", sa.String(500)),
        sa.Column("published_at", sa.DateTime),
        sa.Column("content_html", sa.Text),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("reason", sa.Text),
        sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
        sa.Column("next_attempt_at", sa.DateTime, nullable=False),
        sa.Column("article_id", sa.Integer, sa.ForeignKey("articles.id", ondelete="SET NULL")),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("updated_at", sa.DateTime, nullable=False),
        sa.UniqueConstraint("feed_id", "guid", name="uq_feed_entries_feed_guid"),
    )
    op.create_index("ix_feed_entries_status_next", "feed_entries", ["status", "next_attempt_at"])
    op.create_table(
        "fetch_attempts",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True),
        sa.Column("kind", sa.String(10), nullable=False),
        sa.Column("feed_id", sa.Integer, sa.ForeignKey("feeds.id", ondelete="CASCADE")),
        sa.Column("entry_id", sa.Integer, sa.ForeignKey("feed_entries.id", ondelete="CASCADE")),
        sa.Column("url", sa.String(2048), nullable=False),
        sa.Column("started_at", sa.DateTime, nullable=False),
        sa.Column("duration_ms", sa.Integer, nullable=False),
        sa.Column("http_status", sa.Integer),
        sa.Column("outcome", sa.String(20), nullable=False),
        sa.Column("error", sa.Text),
        sa.Column("bytes_received", sa.Integer, nullable=False),
    )
    op.create_index("ix_fetch_attempts_feed_id", "fetch_attempts", ["feed_id"])
    op.create_table(
        "app_meta",
        sa.Column("key", sa.String(100), primary_key=True),
        sa.Column("value", sa.Text, nullable=False),
    )

    if op.get_bind().dialect.name == "sqlite":
        _sqlite_full_text()
    else:
        _postgresql_full_text()


def _sqlite_full_text() -> None:
    # External-content FTS5 table kept in step by triggers, so every write
    # path (pipeline, re-cleaning, admin edits) is indexed in its own transaction.
    op.execute(
        "CREATE VIRTUAL TABLE articles_fts USING fts5("
        "title, text, content='articles', content_rowid='id', "
        "tokenize='porter unicode61 remove_diacritics 2')"
    )
    op.execute(
        "CREATE TRIGGER articles_fts_insert AFTER INSERT ON articles BEGIN "
        "INSERT INTO articles_fts(rowid, title, text) VALUES (new.id, new.title, new.text); END"
    )
    op.execute(
        "CREATE TRIGGER articles_fts_delete AFTER DELETE ON articles BEGIN "
        "INSERT INTO articles_fts(articles_fts, rowid, title, text) "
        "VALUES ('delete', old.id, old.title, old.text); END"
    )
    op.execute(
        "CREATE TRIGGER articles_fts_update AFTER UPDATE OF title, text ON articles BEGIN "
        "INSERT INTO articles_fts(articles_fts, rowid, title, text) "
        "VALUES ('delete', old.id, old.title, old.text); "
        "INSERT INTO articles_fts(rowid, title, text) VALUES (new.id, new.title, new.text); END"
    )


def _postgresql_full_text() -> None:
    op.execute(
        "ALTER TABLE articles ADD COLUMN search_vector tsvector GENERATED ALWAYS AS ("
        "setweight(to_tsvector('english'::regconfig, coalesce(title, '')), 'A') || "
        "setweight(to_tsvector('english'::regconfig, coalesce(text, '')), 'B')) STORED"
    )
    op.execute("CREATE INDEX ix_articles_search_vector ON articles USING gin (search_vector)")


# Forward-only: restore from a backup instead of downgrading.
