"""Online story clustering: each article joins the story it fits best, or starts one.

A story is held as the sum of its members' embeddings and the counts of its headline words.
An article is scored against the active stories (those with an article inside the time
window) by two signals that fail differently:

- the cosine between its embedding and the story's mean embedding (meaning, wording aside);
- a TF-IDF cosine between its terms and the story's term counts, with IDF taken over the
  articles of the window, so the distinctive names of an event ("Mt. Gox", "Titanfall") tie
  its coverage together while words every story uses count for little. The terms are the
  headline's words and the article's salient people, organisations and places, found in its
  whole text, so two headlines worded apart still meet on the names their articles share.

An article needs both a minimum embedding cosine (headlines that only share words, like
"Live updates", never join on words alone) and a combined score over the threshold. The score
fades with the time between the article and the story's nearest article, to half at the
window's edge (after the time-windowed similarity of Yang, Pierce and Carbonell, "A study of
retrospective and on-line event detection", SIGIR 1998): a story that has been quiet for two
days needs a closer article than one that had coverage an hour ago, instead of counting the
same until it drops out at once.
Consolidation then merges stories that turned out to be one, and splits a story that drifted
into two events; in both, the larger part keeps the story's id, so its links never break.

Only the window's stories are looked at, so the cost of one article does not grow with the
archive. `ActiveStories` holds them in memory; the evaluation fills it from a CSV, the
story service from the store.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np

# Where scores are cut depends on what the vectors embed: between vectors of headline and body
# (what enrichment stores, so what the product clusters) cosines run higher, also between
# unrelated articles of one kind (two car launches, two killings), than between headlines alone.
# Headline and body: chosen on the real articles of the Zyte set with our story labels
# (`newsloom eval article-stories`), the middle of the plateau of best F1.
JOIN_THRESHOLD = 0.50
MERGE_THRESHOLD = 0.60
# Headlines alone (the Google News evaluation, which has no text): chosen on half of its
# stories and checked on the other half and on shuffled arrival orders. Both in
# docs/benchmarks.md, "Stories".
HEADLINE_JOIN_THRESHOLD = 0.25
HEADLINE_MERGE_THRESHOLD = 0.40
LEXICAL_WEIGHT = 0.30
MIN_COSINE = 0.20
# A headline of format words only ("Live updates") makes unrelated articles' embeddings alike
# (half an article's vector is its headline): such an article joins on a close body or not at all.
GENERIC_HEADLINE_MIN_COSINE = 0.70
CANDIDATES = 20
# A split needs this many members with text in each part: fewer is an outlier, not an event.
MIN_SPLIT_PART = 4
# The parts of a split must score this far under the merge threshold with each other, or the
# next consolidation would merge them again.
SPLIT_MARGIN = 0.10
# What is left of a score when article and story lie a whole window apart. Half, not
# nothing: a close follow-up two days on still joins, as the window promises. Fading to
# nothing scored about the same on the evaluation (0.872; shuffled 0.869 against 0.867) but
# in effect shortened the window to about half for ordinary matches (docs/benchmarks.md).
FADED_AT_WINDOW_EDGE = 0.5
# Counts of the most frequent terms kept per story: enough for any event's names.
MAX_STORY_TERMS = 200
# `stream` consolidates after this many arrivals, as the service does on a schedule.
CONSOLIDATE_EVERY = 100


@dataclass(frozen=True)
class Member:
    """One article as the clusterer sees it; `vector` is unit length or None (no text).
    `terms` are its headline's words, `entities` its salient names (`entity_terms`)."""

    article_id: int
    vector: np.ndarray | None
    terms: frozenset[str]
    at: datetime
    entities: frozenset[str] = frozenset()

    @property
    def all_terms(self) -> frozenset[str]:
        return self.terms | self.entities


