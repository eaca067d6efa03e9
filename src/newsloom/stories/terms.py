"""The words of a headline that can tie it to a story.

Besides function words, the words of recurring headline formats ("Live updates", "Morning
briefing", "What's News") are dropped: they repeat across unrelated stories every day, so
sharing them says nothing about the event.
"""

from __future__ import annotations

import re

from newsloom.enrich.answers import STOPWORDS

HEADLINE_FORMAT_WORDS = frozenset(
    "live update updates latest news briefing morning evening afternoon night today tonight week weekly daily "
    "highlights recap roundup digest newsletter watch video photos gallery podcast opinion analysis explainer "
    "breaking exclusive report reports new what's whats here's heres things know need".split()
)
_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)?")


def headline_terms(title: str) -> frozenset[str]:
    words = (m.group(0).casefold().replace("’", "'") for m in _WORD.finditer(title or ""))
    return frozenset(
        word for word in words if len(word) > 1 and word not in STOPWORDS and word not in HEADLINE_FORMAT_WORDS
    )
