"""Quotes and speakers with the real spaCy model, on the seed article and on PolNeAR."""

import pytest

from newsloom.enrich.nlp import SpacyModel
from newsloom.enrich.quotes import quotes_in
from newsloom.evaluation.quotes import evaluate, load_polnear, score
from tests.support.benchdata import BENCHDATA
from tests.support.site import is_boilerplate_line, seed_story

TITLE, LINES = seed_story()
STORY = "\n".join(line for line in LINES if not is_boilerplate_line(line))
POLNEAR_DEV = BENCHDATA / "quotes-polnear" / "data" / "dev"


@pytest.fixture(scope="module")
def model():
    return SpacyModel()


@pytest.fixture(scope="module")
def seed_quotes(model):
    return quotes_in(STORY, model)


def quotes_by_text(text: str, model) -> dict:
    return {q.text: q for q in quotes_in(text, model)}


def _quote(quotes, words: str):
    found = [q for q in quotes if words in q.text]
    assert found, f"no quote with {words!r}"
    return found[0]


def test_the_seed_article_quotes_have_the_right_speakers_and_roles(seed_quotes):
    heaven = _quote(seed_quotes, "match made in heaven")
    assert heaven.speaker == "Temur Umarov" and heaven.cue == "added"
    assert STORY[heaven.speaker_start : heaven.speaker_end] == "he"  # named by a pronoun, resolved
    assert heaven.affiliation == "a research fellow at the Berlin-based Carnegie Russia Eurasia Center"
    rubio = _quote(seed_quotes, "I don't know if we'll ever be successful completely")
    assert rubio.speaker == "Marco Rubio"
    fraser = _quote(seed_quotes, "China appears satisfied with this arrangement")
    assert fraser.speaker == "Callum Fraser" and fraser.cue == "according to"
    assert "RUSI" in fraser.affiliation
    kim = _quote(seed_quotes, "providing lethal assistance to Russia")
    assert kim.speaker == "Patricia Kim"  # "Kim explained": the surname resolves to the full name
    # The parser makes the title the subject of "saying"; the name it introduces is the speaker.
    kellogg = _quote(seed_quotes, "break (Vladimir) Putin's alliances")
    assert kellogg.speaker == "Keith Kellogg" and kellogg.affiliation == "Former United States Special Envoy for Ukraine and Russia"


def test_a_paragraph_that_is_only_a_quote_continues_the_speaker_before(seed_quotes):
    follow_up = _quote(seed_quotes, "They think this system should be reformed")
    assert follow_up.speaker == "Temur Umarov" and follow_up.cue is None


def test_scare_quotes_are_not_quotes(seed_quotes):
    assert not [q for q in seed_quotes if q.text.startswith("reverse Kissinger")]
    assert all(STORY[q.start : q.end].strip(" ,") == q.text for q in seed_quotes)  # offsets point at the words


def test_colon_and_preceding_paragraph_introductions(model):
    text = (
        "The senator spoke at length on Tuesday. In a speech in Ohio, Senator Maria Lopez declared:\n"
        "“We will not stop until every worker has a fair wage and a safe place to work.”\n"
        "The crowd cheered.\n"
        "“Really,” Lopez added. “We mean it this time, and we have the votes to prove it.”"
    )
    quotes = quotes_by_text(text, model)
    assert quotes["We will not stop until every worker has a fair wage and a safe place to work."].speaker == "Maria Lopez"
    assert quotes["Really"].speaker == "Maria Lopez"  # a one-word quote, kept because it has its own cue
    assert quotes["We mean it this time, and we have the votes to prove it."].speaker == "Maria Lopez"


