"""Stories: the coverage of one event, and each article's story.

A story keeps what online clustering needs to score a newcomer without reading its members:
the sum of their embeddings and the counts of their headline words. A story merged into
another keeps its row with `merged_into_id`, so its links redirect instead of breaking.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-29
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "stories",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("vector_sum", sa.LargeBinary, nullable=False),
        sa.Column("terms", sa.Text, nullable=False),
        sa.Column("article_count", sa.Integer, nullable=False),
        sa.Column("first_at", sa.DateTime, nullable=False),
        sa.Column("last_at", sa.DateTime, nullable=False),
        sa.Column("headline_article_id", sa.Integer, sa.ForeignKey("articles.id", ondelete="SET NULL")),
        sa.Column("merged_into_id", sa.Integer, sa.ForeignKey("stories.id", ondelete="SET NULL")),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("updated_at", sa.DateTime, nullable=False),
    )
    op.create_index("ix_stories_last_at", "stories", ["last_at"])
    op.create_index("ix_stories_updated_at", "stories", ["updated_at", "id"])
    if op.get_bind().dialect.name == "sqlite":
        # A plain ADD COLUMN: a batch "move and copy" would drop the full-text triggers.
        op.execute("ALTER TABLE articles ADD COLUMN story_id INTEGER REFERENCES stories(id) ON DELETE SET NULL")
    else:
        op.add_column(
            "articles",
            sa.Column("story_id", sa.Integer, sa.ForeignKey("stories.id", ondelete="SET NULL", name="fk_articles_story_id")),
        )
    op.create_index("ix_articles_story", "articles", ["story_id", "sort_at"])


# Forward-only: restore from a backup instead of downgrading.
