"""Real-size Depth Anything V2 architectures with random weights, for benchmarks on machines that
cannot reach the Hugging Face hub: the same graph, tensor sizes and FLOPs as the trained model, so
its speed and memory are the trained model's; its outputs are meaningless.

    .venv-models/bin/python scripts/models/make_full_size.py [--size small|base|large] [--out DIR]

Writes DIR (default .data/models/depth-anything-v2-<size>-random) with model.onnx and a model.json in
the ModelSpec shape, usable as DEPTH_MODEL=DIR or `npm run bench:pipeline -- --depth-model DIR`.
Configs follow depth-anything/Depth-Anything-V2-{Small,Base,Large}-hf.
"""

import argparse
import sys
from pathlib import Path

import torch
from torch import nn

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import cap_ir_version, file_entry, write_json  # noqa: E402
import make_test_models as tiny  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
SIZES = {
    # hidden, layers, heads, out_indices, neck_hidden_sizes, fusion, head_hidden
    "small": (384, 12, 6, [3, 6, 9, 12], [48, 96, 192, 384], 64, 32),
    "base": (768, 12, 12, [3, 6, 9, 12], [96, 192, 384, 768], 128, 32),
    "large": (1024, 24, 16, [5, 12, 18, 24], [256, 512, 1024, 1024], 256, 32),
}


def config(size: str):
    from transformers import DepthAnythingConfig, Dinov2Config

    hidden, layers, heads, out_indices, neck, fusion, head = SIZES[size]
    backbone = Dinov2Config(
        hidden_size=hidden,
        num_hidden_layers=layers,
        num_attention_heads=heads,
        mlp_ratio=4,
        patch_size=14,
        image_size=518,
        out_indices=out_indices,
        reshape_hidden_states=False,
        apply_layernorm=True,
        layerscale_value=1.0,
        use_swiglu_ffn=False,
    )
    cfg = DepthAnythingConfig(
        backbone_config=backbone,
        patch_size=14,
        reassemble_hidden_size=hidden,
        reassemble_factors=[4, 2, 1, 0.5],
        neck_hidden_sizes=neck,
        fusion_hidden_size=fusion,
        head_hidden_size=head,
        head_in_index=-1,
        depth_estimation_type="relative",
        max_depth=1,
    )
    cfg._attn_implementation = "eager"
    return cfg


def main() -> int:
    from transformers import DepthAnythingForDepthEstimation
    from transformers.models.depth_anything import modeling_depth_anything as mda

    ap = argparse.ArgumentParser()
    ap.add_argument("--size", choices=sorted(SIZES), default="small")
    ap.add_argument("--out", type=Path)
    args = ap.parse_args()
    out = args.out or ROOT / ".data" / "models" / f"depth-anything-v2-{args.size}-random"
    out.mkdir(parents=True, exist_ok=True)
    torch.manual_seed(0)
    model = DepthAnythingForDepthEstimation(config(args.size)).eval()
    mda.DepthAnythingDepthEstimationHead.forward = tiny._depth_head_forward
    x = torch.randn(1, 3, 518, 518)
    path = out / "model.onnx"
    torch.onnx.export(
        tiny._DepthWrapper(model),
        (x,),
        str(path),
        input_names=["pixel_values"],
        output_names=["predicted_depth"],
        opset_version=tiny.OPSET,
        dynamo=False,
        do_constant_folding=True,
        dynamic_axes={
            "pixel_values": {0: "batch", 2: "height", 3: "width"},
            "predicted_depth": {0: "batch", 1: "out_height", 2: "out_width"},
        },
    )
    cap_ir_version(path)
    params = sum(p.numel() for p in model.parameters())
    write_json(
        out / "model.json",
        {
            "name": f"depth-anything-v2-{args.size}-random",
            "task": "depth",
            "architecture": "depth-anything-v2",
            "description": f"Benchmark model: the Depth Anything V2 {args.size.title()} architecture ({params / 1e6:.1f} M parameters) with random weights. Outputs are meaningless.",
            "license": "Apache-2.0",
            "inputSize": 518,
            "depthOutput": "inverse",
            "files": [file_entry(out, "model", "model.onnx")],
        },
    )
    print(f"wrote {out} ({params / 1e6:.1f} M parameters, {path.stat().st_size / 1e6:.1f} MB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
