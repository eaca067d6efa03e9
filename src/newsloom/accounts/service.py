from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy.exc import IntegrityError

from newsloom.store import CommentRepository, Database, UserRepository
from newsloom.store.records import User

USERNAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{1,63}$")
MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 1024  # hashing a megabyte "password" is a cheap denial of service
ROLES = ("reader", "moderator", "admin")
TOKEN_PREFIX = "nl_"


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

    def sign_up(self, username: str, password: str) -> User:
        """A new reader account; AccountError says why one cannot be made."""
        _check_username(username)
        _check_password(password)
        hashed = self.hasher.hash(password)
        try:
            with self.database.write() as session:
                users = UserRepository(session)
                if users.by_username(username) is not None:
                    raise AccountError("that username is taken")
                return users.create(username, hashed, "reader")
        except IntegrityError as error:  # the same name, committed by a concurrent sign-up
            raise AccountError("that username is taken") from error

    def set_role(self, username: str, role: str) -> User:
        if role not in ROLES:
            raise AccountError(f"a role is one of {', '.join(ROLES)}")
        with self.database.write() as session:
            users = UserRepository(session)
            user = users.by_username(username)
            if user is None:
                raise AccountError(f"no account {username!r}")
            users.set_role(user.id, role)
            return users.get(user.id)  # type: ignore[return-value]

    def change_password(self, user_id: int, current: str, new: str) -> User:
        """Ends every other session of the account (its session epoch moves on)."""
        user = self._verified(user_id, current)
        _check_password(new)
        with self.database.write() as session:
            users = UserRepository(session)
            users.set_password(user.id, self.hasher.hash(new))
            return users.get(user.id)  # type: ignore[return-value]

    def delete_account(self, user_id: int, password: str, keep_comments: bool) -> int:
        """Removes the account. Its comments stay under "[deleted]" or have their text erased;
        returns how many were erased."""
        user = self._verified(user_id, password)
        with self.database.write() as session:
            erased = 0 if keep_comments else CommentRepository(session).erase_all_by(user.id)
            UserRepository(session).delete(user.id)
        return erased

    def create_token(self, user_id: int, label: str) -> str:
        """A new API token: shown to its owner once, stored only as a hash."""
        label = " ".join(label.split())[:100] or "API token"
        token = TOKEN_PREFIX + secrets.token_urlsafe(32)
        with self.database.write() as session:
            UserRepository(session).add_token(user_id, _token_hash(token), label)
        return token

    def user_for_token(self, token: str) -> User | None:
        if not token.startswith(TOKEN_PREFIX) or len(token) > 200:
            return None
        with self.database.write() as session:
            return UserRepository(session).by_token(_token_hash(token), datetime.now(UTC))

    def tokens(self, user_id: int) -> list[tuple[int, str, datetime, datetime | None]]:
        with self.database.read() as session:
            return UserRepository(session).tokens(user_id)

    def revoke_token(self, user_id: int, token_id: int) -> bool:
        with self.database.write() as session:
            return UserRepository(session).revoke_token(user_id, token_id)

    def _verified(self, user_id: int, password: str) -> User:
        with self.database.read() as session:
            user = UserRepository(session).get(user_id)
        if user is None:
            raise AccountError("this account no longer exists")
        if self.sign_in(user.username, password).user is None:
            raise AccountError("the current password is wrong")
        return user

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


def _token_hash(token: str) -> str:
    # A token is 256 random bits: a fast hash is enough, no salt or stretching needed.
    return hashlib.sha256(token.encode()).hexdigest()


def _check_username(username: str) -> None:
    if not USERNAME.match(username):
        raise AccountError("a username is 2 to 64 letters, digits, '.', '_' or '-', starting with a letter or digit")


def _check_password(password: str) -> None:
    if not MIN_PASSWORD_LENGTH <= len(password) <= MAX_PASSWORD_LENGTH:
        raise AccountError(f"a password has {MIN_PASSWORD_LENGTH} to {MAX_PASSWORD_LENGTH} characters")
