"""How a node looks in the pictures and tables: number format, tensor summaries, colours
by role, module groups, record escaping and the legend (shared by `viz`, `paths`, `replay`,
`viz_text`)."""

from __future__ import annotations

import html
import math
from collections.abc import Iterable
from typing import Any

import numpy as np

from autograd_lite.engine import Node

__all__ = [
    "OP_COLOUR",
    "ROLE_COLOURS",
    "array_summary",
    "caption",
    "edge_labels",
    "fmt",
    "grad_norm",
    "grad_text",
    "group_grad_text",
    "is_tensor",
    "joint_norm",
    "legend_sections",
    "module_groups",
    "node_name",
    "record_escape",
    "role",
    "table",
    "unique_names",
]

# Fill colours by role (ColorBrewer pastels: readable with black text, distinct when printed).
ROLE_COLOURS = {
    "parameter": "#fdd49e",
    "input": "#c6dbef",
    "constant": "#eeeeee",
    "output": "#b8e186",
    "intermediate": "#ffffff",
}
OP_COLOUR = "#e6e0f0"


# ------------------------------------------------------------------------------ text bits


def fmt(x: float) -> str:
    """A number in ``%.4g`` (the pictures' and tables' one number format)."""
    return f"{x:.4g}"


def is_tensor(node: Node) -> bool:
    """True for array nodes (duck-typed on the data, so it needs no `Tensor` import)."""
    return isinstance(node.data, np.ndarray)


def node_name(node: Node) -> str:
    """What to call a node in text: its label, else its op, else "const"."""
    return node.label or node._op or "const"


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


def record_escape(text: str) -> str:
    """Escape the characters that structure a record label, so any label is shown as typed."""
    text = text.replace("\\", "\\\\")
    for ch in '{}|<>"':
        text = text.replace(ch, "\\" + ch)
    return text


def role(node: Node, root: Node, params: set[Node] | None) -> str:
    if node is root:
        return "output"
    if node._parents:
        return "intermediate"
    if params is not None:
        if node in params:
            return "parameter"
        return "input" if node.label else "constant"
    if is_tensor(node):
        needs = getattr(node, "requires_grad", False)
        return "parameter" if needs else ("input" if node.label else "constant")
    return "parameter" if node.label else "constant"


def legend_sections(roles: set[str], derivatives: bool, tensors: bool) -> list[str]:
    """The colour key (only the roles drawn) and, with edge labels, what they mean."""
    cells = "".join(f'<td bgcolor="{ROLE_COLOURS[r]}">{r}</td>' for r in ROLE_COLOURS if r in roles)
    cells += f'<td bgcolor="{OP_COLOUR}">operation</td>'
    sections = [table([f"<tr>{cells}</tr>"])]
    if derivatives:
        text = (
            "edge labels: the shape of the gradient flowing back"
            if tensors
            else "edge labels: local derivative ∂(result)/∂(input) at the current values"
        )
        sections.append(html.escape(text))
    return sections


def table(rows: list[str]) -> str:
    """An HTML-like Graphviz table of `rows` (``<tr>`` strings), for a caption section."""
    return (
        '<table border="0" cellborder="1" cellspacing="0" cellpadding="3">'
        + "".join(rows)
        + "</table>"
    )


def caption(sections: list[str]) -> str:
    """The graph's label: the sections (tables or text) stacked, left-aligned."""
    rows = "".join(f'<tr><td align="left">{s}</td></tr>' for s in sections)
    return f'<<table border="0" cellborder="0" cellspacing="2">{rows}</table>>'


def edge_labels(node: Node) -> list[str]:
    """Local derivatives of `node` w.r.t. each parent (``vjp(1)``), or tensor shapes."""
    if is_tensor(node):
        return [
            f"grad {tuple(p.data.shape)}" if getattr(p, "requires_grad", True) else "no grad"
            for p in node._parents
        ]
    try:
        return [fmt(float(d)) if d is not None else "" for d in node._vjp(1.0)]
    except (RuntimeError, TypeError, ValueError):  # released or unusual VJP: no number to show
        return ["?"] * len(node._parents)


def joint_norm(grads: Iterable[Any]) -> float:
    """The 2-norm of several gradients together (a None is no gradient)."""
    norms = [grad_norm(g) for g in grads]
    return math.sqrt(sum(x * x for x in norms if x is not None))


def group_grad_text(members: list[Node]) -> str:
    """A module node's grad field: the norm of its parameters' ``.grad`` together."""
    return f"grad ‖·‖ {fmt(joint_norm(n.grad for n in members))}"


def module_groups(module: Any, depth: int | None) -> tuple[dict[Node, str], dict[Node, str]]:
    """(parameter -> dotted name, parameter -> name of the sub-module it is grouped under),
    for ``draw_graph(module=...)``."""
    if not hasattr(module, "named_parameters") or not hasattr(module, "named_modules"):
        raise TypeError(
            f"draw_graph: expected an nn.Module for module, got {type(module).__name__}"
        )
    kinds = {name: type(m).__name__ for name, m in module.named_modules()}
    names: dict[Node, str] = {}
    groups: dict[Node, str] = {}
    for name, p in module.named_parameters():
        owners = sorted((m for m in kinds if m == "" or name.startswith(m + ".")), key=len)
        owner = owners[depth] if depth is not None and depth < len(owners) else owners[-1]
        names[p] = name
        groups[p] = f"{owner} ({kinds[owner]})" if owner else kinds[owner]
    return names, groups
