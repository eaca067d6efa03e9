"""Entities and hashtags with the real spaCy model, offline."""

import pytest

from newsloom.enrich.entities import ArticleEntity, clean_name, merge_mentions, named_in_title, salience
from newsloom.enrich.hashtags import choose_hashtags, hashtag
from newsloom.enrich.nlp import Mention, ModelMissingError, SpacyModel
from newsloom.store import ArticleRepository, EnrichmentRepository
from tests.support.site import article_page, is_boilerplate_line, seed_story

TITLE, LINES = seed_story()
STORY = [line for line in LINES if not is_boilerplate_line(line)]


@pytest.fixture(scope="module")
def ner():
    return SpacyModel()


@pytest.fixture(scope="module")
def seed_entities(ner):
    return {(e.kind, e.name): e for e in merge_mentions(ner.mentions(TITLE + "\n\n" + "\n".join(STORY)))}


def test_people_are_merged_across_the_names_the_article_uses(seed_entities):
    putin = seed_entities[("person", "Vladimir Putin")]
    assert {"Putin", "Vladimir"} & putin.aliases and putin.mentions >= 3
    kim = seed_entities[("person", "Patricia Kim")]
    assert "Kim" in kim.aliases and kim.mentions >= 5
    umarov = seed_entities[("person", "Temur Umarov")]
    assert umarov.mentions >= 3  # "Umarov" is tagged as an organisation twice; it joins the person
    assert ("person", "Kim") not in seed_entities and ("organization", "Umarov") not in seed_entities


def test_places_are_merged_across_spellings(seed_entities):
    united_states = seed_entities[("place", "United States")]
    assert {"U.S.", "the United States"} <= united_states.aliases
    assert seed_entities[("place", "Russia")].mentions > 15


@pytest.mark.parametrize(
    ("span", "name"),
    [
        ("iPad Pro and", "iPad Pro"), ("The Associated Press that", "Associated Press"), ("the Sabres and", "Sabres"),
        ("The MacBook Pro for", "MacBook Pro"), ("Bank of America", "Bank of America"), ("Group A", "Group A"),
        ("Vladimir Putin’s", "Vladimir Putin"), ("the U.S.", "United States"),
        ("American Music Awards after Swift", "American Music Awards"), ("The Day After Tomorrow", "Day After Tomorrow"),
        ("Fargo, Legion", "Fargo"), ("Big Machine, Braun", "Big Machine"), ("Dräger, Inc.", "Dräger, Inc"),
        ("Council on Energy, Environment and Water", "Council on Energy, Environment and Water"),
    ],
)  # fmt: skip
def test_a_span_that_runs_on_into_a_function_word_is_cut_back_to_the_name(span, name):
    """Spans the recogniser returned on the Zyte articles (9 of 6,070 ended in such a word)."""
    assert clean_name(span) == name


@pytest.mark.parametrize(
    ("span", "name"),
    [('the "Black Death', "Black Death"), ("’s xCloud", "xCloud"), ("® Honey", "Honey"), ("@Ilhan", "Ilhan"),
     ("! - Jeongdong Theater", "Jeongdong Theater"), ("#MeToo", "#MeToo"), ("AT&T", "AT&T"),
     ("a White House", "White House"), ("an Apple Watch", "Apple Watch"), ("A Tribe Called Quest", "A Tribe Called Quest")],
)  # fmt: skip
def test_what_a_span_opens_with_before_the_name_is_cut(span, name):
    """Names of the entity table after the Zyte pages went through the pipeline (7 of 2,531)."""
    assert clean_name(span) == name


def test_a_span_without_a_capital_is_no_name():
    """The recogniser's slips on real pages: "goji" (berries) as a person, "n’t" as a place."""
    mentions = [Mention("goji", "PERSON", 0), Mention("n’t", "GPE", 10), Mention("eBay", "ORG", 20), Mention("Chia", "PERSON", 30)]
    assert [entity.name for entity in merge_mentions(mentions)] == ["eBay", "Chia"]
    # Scripts without capitals keep their names.
    assert [entity.name for entity in merge_mentions([Mention("서울", "GPE", 0), Mention("东京", "GPE", 5)])] == ["서울", "东京"]


