#!/usr/bin/env python3
"""Fuses unfused self-attention blocks of an ONNX graph into com.microsoft MultiHeadAttention nodes.

    python3 scripts/gpu/fuse_attention.py IN.onnx OUT.onnx [--bias] [--check]

onnxruntime's transformer optimizer does not match DINOv2's attention (Depth Anything V2's backbone) as
the torchscript exporter writes it, so the CUDA provider runs it as separate MatMul / Softmax / MatMul
kernels over [batch, heads, 1370, 1370] scores. This rewrite matches, from each Softmax:

    q_in -> Reshape [B, S, H, D] -> Transpose (0,2,1,3)                         (Q, [B, H, S, D])
    k_in -> Reshape [B, L, H, D] -> Transpose (0,2,1,3) [-> Transpose (0,1,3,2)] or Transpose (0,2,3,1)
    v_in -> Reshape [B, L, H, Dv] -> Transpose (0,2,1,3)                        (V, [B, H, L, Dv])
    scores = MatMul(Q, K^T) or com.microsoft FusedMatMul(Q, K or K^T, alpha, transB)
    scale:  scalar Mul / Div nodes on Q, on K / K^T and / or on the scores (all multiplied together)
    probs = Softmax(scores, axis = -1)          (Casts around it are allowed when they keep the type)
    out = Reshape(Transpose(MatMul(probs, V), (0,2,1,3)), [B, S, H * Dv])

and replaces it with MultiHeadAttention(q_in, k_in, v_in) (num_heads = H, scale = the product of the
scale constants) whose output is `out`. With --bias, a q_in / k_in / v_in that is Add(MatMul, constant
bias [hidden]) feeds the MatMul output and the concatenated biases to MultiHeadAttention's bias input
instead, so the three bias Adds go too. Every shape, permutation and axis condition is checked; a block
that does not match exactly is left as it is and counted. Nodes left without consumers are removed, the
com.microsoft opset is imported and the IR version is capped at 10 (onnxruntime 1.30 reads at most 13).

Importable: fuse_model(model, bias=False) -> (model, stats), op_counts(model). Uses only onnx and numpy.
"""

from __future__ import annotations

import argparse
import collections
import sys
from dataclasses import dataclass, field

import numpy as np
import onnx
from onnx import helper, numpy_helper

MS_DOMAIN = "com.microsoft"
MAX_IR = 10


@dataclass
class Stats:
    softmax: int = 0  # attention candidates (Softmax nodes)
    fused: int = 0
    skipped: dict[str, int] = field(default_factory=lambda: collections.defaultdict(int))
    bias_fused: int = 0
    removed_nodes: int = 0
    # the first skipped block of each reason, described (which tensor, which nodes): what a new matcher needs
    examples: dict[str, str] = field(default_factory=dict)

    def line(self) -> str:
        why = ", ".join(f"{k}: {v}" for k, v in sorted(self.skipped.items()))
        ex = "; ".join(f"{k}: {v}" for k, v in sorted(self.examples.items()))
        return (f"fused {self.fused} of {self.softmax} attention blocks" + (f" (skipped: {why})" if why else "")
                + (f"; first of each: {ex}" if ex else ""))


class NoMatch(Exception):
    def __init__(self, reason: str, detail: str = ""):
        super().__init__(reason)
        self.detail = detail


# Consumers that read only a tensor's shape: a block whose intermediate also feeds one of these still fuses
# (the nodes up to that tensor stay in the graph for it; the attention itself is replaced).
SHAPE_READERS = ("Shape", "Size")


def described(n: onnx.NodeProto) -> str:
    return f"{n.op_type}({n.name})"


class Graph:
    """Producer / consumer maps and constant lookup over one onnx GraphProto."""

    def __init__(self, graph: onnx.GraphProto):
        self.g = graph
        self.producer: dict[str, onnx.NodeProto] = {}
        self.consumers: dict[str, list[onnx.NodeProto]] = collections.defaultdict(list)
        for n in graph.node:
            for o in n.output:
                if o:
                    self.producer[o] = n
            for i in n.input:
                if i:
                    self.consumers[i].append(n)
        self.inits = {t.name: t for t in graph.initializer}
        self.outputs = {o.name for o in graph.output}

    def const(self, name: str) -> np.ndarray | None:
        if name in self.inits:
            return numpy_helper.to_array(self.inits[name])
        n = self.producer.get(name)
        if n is not None and n.op_type == "Constant" and n.domain in ("", "ai.onnx"):
            for a in n.attribute:
                if a.name == "value":
                    return numpy_helper.to_array(a.t)
                if a.name == "value_float":
                    return np.array(a.f, dtype=np.float32)
                if a.name == "value_int":
                    return np.array(a.i, dtype=np.int64)
                if a.name == "value_ints":
                    return np.array(list(a.ints), dtype=np.int64)
        return None

    def prod(self, name: str) -> onnx.NodeProto:
        n = self.producer.get(name)
        if n is None:
            raise NoMatch("input-not-produced-by-a-node")
        return n


