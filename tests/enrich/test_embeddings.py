"""The int8 ONNX vectors against the official fp32 weights, run by an independent numpy BERT."""

from __future__ import annotations

import itertools
import random
from pathlib import Path

import numpy as np
import pytest

from newsloom.enrich.embeddings import DIMENSIONS, MAX_BATCH, RUN_COST_IN_TOKENS, MiniLmEmbedder, batches
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


def _cost(lengths: list[int], runs: list[tuple[int, int]]) -> int:
    return sum(RUN_COST_IN_TOKENS + (end - start) * lengths[end - 1] for start, end in runs)


def test_batches_cover_every_sentence_once_and_cost_least() -> None:
    # A long sentence is not padded into a batch of short ones.
    assert batches([10, 10, 11, 200]) == [(0, 3), (3, 4)]
    assert batches([]) == [] and batches([7]) == [(0, 1)]
    rng = random.Random(7)
    for _ in range(40):
        lengths = sorted(rng.choice([5, 12, 25, 30, 31, 45, 60, 120, 256]) for _ in range(rng.randint(1, 9)))
        runs = batches(lengths)
        assert [index for start, end in runs for index in range(start, end)] == list(range(len(lengths)))
        every_cut = (
            [(0, *cuts, len(lengths))[i : i + 2] for i in range(len(cuts) + 1)]
            for size in range(len(lengths))
            for cuts in itertools.combinations(range(1, len(lengths)), size)
        )
        assert _cost(lengths, runs) == min(_cost(lengths, [tuple(run) for run in cut]) for cut in every_cut)
    assert max(end - start for start, end in batches([30] * 100)) <= MAX_BATCH