@dataclass
class StoryProfile:
    id: int
    vector_sum: np.ndarray
    terms: Counter[str]
    size: int
    first_at: datetime
    last_at: datetime
    # When the store wrote the story this profile was read from (None when built in memory):
    # a reader catching up reloads a story only when the store's copy is newer.
    written_at: datetime | None = None

    def centroid(self) -> np.ndarray:
        return self.vector_sum / max(float(np.linalg.norm(self.vector_sum)), 1e-12)

    def add(self, member: Member) -> None:
        if member.vector is not None:
            self.vector_sum = self.vector_sum + member.vector
        self.terms.update(member.all_terms)
        self.terms = trimmed(self.terms)
        self.size += 1
        self.first_at = min(self.first_at, member.at)
        self.last_at = max(self.last_at, member.at)

    @classmethod
    def of(cls, story_id: int, members: list[Member], dimensions: int) -> StoryProfile:
        """A story made of exactly these members."""
        profile = cls(story_id, np.zeros(dimensions, np.float32), Counter(), 0, members[0].at, members[0].at)
        for member in members:
            profile.add(member)
        return profile

    def absorb(self, other: StoryProfile) -> None:
        self.vector_sum = self.vector_sum + other.vector_sum
        self.terms = trimmed(self.terms + other.terms)
        self.size += other.size
        self.first_at = min(self.first_at, other.first_at)
        self.last_at = max(self.last_at, other.last_at)


@dataclass(frozen=True)
class Choice:
    """The best story for a member, or None with why not."""

    story_id: int | None
    score: float
    reason: str


@dataclass(frozen=True)
class Merge:
    keep_id: int
    gone_id: int
    score: float


@dataclass(frozen=True)
class Split:
    """A story's members in two parts: `keep` (the larger, and any without text) stays in the
    story, `leave` starts a new one; `score` is the parts' merge score with each other."""

    story_id: int
    keep: list[Member]
    leave: list[Member]
    score: float


def trimmed(terms: Counter[str]) -> Counter[str]:
    if len(terms) <= MAX_STORY_TERMS:
        return terms
    # Ties broken by the word, not by set order (which Python's hash seed changes per process),
    # so that every process keeps the same words.
    return Counter(dict(sorted(terms.items(), key=lambda item: (-item[1], item[0]))[:MAX_STORY_TERMS]))


