"""Publisher boilerplate is learned per source and stripped from new and existing articles."""

from newsloom.extract.boilerplate import Boilerplate, learn, strip_learned
from newsloom.extract.titles import learn_title_parts, without_learned_parts
from newsloom.store import ArticleRepository, BoilerplateRepository
from tests.support.benchdata import zyte_ground_truth, zyte_page_ids
from tests.support.publisher import rss_feed
from tests.support.site import (
    BOILERPLATE_LINES,
    DONATION_APPEAL,
    NEWSLETTER_BOX,
    article_page,
    is_boilerplate_line,
    publisher_page,
    seed_related_stories,
    seed_story,
)


def kyiv_independent_site(publisher):
    """Seven stories on one site, each with the publisher's furniture where the seed shows it."""
    title, lines = seed_story()
    stories = [(title, [line for line in lines if not is_boilerplate_line(line)])]
    stories += seed_related_stories()
    truth = zyte_ground_truth()
    for page_id in zyte_page_ids(12)[6:10]:
        paragraphs = [p.strip() for p in truth[page_id]["articleBody"].split("\n") if len(p.strip()) > 40]
        stories.append((f"Story {page_id[:6]}", paragraphs[:8]))
    items = []
    for number, (headline, paragraphs) in enumerate(stories):
        other = stories[(number + 1) % len(stories)][0]
        publisher.add(f"/news/{number}", publisher_page(headline, paragraphs, read_also=other))
        items.append({"title": headline, "link": publisher.url(f"/news/{number}")})
    publisher.add("/rss", rss_feed("The Kyiv Independent", publisher.url("/"), items), content_type="application/rss+xml")
    return stories


def test_seed_article_keeps_its_story_and_loses_the_furniture(services, publisher):
    stories = kyiv_independent_site(publisher)
    feed = services.subscriptions.add(publisher.url("/rss")).feed
    entry_ids = services.refresher.refresh(feed.id).new_entry_ids
    outcomes = [services.pipeline.process_entry(entry_id) for entry_id in entry_ids]
    assert [outcome.status for outcome in outcomes] == ["stored"] * len(stories)

    with services.database.read() as session:
        articles = ArticleRepository(session)
        seed_article = articles.get(outcomes[0].article_id)
        learned = BoilerplateRepository(session).items(seed_article.source.id)
        last = articles.get(outcomes[-1].article_id)

    learned_texts = {item.text for item in learned}
    # "Sign up" alone is a button label, removed everywhere without learning.
    assert {DONATION_APPEAL, *NEWSLETTER_BOX[:2]} <= learned_texts

    # The seed article was stored before anything was learned: it was cleaned afterwards.
    kept = seed_article.text.split("\n")
    for paragraph in stories[0][1]:
        assert paragraph in kept, paragraph
    for line in kept:
        assert not is_boilerplate_line(line), line
    assert not any(line in seed_article.html for line in BOILERPLATE_LINES)
    # An article arriving after learning is clean from the start.
    assert not any(is_boilerplate_line(line) for line in last.text.split("\n"))
    assert set(stories[-1][1]) <= set(last.text.split("\n"))
    # Search no longer finds the furniture.
    with services.database.read() as session:
        assert ArticleRepository(session).search_ids("locally-sourced supporting") == []


def test_quotes_repeated_in_follow_ups_are_not_learned():
    quote = '"We will not give up a single centimetre of our land," the president said in his evening address.'
    footer = "Our journalism is funded by readers like you, every month, without exception."
    bodies = []
    for number in range(10):
        paragraphs = [f"Story {number} begins with its own news of the day number {number}.", footer]
        if number < 3:
            paragraphs.insert(1, quote)  # three follow-ups quote the same statement
        bodies.append("".join(f"<p>{paragraph}</p>" for paragraph in paragraphs))
    learned = {item.text for item in learn(bodies)}
    assert footer in learned and quote not in learned


def test_too_few_articles_teach_nothing():
    assert learn(["<p>Same footer on every page, again and again.</p>"] * 4) == []


def test_sentences_are_cut_out_of_a_paragraph_and_markup_survives():
    boilerplate = Boilerplate(sentences=frozenset({"consider supporting the kyiv independent."}))
    html = '<p>The talks ended at <a href="https://x.example/">noon</a>. Consider supporting the Kyiv Independent.</p>'
    cleaned = strip_learned(html, boilerplate)
    assert cleaned.removed == ["Consider supporting the Kyiv Independent."]
    assert cleaned.html == '<p>The talks ended at <a href="https://x.example/">noon</a>.</p>'


def test_article_page_helper_places_furniture_inside_the_article():
    page = publisher_page("T", ["one", "two", "three", "four"], read_also="Other")
    assert page.index("Read also: Other") < page.index("Sign up for our newsletter") < page.index("locally-sourced")
    assert article_page("T", ["x"]).count("<article>") == 1


def test_a_title_part_the_source_repeats_is_learned_and_leaves_every_title(services, publisher):
    """autoindustriya.com ends its titles with "- Auto News", which neither its domain nor its
    pages name: learned from the titles themselves once enough articles are stored, removed
    from those stored before and from every later one. A section label that only some titles
    carry ("Opinion | ...") stays."""
    truth = zyte_ground_truth()
    headlines = []
    for number, page_id in enumerate(zyte_page_ids(20)[12:19]):
        paragraphs = [p.strip() for p in truth[page_id]["articleBody"].split("\n") if len(p.strip()) > 40][:8]
        headline = ("Opinion | " if number in (1, 4) else "") + f"Story {page_id[:6]} and what comes next"
        publisher.add(f"/news/{number}", article_page(f"{headline} - Auto News", paragraphs))
        headlines.append(headline)
    ids = [services.pipeline.ingest_page(publisher.url(f"/news/{number}")).article_id for number in range(len(headlines))]
    with services.database.read() as session:
        articles = ArticleRepository(session)
        assert [articles.get(article_id).title for article_id in ids] == headlines
        learned = BoilerplateRepository(session).items(articles.get(ids[0]).source.id)
    assert [(item.kind, item.text) for item in learned if item.kind == "title"] == [("title", "Auto News")]


def test_title_parts_are_learned_only_from_what_half_the_titles_share():
    titles = [f"Headline {n} - Daily Gazette" for n in range(6)] + ["Opinion | A view - Daily Gazette", "Opinion | Another"]
    assert [(item.text, item.article_count) for item in learn_title_parts(titles)] == [("Daily Gazette", 7)]
    assert learn_title_parts(titles[:4]) == []  # too few articles to tell
    assert without_learned_parts("Opinion | A view - Daily Gazette", frozenset({"daily gazette"})) == "Opinion | A view"
    assert without_learned_parts("Daily Gazette | Headline", frozenset({"daily gazette"})) == "Headline"
    assert without_learned_parts("Daily Gazette", frozenset({"daily gazette"})) == "Daily Gazette"  # nothing else to keep
