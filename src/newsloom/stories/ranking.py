"""Top stories: what the home page leads with.

A story ranks by how widely it is covered (distinct outlets), how fast coverage is arriving
(articles in the last hours) and how fresh it is, with a gravity as news aggregators use it:
the score falls with the hours since the story's latest article.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from newsloom.store import StoryRepository
from newsloom.store.records import StorySummary

CANDIDATE_WINDOW = timedelta(hours=48)
VELOCITY_WINDOW = timedelta(hours=6)
GRAVITY = 1.5
CANDIDATES = 300


def story_score(story: StorySummary, now: datetime) -> float:
    hours = max((now - story.last_at).total_seconds() / 3600, 0.0)
    coverage = math.log2(1 + story.source_count) + 0.5 * math.log2(1 + story.recent_count)
    return coverage / (hours + 2) ** GRAVITY


def top_stories(session: Session, now: datetime, limit: int = 8, min_sources: int = 2) -> list[StorySummary]:
    """The best-ranked stories of the last two days that more than one outlet covers."""
    stories = StoryRepository(session)
    candidates = stories.summaries(stories.recent_ids(now - CANDIDATE_WINDOW, CANDIDATES), recent_since=now - VELOCITY_WINDOW)
    covered = [story for story in candidates if story.source_count >= min_sources and story.headline is not None]
    return sorted(covered, key=lambda story: (-story_score(story, now), -story.id))[:limit]
