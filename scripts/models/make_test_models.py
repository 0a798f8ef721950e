#!/usr/bin/env python3
"""Builds the small random-weight test models of the real architectures and exports them to ONNX.

    .venv-models/bin/python scripts/models/make_test_models.py [--check-only]

Writes (deterministic: fixed seeds, pinned versions in scripts/models/requirements.txt):

  test/fixtures/models/depth-anything-v2-tiny/  model.onnx, model.json
      transformers DepthAnythingForDepthEstimation (Dinov2 backbone, DPT-style neck, relative head
      ending in ReLU) with a tiny config.
  test/fixtures/models/owlv2-tiny/              model.onnx, tokenizer.json, tokenizer_config.json, model.json
      transformers Owlv2ForObjectDetection with a tiny config and a tiny CLIP byte-level BPE
      tokenizer built here (vocab 551 = 512 byte symbols + 37 merges + 2 specials).

Every export is checked: onnxruntime against torch on several batch / size / query-count combinations.
--check-only re-builds the torch models and checks them against the committed ONNX files without
writing anything (the golden script relies on that equivalence).
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import (  # noqa: E402
    FIXTURE_MODELS,
    OPSET,
    assert_close,
    cap_ir_version,
    describe_io,
    file_entry,
    quiet_env,
    set_io_shapes,
    write_json,
    write_model_json,
)

quiet_env()

import numpy as np  # noqa: E402
import torch  # noqa: E402
import torch.nn as nn  # noqa: E402

DEPTH_DIR = FIXTURE_MODELS / "depth-anything-v2-tiny"
OWL_DIR = FIXTURE_MODELS / "owlv2-tiny"

DEPTH_SEED = 1401
OWL_SEED = 1602

DEPTH_INPUT_SIZE = 56  # 4 x patch 14; the real model uses 518
OWL_IMAGE_SIZE = 64  # 4 x patch 16; the real base model uses 960
OWL_SEQ_LEN = 16  # text max_position_embeddings, as the real OWLv2
OWL_OUTPUTS = ["logits", "objectness_logits", "pred_boxes", "text_embeds", "image_embeds", "class_embeds"]

# ---------------------------------------------------------------------------------------------
# Depth Anything V2 (tiny)
# ---------------------------------------------------------------------------------------------


def _depth_head_forward(self, hidden_states, patch_height, patch_width):
    """DepthAnythingDepthEstimationHead.forward of transformers 5.24 without the int() casts.

    The original wraps the upsampling size in int(...), which freezes the traced graph to the example
    image size; the arithmetic is otherwise identical (same ops, same order), so torch outputs are
    bit-identical with and without this patch (checked in build_depth_model).
    """
    hidden_states = hidden_states[self.head_in_index]
    predicted_depth = self.conv1(hidden_states)
    predicted_depth = nn.functional.interpolate(
        predicted_depth,
        (patch_height * self.patch_size, patch_width * self.patch_size),
        mode="bilinear",
        align_corners=True,
    )
    predicted_depth = self.conv2(predicted_depth)
    predicted_depth = self.activation1(predicted_depth)
    predicted_depth = self.conv3(predicted_depth)
    predicted_depth = self.activation2(predicted_depth) * self.max_depth
    predicted_depth = predicted_depth.squeeze(dim=1)
    return predicted_depth


def depth_config():
    from transformers import DepthAnythingConfig, Dinov2Config

    # Same structure as depth-anything/Depth-Anything-V2-Small-hf (Dinov2 ViT-S/14, 4 backbone
    # stages, reassemble factors 4/2/1/0.5, DPT fusion, relative head with ReLU), shrunk.
    backbone = Dinov2Config(
        hidden_size=32,
        num_hidden_layers=4,
        num_attention_heads=2,
        mlp_ratio=4,
        patch_size=14,
        image_size=DEPTH_INPUT_SIZE,
        out_indices=[1, 2, 3, 4],
        reshape_hidden_states=False,
        apply_layernorm=True,
        layerscale_value=1.0,
        use_swiglu_ffn=False,
        drop_path_rate=0.0,
    )
    cfg = DepthAnythingConfig(
        backbone_config=backbone,
        patch_size=14,
        reassemble_hidden_size=32,
        reassemble_factors=[4, 2, 1, 0.5],
        neck_hidden_sizes=[4, 8, 16, 32],
        fusion_hidden_size=16,
        head_hidden_size=8,
        head_in_index=-1,
        depth_estimation_type="relative",
        max_depth=1,
    )
    cfg._attn_implementation = "eager"
    return cfg


def build_depth_model():
    """The tiny Depth Anything V2 torch model (eval mode, deterministic weights)."""
    from transformers import DepthAnythingForDepthEstimation
    from transformers.models.depth_anything import modeling_depth_anything as mda

    torch.manual_seed(DEPTH_SEED)
    model = DepthAnythingForDepthEstimation(depth_config()).eval()
    # HF init (normal std 0.02 everywhere) makes every activation vanish through 20+ layers and the
    # head outputs ~1e-7. Re-initialise convolutions / linears with PyTorch's defaults (Kaiming
    # uniform), still seeded, so the map has spatial structure.
    torch.manual_seed(DEPTH_SEED + 1)
    for mod in model.modules():
        if isinstance(mod, (nn.Conv2d, nn.ConvTranspose2d, nn.Linear)):
            mod.reset_parameters()
    with torch.no_grad():
        # The real relative head ends in ReLU and gives positive disparity; a positive bias on the last
        # 1x1 conv plus a larger gain keeps the random head positive with visible variation.
        model.head.conv3.weight.mul_(8.0)
        model.head.conv3.bias.fill_(2.0)
    x = torch.randn(2, 3, 42, 56, generator=torch.Generator().manual_seed(0))
    with torch.no_grad():
        before = model(pixel_values=x).predicted_depth
    mda.DepthAnythingDepthEstimationHead.forward = _depth_head_forward
    with torch.no_grad():
        after = model(pixel_values=x).predicted_depth
    if not torch.equal(before, after):
        raise AssertionError("patched depth head changed the outputs")
    return model


class _DepthWrapper(nn.Module):
    def __init__(self, model):
        super().__init__()
        self.model = model

    def forward(self, pixel_values):
        return self.model(pixel_values=pixel_values).predicted_depth


def export_depth(model, path: Path) -> None:
    x = torch.randn(2, 3, DEPTH_INPUT_SIZE, DEPTH_INPUT_SIZE + 14, generator=torch.Generator().manual_seed(1))
    torch.onnx.export(
        _DepthWrapper(model),
        (x,),
        str(path),
        input_names=["pixel_values"],
        output_names=["predicted_depth"],
        opset_version=OPSET,
        dynamo=False,
        do_constant_folding=True,
        dynamic_axes={
            "pixel_values": {0: "batch", 2: "height", 3: "width"},
            "predicted_depth": {0: "batch", 1: "out_height", 2: "out_width"},
        },
    )
    cap_ir_version(path)
    set_io_shapes(
        path,
        {"pixel_values": ["batch", 3, "height", "width"], "predicted_depth": ["batch", "out_height", "out_width"]},
    )


def check_depth(model, path: Path) -> list[str]:
    import onnxruntime as ort

    sess = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    report = []
    g = torch.Generator().manual_seed(2)
    for shape in [(1, 3, 56, 70), (2, 3, 42, 84), (1, 3, 56, 56), (3, 3, 28, 42), (1, 3, 60, 75), (1, 3, 126, 98)]:
        x = torch.randn(*shape, generator=g)
        with torch.no_grad():
            want = model(pixel_values=x).predicted_depth.numpy()
        got = sess.run(["predicted_depth"], {"pixel_values": x.numpy()})[0]
        a, r = assert_close(f"depth {shape}", got, want, atol=1e-4, rtol=1e-4)
        if (want <= 0).mean() > 0.05:
            raise AssertionError(f"depth {shape}: {(want <= 0).mean():.1%} of the map is not positive")
        report.append(f"depth {shape} -> {got.shape}: max abs {a:.2e}, range [{want.min():.3f}, {want.max():.3f}]")
    return report


# ---------------------------------------------------------------------------------------------
# OWLv2 (tiny) and its tokenizer
# ---------------------------------------------------------------------------------------------

# Words that get whole-word BPE tokens; any other text still tokenizes (down to byte symbols).
TOKENIZER_WORDS = ["a", "photo", "of", "cat", "dog", "person", "cup", "motorcycle", "chair", "an", "the", "car", "table"]

# tokenizer_config.json as google/owlv2-base-patch16-ensemble has it (model_max_length 16, pad "!").
OWL_TOKENIZER_CONFIG = {
    "add_prefix_space": False,
    "bos_token": "<|startoftext|>",
    "do_lower_case": True,
    "eos_token": "<|endoftext|>",
    "errors": "replace",
    "model_max_length": OWL_SEQ_LEN,
    "pad_token": "!",
    "processor_class": "Owlv2Processor",
    "tokenizer_class": "CLIPTokenizer",
    "unk_token": "<|endoftext|>",
}


def bytes_to_unicode() -> dict[int, str]:
    """GPT-2 / CLIP byte -> printable unicode map, in CLIP's vocabulary order ('!' first, id 0)."""
    bs = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(range(ord("®"), ord("ÿ") + 1))
    cs = bs[:]
    n = 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return dict(zip(bs, [chr(c) for c in cs]))


