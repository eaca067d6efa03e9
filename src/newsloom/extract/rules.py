"""Per-source scraper rules: a selector for the article body and selectors to drop.

Like the scraper rules of self-hosted readers, they are the admin's fix for a site the
generic extractor gets wrong. They run on the page before extraction, ahead of the
learned clean-up. A selector starting with "/" or "(" is XPath, anything else CSS.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import lxml.html
from cssselect import SelectorError
from lxml import etree
from lxml.cssselect import CSSSelector
from lxml.etree import ParserError, XPathError

from newsloom.libxml import one_thread_at_a_time


class InvalidSelectorError(ValueError):
    pass


@dataclass(frozen=True)
class SourceRules:
    body_selector: str | None = None
    drop_selectors: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.body_selector or self.drop_selectors)


@dataclass(frozen=True)
class RulesResult:
    """The page to extract from; `reason` says when a rule could not be applied."""

    html: bytes | str
    applied: bool
    reason: str | None = None
    dropped: int = 0
    notes: list[str] = field(default_factory=list)


@one_thread_at_a_time
def compile_selector(selector: str):  # type: ignore[no-untyped-def]
    selector = selector.strip()
    if not selector:
        raise InvalidSelectorError("empty selector")
    try:
        if selector.startswith(("/", "(")):
            return etree.XPath(selector)
        return CSSSelector(selector)
    except (SelectorError, XPathError) as error:
        raise InvalidSelectorError(f"invalid selector {selector!r}: {error}") from error


@one_thread_at_a_time
def apply_rules(html: bytes | str, rules: SourceRules) -> RulesResult:
    if not rules:
        return RulesResult(html, applied=False)
    try:
        document = lxml.html.document_fromstring(html)
    except (ParserError, ValueError):
        return RulesResult(html, applied=False, reason="rules skipped: the page could not be parsed")
    dropped = 0
    for selector in rules.drop_selectors:
        for element in _select(document, selector):
            element.drop_tree()
            dropped += 1
    if rules.body_selector:
        bodies = _select(document, rules.body_selector)
        if not bodies:
            return RulesResult(
                lxml.html.tostring(document), applied=bool(dropped), dropped=dropped,
                reason=f"body selector {rules.body_selector!r} matched nothing; extracted from the whole page",
            )  # fmt: skip
        body = document.find("body")
        if body is None:
            body = etree.SubElement(document, "body")
        for child in list(body):
            body.remove(child)
        body.text = None
        article = etree.SubElement(body, "article")
        article.extend(bodies)
    return RulesResult(lxml.html.tostring(document), applied=True, dropped=dropped)


def _select(document: lxml.html.HtmlElement, selector: str) -> list[lxml.html.HtmlElement]:
    matches = compile_selector(selector)(document)
    return [match for match in matches if isinstance(match, lxml.html.HtmlElement)]
