"""Stage 3, clean: text normalisation and removal of publisher boilerplate blocks.

Boilerplate here is what any publisher repeats around a story: "Read also:" links,
newsletter and subscription prompts, comment counters, tag lists, reading times.
"Read also"-style lines go wherever they stand; the rest only at the edges of the
body, where publishers put them, so that an article *about* newsletters keeps its
text. Per-source learned boilerplate builds on this.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from copy import deepcopy
from dataclasses import dataclass, field

import lxml.html
from lxml.etree import ParserError

from newsloom.libxml import one_thread_at_a_time

_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"), None)

# A block longer than this is never treated as a link line or a prompt.
MAX_BOILERPLATE_WORDS = 40
LEADING_EDGE, TRAILING_EDGE = 3, 6

ANYWHERE = re.compile(
    r"^\[?\s*(read (also|more|next)|also read|related( articles?| stories| coverage| content| roundup| reading)?"
    r"|see also|more (from|on|about)\b.{0,80}|recommended( reading)?|you (may|might) also like|don'?t miss"
    r"|lire aussi|à lire aussi|lesen sie auch|mehr zum thema|leia também|lea también|leggi anche)\s*[:\-–—|]",
    re.IGNORECASE,
)
# Whole blocks that are a button's label, never a sentence of a story.
BUTTON_LABELS = re.compile(
    r"^(sign up( now| here| today)?|subscribe( now| here| today)?|register( now)?|log ?in|advertisement|"
    r"click here|read more|show more|load more|continue reading|share|tweet|print|email)[.!]?$",
    re.IGNORECASE,
)
AT_EDGES = re.compile(
    r"^((\d+\s+)?comments?|tell us what you think.*|(leave|post|add) a comment.*|share( this| on)?\b.{0,40}"
    r"|follow (us|@).{0,80}|filed under\s*:.*|tags?\s*:.*|topics?\s*:.*|advertisement|sponsored( content)?"
    r"|(--|—|–)\s*by(\s+\S+){1,4}(\s+follow\s+@\w+)?|by(\s+\S+){1,4}\s+follow\s+@\w+"  # "-- By Jo Doe Follow @jo"
    r"|(tempo de leitura|reading time|lesezeit|temps de lecture|tiempo de lectura)\s*:.*|\d+\s*min(ute)?s?( read)?"
    r"|(sign up|subscribe)\b.{0,80}|.{0,60}\bnewsletter|(image|photo) (credit|caption)\s*:.*|less|\.\.\. more"
    r"|(copyright|©|\(c\)) .{0,120}|.{0,120}\ball rights reserved\.?|order reprints|print (this )?article"
    r"|this copy is for your personal, non-commercial use.*|an error has occurred.*|(last )?updated( at| on)? .{0,40})$",
    re.IGNORECASE,
)
# A heading that opens the page's own "more stories" section: it and all after it go.
TRAILING_SECTION = re.compile(
    r"^(tags?|topics?|top stories|partner news|related( articles| stories| posts| news)?|more (stories|news|from .{1,40})"
    r"|most (read|popular|viewed)|trending( now)?|recommended( for you)?|you (may|might) also like|latest (news|stories)"
    r"|read next|what to read next|popular now)\s*:?$",
    re.IGNORECASE,
)


# How many text blocks from the top a copy of the headline may stand, and how short the
# section labels above it ("TECH", "Review") and the byline or date lines below it are.
HEADLINE_REACH = 4
KICKER_WORDS = 3
BYLINE_WORDS = 20
_MONTH = r"(?i:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?"
# "by Jeff Foust" (a name: "By the river, ..." opens a story), or a date or time first.
BYLINE_OR_DATELINE = re.compile(
    rf"^((?i:by)\s+[A-Z]|(?i:published|updated|posted)\b|\d{{1,2}}[:/.-]\d{{1,2}}"
    rf"|(?i:mon|tues|wednes|thurs|fri|satur|sun)day\b|{_MONTH}\s+\d{{1,2}}\b|\d{{1,2}}\s+{_MONTH}\s)"
)
# Elements that hold a paragraph's text; the innermost of them are the page's text blocks.
_TEXT_BLOCKS = frozenset("p h1 h2 h3 h4 h5 h6 li blockquote td div figcaption pre".split())


def clean_text(text: str) -> str:
    """NFC, no invisible characters, one paragraph per line, no blank lines."""
    text = unicodedata.normalize("NFC", text).translate(_INVISIBLE)
    lines = (" ".join(line.split()) for line in text.splitlines())
    return "\n".join(line for line in lines if line)


def clean_title(title: str | None) -> str | None:
    if not title:
        return None
    return " ".join(unicodedata.normalize("NFC", title).translate(_INVISIBLE).split()) or None


@dataclass(frozen=True)
class CleanedBody:
    html: str
    removed: list[str] = field(default_factory=list)


@one_thread_at_a_time
def strip_boilerplate(html: str, title: str | None = None) -> CleanedBody:
    """Drop boilerplate blocks from a body of top-level blocks (<p>, <h2>, <ul>, ...), and a
    copy of the headline `title` at its top."""
    if not html.strip():
        return CleanedBody(html)
    try:
        root = lxml.html.fragment_fromstring(html, create_parent="div")
    except (ParserError, ValueError):
        return CleanedBody(html)
    removed = _drop_headline_copy(root, title) if title else []
    blocks = list(root)
    for index, block in enumerate(blocks):
        text = " ".join(block.text_content().split())
        if index >= len(blocks) / 2 and TRAILING_SECTION.match(text):
            for trailing in blocks[index:]:
                removed.append(" ".join(trailing.text_content().split()))
                trailing.drop_tree()
            break
        if not text or len(text.split()) > MAX_BOILERPLATE_WORDS:
            continue
        at_edge = index < LEADING_EDGE or index >= len(blocks) - TRAILING_EDGE
        if ANYWHERE.match(text) or BUTTON_LABELS.match(text) or (at_edge and AT_EDGES.match(text)):
            removed.append(text)
            block.drop_tree()
    if not removed:
        return CleanedBody(html)
    wrapped = lxml.html.tostring(root, encoding="unicode")
    return CleanedBody(wrapped[len("<div>") : -len("</div>")], removed)


def _drop_headline_copy(root, title: str) -> list[str]:  # type: ignore[no-untyped-def]
    """Drop a copy of the headline at the top of the body, with the section labels just above
    it and the byline and date lines just below it: the page shows the headline, source and
    time above the body already. A copy after a paragraph of text is left alone (the body may
    quote its own headline). Returns the texts dropped."""
    innermost = (block for block in root.iter(*_TEXT_BLOCKS) if block is not root and not _holds_blocks(block))
    blocks = list(itertools.islice(((block, text) for block in innermost if (text := _block_text(block))), HEADLINE_REACH + 2))
    wanted = " ".join(title.split()).casefold()
    top = blocks[:HEADLINE_REACH]
    headline = next((i for i, (_, text) in enumerate(top) if text.casefold() == wanted), None)
    if headline is None or any(len(text.split()) > KICKER_WORDS for _, text in top[:headline]):  # text above it
        return []
    dropped = top[: headline + 1]
    for block, text in blocks[headline + 1 :]:
        if len(text.split()) > BYLINE_WORDS or not BYLINE_OR_DATELINE.match(text):
            break
        dropped.append((block, text))
    for block, _ in dropped:
        block.drop_tree()
    return [text for _, text in dropped]


def _holds_blocks(element) -> bool:  # type: ignore[no-untyped-def]
    return any(child.tag in _TEXT_BLOCKS for child in element.iterdescendants())


def _block_text(block) -> str:  # type: ignore[no-untyped-def]
    """The block's words, a line break counting as a space ("by Jeff Foust<br>Monday")."""
    copy = deepcopy(block)
    for line_break in copy.iter("br"):
        line_break.tail = " " + (line_break.tail or "")
    return " ".join(copy.text_content().split())
