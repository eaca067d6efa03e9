"""What operators watch, read from the database so that every process reports the same
numbers (a worker's fetches show on the web process's /metrics)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from newsloom.store.models import ArticleRow, CommentRow, EnrichmentRow, EntryRow, FeedRow, FetchAttemptRow, StoryRow
from newsloom.store.records import EntryProblem

RECENT = timedelta(hours=1)


@dataclass(frozen=True)
class OperationsSnapshot:
    articles: int
    stories: int
    feeds_ok: int
    feeds_failing: int
    entries_by_status: dict[str, int]
    fetches_last_hour: dict[tuple[str, str], tuple[int, float]]  # (kind, outcome) -> (count, total seconds)
    enriched_last_hour: int
    enrich_lag_seconds_last_hour: float | None  # mean, from fetch to enrichment
    comments_by_status: dict[str, int]


class OperationsRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def entries_by_status(self) -> dict[str, int]:
        return dict(self.session.execute(select(EntryRow.status, func.count()).group_by(EntryRow.status)).all())  # type: ignore[arg-type]

    def entry_problems(self, status: str, limit: int = 50) -> list[EntryProblem]:
        """Entries waiting for a retry, or given up on, newest first."""
        rows = self.session.scalars(
            select(EntryRow).where(EntryRow.status == status).order_by(EntryRow.updated_at.desc(), EntryRow.id.desc()).limit(limit)
        )
        return [
            EntryProblem(row.id, row.url, row.status, row.reason, row.attempts, row.updated_at,
                         row.next_attempt_at if row.status == "retry" else None)  # fmt: skip
            for row in rows
        ]

    def enrichment_failures(self) -> dict[str, int]:
        """Articles whose enrichment of a kind did not succeed, by kind."""
        query = select(EnrichmentRow.kind, func.count()).where(EnrichmentRow.status != "ok").group_by(EnrichmentRow.kind)
        return dict(self.session.execute(query).all())  # type: ignore[arg-type]

    def snapshot(self, now: datetime) -> OperationsSnapshot:
        since = now - RECENT
        failing = self.session.scalar(select(func.count()).where(FeedRow.error_count > 0)) or 0
        fetches = self.session.execute(
            select(FetchAttemptRow.kind, FetchAttemptRow.outcome, func.count(), func.sum(FetchAttemptRow.duration_ms))
            .where(FetchAttemptRow.started_at >= since).group_by(FetchAttemptRow.kind, FetchAttemptRow.outcome)
        )  # fmt: skip
        # One row per enriched article: its embedding is written last, with the rest, in one transaction.
        enriched = select(EnrichmentRow.computed_at, ArticleRow.fetched_at).join(ArticleRow, ArticleRow.id == EnrichmentRow.article_id)
        enriched = enriched.where(EnrichmentRow.kind == "embedding", EnrichmentRow.computed_at >= since)
        lags = [(computed - fetched).total_seconds() for computed, fetched in self.session.execute(enriched)]
        return OperationsSnapshot(
            articles=self.session.scalar(select(func.count()).select_from(ArticleRow)) or 0,
            stories=self.session.scalar(select(func.count()).where(StoryRow.merged_into_id.is_(None))) or 0,
            feeds_ok=(self.session.scalar(select(func.count()).select_from(FeedRow)) or 0) - failing,
            feeds_failing=failing,
            entries_by_status=self.entries_by_status(),
            fetches_last_hour={(kind, outcome): (count, (total or 0) / 1000) for kind, outcome, count, total in fetches},
            enriched_last_hour=len(lags),
            enrich_lag_seconds_last_hour=sum(lags) / len(lags) if lags else None,
            comments_by_status=dict(self.session.execute(select(CommentRow.status, func.count()).group_by(CommentRow.status)).all()),  # type: ignore[arg-type]
        )
