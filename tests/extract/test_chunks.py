"""Articles split into several containers of one body-like class come out whole."""

from html import escape

from newsloom.extract import extract_article
from newsloom.extract.chunks import add_sibling_chunks
from tests.support.benchdata import zyte_ground_truth, zyte_page

WIRED = "d48aeb9cf2f2ff15769a57513249b4a6a669159f3e50b335e741d4206a824e88"  # a Wired story cut into chunks
PARAGRAPH = "The council voted on the budget after a long debate about schools, roads and the new library. "


def page(container_class: str, chunks: list[list[str]]) -> str:
    blocks = "".join(
        f"<div class='grid'><div class='{container_class}'>{''.join(f'<p>{escape(p)}</p>' for p in chunk)}</div>"
        f"<div class='ad'>Advertisement</div></div>"
        for chunk in chunks
    )
    return f"<html><body><main><div class='chunks'>{blocks}</div></main></body></html>"


def test_a_real_chunked_story_is_extracted_whole():
    truth = zyte_ground_truth()[WIRED]["articleBody"]
    text = extract_article(zyte_page(WIRED), "https://www.wired.com/story/instagram-business-accounts-analytics/").text
    last_paragraph = [line for line in truth.split("\n") if line.strip()][-1].strip()
    assert last_paragraph[:80] in text
    assert len(text) > 0.9 * len(truth)


def test_chunks_are_added_in_page_order():
    first, second, third = ([f"Part {n}. " + PARAGRAPH * 3] for n in (1, 2, 3))
    html = page("article__body body", [first, second, third])
    body = add_sibling_chunks(html, f"<p>{escape(second[0])}</p>")
    assert body.index("Part 1.") < body.index("Part 2.") < body.index("Part 3.")


def test_namesakes_without_a_body_class_are_other_content():
    story, other = [PARAGRAPH * 3], ["Another story entirely. " + PARAGRAPH * 3]
    body = f"<p>{escape(story[0])}</p>"
    assert add_sibling_chunks(page("row", [story, other]), body) == body
    assert add_sibling_chunks(page("css-53u6y8", [story, other]), body) == body


def test_short_namesakes_and_broken_pages_change_nothing():
    body = f"<p>{escape(PARAGRAPH * 3)}</p>"
    assert add_sibling_chunks(page("story-content", [[PARAGRAPH * 3], ["Share this story"]]), body) == body
    assert add_sibling_chunks(b"", body) == body
    assert add_sibling_chunks("<html><body><p>x</p></body></html>", "") == ""