def test_a_surname_joins_the_full_name_introduced_before_it():
    """Zyte articles tagged #Cook beside #TimCook ("Hosting Cook" made the surname ambiguous),
    and #VanDerBeek beside #JamesVanDerBeek."""
    mentions = [Mention("Tim Cook", "PERSON", 0), Mention("Cook", "PERSON", 50), Mention("Hosting Cook", "PERSON", 90),
                Mention("Cook", "PERSON", 150), Mention("James Van Der Beek", "PERSON", 200),
                Mention("Van Der Beek", "PERSON", 260), Mention("Van Der Beek", "PERSON", 300)]  # fmt: skip
    assert [(e.name, e.mentions) for e in merge_mentions(mentions)] == [("Tim Cook", 3), ("James Van Der Beek", 3), ("Hosting Cook", 1)]
    # Two full names both named before it: which one is meant is not known.
    mentions = [Mention("Tim Cook", "PERSON", 0), Mention("Jane Cook", "PERSON", 20), Mention("Cook", "PERSON", 50)]
    assert [e.name for e in merge_mentions(mentions)] == ["Tim Cook", "Jane Cook", "Cook"]
    # A span opening in lower case is no full name to fold into; an organisation's two words are no surname.
    mentions = [Mention("older MacBook Pro", "PERSON", 0), Mention("MacBook Pro", "PERSON", 30),
                Mention("Ascom North America", "PERSON", 60), Mention("North America", "LOC", 90)]  # fmt: skip
    assert {e.name for e in merge_mentions(mentions)} == {"older MacBook Pro", "MacBook Pro", "Ascom North America", "North America"}


def test_a_first_name_the_recogniser_called_an_organisation_joins_the_person():
    """An AP story headlined "LeBron sets triple-double mark" was tagged #LeBron beside
    #LeBronJames; "Apple" beside a product the recogniser took for a person stays Apple."""
    mentions = [Mention("LeBron", "ORG", 0), Mention("LeBron James", "PERSON", 60), Mention("James", "PERSON", 120),
                Mention("Apple", "ORG", 200), Mention("Apple", "ORG", 230), Mention("Apple Watches", "PERSON", 260)]  # fmt: skip
    assert {(e.kind, e.name, e.mentions) for e in merge_mentions(mentions)} == {
        ("person", "LeBron James", 3), ("organization", "Apple", 2), ("person", "Apple Watches", 1)
    }


def test_a_name_counts_as_in_the_headline_only_as_the_headline_writes_it():
    """"The man whose duvet nearly killed him" gave one capitalised "Duvet" of the body the
    headline's weight, and the tag #Duvet; "Musk's" held "us", the United States'."""
    duvet = ArticleEntity("person", "Duvet", 1, 500, {"Duvet"})
    united_states = ArticleEntity("place", "United States", 1, 500, {"US"})
    assert choose_hashtags([duvet], "The man whose duvet nearly killed him", "text " * 200) == []
    assert salience(united_states, "Musk's and Bezos's firms to bid", 1000) < salience(united_states, "US firms to bid", 1000)
    assert named_in_title(["Duvet"], "THE MAN WHOSE DUVET NEARLY KILLED HIM")  # capitals throughout say nothing of case


def test_a_name_in_capitals_takes_the_texts_ordinary_spelling():
    """SFGate's dateline "HAYWARD, Calif." made the tag #HAYWARD, though the text says Hayward."""
    mentions = [Mention("HAYWARD", "GPE", 0), Mention("NASA", "ORG", 30), Mention("Hayward", "GPE", 90), Mention("NASA", "ORG", 120)]
    assert [(entity.name, entity.mentions) for entity in merge_mentions(mentions)] == [("Hayward", 2), ("NASA", 2)]


def test_hashtags_are_salient_entities_never_page_furniture(seed_entities):
    page_text = "\n".join(LINES)  # with the furniture ("Sign up", "Hashtags") left in
    tags = choose_hashtags(list(seed_entities.values()), TITLE, page_text)
    assert {"#Russia", "#China"} <= set(tags) and len(tags) <= 6
    assert not {"#Hashtags", "#SignUp", "#Sign"} & set(tags)


