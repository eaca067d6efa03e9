"""Near-duplicate detection measured on copies of real articles.

Every article of the Zyte benchmark (its ground-truth body) gets three kinds of copy, as
they occur in the wild:

- the same story as Newsloom extracts it from the publisher's real page (other markup,
  leftovers of the page's furniture);
- a syndicated copy under another outlet's furniture (credit line, "Read also" links,
  donation appeal);
- a wire rewrite: last paragraph cut, a sentence added, one word in twenty changed.

Pairs of copies of one story must be found; pairs of different stories must not. The
detector is the one the store uses: MinHash signatures, LSH bands, then the Jaccard
threshold.
"""

from __future__ import annotations

import itertools
import random
from collections import defaultdict
from dataclasses import dataclass

import numpy as np

from newsloom.dedupe.fingerprints import band_keys, estimated_jaccard, signature
from newsloom.evaluation.extraction import BenchmarkPage, newsloom_text

MIN_WORDS = 100


@dataclass(frozen=True)
class Document:
    story: str
    kind: str
    text: str


@dataclass(frozen=True)
class DetectorScore:
    threshold: float
    documents: int
    true_pairs: int
    found_pairs: int
    precision: float
    recall: float
    f1: float
    # The most similar pair of *different* stories: the margin below the threshold.
    hardest_negative: float


def build_documents(pages: list[BenchmarkPage], seed: int = 0) -> list[Document]:
    rng = random.Random(seed)
    documents = []
    for page in pages:
        body = page.truth.strip()
        if len(body.split()) < MIN_WORDS:
            continue
        paragraphs = [p for p in body.split("\n") if p.strip()]
        documents.append(Document(page.page_id, "original", body))
        documents.append(Document(page.page_id, "extracted from the page", newsloom_text(page.html, page.url)))
        documents.append(Document(page.page_id, "syndicated", _syndicated(paragraphs)))
        documents.append(Document(page.page_id, "wire rewrite", _rewritten(paragraphs, rng)))
    return documents


def _syndicated(paragraphs: list[str]) -> str:
    middle = len(paragraphs) // 2
    return "\n".join(
        ["By Staff Reporter, Wire Service", "Updated 5 min ago · 4 min read"]
        + paragraphs[:middle]
        + ["Read also: Markets rally as talks resume in Geneva"]
        + paragraphs[middle:]
        + ["We've been working hard to bring you independent news. Consider supporting us."]
    )


def _rewritten(paragraphs: list[str], rng: random.Random) -> str:
    kept = paragraphs[:-1] if len(paragraphs) > 3 else paragraphs
    words = "\n".join(kept).split(" ")
    for index in rng.sample(range(len(words)), k=len(words) // 20):
        words[index] = "reportedly"
    return " ".join(words) + "\nThe story was updated with additional reporting."


def evaluate(documents: list[Document], thresholds: list[float]) -> list[DetectorScore]:
    signatures = [signature(document.text) for document in documents]
    buckets: dict[tuple[int, int], list[int]] = defaultdict(list)
    for index, values in enumerate(signatures):
        if values is not None:
            for key in band_keys(values):
                buckets[key].append(index)
    candidates = {pair for members in buckets.values() for pair in itertools.combinations(sorted(set(members)), 2)}
    similarity = {(a, b): estimated_jaccard(signatures[a], signatures[b]) for a, b in candidates}  # type: ignore[arg-type]
    by_story: dict[str, list[int]] = defaultdict(list)
    for index, document in enumerate(documents):
        by_story[document.story].append(index)
    truth = {pair for members in by_story.values() for pair in itertools.combinations(sorted(members), 2)}
    hardest_negative = _hardest_negative(documents, signatures)

    scores = []
    for threshold in thresholds:
        found = {pair for pair, value in similarity.items() if value >= threshold}
        hits = len(found & truth)
        precision = hits / len(found) if found else 1.0
        recall = hits / len(truth) if truth else 1.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        scores.append(
            DetectorScore(threshold, len(documents), len(truth), len(found), precision, recall, f1, hardest_negative)
        )
    return scores


def _hardest_negative(documents: list[Document], signatures: list) -> float:  # type: ignore[type-arg]
    """Highest estimated Jaccard between different stories, over all pairs (not only LSH candidates)."""
    indexed = [(i, values) for i, values in enumerate(signatures) if values is not None]
    matrix = np.stack([values for _, values in indexed])
    stories = np.array([documents[i].story for i, _ in indexed])
    highest = 0.0
    for row, (_, values) in enumerate(indexed):
        agreement = (matrix == values).mean(axis=1)
        agreement[stories == stories[row]] = 0.0
        highest = max(highest, float(agreement.max()))
    return highest
