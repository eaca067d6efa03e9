"""Text clean-up between extraction and sanitizing.

Per-source boilerplate learning and scraper rules build on this stage.
"""

from __future__ import annotations

import unicodedata

_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"), None)


def clean_text(text: str) -> str:
    """NFC, no invisible characters, one paragraph per line, no blank lines."""
    text = unicodedata.normalize("NFC", text).translate(_INVISIBLE)
    lines = (" ".join(line.split()) for line in text.splitlines())
    return "\n".join(line for line in lines if line)


def clean_title(title: str | None) -> str | None:
    if not title:
        return None
    return " ".join(unicodedata.normalize("NFC", title).translate(_INVISIBLE).split()) or None
