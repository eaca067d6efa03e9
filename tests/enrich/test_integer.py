"""The embedding model in 8-bit integers: vectors against the fp32 reference, on text it was
not calibrated on, and the same model derived by every process."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pytest

from newsloom.enrich.embeddings import DIMENSIONS, MiniLmEmbedder
from newsloom.enrich.integer import TRANSFORM_VERSION, calibration_sentences, integer_products_are_exact
from newsloom.enrich.sentences import split_sentences
from newsloom.services import Services
from tests.conftest import make_settings
from tests.enrich.test_embeddings import SENTENCES
from tests.support.benchdata import zyte_ground_truth
from tests.support.reference_minilm import reference_vectors

pytestmark = pytest.mark.skipif(
    not integer_products_are_exact(), reason="this CPU does not multiply 8-bit integers exactly; the float model runs here"
)


@pytest.fixture(scope="module")
def integer() -> MiniLmEmbedder:
    return MiniLmEmbedder(integer=True)


def news_sentences() -> list[str]:
    """The first, a middle and the last sentence of 12 real articles, and degenerate inputs."""
    chosen = []
    for page in sorted(zyte_ground_truth().values(), key=lambda page: page["url"])[:12]:
        sentences = [s.text for s in split_sentences(page["articleBody"])]
        chosen += [sentences[0], sentences[len(sentences) // 2], sentences[-1]]
    return chosen + SENTENCES + ["...", "Possibly.", "word " * 400]


def test_integer_vectors_match_the_fp32_reference(integer: MiniLmEmbedder) -> None:
    sentences = news_sentences()
    assert not set(sentences) & set(calibration_sentences())
    ours = integer.embed(sentences)
    assert integer.version.endswith("+" + TRANSFORM_VERSION)
    cosines = (ours * reference_vectors(sentences)).sum(axis=1)
    assert cosines.min() >= 0.99, sentences[int(cosines.argmin())]
    # Near the float model's vectors but not equal to them: the integer products did run.
    float_vectors = MiniLmEmbedder(integer=False).embed(sentences)
    assert 0.99 < float((ours * float_vectors).sum(axis=1).min()) and not np.allclose(ours, float_vectors, atol=1e-5)


def test_every_process_derives_the_same_model_and_batching_changes_no_vector(integer: MiniLmEmbedder) -> None:
    sentences = SENTENCES + ["The council approved the budget after a long debate on Tuesday evening."]
    together = integer.embed(sentences)
    assert np.array_equal(MiniLmEmbedder(integer=True).embed(sentences), together)
    assert np.allclose(np.linalg.norm(together, axis=1), 1.0, atol=1e-4) and together.shape == (len(sentences), DIMENSIONS)
    for sentence, vector in zip(sentences, together, strict=True):
        # Each token is quantized on its own range, so a sentence's neighbours in a batch never matter.
        assert float(integer.embed([sentence])[0] @ vector) > 0.999


def test_the_setting_reaches_the_enrichment(tmp_path, sqlite_url) -> None:
    services = Services(make_settings(tmp_path, sqlite_url, model_cache_dir=tmp_path / "models"))
    try:
        assert services.enricher.embedder.version.endswith("+" + TRANSFORM_VERSION)  # on by default; stored with every result
        assert [kept.suffix for kept in (tmp_path / "models").iterdir()] == [".onnx"]
    finally:
        services.close()
    services = Services(make_settings(tmp_path, sqlite_url, integer_embeddings=False))
    try:
        assert "+" not in services.enricher.embedder.version
    finally:
        services.close()


def test_the_derived_model_is_kept_and_loaded_by_later_processes(tmp_path, monkeypatch) -> None:
    import onnxruntime

    from newsloom.enrich import embeddings, integer

    derived = []  # counts derivations; the real one runs each time
    real_integer_model = integer.integer_model
    for module in (integer, embeddings):
        monkeypatch.setattr(module, "integer_model", lambda *args: derived.append(1) or real_integer_model(*args))
    sentences = SENTENCES[:3]
    first = MiniLmEmbedder(integer=True, cache_dir=tmp_path / "models").embed(sentences)
    (kept,) = (tmp_path / "models").iterdir()  # one file, no temporary left behind
    assert kept.name.endswith(f"-{TRANSFORM_VERSION}-ort{onnxruntime.__version__}.onnx") and derived == [1]
    again = MiniLmEmbedder(integer=True, cache_dir=tmp_path / "models").embed(sentences)
    assert derived == [1] and np.array_equal(first, again)  # loaded, not derived again

    kept.write_bytes(b"damaged")  # a disk error, or a half-copied backup
    repaired = MiniLmEmbedder(integer=True, cache_dir=tmp_path / "models").embed(sentences)
    assert derived == [1, 1] and np.array_equal(first, repaired) and kept.stat().st_size > 1_000_000

    (tmp_path / "a-file").write_text("not a folder")  # a folder that cannot be made: derived in memory
    unkept = MiniLmEmbedder(integer=True, cache_dir=tmp_path / "a-file" / "models").embed(sentences)
    assert derived == [1, 1, 1] and np.array_equal(first, unkept)


def test_the_derived_model_keeps_no_matrix_it_replaced_and_quantizes_each_input_once() -> None:
    import onnx

    from newsloom.enrich.embeddings import packaged_model, vendored_tokenizer
    from newsloom.enrich.integer import integer_model

    model = onnx.load_from_string(integer_model(packaged_model(), vendored_tokenizer()))
    used = {name for node in model.graph.node for name in node.input}
    assert [init.name for init in model.graph.initializer if init.name not in used] == []
    operations = Counter(node.op_type for node in model.graph.node)
    # Six products a layer, and four inputs to quantize: query, key and value read the same one.
    assert operations["MatMulInteger"] == 36 and operations["ReduceMin"] == 24
    assert operations["IsNaN"] == 0 and operations["Softmax"] == 6