def tokenizer_vocab_and_merges() -> tuple[dict[str, int], list[tuple[str, str]]]:
    """A CLIP-layout vocabulary: 256 byte symbols, the same with '</w>', merge results, then
    <|startoftext|>, <|endoftext|> (last, so eos has the highest id as CLIP's pooling assumes)."""
    b2u = bytes_to_unicode()
    base = list(b2u.values())
    vocab_list = base + [v + "</w>" for v in base]
    merges: list[tuple[str, str]] = []
    for word in TOKENIZER_WORDS:
        syms = [b2u[b] for b in word.encode("utf-8")]
        syms[-1] += "</w>"
        while len(syms) > 1:  # merge left to right: "c a", "ca t</w>"
            pair = (syms[0], syms[1])
            if pair not in merges:
                merges.append(pair)
            syms = [syms[0] + syms[1]] + syms[2:]
    for a, b in merges:
        if a + b not in vocab_list:
            vocab_list.append(a + b)
    vocab_list += ["<|startoftext|>", "<|endoftext|>"]
    return {t: i for i, t in enumerate(vocab_list)}, merges


def build_tokenizer(out_dir: Path | None = None):
    """Builds the CLIP tokenizer from vocab.json + merges.txt; optionally saves tokenizer.json and
    tokenizer_config.json (the files the model folder ships) into out_dir."""
    from transformers import AutoTokenizer, CLIPTokenizer

    vocab, merges = tokenizer_vocab_and_merges()
    with tempfile.TemporaryDirectory() as tmp:
        t = Path(tmp)
        (t / "vocab.json").write_text(json.dumps(vocab, ensure_ascii=False), encoding="utf-8")
        (t / "merges.txt").write_text("#version: 0.2\n" + "".join(f"{a} {b}\n" for a, b in merges), encoding="utf-8")
        write_json(t / "tokenizer_config.json", OWL_TOKENIZER_CONFIG)
        tok = CLIPTokenizer.from_pretrained(tmp)
        if out_dir is not None:
            out_dir.mkdir(parents=True, exist_ok=True)
            saved = Path(tmp) / "saved"
            tok.save_pretrained(str(saved))  # fresh tokenizer: no padding/truncation state in tokenizer.json
            shutil.copyfile(saved / "tokenizer.json", out_dir / "tokenizer.json")
            write_json(out_dir / "tokenizer_config.json", OWL_TOKENIZER_CONFIG)
    for w in TOKENIZER_WORDS:
        ids = tok(w)["input_ids"]
        if len(ids) != 3:
            raise AssertionError(f"tokenizer: {w!r} is not one token: {tok.convert_ids_to_tokens(ids)}")
    if tok.pad_token_id != 0 or tok.eos_token_id != len(tok) - 1 or tok.bos_token_id != len(tok) - 2:
        raise AssertionError("tokenizer: unexpected special token ids")
    if out_dir is not None:
        # The shipped pair must load on its own and tokenize the same.
        again = AutoTokenizer.from_pretrained(str(out_dir))
        probe = ["a photo of a cat", "Motorcycle!", "", "zebra on a chair"]
        kw = dict(padding="max_length", truncation=True, max_length=OWL_SEQ_LEN)
        if again(probe, **kw)["input_ids"] != tok(probe, **kw)["input_ids"]:
            raise AssertionError("tokenizer: saved tokenizer.json tokenizes differently")
    return tok


