"""Who reported a story first, and by how long."""

from datetime import UTC, datetime, timedelta

from newsloom.stories.coverage import _lead


def test_a_lead_is_claimed_only_when_the_order_is_known():
    at = datetime(2019, 11, 18, 19, 9, tzinfo=UTC)
    assert _lead(at, at + timedelta(hours=2)) == timedelta(hours=2)
    assert _lead(at, at) is None  # the same minute: no one was first
    # Nor within a few minutes: publishers' clocks are no finer.
    assert _lead(at, at + timedelta(seconds=40)) is None and _lead(at, at + timedelta(minutes=4)) is None
    assert _lead(at, at + timedelta(minutes=5)) == timedelta(minutes=5)
    # The New York Post page gave only its date (stored as midnight); The Sun's came at 19:09 that
    # day. The Post may have been later, so no "19 hours before others".
    date_only = datetime(2019, 11, 18, tzinfo=UTC)
    assert _lead(date_only, at) is None
    # A day later is later whatever the hour of the dated page: the lead is what is sure, from
    # the day's last moment (19 h 09 min, not 43 h 09 min).
    lead = _lead(date_only, at + timedelta(days=1))
    assert lead is not None and timedelta(hours=19, minutes=8) < lead <= timedelta(hours=19, minutes=10)
