"""Sentences of an article, with their offsets, for summaries, key points and answers.

Rule-based and fast: a sentence ends at . ! or ? (with any closing quotation marks) before
whitespace and a capital, digit or opening quote, unless the word before the stop is a
known abbreviation ("Mr.", "Sen.", "U.S.", "Feb.") or a single initial, or it falls inside a
quotation of up to three sentences that closes in the same paragraph. Paragraph breaks
always end a sentence.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from newsloom.extract.credits import WIRE_SERVICES

# A quotation of more sentences than this is split after all, so one unit never grows to a
# whole speech.
MAX_QUOTED_SENTENCES = 3
_BOUNDARY = re.compile(r"[.!?…]+[\"'”’)\]]*(?=\s+[\"'“‘(\[]*[A-Z0-9])")
ABBREVIATIONS = frozenset(
    "mr mrs ms dr prof sr jr st gen col lt sgt capt cmdr adm gov sen rep rev hon pres vs etc inc ltd co corp "
    "jan feb mar apr jun jul aug sep sept oct nov dec no nos fig approx est dept univ ave blvd mt ft".split()
)


_WIRE = "(?i:" + "|".join(re.escape(name) for name in sorted(WIRE_SERVICES, key=len, reverse=True)) + "|cnn)"
# The lines a dateline may open: the first, or one just below it when it names its wire.
DATELINE_LINES = 3
_DATELINE = re.compile(
    rf"\s*(?:\({_WIRE}\)"  # "(Reuters) — "
    # "WASHINGTON — ", "BUFFALO, N.Y. — ", "NEW YORK (Reuters) - "
    rf"|[A-Z][A-Z.'’-]+(?:\s[A-Z][A-Z.'’-]+){{0,3}}(?:,\s*[A-Z][A-Za-z.]{{1,12}}(?:\s[A-Z][A-Za-z.]{{1,12}})?)?(?:\s*\({_WIRE}\))?"
    rf"|[A-Z][a-z]+(?:\s[A-Z][a-z]+){{0,2}},\s[A-Z][a-z]{{1,4}}\.(?:\s*\({_WIRE}\))?)"  # "Dekalb, Ill. — "
    r"\s*(?:—|–|--?)\s+(?=[\"“‘']?[A-Z0-9])"  # a sentence follows: "NATO — the alliance — met" is no dateline
)


@dataclass(frozen=True)
class Sentence:
    text: str
    start: int
    end: int
    paragraph: int


def split_sentences(text: str) -> list[Sentence]:
    """The text's sentences; a dateline that opens the text ("HAYWARD, Calif. (AP) — ") is
    not part of its first one: it would open the summary and split at "Calif.". One with a
    wire's name may open one of the next lines too, below a kicker ("CNN") or a promotion."""
    sentences: list[Sentence] = []
    offset = 0
    dateline_found = False
    for number, line in enumerate(text.split("\n")):
        dateline = _dateline_at(line, number) if number < DATELINE_LINES and not dateline_found else None
        dateline_found = dateline_found or dateline is not None
        cut = dateline.end() if dateline else 0
        held = 0  # stops passed over inside the current quotation
        last_marks = (line.rfind("”"), line.rfind('"'))  # where the line's quotations close, at the latest
        for match in _BOUNDARY.finditer(line, cut):
            word = line[cut : match.start()].rsplit(None, 1)[-1] if line[cut : match.start()].strip() else ""
            bare = word.strip("\"'“‘(").casefold()
            if match.group(0).startswith(".") and (bare in ABBREVIATIONS or re.fullmatch(r"(?:[a-z]\.)*[a-z]", bare)):
                continue  # "Mr. Smith", "U.S. officials", "John F. Kennedy"
            if held < MAX_QUOTED_SENTENCES - 1 and _inside_quotation(line[cut : match.end()], match.end(), last_marks):
                held += 1
                continue
            _add(sentences, line, cut, match.end(), offset, number)
            cut, held = match.end(), 0
        _add(sentences, line, cut, len(line), offset, number)
        offset += len(line) + 1
    return sentences


def _dateline_at(line: str, number: int) -> re.Match[str] | None:
    dateline = _DATELINE.match(line)
    # Below the first line only one naming its wire: "NATO — The alliance met" is no dateline.
    return dateline if dateline and (number == 0 or "(" in dateline.group(0)) else None


def _inside_quotation(unit: str, stop: int, last_marks: tuple[int, int]) -> bool:
    """Whether a stop falls inside a quotation that closes later in the paragraph: the
    quotation's sentences stay one, so a summary never shows half of it with one mark.
    `unit` is the text from the sentence's start to the stop."""
    last_curly, last_straight = last_marks
    curly_open = unit.count("“") > unit.count("”") and last_curly >= stop
    straight_open = unit.count('"') % 2 == 1 and last_straight >= stop
    return curly_open or straight_open


def _add(sentences: list[Sentence], line: str, start: int, end: int, offset: int, paragraph: int) -> None:
    piece = line[start:end]
    stripped = piece.strip()
    if stripped:
        lead = len(piece) - len(piece.lstrip())
        sentences.append(Sentence(stripped, offset + start + lead, offset + start + lead + len(stripped), paragraph))
