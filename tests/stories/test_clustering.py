"""The story clusterer: splitting a drifting story (on real headlines and the real embedding
model), names beside headline words, and scores fading across the time window."""

from collections import Counter
from datetime import timedelta

import numpy as np
import pytest

from newsloom.enrich.embeddings import DIMENSIONS, MiniLmEmbedder
from newsloom.stories.clustering import FADED_AT_WINDOW_EDGE, MIN_SPLIT_PART, ActiveStories, Member, StoryClusterer, StoryProfile
from newsloom.stories.terms import headline_terms
from tests.support.stories import find_story, headlines_by_story


@pytest.fixture(scope="module")
def embed():
    return MiniLmEmbedder(threads=2).embed


def members_of(headlines, embed, first_id=1):
    vectors = embed([h.title for h in headlines])
    pairs = enumerate(zip(headlines, vectors, strict=True))
    return [Member(first_id + n, vector, headline_terms(h.title), h.at) for n, (h, vector) in pairs]


def story_of(members):
    active = ActiveStories(DIMENSIONS)
    story = StoryProfile.of(1, members, DIMENSIONS)
    active.put(story)
    return story, active


def test_a_story_that_drifted_into_two_events_splits_along_them(embed):
    sbarro, titanfall = members_of(find_story("Sbarro")[:7], embed), members_of(find_story("Titanfall")[:5], embed, first_id=100)
    no_text = Member(200, None, frozenset({"live", "updates"}), sbarro[0].at)
    story, active = story_of(sbarro + titanfall + [no_text])
    split = StoryClusterer.for_headlines().split(story, sbarro + titanfall + [no_text], active)
    assert split is not None and split.story_id == 1
    # The larger part stays, and with it the member without text.
    assert {m.article_id for m in split.keep} == {m.article_id for m in sbarro} | {200}
    assert {m.article_id for m in split.leave} == {m.article_id for m in titanfall}
    assert split.score < StoryClusterer.for_headlines().merge_threshold  # consolidation will not merge them back


def test_one_event_told_many_ways_stays_one_story(embed):
    for headlines in sorted(headlines_by_story().values(), key=len, reverse=True)[:3]:  # the biggest stories, 40 headlines each
        members = members_of(headlines[:40], embed)
        story, active = story_of(members)
        assert StoryClusterer.for_headlines().split(story, members, active) is None, headlines[0].title


def test_too_few_members_for_two_events_are_never_split(embed):
    members = members_of(find_story("Sbarro")[: MIN_SPLIT_PART - 1] + find_story("Titanfall")[: MIN_SPLIT_PART + 3], embed)
    story, active = story_of(members)
    assert StoryClusterer.for_headlines().split(story, members, active) is None


def test_a_profile_made_of_members_sums_them():
    at = find_story("Sbarro")[0].at
    vectors = np.eye(DIMENSIONS, dtype=np.float32)[:2]
    members = [Member(1, vectors[0], frozenset({"a"}), at), Member(2, vectors[1], frozenset({"a", "b"}), at)]
    profile = StoryProfile.of(7, members, DIMENSIONS)
    assert profile.size == 2 and profile.terms == Counter({"a": 2, "b": 1}) and np.allclose(profile.vector_sum[:2], 1)


def _at_cosine(cosine: float) -> np.ndarray:
    """A unit vector at `cosine` to the first axis."""
    vector = np.zeros(DIMENSIONS, dtype=np.float32)
    vector[0], vector[1] = cosine, np.sqrt(1 - cosine**2)
    return vector


def _window_with_sbarro_story():
    at = find_story("Sbarro")[0].at
    active = ActiveStories(DIMENSIONS)
    names = frozenset({"organization:sbarro", "person:j. david karam"})
    story = [Member(n, _at_cosine(1.0), frozenset({"sbarro", "bankruptcy"}), at, names) for n in range(3)]
    active.put(StoryProfile.of(1, story, DIMENSIONS))
    # Another story in the window, so that words have an IDF that tells stories apart.
    elsewhere = np.eye(DIMENSIONS, dtype=np.float32)[2]  # unlike the Sbarro story and the newcomers
    other = [Member(10 + n, elsewhere, frozenset({"titanfall", "review"}), at, frozenset({"organization:xbox"})) for n in range(3)]
    active.put(StoryProfile.of(2, other, DIMENSIONS))
    return active, at


