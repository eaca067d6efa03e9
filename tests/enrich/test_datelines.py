"""Datelines of wire copy, read with the real recogniser."""

import pytest

from newsloom.enrich.datelines import find_dateline, with_dateline
from newsloom.enrich.entities import merge_mentions
from newsloom.enrich.hashtags import choose_hashtags
from newsloom.enrich.nlp import SpacyModel

# Openings of real AP and Reuters stories (the Zyte benchmark), each followed by one sentence
# that names the place again in ordinary case.
OPENINGS = {
    "COLUMBIA, S.C. (AP) — About a dozen small-business owners gathered in Columbia on Tuesday.": "Columbia",
    "SANTA FE, N.M. (AP) — A cat missing for five years has been found in Santa Fe, New Mexico.": "Santa Fe",
    "ST. JOSEPH, Mich. (AP) — Michigan health authorities are reporting a sixth fatality.": "St. Joseph",
    "WASHINGTON (Reuters) - Scientists on Monday unveiled the first global map of Titan.": "Washington",
    "BAAR, SWITZERLAND\n\nAscom and GE Healthcare expand their partnership in Europe.": "Baar",
}


@pytest.fixture(scope="module")
def ner():
    return SpacyModel()


@pytest.mark.parametrize("opening", list(OPENINGS))
def test_a_datelines_place_is_one_place_in_ordinary_case_and_the_agency_no_mention(ner, opening):
    title = "Headline"
    analysed = f"{title}\n\n{opening}"
    mentions = with_dateline(ner.mentions(analysed), analysed, body_start=len(title) + 2)
    place = OPENINGS[opening]
    assert [m for m in mentions if m.text == place and m.label == "GPE"]
    assert not [m for m in mentions if m.text.isupper() and len(m.text) > 3 and "." not in m.text]  # no "WASHINGTON"
    assert not [m for m in mentions if m.text in ("AP", "Reuters")]
    assert ("place", place) in {(e.kind, e.name) for e in merge_mentions(mentions)}


def test_the_wire_credit_and_the_capitals_never_become_tags(ner):
    title = "Patrick courts black voters in South Carolina"
    body = (
        "COLUMBIA, S.C. (AP) — Deval Patrick met black business owners in Columbia on Tuesday. "
        "Patrick told them that Columbia mattered. The AP asked Patrick about South Carolina, and "
        "Patrick said South Carolina would decide. AP reporters followed him.\n\nPatrick left Columbia at night."
    )
    analysed = f"{title}\n\n{body}"
    mentions = with_dateline(ner.mentions(analysed), analysed, body_start=len(title) + 2)
    tags = choose_hashtags(merge_mentions(mentions), title, body)
    assert "#Columbia" in tags and "#COLUMBIA" not in tags


@pytest.mark.parametrize(
    "body",
    [
        "NASA: the agency said on Monday that it would fly again.",  # an acronym, no place
        "UPDATE - The company said its profit rose.",
        "BREAKING NEWS\n\nThe company said its profit rose.",
        "The president said on Monday - in Washington - that he would go.",
        "",
    ],
)
def test_openings_that_are_not_datelines(ner, body):
    assert find_dateline(body, 0, ner.mentions(body)) is None


def test_a_dateline_after_a_repeated_headline_is_found(ner):
    body = "Cat found after five years\n\nSANTA FE, N.M. (AP) — A cat has been found in Santa Fe."
    dateline = find_dateline(body, 0, ner.mentions(body))
    assert dateline is not None and dateline.place == "Santa Fe" and body[dateline.start : dateline.end] == "SANTA FE"


def test_a_reuters_dateline_with_a_date_keeps_the_date_a_date(ner):
    body = "LONDON, Nov 19 (Reuters) - British lawmakers voted on Tuesday to hold an early election in London."
    mentions = with_dateline(ner.mentions(body), body)
    assert [m.text for m in mentions if m.label == "GPE" and m.start_char == 0] == ["London"]
    assert not [m for m in mentions if m.label == "GPE" and "Nov" in m.text]