def test_one_tag_for_one_thing_named_short_and_long():
    """Ascom's press release on the Zyte set was tagged both #GEHealthcare and #GE."""
    names = [("organization", "GE Healthcare", 3), ("organization", "GE", 2), ("place", "San Francisco Bay Area", 3),
             ("place", "San Francisco Bay", 2), ("person", "Donald Trump", 3), ("person", "Donald Trump Jr.", 2),
             ("organization", "San Francisco Giants", 2)]  # fmt: skip
    entities = [ArticleEntity(kind, name, mentions, 100 * n) for n, (kind, name, mentions) in enumerate(names)]
    tags = choose_hashtags(entities, "A headline that names none of them", "text " * 500)
    assert tags == ["#GEHealthcare", "#SanFranciscoBayArea", "#DonaldTrump", "#DonaldTrumpJr", "#SanFranciscoGiants"]


def test_a_title_case_headline_alone_makes_no_tag_of_plain_capitals():
    """Wired's "Chasing Instagram Analytics, My Friend Became a Grocery Store" tagged #GroceryStore
    from the headline alone; a name it writes otherwise than in capitals ("Microsoft xCloud") is
    evidence still, and so is any name in a headline in sentence case."""
    names = [("organization", "Instagram", 9), ("organization", "Grocery Store", 1), ("organization", "Microsoft xCloud", 1)]
    entities = [ArticleEntity(kind, name, mentions, 100 * n) for n, (kind, name, mentions) in enumerate(names)]
    title = "Chasing Instagram Analytics, My Friend Became a Grocery Store Like Microsoft xCloud"
    assert choose_hashtags(entities, title, "text " * 200) == ["#Instagram", "#MicrosoftXCloud"]
    assert "#GroceryStore" in choose_hashtags(entities, "My friend became a Grocery Store", "text " * 200)


def test_the_publishers_own_name_is_no_tag():
    """Inexhibit's page on Milan Design Week signed itself in its text (#Inexhibit); Business
    Insider's pages name Business Insider. On a Snopes fact-check, the Gossipgist that spread
    the claim is a subject, and a tag."""
    names = [("person", "Michael Anastassiades", 5), ("organization", "Inexhibit", 2), ("organization", "Business Insider", 2),
             ("place", "Gossipgist", 2)]  # fmt: skip
    entities = [ArticleEntity(kind, name, mentions, 100 * n) for n, (kind, name, mentions) in enumerate(names)]
    site = ["Inexhibit", "inexhibit.com", "Business Insider", "businessinsider.com"]
    assert choose_hashtags(entities, "Milan Design Week 2018", "text " * 200, site) == ["#MichaelAnastassiades", "#Gossipgist"]
    assert "#Inexhibit" in choose_hashtags(entities, "Milan Design Week 2018", "text " * 200, ["Snopes.com", "snopes.com"])
    # A company's own press release is about the company.
    release = [ArticleEntity("organization", "Ascom", 9, 0), ArticleEntity("place", "Baar", 2, 50)]
    assert choose_hashtags(release, "Ascom announces a partnership", "text " * 200, ["Ascom", "ascom.com"]) == ["#Ascom", "#Baar"]


def test_common_words_that_capitals_made_look_like_names_are_no_tags():
    """Zyte pages were tagged #Jam (a jam recipe), #Meth (a campaign against it), #Stats and
    #NollywoodActress: words the article itself writes in lower case, capitalised by a headline
    or a sentence's start."""
    text = (
        "Maybe Instagram changed everything. I went to the grocery store and bought jam. The jam was sweet, "
        "and new jam is better than old jam. A new shop in New York sells it; the new owners came from New York. "
        "The U.S. states with the most jam makers are new to it. Users of Instagram post jam. Grocery Store "
        "owners agree, maybe."
    )
    names = [("organization", "Jam", 3), ("organization", "Maybe Instagram", 2), ("organization", "Grocery Store", 2),
             ("place", "New York", 2), ("place", "United States", 2), ("organization", "Instagram", 1)]  # fmt: skip
    entities = [ArticleEntity(kind, name, mentions, 10 * n) for n, (kind, name, mentions) in enumerate(names)]
    assert choose_hashtags(entities, "How I make jam", text) == ["#Instagram", "#NewYork", "#UnitedStates"]


