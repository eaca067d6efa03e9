"""Comments, their moderation, and what accounts need to take part.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-29
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("users") as users:
        users.add_column(sa.Column("banned_at", sa.DateTime))
    op.create_table(
        "comments",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("article_id", sa.Integer, sa.ForeignKey("articles.id", ondelete="CASCADE"), nullable=False),
        sa.Column("parent_id", sa.Integer, sa.ForeignKey("comments.id", ondelete="SET NULL")),
        sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id", ondelete="SET NULL")),
        sa.Column("depth", sa.Integer, nullable=False, server_default="0"),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("body_html", sa.Text, nullable=False),
        # visible, held (waiting for a moderator), hidden (by a moderator) or deleted
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("held_reason", sa.String(200)),
        sa.Column("score", sa.Integer, nullable=False, server_default="0"),
        sa.Column("fingerprint", sa.String(64), nullable=False),
        # The form's one-time token: a post sent twice (a double click, a retry) is stored once.
        sa.Column("nonce", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("edited_at", sa.DateTime),
        sa.UniqueConstraint("user_id", "nonce", name="uq_comments_user_nonce"),
    )
    op.create_index("ix_comments_article", "comments", ["article_id", "status", "created_at"])
    op.create_index("ix_comments_user", "comments", ["user_id", "created_at"])
    op.create_index("ix_comments_status", "comments", ["status", "created_at"])
    op.create_table(
        "comment_votes",
        sa.Column("comment_id", sa.Integer, sa.ForeignKey("comments.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("created_at", sa.DateTime, nullable=False),
    )
    op.create_table(
        "comment_reports",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("comment_id", sa.Integer, sa.ForeignKey("comments.id", ondelete="CASCADE"), nullable=False),
        sa.Column("reporter_id", sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
        sa.Column("reason", sa.String(500), nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("resolved_at", sa.DateTime),
        sa.UniqueConstraint("comment_id", "reporter_id", name="uq_comment_reports_once"),
    )
    op.create_index("ix_comment_reports_open", "comment_reports", ["resolved_at", "created_at"])
    op.create_table(
        "locked_threads",
        sa.Column("article_id", sa.Integer, sa.ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("locked_by", sa.Integer, sa.ForeignKey("users.id", ondelete="SET NULL")),
        sa.Column("locked_at", sa.DateTime, nullable=False),
    )
    op.create_table(
        "comment_filters",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("pattern", sa.String(200), nullable=False),
        sa.Column("created_by", sa.Integer, sa.ForeignKey("users.id", ondelete="SET NULL")),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.UniqueConstraint("pattern", name="uq_comment_filters_pattern"),
    )
    op.create_table(
        "moderation_log",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("moderator_id", sa.Integer, sa.ForeignKey("users.id", ondelete="SET NULL")),
        sa.Column("moderator_name", sa.String(64), nullable=False),  # kept when the account goes
        sa.Column("action", sa.String(30), nullable=False),
        sa.Column("comment_id", sa.Integer, sa.ForeignKey("comments.id", ondelete="SET NULL")),
        sa.Column("target_user_id", sa.Integer, sa.ForeignKey("users.id", ondelete="SET NULL")),
        sa.Column("article_id", sa.Integer, sa.ForeignKey("articles.id", ondelete="SET NULL")),
        sa.Column("detail", sa.String(500)),
        sa.Column("created_at", sa.DateTime, nullable=False),
    )
    op.create_index("ix_moderation_log_created", "moderation_log", ["created_at"])
    op.create_table(
        "api_tokens",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False),  # sha256: the token itself is shown once
        sa.Column("label", sa.String(100), nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("last_used_at", sa.DateTime),
        sa.UniqueConstraint("token_hash", name="uq_api_tokens_hash"),
    )


# Forward-only: restore from a backup instead of downgrading.
