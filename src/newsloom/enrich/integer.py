"""Integer arithmetic for the embedding model, derived from the shipped file when it loads.

The shipped ONNX file stores int8 weights but turns them back into float32 before every
matrix product, so it computes as slowly as the float model. This rewrites each product
`x @ W` with a constant `W` to multiply 8-bit integers (`MatMulInteger`), which CPUs with
VNNI do faster (the whole model about twice as fast; docs/benchmarks.md):

- `W`: int8 per output column, symmetric (scale = the column's largest |w| / 127).
- `x`: uint8 per token, asymmetric (each row spread over 0..255 between its own minimum and
  maximum), computed as the model runs. Per token, not per batch, so a sentence's vector does
  not depend on the others in its batch, and one long row cannot coarsen the rest.
- Smoothing (SmoothQuant, Xiao et al. 2023): a few channels of `x` run far larger than the
  rest; dividing them by `s` and multiplying `W`'s rows by `s` leaves `x @ W` unchanged but
  shares the range between the two. `s` comes from `x`'s largest values on a short text that
  ships with the model (`calibration.txt`), so every machine derives the same model. The
  products that read one input (a layer's query, key and value) share its smoothing, so the
  input is quantized once for the three.

The vectors stay within cosine 0.99 of the fp32 reference (tests/enrich/test_integer.py);
the trade is measured in docs/benchmarks.md. Deriving costs about 2 s of CPU and 240 MiB of
passing memory, so the result is kept in a file (`integer_model_file`) that later processes
load instead. Without VNNI, x86 multiplies uint8 by int8 in 16-bit sums that can saturate,
so there the float model runs (`integer_products_are_exact`).
"""

from __future__ import annotations

import os
import platform
import tempfile
from importlib import resources
from pathlib import Path

import numpy as np

# How the range is shared between activations and weights (SmoothQuant's alpha): the paper's
# 0.5 gave a better worst-case cosine than 0.65 (0.9935 against 0.9916 on 300 Zyte sentences).
SMOOTHING = 0.5
# Stored with every vector, and part of the kept file's name: change it with the derivation
# (or calibration.txt), so that no process loads a model derived the old way.
TRANSFORM_VERSION = "int8-rows-2"


def integer_products_are_exact() -> bool:
    """True where 8-bit products accumulate in 32 bits: x86 with VNNI, or ARM with dot product."""
    machine = platform.machine().lower()
    try:
        cpuinfo = Path("/proc/cpuinfo").read_text()
    except OSError:
        return False
    flags = set(cpuinfo.split())
    if machine in {"x86_64", "amd64"}:
        return bool(flags & {"avx512_vnni", "avx_vnni"})
    return machine in {"aarch64", "arm64"} and "asimddp" in flags


def integer_model_file(model_path: Path, model_version: str, tokenizer, cache_dir: Path) -> Path:  # type: ignore[no-untyped-def]
    """The derived model as a file in `cache_dir`, derived now unless an earlier process did.

    The name holds all the derivation depends on (the shipped file's fingerprint, this
    transform, onnxruntime's version, which folds the weights), so a changed input never
    reuses an old file. It is written to a temporary name and renamed, so processes deriving
    at the same time never read each other's half-written file. Raises OSError when the
    folder cannot be written."""
    import onnxruntime

    name = f"all-MiniLM-L6-v2-{model_version.replace('sha256:', '')}-{TRANSFORM_VERSION}-ort{onnxruntime.__version__}.onnx"
    target = cache_dir / name
    if not target.is_file():
        cache_dir.mkdir(parents=True, exist_ok=True)
        # Opened before deriving: a folder that cannot be written fails before the 2 s are spent.
        with tempfile.NamedTemporaryFile(dir=cache_dir, prefix=f".{name}.", delete=False) as handle:
            try:
                handle.write(integer_model(model_path, tokenizer))
                handle.flush()
            except BaseException:
                os.unlink(handle.name)
                raise
        os.chmod(handle.name, 0o644)  # as a plain file would be: the web and worker may run as other users
        os.replace(handle.name, target)
    return target