def owl_config(vocab_size: int, bos: int, eos: int):
    from transformers import Owlv2Config

    cfg = Owlv2Config(
        text_config=dict(
            vocab_size=vocab_size,
            hidden_size=32,
            intermediate_size=64,
            num_hidden_layers=2,
            num_attention_heads=2,
            max_position_embeddings=OWL_SEQ_LEN,
            pad_token_id=0,
            bos_token_id=bos,
            eos_token_id=eos,
        ),
        vision_config=dict(
            hidden_size=32,
            intermediate_size=64,
            num_hidden_layers=2,
            num_attention_heads=2,
            image_size=OWL_IMAGE_SIZE,
            patch_size=16,
        ),
        projection_dim=32,
    )
    cfg._attn_implementation = "eager"
    cfg.text_config._attn_implementation = "eager"
    cfg.vision_config._attn_implementation = "eager"
    return cfg


def build_owl_model(tokenizer=None):
    from transformers import Owlv2ForObjectDetection

    tok = tokenizer if tokenizer is not None else build_tokenizer()
    torch.manual_seed(OWL_SEED)
    model = Owlv2ForObjectDetection(owl_config(len(tok), tok.bos_token_id, tok.eos_token_id)).eval()
    # With the stock random init the heads saturate (Owlv2 initialises the head linears with std ~1:
    # box logits ~+-20, class logits up to +-50, so sigmoid outputs are exactly 0 / 1), which would make
    # the goldens insensitive. Re-initialise the head linears with PyTorch's defaults (seeded) and
    # shrink the logit scale, so scores spread over (0, 1) and boxes stay near the per-patch prior
    # (box_bias), as in a trained model.
    torch.manual_seed(OWL_SEED + 1)
    # Same for the text tower (std 0.02 embeddings make every query embed alike, so argmax labels would
    # all be query 0): larger token embeddings and default-initialised text linears.
    with torch.no_grad():
        model.owlv2.text_model.embeddings.token_embedding.weight.normal_(0.0, 0.3)
    for mod in model.owlv2.text_model.modules():
        if isinstance(mod, nn.Linear):
            mod.reset_parameters()
    for head in (model.class_head, model.box_head, model.objectness_head):
        for mod in head.modules():
            if isinstance(mod, nn.Linear):
                mod.reset_parameters()
    with torch.no_grad():
        model.class_head.logit_scale.weight.mul_(0.1)
        model.class_head.logit_scale.bias.fill_(1.0)
    return model