def test_a_title_in_front_of_the_name_is_the_speakers_role(model):
    text = (
        "Gas prices rose again in Warsaw on Monday, and ministers met late into the night. "
        "Officials said, energy security analyst Wojciech Jakóbik warned on Monday that the winter would be hard.\n"
        "“Poland has enough gas stored for the winter, but not for a second one like it,” Jakóbik said.\n"
        "“The market is calm now, and that will not last past the spring,” Anna Nowak said."
    )
    quotes = quotes_by_text(text, model)
    stored = quotes["Poland has enough gas stored for the winter, but not for a second one like it"]
    assert stored.speaker == "Wojciech Jakóbik"
    # The words before the name up to the clause's comma, not "Officials said,".
    assert stored.affiliation == "energy security analyst"
    assert quotes["The market is calm now, and that will not last past the spring"].affiliation is None


def test_works_named_in_quotation_marks_are_no_ones_words(model):
    # IndieWire's page on the Zyte set gave two films to the filmmaker who made them.
    text = (
        "Fun as that might sound — the late neurologist wrote about similar symptoms in his book “Musicophilia” — "
        "Steenburgen wasn’t thrilled about the sudden mental shift. The next two months were tough.\n"
        "Steenburgen’s son, filmmaker Charlie McDowell (“The Discovery,” “The One I Love”), also remembers it as a "
        "trying time. “If your mom comes to you after surgery and says that her head is now full of music, I think it’s fair,” he said."
    )
    quotes = quotes_by_text(text, model)
    assert [(words[:11], quote.speaker) for words, quote in quotes.items()] == [("If your mom", "Charlie McDowell")]


def test_she_is_the_woman_named_last_by_surname_not_a_name_inside_a_quoted_title(model):
    # The recogniser found "Howard" in the film title “Melvin and Howard” and missed the bare
    # surname "Steenburgen" in the paragraph of the quotation.
    text = (
        "The bizarre odyssey of how Oscar-winning actress Mary Steenburgen came to co-write the song began 10 years ago, "
        "when the “Melvin and Howard” star woke up after a minor arm surgery feeling like her mind was on fire.\n"
        "Fun as that might sound, Steenburgen wasn’t thrilled about the sudden mental shift. The next two months were tough. "
        "“I couldn’t focus, I couldn’t have acted,” she said."
    )
    quote = quotes_by_text(text, model)["I couldn’t focus, I couldn’t have acted"]
    assert (quote.speaker, text[quote.speaker_start : quote.speaker_end]) == ("Mary Steenburgen", "she")


def test_a_role_is_a_title_not_the_clause_or_the_list_around_a_name(model):
    # Seen on IndieWire and Dealbreaker pages of the Zyte set.
    text = (
        "The bizarre odyssey of how Oscar-winning actress Mary Steenburgen came to co-write the song began 10 years ago.\n"
        "“I felt strange as soon as the anesthesia started to wear off,” Steenburgen said.\n"
        "Swift took to Twitter to air her grievances with Big Machine, Braun and The Carlyle Group (what a time), recruiting fans. "
        "Big Machine has denied Swift’s claims, saying they were “shocking and false.”"
    )
    quotes = quotes_by_text(text, model)
    steenburgen = quotes["I felt strange as soon as the anesthesia started to wear off"]
    assert (steenburgen.speaker, steenburgen.affiliation) == ("Mary Steenburgen", "Oscar-winning actress")
    assert quotes["shocking and false."].affiliation is None


def test_a_title_names_the_person_it_introduces_but_not_one_a_clause_later(model):
    text = (
        "Ministers met on Monday to discuss the flood damage along the river.\n"
        "“The bridge will reopen by the spring, whatever the weather does,” the minister said, thanking engineer Jane Doe.\n"
        "“Nobody is leaving this table before a deal,” the State Department spokesman, John Kirby, told reporters."
    )
    quotes = quotes_by_text(text, model)
    assert quotes["The bridge will reopen by the spring, whatever the weather does"].speaker == "the minister"
    kirby = quotes["Nobody is leaving this table before a deal"]  # the apposition was once taken for the role
    assert (kirby.speaker, kirby.affiliation) == ("John Kirby", "the State Department spokesman")


