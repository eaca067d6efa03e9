"""The page's own "more stories" sections and pop-up cards, removed before extraction.

Many templates end the article container with a "You may also like" / "Related posts"
block of teasers. Extractors drop the heading (its class says "related") but keep the
teasers, whose paragraphs look like article text. A heading that opens such a section,
by its words or by its class, goes with everything after it in its container.

Some pages hide a card inside a sentence, shown when the reader hovers over a name: The
Hill's holds the person's photo, full name, three headlines and "MORE". Extractors read
it as part of the sentence ("Gov. Kristi NoemKristi Lynn NoemSouth Dakota governor doubles
down ... MORE (R) is defending"). A picture with links inside a paragraph is such a card.
"""

from __future__ import annotations

import re

import lxml.html
import trafilatura

from newsloom.extract.clean import TRAILING_SECTION
from newsloom.libxml import one_thread_at_a_time

# Labels of "more stories" sections in the languages of the publishers we see most.
OTHER_LANGUAGES = re.compile(
    r"^(você (pode|também pode) gostar|voce pode gostar|leia (também|mais)|veja (também|mais)|posts? relacionad[oa]s"
    r"|mat[ée]rias relacionadas|not[íi]cias relacionadas|te puede interesar|lee también|art[íi]culos relacionados"
    r"|(à )?lire aussi|sur le même sujet|articles? similaires|das könnte sie auch interessieren|ähnliche artikel"
    r"|mehr zum thema|potrebbe interessarti|articoli correlati|leggi anche)\s*[.…:!]*$",
    re.IGNORECASE,
)
RELATED_CLASS = re.compile(r"related|you-?may-?like|recommend", re.IGNORECASE)
HEADINGS = ("h2", "h3", "h4", "h5", "h6")


@one_thread_at_a_time
def drop_related_sections(html: bytes | str) -> bytes | str:
    """`html` without its "more stories" sections, or unchanged when it has none."""
    # Decoded as the extractor decodes it, so the page it gets back reads the same.
    document = trafilatura.load_html(html)
    if document is None:
        return html
    openers = [heading for heading in document.iter(*HEADINGS) if _opens_section(heading)]
    cards = _cards_in_paragraphs(document)
    if not openers and not cards:
        return html
    for card in cards:
        card.drop_tree()  # its tail, the rest of the sentence, stays
    for heading in openers:
        if heading.getroottree().getroot() is not document:
            continue  # inside a section an earlier heading removed
        for sibling in list(heading.itersiblings()):
            sibling.drop_tree()
        heading.drop_tree()
    return lxml.html.tostring(document, encoding="unicode")


def _opens_section(heading: lxml.html.HtmlElement) -> bool:
    label = " ".join(heading.text_content().split())
    if not label or len(label) > 60:
        return False
    if TRAILING_SECTION.match(label) or OTHER_LANGUAGES.match(label):
        return True
    return bool(RELATED_CLASS.search(f"{heading.get('class', '')} {heading.get('id', '')}"))


def _cards_in_paragraphs(document: lxml.html.HtmlElement) -> list[lxml.html.HtmlElement]:
    """Elements inside a paragraph that hold a picture and two links or more, each taken as
    wide as it goes without the words of the sentence around it (the name the card is for)."""
    cards: list[lxml.html.HtmlElement] = []
    for paragraph in document.iter("p"):
        found = [element for element in paragraph.iterdescendants("span", "div") if _is_card(element)]
        holding = {ancestor for element in found for ancestor in element.iterancestors()}
        for card in (element for element in found if element not in holding):  # the innermost
            while card.getparent() is not paragraph and _text(card.getparent()) == _text(card):
                card = card.getparent()
            if all(card is not known for known in cards):
                cards.append(card)
    return cards


def _is_card(element: lxml.html.HtmlElement) -> bool:
    return element.find(".//img") is not None and len(element.findall(".//a")) >= 2


def _text(element: lxml.html.HtmlElement) -> str:
    return " ".join(element.text_content().split())
