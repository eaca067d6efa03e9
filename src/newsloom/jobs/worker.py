"""`newsloom worker`, and the supervised worker process that `newsloom serve` runs."""

from __future__ import annotations

import ctypes
import logging
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

from newsloom.jobs.queue import JobQueue
from newsloom.services import Services
from newsloom.settings import Settings

log = logging.getLogger(__name__)


IDLE_POLL_SECONDS = 1.0
# Less than `WorkerSupervisor.stop` waits before it kills the worker.
SHUTDOWN_SECONDS = 10.0


def run_worker(settings: Settings) -> None:
    """Consume jobs until SIGTERM (running jobs finish first) or SIGINT; runs the periodic scheduler too."""
    services = Services(settings)
    queue = JobQueue(services)
    # An idle thread waits at most a second before looking again (Huey's default: up to 10 s).
    # An article is a chain of three jobs (entry, enrich, story), each of which could otherwise
    # wait out a ten-second nap on a quiet installation before a reader sees it.
    # SIGTERM (what systemd, Docker and `newsloom serve` send) lets running jobs finish: worker
    # threads stopped inside native code (ONNX Runtime, spaCy) abort the process at exit. Jobs
    # are idempotent, so one cut short after SHUTDOWN_SECONDS is only redone.
    consumer = queue.huey.create_consumer(
        workers=settings.worker_threads, worker_type="thread", periodic=True, check_worker_health=True, max_delay=IDLE_POLL_SECONDS,
        graceful_signal="TERM", shutdown_timeout=SHUTDOWN_SECONDS,
    )  # fmt: skip
    # Feeds that became due while no worker ran are picked up at once, not at the next minute.
    queue.schedule_due_work()
    try:
        consumer.run()
    finally:
        services.close()


def _die_with_parent() -> None:
    """Linux: the worker gets SIGTERM if `serve` itself is killed, so it is never orphaned."""
    try:
        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        libc.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except OSError:
        pass


class WorkerSupervisor:
    """Keeps one `newsloom worker` child alive beside the web server, restarting it if it dies."""

    def __init__(self, config_file: Path | None, max_restart_delay: float = 60.0) -> None:
        self.command = [sys.executable, "-m", "newsloom"]
        if config_file:
            self.command += ["--config", str(config_file)]
        self.command.append("worker")
        self.max_restart_delay = max_restart_delay
        self._process: subprocess.Popen[bytes] | None = None
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._supervise, name="worker-supervisor", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self, timeout: float = 15.0) -> None:
        self._stopping.set()
        process = self._process
        if process and process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout)
            except subprocess.TimeoutExpired:
                process.kill()
        self._thread.join(timeout)

    def _supervise(self) -> None:
        delay = 1.0
        while not self._stopping.is_set():
            started = time.monotonic()
            self._process = subprocess.Popen(self.command, preexec_fn=_die_with_parent)
            code = self._process.wait()
            if self._stopping.is_set():
                return
            # A worker that ran for a while before dying gets a fresh, short delay.
            delay = 1.0 if time.monotonic() - started > 60 else min(delay * 2, self.max_restart_delay)
            log.error("worker exited with code %s; restarting in %.0f s", code, delay)
            self._stopping.wait(delay)
