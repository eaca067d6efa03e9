"""Stories formed as articles arrive: real pages through the pipeline, real models, both databases."""

import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import numpy as np
from sqlalchemy import func, select

from newsloom.enrich.embeddings import DIMENSIONS
from newsloom.store import ArticleRepository, StoryRepository
from newsloom.store.models import StoryRow
from newsloom.stories.service import Consolidation, Rebuild, StoryService
from tests.conftest import expected_vector_index
from tests.support.site import article_page
from tests.support.stories import coverage_page, find_story

# A near copy differs a little: the same text again is the same article.
REPUBLISHED = "This story first appeared on Outlet 0 and is republished with permission."


def story_of(session, article_id):
    return ArticleRepository(session).get(article_id).story_id


def ingest(services, url, html):
    result = services.pipeline.ingest_page(url, html.encode())
    assert result.article_id is not None, result
    services.enricher.enrich(result.article_id)
    return services.stories.assign(result.article_id)


def cover(services, word, outlets, published=None, first=0):
    story = find_story(word)
    return [
        ingest(services, f"https://outlet{n}.example/{word.lower()}-{n}", coverage_page(story, n, published)[1])
        for n in range(first, first + outlets)
    ]


def test_coverage_of_one_event_forms_one_story_per_event(services):
    # PostgreSQL finds candidate stories through pgvector, SQLite in memory
    assert services.stories.uses_pgvector == (expected_vector_index(services.database) == "pgvector")
    sbarro = cover(services, "Sbarro", 4)
    titanfall = cover(services, "Titanfall", 4)
    assert [a.status for a in sbarro] == ["started", "joined", "joined", "joined"]
    assert all(a.reason == "joined" for a in sbarro[1:] + titanfall[1:])  # by clustering, not as near copies
    assert len({a.story_id for a in sbarro}) == 1 and len({a.story_id for a in titanfall}) == 1
    assert sbarro[0].story_id != titanfall[0].story_id
    # Idempotent: assigning again changes nothing.
    again = services.stories.assign(sbarro[1].article_id)
    assert (again.status, again.story_id) == ("unchanged", sbarro[0].story_id)
    with services.database.read() as session:
        stories = StoryRepository(session)
        [summary] = stories.summaries([sbarro[0].story_id])
        assert (summary.article_count, summary.source_count) == (4, 4)
        assert summary.headline is not None and "sbarro" in summary.headline.title.casefold()
        # Its articles' salient names count beside their headline words (from enrichment, which
        # read the whole text: each page names Sbarro twice or more).
        assert stories.get(sbarro[0].story_id).terms["organization:sbarro"] == 4
        assert [a.id for a in stories.members(sbarro[0].story_id)] == sorted(a.article_id for a in sbarro)


def test_a_story_is_shown_under_a_headline_that_reports(services):
    # Three outlets exclaim, one reports; the exclaiming articles are the more central ones
    # (the plain one is the farthest from the story's mean), so centrality alone would show one.
    story = find_story("Sbarro")
    arrived = [
        ingest(services, f"https://outlet{n}.example/sbarro-{n}", coverage_page(story, n, title=story[n].title + "!")[1])
        for n in (0, 1, 2)
    ] + cover(services, "Sbarro", 1, first=3)
    assert len({a.story_id for a in arrived}) == 1

    def shown():
        with services.database.read() as session:
            [summary] = StoryRepository(session).summaries([arrived[0].story_id])
            return summary.headline.title

    assert shown() == story[3].title
    services.stories.rebuild()  # forming the story again chooses the same way
    assert shown() == story[3].title


def test_a_second_process_sees_stories_the_first_one_wrote(services):
    from newsloom.stories import StoryService

    first = cover(services, "Sbarro", 2)
    other_worker = StoryService(services.database)
    story = find_story("Sbarro")
    result = services.pipeline.ingest_page("https://late.example/sbarro", coverage_page(story, 5)[1].encode())
    services.enricher.enrich(result.article_id)
    assert other_worker.assign(result.article_id).story_id == first[0].story_id


