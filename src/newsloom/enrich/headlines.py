"""Headlines in title case, made readable to the entity recogniser.

"Pizza-Maker Sbarro Files For Bankruptcy Again" capitalises every word, and the recogniser,
trained on running text, takes capitals for names: "Sbarro Files For Bankruptcy Again" becomes a
person, "Moon Europa Are Spewing Water Vapor" an organisation, and both become hashtags. The
article's own text says which words are names: a word the body writes with a capital in the
middle of a sentence keeps it; the others are lower-cased for the recogniser only.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

# Words that title case capitalises and sentence case does not; they do not count towards
# deciding whether a headline is in title case.
_SMALL_WORDS = frozenset("a an the and or but for nor on at to from by of in with as vs via".split())
# A word that only title case would capitalise: a capital, then lower case only ("Files",
# not "iOS", "SpaceX", "McDonald", "NASA").
CAPITALISED = re.compile(r"\b[A-Z][a-z]+\b")
# Capitalised words in a row: "North America", "Blue Origin".
_RUN = re.compile(r"\b[A-Z][\w'’.-]*(?:\s+[A-Z][\w'’.-]*)+")
# At least this share of a headline's words after the first, other than the small words above,
# is capitalised in title case; sentence case capitalises names only.
TITLE_CASE_SHARE = 0.8
# A body shorter than this says too little about which words are names.
MIN_BODY_WORDS = 50


def is_title_case(headline: str, min_words: int = 3) -> bool:
    """Whether the capitals say title case; with fewer than `min_words` words after the first
    (small words aside), the headline is too short to tell and is not."""
    words = [w for w in re.findall(r"[^\W\d_][\w'’-]*", headline)[1:] if w.casefold() not in _SMALL_WORDS]
    return len(words) >= min_words and sum(w[0].isupper() for w in words) >= TITLE_CASE_SHARE * len(words)


def for_recognition(headline: str, body: str) -> tuple[str, str]:
    """`headline` and `body` as the recogniser should read them: the capitals that only title
    case gave the headline lowered, in the headline and wherever the body repeats it (pages
    often open with their headline). Same lengths as given, so offsets stay valid."""
    if not is_title_case(headline):
        return headline, body
    lowered = _lowered(headline, body.replace(headline, " "))
    return lowered, body.replace(headline, lowered)


def _lowered(headline: str, body: str) -> str:
    """A word keeps its capital when the body writes it so mid-sentence at least as often as in
    lower case (how the article itself spells it: "Europa" yes, "Shows" and "Online" no), or
    when it belongs to a run of capitalised words the body has verbatim ("North America").
    A word that opens the headline or one of its parts keeps it too."""
    if len(body.split()) < MIN_BODY_WORDS:
        return headline
    case = WordCase.of(body)
    kept = {
        m.start()
        for run in _RUN.finditer(headline)
        if " " in run.group(0) and run.group(0) in body
        for m in CAPITALISED.finditer(headline, run.start(), run.end())
    }

    def cased(word: re.Match[str]) -> str:
        text = word.group(0)
        keep = word.start() in kept or opens_sentence(headline, word.start())
        keep = keep or case.capitalised[text] > 0 and not case.mostly_lower(text)
        return text if keep else text.lower()

    return CAPITALISED.sub(cased, headline)


@dataclass(frozen=True)
class WordCase:
    """How a text writes its words: with a capital in mid-sentence, as names are, or in lower case."""

    capitalised: Counter[str]
    lower: Counter[str]

    @classmethod
    def of(cls, text: str) -> WordCase:
        return cls(Counter(_mid_sentence_capitalised(text)), Counter(re.findall(r"\b[a-z]+\b", text)))

    def mostly_lower(self, word: str) -> bool:
        """Whether the text writes `word` ("Files") in lower case more often than with its capital mid-sentence."""
        return self.lower[word.lower()] > self.capitalised[word]


def opens_sentence(text: str, start: int) -> bool:
    """Whether the word at `start` is the first of a sentence, a line or a headline's part."""
    before = text[max(0, start - 6) : start].rstrip(" \t\"“‘'([")
    return not before or before[-1] in ".!?:|—–\n"


def _mid_sentence_capitalised(body: str) -> list[str]:
    return [match.group(0) for match in CAPITALISED.finditer(body) if not opens_sentence(body, match.start())]
