"""Hashtags: the article's most salient entities, as tags a reader can follow."""

from __future__ import annotations

import re

from newsloom.enrich.entities import ArticleEntity, salience

MAX_HASHTAGS = 6
# Words of the page's furniture that must never become a tag.
NOT_TAGS = {"hashtags", "sign up", "comments", "newsletter", "read also", "advertisement", "subscribe", "share"}


def hashtag(name: str) -> str:
    return "#" + "".join(part[:1].upper() + part[1:] for part in re.findall(r"\w+", name))


def choose_hashtags(entities: list[ArticleEntity], title: str, text: str) -> list[str]:
    ranked = sorted(entities, key=lambda entity: -salience(entity, title, len(text)))
    tags: list[str] = []
    for entity in ranked:
        in_title = entity.name.casefold() in title.casefold()
        if entity.key in NOT_TAGS or (entity.mentions < 2 and not in_title):
            continue
        tag = hashtag(entity.name)
        if len(tag) > 2 and tag not in tags:
            tags.append(tag)
        if len(tags) == MAX_HASHTAGS:
            break
    return tags
