"""An article's mentions of names, as the recogniser finds them and as the article writes them."""

from __future__ import annotations

from dataclasses import replace

from newsloom.enrich.datelines import with_dateline
from newsloom.enrich.headlines import for_recognition
from newsloom.enrich.nlp import Mention, SpacyModel
from newsloom.enrich.openers import without_sentence_openers


def article_mentions(nlp: SpacyModel, text: str, title: str | None = None) -> list[Mention]:
    """Mentions over `f"{title}\\n\\n{text}"` (over `text` alone without a title): the names the
    recogniser finds once the headline's title case is lowered, spelt as the publisher wrote
    them, with the dateline's place as one place and the words a sentence's capital joined to
    a name left out."""
    analysed = f"{title}\n\n{text}" if title else text
    heard_title, heard_text = for_recognition(title or "", text)  # the same lengths, so the same offsets
    heard = f"{heard_title}\n\n{heard_text}" if title else heard_text
    # Names as the publisher wrote them: a headline's "James" may have been lowered for the recogniser.
    mentions = [replace(m, text=analysed[m.start_char : m.start_char + len(m.text)]) for m in nlp.mentions(heard)]
    body_start = len(title) + 2 if title else 0
    return without_sentence_openers(with_dateline(mentions, analysed, body_start=body_start), analysed, nlp)
