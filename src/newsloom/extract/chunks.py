"""Articles split into chunks: the body in several sibling containers of one class.

Some publishers (Condé Nast's sites, for one) cut the article body into containers between
ad slots, all with the same body-like class; trafilatura keeps the first and drops the rest.
When the extracted paragraphs sit in such a container, the paragraphs of its namesakes nearby
are added in page order. Containers whose class names no body ("row", hashed CSS names, tweets)
are left alone: there the namesakes are usually other stories.
"""

from __future__ import annotations

import re
from html import escape

import lxml.html
from lxml.etree import ParserError

from newsloom.extract.sanitize import html_to_text
from newsloom.libxml import one_thread_at_a_time

BODY_CLASS_WORDS = frozenset({"article", "body", "story", "content", "entry", "post"})
MIN_MATCHED_CHARS = 40  # paragraphs shorter than this are too common to locate a container by
MIN_CHUNK_CHARS = 200  # a namesake with less text is furniture, not a part of the story
MAX_LEVELS_UP = 3


@one_thread_at_a_time
def add_sibling_chunks(page_html: bytes | str, body_html: str) -> str:
    """`body_html` with the text of the article's other chunks, or unchanged."""
    extracted = {_flat(p) for p in html_to_text(body_html).split("\n") if len(_flat(p)) >= MIN_MATCHED_CHARS}
    if not extracted:
        return body_html
    try:
        tree = lxml.html.fromstring(page_html)
    except (ParserError, ValueError):
        return body_html
    holders: dict = {}
    for paragraph in tree.iter("p"):
        if _flat(paragraph.text_content()) in extracted:
            parent = paragraph.getparent()
            holders[parent] = holders.get(parent, 0) + 1
    if not holders:
        return body_html
    container = max(holders, key=holders.get)
    css_class = container.get("class") or ""
    if not BODY_CLASS_WORDS & set(re.split(r"[\s_-]+", css_class.lower())):
        return body_html
    namesakes = _namesakes(container, css_class)
    before, after, past_container = [], [], False
    for chunk in namesakes:
        if chunk is container:
            past_container = True
            continue
        blocks = [(el.tag, _flat(el.text_content())) for el in chunk.iter("p", "h2", "h3")]
        blocks = [(tag, text) for tag, text in blocks if text and text not in extracted]
        if chunk in holders or sum(len(text) for _, text in blocks) < MIN_CHUNK_CHARS:
            continue
        (after if past_container else before).append("".join(f"<{tag}>{escape(text)}</{tag}>" for tag, text in blocks))
    return "".join(before) + body_html + "".join(after)


def _namesakes(container, css_class: str) -> list:  # type: ignore[no-untyped-def]
    """Elements of the container's tag and class under its nearest ancestor that has more than one."""
    scope = container
    for _ in range(MAX_LEVELS_UP):
        scope = scope.getparent()
        if scope is None:
            return []
        found = [element for element in scope.iter(container.tag) if element.get("class") == css_class]
        if len(found) > 1:
            return found
    return []


def _flat(text: str) -> str:
    return " ".join(text.split())
