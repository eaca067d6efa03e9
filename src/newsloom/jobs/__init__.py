"""Background work: the Huey queue, its jobs, and the worker process."""

from newsloom.jobs.queue import JobQueue, create_huey
from newsloom.jobs.worker import WorkerSupervisor, run_worker

__all__ = ["JobQueue", "WorkerSupervisor", "create_huey", "run_worker"]
