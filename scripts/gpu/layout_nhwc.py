#!/usr/bin/env python3
"""Convolutions in channels-last layout for onnxruntime's CUDA provider, as a graph rewrite.

cuDNN's fast float16 convolution kernels want NHWC tensors; onnxruntime's CUDA provider has NHWC
kernels for Conv and ConvTranspose (operator domain com.ms.internal.nhwc, the layout its
`prefer_nhwc` option switches to), but onnxruntime-node passes only `device_id` to the provider, so that
option cannot be set from Node. The kernels themselves are registered whatever the option says, and a
model may use that domain directly. This rewrite does what the option would do:

    X (NCHW) -> Transpose(0,2,3,1) -> Conv[com.ms.internal.nhwc] -> Transpose(0,3,1,2) -> Y (NCHW)

for every 2D Conv / ConvTranspose (weights stay OIHW: the NHWC kernels reorder them once when the
session starts), then removes each back-to-back pair of inverse Transposes, and moves a Transpose that
feeds only layout-free element-wise nodes (Relu, and Add / Mul of two tensors arriving in the same layout)
past them, so that a chain of convolutions stays NHWC between one Transpose in and one out. onnxruntime's
own transpose optimizer does the same when the session starts; doing it here makes the file say what
runs (its op counts are logged).

The result runs only on the CUDA provider (the CPU provider has no kernels in that domain).

    python scripts/gpu/layout_nhwc.py IN.onnx OUT.onnx
"""

from __future__ import annotations

import argparse
import collections
import sys
from dataclasses import dataclass, field

import onnx
from onnx import helper

NHWC_DOMAIN = "com.ms.internal.nhwc"
TO_NHWC = [0, 2, 3, 1]
TO_NCHW = [0, 3, 1, 2]
# Nodes whose result does not depend on the layout of their (same-layout) inputs.
ELEMENTWISE_UNARY = {"Relu", "Sigmoid", "Tanh", "Erf", "Abs", "Neg", "Sqrt", "Exp", "Log", "Cast"}
ELEMENTWISE_BINARY = {"Add", "Mul", "Sub", "Div"}


@dataclass
class Stats:
    converted: collections.Counter = field(default_factory=collections.Counter)
    skipped: collections.Counter = field(default_factory=collections.Counter)
    cancelled: int = 0
    moved: int = 0
    transposes: int = 0

    def line(self) -> str:
        conv = ", ".join(f"{k} {v}" for k, v in sorted(self.converted.items())) or "nothing"
        skip = f"; left NCHW: {dict(self.skipped)}" if self.skipped else ""
        return (f"NHWC: {conv}{skip}; Transpose pairs removed {self.cancelled}, moved past element-wise "
                f"nodes {self.moved}, Transposes left {self.transposes}")


def _perm(n: onnx.NodeProto) -> list[int] | None:
    if n.op_type != "Transpose" or n.domain not in ("", "ai.onnx"):
        return None
    for a in n.attribute:
        if a.name == "perm":
            return list(a.ints)
    return None


def _onnx_opset(model: onnx.ModelProto) -> int:
    for o in model.opset_import:
        if o.domain in ("", "ai.onnx"):
            return o.version
    raise ValueError("the model imports no ONNX opset")


class _Uses:
    """Consumers of every tensor (rebuilt after each change: the graphs are small)."""

    def __init__(self, graph: onnx.GraphProto):
        self.by_tensor: dict[str, list[onnx.NodeProto]] = collections.defaultdict(list)
        for n in graph.node:
            for x in n.input:
                if x:
                    self.by_tensor[x].append(n)
        self.outputs = {o.name for o in graph.output}
        self.producer = {y: n for n in graph.node for y in n.output}

    def only(self, name: str) -> list[onnx.NodeProto]:
        return [] if name in self.outputs else self.by_tensor.get(name, [])


def _rank4_weights(graph: onnx.GraphProto) -> set[str]:
    return {t.name for t in graph.initializer if len(t.dims) == 4}


def convert(model: onnx.ModelProto, ops: tuple[str, ...] = ("Conv", "ConvTranspose")) -> tuple[onnx.ModelProto, Stats]:
    """A copy of `model` with its 2D convolutions in the NHWC domain and the Transposes tidied."""
    m = onnx.ModelProto()
    m.CopyFrom(model)
    g = m.graph
    stats = Stats()
    weights4 = _rank4_weights(g)
    out: list[onnx.NodeProto] = []
    k = 0
    for n in g.node:
        if n.op_type in ops and n.domain in ("", "ai.onnx"):
            if len(n.input) < 2 or n.input[1] not in weights4:
                stats.skipped[f"{n.op_type} (weights not a constant 4D tensor)"] += 1
                out.append(n)
                continue
            k += 1
            x_t, y_t = f"{n.input[0]}__nhwc{k}", f"{n.output[0]}__nhwc{k}"
            out.append(helper.make_node("Transpose", [n.input[0]], [x_t], perm=TO_NHWC, name=f"nhwc_in_{k}"))
            conv = onnx.NodeProto()
            conv.CopyFrom(n)
            conv.domain = NHWC_DOMAIN
            conv.input[0] = x_t
            conv.output[0] = y_t
            out.append(conv)
            out.append(helper.make_node("Transpose", [y_t], [n.output[0]], perm=TO_NCHW, name=f"nhwc_out_{k}"))
            stats.converted[n.op_type] += 1
        else:
            out.append(n)
    del g.node[:]
    g.node.extend(out)
    if stats.converted:
        if not any(o.domain == NHWC_DOMAIN for o in m.opset_import):
            m.opset_import.append(helper.make_opsetid(NHWC_DOMAIN, _onnx_opset(m)))
        _tidy(g, stats)
    stats.transposes = sum(1 for n in g.node if n.op_type == "Transpose")
    return m, stats


