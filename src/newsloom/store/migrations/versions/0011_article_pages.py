"""Stored article pages: each article's shared rendering, kept between requests and processes.

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-29
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "article_pages",
        sa.Column("article_id", sa.Integer, sa.ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("path", sa.String(2048), nullable=False),
        sa.Column("version", sa.String(32), nullable=False),
        sa.Column("html", sa.LargeBinary, nullable=False),
        sa.Column("rendered_at", sa.DateTime, nullable=False),
        sa.Column("fresh_until", sa.DateTime, nullable=False),
        sa.Column("discussion", sa.Text),
        sa.Column("discussion_version", sa.Integer, nullable=False, server_default="0"),
    )


# Forward-only: restore from a backup instead of downgrading.
