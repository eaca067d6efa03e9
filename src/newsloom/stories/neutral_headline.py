"""Which of its articles' headlines a story is shown under: the most neutral, most central one.

The article closest to the story's mean embedding covers what the coverage shares, but its
headline may still be one outlet's voice: "Bubonic plague: Third case of plague in China as
panic begins – ‘The plague is coming’" was the most central article of four that also said
"Hunter in Beijing diagnosed with bubonic plague after eating a rabbit". Aggregators that
show one headline for a story (Google News' lead, Ground News' and Kagi News' story titles)
show one that reports rather than quotes, asks, shouts or labels the piece. So a headline is
ranked first by how few marks of a voice it carries (below), then by how much of the story it
says: the cosine between its words and the words of all the story's headlines, plus the
cosine between its article's embedding and the story's mean.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable

import numpy as np

# A quotation: an opening mark at the start of a word and a closing one at the end of a word,
# so that the apostrophes of "Jupiter's" and "They're" are not quotation marks.
_QUOTATION = re.compile(r"""(?:^|(?<=[\s(\[:–—-]))["“‘'](?=\S).*?(?<=\S)["”’'](?=$|[\s,.:;!?)\]–—-])""")
# The kind of piece, not the event: "Opinion | …", "BREAKING NEWS: …", "UPDATE 2-…" at the start,
# "MacBook Pro review: …" anywhere, "… | Editorial" at the end ("Apple Watch: …" is no label).
_KINDS = (
    r"opinion|editorial|column|analysis|review|commentary|watch|video|live(?:\s+updates?|\s+blog)?|"
    r"breaking(?:\s+news)?|exclusive|update|podcast|recap|explainer|perspective"
)
_LABEL = re.compile(
    rf"^\W*(?:{_KINDS})(?:\s+\d+)?\s*[-–—:|]|\b(?:review|opinion|analysis)\s*[:|]|[|–—-]\s*(?:{_KINDS})\s*$", re.IGNORECASE
)
# The reader or the writer addressed: "Why You Shouldn't Worry", "what we really want".
_PERSON = re.compile(r"\b(?:you|your|yours|you['’](?:re|ll|ve|d)|we|we['’](?:re|ll|ve|d)|our|my|I|I['’](?:m|ve|d|ll))\b", re.IGNORECASE)
# A question asked without its mark: "Why Beijing will bring slaughter to Hong Kong".
_WHY = re.compile(r"^\W*why\b", re.IGNORECASE)
# A word shouted in capitals: six letters or more, which few acronyms have ("SURRENDER", not "NASA").
_SHOUTED = re.compile(r"\b[A-Z]{6,}\b")


def voice_marks(title: str) -> int:
    """How many marks of one outlet's voice a headline carries: an exclamation, a question,
    a quotation, a label of the kind of piece, the reader or writer addressed, a shouted word."""
    unquoted = _QUOTATION.sub(" ", title)
    unlabelled = _LABEL.sub(" ", title)  # "BREAKING NEWS:" is a label, not also a shout
    return sum(
        (
            "!" in title,
            "?" in title or bool(_WHY.match(title)),
            unquoted != title,
            unlabelled != title,
            bool(_PERSON.search(unquoted)),
            not title.isupper() and bool(_SHOUTED.search(unlabelled)),
        )
    )


def headline_rank(title: str, words: Iterable[str], vector: np.ndarray | None, story_words: Counter[str], centroid: np.ndarray) -> tuple[int, float]:
    """Larger is better: fewer marks of a voice first, then how much of the story it says.
    `words` are the headline's terms (`headline_terms`); `story_words` counts them over the
    story's headlines; `centroid` is the story's unit mean embedding."""
    said = _word_cosine(set(words), story_words)
    central = float(vector @ centroid) if vector is not None else 0.0
    return -voice_marks(title), said + central


def _word_cosine(words: set[str], counts: Counter[str]) -> float:
    dot = sum(counts.get(word, 0) for word in words)
    if not dot:
        return 0.0
    return dot / (math.sqrt(len(words)) * math.sqrt(math.fsum(c * c for c in counts.values())))
