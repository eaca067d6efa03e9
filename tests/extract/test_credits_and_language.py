import pytest

from newsloom.extract import extract_article
from newsloom.extract.credits import find_credit
from newsloom.extract.language import article_language
from newsloom.store import ArticleRepository, SourceRepository
from tests.support.benchdata import NEWSPAPER_HTML
from tests.support.site import article_page, is_boilerplate_line, seed_story

STORY = [line for line in seed_story()[1] if not is_boilerplate_line(line)]


@pytest.mark.parametrize(
    "text, author, expected",
    [
        ("KYIV (Reuters) - Russia launched 90 drones overnight.\nMore.", None, ("Reuters", "reuters.com")),
        ("WASHINGTON (AP) — The Senate voted on Tuesday.", None, ("The Associated Press", "apnews.com")),
        ("Body of the story.", "Associated Press", ("The Associated Press", "apnews.com")),
        ("Body.\nThis article originally appeared in The Conversation.", None, ("Conversation", None)),
        ("Body.\nThis story was first published by ProPublica, a nonprofit newsroom.", None, ("ProPublica", None)),
        ("Body.\nRepublished with permission from the Kyiv Independent.", None, ("Kyiv Independent", None)),
    ],
)
def test_credits(text, author, expected):
    credit = find_credit(text, author)
    assert (credit.name, credit.domain) == expected


@pytest.mark.parametrize(
    "text",
    ["The article was published in 2019 and ran long.", "He said (AP) style was fine.", "Nothing to see here."],
)
def test_no_false_credits(text):
    assert find_credit(text) is None


@pytest.mark.parametrize(
    "page, expected",
    [
        ("spanish_article.html", "es"),
        ("chinese_article.html", "zh"),
        ("japanese_article.html", "ja"),
        ("arabic_article.html", "ar"),
        ("thai_article.html", "th"),
        ("latvian_article.html", "lv"),
        ("cnn_article.html", "en"),
    ],
)
def test_pages_in_other_languages_are_extracted_in_that_language(page, expected):
    result = extract_article((NEWSPAPER_HTML / page).read_bytes(), "https://news.example/a", min_chars=0)
    assert len(result.text) > 100
    assert article_language(result.text, result.metadata.language) == expected


def test_short_texts_fall_back_to_the_declared_language():
    assert article_language("Kurz.", "de-AT") == "de"
    assert article_language("Short.", None) is None


def test_republication_note_links_a_known_publisher(services, publisher):
    with services.database.write() as session:
        SourceRepository(session).get_or_create("kyivindependent.com", "The Kyiv Independent")
    publisher.add("/reprint", article_page("Reprint", STORY + ["Republished with permission from the Kyiv Independent."]))
    publisher.add("/wire", article_page("Wire", ["MOSCOW (Reuters) - " + STORY[0]] + STORY[1:6]))
    reprint = services.pipeline.ingest_page(publisher.url("/reprint"))
    wire = services.pipeline.ingest_page(publisher.url("/wire"))
    with services.database.read() as session:
        articles = ArticleRepository(session)
        assert articles.get(reprint.article_id).original_source.domain == "kyivindependent.com"
        assert articles.get(wire.article_id).original_source.domain == "reuters.com"
        assert articles.get(wire.article_id).language == "en"
