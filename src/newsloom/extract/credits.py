"""Credits inside an article that name its original publisher.

Wire datelines ("KYIV (Reuters) —") and republication notes ("This article originally
appeared in The Conversation") say who really published a story that an aggregator or a
local paper carries.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Wire services by the names their datelines and bylines use.
WIRE_SERVICES: dict[str, tuple[str, str]] = {
    "ap": ("apnews.com", "The Associated Press"),
    "associated press": ("apnews.com", "The Associated Press"),
    "the associated press": ("apnews.com", "The Associated Press"),
    "reuters": ("reuters.com", "Reuters"),
    "afp": ("afp.com", "AFP"),
    "agence france-presse": ("afp.com", "AFP"),
    "dpa": ("dpa.com", "dpa"),
    "upi": ("upi.com", "UPI"),
    "bloomberg": ("bloomberg.com", "Bloomberg"),
}
_DATELINE = re.compile(
    r"^[A-Z][A-Za-z .,'’\-]{1,60}\((?P<wire>AP|Reuters|AFP|dpa|UPI|Bloomberg)\)\s*[—–\-:]", re.MULTILINE
)
_NAME = r"(?P<{}>[A-Z][\w&'’\- ]{{1,79}}?)(?=[,.(\n]|$| (?:on|in) [A-Z0-9]| and )"
_REPUBLISHED = re.compile(
    r"(?i:\b(?:this|the) (?:article|story|piece|post) (?:was |is )?(?:originally |first )?"
    r"(?:appeared|published|ran)(?: originally| first)? (?:in|on|by|at) )(?:the |The )?" + _NAME.format("name")
    + r"|(?i:\b(?:originally|first) (?:published|appeared) (?:in|on|by|at) )(?:the |The )?" + _NAME.format("name2")
    + r"|(?i:\brepublished (?:with permission )?from )(?:the |The )?" + _NAME.format("name3")
)
EDGE_LINES = 4


@dataclass(frozen=True)
class Credit:
    name: str
    domain: str | None


def find_credit(text: str, author: str | None = None) -> Credit | None:
    lines = [line for line in text.split("\n") if line.strip()]
    edges = "\n".join(lines[:EDGE_LINES] + lines[-EDGE_LINES:])
    dateline = _DATELINE.search("\n".join(lines[:2]))
    if dateline:
        return _wire(dateline.group("wire"))
    if author and author.strip().casefold() in WIRE_SERVICES:
        return _wire(author)
    republished = _REPUBLISHED.search(edges)
    if republished:
        name = next(group for group in republished.groups() if group).strip()
        if name.casefold() in WIRE_SERVICES:
            return _wire(name)
        return Credit(name=name, domain=None)
    return None


def _wire(name: str) -> Credit:
    domain, display = WIRE_SERVICES[name.strip().casefold()]
    return Credit(display, domain)
