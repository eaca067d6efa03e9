"""The fetcher against a real HTTP server on loopback."""

import socket
import threading
import time

import pytest

from newsloom.ingest.fetcher import Fetcher, parse_retry_after
from tests.conftest import make_settings


@pytest.fixture
def fetcher(tmp_path):
    built = Fetcher(make_settings(tmp_path, "sqlite://", max_body_bytes=64 * 1024, read_timeout=1.0, total_timeout=3.0))
    yield built
    built.close()


@pytest.fixture
def guarded_fetcher(tmp_path, publisher):
    """Private networks blocked except the publisher's own address, as in production plus one exception."""
    settings = make_settings(
        tmp_path, "sqlite://", allow_private_networks=False, allowed_networks=[f"{publisher.host}/32"]
    )
    built = Fetcher(settings)
    yield built
    built.close()


def test_plain_and_gzip_bodies(fetcher, publisher):
    publisher.add("/plain", "hello world", content_type="text/plain")
    publisher.add("/gz", "compressed " * 100, content_type="text/plain", gzip=True)
    assert fetcher.fetch(publisher.url("/plain")).body == b"hello world"
    result = fetcher.fetch(publisher.url("/gz"))
    assert result.ok and result.body == b"compressed " * 100
    assert "gzip" in publisher.hits("/gz")[0].headers["accept-encoding"]


def test_conditional_get_returns_not_modified(fetcher, publisher):
    publisher.add("/feed", "<rss/>", etag='"v1"', headers={"Last-Modified": "Sun, 29 Nov 2026 00:00:00 GMT"})
    first = fetcher.fetch(publisher.url("/feed"))
    assert first.ok and first.etag == '"v1"' and first.last_modified == "Sun, 29 Nov 2026 00:00:00 GMT"
    second = fetcher.fetch(publisher.url("/feed"), etag=first.etag, last_modified=first.last_modified)
    assert second.status == "not_modified" and second.http_status == 304 and second.body == b""
    sent = publisher.hits("/feed")[1].headers
    assert sent["if-none-match"] == '"v1"' and sent["if-modified-since"] == "Sun, 29 Nov 2026 00:00:00 GMT"


def test_follows_up_to_five_redirects_and_no_more(fetcher, publisher):
    publisher.add("/end", "arrived", content_type="text/plain")
    for hop in range(6):
        publisher.redirect(f"/hop{hop}", publisher.url(f"/hop{hop + 1}") if hop < 5 else publisher.url("/end"))
    five = fetcher.fetch(publisher.url("/hop1"))
    assert five.ok and five.body == b"arrived" and five.final_url == publisher.url("/end")
    six = fetcher.fetch(publisher.url("/hop0"))
    assert six.status == "error" and "too many redirects" in six.reason


def test_http_errors_are_reported_with_retry_after(fetcher, publisher):
    publisher.add("/busy", "slow down", status=429, headers={"Retry-After": "120"})
    publisher.add("/gone", "gone", status=404)
    busy = fetcher.fetch(publisher.url("/busy"))
    assert busy.status == "error" and busy.http_status == 429 and busy.retry_after == 120 and busy.transient
    gone = fetcher.fetch(publisher.url("/gone"))
    assert gone.reason == "HTTP 404 Not Found" and not gone.transient


def test_retry_after_accepts_http_dates():
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT") == 0
    assert parse_retry_after("30") == 30
    assert parse_retry_after("soon") is None
    future = time.strftime("%a, %d %b %Y %H:%M:%S GMT", time.gmtime(time.time() + 600))
    assert 500 < parse_retry_after(future) <= 600


def test_body_cap_stops_declared_and_streamed_oversize(fetcher, publisher):
    publisher.add("/big", b"x" * 200_000, content_type="text/plain")
    result = fetcher.fetch(publisher.url("/big"))
    assert result.status == "error" and "byte limit" in result.reason


def test_gzip_bomb_is_capped_on_decoded_size(fetcher, publisher):
    publisher.add("/bomb", b"\0" * 5_000_000, content_type="text/plain", gzip=True)  # ~5 KB on the wire
    result = fetcher.fetch(publisher.url("/bomb"))
    assert result.status == "error" and "byte limit" in result.reason


