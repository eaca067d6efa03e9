"""Whether the offline models are installed, checked without loading them (for /healthz)."""

from __future__ import annotations

import importlib.util

from newsloom.enrich.embeddings import ModelMissingError, packaged_model
from newsloom.enrich.nlp import DEFAULT_MODEL_PACKAGE


def model_readiness() -> dict[str, str]:
    """"ready", or what is missing, per model."""
    found = {}
    try:
        found["embeddings"] = "ready" if packaged_model().is_file() else "missing: the model file is not in its package"
    except ModelMissingError as error:
        found["embeddings"] = f"missing: {error}"
    found["ner"] = "ready" if importlib.util.find_spec(DEFAULT_MODEL_PACKAGE) else f"missing: package {DEFAULT_MODEL_PACKAGE}"
    return found
