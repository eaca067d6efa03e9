"""Title-case headlines lowered for the entity recogniser, and the hashtags that come of it."""

from newsloom.enrich.headlines import for_recognition, is_title_case
from newsloom.store import EnrichmentRepository
from tests.support.benchdata import NEWSPAPER_HTML, zyte_ground_truth, zyte_page

BODY = " ".join(
    [
        "Pizza chain Sbarro filed for Chapter 11 bankruptcy protection on Monday, its second filing in three years.",
        "The company, based in Melville, New York, said its restaurants in North America would stay open.",
        "Sbarro blamed falling visits to shopping malls, where most of its restaurants are, and said it files",
        "with an agreement from its lenders to cut its debt. A judge will hear the case in Delaware next week.",
    ]
)


def test_title_case_is_told_from_sentence_case():
    assert is_title_case("Pizza-Maker Sbarro Files For Chapter 11 Bankruptcy Protection Again")
    assert is_title_case("The Weird Plumes of Jupiter's Moon Europa Are Spewing Water Vapor")
    assert not is_title_case("Sbarro files for bankruptcy again as mall visits fall")
    assert not is_title_case("Sbarro Files")  # too short to tell


def test_only_the_capitals_the_body_does_not_use_are_lowered():
    headline = "Pizza-Maker Sbarro Files For Chapter 11 Bankruptcy Again In North America: Lenders Agree"
    lowered, body = for_recognition(headline, BODY)
    # "Files" and "Bankruptcy" are lower case in the body; "Sbarro", "Chapter" and the run "North
    # America" are capitalised there; the first word and the one after the colon open a sentence.
    assert lowered == "Pizza-maker Sbarro files for Chapter 11 bankruptcy again in North America: Lenders agree"
    assert len(lowered) == len(headline) and body == BODY  # the recogniser's offsets are the text's


def test_the_headline_repeated_in_the_body_is_lowered_there_too_and_is_no_evidence():
    headline = "Sbarro Bets On Chapter 11 To Cut Its Debt"
    lowered, body = for_recognition(headline, f"{headline}\n{BODY}\n{headline}")
    assert lowered == "Sbarro bets on Chapter 11 to cut its debt"  # "Bets" in the body's copy counts for nothing
    assert body == f"{lowered}\n{BODY}\n{lowered}"


def test_sentence_case_headlines_and_short_bodies_are_left_alone():
    sentence_case = "Sbarro files for bankruptcy again as mall visits fall"
    assert for_recognition(sentence_case, BODY) == (sentence_case, BODY)
    short = "Sbarro filed on Monday."
    assert for_recognition("Sbarro Files For Bankruptcy Again Today", short) == ("Sbarro Files For Bankruptcy Again Today", short)


# Real pages whose title-case headlines once became hashtags: "#GoogleBets",
# "#StadiaGameStreamingService", "#MoonEuropaAreSpewingWaterVapor".
TITLE_CASE_PAGES = {
    "8267acacb9e4a109b1f7ee7bafe735b73e9c94180b703b131f9e90c9be044f39": {"#Stadia", "#Google"},
    "686bb170effe273eaff1c0f88e412172e8d972518a6d1454c896f52aafaa9643": {"#Europa", "#Jupiter", "#NASA"},
}


def test_a_title_case_headline_makes_no_hashtag_of_its_words(services):
    for page_id, expected in TITLE_CASE_PAGES.items():
        url = zyte_ground_truth()[page_id]["url"]
        result = services.pipeline.ingest_page(url, zyte_page(page_id))
        assert services.enricher.enrich(result.article_id).status == "ok"
        with services.database.read() as session:
            tags = EnrichmentRepository(session).hashtags(result.article_id)
        assert expected <= set(tags)
        assert not [tag for tag in tags if any(word in tag for word in ("Bets", "Service", "Spewing", "MoonEuropa"))], tags


def test_a_name_lowered_for_the_recogniser_keeps_the_publishers_capitals(services):
    # TIME's "We Need Geoengineering to Stop Out of Control Warming Says James Hansen": the body
    # names him first at a sentence's start, so the headline's "James" is lowered for the
    # recogniser; the entity once came out as "james Hansen".
    page = (NEWSPAPER_HTML / "time_001.html").read_bytes()
    result = services.pipeline.ingest_page("https://time.example/6330957/james-hansen-geoengineering", page)
    assert services.enricher.enrich(result.article_id).status == "ok"
    with services.database.read() as session:
        names = {entity.name for entity in EnrichmentRepository(session).entities(result.article_id)}
    assert "James Hansen" in names
    assert not [name for name in names if name[:1].islower()], names
