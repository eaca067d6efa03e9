"""An article's mentions of names, as the recogniser finds them and as the article writes them."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import replace

from newsloom.enrich.datelines import with_dateline
from newsloom.enrich.headlines import for_recognition
from newsloom.enrich.nlp import Mention, SpacyModel
from newsloom.enrich.openers import without_sentence_openers

_PERSONAL_NAME = re.compile(r"[A-Z][a-z]+")
# The labels whose names become entities; the others (works, products, events, laws) do not.
_NAME_LABELS = frozenset({"PERSON", "ORG", "GPE", "LOC"})


def article_mentions(nlp: SpacyModel, text: str, title: str | None = None) -> list[Mention]:
    """Mentions over `f"{title}\\n\\n{text}"` (over `text` alone without a title): the names the
    recogniser finds once the headline's title case is lowered, spelt as the publisher wrote
    them, with the dateline's place as one place, the words a sentence's capital joined to a
    name left out, and people the recogniser called organisations put right."""
    analysed = f"{title}\n\n{text}" if title else text
    heard_title, heard_text = for_recognition(title or "", text)  # the same lengths, so the same offsets
    heard = f"{heard_title}\n\n{heard_text}" if title else heard_text
    # Names as the publisher wrote them: a headline's "James" may have been lowered for the recogniser.
    mentions = [replace(m, text=analysed[m.start_char : m.start_char + len(m.text)]) for m in nlp.mentions(heard)]
    body_start = len(title) + 2 if title else 0
    mentions = without_sentence_openers(with_dateline(mentions, analysed, body_start=body_start), analysed, nlp)
    return _people_called_organisations(_without_tails_of_titles(mentions), analysed)


def _without_tails_of_titles(mentions: list[Mention]) -> list[Mention]:
    """A name of one word that ends the title of a work, a product or an event the article
    names more often ("Trek" once after six "Star Trek"s, which the recogniser called an
    organisation and made #Trek) is a short form of that title, no person, organisation or
    place. "Trump" after one "Trump impeachment" is Trump."""
    tails = Counter(m.text.split()[-1] for m in mentions if m.label not in _NAME_LABELS and len(m.text.split()) > 1)
    alone = Counter(m.text for m in mentions if m.label in _NAME_LABELS and " " not in m.text)
    return [m for m in mentions if not (m.text in alone and tails[m.text] > alone[m.text])]


def _people_called_organisations(mentions: list[Mention], text: str) -> list[Mention]:
    """"Mason Rudolph" labelled an organisation beside eleven of "Rudolph" labelled a person made
    the tags #Rudolph and #MasonRudolph. A first name and a surname that the article uses alone
    for a person, at least as often, are that person; so is a first name and a surname run on
    from a place ("special envoy to Ukraine Kurt Volker", an organisation to the recogniser, as
    was each "Volker" after it) when the article uses the surname alone. A surname is never "the
    Rudolph", while "the Moon" of "Blue Moon", "the Steelers" or "the Tribune" are no people
    ("the Braun-owned company" is no "the Braun")."""
    alone = Counter(m.text for m in mentions if m.label == "PERSON" and _PERSONAL_NAME.fullmatch(m.text))
    full = Counter(m.text for m in mentions if m.label == "ORG")
    places = {m.text for m in mentions if m.label in ("GPE", "LOC")}
    named_alone = {m.text for m in mentions if _PERSONAL_NAME.fullmatch(m.text)}

    def may_be_surname(name: str) -> bool:
        return not re.search(rf"\b[Tt]he\s+{re.escape(name)}(?![\w-])", text)

    def as_person(mention: Mention) -> Mention:
        words = mention.text.split()
        if mention.label != "ORG" or not 2 <= len(words) <= 4:
            return mention
        if len(words) == 2 and _is_personal_name(words) and alone[words[1]] >= full[mention.text] and may_be_surname(words[1]):
            return replace(mention, label="PERSON")
        for cut in (1, 2):  # "Ukraine", "South Korea"
            place, rest = " ".join(words[:cut]), words[cut:]
            if len(rest) == 2 and place in places and _is_personal_name(rest) and rest[1] in named_alone and may_be_surname(rest[1]):
                offset = mention.text.index(rest[0], len(place))
                return Mention(mention.text[offset:], "PERSON", mention.start_char + offset)
        return mention

    return [as_person(m) for m in mentions]


def _is_personal_name(words: list[str]) -> bool:
    return all(_PERSONAL_NAME.fullmatch(word) for word in words)