class ActiveStories:
    """The stories of the time window, with the window's document frequencies of words.

    Centroids sit in one matrix (a row per story, rows reused), so finding the closest
    stories is one matrix product however many stories are active."""

    def __init__(self, dimensions: int) -> None:
        self.dimensions = dimensions
        self.stories: dict[int, StoryProfile] = {}
        self._document_frequency: Counter[str] = Counter()
        self._documents = 0
        self._rows: dict[int, int] = {}
        self._free: list[int] = []
        self._ids = np.full(64, -1, dtype=np.int64)
        self._centroids = np.zeros((64, dimensions), dtype=np.float32)
        self._last = np.zeros(64, dtype=np.float64)  # POSIX seconds
        self._first = np.zeros(64, dtype=np.float64)

    def put(self, profile: StoryProfile) -> None:
        self.discard(profile.id)
        self.stories[profile.id] = profile
        self._document_frequency.update(profile.terms)
        self._documents += profile.size
        row = self._free.pop() if self._free else self._grow()
        self._rows[profile.id] = row
        self._ids[row] = profile.id
        self._centroids[row] = profile.centroid()
        self._first[row], self._last[row] = profile.first_at.timestamp(), profile.last_at.timestamp()

    def discard(self, story_id: int) -> None:
        old = self.stories.pop(story_id, None)
        if old is not None:
            self._document_frequency.subtract(old.terms)
            self._documents -= old.size
            row = self._rows.pop(story_id)
            self._ids[row] = -1
            self._free.append(row)

    def _grow(self) -> int:
        used = len(self._rows) + len(self._free)
        if used == len(self._ids):
            self._ids = np.concatenate([self._ids, np.full(used, -1, dtype=np.int64)])
            self._centroids = np.concatenate([self._centroids, np.zeros_like(self._centroids)])
            self._last = np.concatenate([self._last, np.zeros_like(self._last)])
            self._first = np.concatenate([self._first, np.zeros_like(self._first)])
        return used

    def forget_before(self, moment: datetime) -> None:
        stale = np.nonzero((self._ids >= 0) & (self._last < moment.timestamp()))[0]
        for row in stale:
            self.discard(int(self._ids[row]))

    def idf(self, term: str) -> float:
        return math.log((self._documents + 1) / (max(self._document_frequency[term], 0) + 1)) + 1

    def lexical_similarity(self, terms: Iterable[str], counts: Counter[str]) -> float:
        """TF-IDF cosine between an article's (or a story's) terms and a story's term counts."""
        query = terms if isinstance(terms, Counter) else Counter(terms)
        if not query or not counts:
            return 0.0
        weights = {term: self.idf(term) ** 2 for term in query}
        # fsum: a correctly rounded sum whatever the order of the words, which follows the
        # process's hash seed; a plain sum differs in the last bits between processes and can
        # tip a score that sits on a threshold.
        dot = math.fsum(query[t] * counts.get(t, 0) * w for t, w in weights.items())
        if dot == 0:
            return 0.0
        query_norm = math.sqrt(math.fsum((query[t] ** 2) * w for t, w in weights.items()))
        story_norm = math.sqrt(math.fsum((c * self.idf(t)) ** 2 for t, c in counts.items()))
        return dot / (query_norm * story_norm)

    def nearest(self, vector: np.ndarray, since: datetime, until: datetime, count: int) -> list[tuple[StoryProfile, float]]:
        """The `count` stories of the window whose centroids are closest to `vector`."""
        used = len(self._rows) + len(self._free)
        if not self._rows:
            return []
        cosines = self._centroids[:used] @ vector
        eligible = (self._ids[:used] >= 0) & (self._last[:used] >= since.timestamp()) & (self._first[:used] <= until.timestamp())
        cosines = np.where(eligible, cosines, -np.inf)
        best = np.argpartition(-cosines, min(count, used - 1))[:count] if used > count else np.arange(used)
        best = best[np.argsort(-cosines[best])]
        return [(self.stories[int(self._ids[row])], float(cosines[row])) for row in best if np.isfinite(cosines[row])]


