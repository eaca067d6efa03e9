"""Ask about this article: the sentences that answer a question, cited, or a plain "no".

Retrieval is by embedding (cosine between the question and each sentence), which finds
paraphrases; the reranking adds word overlap on the question's content words (names,
numbers, rare words), which a small embedding model blurs: "How many soldiers did Russia
lose?" must land on the sentence with the figure. A sentence also gets half the credit for
question words in the sentence before it, since news often names its subject once and then
says "he" or "Pyongyang". An answer needs a sentence that is close enough on both counts;
otherwise the article is said not to answer.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass

import numpy as np

from newsloom.enrich.sentences import Sentence

MAX_CITED = 3
# Below these, a sentence is about something else (checked on the seed article's questions
# and on unrelated ones; see tests/enrich/test_answers.py).
MIN_COSINE = 0.35
MIN_SCORE = 0.45
# A sentence holding every content word of the question may be further from it in meaning:
# "Who is Temur Umarov?" is answered by '"...," said Temur Umarov, a research fellow at ...',
# whose cosine to the question is 0.25, as a long sentence about something else scores.
MIN_COSINE_WITH_EVERY_WORD = 0.2
LEXICAL_WEIGHT = 0.35
_WORD = re.compile(r"[\w’'-]+")
_INITIALS = re.compile(r"\b(?:[A-Z]\.){2,}")
STOPWORDS = frozenset(
    "a an the and or but if of to in on at by for with about from into over after before as is are was were be been "
    "being do does did doing have has had what which who whom whose when where why how this that these those it its "
    "he she they them his her their i you we our your my me us not no can could would should will shall may might "
    "must than then there here so such also just any all some more most other say said tell told article according".split()
)


@dataclass(frozen=True)
class CitedSentence:
    index: int  # position among the article's sentences
    text: str
    start: int
    end: int
    score: float


@dataclass(frozen=True)
class Answer:
    """`answered` False comes with `reason`; `sentences` are in article order."""

    question: str
    answered: bool
    sentences: list[CitedSentence]
    reason: str | None = None


def content_words(text: str) -> list[str]:
    """Words that carry the question; "US" in capitals is a name, not the pronoun, and "U.S." is "US"."""
    text = _INITIALS.sub(lambda initials: initials.group(0).replace(".", ""), text)
    words = (m.group(0).strip("’'-") for m in _WORD.finditer(text))
    return [w.casefold() for w in words if w and (w.casefold() not in STOPWORDS or len(w) > 1 and w.isupper())]


def _stem(word: str) -> str:
    for suffix in ("ing", "ed", "es", "s"):
        if len(word) > len(suffix) + 3 and word.endswith(suffix):
            return word[: -len(suffix)]
    return word


def lexical_scores(question: str, sentences: list[Sentence]) -> np.ndarray:
    """Share of the question's content words in each sentence, rarer words weighing more (idf)."""
    asked = {_stem(w) for w in content_words(question)}
    if not asked or not sentences:
        return np.zeros(len(sentences))
    bags = [{_stem(w) for w in content_words(s.text)} for s in sentences]
    frequency = Counter(word for bag in bags for word in bag & asked)
    idf = {w: math.log(1 + len(sentences) / (1 + frequency[w])) for w in asked}
    total = sum(idf.values())
    return np.array([sum(idf[w] for w in asked & bag) / total for bag in bags])


def _with_context(lexical: np.ndarray, sentences: list[Sentence]) -> np.ndarray:
    previous = np.zeros_like(lexical)
    for i in range(1, len(sentences)):
        if sentences[i].paragraph - sentences[i - 1].paragraph <= 1:
            previous[i] = lexical[i - 1]
    return lexical + 0.5 * np.maximum(previous - lexical, 0.0)


def answer(question: str, sentences: list[Sentence], sentence_vectors: np.ndarray, question_vector: np.ndarray) -> Answer:
    question = " ".join(question.split())
    if not question:
        return Answer(question, False, [], "the question is empty")
    if not sentences:
        return Answer(question, False, [], "the article has no text to answer from")
    cosine = sentence_vectors @ question_vector
    own_words = lexical_scores(question, sentences)
    lexical = _with_context(own_words, sentences)
    combined = (1 - LEXICAL_WEIGHT) * cosine + LEXICAL_WEIGHT * lexical
    ranked = [int(i) for i in np.argsort(-combined)]
    best = ranked[0]
    least_cosine = MIN_COSINE_WITH_EVERY_WORD if own_words[best] >= 1.0 - 1e-9 else MIN_COSINE
    if cosine[best] < least_cosine or combined[best] < MIN_SCORE:
        return Answer(question, False, [], "the article does not seem to answer this question")
    # Others are cited only when nearly as good as the best: support, not padding.
    cited = [i for i in ranked[:MAX_CITED] if combined[i] >= max(MIN_SCORE, combined[best] - 0.08)]
    return Answer(
        question, True,
        [CitedSentence(i, sentences[i].text, sentences[i].start, sentences[i].end, round(float(combined[i]), 3)) for i in sorted(cited)],
    )  # fmt: skip
