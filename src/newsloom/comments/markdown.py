"""The Markdown subset comments may use, rendered and then sanitized with an allowlist.

Emphasis, links, inline code and code blocks, quotes and lists; no raw HTML, images or
headings. The sanitizer runs after rendering so that nothing the parser lets through can
carry markup, and every link is marked as user content that search engines must not credit.
"""

from __future__ import annotations

import re

import nh3
from markdown_it import MarkdownIt

_PARSER = MarkdownIt("zero", {"html": False, "breaks": True}).enable(
    ["emphasis", "link", "backticks", "blockquote", "list", "newline", "escape", "autolink", "fence", "code"]
)
ALLOWED_TAGS = {"p", "br", "em", "strong", "a", "code", "pre", "blockquote", "ul", "ol", "li"}
LINK_REL = "nofollow ugc noopener"
_URL = re.compile(r"(?:https?://|www\.)\S+|\b[a-z0-9-]+(?:\.[a-z0-9-]+)*\.(?:com|net|org|info|biz|ru|xyz|top|io)\b", re.I)


def render_comment(body: str) -> str:
    return clean_comment_html(_PARSER.render(body))


def clean_comment_html(html: str) -> str:
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes={"a": {"href"}},
        url_schemes={"http", "https", "mailto"},
        link_rel=LINK_REL,
        url_relative="deny",
        strip_comments=True,
    ).strip()


def count_links(body: str) -> int:
    """Links a comment carries, written as Markdown links or as bare addresses."""
    return len(_URL.findall(body))
