"""pgvector: article embeddings and story centroids with HNSW indexes, on PostgreSQL.

Only where the server has the `vector` extension; elsewhere (SQLite, or PostgreSQL without
it) nothing changes and the in-process index serves. `newsloom db vectors --enable` adds the
tables later, once the extension is installed.

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-29
"""

import logging

from alembic import op

from newsloom.store.vectors import enable_pgvector, pgvector_version

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    connection = op.get_bind()
    if connection.dialect.name != "postgresql":
        return
    if pgvector_version(connection) is None:
        logging.getLogger("alembic").warning(
            "pgvector is not installed on this PostgreSQL server: related articles and stories use the in-process index"
        )
        return
    enable_pgvector(connection)


# Forward-only: restore from a backup instead of downgrading.