def attr(node: onnx.NodeProto, name: str, default=None):
    for a in node.attribute:
        if a.name == name:
            return helper.get_attribute_value(a)
    return default


def is_op(node: onnx.NodeProto, op: str, domain: str = "") -> bool:
    return node.op_type == op and (node.domain or "") in ((domain,) if domain else ("", "ai.onnx"))


def scalar(g: Graph, node: onnx.NodeProto) -> tuple[str, float] | None:
    """(the non-constant input, the factor) for a Mul / Div by a scalar constant, else None."""
    if not (is_op(node, "Mul") or is_op(node, "Div")) or len(node.input) != 2:
        return None
    for i in (1, 0):
        c = g.const(node.input[i])
        if c is not None and c.size == 1 and g.const(node.input[1 - i]) is None:
            v = float(c.reshape(()))
            if is_op(node, "Div"):
                if i != 1 or v == 0:
                    return None  # c / x is not a scaling of x
                v = 1.0 / v
            return node.input[1 - i], v
    return None


def elem_types(model: onnx.ModelProto) -> tuple[dict[str, int], dict[str, int]]:
    """Element type, and the static last dimension, of every tensor that shape inference can type."""
    types: dict[str, int] = {}
    last: dict[str, int] = {}
    try:
        inferred = onnx.shape_inference.infer_shapes(model, strict_mode=False)
    except Exception:  # noqa: BLE001 - typing is a check, not a requirement
        inferred = model
    g = inferred.graph
    for vi in list(g.value_info) + list(g.input) + list(g.output):
        if vi.type.HasField("tensor_type") and vi.type.tensor_type.elem_type:
            types[vi.name] = vi.type.tensor_type.elem_type
            dims = vi.type.tensor_type.shape.dim if vi.type.tensor_type.HasField("shape") else []
            if dims and dims[-1].HasField("dim_value"):
                last[vi.name] = dims[-1].dim_value
    for t in g.initializer:
        types[t.name] = t.data_type
    return types, last