def test_a_missing_model_is_a_clear_error():
    with pytest.raises(ModelMissingError, match="not installed"):
        SpacyModel("no_such_model_package").mentions("text")


def test_enrichment_is_stored_idempotent_and_explains_odd_input(services, publisher):
    publisher.add("/seed", article_page(TITLE, STORY))
    publisher.add("/de", article_page("Bericht", ["Die Bundesregierung hat am Mittwoch neue Sanktionen gegen Russland beschlossen, teilte ein Sprecher in Berlin mit."] * 5))
    seed = services.pipeline.ingest_page(publisher.url("/seed")).article_id
    german = services.pipeline.ingest_page(publisher.url("/de")).article_id

    first = services.enricher.enrich(seed)
    again = services.enricher.enrich(seed)
    assert first.status == again.status == "ok" and first.hashtags == again.hashtags
    with services.database.read() as session:
        enrichment = EnrichmentRepository(session)
        entities = enrichment.entities(seed)
        assert len(entities) == first.entities and len({e.entity_id for e in entities}) == len(entities)
        assert enrichment.hashtags(seed) == first.hashtags
    assert services.enricher.enrich(german).status == "skipped"
    with services.database.read() as session:
        enrichment = EnrichmentRepository(session)
        assert {s.kind: s.reason for s in enrichment.statuses(german)}["quotes"] == "no models for language 'de' yet"
        assert enrichment.quotes(german) == [] and enrichment.digest(german).summary == []
    assert services.enricher.enrich(999999).status == "missing"


def test_very_long_text_is_bounded(services, publisher):
    publisher.add("/long", article_page(TITLE, STORY * 60))  # about 70,000 words
    article_id = services.pipeline.ingest_page(publisher.url("/long")).article_id
    with services.database.read() as session:
        assert len(ArticleRepository(session).get(article_id).text.split()) > 60_000
    result = services.enricher.enrich(article_id)
    assert result.status == "ok" and "only the first" in result.reason
    assert result.quotes > 0 and len(result.summary) == 3


def test_garbage_text_yields_empty_results_with_a_status(services, publisher):
    import random

    rng = random.Random(7)
    garbage = ["".join(rng.choice("qwxzj#%&*@!?;:\"“”  ") for _ in range(400)) for _ in range(8)]
    publisher.add("/garbage", article_page("x", garbage))
    article_id = services.pipeline.ingest_page(publisher.url("/garbage")).article_id
    assert article_id is not None
    result = services.enricher.enrich(article_id)
    assert result.status in ("ok", "skipped", "empty")
    with services.database.read() as session:
        statuses = {s.kind: s.status for s in EnrichmentRepository(session).statuses(article_id)}
    assert set(statuses) == {"entities", "quotes", "digest", "embedding"}


@pytest.mark.parametrize(
    "name, tag",
    [("People’s Daily", "#PeoplesDaily"), ("Tom's Guide", "#TomsGuide"), ("De’Broski Herbert", "#DeBroskiHerbert"),
     ("GE Healthcare", "#GEHealthcare"), ("iPhone", "#iPhone"), ("iPad Pro", "#iPadPro"), ("Microsoft xCloud", "#MicrosoftXCloud"),
     ("Thunderbolt 3", "#Thunderbolt3"), ("Rock-n-Roll", "#RockNRoll")],
)  # fmt: skip
def test_a_hashtag_is_the_name_in_one_word(name, tag):
    assert hashtag(name) == tag


