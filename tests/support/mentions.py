"""Recogniser mentions placed in a text, for tests that give the labels themselves."""

from newsloom.enrich.nlp import Mention


def mentions_of(text: str, spans: list[tuple[str, str]]) -> list[Mention]:
    """A mention at each span's next occurrence in `text`, in order, with the given label."""
    found, start = [], 0
    for span, label in spans:
        start = text.index(span, start)
        found.append(Mention(span, label, start))
        start += len(span)
    return found
