#!/usr/bin/env python3
"""Golden tensors for the TypeScript adapters of the two tiny test models.

    .venv-models/bin/python scripts/models/make_goldens.py

Reads test/fixtures/golden/input.png (made here from scikit-image's chelsea.png, CC0, when absent),
rebuilds the tiny torch models exactly as make_test_models.py does (same seeds), checks them against
the committed ONNX files, and writes .npy goldens (float32 / int64 only) plus the 'depth-anything-v2-tiny'
and 'owlv2-tiny' sections of test/fixtures/golden/index.json. See test/fixtures/golden/README.md.

Processors are transformers' PIL/NumPy backends (DPTImageProcessorPil, Owlv2ImageProcessorPil): the
numerics of the classic transformers 4.x DPTImageProcessor / Owlv2ImageProcessor, framework-free.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import GOLDEN, SKIMAGE_DATA, assert_close, quiet_env, save_npy, sha256_file, write_json  # noqa: E402

quiet_env()

import numpy as np  # noqa: E402
import torch  # noqa: E402
from PIL import Image  # noqa: E402

import make_test_models as mtm  # noqa: E402

INPUT_PNG = GOLDEN / "input.png"
INDEX = GOLDEN / "index.json"
# chelsea.png is 451 x 300; a 4:3 crop around the cat, downscaled to 80 x 60.
INPUT_CROP = (25, 0, 425, 300)
INPUT_SIZE = (80, 60)

DEPTH_PROCESSOR = {
    "class": "DPTImageProcessorPil (transformers 5.24; = DPTImageProcessor of transformers 4.x)",
    "do_resize": True,
    "size": {"height": mtm.DEPTH_INPUT_SIZE, "width": mtm.DEPTH_INPUT_SIZE},
    "keep_aspect_ratio": True,
    "ensure_multiple_of": 14,
    "resample": 3,
    "resample_name": "PIL.Image.BICUBIC",
    "do_rescale": True,
    "rescale_factor": 1 / 255,
    "do_normalize": True,
    "image_mean": [0.485, 0.456, 0.406],
    "image_std": [0.229, 0.224, 0.225],
    "do_pad": False,
    "order": ["resize (uint8, PIL)", "rescale", "normalize"],
}

OWL_PROCESSOR = {
    "class": "Owlv2ImageProcessorPil (transformers 5.24; = Owlv2ImageProcessor of transformers 4.x)",
    "do_rescale": True,
    "rescale_factor": 1 / 255,
    "do_pad": True,
    "pad_value": 0.0,
    "do_resize": True,
    "size": {"height": mtm.OWL_IMAGE_SIZE, "width": mtm.OWL_IMAGE_SIZE},
    "resample": 2,
    "resample_note": "ignored: Owlv2 resize is scipy gaussian_filter + ndimage.zoom(order=1), not PIL",
    "do_normalize": True,
    "image_mean": [0.48145466, 0.4578275, 0.40821073],
    "image_std": [0.26862954, 0.26130258, 0.27577711],
    "order": ["rescale", "pad (bottom/right to square)", "resize (anti-aliased)", "normalize"],
}

TOKENIZER_QUERIES = [
    "a photo of a cat",
    "dog",
    "person",
    "Motorcycle!",
    "",
    "  A   Photo of a CHAIR  ",
    "zebra",
    "a photo of a cat a photo of a dog a photo of a person on a chair",
]
MODEL_QUERIES = ["a photo of a cat", "dog", "person", "Motorcycle!", ""]
BATCH2_QUERIES = [["a photo of a cat", "dog"], ["person", "cup"]]
OWL_THRESHOLD = 0.35


def make_input_png() -> None:
    src = SKIMAGE_DATA / "chelsea.png"
    if INPUT_PNG.exists():
        return
    if not src.exists():
        raise SystemExit(f"{src} missing: apt-get install -y python3-skimage")
    img = Image.open(src).convert("RGB").crop(INPUT_CROP).resize(INPUT_SIZE, Image.LANCZOS)
    GOLDEN.mkdir(parents=True, exist_ok=True)
    img.save(INPUT_PNG, optimize=True)


def load_rgb(path: Path) -> np.ndarray:
    return np.asarray(Image.open(path).convert("RGB"))


def update_index(section: str, entry: dict) -> None:
    index = json.loads(INDEX.read_text()) if INDEX.exists() else {}
    index[section] = entry
    keys = (["input.png"] if "input.png" in index else []) + sorted(k for k in index if k != "input.png")
    write_json(INDEX, {k: index[k] for k in keys})


def versions() -> dict:
    import PIL
    import scipy
    import transformers

    return {
        "transformers": transformers.__version__,
        "torch": torch.__version__,
        "numpy": np.__version__,
        "pillow": PIL.__version__,
        "scipy": scipy.__version__,
    }


# ---------------------------------------------------------------------------------------------


def depth_goldens(image: np.ndarray) -> dict:
    import onnxruntime as ort
    from transformers import DPTImageProcessorPil
    from transformers.modeling_outputs import DepthEstimatorOutput

    kw = {k: v for k, v in DEPTH_PROCESSOR.items() if k not in ("class", "resample_name", "order")}
    proc = DPTImageProcessorPil(**kw)
    pixel_values = proc(images=Image.fromarray(image), return_tensors="np")["pixel_values"].astype(np.float32)

    # Intermediate: the PIL bicubic resize of the uint8 image (what the processor resizes to).
    _, _, h, w = pixel_values.shape
    resized = np.asarray(Image.fromarray(image).resize((w, h), Image.BICUBIC)).astype(np.float32)
    mean = np.array(DEPTH_PROCESSOR["image_mean"], dtype=np.float32)
    std = np.array(DEPTH_PROCESSOR["image_std"], dtype=np.float32)
    recon = (((resized.astype(np.float64) / 255).astype(np.float32) - mean) / std).transpose(2, 0, 1)[None]
    assert_close("depth processor reconstruction", recon, pixel_values, atol=1e-6, rtol=0)

    model = mtm.build_depth_model()
    with torch.no_grad():
        depth = model(pixel_values=torch.from_numpy(pixel_values)).predicted_depth
    sess = ort.InferenceSession(str(mtm.DEPTH_DIR / "model.onnx"), providers=["CPUExecutionProvider"])
    onnx_depth = sess.run(["predicted_depth"], {"pixel_values": pixel_values})[0]
    ort_abs, _ = assert_close("depth onnx vs torch", onnx_depth, depth.numpy(), atol=1e-5, rtol=1e-5)

    target = (image.shape[0], image.shape[1])
    post = proc.post_process_depth_estimation(DepthEstimatorOutput(predicted_depth=depth), target_sizes=[target])
    post_depth = post[0]["predicted_depth"].numpy().astype(np.float32)
    # The same interpolation spelled out (what the TS side implements).
    manual = torch.nn.functional.interpolate(depth[:, None], size=target, mode="bicubic", align_corners=False)[0, 0]
    assert_close("depth post-process", manual.numpy(), post_depth, atol=0, rtol=0)

    files = {
        "processor": save_npy(GOLDEN / "depth-anything.pixel_values.npy", pixel_values),
        "processor_resized": save_npy(GOLDEN / "depth-anything.resized.npy", resized),
        "model": save_npy(GOLDEN / "depth-anything.predicted_depth.npy", depth.numpy().astype(np.float32)),
        "postprocess": save_npy(GOLDEN / "depth-anything.depth.npy", post_depth),
    }
    files["processor"]["what"] = "input.png -> processor -> pixel_values, NCHW"
    files["processor_resized"]["what"] = "input.png resized by PIL bicubic to the processor size, HWC RGB, 0..255 (integers)"
    files["model"]["what"] = "pixel_values -> torch fp32 predicted_depth [batch, H, W] (relative inverse depth)"
    files["postprocess"]["what"] = "predicted_depth -> post_process_depth_estimation(target_sizes=[(60, 80)]) [H, W]"
    return {
        "model": "test/fixtures/models/depth-anything-v2-tiny",
        "processor": DEPTH_PROCESSOR,
        "resize_result": {"height": int(h), "width": int(w)},
        "postprocess": {
            "function": "DPTImageProcessorPil.post_process_depth_estimation",
            "target_size": list(target),
            "interpolation": "torch.nn.functional.interpolate(mode='bicubic', align_corners=False) (cubic a=-0.75, no antialias), float32",
        },
        "onnx_vs_torch_max_abs": ort_abs,
        "files": files,
    }


def owl_goldens(image: np.ndarray) -> dict:
    import onnxruntime as ort
    from scipy import ndimage as ndi
    from transformers import Owlv2ImageProcessorPil, Owlv2Processor
    from transformers.models.owlv2.modeling_owlv2 import Owlv2ObjectDetectionOutput

    kw = {k: v for k, v in OWL_PROCESSOR.items() if k not in ("class", "order", "pad_value", "resample_note")}
    improc = Owlv2ImageProcessorPil(**kw)
    tok = mtm.build_tokenizer()
    processor = Owlv2Processor(image_processor=improc, tokenizer=tok)

    # --- tokenizer golden (Owlv2Processor: padding="max_length" (its default), truncation=True)
    enc = processor(text=TOKENIZER_QUERIES, truncation=True, return_tensors="np")
    tok_ids = enc["input_ids"].astype(np.int64)
    tok_mask = enc["attention_mask"].astype(np.int64)
    tokens = [tok.convert_ids_to_tokens(row.tolist()) for row in tok_ids]

    # --- processor golden
    pixel_values = improc(images=Image.fromarray(image), return_tensors="np")["pixel_values"].astype(np.float32)
    # Intermediates, spelled out (the steps Owlv2ImageProcessorPil takes).
    rescaled = (image.astype(np.float64) / 255).astype(np.float32)
    side = max(image.shape[0], image.shape[1])
    padded = np.zeros((side, side, 3), dtype=np.float32)
    padded[: image.shape[0], : image.shape[1]] = rescaled
    S = mtm.OWL_IMAGE_SIZE
    factors = np.divide(padded.shape, (S, S, 3))
    sigma = np.maximum(0, (factors - 1) / 2)
    blurred = ndi.gaussian_filter(padded, sigma, cval=0, mode="mirror")
    resized = ndi.zoom(blurred, [1 / f for f in factors], order=1, mode="mirror", cval=0, grid_mode=True)
    resized = np.clip(resized, padded.min(), padded.max()).astype(np.float32)
    mean = np.array(OWL_PROCESSOR["image_mean"], dtype=np.float32)
    std = np.array(OWL_PROCESSOR["image_std"], dtype=np.float32)
    recon = ((resized - mean) / std).transpose(2, 0, 1)[None]
    assert_close("owlv2 processor reconstruction", recon, pixel_values, atol=1e-6, rtol=0)

    # --- model golden (batch 1, 5 queries)
    model = mtm.build_owl_model(tok)
    q = processor(text=MODEL_QUERIES, truncation=True, return_tensors="np")
    ids, mask = q["input_ids"].astype(np.int64), q["attention_mask"].astype(np.int64)
    out = mtm.owl_outputs(model, ids, pixel_values, mask)
    sess = ort.InferenceSession(str(mtm.OWL_DIR / "model.onnx"), providers=["CPUExecutionProvider"])
    got = dict(zip(mtm.OWL_OUTPUTS, sess.run(mtm.OWL_OUTPUTS, {"input_ids": ids, "pixel_values": pixel_values, "attention_mask": mask})))
    ort_abs = {k: assert_close(f"owlv2 {k} onnx vs torch", got[k], out[k], atol=2e-4, rtol=1e-4)[0] for k in mtm.OWL_OUTPUTS}

    # --- post-processing golden
    target = (side, side)
    det_out = Owlv2ObjectDetectionOutput(logits=torch.from_numpy(out["logits"]), pred_boxes=torch.from_numpy(out["pred_boxes"]))
    det = improc.post_process_object_detection(det_out, threshold=OWL_THRESHOLD, target_sizes=[target])[0]
    boxes = det["boxes"].numpy().astype(np.float32)
    scores = det["scores"].numpy().astype(np.float32)
    labels = det["labels"].numpy().astype(np.int64)
    all_scores = 1 / (1 + np.exp(-out["logits"].max(-1).astype(np.float64)))
    if not 1 <= len(scores) < out["logits"].shape[1] or np.abs(all_scores - OWL_THRESHOLD).min() < 0.01:
        raise AssertionError(f"threshold {OWL_THRESHOLD} keeps {len(scores)} boxes or is too close to a score")

    # --- batch 2 golden: two images (input.png, and it mirrored left-right), 2 queries each
    flipped = np.ascontiguousarray(image[:, ::-1])
    b2 = processor(text=BATCH2_QUERIES, images=[Image.fromarray(image), Image.fromarray(flipped)], truncation=True, return_tensors="np")
    b2_ids, b2_mask = b2["input_ids"].astype(np.int64), b2["attention_mask"].astype(np.int64)
    b2_px = b2["pixel_values"].astype(np.float32)
    b2_out = mtm.owl_outputs(model, b2_ids, b2_px, b2_mask)
    b2_got = dict(zip(mtm.OWL_OUTPUTS, sess.run(mtm.OWL_OUTPUTS, {"input_ids": b2_ids, "pixel_values": b2_px, "attention_mask": b2_mask})))
    for k in mtm.OWL_OUTPUTS:
        assert_close(f"owlv2 batch2 {k} onnx vs torch", b2_got[k], b2_out[k], atol=2e-4, rtol=1e-4)

    G = "owlv2."
    files = {
        "tokenizer_input_ids": save_npy(GOLDEN / f"{G}tokenizer.input_ids.npy", tok_ids),
        "tokenizer_attention_mask": save_npy(GOLDEN / f"{G}tokenizer.attention_mask.npy", tok_mask),
        "processor": save_npy(GOLDEN / f"{G}pixel_values.npy", pixel_values),
        "processor_padded": save_npy(GOLDEN / f"{G}padded.npy", padded),
        "processor_resized": save_npy(GOLDEN / f"{G}resized.npy", resized),
        "model_input_ids": save_npy(GOLDEN / f"{G}input_ids.npy", ids),
        "model_attention_mask": save_npy(GOLDEN / f"{G}attention_mask.npy", mask),
    }
    for k in mtm.OWL_OUTPUTS:
        files[f"model_{k}"] = save_npy(GOLDEN / f"{G}{k}.npy", out[k].astype(np.float32))
    files["postprocess_boxes"] = save_npy(GOLDEN / f"{G}post.boxes.npy", boxes)
    files["postprocess_scores"] = save_npy(GOLDEN / f"{G}post.scores.npy", scores)
    files["postprocess_labels"] = save_npy(GOLDEN / f"{G}post.labels.npy", labels)
    files["batch2_input_ids"] = save_npy(GOLDEN / f"{G}batch2.input_ids.npy", b2_ids)
    files["batch2_attention_mask"] = save_npy(GOLDEN / f"{G}batch2.attention_mask.npy", b2_mask)
    files["batch2_pixel_values"] = save_npy(GOLDEN / f"{G}batch2.pixel_values.npy", b2_px)
    for k in ("logits", "objectness_logits", "pred_boxes"):
        files[f"batch2_{k}"] = save_npy(GOLDEN / f"{G}batch2.{k}.npy", b2_out[k].astype(np.float32))

    return {
        "model": "test/fixtures/models/owlv2-tiny",
        "processor": OWL_PROCESSOR,
        "tokenizer": {
            "files": ["test/fixtures/models/owlv2-tiny/tokenizer.json", "test/fixtures/models/owlv2-tiny/tokenizer_config.json"],
            "call": "Owlv2Processor(text=queries, truncation=True, return_tensors='np') -> padding='max_length', max_length=16 (model_max_length)",
            "pad_token": "!",
            "pad_token_id": 0,
            "bos_token_id": tok.bos_token_id,
            "eos_token_id": tok.eos_token_id,
            "vocab_size": len(tok),
            "queries": TOKENIZER_QUERIES,
            "tokens": tokens,
            "input_ids": tok_ids.tolist(),
            "attention_mask": tok_mask.tolist(),
        },
        "model_queries": MODEL_QUERIES,
        "postprocess": {
            "function": "Owlv2ImageProcessorPil.post_process_object_detection",
            "threshold": OWL_THRESHOLD,
            "target_sizes": [list(target)],
            "note": "boxes are x1,y1,x2,y2 in pixels of the padded square (side = max(h, w)); "
            "score = sigmoid(max over queries of logits); label = argmax query index; no NMS",
            "boxes": boxes.tolist(),
            "scores": scores.tolist(),
            "labels": labels.tolist(),
        },
        "batch2": {
            "images": ["input.png", "input.png mirrored left-right (image[:, ::-1])"],
            "queries": BATCH2_QUERIES,
            "layout": "input_ids rows [0,1] belong to image 0, rows [2,3] to image 1; logits [2, 16, 2]",
        },
        "onnx_vs_torch_max_abs": ort_abs,
        "files": files,
    }


def main() -> int:
    torch.set_num_threads(2)
    make_input_png()
    image = load_rgb(INPUT_PNG)
    if image.shape != (INPUT_SIZE[1], INPUT_SIZE[0], 3):
        raise SystemExit(f"unexpected {INPUT_PNG} shape {image.shape}")
    update_index(
        "input.png",
        {
            "file": "input.png",
            "sha256": sha256_file(INPUT_PNG),
            "width": INPUT_SIZE[0],
            "height": INPUT_SIZE[1],
            "source": f"scikit-image data/chelsea.png (CC0), crop {list(INPUT_CROP)} (left, top, right, bottom), "
            "PIL LANCZOS resize to 80x60, RGB 8-bit",
        },
    )
    update_index("depth-anything-v2-tiny", {"versions": versions(), **depth_goldens(image)})
    update_index("owlv2-tiny", {"versions": versions(), **owl_goldens(image)})
    print(f"wrote {INDEX}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
