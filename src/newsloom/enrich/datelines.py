"""Datelines: "WASHINGTON (Reuters) -", "SANTA FE, N.M. (AP) —", "BAAR, SWITZERLAND".

Wire copy opens with the place it was filed from, in capitals by convention, and often the
agency that filed it. The recogniser reads those capitals as it reads acronyms: "COLUMBIA"
became an organisation beside the place "Columbia", "ST. JOSEPH" two names, and "(AP)" a
mention of the agency in every AP story, which made #AP and #WASHINGTON tags. Here the place
is one place, spelt as the article spells it elsewhere (or in title case), and the agency's
credit is no mention at all: it says who filed the story, not what it is about.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace

from newsloom.enrich.entities import KINDS
from newsloom.enrich.nlp import Mention

_DATELINE = re.compile(
    r"(?P<place>[A-Z][A-Z.'’-]+(?: [A-Z][A-Z.'’-]*)*)"  # in capitals: "ST. JOSEPH", "NEW YORK"
    r"(?:, (?P<region>[^\s,()—–:][^\n,()—–:]{0,38}?))?"  # "S.C.", "Calif.", "SWITZERLAND", "Nov 19"
    r"(?: ?\((?P<agency>[A-Za-z][\w .&-]{0,29})\))?"  # "(AP)", "(Reuters)"
    r" ?(?P<end>[—–:-]|\n)"
)
# Where a dateline may stand: the body's first paragraphs (a page may open with its headline
# or a byline).
_PARAGRAPHS_LOOKED_AT = 3
_PLACE_LABELS = frozenset({"GPE", "LOC"})


@dataclass(frozen=True)
class Dateline:
    place: str
    start: int
    end: int
    region: tuple[int, int] | None
    agency: tuple[int, int] | None


def find_dateline(text: str, body_start: int = 0, mentions: Sequence[Mention] = ()) -> Dateline | None:
    """The dateline opening one of the body's first paragraphs, or None. A place in capitals
    followed by only a dash is a dateline when the recogniser saw a place in it: "UPDATE -"
    is not one."""
    start = body_start
    for _ in range(_PARAGRAPHS_LOOKED_AT):
        match = _DATELINE.match(text, start)
        if match is not None and _is_dateline(match, mentions):
            place = match.group("place").rstrip(" -")
            region = match.span("region") if match.group("region") else None
            agency = match.span("agency") if match.group("agency") else None
            return Dateline(_spelt(place, text), match.start("place"), match.start("place") + len(place), region, agency)
        start = text.find("\n", start) + 1
        while 0 < start < len(text) and text[start] == "\n":
            start += 1
        if start <= 0:
            return None
    return None


def _is_dateline(match: re.Match[str], mentions: Sequence[Mention]) -> bool:
    if sum(ch.isalpha() for ch in match.group("place")) < 3:
        return False
    if match.group("agency") or match.group("region"):
        return True
    return any(m.label in _PLACE_LABELS and match.start() <= m.start_char < match.end("place") for m in mentions)


def _spelt(place: str, text: str) -> str:
    """The place as the article writes it in ordinary case ("Santa Fe"), else in title case."""
    words = r"\s+".join(re.escape(word) for word in place.split())
    for match in re.finditer(words, text, re.IGNORECASE):
        if match.group(0)[0].isupper() and not match.group(0).isupper():  # not "new york" in an address
            return match.group(0)
    return " ".join(word[:1] + word[1:].lower() for word in place.split())


def with_dateline(mentions: list[Mention], text: str, body_start: int = 0) -> list[Mention]:
    """`mentions` with the dateline's place as one place, its region's names in ordinary
    case, and the agency's credit left out."""
    dateline = find_dateline(text, body_start, mentions)
    if dateline is None:
        return mentions

    def within(mention: Mention, span: tuple[int, int] | None) -> bool:
        return span is not None and span[0] <= mention.start_char < span[1]

    kept = [Mention(dateline.place, "GPE", dateline.start)]
    for mention in mentions:
        if within(mention, (dateline.start, dateline.end)) or within(mention, dateline.agency):
            continue
        if within(mention, dateline.region) and mention.label in KINDS:  # not the date of "Nov 19"
            name = mention.text if not mention.text.isupper() or "." in mention.text else mention.text.title()
            mention = replace(mention, text=name, label="GPE")
        kept.append(mention)
    return sorted(kept, key=lambda mention: mention.start_char)
