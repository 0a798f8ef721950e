#!/usr/bin/env python3
"""Tests of layout_nhwc.py on the tiny Depth Anything V2 fixtures (test/fixtures/models):

    .venv-models/bin/python scripts/gpu/test_layout_nhwc.py

The rewritten graph runs only on the CUDA provider (its convolutions are in com.ms.internal.nhwc), so on
the CPU each NHWC convolution is expanded back into Transpose(to NCHW) -> Conv -> Transpose(to NHWC):
the same function by the operator's definition. That graph must give the original outputs (float32
fixture: relative L2 <= 1e-6; float16 fixture: <= 1e-3), which checks every Transpose the rewrite
inserted, cancelled or moved. The GPU benchmark checks the real kernels against PyTorch.
"""

from __future__ import annotations

import sys
import unittest
from pathlib import Path

import numpy as np
import onnx
import onnxruntime as ort
from onnx import helper

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import layout_nhwc as ln  # noqa: E402

FIXTURES = HERE.parent.parent / "test" / "fixtures" / "models"


def expand_nhwc(model: onnx.ModelProto) -> onnx.ModelProto:
    """The NHWC convolutions as standard ones between Transposes (runnable on the CPU)."""
    m = onnx.ModelProto()
    m.CopyFrom(model)
    out = []
    for k, n in enumerate(m.graph.node):
        if n.domain != ln.NHWC_DOMAIN:
            out.append(n)
            continue
        x, y = f"undo_x{k}", f"undo_y{k}"
        out.append(helper.make_node("Transpose", [n.input[0]], [x], perm=ln.TO_NCHW))
        c = onnx.NodeProto()
        c.CopyFrom(n)
        c.domain = ""
        c.input[0] = x
        real = c.output[0]
        c.output[0] = y
        out.append(c)
        out.append(helper.make_node("Transpose", [y], [real], perm=ln.TO_NHWC))
    del m.graph.node[:]
    m.graph.node.extend(out)
    keep = [o for o in m.opset_import if o.domain != ln.NHWC_DOMAIN]
    del m.opset_import[:]
    m.opset_import.extend(keep)
    return m


def run(model: onnx.ModelProto, x: np.ndarray) -> np.ndarray:
    s = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
    inp = s.get_inputs()[0]
    dtype = np.float16 if "float16" in inp.type else np.float32
    return s.run(None, {inp.name: x.astype(dtype)})[0].astype(np.float32)


def rel_l2(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.linalg.norm(a - b) / max(np.linalg.norm(b), 1e-12))


class LayoutNhwcTest(unittest.TestCase):
    def check_fixture(self, name: str, tol: float, batch: int = 2, size: int = 56):
        src = onnx.load(str(FIXTURES / name / "model.onnx"))
        nhwc, stats = ln.convert(src)
        convs = sum(1 for n in src.graph.node if n.op_type in ("Conv", "ConvTranspose"))
        self.assertGreater(convs, 0)
        self.assertEqual(sum(stats.converted.values()), convs, stats.line())
        self.assertFalse(any(n.op_type in ("Conv", "ConvTranspose") and n.domain == "" for n in nhwc.graph.node))
        self.assertIn(ln.NHWC_DOMAIN, {o.domain for o in nhwc.opset_import})
        # the tidy must leave fewer Transposes than two per convolution on top of the original ones
        original = sum(1 for n in src.graph.node if n.op_type == "Transpose")
        self.assertLess(stats.transposes, original + 2 * convs - stats.cancelled)
        self.assertGreater(stats.cancelled, 0)
        self.assertGreater(stats.moved, 0)
        x = np.random.default_rng(7).standard_normal((batch, 3, size, size)).astype(np.float32)
        want = run(src, x)
        got = run(expand_nhwc(nhwc), x)
        self.assertEqual(got.shape, want.shape)
        self.assertLessEqual(rel_l2(got, want), tol)

    def test_float32_fixture(self):
        self.check_fixture("depth-anything-v2-tiny", 1e-6)

    def test_float16_fixture(self):
        self.check_fixture("depth-anything-v2-tiny-cuda-fp16", 1e-3)

    def test_nothing_to_convert(self):
        x = helper.make_tensor_value_info("x", onnx.TensorProto.FLOAT, [1, 3, 4, 4])
        y = helper.make_tensor_value_info("y", onnx.TensorProto.FLOAT, [1, 3, 4, 4])
        g = helper.make_graph([helper.make_node("Relu", ["x"], ["y"])], "g", [x], [y])
        m = helper.make_model(g, opset_imports=[helper.make_opsetid("", 17)])
        out, stats = ln.convert(m)
        self.assertEqual(sum(stats.converted.values()), 0)
        self.assertNotIn(ln.NHWC_DOMAIN, {o.domain for o in out.opset_import})

    def test_broken_tidy_is_caught(self):
        # the expansion check would catch a wrong permutation: a swapped perm gives another function
        src = onnx.load(str(FIXTURES / "depth-anything-v2-tiny" / "model.onnx"))
        nhwc, _ = ln.convert(src)
        for n in nhwc.graph.node:
            if n.op_type == "Transpose" and ln._perm(n) == ln.TO_NCHW:
                n.attribute[0].ints[:] = [0, 3, 2, 1]
                break
        x = np.random.default_rng(7).standard_normal((1, 3, 56, 56)).astype(np.float32)
        try:
            got = run(expand_nhwc(nhwc), x)
        except Exception:  # noqa: BLE001 - a shape error is also a caught break
            return
        self.assertGreater(rel_l2(got, run(src, x)), 1e-3)


if __name__ == "__main__":
    unittest.main()