def test_a_states_abbreviation_in_a_dateline_is_the_state():
    """AP datelines on the Zyte pages made the tags #Calif, #Ill and #SD ("SIOUX FALLS, S.D."
    beside #SouthDakota). Without its full stop an abbreviation may be a word, and stays."""
    mentions = [Mention("Calif.", "GPE", 0), Mention("California", "GPE", 40), Mention("S.D.", "GPE", 80),
                Mention("South Dakota", "GPE", 120), Mention("South Dakota", "GPE", 160), Mention("Ill", "PERSON", 200)]  # fmt: skip
    assert [(e.name, e.mentions) for e in merge_mentions(mentions)] == [("South Dakota", 3), ("California", 2), ("Ill", 1)]
    assert [clean_name(span) for span in ("N.Y.", "W.Va.", "Wash.", "Miss", "NY")] == ["New York", "West Virginia", "Washington", "Miss", "NY"]
    # A team named for its state stays an organisation, unlike "U.S." labelled as one.
    mentions = [Mention("Michigan", "ORG", 0), Mention("Michigan", "ORG", 40), Mention("U.S.", "ORG", 80)]
    assert {(e.kind, e.name) for e in merge_mentions(mentions)} == {("organization", "Michigan"), ("place", "United States")}


def test_a_name_is_one_entity_of_the_kind_most_of_its_mentions_had():
    """A Zyte page on Delhi's air had the place "Delhi" 26 times and the person "Delhi" 3 times.
    Where the recogniser was as often one thing as the other, a person it is."""
    mentions = [Mention("Delhi", "GPE", 0), Mention("Delhi", "GPE", 30), Mention("Delhi", "PERSON", 60),
                Mention("Patsy Cline", "ORG", 220), Mention("Patsy Cline", "PERSON", 250)]  # fmt: skip
    assert {(e.kind, e.name, e.mentions) for e in merge_mentions(mentions)} == {("place", "Delhi", 3), ("person", "Patsy Cline", 2)}


@pytest.mark.parametrize(
    "span, name",
    [
        ("Browns DL Sheldon Richardson", "Sheldon Richardson"),  # a team and a position, as a Zyte page wrote it
        ("CB Greedy Williams", "Greedy Williams"),
        ("CEO Tim Cook", "Tim Cook"),
        ("JJ Abrams", "JJ Abrams"),  # initials, not a position: one word follows
        ("DJ Khaled", "DJ Khaled"),
        ("KIM JONG UN", "KIM JONG UN"),  # a name in capitals
        ("T.J. Carrie", "T.J. Carrie"),
    ],
)
def test_a_position_abbreviated_before_a_persons_name_is_not_part_of_it(span, name):
    [person] = merge_mentions([Mention(span, "PERSON", 0)])
    assert person.name == name
    # An organisation keeps its capitals: "IBM Research Europe" is its name.
    assert merge_mentions([Mention("IBM Research Europe", "ORG", 0)])[0].name == "IBM Research Europe"


def test_a_place_run_into_a_persons_name_is_left_out():
    """A Snopes page: "ambassador to Ukraine Marie Yovanovitch", which the recogniser took for
    an organisation beside the person "Yovanovitch" (two tags, one #UkraineMarieYovanovitch)."""
    mentions = [Mention("Ukraine", "GPE", 0), Mention("Ukraine Marie Yovanovitch", "ORG", 40),
                Mention("Yovanovitch", "PERSON", 90), Mention("Yovanovitch", "PERSON", 140),
                Mention("Hong Kong", "GPE", 200), Mention("Hong Kong Polytechnic University", "ORG", 240),
                Mention("Ukraine Crisis Media Center", "ORG", 300)]  # fmt: skip
    entities = {(e.kind, e.name): e.mentions for e in merge_mentions(mentions)}
    assert entities[("person", "Marie Yovanovitch")] == 3 and ("organization", "Ukraine Marie Yovanovitch") not in entities
    assert ("organization", "Hong Kong Polytechnic University") in entities  # no person's surname ends it
    assert ("organization", "Ukraine Crisis Media Center") in entities


def test_a_platform_the_recogniser_took_for_a_person_or_a_place_is_an_organisation():
    # en_core_web_sm called Twitter a person in 15 of the 161 English Zyte articles, Netflix a place in 5.
    mentions = [Mention("Twitter", "PERSON", 0), Mention("Netflix", "GPE", 20), Mention("Taylor Swift", "PERSON", 40)]
    assert {(e.kind, e.name) for e in merge_mentions(mentions)} == {
        ("organization", "Twitter"), ("organization", "Netflix"), ("person", "Taylor Swift"),
    }
