"""The terms that can tie an article to a story: its headline's words and its salient names.

Besides function words, the words of recurring headline formats ("Live updates", "Morning
briefing", "What's News") are dropped: they repeat across unrelated stories every day, so
sharing them says nothing about the event.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from typing import Protocol

from newsloom.enrich.answers import STOPWORDS
from newsloom.enrich.entities import entity_key

HEADLINE_FORMAT_WORDS = frozenset(
    "live update updates latest news briefing morning evening afternoon night today tonight week weekly daily "
    "highlights recap roundup digest newsletter watch video photos gallery podcast opinion analysis explainer "
    "breaking exclusive report reports new what's whats here's heres things know need".split()
)
# The names an article is about, not every one it mentions in passing (as for its hashtags).
MAX_ENTITY_TERMS = 5
_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)?")


def headline_terms(title: str) -> frozenset[str]:
    words = (m.group(0).casefold().replace("’", "'") for m in _WORD.finditer(title or ""))
    return frozenset(
        word for word in words if len(word) > 1 and word not in STOPWORDS and word not in HEADLINE_FORMAT_WORDS
    )


def headline_words(terms: Counter[str]) -> Counter[str]:
    """The headline words among a story's term counts (its names carry a colon)."""
    return Counter({term: count for term, count in terms.items() if ":" not in term})


class NamedEntity(Protocol):
    kind: str
    name: str
    mentions: int


def entity_terms(entities: Iterable[NamedEntity], title: str) -> frozenset[str]:
    """The article's salient people, organisations and places, most salient first: those it
    names twice or in its headline. As "person:vladimir putin", with a colon that no
    headline word holds, so a name and a word never count as one term."""
    title = (title or "").casefold()
    salient = [e for e in entities if e.mentions >= 2 or e.name.casefold() in title]
    return frozenset(f"{e.kind}:{entity_key(e.name)}" for e in salient[:MAX_ENTITY_TERMS])
