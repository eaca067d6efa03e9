"""Rate limits and sign-in lockouts, counted in this process or shared through Redis."""

import time

import pytest
import redis

from newsloom.throttle import LoginThrottle, RateLimiter, RedisLoginThrottle, RedisRateLimiter, Throttles
from tests.conftest import skip_or_fail
from tests.jobs.test_worker import REDIS_URL, redis_available


@pytest.fixture
def shared_url():
    if not redis_available():
        skip_or_fail(f"no Redis at {REDIS_URL}")
    redis.Redis.from_url(REDIS_URL).flushdb()
    return REDIS_URL


def test_the_embedded_default_counts_in_each_process():
    first, second = Throttles(None), Throttles(None)
    assert not first.shared
    one, other = first.rate("comments", 2, 60), second.rate("comments", 2, 60)
    assert isinstance(one, RateLimiter)
    assert [one.allow("user:1") for _ in range(3)] == [True, True, False]
    assert other.allow("user:1")  # another process: its own count


def test_processes_sharing_redis_enforce_one_limit(shared_url):
    first, second = Throttles(shared_url), Throttles(shared_url)  # two web processes
    one, other = first.rate("comments", 3, 60), second.rate("comments", 3, 60)
    assert isinstance(one, RedisRateLimiter)
    assert [one.allow("user:1"), other.allow("user:1"), one.allow("user:1")] == [True, True, True]
    assert not other.allow("user:1") and not one.allow("user:1")
    assert other.allow("user:2")  # keys are separate
    assert first.rate("signups", 3, 60).allow("user:1")  # and so are limits


def test_one_event_sent_twice_counts_once_here_and_across_processes(shared_url):
    in_process = RateLimiter(2, 60)
    two_processes = (Throttles(shared_url).rate("comments", 2, 60), Throttles(shared_url).rate("comments", 2, 60))
    for one, other in ((in_process, in_process), two_processes):
        assert one.allow("user:1", "form-a") and other.allow("user:1", "form-a")  # a double send: one event
        assert other.allow("user:1", "form-b")  # the second event fills the limit of two
        assert not one.allow("user:1", "form-c") and not other.allow("user:1")
        assert one.allow("user:1", "form-a")  # still the same, already counted event
        assert one.allow("user:2", "form-a")  # events are per key


def test_the_shared_window_slides(shared_url):
    limiter = Throttles(shared_url).rate("questions", 2, 1.0)
    assert limiter.allow("ip:a") and limiter.allow("ip:a") and not limiter.allow("ip:a")
    time.sleep(1.1)
    assert limiter.allow("ip:a")


def test_sign_in_failures_on_one_process_lock_out_on_all(shared_url):
    first = Throttles(shared_url).sign_in(max_failures=3, lockout_seconds=2)
    second = Throttles(shared_url).sign_in(max_failures=3, lockout_seconds=2)
    assert isinstance(first, RedisLoginThrottle)
    first.failed("ip:a", "user:bob")
    second.failed("ip:a", "user:bob")
    assert first.retry_after("ip:a") == 0
    first.failed("ip:a", "user:bob")
    assert 1.5 < second.retry_after("user:bob") <= 2 and second.retry_after("ip:a") > 1.5
    assert second.retry_after("user:alice") == 0
    time.sleep(2.1)
    assert first.retry_after("ip:a", "user:bob") == 0
    for _ in range(3):  # the second lockout lasts twice as long
        second.failed("user:bob")
    assert 3.5 < first.retry_after("user:bob") <= 4
    first.succeeded("user:bob")
    assert second.retry_after("user:bob") == 0


def test_an_unreachable_redis_falls_back_to_counting_here(caplog):
    throttles = Throttles("redis://127.0.0.1:1/0")  # nothing listens there
    limiter = throttles.rate("comments", 2, 60)
    assert [limiter.allow("user:1") for _ in range(3)] == [True, True, False]
    sign_in = throttles.sign_in(max_failures=2, lockout_seconds=30)
    sign_in.failed("ip:a")
    sign_in.failed("ip:a")
    assert sign_in.retry_after("ip:a") > 25
    assert isinstance(sign_in.fallback, LoginThrottle)
    # Redis is not asked again on every call: one warning per throttle, then 30 s of local counts.
    assert caplog.text.count("counting in this process") == 2
