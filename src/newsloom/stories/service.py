"""Stage 7: each enriched article joins its story; consolidation merges stories that are one
and splits one that drifted into two events.

The process keeps the window's stories in memory (`ActiveStories`) and catches up with what
other workers wrote before each decision, from the stories' `updated_at`. The decision is
made in memory; the write locks the chosen story's row and adds the article to what the
store holds, so two workers adding to one story never lose a member.
"""

from __future__ import annotations

import functools
import logging
import threading
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import numpy as np

from newsloom.enrich.embeddings import DIMENSIONS
from newsloom.store import ArticleRepository, Database, EnrichmentRepository, StoryRepository
from newsloom.store.records import Article, StoryMember, StoryState
from newsloom.store.vectors import VectorRepository, choose_backend
from newsloom.stories.clustering import MIN_SPLIT_PART, ActiveStories, Member, StoryClusterer, StoryProfile, stream
from newsloom.stories.neutral_headline import headline_rank
from newsloom.stories.terms import entity_terms, headline_terms, headline_words

log = logging.getLogger(__name__)

# Re-read a little before the last catch-up: a transaction that committed late may carry an
# earlier `updated_at`. Reading a story twice is harmless.
CATCH_UP_OVERLAP = timedelta(seconds=30)
# Extra pgvector hits asked for, in place of stories this process has just merged away.
NEAREST_SLACK = 5
# Larger stories are not checked for a split: reading every member's embedding each time one
# joins would cost more than a rare split of a giant story is worth.
MAX_SPLIT_MEMBERS = 2000


@dataclass(frozen=True)
class StoryAssignment:
    """`status`: joined, started, unchanged or missing; `reason` says how it was decided."""

    article_id: int
    status: str
    story_id: int | None
    reason: str


@dataclass(frozen=True)
class Consolidation:
    merged: int
    split: int


@dataclass(frozen=True)
class Rebuild:
    """`kept`: stories formed again under their old id; `started`: new ids; `redirected`: old
    ids that now lead to the story holding most of their articles; `moved`: articles that
    changed story; `formed_again`: workers placed articles meanwhile, so the stories were
    formed a second time while they waited."""

    articles: int
    stories_before: int
    stories_after: int
    kept: int
    started: int
    redirected: int
    moved: int
    formed_again: bool = False


@dataclass(frozen=True)
class _RebuildPlan:
    """Stories formed again from the placed articles (`old_story`: each one's story when read):
    each part's articles, and the old id each part keeps (None: a new story)."""

    old_story: dict[int, int]
    members: dict[int, Member]
    parts: dict[int, list[StoryMember]]
    targets: dict[int, int | None]


class PgvectorStories(ActiveStories):
    """The window's stories as `ActiveStories` holds them (profiles and word statistics, for
    the lexical half of the score), with the closest centroids found by PostgreSQL's HNSW
    index over `story_vectors`, which every worker shares."""

    def __init__(self, database: Database) -> None:
        super().__init__(DIMENSIONS)
        self.database = database

    def nearest(self, vector: np.ndarray, since: datetime, until: datetime, count: int) -> list[tuple[StoryProfile, float]]:
        with self.database.read() as session:
            hits = VectorRepository(session).nearest_stories(vector, since, until, count + NEAREST_SLACK)
        # Only stories known here as live: the database may still list one that this process's
        # consolidation has just absorbed into another.
        return [(self.stories[story_id], cosine) for story_id, cosine in hits if story_id in self.stories][:count]