class _OwlWrapper(nn.Module):
    def __init__(self, model):
        super().__init__()
        self.model = model

    def forward(self, input_ids, pixel_values, attention_mask):
        out = self.model(input_ids=input_ids, pixel_values=pixel_values, attention_mask=attention_mask)
        return tuple(out[k] for k in OWL_OUTPUTS)


def owl_outputs(model, input_ids, pixel_values, attention_mask) -> dict[str, np.ndarray]:
    with torch.no_grad():
        out = _OwlWrapper(model)(torch.as_tensor(input_ids), torch.as_tensor(pixel_values), torch.as_tensor(attention_mask))
    return {k: v.numpy() for k, v in zip(OWL_OUTPUTS, out)}


def _queries(tok, texts: list[str]):
    enc = tok(texts, padding="max_length", truncation=True, max_length=OWL_SEQ_LEN, return_tensors="np")
    return enc["input_ids"].astype(np.int64), enc["attention_mask"].astype(np.int64)


def export_owl(model, tok, path: Path) -> None:
    ids, mask = _queries(tok, ["a photo of a cat", "dog", "person"] * 2)  # batch 2 x 3 queries
    px = torch.randn(2, 3, OWL_IMAGE_SIZE, OWL_IMAGE_SIZE, generator=torch.Generator().manual_seed(3))
    torch.onnx.export(
        _OwlWrapper(model),
        (torch.from_numpy(ids), px, torch.from_numpy(mask)),
        str(path),
        input_names=["input_ids", "pixel_values", "attention_mask"],
        output_names=OWL_OUTPUTS,
        opset_version=OPSET,
        dynamo=False,
        do_constant_folding=True,
        dynamic_axes={
            "input_ids": {0: "num_queries_total"},
            "attention_mask": {0: "num_queries_total"},
            "pixel_values": {0: "batch"},
            "logits": {0: "batch", 2: "num_queries"},
            "objectness_logits": {0: "batch"},
            "pred_boxes": {0: "batch"},
            "text_embeds": {0: "batch", 1: "num_queries"},
            "image_embeds": {0: "batch"},
            "class_embeds": {0: "batch"},
        },
    )
    cap_ir_version(path)
    p = (OWL_IMAGE_SIZE // 16) ** 2
    g = OWL_IMAGE_SIZE // 16
    set_io_shapes(
        path,
        {
            "input_ids": ["num_queries_total", OWL_SEQ_LEN],
            "attention_mask": ["num_queries_total", OWL_SEQ_LEN],
            "pixel_values": ["batch", 3, OWL_IMAGE_SIZE, OWL_IMAGE_SIZE],
            "logits": ["batch", p, "num_queries"],
            "objectness_logits": ["batch", p],
            "pred_boxes": ["batch", p, 4],
            "text_embeds": ["batch", "num_queries", 32],
            "image_embeds": ["batch", g, g, 32],
            "class_embeds": ["batch", p, 32],
        },
    )


def check_owl(model, tok, path: Path) -> list[str]:
    import onnxruntime as ort

    sess = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    texts = ["a photo of a cat", "dog", "person", "Motorcycle!", "", "a chair", "zebra"]
    report = []
    g = torch.Generator().manual_seed(4)
    for batch, nq in [(1, 1), (1, 5), (2, 3), (3, 2), (2, 7)]:
        ids, mask = _queries(tok, [texts[i % len(texts)] for i in range(batch * nq)])
        px = (torch.randn(batch, 3, OWL_IMAGE_SIZE, OWL_IMAGE_SIZE, generator=g) * 0.8).numpy()
        want = owl_outputs(model, ids, px, mask)
        got = dict(zip(OWL_OUTPUTS, sess.run(OWL_OUTPUTS, {"input_ids": ids, "pixel_values": px, "attention_mask": mask})))
        worst = []
        for k in OWL_OUTPUTS:
            a, _ = assert_close(f"owlv2 {k} b{batch} q{nq}", got[k], want[k], atol=2e-4, rtol=1e-4)
            worst.append(f"{k} {a:.1e}")
        report.append(f"owlv2 batch {batch} x {nq} queries: " + ", ".join(worst))
    return report


# ---------------------------------------------------------------------------------------------


def write_specs() -> None:
    write_model_json(
        DEPTH_DIR,
        {
            "name": "depth-anything-v2-tiny",
            "task": "depth",
            "architecture": "depth-anything-v2",
            "description": "Test model: the Depth Anything V2 architecture (transformers DepthAnythingForDepthEstimation, "
            "Dinov2 backbone patch 14, hidden 32, 4 layers) with random weights; relative (inverse) head. "
            "Made by scripts/models/make_test_models.py. Outputs are meaningless.",
            "license": "Apache-2.0",
            "inputSize": DEPTH_INPUT_SIZE,
            "depthOutput": "inverse",
            "files": [file_entry(DEPTH_DIR, "model", "model.onnx")],
        },
    )
    write_model_json(
        OWL_DIR,
        {
            "name": "owlv2-tiny",
            "task": "detect",
            "architecture": "owlv2",
            "description": "Test model: the OWLv2 architecture (transformers Owlv2ForObjectDetection, vision 64px / patch 16, "
            "hidden 32, 2+2 layers) with random weights and a 551-token CLIP BPE tokenizer. "
            "Made by scripts/models/make_test_models.py. Outputs are meaningless.",
            "license": "Apache-2.0",
            "inputSize": OWL_IMAGE_SIZE,
            "files": [
                file_entry(OWL_DIR, "model", "model.onnx"),
                file_entry(OWL_DIR, "tokenizer", "tokenizer.json"),
                file_entry(OWL_DIR, "tokenizer_config", "tokenizer_config.json"),
            ],
        },
    )


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--check-only", action="store_true", help="check the committed ONNX files, write nothing")
    args = ap.parse_args()
    torch.set_num_threads(2)

    depth = build_depth_model()
    if not args.check_only:
        DEPTH_DIR.mkdir(parents=True, exist_ok=True)
        export_depth(depth, DEPTH_DIR / "model.onnx")
    report = check_depth(depth, DEPTH_DIR / "model.onnx")

    tok = build_tokenizer(None if args.check_only else OWL_DIR)
    owl = build_owl_model(tok)
    if not args.check_only:
        export_owl(owl, tok, OWL_DIR / "model.onnx")
    report += check_owl(owl, tok, OWL_DIR / "model.onnx")

    if not args.check_only:
        write_specs()
    for line in report:
        print(line)
    for d in (DEPTH_DIR, OWL_DIR):
        print(d.relative_to(FIXTURE_MODELS.parents[2]), json.dumps(describe_io(d / "model.onnx")))
    print("ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
