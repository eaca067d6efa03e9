"""How far titles alone can take story clustering on the Google News development set.

`newsloom eval stories` scores the online clusterer. This script puts beside it two methods
that use the same signals (MiniLM embeddings of the headlines and their words) but know more
than an online clusterer can, to tell a weak method from a weak signal:

- the online clusterer itself, as the evaluation runs it (the reference row);
- a batch clusterer that sees all 2,949 headlines at once, which an online one cannot:
  average-linkage agglomerative clustering on 1 - similarity, cut at several heights, with
  the similarity the embedding cosine alone or mixed with a headline TF-IDF cosine (the mix
  the online clusterer uses, 0.7 and 0.3);
- an oracle that is handed Google's own stories and puts each headline in the story whose
  centroid (leaving the headline out) is closest; a centroid method cannot do better
  than this per headline;
- an oracle that gives each headline the story most of its `k` nearest other headlines carry
  in Google's labels (future ones included): what a clusterer told every other headline's
  true story would reach with these vectors.

Each is scored with B-cubed precision, recall and F1 against Google's story ids, on the
whole file and on the two halves of its stories (split by the parity of the SHA-1 of the
story id), so a cut height that only fits one half shows.

    .venv/bin/python bench/story_ceiling.py [../shared/benchdata/stories-googlenews/dev.csv] [--vectors V.npy]

`--vectors` puts another model's headline vectors in place of MiniLM's (a NumPy array, one
unit-length row per headline in arrival order, as `load_headlines` sorts them), to ask whether
a stronger model would raise the ceiling.
"""

from __future__ import annotations

import argparse
import hashlib
import math
import sys
from collections import Counter
from pathlib import Path

import numpy as np
from scipy.cluster.hierarchy import fcluster, linkage
from scipy.spatial.distance import squareform

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))

from newsloom.enrich.embeddings import MiniLmEmbedder  # noqa: E402
from newsloom.evaluation.stories import ClusteringScore, Headline, b_cubed, cluster, load_headlines  # noqa: E402
from newsloom.stories.clustering import LEXICAL_WEIGHT  # noqa: E402
from newsloom.stories.terms import headline_terms  # noqa: E402

DEFAULT_FILE = REPO.parent / "shared/benchdata/stories-googlenews/dev.csv"
CUT_HEIGHTS = (0.65, 0.70, 0.75, 0.80, 0.85)
NEIGHBOURS = (1, 5)


def half_of(story: str) -> int:
    return int(hashlib.sha1(story.encode()).hexdigest(), 16) % 2


def tf_idf_cosines(headlines: list[Headline]) -> np.ndarray:
    """Cosines of headline-word TF-IDF vectors, IDF over these headlines."""
    terms = [headline_terms(h.title) for h in headlines]
    frequency = Counter(term for words in terms for term in words)
    column = {term: index for index, term in enumerate(sorted(frequency))}
    rows = np.zeros((len(headlines), len(column)))
    for row, words in enumerate(terms):
        for term in words:
            rows[row, column[term]] = math.log((len(headlines) + 1) / (frequency[term] + 1)) + 1
    rows /= np.clip(np.linalg.norm(rows, axis=1, keepdims=True), 1e-12, None)
    return rows @ rows.T


def batch_clusters(similarity: np.ndarray, height: float) -> np.ndarray:
    distance = np.clip(1 - similarity, 0, None)
    np.fill_diagonal(distance, 0)
    return fcluster(linkage(squareform(distance, checks=False), method="average"), height, criterion="distance")


def nearest_true_centroid(headlines: list[Headline], vectors: np.ndarray) -> dict[str, int]:
    stories = sorted({h.story for h in headlines})
    index = {story: n for n, story in enumerate(stories)}
    sums = np.zeros((len(stories), vectors.shape[1]))
    for headline, vector in zip(headlines, vectors, strict=True):
        sums[index[headline.story]] += vector
    predicted = {}
    for headline, vector in zip(headlines, vectors, strict=True):
        centroids = sums.copy()
        centroids[index[headline.story]] -= vector  # leave the headline out of its own story
        centroids /= np.clip(np.linalg.norm(centroids, axis=1, keepdims=True), 1e-12, None)
        predicted[headline.id] = int(np.argmax(centroids @ vector))
    return predicted


