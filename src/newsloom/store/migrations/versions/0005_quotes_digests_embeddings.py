"""Enrichment, part two: quotes with speakers, summary and key points, article embeddings.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-29
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "article_quotes",
        sa.Column("article_id", sa.Integer, sa.ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("position", sa.Integer, primary_key=True),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("speaker", sa.String(300), nullable=False),
        sa.Column("speaker_key", sa.String(300), nullable=False),
        sa.Column("affiliation", sa.String(500)),
        sa.Column("cue", sa.String(50)),
        sa.Column("start_offset", sa.Integer, nullable=False),
    )
    op.create_index("ix_article_quotes_speaker_key", "article_quotes", ["speaker_key"])
    op.create_table(
        "article_digests",
        sa.Column("article_id", sa.Integer, sa.ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("summary", sa.Text, nullable=False),  # JSON list of sentences
        sa.Column("key_points", sa.Text, nullable=False),  # JSON list of sentences
    )
    # `seq` grows with every write, so an in-process vector index can catch up incrementally.
    op.create_table(
        "article_embeddings",
        sa.Column("seq", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("article_id", sa.Integer, sa.ForeignKey("articles.id", ondelete="CASCADE"), nullable=False),
        sa.Column("model", sa.String(100), nullable=False),
        sa.Column("vector", sa.LargeBinary, nullable=False),  # float32, little-endian
        sa.UniqueConstraint("article_id", name="uq_article_embeddings_article_id"),
    )


# Forward-only: restore from a backup instead of downgrading.
