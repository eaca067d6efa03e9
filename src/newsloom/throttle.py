"""Request throttles: sliding-window rate limits, and sign-in lockouts with backoff.

The embedded default counts in this process. When the queue is on Redis (several web
processes behind a load balancer), the counts live in that Redis instead, so every process
enforces one limit: `Throttles.from_settings` chooses. If Redis stops answering, a process
falls back to its own counts and logs it, rather than refusing every reader or none.
"""

from __future__ import annotations

import itertools
import logging
import secrets
import threading
import time
from collections import deque
from dataclasses import dataclass
from typing import Protocol

log = logging.getLogger(__name__)


class Limiter(Protocol):
    def allow(self, key: str, event: str | None = None) -> bool:
        """Whether one more event is allowed for `key` now; it is counted if so. An `event`
        already counted in the window (the same form sent twice at once, through two web
        processes) is allowed again without counting a second time."""
        ...


class SignInThrottle(Protocol):
    def retry_after(self, *keys: str) -> float: ...
    def failed(self, *keys: str) -> None: ...
    def succeeded(self, *keys: str) -> None: ...


class RateLimiter:
    """At most `limit` events per key in any `window` seconds (sliding window, this process)."""

    def __init__(self, limit: int, window: float) -> None:
        self.limit, self.window = limit, window
        self._events: dict[str, deque[tuple[float, str | None]]] = {}
        self._lock = threading.Lock()

    def allow(self, key: str, event: str | None = None) -> bool:
        now = time.monotonic()
        with self._lock:
            events = self._events.setdefault(key, deque())
            while events and events[0][0] <= now - self.window:
                events.popleft()
            if event is not None and any(seen == event for _, seen in events):
                return True
            if len(events) >= self.limit:
                return False
            events.append((now, event))
            if len(self._events) > 100_000:  # forget idle keys rather than grow without bound
                self._events = {k: v for k, v in self._events.items() if v and v[-1][0] > now - self.window}
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


# Sliding window in a sorted set: drop what left the window, count, add when under the limit;
# an event already in the window (the member) passes without counting again. Redis's own clock,
# so that web processes on machines whose clocks differ agree.
_ALLOW = """
local now = redis.call('TIME')
local t = tonumber(now[1]) + tonumber(now[2]) / 1e6
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', t - tonumber(ARGV[2]))
if redis.call('ZSCORE', KEYS[1], ARGV[3]) then return 1 end
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[1]) then return 0 end
redis.call('ZADD', KEYS[1], t, ARGV[3])
redis.call('EXPIRE', KEYS[1], math.ceil(tonumber(ARGV[2])))
return 1
"""

# A key's failures, lockouts and lock end in one hash; the lockout doubles up to a cap.
_FAILED = """
local now = redis.call('TIME')
local t = tonumber(now[1]) + tonumber(now[2]) / 1e6
for _, key in ipairs(KEYS) do
  local count = redis.call('HINCRBY', key, 'count', 1)
  if count >= tonumber(ARGV[1]) then
    local lockouts = tonumber(redis.call('HGET', key, 'lockouts') or '0')
    local lockout = math.min(tonumber(ARGV[2]) * 2 ^ lockouts, tonumber(ARGV[3]))
    redis.call('HSET', key, 'count', 0, 'lockouts', lockouts + 1, 'until', t + lockout)
  end
  redis.call('EXPIRE', key, math.ceil(tonumber(ARGV[3]) * 2))
end
return 1
"""

_RETRY_AFTER = """
local now = redis.call('TIME')
local t = tonumber(now[1]) + tonumber(now[2]) / 1e6
local wait = 0
for _, key in ipairs(KEYS) do
  local locked = tonumber(redis.call('HGET', key, 'until') or '0')
  if locked - t > wait then wait = locked - t end
end
return tostring(wait)
"""


