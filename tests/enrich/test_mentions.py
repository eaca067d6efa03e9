"""An article's mentions as the job reads them."""

from newsloom.enrich.entities import merge_mentions
from newsloom.enrich.hashtags import choose_hashtags
from newsloom.enrich.mentions import _people_called_organisations
from newsloom.enrich.nlp import Mention


def mentions_of(text: str, spans: list[tuple[str, str]]) -> list[Mention]:
    found, start = [], 0
    for span, label in spans:
        start = text.index(span, start)
        found.append(Mention(span, label, start))
        start += len(span)
    return found


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
