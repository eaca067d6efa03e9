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
    """The most salient names, one tag for each thing: of "GE Healthcare" and "GE", or "San
    Francisco Bay Area" and "San Francisco Bay", only the more salient is a tag. People are
    left out of that rule: "Donald Trump Jr." is not "Donald Trump"."""
    ranked = sorted(entities, key=lambda entity: -salience(entity, title, len(text)))
    tags: list[str] = []
    chosen: list[ArticleEntity] = []
    for entity in ranked:
        in_title = entity.name.casefold() in title.casefold()
        if entity.key in NOT_TAGS or (entity.mentions < 2 and not in_title):
            continue
        if entity.kind != "person" and any(other.kind == entity.kind and _leads(other.key, entity.key) for other in chosen):
            continue
        tag = hashtag(entity.name)
        if len(tag) > 2 and tag not in tags:
            tags.append(tag)
            chosen.append(entity)
        if len(tags) == MAX_HASHTAGS:
            break
    return tags


def _leads(one: str, other: str) -> bool:
    """Whether one name's words open the other's ("ge" and "ge healthcare"), either way round."""
    shorter, longer = sorted((one.split(), other.split()), key=len)
    return longer[: len(shorter)] == shorter