def integer_model(model_path: Path, tokenizer) -> bytes:  # type: ignore[no-untyped-def]
    """The model at `model_path` with its constant matrix products in 8-bit integers, serialized."""
    import onnx

    model = _folded(model_path)
    weights = {init.name: init for init in model.graph.initializer}
    original = list(model.graph.node)
    products = {
        i for i, node in enumerate(original)
        if node.op_type == "MatMul" and node.input[1] in weights and len(weights[node.input[1]].dims) == 2
    }  # fmt: skip
    largest = _largest_inputs(model, [original[i].input[0] for i in sorted(products)], tokenizer)
    # Products of one input (a layer's query, key and value) share one smoothing, so the input
    # is quantized once for all of them.
    sharing: dict[str, list[np.ndarray]] = {}
    for i in sorted(products):
        sharing.setdefault(original[i].input[0], []).append(onnx.numpy_helper.to_array(weights[original[i].input[1]]))
    nodes, constants, quantized = [], _Constants(), {}
    for i, node in enumerate(original):
        if i in products:
            x = node.input[0]
            if x not in quantized:
                quantized[x] = _QuantizedInput(x, _smoothing(largest[x], sharing[x]), constants)
                nodes.extend(quantized[x].nodes)
            nodes.extend(quantized[x].product(node, onnx.numpy_helper.to_array(weights[node.input[1]]), constants))
        else:
            nodes.append(node)
    nodes = _without_nan_guards(nodes)
    del model.graph.node[:]
    model.graph.node.extend(nodes)
    # The float matrices the products replaced: kept, they would cost 40 MB and a warning each.
    used = {name for node in nodes for name in node.input}
    kept = [init for init in model.graph.initializer if init.name in used]
    del model.graph.initializer[:]
    model.graph.initializer.extend(kept + constants.tensors)
    return model.SerializeToString()


def _without_nan_guards(nodes: list) -> list:  # type: ignore[type-arg]
    """`nodes` without the exporter's `Where(IsNaN(softmax), 0, softmax)` after each attention
    softmax: a row is NaN only when every key is masked, and the first token ([CLS]) never is.
    The guards cost 5% of the model's time (bench/enrich.py)."""
    made_by = {output: node for node in nodes for output in node.output}

    def guarded_softmax(node) -> str | None:  # type: ignore[no-untyped-def]
        test = made_by.get(node.input[0]) if node.op_type == "Where" else None
        if test is None or test.op_type != "IsNaN" or node.input[2] != test.input[0]:
            return None
        softmax = made_by.get(test.input[0])
        return softmax.output[0] if softmax is not None and softmax.op_type == "Softmax" else None

    renamed = {node.output[0]: softmax for node in nodes if (softmax := guarded_softmax(node)) is not None}
    guards = {node.output[0] for node in nodes if node.output[0] in renamed}
    guards |= {made_by[node.input[0]].output[0] for node in nodes if node.output[0] in renamed}
    kept = [node for node in nodes if node.output[0] not in guards]
    for node in kept:
        for i, name in enumerate(node.input):
            node.input[i] = renamed.get(name, name)
    return kept


def _folded(model_path: Path):  # type: ignore[no-untyped-def]
    """The model with its weights as float constants: onnxruntime folds the int8-to-float steps."""
    import onnx
    import onnxruntime

    with tempfile.TemporaryDirectory() as scratch:
        options = onnxruntime.SessionOptions()
        options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_ENABLE_BASIC
        options.log_severity_level = 3  # folding leaves the int8 originals unused, and says so once per weight
        options.optimized_model_filepath = str(Path(scratch) / "folded.onnx")
        onnxruntime.InferenceSession(str(model_path), options, providers=["CPUExecutionProvider"])
        return onnx.load(options.optimized_model_filepath)


def _largest_inputs(model, names: list[str], tokenizer) -> dict[str, np.ndarray]:  # type: ignore[no-untyped-def]
    """Each product input's largest |value| per channel over the calibration sentences."""
    import onnx
    import onnxruntime

    probe = onnx.ModelProto()
    probe.CopyFrom(model)
    unique = list(dict.fromkeys(names))
    probe.graph.output.extend(onnx.helper.make_tensor_value_info(name, onnx.TensorProto.FLOAT, None) for name in unique)
    session = onnxruntime.InferenceSession(probe.SerializeToString(), providers=["CPUExecutionProvider"])
    largest: dict[str, np.ndarray] = {}
    for encoding in tokenizer.encode_batch(calibration_sentences()):
        ids = np.array([encoding.ids], dtype=np.int64)
        feed = {"input_ids": ids, "attention_mask": np.ones_like(ids), "token_type_ids": np.zeros_like(ids)}
        for name, value in zip(unique, session.run(unique, feed), strict=True):
            channel_max = np.abs(value).reshape(-1, value.shape[-1]).max(axis=0)
            largest[name] = np.maximum(largest.get(name, channel_max), channel_max)
    return largest


