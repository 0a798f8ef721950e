"""Helpers shared by the model-making scripts (scripts/models/*.py).

Nothing here downloads anything: models are built from configs (random weights, fixed seeds) or
converted from an npm package fetched by convert_centernet.sh.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any

import numpy as np

REPO = Path(__file__).resolve().parents[2]
FIXTURE_MODELS = REPO / "test" / "fixtures" / "models"
GOLDEN = REPO / "test" / "fixtures" / "golden"
SKIMAGE_DATA = Path("/usr/lib/python3/dist-packages/skimage/data")

# onnxruntime-node 1.30 (the TypeScript side) reads IR versions up to 11; we cap at 10 as agreed.
MAX_IR_VERSION = 10
OPSET = 17


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def file_entry(folder: Path, role: str, rel: str) -> dict[str, Any]:
    p = folder / rel
    return {"role": role, "path": rel, "size": p.stat().st_size, "sha256": sha256_file(p)}


def write_json(path: Path, obj: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        json.dump(obj, f, indent=2, ensure_ascii=False)
        f.write("\n")


def write_model_json(folder: Path, spec: dict[str, Any]) -> None:
    """Writes model.json in the ModelSpec shape of inference/models/modelSpec.ts (key order kept)."""
    order = ["name", "task", "architecture", "description", "license", "inputSize", "depthOutput", "labels", "files", "hub"]
    out = {k: spec[k] for k in order if k in spec}
    extra = set(spec) - set(order)
    if extra:
        raise ValueError(f"model.json keys outside ModelSpec: {sorted(extra)}")
    write_json(folder / "model.json", out)


def cap_ir_version(path: Path) -> int:
    """Rewrites the ONNX file with ir_version <= MAX_IR_VERSION; returns the final ir_version."""
    import onnx

    m = onnx.load(str(path))
    if m.ir_version > MAX_IR_VERSION:
        m.ir_version = MAX_IR_VERSION
        onnx.save(m, str(path))
    onnx.checker.check_model(str(path))
    return m.ir_version


def set_io_shapes(path: Path, shapes: dict[str, list[int | str]]) -> None:
    """Overwrites the declared shapes of graph inputs/outputs (ints static, strings symbolic)."""
    import onnx

    m = onnx.load(str(path))
    for vi in list(m.graph.input) + list(m.graph.output):
        if vi.name not in shapes:
            continue
        dims = vi.type.tensor_type.shape.dim
        want = shapes[vi.name]
        if len(dims) != len(want):
            raise ValueError(f"{vi.name}: rank {len(dims)} != {len(want)}")
        for d, w in zip(dims, want):
            d.Clear()
            if isinstance(w, int):
                d.dim_value = w
            else:
                d.dim_param = w
    onnx.save(m, str(path))


def save_npy(path: Path, arr: np.ndarray) -> dict[str, Any]:
    """Saves a golden .npy (float32 or int64 only, C order, little endian) and returns its index entry."""
    arr = np.ascontiguousarray(arr)
    if arr.dtype not in (np.float32, np.int64):
        raise TypeError(f"{path.name}: golden dtype must be float32 or int64, got {arr.dtype}")
    arr = arr.astype(arr.dtype.newbyteorder("<"), copy=False)
    path.parent.mkdir(parents=True, exist_ok=True)
    np.save(path, arr, allow_pickle=False)
    return {"file": path.name, "dtype": str(arr.dtype), "shape": list(arr.shape), "sha256": sha256_file(path)}


def describe_io(path: Path) -> dict[str, list[dict[str, Any]]]:
    import onnxruntime as ort

    s = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    return {
        "inputs": [{"name": i.name, "type": i.type, "shape": i.shape} for i in s.get_inputs()],
        "outputs": [{"name": o.name, "type": o.type, "shape": o.shape} for o in s.get_outputs()],
    }


def assert_close(name: str, got: np.ndarray, want: np.ndarray, atol: float, rtol: float) -> tuple[float, float]:
    if got.shape != want.shape:
        raise AssertionError(f"{name}: shape {got.shape} != {want.shape}")
    diff = np.abs(got.astype(np.float64) - want.astype(np.float64))
    max_abs = float(diff.max()) if diff.size else 0.0
    denom = np.maximum(np.abs(want.astype(np.float64)), 1e-6)
    max_rel = float((diff / denom)[diff > atol].max()) if (diff > atol).any() else 0.0
    if not np.allclose(got, want, atol=atol, rtol=rtol):
        raise AssertionError(f"{name}: onnxruntime vs torch differ: max abs {max_abs:g}, max rel {max_rel:g}")
    return max_abs, max_rel


def quiet_env() -> None:
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
