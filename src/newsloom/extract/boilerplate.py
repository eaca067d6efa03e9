"""Learning a publisher's boilerplate from its own articles, and removing it.

A block (paragraph, heading, list item line) or a sentence that recurs across many
articles of one source is the source's furniture: newsletter boxes, donation appeals,
"about us" paragraphs. News quotes also recur across a source's follow-up stories, so a
quotation is only learned when it recurs far more widely than any story is followed up.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass, field

import lxml.html
from lxml.etree import ParserError

from newsloom.extract.clean import CleanedBody
from newsloom.libxml import one_thread_at_a_time
from newsloom.store.records import BoilerplateItem

MIN_ARTICLES = 5  # fewer stored articles than this teach nothing
MIN_REPEATS = 3
MIN_SHARE = 0.2
QUOTE_MIN_REPEATS = 5
QUOTE_MIN_SHARE = 0.5
MIN_SENTENCE_WORDS = 6
TITLE_PART = "title"  # the kind of a learned title part

_SENTENCE_END = re.compile(r"(?<=[.!?…])[\"”’)]?\s+(?=[\"“‘(]?[A-Z0-9])")
_QUOTATION = re.compile(r"[\"“«„][^\"”»“]{20,}[\"”»“]")


def normalize(text: str) -> str:
    return " ".join(text.split()).casefold()


@dataclass(frozen=True)
class Boilerplate:
    """What to remove for one source, as normalized texts."""

    blocks: frozenset[str] = field(default_factory=frozenset)
    sentences: frozenset[str] = field(default_factory=frozenset)
    # The parts its titles share at their start or end ("Auto News" of "... - Auto News"):
    # `extract/titles.py` learns and removes them.
    title_parts: frozenset[str] = field(default_factory=frozenset)

    @classmethod
    def of(cls, items: list[BoilerplateItem]) -> Boilerplate:
        return cls(
            frozenset(normalize(item.text) for item in items if item.kind == "block"),
            frozenset(normalize(item.text) for item in items if item.kind == "sentence"),
            frozenset(normalize(item.text) for item in items if item.kind == TITLE_PART),
        )

    def __bool__(self) -> bool:
        return bool(self.blocks or self.sentences)


@one_thread_at_a_time
def block_texts(html: str) -> list[str]:
    root = _parse(html)
    return [] if root is None else [text for _, text in _blocks(root)]


def sentences(text: str) -> list[str]:
    return [part.strip() for part in _SENTENCE_END.split(text) if part.strip()]


@one_thread_at_a_time
def learn(bodies: list[str]) -> list[BoilerplateItem]:
    """Blocks and sentences that recur across `bodies` (one source's sanitized article HTML)."""
    if len(bodies) < MIN_ARTICLES:
        return []
    block_counts: Counter[str] = Counter()
    sentence_counts: Counter[str] = Counter()
    examples: dict[str, str] = {}
    for body in bodies:
        blocks = block_texts(body)
        found_blocks = {normalize(text): text for text in blocks}
        found_sentences = {
            normalize(sentence): sentence
            for block in blocks
            for sentence in sentences(block)
            if len(sentence.split()) >= MIN_SENTENCE_WORDS
        }
        for counts, found in ((block_counts, found_blocks), (sentence_counts, found_sentences)):
            counts.update(found.keys())  # once per article, however often it repeats inside one
            for key, text in found.items():
                examples.setdefault(key, text)

    articles = len(bodies)
    learned = [
        BoilerplateItem("block", examples[key], count)
        for key, count in block_counts.items()
        if _recurs_enough(examples[key], count, articles)
    ]
    learned_blocks = {normalize(item.text) for item in learned}
    learned += [
        BoilerplateItem("sentence", examples[key], count)
        for key, count in sentence_counts.items()
        if key not in learned_blocks and _recurs_enough(examples[key], count, articles)
    ]
    return learned


def _recurs_enough(text: str, count: int, articles: int) -> bool:
    if _QUOTATION.search(text):
        return count >= max(QUOTE_MIN_REPEATS, math.ceil(QUOTE_MIN_SHARE * articles))
    return count >= max(MIN_REPEATS, math.ceil(MIN_SHARE * articles))


@one_thread_at_a_time
def strip_learned(html: str, boilerplate: Boilerplate) -> CleanedBody:
    """Remove learned blocks, and learned sentences inside other blocks."""
    root = _parse(html) if boilerplate else None
    if root is None:
        return CleanedBody(html)
    removed: list[str] = []
    for element, text in _blocks(root):
        if normalize(text) in boilerplate.blocks:
            removed.append(text)
            element.drop_tree()
            continue
        cut = [s for s in sentences(text) if normalize(s) in boilerplate.sentences and _remove_text(element, s)]
        removed += cut
        if cut and not element.text_content().strip():
            element.drop_tree()
    if not removed:
        return CleanedBody(html)
    wrapped = lxml.html.tostring(root, encoding="unicode")
    return CleanedBody(wrapped[len("<div>") : -len("</div>")], removed)


_LEAF_BLOCKS = {"p", "h2", "h3", "h4", "h5", "h6", "li", "blockquote", "pre", "figcaption", "td", "th", "dd", "dt"}


def _blocks(root: lxml.html.HtmlElement) -> list[tuple[lxml.html.HtmlElement, str]]:
    """Innermost text blocks: paragraphs and headings, and list items rather than their lists."""
    found = []
    for element in root.iter():
        if element is root or not isinstance(element.tag, str) or element.tag not in _LEAF_BLOCKS:
            continue
        if any(isinstance(child.tag, str) and child.tag in _LEAF_BLOCKS for child in element.iterdescendants()):
            continue
        text = " ".join(element.text_content().split())
        if text:
            found.append((element, text))
    return found


def _remove_text(element: lxml.html.HtmlElement, sentence: str) -> bool:
    """Cut `sentence` out of whichever single text node holds it."""
    for node in [element, *element.iterdescendants()]:
        for attribute in ("text", "tail"):
            if node is element and attribute == "tail":
                continue
            value = getattr(node, attribute)
            if value and sentence in " ".join(value.split()):
                flat = " ".join(value.split())
                setattr(node, attribute, flat.replace(sentence, "").strip() or None)
                return True
    return False


def _parse(html: str) -> lxml.html.HtmlElement | None:
    if not html.strip():
        return None
    try:
        return lxml.html.fragment_fromstring(html, create_parent="div")
    except (ParserError, ValueError):
        return None
