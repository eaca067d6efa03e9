"""Response headers, CSRF tokens and request throttles for the HTML pages."""

from __future__ import annotations

import secrets
import threading
import time
from collections import deque
from dataclasses import dataclass

from starlette.datastructures import MutableHeaders
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

# No inline script or style anywhere: everything comes from /static, so injected markup cannot run.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' https: http: data:",  # article images stay on their publishers' servers
        "connect-src 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
        "object-src 'none'",
    ]
)
SECURITY_HEADERS = {
    "content-security-policy": CONTENT_SECURITY_POLICY,
    "x-content-type-options": "nosniff",
    "referrer-policy": "strict-origin-when-cross-origin",
    "x-frame-options": "DENY",
    "cross-origin-opener-policy": "same-origin",
    "permissions-policy": "camera=(), microphone=(), geolocation=(), interest-cohort=()",
}
CSRF_FIELD = "csrf_token"


class SecurityHeadersMiddleware:
    """Adds the headers above to every response that did not set its own."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in SECURITY_HEADERS.items():
                    headers.setdefault(name, value)
            await send(message)

        await self.app(scope, receive, send_with_headers)


def csrf_token(request: Request) -> str:
    """The session's token, made on first use; every form carries it in a hidden field."""
    token = request.session.get(CSRF_FIELD)
    if not token:
        token = secrets.token_urlsafe(32)
        request.session[CSRF_FIELD] = token
    return token


def csrf_valid(request: Request, submitted: str | None) -> bool:
    expected = request.session.get(CSRF_FIELD)
    return bool(expected and submitted and secrets.compare_digest(expected, submitted))


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

    def allow_client(self, request: Request) -> bool:
        return self.allow(client_address(request))


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


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"
