"""Per-source clean-up: scraper rules and learned boilerplate.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-29
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "source_boilerplate",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("source_id", sa.Integer, sa.ForeignKey("sources.id", ondelete="CASCADE"), nullable=False),
        sa.Column("kind", sa.String(10), nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("fingerprint", sa.String(64), nullable=False),
        sa.Column("article_count", sa.Integer, nullable=False),
        sa.Column("sample_size", sa.Integer, nullable=False),
        sa.Column("learned_at", sa.DateTime, nullable=False),
        sa.UniqueConstraint("source_id", "fingerprint", name="uq_source_boilerplate_fingerprint"),
    )
    op.add_column("sources", sa.Column("boilerplate_learned_at", sa.DateTime))
    op.add_column("sources", sa.Column("articles_since_learning", sa.Integer, nullable=False, server_default="0"))
    op.add_column("sources", sa.Column("body_selector", sa.Text))
    op.add_column("sources", sa.Column("drop_selectors", sa.Text, nullable=False, server_default="[]"))


# Forward-only: restore from a backup instead of downgrading.
