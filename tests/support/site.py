"""Publisher sites for tests: real pages from ../shared/benchdata behind a feed on the local server."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from html import escape

from tests.support.benchdata import SEED, zyte_page, zyte_page_ids
from tests.support.publisher import PublisherServer, rss_feed


def seed_story() -> tuple[str, list[str]]:
    """The seed page's article: its headline and body paragraphs (before the Hashtags section)."""
    lines = SEED.read_text().splitlines()
    body = lines[1 : lines.index("Hashtags")]
    return lines[0], [line for line in body if line.strip()]


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
