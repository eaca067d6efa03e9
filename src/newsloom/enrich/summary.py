"""Extractive summary and key points: sentences of the article, never new text.

Each sentence is scored by its centrality (cosine to the article's centroid, the headline
counting as one more sentence) plus a position prior, since news puts the most important
facts first. The summary is the best three sentences, with a redundancy penalty so that two
sentences saying the same thing are not both chosen, shown in article order. Key points are
chosen the same way from what the summary left, with a weaker position prior so that they
cover the rest of the article.

Embedding every sentence was three quarters of the enrichment's CPU, so the transformer
reads the lead (the first 5 sentences) and 8 later sentences, whatever the article's length.
The summary comes from the lead: on the tuning set, summaries from the first 5 sentences score
within 0.05 ROUGE-2 of the best lead (7) and above leads of 8 to 15, the position prior
already favouring the lead. The later sentences are the ones a cheap stand-in for the key
points' own score ranks highest: TF-IDF vectors of the article's own words in place of
embeddings. On 107 longer articles the key points share 58% of their sentences with key points
chosen from every sentence (a lead of 7 shared 61% for 15% more of the transformer's work;
docs/benchmarks.md).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

import numpy as np

from newsloom.enrich.answers import content_words
from newsloom.enrich.embeddings import MiniLmEmbedder
from newsloom.enrich.sentences import Sentence

SUMMARY_SENTENCES = 3
LEAD_SENTENCES = 5
SAMPLED_SENTENCES = 8
MIN_WORDS = 6
MAX_WORDS = 70
# Sentences that open by asking something of the reader: calls to action, not news.
_TO_THE_READER = re.compile(
    r"(?:please\s|click|subscribe|sign up|follow us|share your|send us|tell us|email us|contact us|read more|download|"
    r"join us|don't miss|do not miss|(?:watch|listen)\s+(?:now|live|here|to (?:our|the) (?:video|podcast|episode)))\b"
    r"|(?:watch|listen):",
    re.IGNORECASE,
)
# A whole sentence in brackets; not a dateline's "(CNN) -- ..." that opens a lead.
_ASIDE = re.compile(r"\s*[(\[][^()\[\]]*[)\]][.!?]?\s*")
# A row of a table set as text ("HD | THE HOME DEPOT INC. | 225.86 | -12.99 | -5.44%"), not a sentence.
_TABLE_CELLS = re.compile(r"\S\s+\|\s+\S.*\s\|\s")


@dataclass(frozen=True)
class Weights:
    centrality: float = 1.0
    position: float = 1.0
    position_decay: float = 3.0  # sentences until the prior halves
    redundancy: float = 1.0


SUMMARY_WEIGHTS = Weights()
KEY_POINT_WEIGHTS = Weights(position=0.3, position_decay=10.0, redundancy=1.5)


@dataclass(frozen=True)
class Digest:
    summary: list[Sentence]
    key_points: list[Sentence]
    read_vectors: np.ndarray  # the transformer's, one per sentence it read (lead and sample)
    title_vector: np.ndarray | None


def candidates(sentences: list[Sentence]) -> list[int]:
    """Sentences worth showing alone: neither fragments nor walls of text nor questions nor
    pieces of a quotation, nor a list's introduction ("Other findings include:") nor the
    publisher asking something of its readers ("Please share your videos at iReport."), nor an
    aside in brackets, which leans on the sentence before it, nor a table's row."""
    return [
        i for i, s in enumerate(sentences)
        if MIN_WORDS <= len(s.text.split()) <= MAX_WORDS and not s.text.rstrip("\"'”’ ").endswith(("?", ":"))
        and not _TO_THE_READER.match(s.text) and _quotation_marks_pair_up(s.text)
        and not _ASIDE.fullmatch(s.text) and not _TABLE_CELLS.search(s.text)
    ]  # fmt: skip


def _quotation_marks_pair_up(text: str) -> bool:
    """False for a piece of a longer quotation ("I'm not making that point,” Alito said."),
    which reads as broken when shown alone."""
    return text.count("“") == text.count("”") and text.count('"') % 2 == 0