class StoryService:
    def __init__(self, database: Database, window_hours: float = 72.0, vector_backend: str = "auto") -> None:
        self.database = database
        self.clusterer = StoryClusterer(window=timedelta(hours=window_hours))
        self._vector_backend = vector_backend
        self._caught_up_at: datetime | None = None
        self._touched: set[int] = set()
        self._lock = threading.Lock()  # ActiveStories is not thread-safe; a decision is ~1 ms

    def assign(self, article_id: int) -> StoryAssignment:
        """Idempotent: an article already in a story stays where it is."""
        with self.database.read() as session:
            article = ArticleRepository(session).get(article_id)
            if article is None:
                return StoryAssignment(article_id, "missing", None, f"article {article_id} does not exist")
            if article.story_id is not None:
                return StoryAssignment(article_id, "unchanged", article.story_id, "already in a story")
            enrichment = EnrichmentRepository(session)
            vector, entities = enrichment.embedding(article_id), tuple(enrichment.entities(article_id))
            primary = ArticleRepository(session).get(article.duplicate_of) if article.duplicate_of else None
        member = member_of(StoryMember(article.id, article.title, article.sort_at, article.duplicate_of, vector, entities))
        with self._lock:
            self._catch_up()
            if primary is not None and primary.story_id is not None:
                story_id, reason = primary.story_id, f"a near copy of article {primary.id}"
            else:
                choice = self.clusterer.choose(member, self._stories_around(member.at))
                story_id, reason = choice.story_id, choice.reason
            return self._write(article, member, story_id, reason)

    def _stories_around(self, moment: datetime) -> ActiveStories:
        """The window's stories in memory; an older article (a backlog, an archive import)
        is compared with the stories of its own time, read for it."""
        window = self.clusterer.window
        if moment >= datetime.now(UTC) - window:
            return self.active
        around = self._empty_window()
        with self.database.read() as session:
            for state in StoryRepository(session).within(moment - window, moment + window):
                around.put(_profile(state))
        return around

    # Decided on first use, not at construction: a worker may start before its database does.
    @functools.cached_property
    def uses_pgvector(self) -> bool:
        return choose_backend(self.database.engine, self._vector_backend) == "pgvector"

    @functools.cached_property
    def active(self) -> ActiveStories:
        return self._empty_window()

    def _empty_window(self) -> ActiveStories:
        return PgvectorStories(self.database) if self.uses_pgvector else ActiveStories(DIMENSIONS)

    def consolidate(self) -> Consolidation:
        """Merges the stories changed since the last run into others they turned out to be,
        then splits those of them that drifted into two events; says how many of each."""
        with self._lock:
            self._catch_up()
            touched, self._touched = self._touched & self.active.stories.keys(), set()
            merges = self.clusterer.merges(self.active, touched)
            for merge in merges:
                with self.database.write() as session:
                    stories = StoryRepository(session)
                    keep, gone = stories.lock(merge.keep_id), stories.lock(merge.gone_id)
                    if keep is None or gone is None or keep.merged_into_id or gone.merged_into_id:
                        continue  # another worker merged one of them meanwhile; its catch-up will show it
                    profile = _profile(keep)
                    profile.absorb(_profile(gone))
                    moved = stories.merge(keep.id, gone.id)
                    headline = _better_headline(session, profile, [keep.headline_article_id, gone.headline_article_id])
                    saved = stories.save(keep.id, *_columns(profile), headline)
                self.active.put(_profile(saved))
                touched.add(saved.id)
                log.info("story %s merged into %s (%d articles moved, score %.2f)", gone.id, keep.id, moved, merge.score)
            splits = sum(self._split(story_id) for story_id in sorted(touched & self.active.stories.keys()))
            return Consolidation(merged=len(merges), split=splits)

    def rebuild(self) -> Rebuild:
        """Forms every story again from its articles, oldest first, as the clustering of today
        would have formed them as they arrived: after a change to its thresholds or window.

        Links never break. Each story formed keeps the id of the old story it holds most of
        (the largest story chooses first); an old id that no story keeps redirects to the
        story holding most of its articles, as a merged story does. Near copies follow their
        original.

        Workers may go on placing articles. The stories are formed from what was placed when
        the rebuild began, then written in one transaction that first holds every story still
        (`hold_all`); if an article was placed or moved in between, they are formed again
        inside it, from what is placed then, while the workers wait (`formed_again`)."""
        with self._lock:
            with self.database.read() as session:
                plan = self._plan(StoryRepository(session).placed_outlines())
            with self.database.write() as session:
                stories = StoryRepository(session)
                stories.hold_all()
                formed_again = stories.placements() != plan.old_story
                if formed_again:
                    plan = self._plan(stories.placed_outlines())
                moved = self._write_rebuild(stories, plan)
            self.__dict__.pop("active", None)  # the window is read again from the store
            self._caught_up_at, self._touched = None, set()
        before = len(set(plan.old_story.values()))
        kept = sum(target is not None for target in plan.targets.values())
        parts = len(plan.parts)
        return Rebuild(len(plan.old_story), before, parts, kept, parts - kept, before - kept, moved, formed_again)

    def _plan(self, placed: list[tuple[int, StoryMember]]) -> _RebuildPlan:
        old_story = {outline.article_id: story_id for story_id, outline in placed}
        members = {outline.article_id: member_of(outline) for _, outline in placed}
        originals = [outline for _, outline in placed if outline.duplicate_of not in old_story]
        formed = stream([members[outline.article_id] for outline in originals], self.clusterer, DIMENSIONS)
        parts: dict[int, list[StoryMember]] = {}
        for _, outline in placed:
            original = outline.duplicate_of if outline.duplicate_of in old_story else outline.article_id
            parts.setdefault(formed[original], []).append(outline)
        # The largest part chooses first, then the oldest: the old id it holds most articles of.
        targets: dict[int, int | None] = {}
        taken: set[int | None] = set()
        for part, outlines in sorted(parts.items(), key=lambda item: (-len(item[1]), item[1][0].sort_at, item[0])):
            held = Counter(old_story[outline.article_id] for outline in outlines).most_common()
            targets[part] = next((story_id for story_id, _ in held if story_id not in taken), None)
            taken.add(targets[part])
        return _RebuildPlan(old_story, members, parts, targets)

    @staticmethod
    def _write_rebuild(stories: StoryRepository, plan: _RebuildPlan) -> int:
        """Every part's articles into its story, each story's columns from its new members,
        and each old id that no part kept redirected. Returns articles moved."""
        moved, flows = 0, Counter[tuple[int, int]]()  # (old story, new story): articles
        for part, outlines in plan.parts.items():
            part_members = [plan.members[outline.article_id] for outline in outlines]
            profile = StoryProfile.of(0, part_members, DIMENSIONS)
            primaries = [member for member, o in zip(part_members, outlines, strict=True) if o.duplicate_of not in plan.old_story]
            headline = _central(primaries, {outline.article_id: outline.title for outline in outlines})
            target = plan.targets[part]
            if target is None:
                target = stories.create(*_columns(profile), headline_article_id=headline).id
            else:
                stories.save(target, *_columns(profile), headline)
            leaving: dict[int, list[int]] = {}
            for outline in outlines:
                source = plan.old_story[outline.article_id]
                flows[source, target] += 1
                if source != target:
                    leaving.setdefault(source, []).append(outline.article_id)
            moved += sum(stories.move(article_ids, source, target) for source, article_ids in leaving.items())
        kept = {target for _, target in flows}
        for (old_id, target), _ in flows.most_common():  # each old id not kept: to where most of its articles went
            if old_id not in kept:
                stories.merge(target, old_id)
                kept.add(old_id)
        stories.touch(list(kept))
        return moved

    def _split(self, story_id: int) -> bool:
        """Splits the story if it drifted; the larger part keeps its id, so links hold."""
        if not 2 * MIN_SPLIT_PART <= self.active.stories[story_id].size <= MAX_SPLIT_MEMBERS:
            return False
        with self.database.read() as session:
            outlines = StoryRepository(session).member_outlines(story_id, MAX_SPLIT_MEMBERS + 1)
        members = [member_of(outline) for outline in outlines]
        primaries = [member for member, outline in zip(members, outlines, strict=True) if outline.duplicate_of is None]
        split = self.clusterer.split(self.active.stories[story_id], primaries, self.active)
        if split is None:
            return False
        leaving = {member.article_id for member in split.leave}
        leaving |= {outline.article_id for outline in outlines if outline.duplicate_of in leaving}  # copies follow their original
        keep = [member for member in members if member.article_id not in leaving]
        leave = [member for member in members if member.article_id in leaving]
        with self.database.write() as session:
            stories = StoryRepository(session)
            state = stories.lock(story_id)
            if state is None or state.merged_into_id is not None or state.article_count != len(outlines):
                return False  # it changed since it was read: the next consolidation looks again
            kept = StoryProfile.of(story_id, keep, DIMENSIONS)
            titles = {outline.article_id: outline.title for outline in outlines}
            started = stories.create(*_columns(StoryProfile.of(0, leave, DIMENSIONS)), headline_article_id=_central(split.leave, titles))
            stories.move(sorted(leaving), story_id, started.id)
            saved = stories.save(story_id, *_columns(kept), _central(split.keep, titles))
        self.active.put(_profile(saved))
        self.active.put(_profile(started))
        log.info("story %s split: %d articles left for story %s (parts score %.2f)",
                 story_id, len(leaving), started.id, split.score)  # fmt: skip
        return True

    def _write(self, article: Article, member: Member, story_id: int | None, reason: str) -> StoryAssignment:
        with self.database.write() as session:
            stories = StoryRepository(session)
            already = stories.claim(article.id)  # locked before any story row: the order a merge never reverses
            if already is not None:  # another worker placed it meanwhile
                return StoryAssignment(article.id, "unchanged", already, "already in a story")
            state = self._lockable(stories, story_id)
            if state is None:
                profile = StoryProfile(0, np.zeros(DIMENSIONS, np.float32), Counter(), 0, member.at, member.at)
                profile.add(member)
                saved = stories.create(*_columns(profile), headline_article_id=article.id if article.duplicate_of is None else None)
                status = "started"
            else:
                profile = _profile(state)
                profile.add(member)
                headline = self._headline(session, state.headline_article_id, article, member, profile)
                saved = stories.save(state.id, *_columns(profile), headline)
                status = "joined"
            stories.join(article.id, saved.id)
        self.active.put(_profile(saved))
        self._touched.add(saved.id)
        log.info("article %s %s story %s (%s)", article.id, status, saved.id, reason)
        return StoryAssignment(article.id, status, saved.id, reason)

    @staticmethod
    def _lockable(stories: StoryRepository, story_id: int | None) -> StoryState | None:
        """The story to join, following merges; None to start a new one."""
        for _ in range(10):  # merge chains are flattened on merge; this only guards a race
            if story_id is None:
                return None
            state = stories.lock(story_id)
            if state is None or state.merged_into_id is None:
                return state
            story_id = state.merged_into_id
        return None

    @staticmethod
    def _headline(session, current_id: int | None, article: Article, member: Member, profile: StoryProfile) -> int | None:  # type: ignore[no-untyped-def]
        """The story's headline once `article` has joined: it or the one shown so far, whichever
        `headline_rank` puts first (the one shown so far on a tie)."""
        if article.duplicate_of is not None or member.vector is None:
            return current_id
        if current_id is None:
            return article.id
        words, centroid = headline_words(profile.terms), profile.centroid()
        current = _headline_rank(session, current_id, words, centroid)
        joining = headline_rank(article.title, member.terms, member.vector, words, centroid)
        return article.id if current is None or joining > current else current_id

    def _catch_up(self) -> None:
        now = datetime.now(UTC)
        horizon = now - self.clusterer.window
        self.active.forget_before(horizon)  # one vectorised pass
        with self.database.read() as session:
            stories = StoryRepository(session)
            if self._caught_up_at is None:
                changed = stories.within(horizon)
            else:
                stale = []
                for story_id, written_at, last_at, merged_into in stories.changed_since(self._caught_up_at - CATCH_UP_OVERLAP):
                    known = self.active.stories.get(story_id)
                    if merged_into is not None or last_at < horizon:
                        self.active.discard(story_id)
                    elif known is None or known.written_at != written_at:
                        stale.append(story_id)
                changed = stories.states(stale)
        for state in changed:
            if state.merged_into_id is None and state.last_at >= horizon:
                self.active.put(_profile(state))
                self._touched.add(state.id)
        self._caught_up_at = now


