"""Accounts: the admin who runs the feeds (readers and moderators come with comments).

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-29
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "users",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("username", sa.String(64), nullable=False),
        sa.Column("password_hash", sa.String(255), nullable=False),
        sa.Column("role", sa.String(20), nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("last_login_at", sa.DateTime),
        # Bumped on a password change: signed-in sessions carrying the old value end.
        sa.Column("session_epoch", sa.Integer, nullable=False, server_default="0"),
        sa.UniqueConstraint("username", name="uq_users_username"),
    )


# Forward-only: restore from a backup instead of downgrading.
