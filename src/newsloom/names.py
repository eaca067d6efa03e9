"""Names compared and shown: which of two spellings of one name to show, wherever a name is
kept (in an article's entities and in the entity table shared by every article), and a name's
letters alone, to tell when two spellings are one name."""

from __future__ import annotations

import re


def better_spelling(shown: str, seen: str) -> bool:
    """True when `seen` should replace `shown`: a capital where the name had none ("james
    Hansen", from a headline lowered for the recogniser), or the name in ordinary case where it
    was in capitals only ("HAYWARD, Calif." in a dateline, "Hayward" in the text). A name
    written only in capitals (NASA) keeps them."""
    if shown[:1].islower() and seen[:1].isupper():
        return True
    return shown.isupper() and not seen.isupper() and any(ch.isupper() for ch in seen)


def squashed(text: str) -> str:
    """Letters and digits only, in one case: "Al Bawaba", "albawaba" and "albawaba.com"'s first
    label are one name."""
    return re.sub(r"[\W_]+", "", text.casefold())
