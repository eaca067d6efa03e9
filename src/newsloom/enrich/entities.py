"""People, organisations and places of one article, merged across the names it uses for them.

"Putin" after "Vladimir Putin" is the same person, "Kim" after "Patricia Kim" too; a
surname that the model mislabels as an organisation ("Umarov") joins the person; "U.S."
and "the United States" are one place.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from newsloom.enrich.nlp import Mention
from newsloom.names import better_spelling

KINDS = {"PERSON": "person", "ORG": "organization", "GPE": "place", "LOC": "place"}

# Names written several ways in news copy, by their lower-cased form.
ALIASES = {
    "u.s.": "United States", "us": "United States", "usa": "United States", "u.s.a.": "United States",
    "united states": "United States", "america": "United States",
    "u.k.": "United Kingdom", "uk": "United Kingdom", "britain": "United Kingdom", "great britain": "United Kingdom",
    "united kingdom": "United Kingdom",
    "ussr": "Soviet Union", "u.s.s.r.": "Soviet Union", "soviet union": "Soviet Union",
    "eu": "European Union", "european union": "European Union",
    "un": "United Nations", "u.n.": "United Nations", "united nations": "United Nations",
    "nato": "NATO", "uae": "United Arab Emirates",
}  # fmt: skip
# US states as AP style abbreviates them in datelines and after cities ("HAYWARD, Calif.",
# "SIOUX FALLS, S.D."); only the forms with their full stops, since "Ill", "Miss" or "Wash"
# without one are ordinary words.
_STATES = {
    "ala.": "Alabama", "ariz.": "Arizona", "ark.": "Arkansas", "calif.": "California", "colo.": "Colorado",
    "conn.": "Connecticut", "del.": "Delaware", "fla.": "Florida", "ga.": "Georgia", "ill.": "Illinois",
    "ind.": "Indiana", "kan.": "Kansas", "ky.": "Kentucky", "la.": "Louisiana", "md.": "Maryland",
    "mass.": "Massachusetts", "mich.": "Michigan", "minn.": "Minnesota", "miss.": "Mississippi", "mo.": "Missouri",
    "mont.": "Montana", "neb.": "Nebraska", "nev.": "Nevada", "n.h.": "New Hampshire", "n.j.": "New Jersey",
    "n.m.": "New Mexico", "n.y.": "New York", "n.c.": "North Carolina", "n.d.": "North Dakota", "okla.": "Oklahoma",
    "ore.": "Oregon", "pa.": "Pennsylvania", "r.i.": "Rhode Island", "s.c.": "South Carolina", "s.d.": "South Dakota",
    "tenn.": "Tennessee", "vt.": "Vermont", "va.": "Virginia", "wash.": "Washington", "w.va.": "West Virginia",
    "wis.": "Wisconsin", "wyo.": "Wyoming",
}  # fmt: skip
# Every other spelling by the name it stands for. The states stay out of ALIASES, whose names
# are never an organisation's ("U.S." is the country): a team named for a state is one
# ("Michigan beat Ohio State").
_NAME_OF = ALIASES | _STATES
# Services the small recogniser takes for a person or a place as often as not ("Taylor Swift
# posted on Twitter" made Twitter a person, and her "she said" then meant Twitter); they are
# nothing else in news copy.
_PLATFORMS = frozenset(
    "twitter facebook instagram youtube tiktok netflix tumblr reddit snapchat whatsapp linkedin spotify hulu twitch pinterest".split()
)
_POSSESSIVE = re.compile(r"[’']s?$")
# "the" in any case; "a" and "an" only in lower case: "A Tribe Called Quest" is a name.
_LEADING_ARTICLE = re.compile(r"^(?:[Tt][Hh][Ee]|an?)\s+")
# What the recogniser's span may open with before the name: the rest of a possessive ("Microsoft’s
# xCloud" gave "’s xCloud"), a quotation mark after "the", a symbol ("® Honey", "@Ilhan").
_LEADING_JUNK = re.compile(r"^(?:[’']s\b\s*|[^\w#]+)+")
# A name never ends in a function word; the recogniser's span sometimes runs on into one ("iPad
# Pro and", "The Associated Press that"), more often in title-case headlines ("Sbarro Files For
# Bankruptcy"). "Group A" keeps its letter: a capital A alone is part of a name.
_TRAILING_FUNCTION_WORDS = re.compile(
    r"(?:\s+(?:(?i:and|or|for|of|in|on|at|to|by|from|with|that|the|as|is|was)|a|an))+$"
)

# Words in lower case that no name holds: the span ran on into the sentence ("American Music
# Awards after Swift", "Gov. Kristi Noem while").
_RUN_ON = re.compile(r"\s+(?:after|before|since|during|while|because|amid|despite|until|when|where|who|whom|whose|which)\b.*$")

# Names in a list that the recogniser took for one ("Fargo, Legion", "Big Machine, Braun"): the
# first is the name. A comma inside a name comes before a company's suffix ("Dräger, Inc.") or
# a list of its own words ("Council on Energy, Environment and Water").
_LISTED = re.compile(r",\s+(?!(?:Inc|Ltd|LLC|Co|Corp|plc|AG|GmbH|S\.A|N\.V)\b)(?!.*\s(?:and|&)\s).*$")

# A position or an office abbreviated in capitals before a person's name ("Browns DL Sheldon
# Richardson", "CB Greedy Williams", "CEO Tim Cook"): the name is what follows. Only before two
# words in ordinary case: "JJ Abrams", "DJ Khaled" and "KIM JONG UN" are names.
_BEFORE_ABBREVIATION = re.compile(r"^.*\b[A-Z]{2,4}\s+(?=[A-Z][a-z][\w'’.-]*\s+[A-Z])")


@dataclass
class ArticleEntity:
    kind: str
    name: str
    mentions: int
    first_position: int
    aliases: set[str] = field(default_factory=set)

    @property
    def key(self) -> str:
        return entity_key(self.name)


def entity_key(name: str) -> str:
    return " ".join(name.casefold().split())


def clean_name(text: str) -> str:
    name = _LISTED.sub("", _RUN_ON.sub("", " ".join(text.split())))
    name = _TRAILING_FUNCTION_WORDS.sub("", name.strip(" ,;:-–—\"“”"))
    name = _LEADING_JUNK.sub("", _LEADING_ARTICLE.sub("", _POSSESSIVE.sub("", name).strip(" ,;:-–—\"“”")))
    if name.casefold() in _NAME_OF:  # before the full stop goes: "U.S." is an alias, "U.S" is not
        return _NAME_OF[name.casefold()]
    name = name.strip(".")
    return ALIASES.get(name.casefold(), name)


def merge_mentions(mentions: list[Mention]) -> list[ArticleEntity]:
    named = _people_after_a_place([found for mention in mentions if (found := _named(mention)) is not None])
    grouped: dict[tuple[str, str], ArticleEntity] = {}
    for kind, name, mention in named:
        entity = grouped.setdefault((kind, entity_key(name)), ArticleEntity(kind, name, 0, mention.start_char))
        if better_spelling(entity.name, name):
            entity.name = name
        entity.mentions += 1
        entity.aliases.add(" ".join(mention.text.split()))
        entity.first_position = min(entity.first_position, mention.start_char)
    return _one_entity_per_name(_merge_people(list(grouped.values())))


def _named(mention: Mention) -> tuple[str, str, Mention] | None:
    """The mention's kind and cleaned name, or None for what is no name of ours."""
    kind = KINDS.get(mention.label)
    name = clean_name(mention.text)
    if kind == "person":
        name = _BEFORE_ABBREVIATION.sub("", name)
    # In a script with capitals, a name has one somewhere ("eBay", "al-Qaeda"): "goji" or
    # "n’t" is the recogniser's slip.
    lower_case_only = name == name.lower() != name.upper()
    if kind is None or len(name) < 2 or not any(ch.isalpha() for ch in name) or lower_case_only:
        return None
    if name in ALIASES.values() and kind == "organization" and name not in ("NATO", "European Union", "United Nations"):
        kind = "place"
    if name.casefold() in _PLATFORMS:
        kind = "organization"
    return kind, name, mention