def choose(
    vectors: np.ndarray, title_vector: np.ndarray | None, eligible: list[int], count: int, weights: Weights,
    excluded: frozenset[int] = frozenset(), positions: list[int] | None = None,
) -> list[int]:  # fmt: skip
    """Rows of the chosen sentences, in article order (maximal marginal relevance). A row's
    place in the article is its row number unless `positions` says otherwise."""
    pool = [i for i in eligible if i not in excluded]
    if not pool:
        return []
    rows = vectors if title_vector is None else np.vstack([vectors, title_vector[None, :]])
    centroid = rows.mean(axis=0)
    centroid /= max(float(np.linalg.norm(centroid)), 1e-12)
    centrality = vectors @ centroid
    place = positions or range(len(vectors))
    score = {i: weights.centrality * float(centrality[i]) + weights.position * _position_prior(place[i], weights.position_decay) for i in pool}
    chosen: list[int] = []
    while pool and len(chosen) < count:
        def marginal(i: int) -> float:
            overlap = max((float(vectors[i] @ vectors[j]) for j in chosen), default=0.0)
            return score[i] - weights.redundancy * max(overlap - 0.5, 0.0)

        best = max(pool, key=marginal)
        chosen.append(best)
        pool.remove(best)
    return sorted(chosen)


def _position_prior(index: int, decay: float) -> float:
    return decay / (decay + index)


def key_point_count(sentence_count: int) -> int:
    return 3 if sentence_count < 20 else 4 if sentence_count < 40 else 5


def read_by_transformer(sentences: list[Sentence], eligible: list[int]) -> list[int]:
    """The lead, and the later eligible sentences most likely to become key points."""
    later = [i for i in eligible if i >= LEAD_SENTENCES]
    return list(range(min(LEAD_SENTENCES, len(sentences)))) + _likely_key_points(sentences, later, SAMPLED_SENTENCES)


def _likely_key_points(sentences: list[Sentence], pool: list[int], count: int) -> list[int]:
    """`count` of `pool`, chosen as key points are chosen but on TF-IDF vectors of the article's
    own words, which cost next to nothing beside the transformer."""
    if len(pool) <= count:
        return pool
    return choose(_tf_idf([s.text for s in sentences]), None, pool, count, KEY_POINT_WEIGHTS)


def _tf_idf(texts: list[str]) -> np.ndarray:
    """Unit-length TF-IDF rows of the texts' content words, IDF over the texts themselves."""
    bags = [Counter(content_words(text)) for text in texts]
    columns: dict[str, int] = {}  # in order of appearance: a set's order follows the hash seed, and so would the sums
    for bag in bags:
        for word in bag:
            columns.setdefault(word, len(columns))
    counts = np.zeros((len(texts), len(columns)), dtype=np.float32)
    for row, bag in enumerate(bags):
        for word, count in bag.items():
            counts[row, columns[word]] = count
    rows = counts * (np.log((len(texts) + 1) / ((counts > 0).sum(axis=0) + 1)) + 1)
    return rows / np.clip(np.linalg.norm(rows, axis=1, keepdims=True), 1e-12, None)


def digest(sentences: list[Sentence], title: str | None, embedder: MiniLmEmbedder) -> Digest:
    eligible = candidates(sentences)
    read = read_by_transformer(sentences, eligible)
    vectors = embedder.embed([sentences[i].text for i in read] + ([title] if title else []))
    read_vectors, title_vector = (vectors[:-1], vectors[-1]) if title else (vectors, None)
    row_of = {sentence: row for row, sentence in enumerate(read)}  # the lead comes first: there, row == sentence
    readable = [row_of[i] for i in eligible if i in row_of]
    summary = choose(read_vectors, title_vector, [row for row in readable if row < LEAD_SENTENCES], SUMMARY_SENTENCES, SUMMARY_WEIGHTS)
    points = choose(
        read_vectors, title_vector, readable, key_point_count(len(sentences)), KEY_POINT_WEIGHTS, frozenset(summary), positions=read
    )
    return Digest([sentences[read[row]] for row in summary], [sentences[read[row]] for row in points], read_vectors, title_vector)
