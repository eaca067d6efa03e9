"""Extractive summary and key points: sentences of the article, never new text.

Each sentence is scored by its centrality (cosine to the article's centroid, the headline
counting as one more sentence) plus a position prior, since news puts the most important
facts first. The summary is the best three sentences, with a redundancy penalty so that two
sentences saying the same thing are not both chosen, shown in article order. Key points are
chosen the same way from what the summary left, with a weaker position prior so that they
cover the rest of the article.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from newsloom.enrich.sentences import Sentence

SUMMARY_SENTENCES = 3
MIN_WORDS = 6
MAX_WORDS = 70


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


def candidates(sentences: list[Sentence]) -> list[int]:
    """Sentences worth showing alone: neither fragments nor walls of text nor questions."""
    return [
        i for i, s in enumerate(sentences)
        if MIN_WORDS <= len(s.text.split()) <= MAX_WORDS and not s.text.rstrip("\"'”’ ").endswith("?")
    ]  # fmt: skip


def choose(
    vectors: np.ndarray, title_vector: np.ndarray | None, eligible: list[int], count: int, weights: Weights,
    excluded: frozenset[int] = frozenset(),
) -> list[int]:  # fmt: skip
    """Indices of the chosen sentences, in article order (maximal marginal relevance)."""
    pool = [i for i in eligible if i not in excluded]
    if not pool:
        return []
    rows = vectors if title_vector is None else np.vstack([vectors, title_vector[None, :]])
    centroid = rows.mean(axis=0)
    centroid /= max(float(np.linalg.norm(centroid)), 1e-12)
    centrality = vectors @ centroid
    score = {i: weights.centrality * float(centrality[i]) + weights.position * _position_prior(i, weights.position_decay) for i in pool}
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


def digest(sentences: list[Sentence], vectors: np.ndarray, title_vector: np.ndarray | None) -> Digest:
    eligible = candidates(sentences)
    summary = choose(vectors, title_vector, eligible, SUMMARY_SENTENCES, SUMMARY_WEIGHTS)
    points = choose(vectors, title_vector, eligible, key_point_count(len(sentences)), KEY_POINT_WEIGHTS, frozenset(summary))
    return Digest([sentences[i] for i in summary], [sentences[i] for i in points])