def test_text_without_quotes_or_speakers_yields_nothing(model):
    assert quotes_in("", model) == []
    assert quotes_in("Prices rose. “Unattributed words that nobody said in this sentence at all.”\nThen it rained.", model) == []


def test_polnear_scorer_counts_overlaps():
    from newsloom.enrich.quotes import Quote
    from newsloom.evaluation.quotes import AnnotatedArticle, GoldAttribution

    text = '"We will win this race," she said. He said that they might lose.'
    gold = [
        GoldAttribution([(0, 25)], [(26, 29)], direct=True),
        GoldAttribution([(44, 64)], [(35, 37)], direct=False),
    ]
    article = AnnotatedArticle("x", text, gold)
    right = Quote("We will win this race", 1, 22, "she", 26, 29, None, "said")
    wrong_speaker = Quote("We will win this race", 1, 22, "He", 35, 37, None, "said")
    paraphrase = Quote("they might lose", 49, 64, "He", 35, 37, None, "said")
    result = score([article], [[right, paraphrase]])
    assert (result.quotes.precision, result.quotes.recall, result.speakers.f1) == (1.0, 1.0, 1.0)
    result = score([article], [[wrong_speaker]])
    assert result.quotes.f1 == 1.0 and result.speakers.f1 == 0.0


def test_polnear_scorer_credits_every_part_an_interrupted_quote_covers():
    from newsloom.enrich.quotes import Quote
    from newsloom.evaluation.quotes import AnnotatedArticle, GoldAttribution

    text = '"So," Alito declared, "I take it your answer is no."'
    # PolNeAR sometimes annotates the two parts as two attributions.
    gold = [GoldAttribution([(1, 3)], [(6, 11)], direct=True), GoldAttribution([(23, 50)], [(6, 11)], direct=True)]
    whole = Quote("So, I take it your answer is no.", 1, 50, "Alito", 6, 11, None, "declared")
    result = score([AnnotatedArticle("x", text, gold)], [[whole]])
    assert (result.quotes.precision, result.quotes.recall) == (1.0, 1.0)
    assert (result.speakers.precision, result.speakers.recall) == (1.0, 1.0)


def test_a_quotation_its_attribution_interrupts_is_one_quote(model):
    text = (
        "“So,” Alito declared, “I take it your answer is that you do not.”\n"
        "“From now on,” he quipped, “I’m going to expect all the briefs to be in iambic pentameter.”\n"
        "“I think it is over,” she said. “We should go home now, all of us.”\n"
    )
    assert [(q.text, q.speaker) for q in quotes_in(text, model)] == [
        ("So, I take it your answer is that you do not.", "Alito"),
        ("From now on, I’m going to expect all the briefs to be in iambic pentameter.", "Alito"),
        ("I think it is over", "she"),
        ("We should go home now, all of us.", "she"),
    ]


def test_a_paragraph_in_straight_marks_with_a_curly_closing_one_pairs_its_marks(model):
    """An AP story as hosted.ap.org serves it: the first quotation closes with a curly mark, the
    rest are straight. Pairing the straight marks alone gave Sondland the quotation
    "And I asked, well, on whose authority?” said Hill, who will testify Thursday."; and "Last
    week" was no part of David Holmes's title."""
    text = (
        "Sondland was in Brussels, said another witness, former White House Russia adviser Fiona Hill.\n"
        '"And I asked, well, on whose authority?” said Hill, who will testify Thursday. "And he said, the President."\n'
        "Last week State Department official David Holmes revealed one of those interactions.\n"
        "“I then heard President Trump ask about the investigation,” Holmes testified."
    )
    assert [(q.text, q.speaker, q.affiliation) for q in quotes_in(text, model)] == [
        ("And I asked, well, on whose authority?", "Fiona Hill", "former White House Russia adviser"),
        ("And he said, the President.", "Fiona Hill", "former White House Russia adviser"),
        ("I then heard President Trump ask about the investigation", "David Holmes", "State Department official"),
    ]


