"""Indexes the reader's pages need at 100k articles and more.

A listed article (not a near copy) is found by date from a partial index, and a search candidate
is checked against the filters from a covering index, so neither reads the article's row: on
SQLite the body columns come first and spill into overflow pages, which made each check cost a
body read.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-29
"""

from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("CREATE INDEX ix_articles_listed ON articles (sort_at, id) WHERE duplicate_of IS NULL")
    op.execute("CREATE INDEX ix_articles_facets ON articles (id, duplicate_of, source_id, sort_at)")


# Forward-only: restore from a backup instead of downgrading.
