"""What the background work is doing: the queue, entries by state, the retry queue and the
dead letters (entries given up after their last attempt), for `newsloom jobs` and the admin."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from newsloom.settings import Settings
from newsloom.store import Database
from newsloom.store.operations import OperationsRepository
from newsloom.store.records import EntryProblem


@dataclass(frozen=True)
class JobsReport:
    queue: str
    max_attempts: int
    entries_by_status: dict[str, int]
    retrying: list[EntryProblem]
    failed: list[EntryProblem]
    enrichment_failures: dict[str, int]


def describe_queue(settings: Settings, depth: Callable[[], int]) -> str:
    """"sqlite: 3 waiting", or why the queue cannot be read."""
    try:
        return f"{'redis' if settings.queue_url else 'sqlite'}: {depth()} waiting"
    except Exception as error:  # reported, never raised: the caller is a status page
        return f"unreachable: {type(error).__name__}"


def jobs_report(database: Database, settings: Settings, depth: Callable[[], int], limit: int = 20) -> JobsReport:
    with database.read() as session:
        operations = OperationsRepository(session)
        return JobsReport(
            queue=describe_queue(settings, depth), max_attempts=settings.entry_max_attempts,
            entries_by_status=operations.entries_by_status(), retrying=operations.entry_problems("retry", limit),
            failed=operations.entry_problems("failed", limit), enrichment_failures=operations.enrichment_failures(),
        )  # fmt: skip
