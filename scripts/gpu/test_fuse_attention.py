#!/usr/bin/env python3
"""Tests of fuse_attention.py on the real export of the GPU benchmark (export_and_torch.export_one):

    .venv-models/bin/python scripts/gpu/test_fuse_attention.py            # tiny DAv2 config, ~30 s
    FULL=1 .venv-models/bin/python scripts/gpu/test_fuse_attention.py     # + DAv2-Small at 518 px

Checks, on onnxruntime's CPU provider: the fused fp32 graph (with and without the bias move) gives the
original's outputs (relative L2 <= 1e-5) at batch 1 and 3 and at another image size; the rewrite also
matches onnxruntime's transformer optimizer (vit) + float16 output and the float16-then-fuse and
fuse-then-float16 orders; a block altered so that it no longer is attention is skipped and counted.
"""

from __future__ import annotations

import copy
import os
import sys
import tempfile
import unittest
from pathlib import Path

import numpy as np
import onnx
import onnxruntime as ort

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import fuse_attention as fa  # noqa: E402

TMP = Path(tempfile.mkdtemp(prefix="fuse-attn-"))
MODELS: dict[bool, Path] = {}


def exported(full: bool) -> Path:
    """DIR with dav2-small-fp32/ and dav2-small-fp16/ as the GPU export writes them."""
    if full not in MODELS:
        import export_and_torch as et

        out = TMP / ("full" if full else "tiny")
        et.export_one("dav2-small", out, tiny=not full, device="cpu")
        MODELS[full] = out
    return MODELS[full]


def session(model: onnx.ModelProto) -> ort.InferenceSession:
    so = ort.SessionOptions()
    so.intra_op_num_threads = 2
    return ort.InferenceSession(model.SerializeToString(), so, providers=["CPUExecutionProvider"])


def run(model: onnx.ModelProto, x: np.ndarray) -> np.ndarray:
    return session(model).run(None, {"pixel_values": x})[0]


def rel(a: np.ndarray, b: np.ndarray) -> float:
    a = a.astype(np.float64)
    b = b.astype(np.float64)
    return float(np.linalg.norm(a - b) / max(np.linalg.norm(b), 1e-30))


def counts(m: onnx.ModelProto) -> dict[str, int]:
    return fa.op_counts(m)