def test_same_generic_headline_never_merges_unrelated_stories(services):
    sbarro, titanfall = find_story("Sbarro"), find_story("Titanfall")
    results = []
    for n, story in enumerate((sbarro, titanfall, sbarro, titanfall)):
        body = [" ".join(h.title.rstrip(".") + "." for h in story[n * 4 : n * 4 + 4])]
        results.append(ingest(services, f"https://live{n}.example/live", article_page("Live updates", body * 2)))
    assert results[0].story_id != results[1].story_id
    assert results[0].story_id == results[2].story_id and results[1].story_id == results[3].story_id


def test_articles_without_text_or_with_odd_dates_start_their_own_story(services):
    sbarro = cover(services, "Sbarro", 2)
    for n, title in enumerate(["Video", "Live updates", "Morning briefing"]):  # pages with next to no text
        placed = ingest(services, f"https://empty{n}.example/x", article_page(title, ["Watch."]))
        assert placed.status == "started" and placed.story_id != sbarro[0].story_id
    long_ago = cover(services, "Sbarro", 1, published=datetime(2014, 3, 10, tzinfo=UTC), first=5)[0]
    assert long_ago.status == "started" and long_ago.story_id != sbarro[0].story_id
    future = cover(services, "Titanfall", 1, published=datetime.now(UTC) + timedelta(days=400))[0]
    assert future.status == "started"
    with services.database.read() as session:
        assert StoryRepository(session).get(future.story_id).first_at <= datetime.now(UTC) + timedelta(minutes=5)


def test_consolidation_merges_split_coverage_and_the_larger_story_keeps_its_id(services):
    services.stories.clusterer = type(services.stories.clusterer)(join_threshold=0.99)  # every article alone
    placed = cover(services, "Sbarro", 3)
    assert len({a.story_id for a in placed}) == 3
    services.stories.clusterer = type(services.stories.clusterer)()
    assert services.stories.consolidate() == Consolidation(merged=2, split=0)
    with services.database.read() as session:
        stories = StoryRepository(session)
        ids = {story_of(session, a.article_id) for a in placed}
        assert len(ids) == 1
        [kept] = ids
        assert kept in {a.story_id for a in placed}
        for gone in {a.story_id for a in placed} - {kept}:
            assert stories.get(gone).merged_into_id == kept
        assert stories.get(kept).article_count == 3


def test_merged_stories_are_shown_under_the_better_of_their_headlines(services):
    services.stories.clusterer = type(services.stories.clusterer)(join_threshold=0.99)  # every article alone
    story = find_story("Sbarro")
    exclaimed = ingest(services, "https://outlet0.example/sbarro-0", coverage_page(story, 0, title=story[0].title + "!")[1])
    plain = cover(services, "Sbarro", 1, first=1)[0]
    services.stories.clusterer = type(services.stories.clusterer)()
    assert services.stories.consolidate() == Consolidation(merged=1, split=0)
    with services.database.read() as session:
        kept = StoryRepository(session).get(exclaimed.story_id)  # the older story keeps its id
        assert kept.merged_into_id is None and kept.article_count == 2
        assert kept.headline_article_id == plain.article_id


def test_a_story_that_drifted_splits_and_the_larger_part_keeps_its_id(services):
    anything_joins = type(services.stories.clusterer)(join_threshold=-1.0, min_cosine=-1.0)
    services.stories.clusterer = anything_joins  # two events forced into one story
    now = datetime.now(UTC)  # one page's body mentions 2011, which would otherwise date it
    sbarro, titanfall = cover(services, "Sbarro", 6, published=now), cover(services, "Titanfall", 4, published=now)
    reprint = coverage_page(find_story("Titanfall"), 0, now)[1].replace("</article>", f"<p>{REPUBLISHED}</p></article>")
    copy = ingest(services, "https://aggregator.example/titanfall", reprint)
    with services.database.read() as session:
        assert ArticleRepository(session).get(copy.article_id).duplicate_of == titanfall[0].article_id
    assert len({a.story_id for a in sbarro + titanfall + [copy]}) == 1
    story_id = sbarro[0].story_id
    services.stories.clusterer = type(anything_joins)()
    assert services.stories.consolidate() == Consolidation(merged=0, split=1)
    with services.database.read() as session:
        stories = StoryRepository(session)
        kept, started = (story_of(session, a.article_id) for a in (sbarro[0], titanfall[0]))
        assert kept == story_id and started != story_id  # links to the story still lead to its larger part
        assert {story_of(session, a.article_id) for a in sbarro} == {story_id}
        assert {story_of(session, a.article_id) for a in titanfall + [copy]} == {started}  # the near copy follows its original
        assert (stories.get(kept).article_count, stories.get(started).article_count) == (6, 5)
        assert [s.article_count for s in stories.summaries([kept, started])] == [6, 5]  # counts match the members
        assert stories.get(started).headline_article_id in {a.article_id for a in titanfall}
        assert stories.get(kept).headline_article_id in {a.article_id for a in sbarro}
        # Each part is rebuilt with its own members' names, read back from the store.
        assert "organization:sbarro" in stories.get(kept).terms and "organization:sbarro" not in stories.get(started).terms
        assert "organization:microsoft" in stories.get(started).terms
    assert services.stories.consolidate() == Consolidation(merged=0, split=0)  # the parts are not merged back
    joined = cover(services, "Titanfall", 1, published=now, first=5)[0]
    assert joined.story_id == started  # later coverage finds the new story