def _people_after_a_place(named: list[tuple[str, str, Mention]]) -> list[tuple[str, str, Mention]]:
    """"ambassador to Ukraine Marie Yovanovitch" gave the organisation "Ukraine Marie
    Yovanovitch": a place the article names, then two words or more ending in the surname of a
    person it names. That is the person; "Hong Kong Polytechnic University" stays."""
    places = {entity_key(name) for kind, name, _ in named if kind == "place"}
    surnames = {entity_key(name.split()[-1]) for kind, name, _ in named if kind == "person"}

    def relabelled(kind: str, name: str) -> tuple[str, str]:
        words = name.split()
        if kind == "organization" and entity_key(words[-1]) in surnames:
            for cut in (1, 2):  # "Ukraine", "South Korea"
                if len(words) - cut >= 2 and entity_key(" ".join(words[:cut])) in places:
                    return "person", " ".join(words[cut:])
        return kind, name

    return [(*relabelled(kind, name), mention) for kind, name, mention in named]


def _merge_people(entities: list[ArticleEntity]) -> list[ArticleEntity]:
    """Fold a surname alone ("Cook", "Van Der Beek") or a first name alone into the one full
    name it ends or opens. When several fit, the one the article introduced before it used the
    short name wins: news names a person in full first ("Tim Cook ... Cook said"), and a later
    "Hosting Cook" is a headline's or a sentence's capitals, not another Cook."""
    # A full name opens with a capital: "older MacBook Pro" is the recogniser's slip.
    people = [(e, [entity_key(w) for w in e.name.split()]) for e in entities if e.kind == "person" and " " in e.name and e.name[0].isupper()]
    merged: set[int] = set()
    # Shorter names first: they fold into longer ones. People's first: an organisation's name
    # joins a full name only when the full name holds more mentions.
    for entity in sorted(entities, key=lambda e: (len(e.name.split()), e.kind != "person", -e.mentions)):
        words = [entity_key(word) for word in entity.name.split()]
        if (len(words) > 1 and entity.kind != "person") or id(entity) in merged:
            continue
        candidates = [
            person for person, full in people
            if id(person) not in merged and len(full) > len(words)
            and (full[-len(words):] == words or (len(words) == 1 and full[0] == words[0] and _may_be_first_name(entity, person)))
        ]  # fmt: skip
        if len(candidates) > 1:
            candidates = [person for person in candidates if person.first_position < entity.first_position]
        if len(candidates) == 1:  # ambiguous short names stay apart
            target = candidates[0]
            target.mentions += entity.mentions
            target.aliases |= entity.aliases
            target.first_position = min(target.first_position, entity.first_position)
            merged.add(id(entity))
    return [entity for entity in entities if id(entity) not in merged]