class TinyDepthAnything(unittest.TestCase):
    size = 56
    blocks = 4  # make_test_models.depth_config: 4 layers

    @classmethod
    def setUpClass(cls):
        cls.dir = exported(full=cls.size != 56)
        cls.fp32 = onnx.load(str(cls.dir / "dav2-small-fp32" / "model.onnx"))
        cls.fp16 = onnx.load(str(cls.dir / "dav2-small-fp16" / "model.onnx"))
        rng = np.random.default_rng(0)
        cls.x3 = rng.standard_normal((3, 3, cls.size, cls.size)).astype(np.float32)

    def fused(self, model, bias=False):
        m, stats = fa.fuse_model(copy.deepcopy(model), bias=bias)
        fa.check(m)
        return m, stats

    def assert_fused_counts(self, before, after, stats):
        self.assertEqual(stats.fused, self.blocks, stats.line())
        self.assertEqual(stats.softmax, self.blocks)
        self.assertEqual(after.get("MultiHeadAttention", 0), self.blocks)
        self.assertEqual(after.get("Softmax", 0), before.get("Softmax", 0) - self.blocks)
        # per block: Q·Kᵀ and probs·V gone; 3 head Transposes + the K and output ones; 4 Reshapes
        self.assertEqual(after["MatMul"] + after.get("FusedMatMul", 0),
                         before["MatMul"] + before.get("FusedMatMul", 0) - 2 * self.blocks)
        self.assertEqual(after["Reshape"], before["Reshape"] - 4 * self.blocks)

    def test_fp32_matches_original(self):
        for bias in (False, True):
            m, stats = self.fused(self.fp32, bias)
            self.assert_fused_counts(counts(self.fp32), counts(m), stats)
            self.assertLessEqual(m.ir_version, 10)
            self.assertTrue(any(o.domain == fa.MS_DOMAIN for o in m.opset_import))
            if bias:
                self.assertEqual(stats.bias_fused, self.blocks)
                self.assertEqual(counts(m)["Add"], counts(self.fp32)["Add"] - 3 * self.blocks)
            for b in (1, 3):
                x = self.x3[:b]
                e = rel(run(m, x), run(self.fp32, x))
                print(f"  {self.size}px fp32 bias={bias} batch {b}: rel L2 {e:.2e}")
                self.assertLessEqual(e, 1e-5)
        if self.size == 56:  # another image size through the same graph (dynamic height / width)
            x = np.random.default_rng(1).standard_normal((2, 3, 70, 42)).astype(np.float32)
            self.assertLessEqual(rel(run(m, x), run(self.fp32, x)), 1e-5)

    def test_fp16_export_then_fuse(self):
        m, stats = self.fused(self.fp16, bias=True)
        self.assert_fused_counts(counts(self.fp16), counts(m), stats)
        self.check_fp16(m, "fp16 export + fuse")

    def test_fuse_then_fp16(self):
        from onnxruntime.transformers.float16 import convert_float_to_float16

        m, stats = self.fused(self.fp32)
        m16 = convert_float_to_float16(m, keep_io_types=True)
        self.assertEqual(counts(m16).get("MultiHeadAttention"), self.blocks)
        self.check_fp16(m16, "fuse + fp16")

    def test_optimizer_then_fp16_then_fuse(self):
        from onnxruntime.transformers.optimizer import optimize_model

        cfg = self.fp32_config()
        opt = optimize_model(copy.deepcopy(self.fp32), model_type="vit", num_heads=cfg[0], hidden_size=cfg[1])
        c = counts(opt.model)
        self.assertEqual(c.get("MultiHeadAttention", 0) + c.get("Attention", 0), 0,
                         "the optimizer now fuses this attention itself")
        opt.convert_float_to_float16(keep_io_types=True)
        m16 = opt.model
        m, stats = self.fused(m16, bias=True)
        self.assert_fused_counts(counts(m16), counts(m), stats)
        print(f"  optimizer + fp16: {counts(m16)} -> {counts(m)}")
        self.check_fp16(m, "optimizer + fp16 + fuse")

    def test_onnxruntime_optimized_fusedmatmul(self):
        """onnxruntime's own graph optimizations fold the scale (and the Kᵀ transpose) into FusedMatMul."""
        so = ort.SessionOptions()
        so.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_EXTENDED
        so.optimized_model_filepath = str(TMP / f"ort-opt-{self.size}.onnx")
        ort.InferenceSession(self.fp32.SerializeToString(), so, providers=["CPUExecutionProvider"])
        om = onnx.load(so.optimized_model_filepath)
        self.assertEqual(counts(om).get("FusedMatMul"), self.blocks, counts(om))
        m, stats = self.fused(om)
        self.assert_fused_counts(counts(om), counts(m), stats)
        self.assertNotIn("FusedMatMul", counts(m))
        e = rel(run(m, self.x3[:1]), run(self.fp32, self.x3[:1]))
        print(f"  onnxruntime-optimized (FusedMatMul) + fuse: rel L2 {e:.2e}")
        self.assertLessEqual(e, 1e-5)

    def fp32_config(self):
        return (2, 32) if self.size == 56 else (6, 384)

    def check_fp16(self, m, what):
        """Loads on the CPU when onnxruntime has the fp16 kernels there; then within 1e-2 of fp32."""
        try:
            s = session(m)
        except Exception as e:  # noqa: BLE001
            print(f"  {what}: no CPU kernel ({str(e).splitlines()[0][:160]}); graph checked only")
            return
        x = self.x3[:1]
        e = rel(s.run(None, {"pixel_values": x})[0], run(self.fp32, x))
        print(f"  {what}: CPU fp16 vs fp32 rel L2 {e:.2e}")
        self.assertLessEqual(e, 1e-2)

    def test_non_attention_block_is_skipped(self):
        m = copy.deepcopy(self.fp32)
        g = fa.Graph(m.graph)
        sm = next(n for n in m.graph.node if n.op_type == "Softmax")
        pv = g.consumers[sm.output[0]][0]
        out_t = g.consumers[pv.output[0]][0]
        for a in out_t.attribute:  # (0,1,2,3) instead of (0,2,1,3): no longer the heads merge
            if a.name == "perm":
                a.ints[:] = [0, 1, 2, 3]
        m2, stats = fa.fuse_model(m)
        self.assertEqual(stats.fused, self.blocks - 1)
        self.assertEqual(dict(stats.skipped), {"output-perm": 1})
        fa.check(m2)
        self.assertLessEqual(rel(run(m2, self.x3[:1]), run(m, self.x3[:1])), 1e-5)

    def with_extra_output(self, op: str) -> tuple[onnx.ModelProto, str]:
        """The model with the first block's attention probabilities also read by an `op` node whose
        output is a graph output (so that it stays live)."""
        m = copy.deepcopy(self.fp32)
        sm = next(n for n in m.graph.node if n.op_type == "Softmax")
        out = f"extra_{op.lower()}"
        m.graph.node.append(onnx.helper.make_node(op, [sm.output[0]], [out], name=f"Extra{op}"))
        et = onnx.TensorProto.INT64 if op == "Shape" else onnx.TensorProto.FLOAT
        m.graph.output.append(onnx.helper.make_tensor_value_info(out, et, [None] if op == "Shape" else [None] * 4))
        return m, out

    def test_shape_reader_of_an_intermediate_still_fuses(self):
        m, out = self.with_extra_output("Shape")
        m2, stats = fa.fuse_model(copy.deepcopy(m))
        fa.check(m2)
        self.assertEqual(stats.fused, self.blocks, stats.line())
        x = self.x3[:2]
        got = session(m2).run(None, {"pixel_values": x})
        want = session(m).run(None, {"pixel_values": x})
        self.assertLessEqual(rel(got[0], want[0]), 1e-5)
        self.assertEqual(list(got[-1]), list(want[-1]))  # the probabilities' shape, from the nodes kept

    def test_output_shape_read_from_the_merged_heads(self):
        """The output Reshape's [B, S] taken from Shape(the merged heads) (an older exporter's size()
        pattern) rather than from the query: still attention, still fused, same outputs."""
        m = copy.deepcopy(self.fp32)
        g = fa.Graph(m.graph)
        h = onnx.helper
        for j, sm in enumerate(n for n in list(m.graph.node) if n.op_type == "Softmax"):
            pv = g.consumers[sm.output[0]][0]
            t = g.consumers[pv.output[0]][0]
            r = g.consumers[t.output[0]][0]
            names = [f"hs{j}_{x}" for x in ("shape", "i0", "i1", "b", "s", "b1", "s1", "ax", "rest", "cat")]
            shp, i0, i1, bb, ss, b1, s1, ax, rest, cat = names
            m.graph.initializer.extend([
                onnx.numpy_helper.from_array(np.array(0, np.int64), i0),
                onnx.numpy_helper.from_array(np.array(1, np.int64), i1),
                onnx.numpy_helper.from_array(np.array([0], np.int64), ax),
                onnx.numpy_helper.from_array(np.array([-1], np.int64), rest)])
            m.graph.node.extend([
                h.make_node("Shape", [t.output[0]], [shp]),
                h.make_node("Gather", [shp, i0], [bb], axis=0), h.make_node("Gather", [shp, i1], [ss], axis=0),
                h.make_node("Unsqueeze", [bb, ax], [b1]), h.make_node("Unsqueeze", [ss, ax], [s1]),
                h.make_node("Concat", [b1, s1, rest], [cat], axis=0)])
            r.input[1] = cat
        fa.topo_sort(m.graph)
        fa.check(m)
        m2, stats = fa.fuse_model(copy.deepcopy(m))
        fa.check(m2)
        self.assertEqual(stats.fused, self.blocks, stats.line())
        self.assertNotIn("Softmax", counts(m2))
        self.assertLessEqual(rel(run(m2, self.x3[:2]), run(m, self.x3[:2])), 1e-5)

    def test_value_reader_of_an_intermediate_is_skipped_and_described(self):
        m, out = self.with_extra_output("Identity")
        m2, stats = fa.fuse_model(copy.deepcopy(m))
        fa.check(m2)
        self.assertEqual(stats.fused, self.blocks - 1)
        self.assertEqual(dict(stats.skipped), {"intermediate-shared": 1})
        self.assertIn("ExtraIdentity", stats.examples["intermediate-shared"])
        self.assertIn("first of each: intermediate-shared", stats.line())
        self.assertLessEqual(rel(run(m2, self.x3[:1]), run(m, self.x3[:1])), 1e-5)


