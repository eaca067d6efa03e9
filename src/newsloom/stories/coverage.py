"""A story's Full Coverage: what its page and the API show, assembled from the store.

The story summary is extractive across outlets: the candidates are the summary sentences
enrichment chose for each member, scored by how many members' summaries share their words
(what most outlets report is the core of the event), at most one sentence per outlet and
none that repeats one already chosen, then read in the order they were published.

A big story (an election, a war) gathers thousands of articles. Its counts and outlets are
counted over all of them in the store; its timeline is read a page at a time; its summary,
quotes and entities are drawn from its first `SAMPLED_ARTICLES` articles.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from newsloom.store import ArticleRepository, EnrichmentRepository, StoryRepository
from newsloom.store.records import Article, Entity, QuoteRecord, Source
from newsloom.stories.terms import headline_terms

SUMMARY_SENTENCES = 4
TIMELINE_PAGE = 100  # originals per page of the timeline
SAMPLED_ARTICLES = 500
MAX_OVERLAP = 0.5  # Jaccard of words above which a sentence repeats one already chosen

# A quote's speaker as the article writes it when it is the article's own writer, outlet or
# reader ("I wrote", "we asked", "you'd think"): the same word in two articles is two speakers.
PERSONAL_SPEAKERS = frozenset({"i", "me", "we", "us", "you"})
# Speakers that name no one ("Another reportedly said", "here are some of the highlights:"):
# their quotes stay on the article's page, not in the story's who-said-what.
NAMELESS_SPEAKERS = frozenset(
    "another some others other one someone somebody anyone everyone it they them this that these those things".split()
)
# The least lead worth claiming (`_lead`).
MIN_LEAD = timedelta(minutes=5)


@dataclass(frozen=True)
class SourceCoverage:
    source: Source
    articles: int
    first_at: datetime


@dataclass(frozen=True)
class TimelineEntry:
    article: Article
    copies: list[Article]  # near copies and syndicated versions, grouped under their original


@dataclass(frozen=True)
class StorySentence:
    text: str
    article: Article


@dataclass(frozen=True)
class SpeakerQuotes:
    speaker: str
    affiliation: str | None
    quotes: list[tuple[QuoteRecord, Article]]


@dataclass(frozen=True)
class StoryCoverage:
    id: int
    headline: Article | None
    first_at: datetime
    last_at: datetime
    article_count: int
    timeline: list[TimelineEntry]
    sources: list[SourceCoverage]  # first to report first
    lead: timedelta | None  # how long the first outlet was alone with the story
    summary: list[StorySentence]
    quotes: list[SpeakerQuotes]
    entities: list[tuple[Entity, int]]
    page: int = 1  # of the timeline
    pages: int = 1


def story_coverage(session: Session, story_id: int, page: int = 1, per_page: int | None = None) -> StoryCoverage | int | None:
    """The story's coverage with the `page`-th page of its timeline (`per_page` originals, by
    default `TIMELINE_PAGE`); the id it was merged into when it was; None when unknown (or the
    page is past the timeline's end)."""
    per_page = per_page or TIMELINE_PAGE
    stories = StoryRepository(session)
    state = stories.get(story_id)
    if state is None:
        return None
    if state.merged_into_id is not None:
        return state.merged_into_id
    originals, copies, total = stories.timeline(story_id, (page - 1) * per_page, per_page)
    pages = max(1, math.ceil(total / per_page))
    if page > pages:
        return None
    sampled = stories.members(story_id, SAMPLED_ARTICLES)
    by_id = {article.id: article for article in sampled}
    primaries = [a for a in sampled if a.duplicate_of is None or a.duplicate_of not in by_id]
    primary_ids = [a.id for a in primaries]
    article_count, first_at, last_at = stories.extent(story_id)
    sources = sorted(
        (SourceCoverage(*outlet) for outlet in stories.outlets(story_id)),
        key=lambda s: (s.first_at, -s.articles, s.source.name),
    )
    enrichment = EnrichmentRepository(session)
    headline = by_id.get(state.headline_article_id or -1)
    if headline is None and state.headline_article_id:  # a big story's headline may lie past the sample
        headline = ArticleRepository(session).get(state.headline_article_id)
    return StoryCoverage(
        id=story_id,
        headline=headline or (primaries[0] if primaries else None),
        first_at=first_at or state.first_at,
        last_at=last_at or state.last_at,
        article_count=article_count,
        timeline=[TimelineEntry(a, copies.get(a.id, [])) for a in originals],
        sources=sources,
        lead=_lead(sources[0].first_at, sources[1].first_at) if len(sources) > 1 else None,
        summary=_summary(primaries, enrichment.summaries_of(primary_ids)),
        quotes=_quotes_by_speaker(enrichment.quotes_in(primary_ids), by_id),
        entities=enrichment.entities_in([a.id for a in sampled]),
        page=page,
        pages=pages,
    )


def _lead(first: datetime, second: datetime) -> timedelta | None:
    """How long the first outlet surely had the story alone, or None when that is not known.
    A lead under MIN_LEAD is none: publishers' clocks and the minutes their pages give are
    no finer ("first reported by nj.com, less than a minute before others" said nothing).
    A time of exactly midnight is most often a page's date without a time ("18 Nov 2019"), so
    it stands for any moment of that day: a date-only report and one at 19:09 that day could
    have come in either order."""
    latest_first = first + timedelta(days=1) - timedelta(microseconds=1) if _date_only(first) else first
    lead = second - latest_first
    return lead if lead >= MIN_LEAD else None


def _date_only(moment: datetime) -> bool:
    return (moment.hour, moment.minute, moment.second, moment.microsecond) == (0, 0, 0, 0)


def _summary(primaries: list[Article], summaries: dict[int, list[str]]) -> list[StorySentence]:
    candidates = [(sentence, article) for article in primaries for sentence in summaries.get(article.id, [])]
    words = [headline_terms(sentence) for sentence, _ in candidates]
    per_article: dict[int, set[str]] = {}
    for sentence_words, (_, article) in zip(words, candidates, strict=True):
        per_article.setdefault(article.id, set()).update(sentence_words)
    shared: Counter[str] = Counter()
    for article_words in per_article.values():  # a word counts once per article, however often it repeats
        shared.update(article_words)
    scored = sorted(
        range(len(candidates)),
        key=lambda i: -sum(shared[w] - 1 for w in words[i]) / math.sqrt(len(words[i]) + 1),
    )
    chosen: list[int] = []
    outlets: set[int] = set()
    for i in scored:
        source = candidates[i][1].source.id
        if source in outlets or any(_jaccard(words[i], words[j]) > MAX_OVERLAP for j in chosen):
            continue
        chosen.append(i)
        outlets.add(source)
        if len(chosen) == SUMMARY_SENTENCES:
            break
    chosen.sort(key=lambda i: (candidates[i][1].sort_at, i))
    return [StorySentence(candidates[i][0], candidates[i][1]) for i in chosen]


def _jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    return len(a & b) / len(a | b) if a and b else 0.0


def _quotes_by_speaker(quotes: list[tuple[int, str, QuoteRecord]], articles: dict[int, Article]) -> list[SpeakerQuotes]:
    grouped: dict[tuple[str, int | None], list[tuple[QuoteRecord, Article]]] = {}
    seen: set[tuple[tuple[str, int | None], str]] = set()
    for article_id, speaker_key, quote in quotes:
        if speaker_key in NAMELESS_SPEAKERS:
            continue
        speaker = (speaker_key, article_id if speaker_key in PERSONAL_SPEAKERS else None)
        said = (speaker, " ".join(quote.text.casefold().split()))
        if said in seen:  # outlets repeat the same quote
            continue
        seen.add(said)
        grouped.setdefault(speaker, []).append((quote, articles[article_id]))
    return sorted(
        (SpeakerQuotes(q[0][0].speaker, next((x.affiliation for x, _ in q if x.affiliation), None), q) for q in grouped.values()),
        key=lambda s: (-len(s.quotes), s.speaker),
    )