def _replace_input(uses: _Uses, name: str, new: str) -> None:
    for c in uses.by_tensor.get(name, []):
        for i, x in enumerate(c.input):
            if x == name:
                c.input[i] = new


def _tidy(g: onnx.GraphProto, stats: Stats) -> None:
    """Cancel inverse Transpose pairs and move NCHW-restoring Transposes past element-wise nodes, to a fixpoint."""
    changed = True
    while changed:
        changed = False
        uses = _Uses(g)
        for t in list(g.node):
            p = _perm(t)
            if p is None:
                continue
            consumers = uses.only(t.output[0])
            if not consumers:
                continue
            # 1. Transpose -> Transpose (inverse perms): readers of the second read the first's input;
            #    the first goes too once nothing else reads it.
            inverse = [c for c in consumers if _perm(c) is not None and [p[i] for i in _perm(c)] == [0, 1, 2, 3]
                       and c.output[0] not in uses.outputs]
            if inverse:
                for c in inverse:
                    _replace_input(uses, c.output[0], t.input[0])
                    g.node.remove(c)
                    stats.cancelled += 1
                if len(inverse) == len(consumers):
                    g.node.remove(t)
                changed = True
                break
            # 2. Transpose(to NCHW) -> element-wise node whose result goes on to NHWC work: run the node in
            #    NHWC and transpose its result instead (the other operand of a binary node is taken in NHWC:
            #    the input of its own NCHW-restoring Transpose, or a new Transpose that rule 1 may cancel).
            if p != TO_NCHW:
                continue
            for e in consumers:
                if e.domain not in ("", "ai.onnx") or not _leads_to_nhwc(uses, e):
                    continue
                if e.op_type in ELEMENTWISE_UNARY and len(e.input) == 1:
                    pass
                elif e.op_type in ELEMENTWISE_BINARY and len(e.input) == 2 and e.input[0] != e.input[1]:
                    other_i = 1 if e.input[0] == t.output[0] else 0
                    other = e.input[other_i]
                    if _rank(g, uses, other) != 4:
                        continue
                    src = uses.producer.get(other)
                    if src is not None and _perm(src) == TO_NCHW:
                        e.input[other_i] = src.input[0]
                    else:
                        x = f"{other}__to_nhwc{stats.moved}"
                        g.node.insert(list(g.node).index(e), helper.make_node(
                            "Transpose", [other], [x], perm=TO_NHWC, name=x))
                        e.input[other_i] = x
                else:
                    continue
                e.input[list(e.input).index(t.output[0])] = t.input[0]
                final = e.output[0]
                e.output[0] = f"{final}__nhwc"
                g.node.insert(list(g.node).index(e) + 1, helper.make_node(
                    "Transpose", [e.output[0]], [final], perm=TO_NCHW, name=f"{final}__to_nchw"))
                stats.moved += 1
                changed = True
            if changed:
                _drop_unread(g)
                break
        if stats.moved > 10 * len(g.node):
            raise RuntimeError("layout_nhwc: the Transpose tidy did not converge")


def _leads_to_nhwc(uses: _Uses, e: onnx.NodeProto) -> bool:
    """Does something that reads e's result want NHWC (a Transpose to NHWC, or another element-wise node)?"""
    for c in uses.only(e.output[0]):
        if _perm(c) == TO_NHWC or c.op_type in ELEMENTWISE_UNARY | ELEMENTWISE_BINARY:
            return True
    return False


def _rank(g: onnx.GraphProto, uses: _Uses, name: str) -> int | None:
    """The rank of a tensor where the graph says it: an initializer, a value_info, or a Transpose's output."""
    for t in g.initializer:
        if t.name == name:
            return len(t.dims)
    for v in list(g.value_info) + list(g.input):
        if v.name == name and v.type.tensor_type.HasField("shape"):
            return len(v.type.tensor_type.shape.dim)
    src = uses.producer.get(name)
    if src is not None and _perm(src) is not None:
        return len(_perm(src))
    if src is not None and src.op_type in ELEMENTWISE_UNARY | ELEMENTWISE_BINARY | {"Resize", "Conv"}:
        return _rank(g, uses, src.input[0])
    return None


def _drop_unread(g: onnx.GraphProto) -> None:
    """Remove Transposes whose output nothing reads."""
    while True:
        read = {x for n in g.node for x in n.input} | {o.name for o in g.output}
        dead = [n for n in g.node if n.op_type == "Transpose" and n.output[0] not in read]
        if not dead:
            return
        for n in dead:
            g.node.remove(n)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("src")
    ap.add_argument("out")
    a = ap.parse_args(argv)
    model, stats = convert(onnx.load(a.src))
    onnx.save(model, a.out)
    print(stats.line())
    return 0


if __name__ == "__main__":
    sys.exit(main())
