"""The language an article is written in: detected from its text, else as the page declares."""

from __future__ import annotations

import re

import py3langid

MIN_DETECTION_CHARS = 100
_DECLARED = re.compile(r"^[a-zA-Z]{2,3}(?=$|[-_])")


def article_language(text: str, declared: str | None) -> str | None:
    """ISO 639-1 code. Pages often keep a site-wide `lang` on every article, so text wins."""
    if len(text) >= MIN_DETECTION_CHARS:
        code, _ = py3langid.classify(text[:2000])
        return code
    match = _DECLARED.match(declared.strip()) if declared else None
    return match.group(0).lower() if match else None
