"""How a node is named and summarised in text: the number format, tensor summaries, gradient
fields, roles and local derivatives (shared by the tables of `explain` and the pictures of
`draw`, which add colours on top)."""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

import numpy as np

from autograd_lite.engine import Node

__all__ = [
    "array_summary",
    "edge_labels",
    "fmt",
    "grad_norm",
    "grad_text",
    "group_grad_text",
    "is_tensor",
    "joint_norm",
    "node_name",
    "role",
    "unique_names",
]


def fmt(x: float) -> str:
    """A number in ``%.4g`` (the pictures' and tables' one number format)."""
    return f"{x:.4g}"


def is_tensor(node: Node) -> bool:
    """True for array nodes (duck-typed on the data, so it needs no `Tensor` import)."""
    return isinstance(node.data, np.ndarray)


def node_name(node: Node) -> str:
    """What to call a node in text: its label, else its op, else "const"."""
    return node.label or node.op or "const"


def unique_names(nodes: list[Node]) -> dict[Node, str]:
    """Names for the unlabelled nodes whose op names clash: ``*#1``, ``*#2``, ... in the
    order given (topological), so a table and its picture name the same node alike."""
    clashes: dict[str, int] = {}
    for node in nodes:
        clashes[node_name(node)] = clashes.get(node_name(node), 0) + 1
    names: dict[Node, str] = {}
    seen: dict[str, int] = {}
    for node in nodes:
        base = node_name(node)
        if not node.label and clashes[base] > 1:
            seen[base] = seen.get(base, 0) + 1
            names[node] = f"{base}#{seen[base]}"
    return names


def array_summary(a: np.ndarray) -> str:
    """``shape dtype`` and min / mean / max of an array, for a record or a line of text."""
    head = f"{tuple(a.shape)} {a.dtype}"
    if a.size == 0:
        return f"{head} (empty)"
    if a.size == 1:
        return f"{head} = {fmt(float(a.reshape(-1)[0]))}"
    with np.errstate(all="ignore"):  # a summary of infs must not warn
        lo, mean, hi = float(np.min(a)), float(np.mean(a)), float(np.max(a))
    return f"{head} min {fmt(lo)} mean {fmt(mean)} max {fmt(hi)}"


def grad_norm(grad: Any) -> float | None:
    """``|grad|`` for a float, the 2-norm for an array, None for no gradient."""
    if grad is None:
        return None
    if isinstance(grad, np.ndarray):
        return float(np.linalg.norm(grad.astype(np.float64, copy=False).ravel()))
    return abs(float(grad))


def grad_text(node: Node) -> str:
    """The grad field of a node's record."""
    g = node.grad
    if g is None:
        return "grad none"
    if isinstance(g, np.ndarray):
        return f"grad ‖·‖ {fmt(grad_norm(g))}" if g.size != 1 else f"grad {fmt(float(g.flat[0]))}"
    return f"grad {fmt(g)}"


def role(node: Node, root: Node, params: set[Node] | None) -> str:
    """What a node is in a picture or a tree: the output, an intermediate result, a
    parameter, an input (a labelled leaf) or a constant."""
    if node is root:
        return "output"
    if node.parents:
        return "intermediate"
    if params is not None:
        if node in params:
            return "parameter"
        return "input" if node.label else "constant"
    if is_tensor(node):
        return "parameter" if node.requires_grad else ("input" if node.label else "constant")
    return "parameter" if node.label else "constant"


def edge_labels(node: Node) -> list[str]:
    """Local derivatives of `node` w.r.t. each parent (``vjp(1)``), or tensor shapes."""
    if is_tensor(node):
        return [
            f"grad {tuple(p.data.shape)}" if p.requires_grad else "no grad" for p in node.parents
        ]
    try:
        return [fmt(float(d)) if d is not None else "" for d in node.vjp(1.0)]
    except (RuntimeError, TypeError, ValueError):  # released or unusual VJP: no number to show
        return ["?"] * len(node.parents)


def joint_norm(grads: Iterable[Any]) -> float:
    """The 2-norm of several gradients together (a None is no gradient)."""
    norms = [grad_norm(g) for g in grads]
    return math.sqrt(sum(x * x for x in norms if x is not None))


def group_grad_text(members: list[Node]) -> str:
    """A module node's grad field: the norm of its parameters' ``.grad`` together."""
    return f"grad ‖·‖ {fmt(joint_norm(n.grad for n in members))}"