class Block:
    """The nodes of one attention block as they are matched."""

    def __init__(self, g: Graph, types: dict[str, int], shapes: dict[str, int]):
        self.g = g
        self.types = types
        self.shapes = shapes
        self.nodes: list[onnx.NodeProto] = []
        self.scale = 1.0

    def take(self, node: onnx.NodeProto) -> onnx.NodeProto:
        self.nodes.append(node)
        return node

    def peel(self, name: str, allow_scale: bool, casts: list | None = None) -> str:
        """Walks up through scalar Mul / Div and, where `casts` collects them, Casts."""
        while True:
            n = self.g.prod(name)
            if is_op(n, "Cast") and casts is not None:
                self.take(n)
                casts.insert(0, n)
                name = n.input[0]
                continue
            s = scalar(self.g, n) if allow_scale else None
            if s is not None:
                self.take(n)
                name, f = s
                self.scale *= f
                continue
            return name

    def heads(self, name: str, perm_options: list[list[int]]) -> tuple[str, int, int, list[int]]:
        """name = one or two Transposes of Reshape(x, [B, S, H, D]): (x, H, D, the composed perm)."""
        t = self.g.prod(name)
        if not is_op(t, "Transpose"):
            raise NoMatch("heads-not-transposed")
        self.take(t)
        perm = list(attr(t, "perm", []))
        src = self.peel(t.input[0], allow_scale=True)
        t2 = self.g.prod(src)
        if is_op(t2, "Transpose"):
            self.take(t2)
            p2 = list(attr(t2, "perm", []))
            if len(p2) != 4 or len(perm) != 4:
                raise NoMatch("transpose-rank")
            perm = [p2[p] for p in perm]  # the composed permutation from the Reshape output
            src = self.peel(t2.input[0], allow_scale=True)
        if perm not in perm_options:
            raise NoMatch(f"perm-{''.join(map(str, perm))}")
        r = self.g.prod(src)
        if not is_op(r, "Reshape"):
            raise NoMatch("heads-not-reshaped")
        self.take(r)
        if attr(r, "allowzero", 0):
            raise NoMatch("reshape-allowzero")
        x = r.input[0]
        shape = self.shape_entries(r.input[1])
        if len(shape) != 4:
            raise NoMatch("heads-reshape-rank")
        h, d = shape[2], shape[3]
        if not (isinstance(d, int) and d > 0):
            raise NoMatch("head-size-not-constant")
        self.keeps_dims(shape[0], 0, x, allow_infer=False)
        self.keeps_dims(shape[1], 1, x, allow_infer=h != -1)
        hidden = self.hidden_of(x)
        if hidden is None or hidden % d:
            raise NoMatch("hidden-size-unknown")
        if h == -1:
            h = hidden // d
        if not (isinstance(h, int) and h > 0 and h * d == hidden):
            raise NoMatch("heads-not-constant")
        return x, h, d, perm

    def keeps_dims(self, entry, index: int, x: str, allow_infer: bool, also: tuple[str, ...] = ()) -> None:
        """A Reshape shape entry at `index` that keeps dimension `index` of x: 0 (copy), -1 (where the
        other entries fix the rest) or Shape(x, the input of x's projection, or a tensor of `also`)[index]."""
        if entry == 0 or (entry == -1 and allow_infer):
            return
        if isinstance(entry, tuple) and entry[1] == index and (entry[0] in self.related(x) or entry[0] in also):
            return
        raise NoMatch("reshape-shape", f"entry {index} is {entry}, not dimension {index} of {sorted(self.related(x))}")

    def related(self, x: str) -> set[str]:
        """x and the tensors whose leading dimensions x has: the input of MatMul(.., W) [+ bias]."""
        out = {x}
        n = self.g.producer.get(x)
        if n is not None and is_op(n, "Add"):
            for i in n.input:
                m = self.g.producer.get(i)
                if m is not None and is_op(m, "MatMul") and self.g.const(m.input[1]) is not None:
                    out.add(m.input[0])
        if n is not None and is_op(n, "MatMul") and self.g.const(n.input[1]) is not None:
            out.add(n.input[0])
        return out

    def hidden_of(self, x: str) -> int | None:
        """The last dimension of x: from shape inference, else from its projection's constants."""
        if self.shapes.get(x):
            return self.shapes[x]
        n = self.g.producer.get(x)
        if n is not None and is_op(n, "Add"):
            for i in n.input:
                c = self.g.const(i)
                if c is not None and c.ndim == 1:
                    return int(c.shape[0])
                m = self.g.producer.get(i)
                if m is not None and is_op(m, "MatMul"):
                    n = m
        if n is not None and is_op(n, "MatMul"):
            w = self.g.const(n.input[1])
            if w is not None and w.ndim == 2:
                return int(w.shape[1])
        return None

    def shape_entries(self, name: str) -> list:
        """A Reshape's shape input: ints, or (source, index) for Unsqueeze(Gather(Shape(source), index))."""
        c = self.g.const(name)
        if c is not None:
            return [int(v) for v in c.reshape(-1)]
        n = self.g.prod(name)
        if not is_op(n, "Concat") or attr(n, "axis", 0) not in (0, -1):
            raise NoMatch("reshape-shape-not-concat")
        out: list = []
        for i in n.input:
            c = self.g.const(i)
            if c is not None:
                out.extend(int(v) for v in c.reshape(-1))
                continue
            p = self.g.prod(i)
            # a run-time scalar entry: Unsqueeze(Gather(Shape(x), k), 0) (the exporter's size() pattern)
            if is_op(p, "Unsqueeze"):
                axes = self.g.const(p.input[1]) if len(p.input) > 1 else np.array(attr(p, "axes", []))
                gth = self.g.producer.get(p.input[0])
                if axes is not None and list(axes.reshape(-1)) == [0] and gth is not None and is_op(gth, "Gather"):
                    shp = self.g.producer.get(gth.input[0])
                    k = self.g.const(gth.input[1])
                    if shp is not None and is_op(shp, "Shape") and k is not None and k.size == 1 and k.ndim == 0 \
                            and attr(gth, "axis", 0) == 0 and attr(shp, "start", 0) == 0 and len(shp.input) == 1:
                        out.append((shp.input[0], int(k)))
                        continue
            raise NoMatch("reshape-shape-entry")
        return out


