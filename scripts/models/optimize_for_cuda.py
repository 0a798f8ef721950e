#!/usr/bin/env python3
"""A Depth Anything V2 model folder rewritten for onnxruntime's CUDA provider:

    python3 scripts/models/optimize_for_cuda.py SRC_FOLDER OUT_FOLDER [--nhwc] [--keep-float32-io] [--allow-unfused]

SRC_FOLDER is a model folder with a model.json (a pulled registry model in MODEL_DIR, e.g.
.data/models/depth-anything-v2-small, or one's own export). OUT_FOLDER gets model.onnx and model.json:

1. float16 weights and activations (onnxruntime.transformers.float16, keep_io_types; already-float16
   graphs are left as they are);
2. each DINOv2 attention block fused into one com.microsoft MultiHeadAttention, the Q/K/V bias Adds
   moved into it (scripts/gpu/fuse_attention.py; onnxruntime's own optimizer does not match this
   attention);
3. each residual step of the backbone (bias, layer scale, residual Add, LayerNorm) fused into one
   com.microsoft SkipLayerNormalization, the layer scale folded into the weights (scripts/gpu/fuse_residual.py);
4. float16 graph input and output (the boundary Casts removed), unless --keep-float32-io: half the bytes
   across PCIe; the project's Depth Anything adapter reads the input type the session declares and
   converts pixel_values and the depth at its edges;
5. with --nhwc, the convolutions channels-last (onnxruntime's com.ms.internal.nhwc kernels, what the CUDA
   provider's prefer_nhwc option would pick, which onnxruntime-node cannot set; scripts/gpu/layout_nhwc.py).
   The file then runs on the CUDA provider only: the CPU and WebGPU providers have no such kernels.

Then DEPTH_MODEL=OUT_FOLDER. Measured on an H200 (BENCHMARKS.md, 2026-12-03), DAv2 Small: steps 1-4 811
img/s at batch 32 and 4.6 ms at batch 1, with --nhwc 832 img/s and 3.1 ms (one session; two sessions at once
1,339 img/s), against 411 img/s and 6.2 ms for the plain float16 file. The output of steps 1-4 is checked on
onnxruntime's CPU provider against the source model on a fixed random input (relative L2 <= 1e-2; --nhwc
changes only the layout, and its wiring is checked by scripts/gpu/test_layout_nhwc.py); a model in which no
attention block fuses is refused unless --allow-unfused. Needs onnx, onnxruntime and numpy
(scripts/models/requirements.txt).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "gpu"))
from common import MAX_IR_VERSION, file_entry, write_model_json  # noqa: E402

SPEC_KEYS = ("task", "architecture", "description", "license", "inputSize", "depthOutput", "labels")
TOLERANCE = 1e-2  # relative L2 of the depth against the source model (the fp16 criterion of BENCHMARKS.md)


class OptimizeError(Exception):
    pass


def read_spec(folder: Path) -> tuple[dict, Path]:
    spec_path = folder / "model.json"
    if not spec_path.is_file():
        raise OptimizeError(f"{folder} has no model.json (a model folder: `scenegraph models pull NAME` writes one)")
    try:
        spec = json.loads(spec_path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as e:
        raise OptimizeError(f"{spec_path}: not JSON ({e})") from e
    if spec.get("architecture") != "depth-anything-v2":
        raise OptimizeError(f"{spec_path}: architecture is {spec.get('architecture')!r}; only depth-anything-v2 is supported")
    model = next((f for f in spec.get("files", []) if f.get("role") == "model"), None)
    if model is None:
        raise OptimizeError(f"{spec_path}: files has no entry with role 'model'")
    path = folder / model["path"]
    if not path.is_file():
        raise OptimizeError(f"{path}: missing (model.json files[role=model])")
    return spec, path


def relative_l2(a: np.ndarray, b: np.ndarray) -> float:
    a = a.astype(np.float64)
    b = b.astype(np.float64)
    return float(np.linalg.norm(a - b) / max(np.linalg.norm(b), 1e-30))


def cpu_session(model_bytes: bytes):
    import onnxruntime as ort

    so = ort.SessionOptions()
    so.log_severity_level = 3
    return ort.InferenceSession(model_bytes, so, providers=["CPUExecutionProvider"])


def check_against_source(src_bytes: bytes, out_bytes: bytes, size: int) -> float:
    """Relative L2 of the optimized model's depth against the source's, on one fixed random image."""
    src, out = cpu_session(src_bytes), cpu_session(out_bytes)
    x = np.random.default_rng(0).standard_normal((1, 3, size, size)).astype(np.float32)

    def feed(sess):
        i = sess.get_inputs()[0]
        return {i.name: x.astype(np.float16) if i.type == "tensor(float16)" else x}

    want = src.run(None, feed(src))[0]
    got = out.run(None, feed(out))[0]
    return relative_l2(got, want)


def optimize(src: Path, out: Path, keep_float32_io: bool = False, allow_unfused: bool = False, nhwc: bool = False,
             log=print) -> dict:
    import onnx
    from onnx import TensorProto
    from onnxruntime.transformers.float16 import convert_float_to_float16

    import fuse_attention as fa
    import fuse_residual
    import layout_nhwc

    spec, model_path = read_spec(src)
    if out.resolve() == src.resolve():
        raise OptimizeError("OUT_FOLDER must differ from SRC_FOLDER (the source is compared against)")
    src_bytes = model_path.read_bytes()
    model = onnx.load_from_string(src_bytes)
    first_input = model.graph.input[0].type.tensor_type.elem_type
    if first_input == TensorProto.FLOAT and not any(
        t.data_type == TensorProto.FLOAT16 for t in model.graph.initializer
    ):
        log("float16: converting the weights and activations (float32 input and output kept for now)")
        model = convert_float_to_float16(model, keep_io_types=True)
    model, stats = fa.fuse_model(model, bias=True)
    log(f"attention: {stats.line()}; bias moved in {stats.bias_fused}")
    if stats.fused == 0 and not allow_unfused:
        raise OptimizeError(
            f"no attention block matched ({stats.line()}); the file would be no faster. "
            "--allow-unfused writes it anyway"
        )
    model, residual = fuse_residual.fuse_model(model)
    log(f"residual steps fused into SkipLayerNormalization: {residual}")
    if not keep_float32_io:
        model = fa.fp16_io(model)
        log("input and output: float16")
    if model.ir_version > MAX_IR_VERSION:
        model.ir_version = MAX_IR_VERSION
    fa.check(model)
    out_bytes = model.SerializeToString()
    size = int(spec.get("inputSize") or 518)
    err = check_against_source(src_bytes, out_bytes, size)
    log(f"check on the CPU at {size}x{size}: relative L2 {err:.2e} against the source (tolerance {TOLERANCE:g})")
    if not err <= TOLERANCE:
        raise OptimizeError(f"the optimized model differs from the source by {err:.3g} (relative L2 > {TOLERANCE:g})")
    if nhwc:
        model, layout = layout_nhwc.convert(model)
        log(f"channels-last (CUDA provider only): {layout.line()}")
        out_bytes = model.SerializeToString()
    out.mkdir(parents=True, exist_ok=True)
    (out / "model.onnx").write_bytes(out_bytes)
    io = "float32 input/output" if keep_float32_io else "float16 input/output"
    new_spec = {
        # the ModelSpec fields that describe the model (not where it came from: hub, pulled, files)
        **{k: v for k, v in spec.items() if k in SPEC_KEYS},
        "name": f"{spec.get('name', src.name)}-cuda-fp16",
        "description": (
            f"{spec.get('description', '').rstrip('. ')}. Optimized for onnxruntime's CUDA provider by "
            f"scripts/models/optimize_for_cuda.py: float16, {stats.fused} attention blocks fused into "
            f"MultiHeadAttention, {residual} residual steps in SkipLayerNormalization, {io}"
            f"{', convolutions channels-last (runs on the CUDA provider only)' if nhwc else ''}; "
            f"relative L2 {err:.1e} against the source model on the CPU."
        ).lstrip(". "),
        "files": [file_entry(out, "model", "model.onnx")],
    }
    write_model_json(out, new_spec)
    log(f"wrote {out / 'model.onnx'} and model.json; use it with DEPTH_MODEL={out}")
    return {"fused": stats.fused, "attentionBlocks": stats.softmax, "residual": residual, "relL2": err,
            "float16Io": not keep_float32_io, "nhwc": nhwc}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("src", type=Path, help="model folder with a model.json (Depth Anything V2)")
    ap.add_argument("out", type=Path, help="folder to write model.onnx and model.json to")
    ap.add_argument("--nhwc", action="store_true",
                    help="channels-last convolutions: fastest on the CUDA provider, but runs there only")
    ap.add_argument("--keep-float32-io", action="store_true", help="keep float32 graph input and output")
    ap.add_argument("--allow-unfused", action="store_true", help="write the model even when no attention fused")
    args = ap.parse_args(argv)
    try:
        optimize(args.src, args.out, args.keep_float32_io, args.allow_unfused, args.nhwc)
    except OptimizeError as e:
        print(f"optimize_for_cuda: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
