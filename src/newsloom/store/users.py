from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from newsloom.store.models import ApiTokenRow, UserRow, utcnow
from newsloom.store.records import User


def to_user(row: UserRow) -> User:
    return User(
        id=row.id, username=row.username, role=row.role, session_epoch=row.session_epoch,
        created_at=row.created_at, banned=row.banned_at is not None,
    )  # fmt: skip


class UserRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def get(self, user_id: int) -> User | None:
        row = self.session.get(UserRow, user_id)
        return to_user(row) if row else None

    def by_username(self, username: str) -> User | None:
        row = self._row(username)
        return to_user(row) if row else None

    def credentials(self, username: str) -> tuple[User, str] | None:
        """The account and its password hash, in one read, for signing in."""
        row = self._row(username)
        return (to_user(row), row.password_hash) if row else None

    def create(self, username: str, password_hash: str, role: str) -> User:
        row = UserRow(username=username, password_hash=password_hash, role=role, created_at=utcnow())
        self.session.add(row)
        self.session.flush()
        return to_user(row)

    def set_password(self, user_id: int, password_hash: str) -> None:
        """A new password also ends every session signed in with the old one."""
        row = self.session.get(UserRow, user_id)
        if row is not None:
            row.password_hash = password_hash
            row.session_epoch += 1

    def set_role(self, user_id: int, role: str) -> None:
        row = self.session.get(UserRow, user_id)
        if row is not None:
            row.role = role

    def record_login(self, user_id: int, rehashed: str | None = None) -> None:
        row = self.session.get(UserRow, user_id)
        if row is not None:
            row.last_login_at = utcnow()
            if rehashed:
                row.password_hash = rehashed

    def set_banned(self, user_id: int, banned: bool) -> None:
        """A ban also ends the account's sessions."""
        row = self.session.get(UserRow, user_id)
        if row is not None:
            row.banned_at = utcnow() if banned else None
            row.session_epoch += 1

    def banned(self) -> list[User]:
        rows = self.session.scalars(select(UserRow).where(UserRow.banned_at.is_not(None)).order_by(UserRow.banned_at.desc()))
        return [to_user(row) for row in rows]

    def delete(self, user_id: int) -> None:
        self.session.execute(delete(UserRow).where(UserRow.id == user_id))

    def add_token(self, user_id: int, token_hash: str, label: str) -> None:
        self.session.add(ApiTokenRow(user_id=user_id, token_hash=token_hash, label=label, created_at=utcnow()))

    def by_token(self, token_hash: str, now: datetime) -> User | None:
        token = self.session.scalars(select(ApiTokenRow).where(ApiTokenRow.token_hash == token_hash)).first()
        if token is None:
            return None
        token.last_used_at = now
        return self.get(token.user_id)

    def tokens(self, user_id: int) -> list[tuple[int, str, datetime, datetime | None]]:
        """(id, label, created, last used) of the account's API tokens."""
        rows = self.session.scalars(select(ApiTokenRow).where(ApiTokenRow.user_id == user_id).order_by(ApiTokenRow.id))
        return [(row.id, row.label, row.created_at, row.last_used_at) for row in rows]

    def revoke_token(self, user_id: int, token_id: int) -> bool:
        result = self.session.execute(delete(ApiTokenRow).where(ApiTokenRow.id == token_id, ApiTokenRow.user_id == user_id))
        return bool(result.rowcount)  # type: ignore[attr-defined]

    def _row(self, username: str) -> UserRow | None:
        return self.session.scalars(select(UserRow).where(func.lower(UserRow.username) == username.casefold())).first()
