"""The int8 ONNX vectors against the official fp32 weights, run by an independent numpy BERT."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from newsloom.enrich.embeddings import DIMENSIONS, MiniLmEmbedder
from tests.support.reference_minilm import reference_vectors

SENTENCES = [
    "Russia has deepened its economic dependence on China since the full-scale invasion of Ukraine.",
    "Temur Umarov called the partnership a match made in heaven.",
    "The central bank raised interest rates by half a percentage point on Thursday.",
    "Heavy rain flooded streets across the city overnight.",
    "x",
    "",
]


def test_int8_vectors_match_the_fp32_reference() -> None:
    ours = MiniLmEmbedder().embed(SENTENCES[:4])
    assert ours.shape == (4, DIMENSIONS) and ours.dtype == np.float32
    for sentence, vector, reference in zip(SENTENCES[:4], ours, reference_vectors(SENTENCES[:4]), strict=True):
        assert float(vector @ reference) >= 0.99, sentence


def test_vectors_are_unit_length_batched_like_one_by_one_and_meaningful() -> None:
    embedder = MiniLmEmbedder()
    together = embedder.embed(SENTENCES)
    assert np.allclose(np.linalg.norm(together, axis=1), 1.0, atol=1e-4)
    for sentence, vector in zip(SENTENCES, together, strict=True):
        assert float(embedder.embed([sentence])[0] @ vector) > 0.999  # padding never leaks into a vector
    similar = embedder.embed(["The cat sits on the mat.", "A kitten is resting on the rug.", "Oil prices rose on Monday."])
    assert similar[0] @ similar[1] > similar[0] @ similar[2] + 0.3
    assert embedder.embed([]).shape == (0, DIMENSIONS)


def test_long_text_is_truncated_not_refused() -> None:
    vector = MiniLmEmbedder().embed(["word " * 5000])
    assert vector.shape == (1, DIMENSIONS) and np.isfinite(vector).all()


def test_a_missing_model_file_fails_with_a_clear_message(tmp_path: Path) -> None:
    from newsloom.enrich.nlp import ModelMissingError

    with pytest.raises(ModelMissingError, match="absent.onnx is missing"):
        MiniLmEmbedder(model_path=tmp_path / "absent.onnx").embed(["hello"])
