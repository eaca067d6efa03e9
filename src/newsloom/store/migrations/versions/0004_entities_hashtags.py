"""Enrichment: entities, article-entity links, hashtags, and what computed them.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-29
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "entities",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("name", sa.String(300), nullable=False),
        sa.Column("key", sa.String(300), nullable=False),
        sa.UniqueConstraint("kind", "key", name="uq_entities_kind_key"),
    )
    op.create_table(
        "article_entities",
        sa.Column("article_id", sa.Integer, sa.ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("entity_id", sa.Integer, sa.ForeignKey("entities.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("mentions", sa.Integer, nullable=False),
        sa.Column("salience", sa.Float, nullable=False),
    )
    op.create_index("ix_article_entities_entity_id", "article_entities", ["entity_id"])
    op.create_table(
        "article_hashtags",
        sa.Column("article_id", sa.Integer, sa.ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("tag", sa.String(100), primary_key=True),
        sa.Column("rank", sa.Integer, nullable=False),
    )
    op.create_index("ix_article_hashtags_tag", "article_hashtags", ["tag"])
    op.create_table(
        "enrichments",
        sa.Column("article_id", sa.Integer, sa.ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("kind", sa.String(30), primary_key=True),
        sa.Column("model", sa.String(200), nullable=False),
        sa.Column("model_version", sa.String(50), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("reason", sa.Text),
        sa.Column("computed_at", sa.DateTime, nullable=False),
    )


# Forward-only: restore from a backup instead of downgrading.