def test_polnear_dev_floor(model):
    """Measured 2026-12-01: quote F1 0.951 (P 0.967 R 0.935), speaker F1 0.864 (P 0.876 R 0.852)
    on the 84 dev articles; floors a little under, so the score can only rise."""
    articles = load_polnear(POLNEAR_DEV)
    assert len(articles) == 84
    result = evaluate(articles, model)
    assert result.quotes.f1 >= 0.945
    assert result.speakers.f1 >= 0.86


def test_a_name_given_with_called_is_not_a_quote(model):
    text = (
        "When the lung disease comes from feathers in a duvet, it is called “feather duvet lung.” "
        "Mold in hay can lead to what’s called “farmer's lung,” doctors say.\n"
        "A song came in at the last minute called “Glasgow (No Place Like Home)” from a writer in Nashville."
    )
    assert quotes_in(text, model) == []


def test_it_stands_for_the_organisation_that_spoke(model):
    text = (
        "Prosecutors in Sweden closed the case on Tuesday. The Swedish Prosecution Authority said the decision was final.\n"
        "“The evidence has weakened considerably because of the long time that has passed,” it added."
    )
    (quote,) = quotes_in(text, model)
    assert quote.speaker == "Swedish Prosecution Authority"
    assert text[quote.speaker_start : quote.speaker_end] == "it"  # the mention stays what the text says


def test_she_is_never_the_statement_that_spoke_before(model):
    text = (
        "Senator Maria Lopez met the strikers in Ohio on Monday.\n"
        "“Every worker in this state deserves a fair wage,” the statement said.\n"
        "“I will be back here next week, and the week after that,” she told reporters."
    )
    quotes = quotes_by_text(text, model)
    assert quotes["Every worker in this state deserves a fair wage"].speaker == "the statement"
    assert quotes["I will be back here next week, and the week after that"].speaker == "Maria Lopez"


def test_speakers_through_relative_clauses_and_reported_speech(model):
    text = (
        "The town hall ran late into the evening.\n"
        "Senator Jane Doe was among those who spoke, saying “we will not stand for this at all.”\n"
        "Minister Karl Weber said the talks would go on, adding: “We are close to a deal with them.”\n"
        "She shared the group's website, which carries the following statement: “South Dakota has a problem with meth.”"
    )
    quotes = quotes_by_text(text, model)
    assert quotes["we will not stand for this at all."].speaker == "Jane Doe"  # not "those"
    assert quotes["We are close to a deal with them."].speaker == "Karl Weber"  # not "the talks"
    assert quotes["South Dakota has a problem with meth."].speaker == "the group's website"  # not "which"


def test_a_title_or_a_name_in_quotation_marks_is_no_ones_words(model):
    text = (
        "“Clearly the CEO of any US company is going to want to be on friendly terms. But being friendly "
        "doesn’t make you friends,” Gates said in an interview on NBC’s “Meet the Press.”\n"
        "The checkpoints feed a vast array of CCTV cameras dubbed “Hebron Smart City.” According to critics, "
        "the aim is to make life as difficult as possible.\n"
        "Marcel Lazăr Lehel, the hacker known as “Guccifer,” pleaded guilty.\n"
        "Clinton says she respects Sanders’ “passion and commitment to the cause.”\n"
        "When it is feathers on a bird, the term often used is “bird fancier’s lung.” Experts say it is rare.\n"
    )
    found = quotes_by_text(text, model)
    assert set(found) == {
        "Clearly the CEO of any US company is going to want to be on friendly terms. But being friendly doesn’t make you friends",
        "passion and commitment to the cause.",
    }
    assert found["passion and commitment to the cause."].speaker == "Clinton"


