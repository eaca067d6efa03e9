"""An article's mentions as the job reads them."""

from newsloom.enrich.entities import merge_mentions
from newsloom.enrich.hashtags import choose_hashtags
from newsloom.enrich.mentions import _people_called_organisations, _without_tails_of_titles
from tests.support.mentions import mentions_of


def test_a_first_name_and_a_surname_the_article_uses_for_a_person_are_that_person():
    """A Browns story was tagged #Rudolph and #MasonRudolph: the recogniser called the full name
    an organisation."""
    text = "Mason Rudolph was hit. Rudolph said little. Rudolph left. Blue Moon will land. The Moon is far. Moon dust."
    spans = [("Mason Rudolph", "ORG"), ("Rudolph", "PERSON"), ("Rudolph", "PERSON"), ("Blue Moon", "ORG"),
             ("Moon", "PERSON"), ("Moon", "PERSON")]  # fmt: skip
    entities = merge_mentions(_people_called_organisations(mentions_of(text, spans), text))
    assert {(e.kind, e.name, e.mentions) for e in entities} == {("person", "Mason Rudolph", 3), ("organization", "Blue Moon", 1), ("person", "Moon", 2)}
    assert choose_hashtags(entities, "Rudolph speaks", text)[0] == "#MasonRudolph"
    # Without the person's mentions alone, the recogniser's label stands.
    assert _people_called_organisations(mentions_of(text, spans[:1]), text)[0].label == "ORG"


def test_a_person_run_on_from_a_place_is_the_person_when_the_article_uses_the_surname():
    """An AP story: "former special envoy to Ukraine Kurt Volker", an organisation to the
    recogniser, and so was every "Volker" after it; his quotes were signed "Volker"."""
    text = ("Ukraine and Russia denied it. Another diplomat, former special envoy to Ukraine Kurt Volker, shifted his account. "
            "Volker said so. Volker agreed. Hong Kong is calm. The Hong Kong Polytechnic University closed; the University said so.")  # fmt: skip
    spans = [("Ukraine", "GPE"), ("Russia", "GPE"), ("Ukraine Kurt Volker", "ORG"), ("Volker", "ORG"), ("Volker", "ORG"),
             ("Hong Kong", "GPE"), ("Hong Kong Polytechnic University", "ORG"), ("University", "ORG")]  # fmt: skip
    mentions = _people_called_organisations(mentions_of(text, spans), text)
    volker = [m for m in mentions if "Kurt" in m.text]
    assert [(m.text, m.label, text[m.start_char : m.start_char + len(m.text)]) for m in volker] == [("Kurt Volker", "PERSON", "Kurt Volker")]
    assert {(e.kind, e.name, e.mentions) for e in merge_mentions(mentions) if "Volker" in e.name} == {("person", "Kurt Volker", 3)}
    # A name after a place ending in a word the article writes after "the" is no person.
    assert ("Hong Kong Polytechnic University", "ORG") in {(m.text, m.label) for m in mentions}


def test_a_short_form_of_a_works_title_is_no_name():
    """A Star Trek story was tagged #Trek: six "Star Trek"s (a work, to the recogniser) and one
    "Trek" it called an organisation. One "Trump impeachment" leaves the "Trump"s alone."""
    text = "Star Trek returns. Star Trek 4 eyes a director. The Trek sequel waits. Trump spoke. The Trump impeachment goes on. Trump left."
    spans = [("Star Trek", "WORK_OF_ART"), ("Star Trek", "WORK_OF_ART"), ("Trek", "ORG"), ("Trump", "PERSON"),
             ("Trump impeachment", "EVENT"), ("Trump", "PERSON")]  # fmt: skip
    kept = [(m.text, m.label) for m in _without_tails_of_titles(mentions_of(text, spans))]
    assert ("Trek", "ORG") not in kept and kept.count(("Trump", "PERSON")) == 2
