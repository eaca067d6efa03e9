"""Enrichment results read back for many articles at once, on both backends."""

from newsloom.store import EnrichmentRepository
from tests.support.comments import store_article


def test_entities_of_many_articles_come_back_per_article_most_salient_first(database):
    articles = [store_article(database, f"Article {n}") for n in range(3)]
    with database.write() as session:
        for n, article_id in enumerate(articles[:2]):
            entities = [("place", "Ohio", "ohio", 1, 1.5), ("person", f"Person {n}", f"person {n}", 3, 4.0)]
            EnrichmentRepository(session).replace_entities(
                article_id, entities, [], model="test", model_version="1", status="ok", reason=None
            )
    # More ids than one query binds: the articles fall in different chunks of the list.
    asked = list(range(10**6, 10**6 + 1200))
    asked[0], asked[700], asked[1199] = articles
    with database.read() as session:
        found = EnrichmentRepository(session).entities_of(asked)
        assert set(found) == set(articles[:2])  # the third has none
        for n, article_id in enumerate(articles[:2]):
            expected = [("person", f"Person {n}", 3), ("place", "Ohio", 1)]
            assert [(e.kind, e.name, e.mentions) for e in found[article_id]] == expected
        assert EnrichmentRepository(session).entities(articles[1]) == found[articles[1]]
        assert EnrichmentRepository(session).entities(articles[2]) == []


def test_a_name_stored_without_its_capital_takes_it_when_seen_again(database):
    """Enrichment once stored "james Hansen" from a lowered headline; `enrich --all` mends it,
    and a later lower-case spelling never undoes a capital."""
    first, second = store_article(database, "First"), store_article(database, "Second")

    def save(article_id: int, name: str) -> None:
        with database.write() as session:
            EnrichmentRepository(session).replace_entities(
                article_id, [("person", name, "james hansen", 2, 3.0)], [], model="test", model_version="1", status="ok", reason=None
            )

    def name_of(article_id: int) -> str:
        with database.read() as session:
            return EnrichmentRepository(session).entities(article_id)[0].name

    save(first, "james Hansen")
    assert name_of(first) == "james Hansen"
    save(second, "James Hansen")
    assert name_of(first) == name_of(second) == "James Hansen"
    save(first, "james Hansen")
    assert name_of(first) == "James Hansen"
    save(second, "JAMES HANSEN")  # a dateline's capitals never undo an ordinary spelling
    assert name_of(second) == "James Hansen"


def test_a_name_stored_in_capitals_takes_its_ordinary_spelling_when_seen_again(database):
    first, second = store_article(database, "First"), store_article(database, "Second")
    for article_id, name in ((first, "HAYWARD"), (second, "Hayward"), (first, "NASA")):
        with database.write() as session:
            EnrichmentRepository(session).replace_entities(
                article_id, [("place", name, name.casefold(), 1, 1.0)], [], model="test", model_version="1", status="ok", reason=None
            )
    with database.read() as session:
        assert EnrichmentRepository(session).entities(second)[0].name == "Hayward"
        assert EnrichmentRepository(session).entities(first)[0].name == "NASA"  # only ever in capitals