def test_a_quotations_own_words_are_never_its_speaker(model):
    # The parser once made “ahs” the subject of "plague", and "Ferguson" a second subject of "said".
    text = (
        "“I like to go in front of judges,” Prelogar said about the experience on NPR’s “Wait, Wait … Don’t "
        "Tell Me!” Her language is shed of the usual “ums” and “ahs” that plague many lawyers.\n"
        "“Like Oakland. Or Ferguson,”\xa0Trump said.\xa0“The crime numbers are worse.”\n"
        "“I think it’s been surprising to see some of the prejudice and paranoia,”Clinton said.\n"
        '"We\'ll make a determination whether the balloons will fly or not," Patrol Chief James Hall said Wednesday.\n'
    )
    found = quotes_by_text(text, model)
    assert "ums" not in found and "ahs" not in found and "Wait, Wait … Don’t Tell Me!" not in found
    assert found["I like to go in front of judges"].speaker == "Prelogar"
    assert found["Like Oakland. Or Ferguson"].speaker == "Trump"
    assert found["The crime numbers are worse."].speaker == "Trump"
    assert found["I think it’s been surprising to see some of the prejudice and paranoia"].speaker == "Clinton"
    assert found["We'll make a determination whether the balloons will fly or not"].speaker == "Patrol Chief James Hall"


def test_the_speaker_is_the_subject_before_the_verb_not_an_object_parsed_as_one(model):
    text = (
        '"Stadia has been built from the ground up to be a cloud platform," Jack Buser, director for games at '
        'Google, tells The Hollywood Reporter. "You are going to see a number of things."'
    )
    assert {q.speaker for q in quotes_in(text, model)} == {"Jack Buser"}


def test_a_relation_names_the_person_right_after_it_but_not_the_one_it_relates_to(model):
    text = (
        "He said his predecessor, Fiona Hill, had dubbed the envoy's role as “the Gordon problem in our policy.”\n"
        "“If he loses, he’ll give even more credence to our view,” said the former top aide to President George W. Bush.\n"
    )
    found = quotes_by_text(text, model)
    assert found["the Gordon problem in our policy."].speaker == "Fiona Hill"
    assert found["the Gordon problem in our policy."].affiliation is None  # "his predecessor" is no role
    assert found["If he loses, he’ll give even more credence to our view"].speaker == "the former top aide"


def test_a_role_after_a_name_holds_no_other_persons_name(model):
    """Wired on Instagram: "Like Instagram head Adam Mosseri, Twitter CEO Jack Dorsey has spoken
    out ..." gave Mosseri the role "Twitter CEO Jack Dorsey has spoken out about ..."."""
    text = (
        "Like Instagram head Adam Mosseri, Twitter CEO Jack Dorsey has spoken out about the toxic consequences of metrics.\n"
        "Mosseri has said he wants Instagram to be “a space that feels much less pressurized.”"
    )
    assert [(q.speaker, q.affiliation) for q in quotes_in(text, model)] == [("Adam Mosseri", "Instagram head")]


def test_she_after_a_platform_taken_for_a_person_is_the_woman_named_before(model):
    # From BBC Newsbeat (Zyte page): the recogniser called Twitter a person, and "she said" meant it.
    text = (
        "Then, last week, Taylor Swift posted on Twitter accusing Big Machine of trying to stop her performing "
        "tracks from her first six albums at the AMAs.\n"
        "She claimed the label thought the performance would amount to a re-recording.\n"
        "\"I just want to be able to perform my own music,\" she said.\n"
    )
    assert _quote(quotes_in(text, model), "perform my own music").speaker == "Taylor Swift"


def test_a_colon_introduces_the_one_in_whose_words_and_never_some_or_things(model):
    # From a Zyte page (Newsweek on "feather duvet lung"): the clause's subject is "things".
    patient = (
        "The man had been short of breath for months. Here is how bad things got in the words of the patient: "
        "“Two months after the onset of the symptoms, I was unable to stand or walk for more than a few minutes.”\n"
    )
    assert _quote(quotes_in(patient, model), "onset of the symptoms").speaker == "the patient"
    highlights = "The hearing ran for hours. Here are some of the highlights:\n“My fears have been realized, and I said so often.”\n"
    assert all(q.speaker.casefold() != "some" for q in quotes_in(highlights, model))
