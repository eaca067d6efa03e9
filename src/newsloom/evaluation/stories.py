"""Story clustering quality: B-cubed precision, recall and F1 against Google News' stories.

The headlines stream, one by one in timestamp order, through the same `StoryClusterer` and
`ActiveStories` the story service uses, with consolidation every `CONSOLIDATE_EVERY`
arrivals (the service consolidates on a schedule). Only the title is used, as the file has
no article text. B-cubed (Bagga and Baldwin, 1998) scores every item by how much of its
predicted cluster shares its true story (precision) and how much of its true story is in
its predicted cluster (recall); both are averaged over items, so big stories weigh more.
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

from newsloom.stories.clustering import ActiveStories, Member, StoryClusterer, StoryProfile
from newsloom.stories.terms import headline_terms

CONSOLIDATE_EVERY = 100


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


def stream(members: list[Member], clusterer: StoryClusterer, dimensions: int) -> dict[int, int]:
    """Each member's story id by its `article_id`, the members arriving in the given order and
    consolidated every `CONSOLIDATE_EVERY` arrivals. A story is named by its first member's id."""
    active = ActiveStories(dimensions)
    story_of: dict[int, int] = {}
    grouped: dict[int, list[Member]] = {}
    touched: set[int] = set()
    next_id = max((m.article_id for m in members), default=0) + 1  # ids for stories a split starts
    for position, member in enumerate(members, start=1):
        choice = clusterer.choose(member, active)
        if choice.story_id is None:
            story = StoryProfile(member.article_id, np.zeros(dimensions, np.float32), Counter(), 0, member.at, member.at)
        else:
            story = active.stories[choice.story_id]
        active.discard(story.id)
        story.add(member)
        active.put(story)
        story_of[member.article_id] = story.id
        grouped.setdefault(story.id, []).append(member)
        touched.add(story.id)
        if position % CONSOLIDATE_EVERY == 0 or position == len(members):
            for merge in clusterer.merges(active, touched & active.stories.keys()):
                moved = grouped.pop(merge.gone_id)
                for each in moved:
                    story_of[each.article_id] = merge.keep_id
                grouped[merge.keep_id].extend(moved)
                touched.add(merge.keep_id)
            for story_id in sorted(touched & active.stories.keys()):
                split = clusterer.split(active.stories[story_id], grouped[story_id], active)
                if split is None:
                    continue
                active.discard(story_id)
                active.put(StoryProfile.of(story_id, split.keep, dimensions))
                active.put(StoryProfile.of(next_id, split.leave, dimensions))
                grouped[story_id], grouped[next_id] = split.keep, split.leave
                for each in split.leave:
                    story_of[each.article_id] = next_id
                next_id += 1
            touched = set()
    return story_of


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
