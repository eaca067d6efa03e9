"""Request throttles: sliding-window rate limits, and sign-in lockouts with backoff.

They count in this process. With several web processes behind a load balancer each keeps
its own counts, so the effective limit is the setting times the number of processes.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from dataclasses import dataclass


class RateLimiter:
    """At most `limit` events per key in any `window` seconds (sliding window, this process)."""

    def __init__(self, limit: int, window: float) -> None:
        self.limit, self.window = limit, window
        self._events: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def allow(self, key: str) -> bool:
        now = time.monotonic()
        with self._lock:
            events = self._events.setdefault(key, deque())
            while events and events[0] <= now - self.window:
                events.popleft()
            if len(events) >= self.limit:
                return False
            events.append(now)
            if len(self._events) > 100_000:  # forget idle keys rather than grow without bound
                self._events = {k: v for k, v in self._events.items() if v and v[-1] > now - self.window}
            return True


@dataclass
class _Failures:
    count: int = 0
    lockouts: int = 0
    locked_until: float = 0.0


class LoginThrottle:
    """Locks sign-in for an address or a username after `max_failures` failures in a row;
    each further lockout of the same key lasts twice as long, up to an hour."""

    MAX_LOCKOUT = 3600.0

    def __init__(self, max_failures: int, lockout_seconds: float) -> None:
        self.max_failures, self.lockout_seconds = max_failures, lockout_seconds
        self._keys: dict[str, _Failures] = {}
        self._lock = threading.Lock()

    def retry_after(self, *keys: str) -> float:
        """Seconds until sign-in may be tried again for these keys (0 when it may now)."""
        now = time.monotonic()
        with self._lock:
            return max([self._keys[k].locked_until - now for k in keys if k in self._keys] + [0.0])

    def failed(self, *keys: str) -> None:
        now = time.monotonic()
        with self._lock:
            if len(self._keys) > 100_000:  # a spray of made-up usernames must not grow this without bound
                self._keys = {k: v for k, v in self._keys.items() if v.locked_until > now}
            for key in keys:
                record = self._keys.setdefault(key, _Failures())
                record.count += 1
                if record.count >= self.max_failures:
                    lockout = min(self.lockout_seconds * 2**record.lockouts, self.MAX_LOCKOUT)
                    record.locked_until, record.count = now + lockout, 0
                    record.lockouts += 1

    def succeeded(self, *keys: str) -> None:
        with self._lock:
            for key in keys:
                self._keys.pop(key, None)


def client_address(request) -> str:  # type: ignore[no-untyped-def]
    """The peer's address (a proxy in front must pass the real one through, e.g. uvicorn --proxy-headers)."""
    return request.client.host if request.client else "unknown"
