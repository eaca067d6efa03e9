"""What ties an article to a story besides its meaning: headline words and salient names."""

from newsloom.enrich.entities import ArticleEntity
from newsloom.stories.terms import MAX_ENTITY_TERMS, entity_terms, headline_terms


def test_headline_words_leave_out_function_words_and_headline_formats():
    assert headline_terms("Live updates: Sbarro files for bankruptcy") == {"sbarro", "files", "bankruptcy"}
    assert headline_terms("What's News — Morning briefing") == frozenset()


def test_names_said_twice_or_in_the_headline_are_the_articles_names():
    entities = [
        ArticleEntity("organization", "Sbarro", 4, 0),
        ArticleEntity("person", "J. David Karam", 2, 120),
        ArticleEntity("place", "New York", 1, 300),  # in the headline
        ArticleEntity("place", "Ohio", 1, 500),  # named once, in passing
    ]
    terms = entity_terms(entities, "Sbarro leaves New York court with a plan")
    assert terms == {"organization:sbarro", "person:j. david karam", "place:new york"}
    # A colon, which no headline word holds: the name "Sbarro" and the word "sbarro" stay two terms.
    assert not terms & headline_terms("Sbarro leaves New York court with a plan")


def test_only_the_most_salient_names_count():
    entities = [ArticleEntity("person", f"Person {n}", 10 - n, n) for n in range(10)]
    assert entity_terms(entities, "") == {f"person:person {n}" for n in range(MAX_ENTITY_TERMS)}
    assert entity_terms([], "Anything") == frozenset()