def tensor_type(g: Graph, types: dict[str, int], name: str) -> int | None:
    """Element type from shape inference, else from the constants of the node that makes it."""
    if name in types:
        return types[name]
    n = g.producer.get(name)
    if n is not None and (is_op(n, "Add") or is_op(n, "MatMul")):
        for i in n.input:
            c = g.const(i)
            if c is not None:
                return helper.np_dtype_to_tensor_dtype(c.dtype)
            m = g.producer.get(i)
            if m is not None and is_op(m, "MatMul") and g.const(m.input[1]) is not None:
                return helper.np_dtype_to_tensor_dtype(g.const(m.input[1]).dtype)
    return None


def only_consumer(g: Graph, name: str) -> onnx.NodeProto:
    """The one node that reads `name`'s values (nodes that read only its shape aside)."""
    cs = [c for c in g.consumers.get(name, []) if c.op_type not in SHAPE_READERS]
    if len(cs) != 1 or name in g.outputs:
        raise NoMatch("intermediate-shared", f"{name} -> {[described(c) for c in cs] or 'graph output'}")
    return cs[0]


def match(g: Graph, sm: onnx.NodeProto, types: dict[str, int], shapes: dict[str, int]) -> dict:
    b = Block(g, types, shapes)
    b.take(sm)
    axis = attr(sm, "axis", -1)
    if axis not in (-1, 3):
        raise NoMatch("softmax-axis")
    pre_casts: list = []
    scores = b.peel(sm.input[0], allow_scale=True, casts=pre_casts)
    qk = g.prod(scores)
    alpha, trans_b = 1.0, 0
    if is_op(qk, "FusedMatMul", MS_DOMAIN):
        if attr(qk, "transA", 0) or attr(qk, "transBatchA", 0) or attr(qk, "transBatchB", 0):
            raise NoMatch("fusedmatmul-attrs")
        alpha, trans_b = float(attr(qk, "alpha", 1.0)), int(attr(qk, "transB", 0))
    elif not is_op(qk, "MatMul"):
        raise NoMatch("scores-not-matmul")
    b.take(qk)
    b.scale *= alpha
    q_in, hq, dq, _ = b.heads(b.peel(qk.input[0], allow_scale=True), [[0, 2, 1, 3]])
    k_perms = [[0, 2, 1, 3]] if trans_b else [[0, 2, 3, 1]]
    k_in, hk, dk, _ = b.heads(b.peel(qk.input[1], allow_scale=True), k_perms)
    # probs -> MatMul(probs, V) -> Transpose (0,2,1,3) -> Reshape [B, S, H * Dv]
    probs = sm.output[0]
    nxt = only_consumer(g, probs)
    post_casts = []
    while is_op(nxt, "Cast"):
        b.take(nxt)
        post_casts.append(nxt)
        probs = nxt.output[0]
        nxt = only_consumer(g, probs)
    if not is_op(nxt, "MatMul") or nxt.input[0] != probs:
        raise NoMatch("probs-not-matmul")
    pv = b.take(nxt)
    v_in, hv, dv, _ = b.heads(b.peel(pv.input[1], allow_scale=False), [[0, 2, 1, 3]])
    t = only_consumer(g, pv.output[0])
    if not is_op(t, "Transpose") or list(attr(t, "perm", [])) != [0, 2, 1, 3]:
        raise NoMatch("output-perm")
    b.take(t)
    r = only_consumer(g, t.output[0])
    if not is_op(r, "Reshape") or attr(r, "allowzero", 0):
        raise NoMatch("output-not-reshaped")
    b.take(r)
    shape = b.shape_entries(r.input[1])
    if len(shape) != 3 or not (shape[2] == hv * dv or (shape[2] == -1 and shape[1] != -1)):
        raise NoMatch("output-reshape-shape")
    # [B, S] from the query, or from the merged heads themselves (t: [B, S, H, Dv]; the exporter's
    # `context.size()[:-2] + (all_head_size,)`)
    b.keeps_dims(shape[0], 0, q_in, allow_infer=False, also=(t.output[0],))
    b.keeps_dims(shape[1], 1, q_in, allow_infer=shape[2] != -1, also=(t.output[0],))
    if not (hq == hk == hv and dq == dk):
        raise NoMatch("head-mismatch")
    # every intermediate tensor is used only inside the block
    inside = {id(n) for n in b.nodes}
    for n in b.nodes:
        if n is r:
            continue
        for o in n.output:
            outside = [c for c in g.consumers.get(o, []) if id(c) not in inside and c.op_type not in SHAPE_READERS]
            if o in g.outputs or outside:
                raise NoMatch("intermediate-shared",
                              f"{o} from {described(n)} -> {[described(c) for c in outside] or 'graph output'}")
    # types: Q, K, V alike; the probabilities (after the Casts around the Softmax) of that type too
    tq = [tensor_type(g, types, x) for x in (q_in, k_in, v_in)]
    casts = pre_casts + post_casts
    t_probs = attr(casts[-1], "to") if casts else tq[0]
    if tq[0] is None or len(set(tq)) != 1 or t_probs != tq[0]:
        raise NoMatch("types")
    return {"q": q_in, "k": k_in, "v": v_in, "heads": hq, "scale": b.scale, "out": r.output[0], "nodes": b.nodes,
            "head_size": dq}