def nearest_neighbours_vote(headlines: list[Headline], vectors: np.ndarray, k: int) -> dict[str, str]:
    """Each headline's story by majority among its `k` most similar other headlines (ties go to
    the story of the nearer headline)."""
    similarity = vectors @ vectors.T
    np.fill_diagonal(similarity, -np.inf)
    nearest = np.argsort(-similarity, axis=1, kind="stable")[:, :k]
    predicted = {}
    for headline, row in zip(headlines, nearest, strict=True):
        votes = Counter(headlines[n].story for n in row)
        top = max(votes.values())
        predicted[headline.id] = next(headlines[n].story for n in row if votes[headlines[n].story] == top)
    return predicted


def cell(score: ClusteringScore) -> str:
    return f"{score.f1:.3f} ({score.precision:.2f}/{score.recall:.2f})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("file", nargs="?", type=Path, default=DEFAULT_FILE)
    parser.add_argument("--vectors", type=Path, help="headline vectors of another model (.npy, arrival order)")
    args = parser.parse_args()
    headlines = load_headlines(args.file)
    if args.vectors:
        vectors = np.load(args.vectors).astype(np.float64)
        if vectors.shape[0] != len(headlines):
            parser.error(f"{args.vectors} has {vectors.shape[0]} rows for {len(headlines)} headlines")
    else:
        vectors = MiniLmEmbedder(threads=2).embed([h.title for h in headlines]).astype(np.float64)
    row_of = {h.id: row for row, h in enumerate(headlines)}
    parts = {"whole file": headlines, **{f"half {n}": [h for h in headlines if half_of(h.story) == n] for n in (0, 1)}}

    print(f"{len(headlines)} headlines, {len({h.story for h in headlines})} stories; B-cubed F1 (precision/recall)\n")
    print("| method | " + " | ".join(parts) + " |")
    print("| --- |" + " --- |" * len(parts))

    part_vectors = {name: vectors[[row_of[h.id] for h in part]] for name, part in parts.items()}
    truths = {name: {h.id: h.story for h in part} for name, part in parts.items()}

    def row(label: str, score) -> None:  # type: ignore[no-untyped-def]
        """`score(name, headlines)` scores one part of the file."""
        print(f"| {label} | " + " | ".join(cell(score(name, part)) for name, part in parts.items()) + " |", flush=True)

    def online(name: str, part: list[Headline]) -> ClusteringScore:
        as_embedded = part_vectors[name].astype(np.float32)
        return b_cubed(cluster(part, lambda _titles: as_embedded), truths[name])

    row("online clusterer (`newsloom eval stories`)", online)
    cosines = {name: part_vectors[name] @ part_vectors[name].T for name in parts}
    words = {name: tf_idf_cosines(part) for name, part in parts.items()}
    for weight in (0.0, LEXICAL_WEIGHT):
        signal = "embedding cosine" if weight == 0 else f"cosine and headline TF-IDF ({1 - weight:.1f}/{weight:.1f})"
        for height in CUT_HEIGHTS:

            def batch(name: str, part: list[Headline], weight: float = weight, height: float = height) -> ClusteringScore:
                labels = batch_clusters((1 - weight) * cosines[name] + weight * words[name], height)
                return b_cubed({h.id: int(label) for h, label in zip(part, labels, strict=True)}, truths[name])

            row(f"batch average linkage, {signal}, cut at {height:.2f}", batch)
    row(
        "oracle: nearest true story centroid",
        lambda name, part: b_cubed(nearest_true_centroid(part, part_vectors[name]), truths[name]),
    )
    for k in NEIGHBOURS:
        row(
            f"oracle: vote of the {k} nearest other headlines' true stories",
            lambda name, part, k=k: b_cubed(nearest_neighbours_vote(part, part_vectors[name], k), truths[name]),
        )


if __name__ == "__main__":
    main()
