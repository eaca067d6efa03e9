"""Who reported a story first, and by how long; who said what across its outlets."""

from datetime import UTC, datetime, timedelta

from newsloom.store.records import Article, QuoteRecord, Source
from newsloom.stories.coverage import _lead, _quotes_by_speaker


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


def _article(article_id, outlet):
    at = datetime(2019, 11, 20, tzinfo=UTC)
    source = Source(article_id, outlet, f"{outlet.casefold()}.example")
    return Article(article_id, f"https://{source.domain}/{article_id}", f"https://{source.domain}/{article_id}", "Deals",
                   None, at, at, at, "en", None, "", "", None, source, None, None, "ok", None)  # fmt: skip


def test_a_named_speaker_is_one_across_outlets_we_is_each_outlets_own_and_another_is_no_one():
    articles = {1: _article(1, "IGN"), 2: _article(2, "9to5Mac")}
    said = [
        (1, "we", QuoteRecord("the best price we have seen", "we", None, None)),
        (2, "we", QuoteRecord("a very compelling option for many households", "we", None, None)),
        (1, "tim cook", QuoteRecord("We are very proud of it", "Tim Cook", "Apple's chief executive", "said")),
        (2, "tim cook", QuoteRecord("We are very proud of it", "Tim Cook", None, "said")),  # the same quote again
        (2, "tim cook", QuoteRecord("Our best laptop yet", "Tim Cook", None, "said")),
        (1, "another", QuoteRecord("Next year is the year of the rat", "Another", None, "said")),  # names no one
    ]
    grouped = _quotes_by_speaker(said, articles)
    assert [(g.speaker, [a.source.name for _, a in g.quotes]) for g in grouped] == [
        ("Tim Cook", ["IGN", "9to5Mac"]),
        ("we", ["IGN"]),
        ("we", ["9to5Mac"]),
    ]
    assert grouped[0].affiliation == "Apple's chief executive"
