"""Story clustering quality: B-cubed precision, recall and F1 against Google News' stories.

The headlines stream, one by one in timestamp order, through the same `StoryClusterer` and
`ActiveStories` the story service uses, with consolidation every `CONSOLIDATE_EVERY`
arrivals (`stories.clustering.stream`; the service consolidates on a schedule). Only the
title is used, as the file has no article text. B-cubed (Bagga and Baldwin, 1998) scores
every item by how much of its predicted cluster shares its true story (precision) and how
much of its true story is in its predicted cluster (recall); both are averaged over items,
so big stories weigh more.
"""

from __future__ import annotations

import csv
import random
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from newsloom.stories.clustering import Member, StoryClusterer, stream
from newsloom.stories.terms import headline_terms


@dataclass(frozen=True)
class Headline:
    id: str
    title: str
    story: str
    at: datetime


@dataclass(frozen=True)
class ClusteringScore:
    items: int
    true_stories: int
    predicted_stories: int
    precision: float
    recall: float
    f1: float


def load_headlines(path: Path) -> list[Headline]:
    with path.open(newline="", encoding="utf-8") as handle:
        rows = [
            Headline(row["ID"], row["TITLE"], row["STORY"], datetime.fromtimestamp(int(row["TIMESTAMP"]) / 1000, UTC))
            for row in csv.DictReader(handle)
        ]
    return sorted(rows, key=lambda h: (h.at, int(h.id) if h.id.isdigit() else h.id))


def cluster(
    headlines: list[Headline], embed: Callable[[list[str]], np.ndarray], clusterer: StoryClusterer | None = None
) -> dict[str, int]:
    """Each headline's story id, streaming in the given order."""
    vectors = embed([h.title for h in headlines])
    members = [
        Member(position, vector, headline_terms(headline.title), headline.at)
        for position, (headline, vector) in enumerate(zip(headlines, vectors, strict=True), start=1)
    ]
    story_of = stream(members, clusterer or StoryClusterer.for_headlines(), vectors.shape[1])
    return {headline.id: story_of[position] for position, headline in enumerate(headlines, start=1)}


def b_cubed(predicted: dict[str, int], truth: dict[str, str]) -> ClusteringScore:
    items = list(truth)
    predicted_sizes = Counter(predicted[i] for i in items)
    true_sizes = Counter(truth[i] for i in items)
    overlap = Counter((predicted[i], truth[i]) for i in items)
    precision = sum(overlap[(predicted[i], truth[i])] / predicted_sizes[predicted[i]] for i in items) / len(items)
    recall = sum(overlap[(predicted[i], truth[i])] / true_sizes[truth[i]] for i in items) / len(items)
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return ClusteringScore(len(items), len(true_sizes), len(predicted_sizes), precision, recall, f1)


def evaluate(
    headlines: list[Headline], embed: Callable[[list[str]], np.ndarray], shuffle_seed: int | None = None
) -> tuple[ClusteringScore, dict[str, int]]:
    """Score one streaming run; `shuffle_seed` streams the headlines in a random order
    instead, to check the method does not lean on the file's story-by-story order."""
    order = list(headlines)
    if shuffle_seed is not None:
        random.Random(shuffle_seed).shuffle(order)
    predicted = cluster(order, embed)
    return b_cubed(predicted, {h.id: h.story for h in headlines}), predicted
