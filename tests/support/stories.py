"""Coverage of real events built from the Google News stories set: each article's headline is
one outlet's headline and its body is other outlets' headlines of the same story."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from html import escape
from pathlib import Path

from newsloom.evaluation.stories import Headline, load_headlines
from tests.support.site import article_page

STORIES_CSV = Path(__file__).resolve().parents[2] / ".." / "shared" / "benchdata" / "stories-googlenews" / "dev.csv"


def headlines_by_story() -> dict[str, list[Headline]]:
    grouped: dict[str, list[Headline]] = defaultdict(list)
    for headline in load_headlines(STORIES_CSV):
        grouped[headline.story].append(headline)
    return grouped


def find_story(word: str) -> list[Headline]:
    """The story whose first headline mentions `word` (e.g. "Sbarro", "Titanfall")."""
    return next(h for h in headlines_by_story().values() if word.casefold() in h[0].title.casefold())


def coverage_page(
    headlines: list[Headline], index: int, published: datetime | None = None, title: str | None = None
) -> tuple[str, str]:
    """(title, page HTML) of the `index`-th outlet's article about the story; `title` in place
    of its own headline."""
    own = headlines[index].title
    title = title or own
    others = [h.title.rstrip(".") + "." for h in headlines if h.title != own][index * 6 : index * 6 + 6]
    head = f'<meta property="article:published_time" content="{escape(published.isoformat())}">' if published else ""
    return title, article_page(title, [" ".join(others[:3]), " ".join(others[3:])], extra_head=head)