# Which kind a name takes when the recogniser gave it as many mentions of each: quotes need
# their speakers as people.
_KIND_ORDER = {"person": 0, "organization": 1, "place": 2}


def _one_entity_per_name(entities: list[ArticleEntity]) -> list[ArticleEntity]:
    """One entity for each name, of the kind most of its mentions had: the recogniser called
    "Delhi" a place 26 times and a person 3, "MacBook Pro" an organisation 22 times and a person
    16, and the article named two of each."""
    by_name: dict[str, list[ArticleEntity]] = {}
    for entity in entities:
        by_name.setdefault(entity.key, []).append(entity)
    kept = []
    for same in by_name.values():
        main = min(same, key=lambda e: (-e.mentions, _KIND_ORDER.get(e.kind, 3), e.first_position))
        for other in same:
            if other is not main:
                main.mentions += other.mentions
                main.aliases |= other.aliases
                main.first_position = min(main.first_position, other.first_position)
        kept.append(main)
    return sorted(kept, key=lambda e: (-e.mentions, e.first_position))


def _may_be_first_name(entity: ArticleEntity, person: ArticleEntity) -> bool:
    """A person's first name alone, or an organisation's name that opens a person's full name
    the article uses more often ("LeBron" beside "LeBron James"); "Apple" or "Wireless" beside
    a slip such as the person "Apple Watches" or "Wireless Earphones" stays what it is."""
    return entity.kind == "person" or (
        entity.kind == "organization" and person.kind == "person" and person.mentions > max(entity.mentions, 1)
    )


def salience(entity: ArticleEntity, title: str, text_length: int) -> float:
    """Mentions, more for a name in the headline and for one introduced early."""
    in_title = named_in_title(entity.aliases | {entity.name}, title)
    early = 1.0 - min(entity.first_position / max(text_length, 1), 1.0)
    return entity.mentions + 3.0 * in_title + 1.0 * early


def named_in_title(names: Iterable[str], title: str) -> bool:
    """Whether the headline writes one of the names as it is written, as whole words: "The man
    whose duvet nearly killed him" names no "Duvet", and "9to5Mac" no "Mac". An all-capitals
    headline names them in any case."""
    flags = re.IGNORECASE if title.upper() == title else 0
    return any(re.search(rf"(?<!\w){re.escape(name)}(?!\w)", title, flags) for name in names if name)
