"""Words a sentence's capital joined to a name: "Recent Samsung smart TVs", "Maybe Instagram
likes it", "Follow Newsbeat on Instagram".

The recogniser reads a capitalised word before a name as part of it, and made people of
"Recent Samsung" and "Maybe Instagram"; the article's other "Samsung"s and "Instagram"s then
folded into them as their surnames, and the tag was #MaybeInstagram. Only the word's part of
speech tells "Recent" or "Maybe" from "Doug" in "Doug Cooke, a former NASA official": the
tagger reads the few sentences where the question arises (a name of several words opening a
sentence whose rest the article names on its own), not the article.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import replace

from newsloom.enrich.entities import clean_name, entity_key
from newsloom.enrich.headlines import opens_sentence
from newsloom.enrich.nlp import Mention, SpacyModel

PROPER_NOUN_TAGS = frozenset({"NNP", "NNPS"})
# An organisation's or a place's name may open with an adjective ("The Nigerian Senate", which
# the tagger reads as one); a person's does not ("Recent Samsung").
_ADJECTIVE = "JJ"
# The tagger needs the words after the name to judge its first word, not the whole sentence.
_CONTEXT_CHARS = 120


def without_sentence_openers(mentions: list[Mention], text: str, nlp: SpacyModel) -> list[Mention]:
    """`mentions` with each opening word that is no proper noun (nor, outside a person's name, an
    adjective) dropped from names of several words that open a sentence, when the article names
    the rest alone elsewhere; that name's usual label then goes with it."""
    labels: dict[str, Counter[str]] = {}
    for mention in mentions:
        labels.setdefault(entity_key(clean_name(mention.text)), Counter())[mention.label] += 1
    doubtful = [i for i, mention in enumerate(mentions) if _rest(mention) in labels and opens_sentence(text, mention.start_char)]
    if not doubtful:
        return mentions
    contexts = [_context(text, mentions[i]) for i in doubtful]
    trimmed = list(mentions)
    for i, tagged in zip(doubtful, nlp.tag_all(contexts), strict=True):
        mention = mentions[i]
        tag_at = {token.idx: token.tag_ for token in tagged}
        offset = 0
        for word in mention.text.split()[:-1]:
            at = mention.text.index(word, offset)
            tag = tag_at.get(at)
            if tag in PROPER_NOUN_TAGS or (tag == _ADJECTIVE and mention.label != "PERSON"):
                break
            offset = at + len(word)
        offset = len(mention.text) - len(mention.text[offset:].lstrip())
        if offset:
            name = mention.text[offset:]
            usual = labels.get(entity_key(clean_name(name)))
            label = usual.most_common(1)[0][0] if usual else mention.label
            trimmed[i] = replace(mention, text=name, label=label, start_char=mention.start_char + offset)
    return trimmed


def _rest(mention: Mention) -> str | None:
    words = mention.text.split()
    return entity_key(clean_name(" ".join(words[1:]))) if len(words) > 1 else None


def _context(text: str, mention: Mention) -> str:
    """The mention and the words after it, to the end of its line."""
    end = text.find("\n", mention.start_char)
    return text[mention.start_char : min(end if end >= 0 else len(text), mention.start_char + len(mention.text) + _CONTEXT_CHARS)]