def bias_split(g: Graph, name: str, hidden: int, block_nodes: list) -> tuple[onnx.NodeProto, np.ndarray] | None:
    """An Add(MatMul(...), bias[hidden]) whose only consumer is in the block: (the Add, bias)."""
    n = g.producer.get(name)
    if n is None or not is_op(n, "Add") or name in g.outputs:
        return None
    inside = {id(x) for x in block_nodes}
    if any(id(c) not in inside for c in g.consumers.get(name, [])):
        return None
    for i in (1, 0):
        c = g.const(n.input[i])
        m = g.producer.get(n.input[1 - i])
        if c is not None and c.shape == (hidden,) and m is not None and is_op(m, "MatMul"):
            return n, c
    return None


def topo_sort(graph: onnx.GraphProto) -> None:
    """Orders the nodes topologically, keeping the given order where it allows (Kahn's algorithm with
    the lowest original index first); onnxruntime's float16 converter appends its input Casts last."""
    import heapq

    nodes = list(graph.node)
    producer = {o: i for i, n in enumerate(nodes) for o in n.output if o}
    deps: list[set[int]] = []
    for n in nodes:
        names = set(n.input)
        for a in n.attribute:  # names a subgraph takes from the outer scope
            if a.type == onnx.AttributeProto.GRAPH:
                names.update(i for sn in a.g.node for i in sn.input)
        deps.append({producer[x] for x in names if x in producer})
    users: list[list[int]] = [[] for _ in nodes]
    for i, d in enumerate(deps):
        for j in d:
            users[j].append(i)
    missing = [len(d) for d in deps]
    ready = [i for i, m in enumerate(missing) if m == 0]
    heapq.heapify(ready)
    order = []
    while ready:
        i = heapq.heappop(ready)
        order.append(i)
        for u in users[i]:
            missing[u] -= 1
            if missing[u] == 0:
                heapq.heappush(ready, u)
    if len(order) != len(nodes):
        raise ValueError("the graph has a cycle")
    del graph.node[:]
    graph.node.extend(nodes[i] for i in order)


def remove_dead(model: onnx.ModelProto) -> int:
    g = model.graph
    live = {o.name for o in g.output}
    keep = []
    for n in reversed(list(g.node)):
        if any(o in live for o in n.output if o):
            keep.append(n)
            live.update(i for i in n.input if i)
            for a in n.attribute:  # subgraphs: their outer-scope names stay live (coarse, safe)
                if a.type == onnx.AttributeProto.GRAPH:
                    live.update(i for sn in a.g.node for i in sn.input)
    removed = len(g.node) - len(keep)
    keep.reverse()
    del g.node[:]
    g.node.extend(keep)
    inits = [t for t in g.initializer if t.name in live]
    del g.initializer[:]
    g.initializer.extend(inits)
    return removed


