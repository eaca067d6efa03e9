"""The last word on HTML we store: an allowlist sanitizer (nh3/ammonia), plus plain text."""

from __future__ import annotations

import re

import lxml.html
import nh3
from lxml.etree import ParserError

from newsloom.libxml import one_thread_at_a_time

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "caption", "cite", "code", "del", "em", "figcaption",
    "figure", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "ins", "li", "mark", "ol", "p", "pre",
    "q", "s", "small", "strong", "sub", "sup", "table", "tbody", "td", "tfoot", "th", "thead",
    "time", "tr", "u", "ul",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "width", "height"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan", "scope"},
    "time": {"datetime"},
    "blockquote": {"cite"},
    "q": {"cite"},
    "abbr": {"title"},
}
URL_SCHEMES = {"http", "https", "mailto"}
CELL_TAGS = {"td", "th"}
BLOCK_TAGS = {"p", "li", "blockquote", "pre", "h1", "h2", "h3", "h4", "h5", "h6", "figcaption", "tr", "div", "br", "table"}


def sanitize_html(html: str, base_url: str | None = None) -> str:
    """Relative links are resolved against the page (they would point at us once republished)."""
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="nofollow noopener noreferrer",
        strip_comments=True,
        clean_content_tags={"script", "style", "template", "iframe", "object", "embed", "noscript"},
        url_relative=("rewrite_with_base", base_url) if base_url else "deny",
    ).strip()


@one_thread_at_a_time
def html_to_text(html: str) -> str:
    """Plain text with one paragraph per line, for search, hashing and AI features."""
    if not html.strip():
        return ""
    try:
        root = lxml.html.fragment_fromstring(html, create_parent="div")
    except (ParserError, ValueError):
        return ""
    for bad in root.xpath("//script|//style"):
        bad.drop_tree()
    parts: list[str] = []

    def walk(element) -> None:  # type: ignore[no-untyped-def]
        tag = element.tag if isinstance(element.tag, str) else ""
        if tag in BLOCK_TAGS:
            parts.append("\n")
        if element.text and tag:
            parts.append(element.text)
        for child in element:
            walk(child)
            if child.tail:
                parts.append(child.tail)
        if tag in BLOCK_TAGS:
            parts.append("\n")
        elif tag in CELL_TAGS:
            parts.append(" | ")  # cells of a row stay on one line, never glued together

    walk(root)
    lines = (re.sub(r"\s+", " ", line).strip(" |") for line in "".join(parts).split("\n"))
    return "\n".join(line for line in lines if line)
