"""Words a sentence's capital joined to a name, told apart by the real tagger."""

import pytest

from newsloom.enrich.entities import merge_mentions
from newsloom.enrich.hashtags import choose_hashtags
from newsloom.enrich.nlp import SpacyModel
from newsloom.enrich.openers import without_sentence_openers
from tests.support.mentions import mentions_of


@pytest.fixture(scope="module")
def nlp():
    return SpacyModel()


def test_a_common_word_opening_a_sentence_is_not_part_of_the_name(nlp):
    """A 9to5Mac gift guide was tagged #RecentSamsung: "Recent Samsung smart TVs" made a person
    of whom the article's five other "Samsung"s became the surname."""
    text = ("Samsung sells televisions. Buyers like Samsung.\nRecent Samsung smart TVs also include the Apple TV app. "
            "Maybe Instagram likes it that way. Instagram grew. Follow Newsbeat on Instagram. Newsbeat is on air.")  # fmt: skip
    spans = [("Samsung", "ORG"), ("Samsung", "ORG"), ("Recent Samsung", "PERSON"), ("Apple TV", "ORG"),
             ("Maybe Instagram", "PERSON"), ("Instagram", "ORG"), ("Follow Newsbeat", "PERSON"), ("Instagram", "ORG"),
             ("Newsbeat", "ORG")]  # fmt: skip
    trimmed = without_sentence_openers(mentions_of(text, spans), text, nlp)
    assert [(m.text, m.label) for m in trimmed if m.text in ("Samsung", "Instagram", "Newsbeat")] == [
        ("Samsung", "ORG"), ("Samsung", "ORG"), ("Samsung", "ORG"), ("Instagram", "ORG"), ("Instagram", "ORG"),
        ("Newsbeat", "ORG"), ("Instagram", "ORG"), ("Newsbeat", "ORG"),
    ]  # fmt: skip
    assert all(text[m.start_char : m.start_char + len(m.text)] == m.text for m in trimmed)  # offsets follow the cut
    entities = {(e.kind, e.name): e.mentions for e in merge_mentions(trimmed)}
    assert entities[("organization", "Samsung")] == 3 and entities[("organization", "Instagram")] == 3
    assert "#RecentSamsung" not in choose_hashtags(merge_mentions(trimmed), "A gift guide", text)


def test_a_first_name_or_a_name_that_opens_with_an_adjective_stays(nlp):
    """"Doug Cooke, a former NASA official" opens a sentence too, and the article says "Cooke"
    after it; "The Nigerian Senate" is the senate's name."""
    text = "Doug Cooke, a former NASA official, said so. Cooke agreed.\nThe Nigerian Senate adjourned. Senate rules allow it."
    spans = [("Doug Cooke", "PERSON"), ("NASA", "ORG"), ("Cooke", "ORG"), ("The Nigerian Senate", "ORG"), ("Senate", "ORG")]
    trimmed = without_sentence_openers(mentions_of(text, spans), text, nlp)
    assert [m.text for m in trimmed] == ["Doug Cooke", "NASA", "Cooke", "Nigerian Senate", "Senate"]
    # Where the rest is no name of its own in the article, nothing is asked of the tagger.
    text = "Recent Samsung smart TVs also include the Apple TV app."
    assert without_sentence_openers(mentions_of(text, [("Recent Samsung", "PERSON")]), text, nlp)[0].text == "Recent Samsung"


def test_a_hashtag_before_a_name_is_a_name_of_its_own(nlp):
    """A Browns blog's "#Browns Greedy Williams has been solid" made the tag #BrownsGreedyWilliams."""
    text = "Fans cheered. #Browns Greedy Williams has been solid in run support and tackling so far this season."
    assert [(m.text, text[m.start_char : m.start_char + len(m.text)]) for m in nlp.mentions(text) if "Williams" in m.text] == [
        ("Greedy Williams", "Greedy Williams")
    ]
