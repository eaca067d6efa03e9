"""Posting, editing, voting and reporting under the site's rules; moderation of what comes in.

Every call returns a `CommentResult` whose status says what happened and whose reason is
safe to show the reader. The rules, in the order they are checked: the account may post
(not banned), the same form was not already stored (its nonce), the rate limits, the text
(empty, too long, too many links), the thread (exists, not locked), a repeat of the
reader's own recent comment; then a comment is held for review when it matches the site's
filter or its author is new and the site holds first comments.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from newsloom.comments.markdown import count_links, render_comment
from newsloom.settings import Settings
from newsloom.store import ArticleRepository, CommentRepository, Database, ModerationRepository, UserRepository
from newsloom.store.records import Comment, CommentFilter, ModerationEntry, NewComment, QueuedComment, User
from newsloom.throttle import Throttles

PUBLISHED, HELD, REFUSED, LIMITED, FORBIDDEN, NOT_FOUND = "published", "held", "refused", "limited", "forbidden", "not_found"
DUPLICATE_WINDOW = timedelta(days=1)
MAX_REPORT_CHARS = 500
MAX_FILTER_CHARS = 200


@dataclass(frozen=True)
class CommentResult:
    status: str
    reason: str | None = None
    comment: Comment | None = None
    repeated: bool = False  # the same form (nonce) again: the comment stored the first time

    @property
    def ok(self) -> bool:
        return self.status in (PUBLISHED, HELD)


def fingerprint(body: str) -> str:
    """Equal for texts that differ only in case, spacing and punctuation."""
    words = re.findall(r"\w+", body.casefold())
    return hashlib.sha256(" ".join(words).encode()).hexdigest()


def filter_hits(body: str, filters: list[CommentFilter]) -> list[str]:
    """Patterns the text matches: a word or phrase as whole words, a domain anywhere."""
    hits = []
    for rule in filters:
        pattern = rule.pattern.casefold()
        if "." in pattern and "/" not in pattern and " " not in pattern:
            found = pattern in body.casefold()
        else:
            found = re.search(rf"(?<!\w){re.escape(pattern)}(?!\w)", body.casefold()) is not None
        if found:
            hits.append(rule.pattern)
    return hits


@dataclass(frozen=True)
class Discussion:
    comments: list[Comment]
    voted: set[int]  # by the reader
    locked: bool


def _stored_before(comment: Comment) -> CommentResult:
    return CommentResult(PUBLISHED if comment.status == "visible" else HELD, None, comment, repeated=True)


class CommentService:
    def __init__(self, database: Database, settings: Settings, throttles: Throttles | None = None) -> None:
        self.database, self.settings = database, settings
        throttles = throttles or Throttles(None)
        self._per_minute = throttles.rate("comments-minute", settings.comments_per_minute, 60.0)
        self._per_hour = throttles.rate("comments-hour", settings.comments_per_hour, 3600.0)
        self._per_address = throttles.rate("comments-address", settings.comments_per_minute_per_address, 60.0)

    def post(self, user: User, article_id: int, body: str, nonce: str, address: str, parent_id: int | None = None) -> CommentResult:
        if user.banned:
            return CommentResult(FORBIDDEN, "This account may not comment.")
        with self.database.read() as session:
            stored = CommentRepository(session).by_nonce(user.id, nonce)
        if stored is not None:  # the same form again: answer as the first time, store nothing
            return _stored_before(stored)
        problem = self._limited(user, address, nonce) or self._text_problem(body)
        if problem:
            return problem
        body = body.strip()
        with self.database.write() as session:
            comments, moderation = CommentRepository(session), ModerationRepository(session)
            stored = comments.by_nonce(user.id, nonce)  # the same form, sent again while this one waited
            if stored is not None:
                return _stored_before(stored)
            if ArticleRepository(session).get(article_id) is None:
                return CommentResult(NOT_FOUND, "This article does not exist.")
            if parent_id is not None:
                parent = comments.get(parent_id)
                if parent is None or parent.article_id != article_id or parent.status not in ("visible", "held"):
                    return CommentResult(NOT_FOUND, "The comment you are replying to is gone.")
            if moderation.is_locked(article_id) and not user.moderates:
                return CommentResult(FORBIDDEN, "This discussion is locked.")
            text_print = fingerprint(body)
            if comments.has_fingerprint(user.id, text_print, datetime.now(UTC) - DUPLICATE_WINDOW):
                stored = comments.by_nonce(user.id, nonce)  # committed by a concurrent send of this same form
                return _stored_before(stored) if stored else CommentResult(REFUSED, "You already posted this comment.")
            held_reason = self._hold_reason(user, body, comments, moderation)
            new = NewComment(
                article_id=article_id, user_id=user.id, body=body, body_html=render_comment(body),
                status="held" if held_reason else "visible", fingerprint=text_print, nonce=nonce, parent_id=parent_id,
                held_reason=held_reason,
            )  # fmt: skip
            comment, stored_now = comments.add(new)
        if not stored_now:  # a concurrent send of this same form committed first
            return _stored_before(comment)
        if comment.status == "held":
            return CommentResult(HELD, "Your comment is waiting for a moderator's review.", comment)
        return CommentResult(PUBLISHED, None, comment)

    def edit(self, user: User, comment_id: int, body: str, address: str) -> CommentResult:
        with self.database.read() as session:
            comment = CommentRepository(session).get(comment_id)
        if comment is None or comment.status in ("deleted", "hidden"):
            return CommentResult(NOT_FOUND, "This comment does not exist.")
        if comment.user_id != user.id or user.banned:
            return CommentResult(FORBIDDEN, "Only its author may edit a comment.")
        if datetime.now(UTC) - comment.created_at > timedelta(minutes=self.settings.comment_edit_minutes):
            return CommentResult(FORBIDDEN, f"A comment can be edited for {self.settings.comment_edit_minutes} minutes after posting.")
        problem = self._limited(user, address) or self._text_problem(body)
        if problem:
            return problem
        body = body.strip()
        with self.database.write() as session:
            comments, moderation = CommentRepository(session), ModerationRepository(session)
            held_reason = self._filter_reason(body, moderation) if not user.moderates else None
            status = "held" if held_reason or comment.status == "held" else "visible"
            comments.edit(comment_id, body, render_comment(body), fingerprint(body), status, held_reason or comment.held_reason)
            edited = comments.get(comment_id)
        return CommentResult(HELD if status == "held" else PUBLISHED, None, edited)

    def delete(self, user: User, comment_id: int) -> CommentResult:
        with self.database.write() as session:
            comments = CommentRepository(session)
            comment = comments.get(comment_id)
            if comment is None or comment.status == "deleted":
                return CommentResult(NOT_FOUND, "This comment does not exist.")
            if comment.user_id != user.id:
                return CommentResult(FORBIDDEN, "Only its author may delete a comment.")
            comments.erase(comment_id)
        return CommentResult(PUBLISHED, "Your comment was deleted.", comment)

    def vote(self, user: User, comment_id: int) -> CommentResult:
        if user.banned:
            return CommentResult(FORBIDDEN, "This account may not vote.")
        with self.database.write() as session:
            comments = CommentRepository(session)
            comment = comments.get(comment_id)
            if comment is None or comment.status != "visible":
                return CommentResult(NOT_FOUND, "This comment does not exist.")
            counted = comments.vote(comment_id, user.id)
        return CommentResult(PUBLISHED, "Vote counted." if counted else "Vote withdrawn.", comment)

    def report(self, user: User, comment_id: int, reason: str) -> CommentResult:
        reason = " ".join(reason.split())
        if not reason:
            return CommentResult(REFUSED, "Say what is wrong with this comment.")
        if len(reason) > MAX_REPORT_CHARS:
            return CommentResult(REFUSED, f"A report has at most {MAX_REPORT_CHARS} characters.")
        with self.database.write() as session:
            comment = CommentRepository(session).get(comment_id)
            if comment is None or comment.status != "visible":
                return CommentResult(NOT_FOUND, "This comment does not exist.")
            if comment.user_id == user.id:
                return CommentResult(REFUSED, "You cannot report your own comment.")
            new = ModerationRepository(session).report(comment_id, user.id, reason)
        return CommentResult(PUBLISHED, "Thank you: a moderator will look at it." if new else "You already reported this comment.", comment)

    def discussion(self, article_id: int, order: str, user: User | None) -> Discussion:
        """Everything the comments section shows one reader, in one read."""
        with self.database.read() as session:
            comments = CommentRepository(session)
            thread = comments.thread(article_id, order)
            voted = comments.voted(user.id, [c.id for c in thread]) if user else set()
            return Discussion(thread, voted, ModerationRepository(session).is_locked(article_id))

    def thread(self, article_id: int, order: str = "oldest") -> list[Comment]:
        with self.database.read() as session:
            return CommentRepository(session).thread(article_id, order)

    def get(self, comment_id: int) -> Comment | None:
        with self.database.read() as session:
            return CommentRepository(session).get(comment_id)

    def voted(self, user_id: int, comment_ids: list[int]) -> set[int]:
        with self.database.read() as session:
            return CommentRepository(session).voted(user_id, comment_ids)

    def can_edit(self, user: User | None, comment: Comment) -> bool:
        return bool(
            user and comment.user_id == user.id and comment.status in ("visible", "held")
            and datetime.now(UTC) - comment.created_at <= timedelta(minutes=self.settings.comment_edit_minutes)
        )  # fmt: skip

    def _limited(self, user: User, address: str, nonce: str | None = None) -> CommentResult | None:
        if user.moderates:
            return None
        # One form (its nonce) counts once, however many times it is sent at once: at most one
        # of the sends is stored. Every attempt counts against the address, so many accounts
        # from one place share its limit.
        form = f"{user.id}:{nonce}" if nonce else None
        allowed = self._per_address.allow(f"ip:{address}", form)
        allowed = self._per_minute.allow(f"user:{user.id}", form) and allowed
        allowed = allowed and self._per_hour.allow(f"user:{user.id}", form)
        if not allowed:
            return CommentResult(LIMITED, "You are commenting too fast; wait a minute and try again.")
        return None

    def _text_problem(self, body: str) -> CommentResult | None:
        body = body.strip()
        if not body:
            return CommentResult(REFUSED, "Write something first.")
        if len(body) > self.settings.comment_max_chars:
            return CommentResult(REFUSED, f"A comment has at most {self.settings.comment_max_chars:,} characters; this one has {len(body):,}.")
        links = count_links(body)
        if links > self.settings.comment_max_links:
            return CommentResult(REFUSED, f"A comment may carry at most {self.settings.comment_max_links} links; this one has {links}.")
        return None

    def _hold_reason(self, user: User, body: str, comments: CommentRepository, moderation: ModerationRepository) -> str | None:
        if user.moderates:
            return None
        reason = self._filter_reason(body, moderation)
        if reason is None and self.settings.hold_first_comments > comments.visible_count_by(user.id):
            reason = "a new account's first comments are reviewed"
        return reason

    @staticmethod
    def _filter_reason(body: str, moderation: ModerationRepository) -> str | None:
        hits = filter_hits(body, moderation.filters())
        return f"matches the site filter: {', '.join(hits)}"[:200] if hits else None


ONLY_MODERATORS = CommentResult(FORBIDDEN, "Only moderators may do that.")


class ModerationService:
    """What moderators do; every action is written to the moderation log."""

    ACTIONS = ("approve", "hide", "delete")

    def __init__(self, database: Database) -> None:
        self.database = database

    def queue(self) -> list[QueuedComment]:
        with self.database.read() as session:
            return ModerationRepository(session).queue()

    def act(self, moderator: User, comment_id: int, action: str) -> CommentResult:
        if not moderator.moderates:
            return ONLY_MODERATORS
        if action not in self.ACTIONS:
            return CommentResult(REFUSED, f"Unknown action {action!r}.")
        with self.database.write() as session:
            comments, moderation = CommentRepository(session), ModerationRepository(session)
            comment = comments.get(comment_id)
            if comment is None:
                return CommentResult(NOT_FOUND, "This comment does not exist.")
            if comment.status == "deleted" and action != "delete":
                return CommentResult(REFUSED, "A deleted comment's text is gone; there is nothing to restore.")
            if action == "delete":
                comments.erase(comment_id)
            else:
                comments.set_status(comment_id, "visible" if action == "approve" else "hidden")
            moderation.resolve_reports(comment_id)
            moderation.log(moderator.id, moderator.username, action, comment_id=comment_id, target_user_id=comment.user_id,
                           article_id=comment.article_id)  # fmt: skip
        return CommentResult(PUBLISHED, f"Comment {comment_id}: {action} done.", comment)

    def set_banned(self, moderator: User, user_id: int, banned: bool) -> CommentResult:
        if not moderator.moderates:
            return ONLY_MODERATORS
        with self.database.write() as session:
            users = UserRepository(session)
            target = users.get(user_id)
            if target is None:
                return CommentResult(NOT_FOUND, "No such account.")
            if target.moderates or target.id == moderator.id:
                return CommentResult(FORBIDDEN, "Moderators and admins cannot be banned; change their role first.")
            users.set_banned(user_id, banned)
            ModerationRepository(session).log(moderator.id, moderator.username, "ban" if banned else "unban", target_user_id=user_id,
                                              detail=target.username)  # fmt: skip
        return CommentResult(PUBLISHED, f"{target.username} is {'banned' if banned else 'no longer banned'}.")

    def banned(self) -> list[User]:
        with self.database.read() as session:
            return UserRepository(session).banned()

    def set_locked(self, moderator: User, article_id: int, locked: bool) -> CommentResult:
        if not moderator.moderates:
            return ONLY_MODERATORS
        with self.database.write() as session:
            if ArticleRepository(session).get(article_id) is None:
                return CommentResult(NOT_FOUND, "This article does not exist.")
            moderation = ModerationRepository(session)
            moderation.set_locked(article_id, locked, moderator.id)
            moderation.log(moderator.id, moderator.username, "lock" if locked else "unlock", article_id=article_id)
        return CommentResult(PUBLISHED, "The discussion is locked." if locked else "The discussion is open again.")

    def is_locked(self, article_id: int) -> bool:
        with self.database.read() as session:
            return ModerationRepository(session).is_locked(article_id)

    def filters(self) -> list[CommentFilter]:
        with self.database.read() as session:
            return ModerationRepository(session).filters()

    def add_filter(self, moderator: User, pattern: str) -> CommentResult:
        pattern = " ".join(pattern.split())
        if not moderator.moderates:
            return ONLY_MODERATORS
        if not pattern or len(pattern) > MAX_FILTER_CHARS:
            return CommentResult(REFUSED, f"A filter is a word, phrase or domain of 1 to {MAX_FILTER_CHARS} characters.")
        with self.database.write() as session:
            moderation = ModerationRepository(session)
            if not moderation.add_filter(pattern, moderator.id):
                return CommentResult(REFUSED, f"{pattern!r} is already in the filter.")
            moderation.log(moderator.id, moderator.username, "add_filter", detail=pattern)
        return CommentResult(PUBLISHED, f"Comments matching {pattern!r} are now held for review.")

    def remove_filter(self, moderator: User, filter_id: int) -> CommentResult:
        if not moderator.moderates:
            return ONLY_MODERATORS
        with self.database.write() as session:
            moderation = ModerationRepository(session)
            pattern = moderation.remove_filter(filter_id)
            if pattern is None:
                return CommentResult(NOT_FOUND, "No such filter.")
            moderation.log(moderator.id, moderator.username, "remove_filter", detail=pattern)
        return CommentResult(PUBLISHED, f"{pattern!r} removed from the filter.")

    def log(self) -> list[ModerationEntry]:
        with self.database.read() as session:
            return ModerationRepository(session).entries()
