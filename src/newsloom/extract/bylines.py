"""Bylines as a reader expects them: "Lisa Mascaro, Mary Clare Jalonick and Eric Tucker".

Pages give the author's field whatever their CMS holds, and trafilatura joins its parts with
"; ": "LISA MASCARO; MARY CLARE JALONICK; ERIC TUCKER Associated Press", "Tom Krisher; Ap Auto
Writer", "Sandee LaMotte; CNN", "Jeff Foust Monday; November", "Ilana Muhlstein; MS; RDN",
"Jdadmin". What is left here is the people's names; the outlet and the agency are shown
beside the byline already (the source, and "originally published by").
"""

from __future__ import annotations

import re

from newsloom.extract.credits import WIRE_SERVICES

# A job or a desk after a name, or standing for one: "AP National Political Writer", "Staff
# writer", "News reporter", "is a reporter", "Staff Reports". Only desk words may stand before
# the job's noun, so that "Tom Gillespie News reporter" keeps its name.
_DESK = (
    "ap|national|political|politics|security|auto|sports?|staff|senior|chief|news|business|science|health|"
    "tech|technology|foreign|legal|associate|managing|contributing|deputy|executive|editorial|digital|special|"
    "investigative|white|house|entertainment|world|breaking|general|assignment|local|education|a|an"
)
_ROLE = re.compile(
    rf"(?i)(?:^|\s+)(?:is\s+)?(?:(?:{_DESK})\s+)*"
    r"(?:writer|reporter|correspondent|editor|editors|staff|contributor|columnist|bureau|desk|reports|team)s?\b.*$"
)
_DATE_WORDS = re.compile(
    r"(?i)(?:(?:^|\s+)(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday|january|february|march|april|may|june|"
    r"july|august|september|october|november|december|\d{1,4}))+$"
)
# Accounts of the site's own software, not people.
_ACCOUNT = re.compile(r"(?i)^(?:\w*admin\w*|editorial|webmaster|staff|user\d*|guest)$")
# Letters after a name ("MS", "RDN", "PhD"), alone in their part.
_CREDENTIAL = re.compile(r"^(?:[A-Z]{2,4}|Ph\.?D\.?|M\.?D\.?)$")
_BY = re.compile(r"(?i)^(?:(?:analysis|opinion|commentary|review|story|words|text|photos?)\s+)?by\s+")
_AGENCIES = sorted(WIRE_SERVICES, key=len, reverse=True)
# Media groups whose CMS signs their titles' pages: Wired's read "Condé Nast; Molly Wood".
MEDIA_GROUPS = frozenset(
    {"Condé Nast", "Conde Nast", "Hearst", "Hearst Newspapers", "Gannett", "Advance Local", "McClatchy", "Tribune Publishing",
     "Lee Enterprises", "Future plc", "Dotdash Meredith", "Vox Media", "Penske Media", "Axel Springer", "Nexstar Media Group",
     "Sinclair Broadcast Group", "Tegna", "News Corp", "Reach plc", "Bauer Media"}
)  # fmt: skip


def clean_byline(author: str | None, site_names: frozenset[str] = frozenset()) -> str | None:
    """The people `author` names, in reading order, joined as a byline; else the agency it names
    ("Reuters"); else None. `site_names` are the site's and its publisher's names, which are no
    author's, nor are the media groups' (`MEDIA_GROUPS`)."""
    if not author or not author.strip():
        return None
    names: list[str] = []
    agency: str | None = None
    outlets = {_words(name) for name in site_names | MEDIA_GROUPS if name and _words(name)}
    for part in re.split(r"\s*[;|]\s*", author.strip()):
        part, found = _without_agency(_BY.sub("", part.strip(" ,")))
        agency = agency or found
        part = _DATE_WORDS.sub("", _ROLE.sub("", part)).strip(" ,.-–—")
        if not part or _ACCOUNT.match(part) or (names and _CREDENTIAL.match(part)) or _names_outlet(part, outlets):
            continue
        name = part.title() if part.isupper() and not _CREDENTIAL.match(part) else part  # "PTI" stays
        if not any(_same_person(name, other) for other in names):
            names.append(name)
    if names:
        return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
    return agency


def _without_agency(part: str) -> tuple[str, str | None]:
    """The part without a wire service's name at its end ("ERIC TUCKER Associated Press"), and
    that service's name as it is credited."""
    folded = part.casefold()
    for key in _AGENCIES:
        if folded == key or (folded.endswith(" " + key) and len(key) > 3):
            return part[: len(part) - len(key)].strip(), WIRE_SERVICES[key][1]
    return part, None


def _names_outlet(part: str, outlets: set[tuple[str, ...]]) -> bool:
    """The site's or the publisher's name, or one of its desks ("CNN Business"); a name written
    as one word in the site's domain counts too ("Business Insider", businessinsider.com)."""
    words = _words(part)
    squashed = "".join(words)
    return any(words[: len(outlet)] == outlet or squashed == outlet[0] for outlet in outlets)


def _same_person(one: str, other: str) -> bool:
    """"Troy L Smith" and "Troy Smith": the same first and last word."""
    a, b = one.casefold().split(), other.casefold().split()
    return a[0] == b[0] and a[-1] == b[-1]


def _words(text: str) -> tuple[str, ...]:
    """The words of a name without a leading "the": "The Jerusalem Post" is (jerusalem, post)."""
    words = tuple(re.findall(r"\w+", text.casefold()))
    return words[1:] if words[:1] == ("the",) else words
