"""Questions answered from the article's own sentences, with the real embedding model."""

import pytest

from newsloom.enrich.answers import answer, content_words
from newsloom.enrich.embeddings import MiniLmEmbedder
from newsloom.enrich.sentences import split_sentences
from tests.support.site import is_boilerplate_line, seed_story

TITLE, LINES = seed_story()
STORY = "\n".join(line for line in LINES if not is_boilerplate_line(line))


@pytest.fixture(scope="module")
def ask():
    embedder = MiniLmEmbedder()
    sentences = split_sentences(STORY)
    vectors = embedder.embed([s.text for s in sentences])
    return lambda question: answer(question, sentences, vectors, embedder.embed([question])[0])


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("What does Rubio think about peeling Russia away from China?", "peeling them off"),
        ("What does North Korea get from Russia?", "military technology"),
        ("Why is the reverse Kissinger strategy doubtful?", "reverse Kissinger"),
        ("Does China buy gas from Russia?", "gas"),
        # The sentence that names him is long and about something else (cosine 0.25): it holds
        # every word of the question, so a lower cosine suffices.
        ("Who is Temur Umarov?", "Temur Umarov, a research fellow"),
        ("Who is Callum Fraser?", "Callum Fraser, a research fellow"),
    ],
)
def test_answers_cite_the_sentences_that_answer(ask, question, expected):
    result = ask(question)
    assert result.answered and 1 <= len(result.sentences) <= 3
    assert any(expected in s.text for s in result.sentences)
    assert all(STORY[s.start : s.end] == s.text for s in result.sentences)  # cited where they stand


@pytest.mark.parametrize("question", ["Who won the football match yesterday?", "How do I bake sourdough bread?", "What is the capital of France?"])
def test_questions_the_article_does_not_answer_say_so(ask, question):
    result = ask(question)
    assert not result.answered and result.sentences == [] and "does not" in result.reason


def test_empty_question_and_empty_article(ask):
    assert ask("   ").reason == "the question is empty"
    embedder = MiniLmEmbedder()
    assert answer("Why?", [], embedder.embed([]), embedder.embed(["Why?"])[0]).reason == "the article has no text to answer from"


def test_capitals_and_initials_are_names_not_stopwords():
    assert content_words("Why will the US fail?") == ["us", "fail"]
    assert content_words("What did the U.S. say to us?") == ["us"]  # the country; the pronoun goes
    assert content_words("Who is it for?") == []