class OptimizeForCuda(unittest.TestCase):
    """scripts/models/optimize_for_cuda.py on the committed tiny Depth Anything folder."""

    @classmethod
    def setUpClass(cls):
        sys.path.insert(0, str(HERE.parent / "models"))
        import optimize_for_cuda as oc

        cls.oc = oc
        cls.src = HERE.parent.parent / "test" / "fixtures" / "models" / "depth-anything-v2-tiny"

    def test_writes_a_fused_float16_folder_within_tolerance(self):
        out = TMP / "opt-tiny"
        r = self.oc.optimize(self.src, out, log=lambda *_: None)
        self.assertEqual((r["fused"], r["attentionBlocks"]), (4, 4))
        self.assertLessEqual(r["relL2"], 1e-2)
        m = onnx.load(str(out / "model.onnx"))
        self.assertEqual(m.graph.input[0].type.tensor_type.elem_type, onnx.TensorProto.FLOAT16)
        self.assertEqual(counts(m).get("MultiHeadAttention"), 4)
        self.assertEqual(r["residual"], 8)
        self.assertEqual(counts(m).get("SkipLayerNormalization"), 8)
        self.assertNotIn("com.ms.internal.nhwc", {n.domain for n in m.graph.node})
        spec = __import__("json").loads((out / "model.json").read_text())
        self.assertEqual(spec["name"], "depth-anything-v2-tiny-cuda-fp16")
        self.assertEqual(spec["files"][0]["size"], (out / "model.onnx").stat().st_size)

    def test_nhwc_moves_every_convolution_into_the_cuda_layout_domain(self):
        out = TMP / "opt-tiny-nhwc"
        r = self.oc.optimize(self.src, out, nhwc=True, log=lambda *_: None)
        self.assertTrue(r["nhwc"])
        self.assertLessEqual(r["relL2"], 1e-2)
        m = onnx.load(str(out / "model.onnx"))
        self.assertFalse(any(n.op_type in ("Conv", "ConvTranspose") and n.domain == "" for n in m.graph.node))
        self.assertIn("com.ms.internal.nhwc", {o.domain for o in m.opset_import})
        spec = __import__("json").loads((out / "model.json").read_text())
        self.assertIn("CUDA provider only", spec["description"])

    def test_refuses_other_models_and_its_own_source(self):
        with self.assertRaisesRegex(self.oc.OptimizeError, "only depth-anything-v2"):
            self.oc.optimize(HERE.parent.parent / "models" / "coco-centernet", TMP / "x", log=lambda *_: None)
        with self.assertRaisesRegex(self.oc.OptimizeError, "no model.json"):
            self.oc.optimize(TMP, TMP / "y", log=lambda *_: None)
        with self.assertRaisesRegex(self.oc.OptimizeError, "must differ"):
            self.oc.optimize(self.src, self.src, log=lambda *_: None)


@unittest.skipUnless(os.environ.get("FULL"), "FULL=1 for the full-size DAv2-Small (518 px)")
class FullSizeDepthAnythingSmall(TinyDepthAnything):
    size = 518
    blocks = 12

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.x3 = cls.x3[:1]

    def test_fp32_matches_original(self):
        m, stats = self.fused(self.fp32, bias=True)
        self.assert_fused_counts(counts(self.fp32), counts(m), stats)
        e = rel(run(m, self.x3), run(self.fp32, self.x3))
        print(f"  518px fp32 batch 1: rel L2 {e:.2e}")
        self.assertLessEqual(e, 1e-5)

    test_fuse_then_fp16 = None
    test_non_attention_block_is_skipped = None
    test_shape_reader_of_an_intermediate_still_fuses = None
    test_output_shape_read_from_the_merged_heads = None
    test_value_reader_of_an_intermediate_is_skipped_and_described = None


if __name__ == "__main__":
    unittest.main(verbosity=2)