def test_a_rebuild_forms_stories_again_and_every_old_link_still_leads_somewhere(services):
    """Stories formed under clustering that joined anything, then rebuilt under today's."""
    services.stories.clusterer = type(services.stories.clusterer)(join_threshold=-1.0, min_cosine=-1.0)
    now = datetime.now(UTC)
    sbarro, titanfall = cover(services, "Sbarro", 3, published=now), cover(services, "Titanfall", 2, published=now)
    services.stories.clusterer = type(services.stories.clusterer)(join_threshold=0.99)  # and then nothing joined
    late = cover(services, "Sbarro", 2, published=now, first=3)
    reprint = coverage_page(find_story("Titanfall"), 0, now)[1].replace("</article>", f"<p>{REPUBLISHED}</p></article>")
    copy = ingest(services, "https://aggregator.example/titanfall", reprint)
    blob = sbarro[0].story_id
    assert {a.story_id for a in sbarro + titanfall + [copy]} == {blob} and len({a.story_id for a in late}) == 2

    services.stories.clusterer = type(services.stories.clusterer)()
    result = services.stories.rebuild()
    assert result == Rebuild(articles=8, stories_before=3, stories_after=2, kept=1, started=1, redirected=2, moved=5)
    with services.database.read() as session:
        stories = StoryRepository(session)
        assert {story_of(session, a.article_id) for a in sbarro + late} == {blob}  # the larger part keeps the id
        [started] = {story_of(session, a.article_id) for a in titanfall + [copy]}  # the copy follows its original
        assert started != blob and stories.get(started).merged_into_id is None
        for gone in {a.story_id for a in late}:  # old links lead to where their articles went
            assert stories.get(gone).merged_into_id == blob
        assert [s.article_count for s in stories.summaries([blob, started])] == [5, 3]
        assert stories.get(blob).article_count == 5 and stories.get(started).article_count == 3
        assert stories.get(started).headline_article_id in {a.article_id for a in titanfall}
        assert "titanfall" in stories.get(started).terms and "titanfall" not in stories.get(blob).terms  # columns from the members
        assert "organization:sbarro" in stories.get(blob).terms
    # Later coverage finds the rebuilt stories, and a second rebuild changes nothing.
    assert cover(services, "Titanfall", 1, published=now, first=4)[0].story_id == started
    assert services.stories.rebuild() == Rebuild(9, 2, 2, 2, 0, 0, 0)