def calibration_sentences() -> list[str]:
    text = resources.files("newsloom.data").joinpath("all-MiniLM-L6-v2/calibration.txt").read_text("utf-8")
    return [line.strip() for line in text.splitlines() if line.strip()]


class _Constants:
    def __init__(self) -> None:
        self.tensors: list = []  # type: ignore[type-arg]

    def add(self, name: str, value: np.ndarray) -> str:
        import onnx

        self.tensors.append(onnx.numpy_helper.from_array(value, name))
        return name


def _smoothing(largest_input: np.ndarray, weights: list[np.ndarray]) -> np.ndarray:
    """Per input channel, what divides `x` and multiplies the rows of every `W` it meets."""
    largest_weight = np.max([np.abs(weight).max(axis=1) for weight in weights], axis=0)
    return np.maximum(largest_input, 1e-5) ** SMOOTHING / np.maximum(largest_weight, 1e-5) ** (1 - SMOOTHING)


class _QuantizedInput:
    """`x` smoothed and quantized to uint8 per row (`nodes`), ready for the products that read it."""

    def __init__(self, x: str, smoothing: np.ndarray, constants: _Constants) -> None:
        from onnx import TensorProto, helper

        self.smoothing = smoothing
        p = self.prefix = f"{x}/quantized"
        self.nodes = [
            helper.make_node("Mul", [x, constants.add(f"{p}/unsmooth", (1 / smoothing).astype(np.float32))], [f"{p}/x"]),
            helper.make_node("ReduceMin", [f"{p}/x"], [f"{p}/min"], axes=[-1], keepdims=1),
            helper.make_node("ReduceMax", [f"{p}/x"], [f"{p}/max"], axes=[-1], keepdims=1),
            helper.make_node("Sub", [f"{p}/max", f"{p}/min"], [f"{p}/range"]),
            helper.make_node("Max", [f"{p}/range", constants.add(f"{p}/tiny", np.array(1e-8, np.float32))], [f"{p}/range+"]),
            helper.make_node("Div", [f"{p}/range+", constants.add(f"{p}/255", np.array(255.0, np.float32))], [f"{p}/scale"]),
            helper.make_node("Sub", [f"{p}/x", f"{p}/min"], [f"{p}/shifted"]),
            helper.make_node("Div", [f"{p}/shifted", f"{p}/scale"], [f"{p}/steps"]),
            helper.make_node("Round", [f"{p}/steps"], [f"{p}/rounded"]),
            helper.make_node("Cast", [f"{p}/rounded"], [f"{p}/q"], to=TensorProto.UINT8),
        ]

    def product(self, node, weight: np.ndarray, constants: _Constants) -> list:  # type: ignore[no-untyped-def,type-arg]
        """Nodes computing `node`'s x @ W: multiply in integers, scale back, and add back what
        the rows' minimums contribute."""
        from onnx import TensorProto, helper

        smoothed = weight * self.smoothing[:, None]
        column_scale = np.maximum(np.abs(smoothed).max(axis=0) / 127.0, 1e-12).astype(np.float32)
        quantized = np.clip(np.round(smoothed / column_scale), -127, 127).astype(np.int8)
        # Each row of x is min + scale * q, so x @ W = scale * (q @ W) + min * (the column sums of W).
        column_sums = (quantized.astype(np.float32) * column_scale).sum(axis=0).astype(np.float32)
        p, x = node.name or node.output[0], self.prefix
        return [
            helper.make_node(
                "MatMulInteger",
                [f"{x}/q", constants.add(f"{p}/w", quantized), constants.add(f"{p}/zero", np.array(0, np.uint8))],
                [f"{p}/int"],
            ),
            helper.make_node("Cast", [f"{p}/int"], [f"{p}/float"], to=TensorProto.FLOAT),
            helper.make_node("Mul", [f"{p}/float", f"{x}/scale"], [f"{p}/row-scaled"]),
            helper.make_node("Mul", [f"{p}/row-scaled", constants.add(f"{p}/column-scale", column_scale)], [f"{p}/product"]),
            helper.make_node("Mul", [f"{x}/min", constants.add(f"{p}/column-sums", column_sums)], [f"{p}/from-min"]),
            helper.make_node("Add", [f"{p}/product", f"{p}/from-min"], list(node.output)),
        ]