def fuse_model(model: onnx.ModelProto, bias: bool = False, log=None) -> tuple[onnx.ModelProto, Stats]:
    stats = Stats()
    topo_sort(model.graph)
    types, shapes = elem_types(model)
    g = Graph(model.graph)
    plans = []
    claimed: set[int] = set()
    for sm in [n for n in model.graph.node if is_op(n, "Softmax")]:
        stats.softmax += 1
        try:
            p = match(g, sm, types, shapes)
        except NoMatch as e:
            stats.skipped[str(e)] += 1
            if e.detail:
                stats.examples.setdefault(str(e), f"at {described(sm)}: {e.detail}")
            continue
        if any(id(n) in claimed for n in p["nodes"]):
            stats.skipped["overlap"] += 1
            continue
        claimed.update(id(n) for n in p["nodes"])
        plans.append(p)
    # the rewrite: each block's Reshape (output) is replaced in place by the MultiHeadAttention node
    replace: dict[int, onnx.NodeProto] = {}
    new_inits = []
    for idx, p in enumerate(plans):
        inputs = [p["q"], p["k"], p["v"]]
        hidden = p["heads"] * p["head_size"]
        if bias:
            parts = [bias_split(g, x, hidden, p["nodes"]) for x in inputs]
            if all(parts) and len({x[1].dtype for x in parts}) == 1:
                adds = [x[0] for x in parts]
                mm = [a.input[0] if g.const(a.input[1]) is not None else a.input[1] for a in adds]
                b_name = f"mha_bias_{idx}"
                new_inits.append(numpy_helper.from_array(np.concatenate([x[1] for x in parts]), b_name))
                inputs = mm + [b_name]
                stats.bias_fused += 1
        node = helper.make_node("MultiHeadAttention", inputs, [p["out"]], name=f"MultiHeadAttention_{idx}",
                                domain=MS_DOMAIN, num_heads=p["heads"], scale=float(p["scale"]))
        replace[id(p["nodes"][-1])] = node  # the output Reshape is the last node taken
        stats.fused += 1
    nodes = [replace.get(id(n), n) for n in model.graph.node]
    del model.graph.node[:]
    model.graph.node.extend(nodes)
    model.graph.initializer.extend(new_inits)
    stats.removed_nodes = remove_dead(model)
    if stats.fused and not any(o.domain == MS_DOMAIN for o in model.opset_import):
        model.opset_import.append(helper.make_opsetid(MS_DOMAIN, 1))
    if model.ir_version > MAX_IR:
        model.ir_version = MAX_IR
    if log:
        log(stats.line())
    return model, stats


def fp16_io(model):
    """A keep_io_types float16 model with float16 graph inputs and outputs: the boundary Casts removed."""
    from onnx import TensorProto

    m = onnx.ModelProto()
    m.CopyFrom(model)
    g = m.graph
    io = {i.name for i in g.input if i.type.tensor_type.elem_type == TensorProto.FLOAT} | \
        {o.name for o in g.output if o.type.tensor_type.elem_type == TensorProto.FLOAT}
    rename = {}  # tensor name -> the graph input / output name that replaces it
    drop = []
    for n in g.node:
        to = next((a.i for a in n.attribute if a.name == "to"), None)
        if n.op_type == "Cast" and to == TensorProto.FLOAT16 and n.input[0] in io:
            rename[n.output[0]] = n.input[0]  # graph input -> Cast to fp16: its consumers read the input
            drop.append(n)
        elif n.op_type == "Cast" and to == TensorProto.FLOAT and n.output[0] in io:
            rename[n.input[0]] = n.output[0]  # fp16 value -> Cast to float -> graph output
            drop.append(n)
    for n in drop:
        g.node.remove(n)
    for n in g.node:
        for k, x in enumerate(n.input):
            n.input[k] = rename.get(x, x)
        for k, x in enumerate(n.output):
            n.output[k] = rename.get(x, x)
    for v in list(g.input) + list(g.output):
        if v.name in io:
            v.type.tensor_type.elem_type = TensorProto.FLOAT16
    onnx.checker.check_model(m)
    return m


def op_counts(model: onnx.ModelProto) -> dict[str, int]:
    return dict(sorted(collections.Counter(n.op_type for n in model.graph.node).items()))


def check(model: onnx.ModelProto) -> None:
    """onnx.checker (in memory: models under 2 GB, as these are)."""
    onnx.checker.check_model(model)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("input")
    ap.add_argument("output")
    ap.add_argument("--bias", action="store_true", help="also move the Q/K/V bias Adds into MultiHeadAttention")
    ap.add_argument("--check", action="store_true", help="run onnx.checker on the result and print op counts")
    ap.add_argument("--min-fused", type=int, default=0, help="exit 1 when fewer blocks were fused")
    args = ap.parse_args(argv)
    model = onnx.load(args.input)
    before = op_counts(model)
    model, stats = fuse_model(model, bias=args.bias)
    print(stats.line(), flush=True)
    if args.bias:
        print(f"bias adds moved into MultiHeadAttention: {stats.bias_fused} blocks")
    if args.check:
        check(model)
        after = op_counts(model)
        keys = sorted(set(before) | set(after))
        print("op counts (before -> after): " + ", ".join(
            f"{k} {before.get(k, 0)}->{after.get(k, 0)}" for k in keys if before.get(k, 0) != after.get(k, 0)))
    onnx.save(model, args.output)
    return 0 if stats.fused >= args.min_fused else 1


if __name__ == "__main__":
    sys.exit(main())
