"""Splitting a drifting story, on real headlines and the real embedding model."""

from collections import Counter

import numpy as np
import pytest

from newsloom.enrich.embeddings import DIMENSIONS, MiniLmEmbedder
from newsloom.stories.clustering import MIN_SPLIT_PART, ActiveStories, Member, StoryClusterer, StoryProfile
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
    split = StoryClusterer().split(story, sbarro + titanfall + [no_text], active)
    assert split is not None and split.story_id == 1
    # The larger part stays, and with it the member without text.
    assert {m.article_id for m in split.keep} == {m.article_id for m in sbarro} | {200}
    assert {m.article_id for m in split.leave} == {m.article_id for m in titanfall}
    assert split.score < StoryClusterer().merge_threshold  # consolidation will not merge them back


def test_one_event_told_many_ways_stays_one_story(embed):
    for headlines in sorted(headlines_by_story().values(), key=len, reverse=True)[:3]:  # the biggest stories, 40 headlines each
        members = members_of(headlines[:40], embed)
        story, active = story_of(members)
        assert StoryClusterer().split(story, members, active) is None, headlines[0].title


def test_too_few_members_for_two_events_are_never_split(embed):
    members = members_of(find_story("Sbarro")[: MIN_SPLIT_PART - 1] + find_story("Titanfall")[: MIN_SPLIT_PART + 3], embed)
    story, active = story_of(members)
    assert StoryClusterer().split(story, members, active) is None


def test_a_profile_made_of_members_sums_them():
    at = find_story("Sbarro")[0].at
    vectors = np.eye(DIMENSIONS, dtype=np.float32)[:2]
    members = [Member(1, vectors[0], frozenset({"a"}), at), Member(2, vectors[1], frozenset({"a", "b"}), at)]
    profile = StoryProfile.of(7, members, DIMENSIONS)
    assert profile.size == 2 and profile.terms == Counter({"a": 2, "b": 1}) and np.allclose(profile.vector_sum[:2], 1)