@dataclass(frozen=True)
class StoryClusterer:
    window: timedelta = timedelta(hours=72)
    join_threshold: float = JOIN_THRESHOLD
    merge_threshold: float = MERGE_THRESHOLD
    lexical_weight: float = LEXICAL_WEIGHT
    min_cosine: float = MIN_COSINE

    @classmethod
    def for_headlines(cls, window: timedelta = timedelta(hours=72)) -> StoryClusterer:
        """Calibrated for vectors of a headline alone, not of headline and body."""
        return cls(window=window, join_threshold=HEADLINE_JOIN_THRESHOLD, merge_threshold=HEADLINE_MERGE_THRESHOLD)

    def choose(self, member: Member, active: ActiveStories) -> Choice:
        if member.vector is None:
            return Choice(None, 0.0, "the article has no embedding (no text to compare)")
        best_id, best_score = None, -1.0
        # The headline decides, not the names: a "Live updates" page names whatever it covers.
        floor = self.min_cosine if member.terms else max(self.min_cosine, GENERIC_HEADLINE_MIN_COSINE)
        terms = Counter(member.all_terms)
        for story, cosine in active.nearest(member.vector, member.at - self.window, member.at + self.window, CANDIDATES):
            if cosine < floor:
                continue
            score = self._score(cosine, terms, story.terms, active) * self._freshness(member.at, member.at, story)
            if score > best_score:
                best_id, best_score = story.id, score
        if best_id is None:
            return Choice(None, 0.0, "no active story within the time window is close")
        if best_score < self.join_threshold:
            return Choice(None, best_score, f"closest story {best_id} scores {best_score:.2f} < {self.join_threshold}")
        return Choice(best_id, best_score, "joined")

    def merges(self, active: ActiveStories, touched: Iterable[int] | None = None) -> list[Merge]:
        """Pairs of stories that are one, smallest stories first; applied to `active` as found,
        so a chain of merges ends in the story that keeps its id."""
        found: list[Merge] = []
        ids = sorted(touched if touched is not None else active.stories, key=lambda i: active.stories[i].size if i in active.stories else 0)
        for story_id in ids:
            story = active.stories.get(story_id)
            if story is None or not story.vector_sum.any():
                continue
            partner, score = self._closest_other(story, active)
            if partner is None or score < self.merge_threshold:
                continue
            keep, gone = (partner, story) if (partner.size, -partner.id) >= (story.size, -story.id) else (story, partner)
            active.discard(gone.id)
            active.discard(keep.id)
            keep.absorb(gone)
            active.put(keep)
            found.append(Merge(keep.id, gone.id, score))
        return found

    def split(self, story: StoryProfile, members: list[Member], active: ActiveStories) -> Split | None:
        """Two parts of a drifting story, or None when it is one event: its members are divided
        by two-means on their embeddings, and the parts must be too far apart for consolidation
        to merge them (by `SPLIT_MARGIN`) and each hold `MIN_SPLIT_PART` members."""
        placed = [member for member in members if member.vector is not None]
        if len(placed) < 2 * MIN_SPLIT_PART:
            return None
        labels = _two_means(np.stack([member.vector for member in placed]))  # type: ignore[misc]
        sides = ([m for m, label in zip(placed, labels, strict=True) if label == side] for side in (0, 1))
        parts = sorted(sides, key=len, reverse=True)
        if len(parts[1]) < MIN_SPLIT_PART:
            return None
        keep, leave = (StoryProfile.of(story.id, part, active.dimensions) for part in parts)
        cosine = float(keep.centroid() @ leave.centroid())
        score = self._score(cosine, keep.terms, leave.terms, active) if cosine >= self.min_cosine else cosine
        if score >= self.merge_threshold - SPLIT_MARGIN:
            return None
        return Split(story.id, parts[0] + [m for m in members if m.vector is None], parts[1], score)

    def _score(self, cosine: float, terms: Counter[str], other_terms: Counter[str], active: ActiveStories) -> float:
        return (1 - self.lexical_weight) * cosine + self.lexical_weight * active.lexical_similarity(terms, other_terms)

    def _closest_other(self, story: StoryProfile, active: ActiveStories) -> tuple[StoryProfile | None, float]:
        best, best_score = None, -1.0
        window = (story.first_at - self.window, story.last_at + self.window)
        for other, cosine in active.nearest(story.centroid(), window[0], window[1], CANDIDATES + 1):
            if other.id == story.id or cosine < self.min_cosine:
                continue
            score = self._score(cosine, story.terms, other.terms, active) * self._freshness(story.first_at, story.last_at, other)
            if score > best_score:
                best, best_score = other, score
        return best, best_score

    def _freshness(self, first_at: datetime, last_at: datetime, story: StoryProfile) -> float:
        """1 when the span from `first_at` to `last_at` overlaps the story's, falling linearly
        to `FADED_AT_WINDOW_EDGE` when they lie a whole window apart."""
        gap = max(story.first_at - last_at, first_at - story.last_at, timedelta(0))
        return 1.0 - (1.0 - FADED_AT_WINDOW_EDGE) * min(gap / self.window, 1.0)


def _two_means(vectors: np.ndarray, rounds: int = 20) -> np.ndarray:
    """0 or 1 per row: spherical two-means, seeded by the row least like the whole and the
    row least like that one (deterministic, so every worker splits a story the same way)."""
    first = int(np.argmin(vectors @ vectors.sum(axis=0)))
    second = int(np.argmin(vectors @ vectors[first]))
    centres = vectors[[first, second]]
    labels = np.zeros(len(vectors), dtype=np.int64)
    for round_number in range(rounds):
        updated = np.argmax(vectors @ centres.T, axis=1)
        if round_number and np.array_equal(updated, labels):
            break
        labels = updated
        for side in (0, 1):
            total = vectors[labels == side].sum(axis=0)
            centres[side] = total / max(float(np.linalg.norm(total)), 1e-12)
    return labels


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
