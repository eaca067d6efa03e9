from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from newsloom.store.models import UserRow, utcnow
from newsloom.store.records import User


def to_user(row: UserRow) -> User:
    return User(id=row.id, username=row.username, role=row.role, session_epoch=row.session_epoch)


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

    def _row(self, username: str) -> UserRow | None:
        return self.session.scalars(select(UserRow).where(func.lower(UserRow.username) == username.casefold())).first()