def member_of(outline: StoryMember) -> Member:
    terms, entities = headline_terms(outline.title), entity_terms(outline.entities, outline.title)
    return Member(outline.article_id, _vector(outline.vector), terms, outline.sort_at, entities)


def _central(members: list[Member], titles: dict[int, str]) -> int | None:
    """A part's headline: its members' headlines ranked by `headline_rank` against the part."""
    placed = [member for member in members if member.vector is not None]
    if not placed:
        return None
    part = StoryProfile.of(0, placed, DIMENSIONS)
    words, centroid = headline_words(part.terms), part.centroid()
    ranks = [headline_rank(titles.get(m.article_id, ""), m.terms, m.vector, words, centroid) for m in placed]
    return placed[max(range(len(placed)), key=ranks.__getitem__)].article_id


def _better_headline(session, profile: StoryProfile, candidates: list[int | None]) -> int | None:  # type: ignore[no-untyped-def]
    """Of two merged stories' headlines, the one `headline_rank` puts first in the merged story."""
    words, centroid = headline_words(profile.terms), profile.centroid()
    best, best_rank = None, None
    for article_id in candidates:
        rank = _headline_rank(session, article_id, words, centroid) if article_id is not None else None
        if rank is not None and (best_rank is None or rank > best_rank):
            best, best_rank = article_id, rank
    return best


def _headline_rank(session, article_id: int, words: Counter[str], centroid: np.ndarray) -> tuple[int, float] | None:  # type: ignore[no-untyped-def]
    outline = ArticleRepository(session).outlines([article_id]).get(article_id)  # the title, not the whole page
    if outline is None:
        return None
    vector = _vector(EnrichmentRepository(session).embedding(article_id))
    return headline_rank(outline.title, headline_terms(outline.title), vector, words, centroid)


def _vector(raw: bytes | None) -> np.ndarray | None:
    return np.frombuffer(raw, dtype="<f4").astype(np.float32) if raw else None


def _profile(state: StoryState) -> StoryProfile:
    return StoryProfile(
        state.id, np.frombuffer(state.vector_sum, dtype="<f4").astype(np.float32), Counter(state.terms),
        state.article_count, state.first_at, state.last_at, state.updated_at,
    )  # fmt: skip


def _columns(profile: StoryProfile) -> tuple[bytes, dict[str, int], int, datetime, datetime]:
    # `StoryProfile.add` and `absorb` keep the word counts trimmed already.
    return profile.vector_sum.astype("<f4").tobytes(), dict(profile.terms), profile.size, profile.first_at, profile.last_at
