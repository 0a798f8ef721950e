#!/usr/bin/env python3
"""GPU benchmark, Python side: real-size random-weight models, their ONNX exports, and the PyTorch
eager baselines that bench/gpu/gpu.bench.ts compares onnxruntime-node against.

    python3 scripts/gpu/export_and_torch.py export --out DIR [--models dav2-small,dav2-base,owlv2-base]
    python3 scripts/gpu/export_and_torch.py torch  --models-dir DIR --inputs DIR --out torch.json

`export` builds each architecture with fixed seeds (Depth Anything V2 Small/Base: the configs of
scripts/models/make_full_size.py; OWLv2: transformers Owlv2ForObjectDetection with the
google/owlv2-base-patch16-ensemble config, 960 px, and the tiny test tokenizer, whose ids the full
vocabulary embeds) and writes, per model KEY:
  DIR/KEY/weights.pt          the torch state dict (the torch phase loads it: same weights everywhere)
  DIR/KEY-fp32/model.onnx     fp32 export (torchscript exporter, opset 17, dynamic batch, IR <= 10)
  DIR/KEY-fp16/model.onnx     the same converted with onnxruntime.transformers.float16
                              (keep_io_types: inputs and outputs stay float32, so the adapters are
                              unchanged), as onnx-community's model_fp16.onnx files are made
  DIR/KEY-fp16-mha/model.onnx (Depth Anything only) the fp16 model with each DINOv2 attention block fused
                              into one com.microsoft MultiHeadAttention node, the Q/K/V bias Adds moved
                              into it (scripts/gpu/fuse_attention.py; the optimizer does not match it;
                              FUSE_ATTENTION_BIAS=0 keeps the bias Adds outside)
  DIR/KEY-fp16-mha-io16/model.onnx the same with float16 inputs and outputs
  DIR/KEY-fp16-mha-io16-sln/model.onnx  the same with each residual step (bias, layer scale, residual
                              Add, LayerNorm) in one SkipLayerNormalization (scripts/gpu/fuse_residual.py)
  DIR/KEY-fp16-mha-io16-nhwc/model.onnx the io16 file with the convolutions channels-last
                              (scripts/gpu/layout_nhwc.py; runs on the CUDA provider only)
  DIR/KEY-fp16-mha-io16-sln-nhwc/model.onnx both
  and a model.json (ModelSpec) in each folder, tokenizer files beside the OWLv2 ones.
Weights are not HF's init (std 0.02 makes activations vanish through the depth head, ~1e-5 at the
output, which fp16 cannot represent): convolutions and linears get PyTorch's default init, as the tiny
test models do, so activations are O(0.1..1) as in a trained model. Speed does not depend on the values.

`torch` runs PyTorch eager (no compile) on the GPU on the exact input batches that the TypeScript
adapters prepared (written by `gpu.bench.js prep`): fp32 and fp16 at each batch, CUDA-event latency
(p50/p99), img/s, torch.cuda.max_memory_allocated; and writes the fp32 reference outputs (TF32 off,
highest matmul precision) of the first `--ref-batch` items, against which the benchmark checks every
onnxruntime variant. Batches are slices [0:b] of the prepared 32 images.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")

import numpy as np  # noqa: E402
import torch  # noqa: E402
from torch import nn  # noqa: E402

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(ROOT / "scripts" / "models"))
sys.path.insert(0, str(HERE))

OPSET = 17
MAX_IR = 10
OWL_SEQ_LEN = 16
TOKENIZER_DIR = ROOT / "test" / "fixtures" / "models" / "owlv2-tiny"
ALL_MODELS = ["dav2-small", "dav2-base", "owlv2-base"]
TINY = {"dav2-small": "dav2-tiny", "dav2-base": "dav2-tiny", "owlv2-base": "owlv2-tiny"}


def log(*a):
    print("[py]", *a, file=sys.stderr, flush=True)


# ------------------------------------------------------------------------------------------------
# models
# ------------------------------------------------------------------------------------------------


def _tok_ids():
    tok = json.loads((TOKENIZER_DIR / "tokenizer.json").read_text())
    vocab = tok["model"]["vocab"]
    return vocab["<|startoftext|>"], vocab["<|endoftext|>"], len(vocab) + len(tok.get("added_tokens", []))


def depth_config(key: str, tiny: bool):
    if tiny:
        import make_test_models as tm

        return tm.depth_config(), 56
    import make_full_size as mfs

    return mfs.config("small" if key == "dav2-small" else "base"), 518


def owl_config(tiny: bool):
    from transformers import Owlv2Config

    bos, eos, n = _tok_ids()
    if tiny:
        import make_test_models as tm

        return tm.owl_config(n, bos, eos), 64
    cfg = Owlv2Config(
        # google/owlv2-base-patch16-ensemble: CLIP B/16 text (512 x 12) and vision (768 x 12) towers at 960 px
        text_config=dict(vocab_size=49408, pad_token_id=0, bos_token_id=bos, eos_token_id=eos, max_position_embeddings=OWL_SEQ_LEN),
        vision_config=dict(image_size=960, patch_size=16),
        projection_dim=512,
    )
    return cfg, 960


def set_attn(cfg, impl: str):
    # DepthAnythingForDepthEstimation itself accepts only "eager"; its Dinov2 backbone takes sdpa.
    cfg._attn_implementation = "eager" if getattr(cfg, "backbone_config", None) is not None else impl
    for sub in ("text_config", "vision_config", "backbone_config"):
        c = getattr(cfg, sub, None)
        if c is not None:
            c._attn_implementation = impl
    return cfg


def build(key: str, tiny: bool, attn: str = "eager"):
    """The torch model (eval, float32, CPU) and its input size. Deterministic for a key."""
    if key.startswith("dav2"):
        from transformers import DepthAnythingForDepthEstimation
        from transformers.models.depth_anything import modeling_depth_anything as mda
        import make_test_models as tm

        cfg, size = depth_config(key, tiny)
        torch.manual_seed(7)
        model = DepthAnythingForDepthEstimation(set_attn(cfg, attn)).eval()
        # The traced graph must not freeze the image size (see make_test_models._depth_head_forward).
        mda.DepthAnythingDepthEstimationHead.forward = tm._depth_head_forward
        return model, size
    from transformers import Owlv2ForObjectDetection

    cfg, size = owl_config(tiny)
    torch.manual_seed(11)
    model = Owlv2ForObjectDetection(set_attn(cfg, attn)).eval()
    return model, size


def reinit(model, key: str) -> None:
    torch.manual_seed(1234)
    for mod in model.modules():
        if isinstance(mod, (nn.Conv2d, nn.ConvTranspose2d, nn.Linear)):
            mod.reset_parameters()
    if key.startswith("owl"):
        with torch.no_grad():
            model.owlv2.text_model.embeddings.token_embedding.weight.normal_(0.0, 0.3)
            model.class_head.logit_scale.weight.mul_(0.1)
            model.class_head.logit_scale.bias.fill_(1.0)


class DepthWrapper(nn.Module):
    def __init__(self, model):
        super().__init__()
        self.model = model

    def forward(self, pixel_values):
        return self.model(pixel_values=pixel_values).predicted_depth


class OwlWrapper(nn.Module):
    """Only the two outputs the Owlv2Adapter reads (the hub export has more; see the report)."""

    def __init__(self, model):
        super().__init__()
        self.model = model

    def forward(self, input_ids, pixel_values, attention_mask):
        out = self.model(input_ids=input_ids, pixel_values=pixel_values, attention_mask=attention_mask)
        return out.logits, out.pred_boxes


def sha256_file(p: Path) -> str:
    h = hashlib.sha256()
    with open(p, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 22), b""):
            h.update(chunk)
    return h.hexdigest()


def write_spec(folder: Path, key: str, variant: str, size: int, params: int) -> None:
    files = [{"role": "model", "path": "model.onnx"}]
    if key.startswith("owl"):
        for role, name in (("tokenizer", "tokenizer.json"), ("tokenizer_config", "tokenizer_config.json")):
            (folder / name).write_bytes((TOKENIZER_DIR / name).read_bytes())
            files.append({"role": role, "path": name})
    for f in files:
        p = folder / f["path"]
        f["size"] = p.stat().st_size
        f["sha256"] = sha256_file(p)
    arch = "owlv2" if key.startswith("owl") else "depth-anything-v2"
    spec = {
        "name": f"{key}-{variant}-random",
        "task": "detect" if arch == "owlv2" else "depth",
        "architecture": arch,
        "description": f"GPU benchmark model: the {key} architecture ({params / 1e6:.1f} M parameters), random weights, "
        f"{variant} ONNX (scripts/gpu/export_and_torch.py). Outputs are meaningless.",
        "license": "Apache-2.0",
        "inputSize": size,
    }
    if arch != "owlv2":
        spec["depthOutput"] = "inverse"
    spec["files"] = files
    (folder / "model.json").write_text(json.dumps(spec, indent=2) + "\n")


def cap_ir(path: Path) -> None:
    import onnx

    m = onnx.load(str(path))
    if m.ir_version > MAX_IR:
        m.ir_version = MAX_IR
        onnx.save(m, str(path))


def write_fused(m16, out: Path, key: str, size: int, params: int) -> dict:
    """DIR/KEY-fp16-mha: the fp16 graph with attention fused (fuse_attention.py, bias Adds included);
    DIR/KEY-fp16-mha-io16: the same with float16 input and output (half the bytes across PCIe; the
    Depth Anything adapter converts at its edges)."""
    import onnx
    import fuse_attention as fa

    t = time.time()
    before = fa.op_counts(m16)
    fused, stats = fa.fuse_model(m16, bias=os.environ.get("FUSE_ATTENTION_BIAS", "1") != "0")
    fa.check(fused)
    folder = out / f"{key}-fp16-mha"
    folder.mkdir(parents=True, exist_ok=True)
    onnx.save(fused, str(folder / "model.onnx"))
    write_spec(folder, key, "fp16-mha", size, params)
    io16 = out / f"{key}-fp16-mha-io16"
    io16.mkdir(parents=True, exist_ok=True)
    fused_io16 = fa.fp16_io(fused)
    onnx.save(fused_io16, str(io16 / "model.onnx"))
    write_spec(io16, key, "fp16-mha-io16", size, params)
    # the same with the residual steps in SkipLayerNormalization (fuse_residual.py: -sln), with the
    # convolutions channels-last (layout_nhwc.py, CUDA provider only: -nhwc), and with both
    import fuse_residual
    import layout_nhwc

    sln_model, sln_fused = fuse_residual.fuse_model(fused_io16)
    nhwc_model, nhwc_stats = layout_nhwc.convert(fused_io16)
    both_model, _ = layout_nhwc.convert(sln_model)
    for variant, model in (("fp16-mha-io16-sln", sln_model), ("fp16-mha-io16-nhwc", nhwc_model),
                           ("fp16-mha-io16-sln-nhwc", both_model)):
        folder = out / f"{key}-{variant}"
        folder.mkdir(parents=True, exist_ok=True)
        onnx.save(model, str(folder / "model.onnx"))
        write_spec(folder, key, variant, size, params)
    log(f"{key} fp16-mha-io16-sln: {sln_fused} residual steps fused; -nhwc: {nhwc_stats.line()}")
    after = fa.op_counts(fused)
    changed = {k: [before.get(k, 0), after.get(k, 0)] for k in sorted(set(before) | set(after))
               if before.get(k, 0) != after.get(k, 0)}
    log(f"{key} fp16-mha: {stats.line()}; bias moved in {stats.bias_fused}; op counts before -> after {changed}")
    return {"fused": stats.fused, "softmax": stats.softmax, "skipped": dict(stats.skipped), "skipExamples": stats.examples,
            "biasFused": stats.bias_fused, "opCountsBeforeAfter": changed, "sln": sln_fused, "nhwc": nhwc_stats.line(),
            "s": round(time.time() - t, 1)}


def export_one(key: str, out: Path, tiny: bool, device: str) -> dict:
    import onnx
    from onnxruntime.transformers.float16 import convert_float_to_float16

    t0 = time.time()
    model, size = build(key, tiny)
    reinit(model, key)
    params = sum(p.numel() for p in model.parameters())
    (out / key).mkdir(parents=True, exist_ok=True)
    torch.save(model.state_dict(), out / key / "weights.pt")
    model = model.to(device)
    fp32 = out / f"{key}-fp32"
    fp32.mkdir(parents=True, exist_ok=True)
    path = fp32 / "model.onnx"
    g = torch.Generator().manual_seed(3)
    with torch.no_grad():
        if key.startswith("dav2"):
            x = torch.randn(2, 3, size, size, generator=g).to(device)
            torch.onnx.export(
                DepthWrapper(model), (x,), str(path), input_names=["pixel_values"], output_names=["predicted_depth"],
                opset_version=OPSET, dynamo=False, do_constant_folding=True,
                dynamic_axes={"pixel_values": {0: "batch", 2: "height", 3: "width"},
                              "predicted_depth": {0: "batch", 1: "out_height", 2: "out_width"}},
            )
        else:
            bos, eos, _ = _tok_ids()
            q = 3
            ids = torch.zeros(2 * q, OWL_SEQ_LEN, dtype=torch.long)
            ids[:, 0] = bos
            ids[:, 1] = 5
            ids[:, 2] = eos
            mask = (torch.arange(OWL_SEQ_LEN) < 3).long().expand(2 * q, -1).contiguous()
            px = torch.randn(2, 3, size, size, generator=g)
            torch.onnx.export(
                OwlWrapper(model), (ids.to(device), px.to(device), mask.to(device)), str(path),
                input_names=["input_ids", "pixel_values", "attention_mask"], output_names=["logits", "pred_boxes"],
                opset_version=OPSET, dynamo=False, do_constant_folding=True,
                dynamic_axes={"input_ids": {0: "num_queries_total"}, "attention_mask": {0: "num_queries_total"},
                              "pixel_values": {0: "batch"}, "logits": {0: "batch", 2: "num_queries"},
                              "pred_boxes": {0: "batch"}},
            )
    cap_ir(path)
    t1 = time.time()
    write_spec(fp32, key, "fp32", size, params)
    fp16 = out / f"{key}-fp16"
    fp16.mkdir(parents=True, exist_ok=True)
    m16 = convert_float_to_float16(onnx.load(str(path)), keep_io_types=True)
    if m16.ir_version > MAX_IR:
        m16.ir_version = MAX_IR
    onnx.save(m16, str(fp16 / "model.onnx"))
    write_spec(fp16, key, "fp16", size, params)
    t2 = time.time()
    fusion = None
    if key.startswith("dav2"):
        fusion = write_fused(m16, out, key, size, params)
    info = {"key": key, "params": params, "inputSize": size, "exportS": round(t1 - t0, 1), "fp16ConvertS": round(t2 - t1, 1),
            "fp32MB": round(path.stat().st_size / 1e6, 1), "fp16MB": round((fp16 / "model.onnx").stat().st_size / 1e6, 1)}
    if fusion:
        info["fp16Mha"] = fusion
    log("exported", json.dumps(info))
    return info


# ------------------------------------------------------------------------------------------------
# inputs written by gpu.bench.js prep: DIR/KEY/meta.json + raw little-endian tensors
# ------------------------------------------------------------------------------------------------

NP = {"float32": np.float32, "int64": np.int64}


def read_tensors(folder: Path) -> dict[str, np.ndarray]:
    meta = json.loads((folder / "meta.json").read_text())
    return {name: np.fromfile(folder / t["file"], dtype=NP[t["type"]]).reshape(t["dims"]) for name, t in meta["tensors"].items()}


def write_tensors(folder: Path, tensors: dict[str, np.ndarray], extra: dict) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    meta = {"tensors": {}, **extra}
    for name, arr in tensors.items():
        arr = np.ascontiguousarray(arr.astype(np.float32))
        arr.tofile(folder / f"{name}.bin")
        meta["tensors"][name] = {"type": "float32", "dims": list(arr.shape), "file": f"{name}.bin"}
    (folder / "meta.json").write_text(json.dumps(meta, indent=2))


def slice_feeds(key: str, feeds: dict[str, np.ndarray], b: int, queries: int) -> dict[str, np.ndarray]:
    if key.startswith("dav2"):
        return {"pixel_values": feeds["pixel_values"][:b]}
    return {"input_ids": feeds["input_ids"][: b * queries], "attention_mask": feeds["attention_mask"][: b * queries],
            "pixel_values": feeds["pixel_values"][:b]}


def forward_fn(key: str, model):
    if key.startswith("dav2"):
        return lambda f: {"predicted_depth": model(pixel_values=f["pixel_values"]).predicted_depth}

    def owl(f):
        out = model(input_ids=f["input_ids"], pixel_values=f["pixel_values"], attention_mask=f["attention_mask"])
        return {"logits": out.logits, "pred_boxes": out.pred_boxes}

    return owl


def rel_err(got: np.ndarray, ref: np.ndarray) -> float:
    got = got.astype(np.float64)
    ref = ref.astype(np.float64)
    return float(np.linalg.norm(got - ref) / max(np.linalg.norm(ref), 1e-30))


def pct(values: list[float], q: float) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, int(q * len(s)))]


def time_gpu(fn, budget_s: float, min_iters: int, max_iters: int, warmup: int) -> list[float]:
    """Milliseconds per call: CUDA events on the GPU (launches included), the wall clock on a CPU (tests)."""
    cuda = torch.cuda.is_available()
    for _ in range(warmup):
        fn()
    if cuda:
        torch.cuda.synchronize()
    times: list[float] = []
    end = time.perf_counter() + budget_s
    while len(times) < max_iters and (len(times) < min_iters or time.perf_counter() < end):
        if cuda:
            s = torch.cuda.Event(enable_timing=True)
            e = torch.cuda.Event(enable_timing=True)
            s.record()
            fn()
            e.record()
            e.synchronize()
            times.append(s.elapsed_time(e))
        else:
            t = time.perf_counter()
            fn()
            times.append((time.perf_counter() - t) * 1000)
    return times


def run_torch(args) -> int:
    if not torch.cuda.is_available() and not (args.tiny or args.refs_only):
        raise SystemExit("the torch phase needs a CUDA GPU (--tiny runs on the CPU, for tests of the scripts)")
    dev = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    cuda = dev.type == "cuda"
    models_dir = Path(args.models_dir)
    inputs_dir = Path(args.inputs)
    batches = [int(b) for b in args.batches.split(",")]
    deadline = time.time() + args.budget_s
    result = {
        "date": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "torch": torch.__version__,
        "cuda": torch.version.cuda,
        "cudnn": torch.backends.cudnn.version(),
        "gpu": torch.cuda.get_device_name(0) if cuda else "cpu",
        "settings": {"cudnn.benchmark": torch.backends.cudnn.benchmark, "cudnn.allow_tf32": torch.backends.cudnn.allow_tf32,
                     "matmul.allow_tf32": torch.backends.cuda.matmul.allow_tf32, "attn": "sdpa"},
        "models": {},
    }
    import transformers

    result["transformers"] = transformers.__version__
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)

    def save():
        Path(args.out).write_text(json.dumps(result, indent=2) + "\n")

    for key in args.models.split(","):
        folder = inputs_dir / key
        if not (folder / "meta.json").exists():
            log(f"{key}: no inputs in {folder}; skipped")
            continue
        meta = json.loads((folder / "meta.json").read_text())
        queries = int(meta.get("queries", 0))
        feeds_np = read_tensors(folder)
        entry: dict = {"runs": [], "queries": queries, "inputShape": list(feeds_np["pixel_values"].shape[1:])}
        result["models"][key] = entry
        t0 = time.time()
        model, _ = build(key, args.tiny, attn="sdpa")
        model.load_state_dict(torch.load(models_dir / key / "weights.pt", map_location="cpu"))
        model = model.to(dev).eval()
        fwd = forward_fn(key, model)
        entry["buildS"] = round(time.time() - t0, 1)
        entry["attn"] = sorted({str(getattr(m.config, "_attn_implementation", "?")) for m in model.modules() if hasattr(m, "config")})

        # fp32 reference, strict (no TF32): what every optimized variant is checked against.
        rb = min(args.ref_batch, feeds_np["pixel_values"].shape[0])
        ref_in = {k: torch.from_numpy(v).to(dev) for k, v in slice_feeds(key, feeds_np, rb, queries).items()}
        prev = (torch.backends.cudnn.allow_tf32, torch.backends.cuda.matmul.allow_tf32)
        torch.backends.cudnn.allow_tf32 = False
        torch.backends.cuda.matmul.allow_tf32 = False
        with torch.no_grad():
            ref = {k: v.float().cpu().numpy() for k, v in fwd(ref_in).items()}
        torch.backends.cudnn.allow_tf32, torch.backends.cuda.matmul.allow_tf32 = prev
        write_tensors(Path(args.refs) / key, ref, {"batch": rb, "queries": queries, "source": "torch fp32 eager, TF32 off"})
        entry["refStats"] = {k: {"mean": float(v.mean()), "std": float(v.std()), "min": float(v.min()), "max": float(v.max())} for k, v in ref.items()}
        # the errors torch itself makes at default fp32 (TF32 convolutions) and in fp16, on the same items
        with torch.no_grad():
            d32 = {k: v.float().cpu().numpy() for k, v in fwd(ref_in).items()}
        entry["torchFp32DefaultRelErr"] = {k: rel_err(d32[k], ref[k]) for k in ref}
        if args.refs_only:
            save()
            continue

        for dtype_name, dtype in (("fp32", torch.float32), ("fp16", torch.float16)):
            model = model.to(dtype)
            fwd = forward_fn(key, model)
            if dtype == torch.float16:
                with torch.no_grad():
                    h = {k: (v.to(dtype) if v.is_floating_point() else v) for k, v in ref_in.items()}
                    o16 = {k: v.float().cpu().numpy() for k, v in fwd(h).items()}
                entry["torchFp16RelErr"] = {k: rel_err(o16[k], ref[k]) for k in ref}
            for b in batches:
                if time.time() > deadline:
                    entry["runs"].append({"dtype": dtype_name, "batch": b, "skipped": "time budget"})
                    continue
                f_np = slice_feeds(key, feeds_np, b, queries)
                x = {k: torch.from_numpy(v).to(dev) for k, v in f_np.items()}
                x = {k: (v.to(dtype) if v.is_floating_point() else v) for k, v in x.items()}
                if cuda:
                    torch.cuda.synchronize()
                    torch.cuda.empty_cache()
                    torch.cuda.reset_peak_memory_stats()
                base = torch.cuda.memory_allocated() if cuda else 0
                try:
                    with torch.no_grad():
                        times = time_gpu(lambda: fwd(x), args.iter_budget_s, 5, 50, 3)
                        # with the host copies onnxruntime-node makes (CPU tensors in and out), wall clock
                        wall = []
                        cpu_in = {k: torch.from_numpy(v) for k, v in f_np.items()}
                        for _ in range(max(3, min(10, len(times) // 2))):
                            t = time.perf_counter()
                            xi = {k: v.to(dev) for k, v in cpu_in.items()}
                            xi = {k: (v.to(dtype) if v.is_floating_point() else v) for k, v in xi.items()}
                            outs = {k: v.float().cpu() for k, v in fwd(xi).items()}
                            wall.append((time.perf_counter() - t) * 1000)
                            del outs
                except torch.OutOfMemoryError as err:  # noqa: PERF203
                    entry["runs"].append({"dtype": dtype_name, "batch": b, "error": f"OOM: {err}"[:300]})
                    continue
                run = {
                    "dtype": dtype_name, "batch": b, "iters": len(times),
                    "p50ms": pct(times, 0.5), "p99ms": pct(times, 0.99), "meanMs": float(np.mean(times)),
                    "imgPerS": b * len(times) / (sum(times) / 1000),
                    "withHostCopies": {"p50ms": pct(wall, 0.5), "imgPerS": b * len(wall) / (sum(wall) / 1000)},
                    "maxMemoryAllocatedMiB": torch.cuda.max_memory_allocated() / 2**20 if cuda else None,
                    "maxMemoryReservedMiB": torch.cuda.max_memory_reserved() / 2**20 if cuda else None,
                    "weightsMiB": base / 2**20,
                }
                entry["runs"].append(run)
                log(f"{key} torch {dtype_name} b{b}: {run['imgPerS']:.1f} img/s p50 {run['p50ms']:.2f} ms "
                    f"mem {run['maxMemoryAllocatedMiB'] or 0:.0f} MiB")
                del x
        if key == "dav2-small" and time.time() < deadline and not args.tiny:
            # the same fp16 model with cudnn.benchmark on (autotuned convolutions): a stronger baseline
            torch.backends.cudnn.benchmark = True
            for b in batches:
                x = {k: torch.from_numpy(v).to(dev).half() for k, v in slice_feeds(key, feeds_np, b, queries).items()}
                with torch.no_grad():
                    times = time_gpu(lambda: fwd(x), args.iter_budget_s, 5, 50, 5)
                entry["runs"].append({"dtype": "fp16", "batch": b, "cudnnBenchmark": True, "iters": len(times),
                                      "p50ms": pct(times, 0.5), "p99ms": pct(times, 0.99),
                                      "imgPerS": b * len(times) / (sum(times) / 1000)})
                log(f"{key} torch fp16 cudnn.benchmark b{b}: {entry['runs'][-1]['imgPerS']:.1f} img/s")
            torch.backends.cudnn.benchmark = False
        del model, fwd
        if cuda:
            torch.cuda.empty_cache()
        save()
    save()
    return 0


def run_images(args) -> int:
    """Square crops of the sample photos (varied: offsets, sizes, mirrored, toned) as raw RGB, so that every
    image prepares to the same input shape (Depth Anything keeps the aspect ratio) and batches form."""
    from PIL import Image, ImageEnhance, ImageOps

    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    photos = [Image.open(ROOT / "samples" / "photos" / f"{n}.jpg").convert("RGB") for n in ("astronaut", "chelsea", "coffee", "motorcycle")]
    entries = []
    for i in range(args.count):
        im = photos[i % len(photos)]
        k = i // len(photos)
        w, h = im.size
        side = min(w, h) - 6 * k
        left = (w - side) * ((k * 37) % 11) // 10
        top = (h - side) * ((k * 53) % 7) // 6
        crop = im.crop((left, top, left + side, top + side))
        if k % 2 == 1:
            crop = ImageOps.mirror(crop)
        crop = ImageEnhance.Brightness(crop).enhance(1 + ((k % 5) - 2) * 0.03)
        name = f"img{i:03d}.rgb"
        (out / name).write_bytes(np.asarray(crop, dtype=np.uint8).tobytes())
        entries.append({"file": name, "width": side, "height": side})
    (out / "images.json").write_text(json.dumps(entries, indent=1) + "\n")
    log(f"{len(entries)} images in {out}")
    return 0


def run_export(args) -> int:
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    device = args.device if args.device != "auto" else ("cuda" if torch.cuda.is_available() else "cpu")
    done = []
    for key in args.models.split(","):
        if (out / f"{key}-fp16" / "model.json").exists() and (out / key / "weights.pt").exists() and not args.force:
            log(f"{key}: already exported in {out}")
            if key.startswith("dav2") and not (out / f"{key}-fp16-mha-io16-sln-nhwc" / "model.json").exists():
                # an export cached from before the fused variant existed: fuse its fp16 model now
                import onnx

                spec = json.loads((out / f"{key}-fp16" / "model.json").read_text())
                params = sum(v.numel() for v in torch.load(out / key / "weights.pt").values())
                m16 = onnx.load(str(out / f"{key}-fp16" / "model.onnx"))
                done.append({"key": key, "fp16Mha": write_fused(m16, out, key, spec["inputSize"], params)})
            continue
        done.append(export_one(key, out, args.tiny, device))
    (out / "export.json").write_text(json.dumps(done, indent=2) + "\n") if done else None
    return 0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    e = sub.add_parser("export")
    e.add_argument("--out", required=True)
    e.add_argument("--models", default=",".join(ALL_MODELS))
    e.add_argument("--device", default="auto")
    e.add_argument("--tiny", action="store_true", help="tiny configs (local tests of the scripts)")
    e.add_argument("--force", action="store_true")
    i = sub.add_parser("images")
    i.add_argument("--out", required=True)
    i.add_argument("--count", type=int, default=32)
    t = sub.add_parser("torch")
    t.add_argument("--models-dir", required=True)
    t.add_argument("--inputs", required=True)
    t.add_argument("--refs", required=True)
    t.add_argument("--out", required=True)
    t.add_argument("--models", default=",".join(ALL_MODELS))
    t.add_argument("--batches", default="1,8,32")
    t.add_argument("--ref-batch", type=int, default=8)
    t.add_argument("--iter-budget-s", type=float, default=2.0)
    t.add_argument("--budget-s", type=float, default=240.0)
    t.add_argument("--tiny", action="store_true")
    t.add_argument("--refs-only", action="store_true", help="only the fp32 references (also on a CPU)")
    args = ap.parse_args()
    torch.set_num_threads(min(8, os.cpu_count() or 1))
    return {"export": run_export, "torch": run_torch, "images": run_images}[args.cmd](args)


if __name__ == "__main__":
    sys.exit(main())
