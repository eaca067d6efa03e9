"""Hashtags: the article's most salient entities, as tags a reader can follow."""

from __future__ import annotations

import re
from collections.abc import Iterable

from newsloom.enrich.entities import ALIASES, ArticleEntity, entity_key, named_in_title, salience
from newsloom.enrich.headlines import CAPITALISED, WordCase, is_title_case, opens_sentence
from newsloom.names import squashed

MAX_HASHTAGS = 6
# Words of the page's furniture that must never become a tag.
NOT_TAGS = {"hashtags", "sign up", "comments", "newsletter", "read also", "advertisement", "subscribe", "share"}
_CAMEL_CASE = re.compile(r"[a-z]+[A-Z]")


def hashtag(name: str) -> str:
    """One word: each part capitalised, an apostrophe dropped inside its word ("People’s
    Daily" is #PeoplesDaily, not #PeopleSDaily). A name that opens in lower case before a
    capital keeps its spelling: #iPhone, #eBay."""
    parts = re.findall(r"\w+", re.sub(r"(?<=\w)['’](?=\w)", "", name))
    return "#" + "".join(part if i == 0 and _CAMEL_CASE.match(part) else part[:1].upper() + part[1:] for i, part in enumerate(parts))


def choose_hashtags(entities: list[ArticleEntity], title: str, text: str, site_names: Iterable[str] = ()) -> list[str]:
    """The most salient names, one tag for each thing: of "GE Healthcare" and "GE", or "San
    Francisco Bay Area" and "San Francisco Bay", only the more salient is a tag. People are
    left out of that rule: "Donald Trump Jr." is not "Donald Trump". The publisher's own name
    (`site_names`: its name, its domain) is the page's signature, not its subject (#Inexhibit,
    #BusinessInsider, #CNN under a CNN story on Trump), unless the article names it more than
    anything else: a company's press release, a charity's blog."""
    ranked = sorted(entities, key=lambda entity: -salience(entity, title, len(text)))
    tags: list[str] = []
    chosen: list[ArticleEntity] = []
    usage = _WordUsage(text, entities)
    title_case = is_title_case(title)
    most_named = max((entity.mentions for entity in entities), default=0)
    signatures = {squashed(name) for name in site_names} | {squashed(name.partition(".")[0]) for name in site_names if "." in name}
    for entity in ranked:
        if entity.key in NOT_TAGS or (entity.mentions < 2 and not _headline_names(entity, title, title_case)):
            continue
        if squashed(entity.name) in signatures and entity.mentions < most_named:
            continue
        if entity.kind != "person" and any(other.kind == entity.kind and _leads(other.key, entity.key) for other in chosen):
            continue
        name = usage.as_a_name(entity)
        if name is None:
            continue
        tag = hashtag(name)
        if len(tag) > 2 and tag not in tags:
            tags.append(tag)
            chosen.append(entity)
        if len(tags) == MAX_HASHTAGS:
            break
    return tags


def _headline_names(entity: ArticleEntity, title: str, title_case: bool) -> bool:
    """Whether the headline names the entity, as evidence enough for a tag of one mention. A
    title-case headline capitalises every word, so only a name it writes otherwise ("Microsoft
    xCloud", "NASA") counts there: "My Friend Became a Grocery Store" names nothing."""
    if not named_in_title([entity.name], title):
        return False
    return not title_case or not all(CAPITALISED.fullmatch(word) for word in entity.name.split())


def _leads(one: str, other: str) -> bool:
    """Whether one name's words open the other's ("ge" and "ge healthcare"), either way round."""
    shorter, longer = sorted((one.split(), other.split()), key=len)
    return longer[: len(shorter)] == shorter


class _WordUsage:
    """Which of an article's names it writes as names (`as_a_name`)."""

    def __init__(self, text: str, entities: list[ArticleEntity]) -> None:
        self.text = text
        self.case = WordCase.of(text)
        self.names = {entity.key: entity.name for entity in entities}

    def as_a_name(self, entity: ArticleEntity) -> str | None:
        """The entity's name as the article uses it as a name, or None. Common words that a
        headline's or a sentence's capitals made look like a name, which the article writes in
        lower case more often, are none ("Jam" in a jam recipe, "Grocery Store"); a name that
        a sentence's start joined to a common word is the name alone ("Maybe Instagram" is
        Instagram), when the article names it so elsewhere."""
        words = entity.name.split()
        if entity.name in ALIASES.values() or not all(CAPITALISED.fullmatch(word) for word in words):
            return entity.name  # "iPhone", "NASA", and our own spelling of "U.S.": written so on purpose
        phrase = re.escape(entity.name)
        written = sum(1 for m in re.finditer(rf"\b{phrase}\b", self.text) if not opens_sentence(self.text, m.start()))
        if written >= max(1, len(re.findall(rf"\b{phrase.lower()}\b", self.text))):
            return entity.name
        while words and self.case.mostly_lower(words[0]):
            words = words[1:]
        while words and self.case.mostly_lower(words[-1]):
            words = words[:-1]
        if words == entity.name.split():
            return entity.name
        return self.names.get(entity_key(" ".join(words))) if words else None
