"""Comments, votes and reports; thread locks, word filters and the moderation log."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import exists, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from newsloom.store.models import (
    ArticleRow,
    CommentFilterRow,
    CommentReportRow,
    CommentRow,
    CommentVoteRow,
    LockedThreadRow,
    ModerationLogRow,
    UserRow,
    utcnow,
)
from newsloom.store.pages import PageRepository
from newsloom.store.records import (
    Comment,
    CommentFilter,
    CommentReport,
    ModerationEntry,
    NewComment,
    QueuedComment,
)

ORDERS = {
    "oldest": (CommentRow.created_at, CommentRow.id),
    "newest": (CommentRow.created_at.desc(), CommentRow.id.desc()),
    "top": (CommentRow.score.desc(), CommentRow.created_at, CommentRow.id),
}


def _comment(row: CommentRow, author: str | None) -> Comment:
    return Comment(
        id=row.id, article_id=row.article_id, parent_id=row.parent_id, user_id=row.user_id, author=author,
        depth=row.depth, body=row.body, body_html=row.body_html, status=row.status, held_reason=row.held_reason,
        score=row.score, created_at=row.created_at, edited_at=row.edited_at,
    )  # fmt: skip


def _with_author():  # type: ignore[no-untyped-def]
    """Comments with their author's name (None once the account is deleted)."""
    return select(CommentRow, UserRow.username).outerjoin(UserRow, UserRow.id == CommentRow.user_id)


class CommentRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, new: NewComment) -> tuple[Comment, bool]:
        """The stored comment and whether it is new: the same form sent twice is stored once."""
        existing = self.by_nonce(new.user_id, new.nonce)
        if existing is not None:
            return existing, False
        parent = self.session.get(CommentRow, new.parent_id) if new.parent_id else None
        row = CommentRow(
            article_id=new.article_id, parent_id=new.parent_id, user_id=new.user_id,
            depth=parent.depth + 1 if parent else 0, body=new.body, body_html=new.body_html, status=new.status,
            held_reason=new.held_reason, fingerprint=new.fingerprint, nonce=new.nonce, created_at=utcnow(),
        )  # fmt: skip
        try:
            with self.session.begin_nested():
                self.session.add(row)
        except IntegrityError:  # the same nonce, committed meanwhile by a concurrent request
            existing = self.by_nonce(new.user_id, new.nonce)
            if existing is None:
                raise
            return existing, False
        PageRepository(self.session).forget_discussions([new.article_id])
        return self.get(row.id), True  # type: ignore[return-value]

    def by_nonce(self, user_id: int, nonce: str) -> Comment | None:
        found = self.session.execute(_with_author().where(CommentRow.user_id == user_id, CommentRow.nonce == nonce)).first()
        return _comment(*found) if found else None

    def get(self, comment_id: int) -> Comment | None:
        found = self.session.execute(_with_author().where(CommentRow.id == comment_id)).first()
        return _comment(*found) if found else None

    def thread(self, article_id: int, order: str = "oldest", statuses: tuple[str, ...] = ("visible", "deleted")) -> list[Comment]:
        """The article's comments in `order`; callers nest them by `parent_id`."""
        query = _with_author().where(CommentRow.article_id == article_id, CommentRow.status.in_(statuses))
        return [_comment(*found) for found in self.session.execute(query.order_by(*ORDERS[order]))]

    def counts(self, article_ids: list[int]) -> dict[int, int]:
        """Visible comments per article, for article lists."""
        if not article_ids:
            return {}
        query = (
            select(CommentRow.article_id, func.count())
            .where(CommentRow.article_id.in_(article_ids), CommentRow.status == "visible")
            .group_by(CommentRow.article_id)
        )
        return dict(self.session.execute(query).all())  # type: ignore[arg-type]

    def posted_since(self, user_id: int, since: datetime) -> int:
        query = select(func.count()).where(CommentRow.user_id == user_id, CommentRow.created_at >= since)
        return self.session.scalar(query) or 0

    def visible_count_by(self, user_id: int) -> int:
        return self.session.scalar(select(func.count()).where(CommentRow.user_id == user_id, CommentRow.status == "visible")) or 0

    def has_fingerprint(self, user_id: int, fingerprint: str, since: datetime) -> bool:
        query = select(
            exists().where(CommentRow.user_id == user_id, CommentRow.fingerprint == fingerprint, CommentRow.created_at >= since)
        )
        return bool(self.session.scalar(query))

    def edit(self, comment_id: int, body: str, body_html: str, fingerprint: str, status: str, held_reason: str | None) -> None:
        self._discussion_changed(comment_id)
        self.session.execute(
            update(CommentRow).where(CommentRow.id == comment_id).values(
                body=body, body_html=body_html, fingerprint=fingerprint, status=status, held_reason=held_reason,
                edited_at=utcnow(),
            )
        )  # fmt: skip

    def set_status(self, comment_id: int, status: str, held_reason: str | None = None) -> None:
        self._discussion_changed(comment_id)
        self.session.execute(update(CommentRow).where(CommentRow.id == comment_id).values(status=status, held_reason=held_reason))

    def erase(self, comment_id: int) -> None:
        """Deleted: the text goes, the row stays so that replies keep their place."""
        self._discussion_changed(comment_id)
        self.session.execute(
            update(CommentRow).where(CommentRow.id == comment_id).values(status="deleted", body="", body_html="", held_reason=None)
        )

    def erase_all_by(self, user_id: int) -> int:
        PageRepository(self.session).forget_discussions(select(CommentRow.article_id).where(CommentRow.user_id == user_id))
        result = self.session.execute(
            update(CommentRow).where(CommentRow.user_id == user_id).values(status="deleted", body="", body_html="")
        )
        return result.rowcount  # type: ignore[attr-defined,no-any-return]

    def vote(self, comment_id: int, user_id: int) -> bool:
        """Toggles the reader's vote; returns whether it now counts."""
        voted = self.session.get(CommentVoteRow, (comment_id, user_id))
        if voted is not None:
            self.session.delete(voted)
            delta = -1
        else:
            try:
                with self.session.begin_nested():
                    self.session.add(CommentVoteRow(comment_id=comment_id, user_id=user_id, created_at=utcnow()))
            except IntegrityError:  # a concurrent click of the same reader already counted
                return True
            delta = 1
        self.session.execute(update(CommentRow).where(CommentRow.id == comment_id).values(score=CommentRow.score + delta))
        self._discussion_changed(comment_id)
        return delta > 0

    def _discussion_changed(self, comment_id: int) -> None:
        """What signed-out readers were shown of this comment's article is out of date."""
        PageRepository(self.session).forget_discussions(select(CommentRow.article_id).where(CommentRow.id == comment_id))

    def voted(self, user_id: int, comment_ids: list[int]) -> set[int]:
        if not comment_ids:
            return set()
        query = select(CommentVoteRow.comment_id).where(
            CommentVoteRow.user_id == user_id, CommentVoteRow.comment_id.in_(comment_ids)
        )
        return set(self.session.scalars(query))


class ModerationRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def report(self, comment_id: int, reporter_id: int, reason: str) -> bool:
        """Whether the report is new (a reader reports a comment once)."""
        try:
            with self.session.begin_nested():
                self.session.add(CommentReportRow(comment_id=comment_id, reporter_id=reporter_id, reason=reason, created_at=utcnow()))
        except IntegrityError:
            return False
        return True

    def resolve_reports(self, comment_id: int) -> None:
        self.session.execute(
            update(CommentReportRow)
            .where(CommentReportRow.comment_id == comment_id, CommentReportRow.resolved_at.is_(None))
            .values(resolved_at=utcnow())
        )

    def queue(self, limit: int = 100) -> list[QueuedComment]:
        """Held comments and comments with open reports, oldest first."""
        reported = select(CommentReportRow.comment_id).where(CommentReportRow.resolved_at.is_(None))
        rows = self.session.execute(
            _with_author().add_columns(ArticleRow.title)
            .join(ArticleRow, ArticleRow.id == CommentRow.article_id)
            .where((CommentRow.status == "held") | CommentRow.id.in_(reported))
            .order_by(CommentRow.created_at, CommentRow.id).limit(limit)
        ).all()  # fmt: skip
        reports: dict[int, list[CommentReport]] = {}
        if rows:
            found = self.session.execute(
                select(CommentReportRow.comment_id, UserRow.username, CommentReportRow.reason, CommentReportRow.created_at)
                .join(UserRow, UserRow.id == CommentReportRow.reporter_id)
                .where(CommentReportRow.comment_id.in_([row[0].id for row in rows]), CommentReportRow.resolved_at.is_(None))
                .order_by(CommentReportRow.created_at)
            )  # fmt: skip
            for comment_id, reporter, reason, created_at in found:
                reports.setdefault(comment_id, []).append(CommentReport(reporter, reason, created_at))
        return [QueuedComment(_comment(row, author), title, reports.get(row.id, [])) for row, author, title in rows]

    def is_locked(self, article_id: int) -> bool:
        return self.session.get(LockedThreadRow, article_id) is not None

    def set_locked(self, article_id: int, locked: bool, moderator_id: int) -> None:
        PageRepository(self.session).forget_discussions([article_id])
        row = self.session.get(LockedThreadRow, article_id)
        if locked and row is None:
            self.session.add(LockedThreadRow(article_id=article_id, locked_by=moderator_id, locked_at=utcnow()))
        elif not locked and row is not None:
            self.session.delete(row)

    def filters(self) -> list[CommentFilter]:
        return [CommentFilter(row.id, row.pattern) for row in self.session.scalars(select(CommentFilterRow).order_by(CommentFilterRow.pattern))]

    def add_filter(self, pattern: str, moderator_id: int) -> bool:
        try:
            with self.session.begin_nested():
                self.session.add(CommentFilterRow(pattern=pattern, created_by=moderator_id, created_at=utcnow()))
        except IntegrityError:
            return False
        return True

    def remove_filter(self, filter_id: int) -> str | None:
        row = self.session.get(CommentFilterRow, filter_id)
        if row is None:
            return None
        self.session.delete(row)
        return row.pattern

    def log(self, moderator_id: int, moderator_name: str, action: str, *, comment_id: int | None = None,
            target_user_id: int | None = None, article_id: int | None = None, detail: str | None = None) -> None:  # fmt: skip
        self.session.add(
            ModerationLogRow(
                moderator_id=moderator_id, moderator_name=moderator_name, action=action, comment_id=comment_id,
                target_user_id=target_user_id, article_id=article_id, detail=detail, created_at=utcnow(),
            )
        )  # fmt: skip

    def entries(self, limit: int = 200) -> list[ModerationEntry]:
        rows = self.session.scalars(select(ModerationLogRow).order_by(ModerationLogRow.id.desc()).limit(limit))
        return [
            ModerationEntry(row.moderator_name, row.action, row.comment_id, row.target_user_id, row.article_id, row.detail, row.created_at)
            for row in rows
        ]
