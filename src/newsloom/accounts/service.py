from __future__ import annotations

import re
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from newsloom.store import Database, UserRepository
from newsloom.store.records import User

USERNAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{1,63}$")
MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 1024  # hashing a megabyte "password" is a cheap denial of service


class AccountError(ValueError):
    pass


@dataclass(frozen=True)
class SignInResult:
    """`status`: ok or refused; `reason` is safe to show (it never tells which part was wrong)."""

    status: str
    reason: str | None = None
    user: User | None = None


class Accounts:
    def __init__(self, database: Database, hasher: PasswordHasher | None = None) -> None:
        self.database = database
        self.hasher = hasher or PasswordHasher()  # argon2id with the library's current defaults
        # Verifying against this when the name is unknown costs what a real check costs,
        # so response time does not tell which usernames exist.
        self._decoy_hash = self.hasher.hash("decoy password, never valid")

    def set_admin(self, username: str, password: str) -> tuple[User, bool]:
        """Create the admin, or give an existing account the admin role and this password.
        Returns the user and whether it was created."""
        _check_username(username)
        _check_password(password)
        hashed = self.hasher.hash(password)
        with self.database.write() as session:
            users = UserRepository(session)
            existing = users.by_username(username)
            if existing is None:
                return users.create(username, hashed, "admin"), True
            users.set_password(existing.id, hashed)
            users.set_role(existing.id, "admin")
            return users.get(existing.id), False  # type: ignore[return-value]

    def sign_in(self, username: str, password: str) -> SignInResult:
        refused = SignInResult("refused", "Wrong username or password.")
        if len(password) > MAX_PASSWORD_LENGTH:
            return refused
        with self.database.read() as session:
            found = UserRepository(session).credentials(username)
        try:
            self.hasher.verify(found[1] if found else self._decoy_hash, password)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return refused
        if found is None:
            return refused
        user, stored_hash = found
        rehashed = self.hasher.hash(password) if self.hasher.check_needs_rehash(stored_hash) else None
        with self.database.write() as session:
            UserRepository(session).record_login(user.id, rehashed)
        return SignInResult("ok", None, user)

    def get(self, user_id: int) -> User | None:
        with self.database.read() as session:
            return UserRepository(session).get(user_id)


def _check_username(username: str) -> None:
    if not USERNAME.match(username):
        raise AccountError("a username is 2 to 64 letters, digits, '.', '_' or '-', starting with a letter or digit")


def _check_password(password: str) -> None:
    if not MIN_PASSWORD_LENGTH <= len(password) <= MAX_PASSWORD_LENGTH:
        raise AccountError(f"a password has {MIN_PASSWORD_LENGTH} to {MAX_PASSWORD_LENGTH} characters")
