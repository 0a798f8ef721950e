#!/usr/bin/env python3
"""DINOv2's residual steps fused into onnxruntime's SkipLayerNormalization, as a graph rewrite.

Each transformer block of Depth Anything V2's backbone ends its attention and its MLP with

    h = residual + layer_scale * (x @ W + b);   next = LayerNorm(h)   (h also feeds the next residual)

which the export leaves as MatMul -> Add(bias) -> Mul(layer scale) -> Add(residual) -> LayerNormalization:
three element-wise passes over the activations before the norm. onnxruntime's own SkipLayerNorm fusion
does not take this shape (the layer-scale Mul sits between the bias and the residual). The rewrite folds the
layer scale into the weights and bias (W' = W * ls, b' = b * ls, exact up to rounding) and replaces the
bias Add, the Mul, the residual Add and the norm by one com.microsoft SkipLayerNormalization(x @ W', residual,
gamma, beta, b'), whose fourth output is the sum h for the readers that need it.

    python scripts/gpu/fuse_residual.py IN.onnx OUT.onnx
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import onnx
from onnx import helper, numpy_helper

sys.path.insert(0, str(Path(__file__).resolve().parent))
import fuse_attention as fa  # noqa: E402


class _G:
    def __init__(self, graph: onnx.GraphProto):
        self.graph = graph
        self.producer = {y: n for n in graph.node for y in n.output}
        self.readers: dict[str, list[onnx.NodeProto]] = {}
        for n in graph.node:
            for x in n.input:
                self.readers.setdefault(x, []).append(n)
        self.inits = {t.name: t for t in graph.initializer}
        self.outputs = {o.name for o in graph.output}

    def const(self, name: str) -> onnx.TensorProto | None:
        """The initializer behind a tensor (through Identity nodes)."""
        while name not in self.inits:
            p = self.producer.get(name)
            if p is None or p.op_type != "Identity":
                return None
            name = p.input[0]
        return self.inits[name]

    def sole_reader(self, name: str, node: onnx.NodeProto) -> bool:
        return name not in self.outputs and [id(n) for n in self.readers.get(name, [])] == [id(node)]


def _epsilon(ln: onnx.NodeProto) -> float:
    return next((a.f for a in ln.attribute if a.name == "epsilon"), 1e-5)


def _axis(ln: onnx.NodeProto) -> int:
    return next((a.i for a in ln.attribute if a.name == "axis"), -1)


def fuse_model(model: onnx.ModelProto) -> tuple[onnx.ModelProto, int]:
    """A copy of `model` with each matched residual step fused; and how many were."""
    m = onnx.ModelProto()
    m.CopyFrom(model)
    graph = m.graph
    fused = 0
    for ln in [n for n in graph.node if n.op_type == "LayerNormalization" and n.domain in ("", "ai.onnx")]:
        g = _G(graph)  # rebuilt per match: each rewrite changes the maps
        if _axis(ln) != -1 or len(ln.input) < 3 or not ln.input[2]:
            continue
        add = g.producer.get(ln.input[0])
        if add is None or add.op_type != "Add" or len(add.input) != 2:
            continue
        found = None
        for i in (0, 1):
            mul = g.producer.get(add.input[i])
            if mul is not None and mul.op_type == "Mul" and g.sole_reader(mul.output[0], add):
                found = (mul, add.input[1 - i])
                break
        if found is None:
            continue
        mul, residual = found
        ls_i = next((k for k in (0, 1) if g.const(mul.input[k]) is not None), None)
        if ls_i is None:
            continue
        ls = numpy_helper.to_array(g.const(mul.input[ls_i]))
        bias_add = g.producer.get(mul.input[1 - ls_i])
        if bias_add is None or bias_add.op_type != "Add" or not g.sole_reader(bias_add.output[0], mul):
            continue
        b_i = next((k for k in (0, 1) if g.const(bias_add.input[k]) is not None), None)
        if b_i is None:
            continue
        b = numpy_helper.to_array(g.const(bias_add.input[b_i]))
        mm = g.producer.get(bias_add.input[1 - b_i])
        if mm is None or mm.op_type != "MatMul" or not g.sole_reader(mm.output[0], bias_add):
            continue
        w_t = g.const(mm.input[1])
        if w_t is None or len(w_t.dims) != 2 or len(g.readers.get(mm.input[1], [])) != 1:
            continue
        w = numpy_helper.to_array(w_t)
        c = w.shape[1]
        if ls.size != c or b.size != c:
            continue
        dtype = w.dtype
        w2 = (w.astype(np.float32) * ls.reshape(1, c).astype(np.float32)).astype(dtype)
        b2 = (b.reshape(c).astype(np.float32) * ls.reshape(c).astype(np.float32)).astype(dtype)
        w_name, b_name = f"{w_t.name}__ls", f"{ln.output[0]}__skip_bias"
        graph.initializer.extend([numpy_helper.from_array(w2, w_name), numpy_helper.from_array(b2, b_name)])
        mm.input[1] = w_name
        # the sum h, where anything besides this norm reads it
        others = [n for n in g.readers.get(add.output[0], []) if n is not ln]
        keep_sum = bool(others) or add.output[0] in g.outputs
        outputs = [ln.output[0], "", "", add.output[0]] if keep_sum else [ln.output[0]]
        skip = helper.make_node(
            "SkipLayerNormalization", [mm.output[0], residual, ln.input[1], ln.input[2], b_name], outputs,
            domain="com.microsoft", epsilon=_epsilon(ln), name=f"{ln.name or ln.output[0]}__skip")
        for n in (ln, add, mul, bias_add):
            graph.node.remove(n)
        graph.node.append(skip)
        fused += 1
    if fused:
        if not any(o.domain == "com.microsoft" for o in m.opset_import):
            m.opset_import.append(helper.make_opsetid("com.microsoft", 1))
        fa.topo_sort(graph)
        fa.remove_dead(m)
    return m, fused


def main(argv: list[str] | None = None) -> int:
    a = (argv if argv is not None else sys.argv[1:])
    if len(a) != 2:
        print(__doc__)
        return 2
    model, n = fuse_model(onnx.load(a[0]))
    onnx.save(model, a[1])
    print(f"SkipLayerNormalization: {n} residual steps fused")
    return 0


if __name__ == "__main__":
    sys.exit(main())
