from newsloom.extract import strip_boilerplate

STORY = [f"Paragraph {n} of the story, long enough to be real article text about the talks." for n in range(12)]


def body(*blocks: str) -> str:
    return "".join(block if block.startswith("<") else f"<p>{block}</p>" for block in blocks)


def test_link_lines_and_buttons_go_anywhere_story_stays():
    cleaned = strip_boilerplate(body(STORY[0], "Read also: Putin's 'ceasefire'", STORY[1], "Sign up", *STORY[2:]))
    assert cleaned.removed == ["Read also: Putin's 'ceasefire'", "Sign up"]
    assert all(paragraph in cleaned.html for paragraph in STORY)


def test_edge_furniture_goes_only_at_the_edges():
    middle = "Subscribe to our newsletter"
    cleaned = strip_boilerplate(body(*STORY[:5], middle, *STORY[5:], "5 comments", "© 2019 Publisher. All rights reserved."))
    assert "5 comments" in cleaned.removed and middle not in cleaned.removed
    assert all("rights reserved" not in kept for kept in cleaned.html.split("</p>"))


def test_a_signature_at_the_end_goes_and_a_sentence_that_opens_with_by_stays():
    signature = "-- By Michael Russell Follow @tdmrussell"  # cleveland.com, newspaper4k's cleveland.com1.html
    sentence = "By then the talks were over."
    cleaned = strip_boilerplate(body(*STORY, sentence, signature))
    assert cleaned.removed == [signature]


def test_a_trailing_related_section_is_cut_whole():
    cleaned = strip_boilerplate(body(*STORY, "<h2>Top stories</h2>", "Other headline one", "Other headline two"))
    assert cleaned.removed == ["Top stories", "Other headline one", "Other headline two"]
    assert all(paragraph in cleaned.html for paragraph in STORY)


def test_a_related_heading_early_in_the_story_is_kept():
    html = body(STORY[0], "<h2>Related</h2>", *STORY[1:])
    assert strip_boilerplate(html).removed == []


def test_long_paragraphs_that_start_like_furniture_are_kept():
    long = "Related: " + "the minister said the plan would cut emissions and create jobs across the region " * 4
    assert strip_boilerplate(body(STORY[0], long, *STORY[1:])).removed == []


TITLE = "Google Bets on the Future With Launch of Stadia Game Streaming Service"


def test_a_copy_of_the_headline_on_top_goes_with_its_label_and_byline():
    """The Hollywood Reporter's layout, as trafilatura returns it for a page of the Zyte set."""
    html = (
        '<p><a href="https://example.com/tech">TECH</a></p>'
        f"<h2>{TITLE}</h2><p>5:45 AM PST 11/19/2019 by Patrick Shanley</p>" + body(*STORY[:3])
    )
    cleaned = strip_boilerplate(html, TITLE)
    assert cleaned.removed == ["TECH", TITLE, "5:45 AM PST 11/19/2019 by Patrick Shanley"]
    assert cleaned.html == body(*STORY[:3])


def test_a_nested_headline_and_its_dateline_go_and_the_story_stays():
    html = f"<table><tr><td><h2>{TITLE}</h2><h3>by Jeff Foust<br>Monday, November 18, 2019</h3>{body(*STORY[:2])}</td></tr></table>"
    cleaned = strip_boilerplate(html, TITLE.upper())  # compared without case
    assert cleaned.removed == [TITLE, "by Jeff Foust Monday, November 18, 2019"]
    assert all(paragraph in cleaned.html for paragraph in STORY[:2])


def test_a_headline_quoted_further_down_or_after_text_stays():
    after_text = body(STORY[0], TITLE, *STORY[1:3])
    assert strip_boilerplate(after_text, TITLE).html == after_text
    assert strip_boilerplate(body(*STORY[:2]), TITLE).removed == []
    assert strip_boilerplate(body(TITLE, "By the river, the talks went on all night.", STORY[0]), TITLE).removed == [TITLE]
    assert strip_boilerplate(body(TITLE, *STORY[:2]), None).removed == []
