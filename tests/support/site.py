"""Publisher sites for tests: real pages from ../shared/benchdata behind a feed on the local server."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from html import escape

from tests.support.benchdata import SEED, zyte_page, zyte_page_ids
from tests.support.publisher import PublisherServer, rss_feed


def seed_story() -> tuple[str, list[str]]:
    """The seed page's article: its headline and body paragraphs (before the Hashtags section)."""
    lines = SEED.read_text().splitlines()
    body = lines[1 : lines.index("Hashtags")]
    return lines[0], [line for line in body if line.strip()]


# The Kyiv Independent's furniture, as it leaks into the seed page.
NEWSLETTER_BOX = ["Sign up for our newsletter", "WTF is wrong with Russia?", "Sign up"]
DONATION_APPEAL = (
    "We've been working hard to bring you independent, locally-sourced news from Ukraine. "
    "Consider supporting the Kyiv Independent."
)
BOILERPLATE_LINES = [*NEWSLETTER_BOX, DONATION_APPEAL]


def is_boilerplate_line(line: str) -> bool:
    return line in BOILERPLATE_LINES or line.startswith("Read also:")


def seed_related_stories() -> list[tuple[str, list[str]]]:
    """The seed's related Kyiv Independent stories: headline and paragraphs, boilerplate removed."""
    lines = SEED.read_text().splitlines()
    related = lines[lines.index("Related Articles") + 1 :]
    stories = []
    for index, line in enumerate(related):
        if line == "- Yahoo" and index + 2 < len(related) and DONATION_APPEAL in related[index + 2]:
            body = related[index + 2].replace(DONATION_APPEAL, "")
            body = re.sub(r"Read also: .*$", "", body).strip()
            sentences = re.split(r"(?<=[.!?\"”])\s+(?=[A-Z\"“])", body)
            paragraphs = [" ".join(sentences[i : i + 3]) for i in range(0, len(sentences), 3)]
            stories.append((related[index + 1], paragraphs))
    return stories


def publisher_page(title: str, story: list[str], read_also: str) -> str:
    """A story laid out as the publisher lays it out: link lines and a newsletter box inside,
    the donation appeal at the end (where the seed page shows them leaking)."""
    middle = len(story) // 2
    blocks = story[:2] + [f"Read also: {read_also}"] + story[2:middle] + NEWSLETTER_BOX + story[middle:]
    return article_page(title, blocks + [DONATION_APPEAL])


def article_page(title: str, paragraphs: list[str], canonical: str | None = None, extra_head: str = "") -> str:
    link = f'<link rel="canonical" href="{escape(canonical)}">' if canonical else ""
    body = "\n".join(f"<p>{escape(paragraph)}</p>" for paragraph in paragraphs)
    return (
        f"<!doctype html><html lang='en'><head><meta charset='utf-8'><title>{escape(title)}</title>{link}"
        f"{extra_head}</head><body><header><nav><a href='/'>Home</a> <a href='/world'>World</a></nav></header>"
        f"<main><article><h1>{escape(title)}</h1>{body}</article></main>"
        "<footer><p>© Publisher. All rights reserved.</p></footer></body></html>"
    )


def publish_zyte_site(server: PublisherServer, count: int, feed_path: str = "/feed.xml", **feed_route) -> list[str]:
    """Serve `count` real news pages and an RSS feed listing them; returns the page URLs."""
    now = datetime.now(UTC)
    items = []
    for index, page_id in enumerate(zyte_page_ids(count)):
        path = f"/articles/{page_id[:12]}.html"
        server.add(path, zyte_page(page_id))
        items.append({"title": f"Story {index}", "link": server.url(path), "published": now - timedelta(minutes=index)})
    server.add(feed_path, rss_feed("Local Publisher", server.url("/"), items), content_type="application/rss+xml", **feed_route)
    return [item["link"] for item in items]