def test_an_article_worded_apart_joins_the_story_whose_names_it_shares():
    active, at = _window_with_sbarro_story()
    clusterer = StoryClusterer.for_headlines()
    # Meaning close enough to be a candidate, but no headline word in common: alone, not enough.
    headline = frozenset({"pizza", "chain", "seeks", "court", "protection"})
    alone = clusterer.choose(Member(20, _at_cosine(0.3), headline, at), active)
    assert alone.story_id is None and "scores" in alone.reason
    other_names = clusterer.choose(Member(21, _at_cosine(0.3), headline, at, frozenset({"person:pat smith"})), active)
    assert other_names.story_id is None
    names = frozenset({"organization:sbarro", "person:j. david karam"})
    same_names = clusterer.choose(Member(22, _at_cosine(0.3), headline, at, names), active)
    assert same_names.story_id == 1 and same_names.score > alone.score


def test_names_never_carry_a_generic_headline_into_a_story():
    active, at = _window_with_sbarro_story()
    names = frozenset({"organization:sbarro", "person:j. david karam"})
    choice = StoryClusterer.for_headlines().choose(Member(30, _at_cosine(0.5), headline_terms("Live updates"), at, names), active)
    assert choice.story_id is None  # a format headline needs a close body, whatever it names


def test_a_story_counts_its_members_names_beside_their_words():
    at = find_story("Sbarro")[0].at
    members = [Member(1, _at_cosine(1.0), frozenset({"sbarro"}), at, frozenset({"organization:sbarro"})),
               Member(2, _at_cosine(1.0), frozenset({"pizza"}), at, frozenset({"organization:sbarro", "place:new york"}))]  # fmt: skip
    profile = StoryProfile.of(1, members, DIMENSIONS)
    assert profile.terms == Counter({"organization:sbarro": 2, "sbarro": 1, "pizza": 1, "place:new york": 1})


def test_a_story_quiet_for_most_of_the_window_needs_a_closer_article():
    active, at = _window_with_sbarro_story()
    clusterer = StoryClusterer.for_headlines()
    names = frozenset({"organization:sbarro", "person:j. david karam"})
    headline = frozenset({"pizza", "chain", "seeks", "court", "protection"})

    def arriving(after: timedelta, cosine: float = 0.3):
        return clusterer.choose(Member(40, _at_cosine(cosine), headline, at + after, names), active)

    hour = timedelta(hours=1)
    fresh, quiet = arriving(hour), arriving(clusterer.window * 0.9)
    assert fresh.story_id == 1

    def faded(gap: timedelta) -> float:
        return 1 - (1 - FADED_AT_WINDOW_EDGE) * (gap / clusterer.window)

    assert quiet.story_id is None and quiet.score == pytest.approx(fresh.score * faded(clusterer.window * 0.9) / faded(hour))
    # A closer article still joins late: the window's edge halves a score, it does not end it.
    assert arriving(clusterer.window * 0.9, cosine=0.9).story_id == 1
    # An article dated before the story began is as far from it as one after it ended.
    assert arriving(-clusterer.window * 0.9).score == pytest.approx(quiet.score)


def test_two_stories_alike_enough_to_merge_do_not_when_a_window_apart():
    at = find_story("Sbarro")[0].at
    clusterer = StoryClusterer.for_headlines()

    def stories(apart: timedelta) -> ActiveStories:
        # Embedding cosine 0.75 and no word in common: score 0.525, over the merge threshold.
        active = ActiveStories(DIMENSIONS)
        first = [Member(10 + n, _at_cosine(1.0), frozenset({"sbarro", "bankruptcy"}), at) for n in range(3)]
        second = [Member(20 + n, _at_cosine(0.75), frozenset({"pizza", "chain"}), at + apart) for n in range(2)]
        active.put(StoryProfile.of(1, first, DIMENSIONS))
        active.put(StoryProfile.of(2, second, DIMENSIONS))
        return active

    assert [(m.keep_id, m.gone_id) for m in clusterer.merges(stories(timedelta(hours=1)))] == [(1, 2)]
    assert clusterer.merges(stories(clusterer.window * 0.99)) == []
