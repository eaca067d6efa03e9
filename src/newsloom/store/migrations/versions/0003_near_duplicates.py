"""Near duplicates: MinHash signatures, LSH band buckets, and the duplicate link.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-29
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        # A plain ADD COLUMN: a batch "move and copy" would drop the full-text triggers.
        op.execute("ALTER TABLE articles ADD COLUMN duplicate_of INTEGER REFERENCES articles(id) ON DELETE SET NULL")
    else:
        op.add_column(
            "articles",
            sa.Column("duplicate_of", sa.Integer, sa.ForeignKey("articles.id", ondelete="SET NULL", name="fk_articles_duplicate_of")),
        )
    op.create_index("ix_articles_duplicate_of", "articles", ["duplicate_of"])
    op.create_table(
        "article_signatures",
        sa.Column("article_id", sa.Integer, sa.ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("signature", sa.LargeBinary, nullable=False),
    )
    op.create_table(
        "article_lsh_buckets",
        sa.Column("band", sa.SmallInteger, nullable=False),
        sa.Column("bucket", sa.BigInteger, nullable=False),
        sa.Column("article_id", sa.Integer, sa.ForeignKey("articles.id", ondelete="CASCADE"), nullable=False),
        sa.PrimaryKeyConstraint("band", "bucket", "article_id"),
    )
    op.create_index("ix_article_lsh_buckets_article_id", "article_lsh_buckets", ["article_id"])


# Forward-only: restore from a backup instead of downgrading.
