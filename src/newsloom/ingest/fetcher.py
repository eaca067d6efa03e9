"""Outgoing HTTP for feeds and article pages.

Every connection goes through `GuardedBackend`, which resolves the host
itself, checks each resolved address against the SSRF policy and connects to
that very address. Redirect hops open new connections through the same
backend, so DNS rebinding or a redirect to an internal host cannot slip past.
"""

from __future__ import annotations

import email.utils
import socket
import ssl
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime

import certifi
import httpcore
import httpx

from newsloom.ingest.addresses import AddressPolicy, BlockedAddressError
from newsloom.settings import Settings
from newsloom.store.attempts import FetchAttempt

MAX_RETRY_AFTER_SECONDS = 7 * 24 * 3600


class GuardedBackend(httpcore.NetworkBackend):
    def __init__(self, policy: AddressPolicy) -> None:
        self.policy = policy
        self._inner = httpcore.SyncBackend()

    def connect_tcp(self, host, port, timeout=None, local_address=None, socket_options=None):  # type: ignore[no-untyped-def]
        try:
            infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except (socket.gaierror, UnicodeError) as error:
            raise httpcore.ConnectError(f"could not resolve host {host!r}: {error}") from error
        addresses = list(dict.fromkeys(info[4][0] for info in infos))
        blocked: BlockedAddressError | None = None
        failure: Exception | None = None
        for address in addresses:
            try:
                self.policy.check(address)
            except BlockedAddressError as error:
                blocked = error
                continue
            try:
                stream = self._inner.connect_tcp(
                    address, port, timeout=timeout, local_address=local_address, socket_options=socket_options
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as error:
                failure = error
                continue
            # The address actually connected to, not the one we meant to reach.
            peer = stream.get_extra_info("socket").getpeername()[0]
            try:
                self.policy.check(peer)
            except BlockedAddressError:
                stream.close()
                raise
            return stream
        if failure is not None:
            raise failure
        raise blocked or httpcore.ConnectError(f"no address for host {host!r}")

    def sleep(self, seconds: float) -> None:
        self._inner.sleep(seconds)


class GuardedTransport(httpx.HTTPTransport):
    def __init__(self, policy: AddressPolicy) -> None:
        super().__init__(retries=0)
        self._pool = httpcore.ConnectionPool(
            ssl_context=ssl.create_default_context(cafile=certifi.where()),
            max_connections=100,
            max_keepalive_connections=20,
            keepalive_expiry=5.0,
            network_backend=GuardedBackend(policy),
        )


class HostLimiter:
    """At most `limit` simultaneous requests to one host from this process."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._lock = threading.Lock()
        self._slots: dict[str, threading.BoundedSemaphore] = {}

    @contextmanager
    def slot(self, host: str) -> Iterator[None]:
        with self._lock:
            semaphore = self._slots.setdefault(host, threading.BoundedSemaphore(self.limit))
        with semaphore:
            yield


@dataclass(frozen=True)
class FetchResult:
    """What happened to one download. `status` is ok, not_modified or error."""

    status: str
    url: str
    reason: str | None = None
    final_url: str | None = None
    http_status: int | None = None
    body: bytes = b""
    content_type: str = ""
    etag: str | None = None
    last_modified: str | None = None
    retry_after: float | None = None
    transient: bool = False
    started_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    duration_ms: int = 0

    @property
    def ok(self) -> bool:
        return self.status == "ok"

    def as_attempt(self, kind: str, feed_id: int | None = None, entry_id: int | None = None) -> FetchAttempt:
        return FetchAttempt(
            kind=kind,
            url=self.url[:2048],
            started_at=self.started_at,
            duration_ms=self.duration_ms,
            http_status=self.http_status,
            outcome=self.status,
            error=self.reason,
            bytes_received=len(self.body),
            feed_id=feed_id,
            entry_id=entry_id,
        )


class _TooLarge(Exception):
    pass


class _TooSlow(Exception):
    pass


class Fetcher:
    def __init__(self, settings: Settings) -> None:
        self.max_body_bytes = settings.max_body_bytes
        self.total_timeout = settings.total_timeout
        self.max_redirects = settings.max_redirects
        self._limiter = HostLimiter(settings.per_host_concurrency)
        policy = AddressPolicy.from_settings(settings.allow_private_networks, settings.allowed_networks)
        self._client = httpx.Client(
            transport=GuardedTransport(policy),
            timeout=httpx.Timeout(
                connect=settings.connect_timeout, read=settings.read_timeout, write=settings.read_timeout, pool=60.0
            ),
            follow_redirects=True,
            max_redirects=settings.max_redirects,
            headers={"User-Agent": settings.user_agent, "Accept-Encoding": "gzip, deflate"},
            trust_env=False,
        )

    def close(self) -> None:
        self._client.close()

    def fetch(
        self, url: str, *, accept: str = "*/*", etag: str | None = None, last_modified: str | None = None
    ) -> FetchResult:
        started_at = datetime.now(UTC)
        clock = time.monotonic()

        def result(status: str, **fields: object) -> FetchResult:
            elapsed = int((time.monotonic() - clock) * 1000)
            return FetchResult(status=status, url=url, started_at=started_at, duration_ms=elapsed, **fields)  # type: ignore[arg-type]

        try:
            parsed = httpx.URL(url)
        except httpx.InvalidURL as error:
            return result("error", reason=f"invalid URL: {error}")
        if parsed.scheme not in ("http", "https") or not parsed.host:
            return result("error", reason=f"invalid URL (need http or https with a host): {url}")

        headers = {"Accept": accept}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        try:
            with self._limiter.slot(parsed.host), self._client.stream("GET", parsed, headers=headers) as response:
                status = response.status_code
                common = {
                    "http_status": status,
                    "final_url": str(response.url),
                    "content_type": response.headers.get("content-type", ""),
                    "etag": response.headers.get("etag"),
                    "last_modified": response.headers.get("last-modified"),
                }
                if status == 304:
                    return result("not_modified", **common)
                if status >= 400:
                    retry_after = parse_retry_after(response.headers.get("retry-after"))
                    return result(
                        "error",
                        reason=f"HTTP {status} {response.reason_phrase}".strip(),
                        retry_after=retry_after,
                        transient=status in (408, 425, 429) or status >= 500,
                        **common,
                    )
                body = self._read_capped(response, clock)
                return result("ok", body=body, **common)
        except BlockedAddressError as error:
            return result("error", reason=f"blocked: {error}")
        except httpx.TooManyRedirects:
            return result("error", reason=f"too many redirects (more than {self.max_redirects})")
        except httpx.UnsupportedProtocol as error:
            return result("error", reason=f"unsupported redirect or URL scheme: {error}")
        except httpx.ConnectTimeout:
            return result("error", reason="timed out while connecting", transient=True)
        except httpx.ReadTimeout:
            return result("error", reason="timed out waiting for the server to send data", transient=True)
        except httpx.TimeoutException as error:
            return result("error", reason=f"timed out: {error}", transient=True)
        except httpx.ConnectError as error:
            return result("error", reason=f"could not connect: {error}", transient=True)
        except httpx.DecodingError as error:
            return result("error", reason=f"could not decode the compressed body: {error}")
        except _TooLarge:
            return result("error", reason=f"response larger than the {self.max_body_bytes} byte limit")
        except _TooSlow:
            return result("error", reason=f"download took longer than {self.total_timeout:g} s", transient=True)
        except httpx.HTTPError as error:
            return result("error", reason=f"{type(error).__name__}: {error}", transient=True)

    def _read_capped(self, response: httpx.Response, clock: float) -> bytes:
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > self.max_body_bytes:
            raise _TooLarge
        chunks: list[bytes] = []
        size = 0
        # Decoded bytes are counted, so a small gzip bomb is caught as well.
        for chunk in response.iter_bytes():
            size += len(chunk)
            if size > self.max_body_bytes:
                raise _TooLarge
            if time.monotonic() - clock > self.total_timeout:
                raise _TooSlow
            chunks.append(chunk)
        return b"".join(chunks)


def parse_retry_after(value: str | None) -> float | None:
    """Retry-After as seconds from now: delta-seconds or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(min(int(value), MAX_RETRY_AFTER_SECONDS))
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, min((when - datetime.now(UTC)).total_seconds(), MAX_RETRY_AFTER_SECONDS))
