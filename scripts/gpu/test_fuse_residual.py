#!/usr/bin/env python3
"""Tests of fuse_residual.py on the tiny Depth Anything V2 fixtures (test/fixtures/models), on the CPU:

    .venv-models/bin/python scripts/gpu/test_fuse_residual.py

Every residual step of the backbone (two per block) becomes one SkipLayerNormalization, and the outputs
stay those of the source: float32 relative L2 <= 1e-6, its float16 conversion <= 1e-3.
"""

from __future__ import annotations

import collections
import sys
import unittest
from pathlib import Path

import numpy as np
import onnx
import onnxruntime as ort
from onnx import helper, numpy_helper

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import fuse_residual as fr  # noqa: E402

FIXTURES = HERE.parent.parent / "test" / "fixtures" / "models"
BLOCKS = 4  # the tiny fixtures' backbone depth (scripts/models/make_test_models.py)


def run(model: onnx.ModelProto, x: np.ndarray) -> np.ndarray:
    s = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
    inp = s.get_inputs()[0]
    dtype = np.float16 if "float16" in inp.type else np.float32
    return s.run(None, {inp.name: x.astype(dtype)})[0].astype(np.float32)


def rel_l2(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.linalg.norm(a - b) / max(np.linalg.norm(b), 1e-12))


class FuseResidualTest(unittest.TestCase):
    def check_fixture(self, name: str, tol: float, float16: bool = False):
        src = onnx.load(str(FIXTURES / name / "model.onnx"))
        if float16:
            from onnxruntime.transformers.float16 import convert_float_to_float16

            src = convert_float_to_float16(src, keep_io_types=True)
        out, n = fr.fuse_model(src)
        self.assertEqual(n, 2 * BLOCKS)
        ops = collections.Counter(x.op_type for x in out.graph.node)
        before = collections.Counter(x.op_type for x in src.graph.node)
        self.assertEqual(ops["SkipLayerNormalization"], 2 * BLOCKS)
        self.assertEqual(before["LayerNormalization"] - ops["LayerNormalization"], 2 * BLOCKS)
        self.assertEqual(before["Add"] - ops["Add"], 2 * 2 * BLOCKS)  # the bias and the residual Adds
        onnx.checker.check_model(out)
        for shape in ((1, 3, 56, 56), (3, 3, 70, 84)):
            x = np.random.default_rng(3).standard_normal(shape).astype(np.float32)
            self.assertLessEqual(rel_l2(run(out, x), run(src, x)), tol)

    def test_float32_fixture(self):
        self.check_fixture("depth-anything-v2-tiny", 1e-6)

    def test_float16_conversion_of_the_fixture(self):
        self.check_fixture("depth-anything-v2-tiny", 1e-3, float16=True)

    def test_residual_without_layer_scale_is_left_alone(self):
        c = 4
        w = numpy_helper.from_array(np.eye(c, dtype=np.float32), "w")
        b = numpy_helper.from_array(np.ones(c, dtype=np.float32), "b")
        gamma = numpy_helper.from_array(np.ones(c, dtype=np.float32), "g")
        beta = numpy_helper.from_array(np.zeros(c, dtype=np.float32), "be")
        nodes = [
            helper.make_node("MatMul", ["x", "w"], ["mm"]),
            helper.make_node("Add", ["mm", "b"], ["biased"]),
            helper.make_node("Add", ["x", "biased"], ["h"]),
            helper.make_node("LayerNormalization", ["h", "g", "be"], ["y"], axis=-1),
        ]
        vi = lambda n: helper.make_tensor_value_info(n, onnx.TensorProto.FLOAT, [2, 3, c])  # noqa: E731
        g = helper.make_graph(nodes, "g", [vi("x")], [vi("y")], [w, b, gamma, beta])
        m = helper.make_model(g, opset_imports=[helper.make_opsetid("", 17)])
        out, n = fr.fuse_model(m)
        self.assertEqual(n, 0)
        self.assertEqual([x.op_type for x in out.graph.node], [x.op_type for x in m.graph.node])


if __name__ == "__main__":
    unittest.main()