def test_a_rebuild_while_a_worker_places_an_article_counts_every_article(services):
    """A worker places an article after the rebuild read the stories and before it wrote
    them: the rebuild waits for it, forms the stories again, and every count still matches
    the articles its story holds."""
    now = datetime.now(UTC)
    sbarro = cover(services, "Sbarro", 2, published=now)
    cover(services, "Titanfall", 2, published=now)
    late_page = coverage_page(find_story("Sbarro"), 2, now)[1]
    late = services.pipeline.ingest_page("https://outlet2.example/sbarro-late", late_page.encode()).article_id
    services.enricher.enrich(late)
    other_worker = StoryService(services.database)
    other_worker.consolidate()  # holds the window's stories as they were before the rebuild
    with ThreadPoolExecutor(1) as pool:
        with services.database.write() as session:  # the worker, placing `late` by hand while it holds the story
            stories = StoryRepository(session)
            state = stories.lock(sbarro[0].story_id)
            rebuilding = pool.submit(services.stories.rebuild)
            time.sleep(2.0)
            assert not rebuilding.done()  # it read the stories, and waits to write them
            stories.join(late, state.id)
            stories.save(state.id, state.vector_sum, state.terms, state.article_count + 1, state.first_at, state.last_at,
                         state.headline_article_id)  # fmt: skip
        result = rebuilding.result(timeout=120)
    assert result.formed_again and result.articles == 5
    with services.database.read() as session:
        stories = StoryRepository(session)
        assert story_of(session, late) == sbarro[0].story_id
        live = {story_of(session, article_id) for article_id in stories.placements()}
        held = Counter(stories.placements().values())
        assert {story_id: stories.get(story_id).article_count for story_id in live} == held
    # The other worker catches up with the rebuilt stories.
    other_worker.consolidate()
    assert {story_id: profile.size for story_id, profile in other_worker.active.stories.items()} == held


def test_a_worker_catches_up_with_a_story_rewritten_with_the_same_count_and_time(services):
    """A rebuild can give a story other members of the same number and last time; a worker
    that held the old story must load the new one, not judge it unchanged by those two."""
    story_id = cover(services, "Sbarro", 2, published=datetime.now(UTC))[0].story_id
    other_worker = StoryService(services.database)
    other_worker.consolidate()
    held = other_worker.active.stories[story_id]
    with services.database.write() as session:  # other members: here, the same ones counted twice
        stories = StoryRepository(session)
        state = stories.lock(story_id)
        rewritten = (np.frombuffer(state.vector_sum, "<f4") * 2).tobytes()
        stories.save(story_id, rewritten, state.terms, state.article_count, state.first_at, state.last_at,
                     state.headline_article_id)  # fmt: skip
    other_worker.consolidate()
    now_held = other_worker.active.stories[story_id]
    assert (now_held.size, now_held.last_at) == (held.size, held.last_at)
    assert now_held.written_at > held.written_at
    assert np.array_equal(now_held.vector_sum, np.frombuffer(rewritten, "<f4"))


def test_near_copies_join_their_originals_story(services):
    page = coverage_page(find_story("Titanfall"), 0)[1]
    original = ingest(services, "https://origin.example/a", page)
    copy = ingest(services, "https://aggregator.example/a", page.replace("</article>", f"<p>{REPUBLISHED}</p></article>"))
    with services.database.read() as session:  # a copy of its own, not the same article found again
        assert ArticleRepository(session).get(copy.article_id).duplicate_of == original.article_id
    assert copy.story_id == original.story_id


def test_two_workers_placing_one_article_at_once_count_it_once(services):
    """The race a 2,000-article run once lost: both workers saw the article unplaced and
    both added it to a story, whose count then said one article more than it held."""
    page = coverage_page(find_story("Sbarro"), 0)[1]
    article_id = services.pipeline.ingest_page("https://outlet0.example/sbarro", page.encode()).article_id
    services.enricher.enrich(article_id)
    second_worker = StoryService(services.database)
    with ThreadPoolExecutor(1) as pool:
        with services.database.write() as session:  # the first worker holds the article while it places it
            stories = StoryRepository(session)
            assert stories.claim(article_id) is None
            placing = pool.submit(second_worker.assign, article_id)
            time.sleep(1.0)
            assert not placing.done()  # the second waits for the first instead of placing it too
            story = stories.create(np.zeros(DIMENSIONS, "<f4").tobytes(), dict(Counter()), 1, datetime.now(UTC),
                                   datetime.now(UTC), article_id)  # fmt: skip
            stories.join(article_id, story.id)
        second = placing.result(timeout=60)
    assert (second.status, second.story_id) == ("unchanged", story.id)
    with services.database.read() as session:
        assert session.scalar(select(func.sum(StoryRow.article_count))) == 1