class _SharedCounts:
    """Runs a call against Redis, or its in-process fallback while Redis is failing: after a
    failure the fallback serves for RETRY_SECONDS before Redis is tried again, so an outage
    neither slows every request by a connection timeout nor floods the log."""

    RETRY_SECONDS = 30.0

    def __init__(self) -> None:
        self._down_until = 0.0

    def call(self, shared, local, what: str):  # type: ignore[no-untyped-def]
        if time.monotonic() >= self._down_until:
            try:
                return shared()
            except Exception as error:  # redis errors of any kind: degrade to this process's counts
                self._down_until = time.monotonic() + self.RETRY_SECONDS
                log.warning("shared %s unavailable (%s); counting in this process for %.0f s", what, error, self.RETRY_SECONDS)
        return local()


class RedisRateLimiter:
    """`RateLimiter`, counted in Redis for every process of the installation."""

    def __init__(self, client, name: str, limit: int, window: float, fallback: RateLimiter) -> None:  # type: ignore[no-untyped-def]
        self.name, self.limit, self.window, self.fallback = name, limit, window, fallback
        self._script = client.register_script(_ALLOW)
        self._shared = _SharedCounts()
        self._events = itertools.count()
        self._process = secrets.token_hex(6)  # event names must differ across processes too

    def allow(self, key: str, event: str | None = None) -> bool:
        member = f"event:{event}" if event is not None else f"{self._process}:{next(self._events)}"
        keys, args = [f"newsloom:limit:{self.name}:{key}"], [self.limit, self.window, member]
        return self._shared.call(lambda: bool(self._script(keys=keys, args=args)), lambda: self.fallback.allow(key, event),
                                 f"rate limit {self.name}")  # fmt: skip


class RedisLoginThrottle:
    """`LoginThrottle`, kept in Redis, so that failures on one web process lock out on all."""

    def __init__(self, client, max_failures: int, lockout_seconds: float, fallback: LoginThrottle) -> None:  # type: ignore[no-untyped-def]
        self.max_failures, self.lockout_seconds, self.fallback = max_failures, lockout_seconds, fallback
        self._client = client
        self._failed = client.register_script(_FAILED)
        self._retry_after = client.register_script(_RETRY_AFTER)
        self._shared = _SharedCounts()

    @staticmethod
    def _keys(keys: tuple[str, ...]) -> list[str]:
        return [f"newsloom:signin:{key}" for key in keys]

    def retry_after(self, *keys: str) -> float:
        return self._shared.call(lambda: max(float(self._retry_after(keys=self._keys(keys))), 0.0),
                                 lambda: self.fallback.retry_after(*keys), "sign-in throttle")  # fmt: skip

    def failed(self, *keys: str) -> None:
        args = [self.max_failures, self.lockout_seconds, LoginThrottle.MAX_LOCKOUT]
        self._shared.call(lambda: self._failed(keys=self._keys(keys), args=args), lambda: self.fallback.failed(*keys), "sign-in throttle")

    def succeeded(self, *keys: str) -> None:
        self._shared.call(lambda: self._client.delete(*self._keys(keys)), lambda: self.fallback.succeeded(*keys), "sign-in throttle")


class Throttles:
    """Builds the limiters of one process: in Redis when the queue is there, else in memory."""

    def __init__(self, redis_url: str | None) -> None:
        self._client = None
        if redis_url:
            import redis

            self._client = redis.Redis.from_url(redis_url, socket_timeout=1.0, socket_connect_timeout=1.0)

    @classmethod
    def from_settings(cls, settings) -> Throttles:  # type: ignore[no-untyped-def]
        url = settings.queue_url if settings.queue_url and settings.queue_url.startswith(("redis://", "rediss://", "unix://")) else None
        return cls(url)

    @property
    def shared(self) -> bool:
        return self._client is not None

    def rate(self, name: str, limit: int, window: float) -> Limiter:
        local = RateLimiter(limit, window)
        return RedisRateLimiter(self._client, name, limit, window, local) if self._client is not None else local

    def sign_in(self, max_failures: int, lockout_seconds: float) -> SignInThrottle:
        local = LoginThrottle(max_failures, lockout_seconds)
        return RedisLoginThrottle(self._client, max_failures, lockout_seconds, local) if self._client is not None else local


def client_address(request) -> str:  # type: ignore[no-untyped-def]
    """The peer's address (a proxy in front must pass the real one through, e.g. uvicorn --proxy-headers)."""
    return request.client.host if request.client else "unknown"
