"""A page's own "more stories" section never reaches the article body."""

from html import escape

from newsloom.extract import extract_article
from newsloom.extract.sections import drop_related_sections
from tests.support.benchdata import zyte_ground_truth, zyte_page

BLOG_WITH_TEASERS = "b3c19dd5f0612d098788fa5173e491b3280da6226b492f8fe110f4ab1896cca8"  # mensagensreflexao.com.br
STORY = [
    "The council approved the budget on Tuesday after a long debate about schools and roads.",
    "Members said the new library would open next spring, two years later than first planned.",
    "The mayor thanked residents who had written in support of the plan during the consultation.",
]
TEASER = "Another post entirely: how to grow tomatoes on a balcony in a small city flat this summer."


def page(heading: str, heading_class: str = "") -> str:
    story = "".join(f"<p>{escape(p)}</p>" for p in STORY)
    teasers = "".join(f"<article class='post'><p>{escape(TEASER)} ({n})</p></article>" for n in range(4))
    return (
        "<html><head><meta charset='utf-8'><title>Budget</title></head><body>"
        f"<article class='post'><h1>Budget approved</h1>{story}</article>"
        f"<section><h3 class='{heading_class}'>{escape(heading)}</h3>{teasers}</section>"
        "</body></html>"
    )


def test_a_real_blog_page_loses_its_teasers_and_keeps_its_text():
    truth = zyte_ground_truth()[BLOG_WITH_TEASERS]["articleBody"]
    text = extract_article(zyte_page(BLOG_WITH_TEASERS), "https://www.mensagensreflexao.com.br/quem-se-ama").text
    assert truth.split(".")[0] in text
    assert "Whatsapp" not in text and "A vida requer da gente otimismo" not in text
    assert len(text) < 1.2 * len(truth)


def test_a_heading_labelled_as_more_stories_goes_with_what_follows_it():
    for label in ("You may also like", "Related posts", "Você pode gostar...", "Lire aussi :"):
        cleaned = drop_related_sections(page(label))
        assert "tomatoes" not in cleaned, label
        assert all(paragraph in cleaned for paragraph in STORY), label


def test_a_heading_whose_class_says_related_goes_too():
    cleaned = drop_related_sections(page("Keep reading", heading_class="jp-relatedposts-headline"))
    assert "tomatoes" not in cleaned and STORY[0] in cleaned


def test_an_ordinary_heading_keeps_its_section():
    html = page("What the budget pays for")
    assert drop_related_sections(html) is html


def test_a_non_utf8_page_reads_the_same_after_the_pass():
    html = page("Related").replace("utf-8", "iso-8859-1").replace("council", "conseil général").encode("iso-8859-1")
    assert "conseil général" in drop_related_sections(html)


def test_what_is_not_a_page_comes_back_unchanged():
    assert drop_related_sections(b"") == b""


def test_a_card_hidden_in_a_sentence_leaves_and_the_sentence_stays_whole():
    """The Hill's hover card of a person (photo, full name, headlines, "MORE") read as part of
    the sentence: "Gov. Kristi NoemKristi Lynn NoemSouth Dakota governor doubles down ..."."""
    page_id = next(key for key, page in zyte_ground_truth().items() if "thehill.com/homenews" in page["url"])
    text = extract_article(zyte_page(page_id), zyte_ground_truth()[page_id]["url"]).text
    assert text.startswith("South Dakota Gov. Kristi Noem (R) is defending the state’s launch of an anti-drug campaign")
    assert "Kristi Lynn Noem" not in text and "MORE" not in text


def test_a_picture_with_one_link_in_a_paragraph_stays():
    inline = (
        "<html><body><article><h1>Budget approved</h1>"
        + "".join(f"<p>{escape(p)}</p>" for p in STORY)
        + "<p>The plan <span class='figure'><img src='/plan.png' alt=''> <a href='/plan.pdf'>as filed</a></span>"
        " was published online, <span>with <a href='/a'>maps</a> and <a href='/b'>costs</a></span>.</p>"
        "</article></body></html>"
    )
    assert drop_related_sections(inline) == inline