def test_slow_drip_is_cut_off_by_the_total_timeout(fetcher, publisher):
    publisher.add("/drip", b"y" * 40_000, content_type="text/plain", drip_delay=0.5, chunk_size=1000)
    started = time.monotonic()
    result = fetcher.fetch(publisher.url("/drip"))
    assert result.status == "error" and "longer than" in result.reason
    assert time.monotonic() - started < 6


def test_read_timeout_when_server_never_answers(fetcher):
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    accepted = []
    threading.Thread(target=lambda: accepted.append(listener.accept()), daemon=True).start()
    try:
        result = fetcher.fetch(f"http://127.0.0.1:{listener.getsockname()[1]}/")
    finally:
        listener.close()
    assert result.status == "error" and "timed out" in result.reason and result.transient


def test_invalid_urls_are_errors_not_exceptions(fetcher):
    for bad in ["not a url", "ftp://example.com/feed", "file:///etc/passwd", "http://"]:
        result = fetcher.fetch(bad)
        assert result.status == "error" and "invalid URL" in result.reason


def test_per_host_limit_serialises_requests(tmp_path, publisher):
    limited = Fetcher(make_settings(tmp_path, "sqlite://", per_host_concurrency=1))
    active = []
    peak = []

    def slow(handler):
        from tests.support.publisher import Route

        active.append(1)
        peak.append(len(active))
        time.sleep(0.2)
        active.pop()
        return Route(b"ok", content_type="text/plain")

    publisher.routes["/slow"] = slow
    threads = [threading.Thread(target=limited.fetch, args=(publisher.url("/slow"),)) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    limited.close()
    assert len(publisher.hits("/slow")) == 4 and max(peak) == 1


class TestServerSideRequestForgery:
    """With the block on, only the publisher's address (an explicit exception) is reachable."""

    def test_allowed_address_is_fetched(self, guarded_fetcher, publisher):
        publisher.add("/ok", "fine", content_type="text/plain")
        assert guarded_fetcher.fetch(publisher.url("/ok")).ok

    @pytest.mark.parametrize(
        "target",
        [
            "http://127.0.0.2:{port}/",  # another loopback address
            "http://2130706434:{port}/",  # 127.0.0.2 written as one decimal number
            "http://0x7f000002:{port}/",  # ... and in hex
            "http://[::ffff:127.0.0.2]:{port}/",  # IPv4-mapped IPv6
            "http://[::1]:{port}/",
            "http://0.0.0.0:{port}/",
            "http://169.254.169.254/latest/meta-data/",  # cloud metadata
            "http://10.0.0.1/",
        ],
    )
    def test_blocked_directly_and_through_a_redirect(self, guarded_fetcher, publisher, target):
        target = target.format(port=publisher.port)
        direct = guarded_fetcher.fetch(target)
        assert direct.status == "error" and direct.reason.startswith("blocked:"), direct.reason
        publisher.redirect("/jump", target)
        redirected = guarded_fetcher.fetch(publisher.url("/jump"))
        assert redirected.status == "error" and redirected.reason.startswith("blocked:"), redirected.reason
        assert redirected.http_status is None  # nothing was read from the blocked host

    def test_default_settings_block_loopback_by_address_and_by_name(self, tmp_path, publisher):
        publisher.add("/ok", "fine", content_type="text/plain")
        strict = Fetcher(make_settings(tmp_path, "sqlite://", allow_private_networks=False))
        try:
            by_address = strict.fetch(publisher.url("/ok"))
            by_name = strict.fetch(f"http://localhost:{publisher.port}/ok")  # checked after DNS resolution
        finally:
            strict.close()
        for result in (by_address, by_name):
            assert result.status == "error" and "loopback" in result.reason, result.reason
        assert publisher.hits("/ok") == []

    def test_redirect_to_another_scheme_is_refused(self, guarded_fetcher, publisher):
        publisher.redirect("/to-file", "file:///etc/passwd")
        result = guarded_fetcher.fetch(publisher.url("/to-file"))
        assert result.status == "error" and "scheme" in result.reason
