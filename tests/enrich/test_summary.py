"""Summary and key points with the real embedding model."""

import pytest

from newsloom.enrich.sentences import split_sentences
from newsloom.enrich.summary import (
    LEAD_SENTENCES,
    SAMPLED_SENTENCES,
    candidates,
    digest,
    key_point_count,
    read_by_transformer,
)
from newsloom.evaluation.summaries import evaluate, load_cases
from tests.conftest import configured_embedder
from tests.support.benchdata import BENCHDATA
from tests.support.site import is_boilerplate_line, seed_story

TITLE, LINES = seed_story()
STORY = "\n".join(line for line in LINES if not is_boilerplate_line(line))


@pytest.fixture(scope="module")
def embedder():
    return configured_embedder()


def test_summary_and_key_points_are_the_article_own_distinct_sentences(embedder):
    sentences = split_sentences(STORY)
    chosen = digest(sentences, TITLE, embedder)
    assert len(chosen.summary) == 3 and len(chosen.key_points) == key_point_count(len(sentences))
    picked = chosen.summary + chosen.key_points
    assert all(s.text in STORY for s in picked)  # never invented text
    assert len({s.start for s in picked}) == len(picked)  # key points repeat nothing from the summary
    assert [s.start for s in chosen.summary] == sorted(s.start for s in chosen.summary)  # article order
    assert all(s.start < sentences[LEAD_SENTENCES].start for s in chosen.summary)  # the summary comes from the lead
    assert any(s.paragraph > sentences[len(sentences) // 2].paragraph for s in chosen.key_points)  # key points reach past it
    assert chosen.read_vectors.shape == (LEAD_SENTENCES + SAMPLED_SENTENCES, 384) and chosen.title_vector is not None


def test_short_or_empty_articles_get_what_they_have(embedder):
    sentences = split_sentences("Too short. Fragments only here.")
    chosen = digest(sentences, None, embedder)
    assert chosen.summary == [] and chosen.key_points == []
    assert digest([], None, embedder).summary == []


def test_rouge_on_summeval_beats_lead3_in_the_same_run(embedder):
    """Measured 2026-11-30 on summeval_cnndm100: ours 42.05/19.59/37.96, LEAD-3 41.49/19.28/37.47
    (ROUGE-1/2/Lsum), the same with float or integer embeddings. The weights and the lead's
    length were chosen on realsumm_cnndm100, not on this set."""
    lead3, ours = evaluate(load_cases(BENCHDATA / "summaries" / "summeval_cnndm100.jsonl"), embedder)
    assert lead3.articles == ours.articles == 100
    assert ours.rouge1 >= 41.9 and ours.rouge2 >= 19.5 and ours.rougeL >= 37.8  # each figure, not the tuple's order
    assert ours.rouge1 >= lead3.rouge1 and ours.rouge2 >= lead3.rouge2 and ours.rougeL >= lead3.rougeL


def test_the_transformer_reads_a_bounded_lead_and_sample():
    long_article = split_sentences(" ".join(f"Sentence number {n} says something about the council's budget vote." for n in range(150)))
    read = read_by_transformer(long_article, list(range(len(long_article))))
    assert len(read) == LEAD_SENTENCES + SAMPLED_SENTENCES and read == sorted(set(read))
    assert read[:LEAD_SENTENCES] == list(range(LEAD_SENTENCES))
    whole = LEAD_SENTENCES + SAMPLED_SENTENCES
    assert read_by_transformer(long_article[:whole], list(range(whole))) == list(range(whole))  # short articles are read whole
    assert read_by_transformer(long_article, [0, 1, 120]) == [*range(LEAD_SENTENCES), 120]  # the sample skips fragments


def test_the_sample_takes_later_sentences_about_the_article_not_asides_or_repeats():
    lead = [
        "The city council passed the budget after a long vote on school funding.",
        "Council members argued over the budget's cuts to school funding for weeks.",
        "The mayor said the budget vote protects school funding and city services.",
        "Teachers had asked the council to restore school funding in the budget.",
        "The budget vote followed months of council hearings on school funding.",
        "Critics said the council budget still leaves school funding short.",
        "Parents packed the council chamber before the budget vote on school funding.",
        "The council clerk read the budget aloud before the school funding vote began.",
    ][:LEAD_SENTENCES]
    more = [
        "The council will revisit school funding when the budget is reviewed in spring.",
        "The budget adds money for school buses, a council aide said.",
        "School funding rose by four percent in the council's final budget.",
        "Two council members voted against the budget over school funding.",
        "The school board welcomed the council's budget and its funding.",
        "Union leaders said the budget vote was a win for school funding.",
        "The council's budget also funds repairs to three school roofs.",
        "Next year's budget talks will start with school funding, the council said.",
    ]
    asides = [f"Filler{n}alpha filler{n}beta filler{n}gamma filler{n}delta filler{n}omega." for n in range(30)]
    copy = "The council budget vote settled school funding for the year."
    later = [*asides[:10], *more[:4], *[copy] * 6, *asides[10:20], *more[4:], *asides[20:]]
    sentences = split_sentences(" ".join([*lead, *later]))
    read = read_by_transformer(sentences, list(range(len(sentences))))
    sampled = [sentences[i].text for i in read[LEAD_SENTENCES:]]
    assert len(sampled) == SAMPLED_SENTENCES
    assert not any(text.startswith("Filler") for text in sampled)  # asides share no word with the article
    assert sampled.count(copy) <= 1  # a repeat counts against its copies: the rest of the topic comes first


@pytest.mark.parametrize(
    ("text", "shown_alone"),
    [
        pytest.param(
            "Are you in the grips of the wintry storm? Please share your videos, pictures and stories at iReport.\n"
            "Some of the other more interesting food-related data points include:\n"
            "Pizza was searched more than the World Cup this year.\n"
            "Sign up for our newsletter to get the news every morning.\n"
            "Watch: the moment the old bridge fell into the river\n"
            "Watch parties were held across the city on Sunday night.\n"
            "“I’m not making that point. I tried to make it as clear as I could. I really did try to, you know. "
            "I just want to emphasize I’m not making that point,” Alito said.\n"
            "Please, the mayor said, the city needs more time to clear the roads.",
            [
                "Pizza was searched more than the World Cup this year.",
                "Watch parties were held across the city on Sunday night.",
                "Please, the mayor said, the city needs more time to clear the roads.",
            ],
            id="a list's introduction, a call to the reader, a piece of a quotation",
        ),
        pytest.param(  # seen on Fox Business and NJ.com pages of the Zyte set
            "Dow component Home Depot reported third-quarter earnings that topped estimates.\n"
            "HD | THE HOME DEPOT INC. | 225.86 | -12.99 | -5.44%\n"
            "(We never did settle on one, unlike our 565 municipalities, which are packed with them.)\n"
            "Shares of the retailer fell more than five percent before the opening bell.",
            [
                "Dow component Home Depot reported third-quarter earnings that topped estimates.",
                "Shares of the retailer fell more than five percent before the opening bell.",
            ],
            id="a table row, an aside in brackets",
        ),
    ],
)
def test_what_cannot_stand_alone_is_never_a_summary_sentence(text, shown_alone):
    sentences = split_sentences(text)
    assert [sentences[i].text for i in candidates(sentences)] == shown_alone
