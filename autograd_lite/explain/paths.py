"""The chain rule, path by path: how ``dL/dw`` is a sum over the paths from `w` to `L`.

Each edge of the graph carries a local derivative ``∂child/∂parent`` at the current values;
a path's product of local derivatives is what `w` contributes to `L` along that path, and
the products of all the paths add up to ``dL/dw``, which is ``w.grad`` after
``L.backward()``. This module lists the paths as data (`chain_rule_paths`), counts them
without listing them (`count_paths`) and groups them by their first edge when there are too
many (`factored_paths`); `explain_gradient` (in `explanation.py`) prints the whole argument
as a table, and `autograd_lite.draw.draw_paths` highlights the paths on the graph.

Everything is computed on the side: no ``.grad`` or graph is changed.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from autograd_lite.engine import Node, walk
from autograd_lite.explain.labels import fmt, is_tensor, node_name, unique_names
from autograd_lite.explain.subgraph import nodes_between, path_counts

__all__ = [
    "ChainPath",
    "FirstHop",
    "TooManyPathsError",
    "chain_rule_paths",
    "count_paths",
    "factored_paths",
    "path_names",
]


class TooManyPathsError(ValueError):
    """More paths than asked for: use the factored view (`factored_paths`) instead."""


@dataclass(frozen=True)
class ChainPath:
    """One path from `w` to `L`.

    Attributes
    ----------
    nodes : tuple of nodes
        ``(w, n1, ..., L)``.
    slots : tuple of int
        For each edge, which input of the next node it is (``a * a`` has slots 0 and 1: two
        edges, two paths).
    derivatives : tuple of float
        The local derivative ``∂nodes[k+1]/∂nodes[k]`` of each edge.
    product : float
        The product of `derivatives`: this path's share of ``dL/dw``.
    """

    nodes: tuple[Node, ...]
    slots: tuple[int, ...]
    derivatives: tuple[float, ...]
    product: float

    def text(self, names: dict[Node, str] | None = None) -> str:
        """``w -> n1 -> L``, naming which input an edge is when a node uses a parent twice.

        `names` (from `path_names`) tells apart unlabelled nodes with the same op.
        """
        names = names or {}
        parts = [names.get(self.nodes[0]) or node_name(self.nodes[0])]
        for child, slot in zip(self.nodes[1:], self.slots):
            name = names.get(child) or node_name(child)
            if child.parents.count(child.parents[slot]) > 1:
                name += f" (input {slot})"
            parts.append(name)
        return " -> ".join(_shorten(parts, "nodes"))

    def derivative_text(self) -> str:
        """The local derivatives as ``d1 × d2 × ...`` (the middle elided on long paths)."""
        return " × ".join(_shorten([fmt(d) for d in self.derivatives], "factors")) or "1"

    def __str__(self) -> str:
        return f"{self.text()}: {self.derivative_text()} = {fmt(self.product)}"


@dataclass(frozen=True)
class FirstHop:
    """The paths from `w` that start with the same edge ``w -> child``, summed.

    ``product = derivative * rest``, where ``rest = dL/dchild`` is the sum over the
    `n_paths` paths from `child` to `L`.
    """

    child: Node
    slot: int
    derivative: float
    rest: float
    n_paths: int
    product: float


def path_names(w: Node, L: Node) -> dict[Node, str]:
    """Names for the unlabelled nodes between `w` and `L` whose op names clash: ``*#1``,
    ``*#2``, ... in topological order (the pictures show the same names)."""
    return unique_names(nodes_between(w, L))


def count_paths(w: Node, L: Node) -> int:
    """The number of paths from `w` to `L` (``a * a`` counts twice), without listing them.

    Dynamic programming over the topological order (`path_counts`): linear in the size of
    the graph, for Value and Tensor graphs alike; 0 when `w` does not reach `L`, 1 when `w`
    is `L`.
    """
    _check(w, "w", "count_paths")
    _check(L, "L", "count_paths")
    into, _ = path_counts(nodes_between(w, L))
    return into.get(L, 0)


def chain_rule_paths(w: Node, L: Node, max_paths: int = 10_000) -> list[ChainPath]:
    """Every path from `w` to `L` with its local derivatives and their product.

    The products add up to ``dL/dw`` (``w.grad`` after ``L.backward()`` from zeroed
    gradients). Returns ``[]`` when `w` does not reach `L`.

    Raises
    ------
    TooManyPathsError
        (a `ValueError`) when there are more than `max_paths` paths: their number grows
        exponentially with depth, so no partial list is returned; `factored_paths` groups
        them by first edge instead.

    Examples
    --------
    >>> from autograd_lite import Value
    >>> a = Value(3.0, label="a")
    >>> b = a * a
    >>> [p.product for p in chain_rule_paths(a, b)]  # two edges, two paths: 3 + 3 = db/da
    [3.0, 3.0]
    """
    between = _scalar_span(w, L, "chain_rule_paths")
    if not between:
        return []
    into, _ = path_counts(between)
    if into[L] > max_paths:
        raise TooManyPathsError(
            f"chain_rule_paths: expected at most max_paths={max_paths:,} paths, got "
            f"{into[L]:,} from {node_name(w)} to {node_name(L)}; use factored_paths(w, L) or "
            f"explain_gradient(w, L) for the factored view (the paths grouped by their first "
            f"edge), or raise max_paths"
        )
    return list_paths(between)


def list_paths(between: Sequence[Node]) -> list[ChainPath]:
    """Every path through `between` (from `nodes_between`: `w` first, `L` last), depth first
    with an explicit stack of edge iterators (a path can be 100,000 edges long); ``[]`` for
    no nodes (`w` does not reach `L`)."""
    if not between:
        return []
    w, L = between[0], between[-1]
    if w is L:
        return [ChainPath((w,), (), (), 1.0)]
    on_path = set(between)
    local = {node: local_derivatives(node) for node in between if node.parents}
    # Edges leaving each node, towards L only, in topological then input order.
    out: dict[Node, list[tuple[Node, int]]] = {node: [] for node in between}
    for child in between:
        for slot, parent in enumerate(child.parents):
            if parent in on_path:
                out[parent].append((child, slot))
    paths: list[ChainPath] = []
    nodes: list[Node] = [w]
    slots: list[int] = []
    derivs: list[float] = []
    stack = [iter(out[w])]
    while stack:
        step = next(stack[-1], None)
        if step is None:
            stack.pop()
            nodes.pop()
            if slots:
                slots.pop()
                derivs.pop()
            continue
        child, slot = step
        nodes.append(child)
        slots.append(slot)
        derivs.append(local[child][slot])
        if child is L:
            paths.append(ChainPath(tuple(nodes), tuple(slots), tuple(derivs), math.prod(derivs)))
            nodes.pop()
            slots.pop()
            derivs.pop()
        else:
            stack.append(iter(out[child]))
    return paths


def factored_paths(w: Node, L: Node) -> list[FirstHop]:
    """The paths from `w` to `L` grouped by their first edge, each group summed.

    For each edge ``w -> child``: its local derivative, ``dL/dchild`` (the sum over all the
    paths from `child` to `L`: the gradient reverse mode gives `child`, from one walk),
    how many paths that is, and the product. The products add up to ``dL/dw`` however
    many paths there are. Empty when `w` does not reach `L` or is `L`.
    """
    _check(w, "w", "factored_paths")
    _check(L, "L", "factored_paths")
    _require_scalars((w, L), "factored_paths")  # before the walk runs any tensor VJP
    order, grads = gradients_of(L)
    between = nodes_between(w, L, order)
    _require_scalars(between, "factored_paths")
    return first_hops(between, grads)


def gradients_of(L: Node) -> tuple[list[Node], dict[Node, Any]]:
    """One reverse-mode walk from `L`: the nodes it reaches in topological order, and
    ``dL/dnode`` for each (the walk sorts the graph: callers need no sort of their own)."""
    steps = list(walk(L))
    return [step.node for step in reversed(steps)], {step.node: step.grad for step in steps}


def first_hops(between: Sequence[Node], grads: dict[Node, Any]) -> list[FirstHop]:
    """`factored_paths` on the nodes between `w` and `L`, with ``dL/dnode`` from a walk."""
    if len(between) < 2:
        return []
    w = between[0]
    _, out = path_counts(between)
    hops = []
    for child in between:
        for slot, parent in enumerate(child.parents):
            if parent is w:
                d = local_derivatives(child)[slot]
                rest, n = float(grads.get(child, 0.0)), out.get(child, 0)
                hops.append(FirstHop(child, slot, d, rest, n, d * rest))
    return hops


def local_derivatives(node: Node) -> tuple[float, ...]:
    """``∂node/∂parent`` for each input slot: the VJP of a seed of 1 (VJPs capture values,
    so this is valid after backward, and it changes nothing)."""
    return tuple(float(d) for d in node.vjp(1.0))


# ------------------------------------------------------------------------------- helpers


def _check(node: object, what: str, where: str) -> None:
    if not isinstance(node, Node):
        raise TypeError(f"{where}: expected a Value for {what}, got {type(node).__name__}")


def _scalar_span(w: Node, L: Node, where: str) -> list[Node]:
    """The nodes between `w` and `L`, checked to be a graph of Values."""
    _check(w, "w", where)
    _check(L, "L", where)
    between = nodes_between(w, L)
    _require_scalars(between, where)
    if between and (is_tensor(w) or not isinstance(w.grad, float)):
        raise TypeError(f"{where}: expected a Value for w, got {type(w).__name__}")
    return between


def _require_scalars(nodes: Sequence[Node], where: str) -> None:
    if any(is_tensor(n) for n in nodes):
        raise TypeError(
            f"{where}: expected a graph of Values (scalar local derivatives), got a Tensor "
            f"graph; use draw_gradient_flow(loss) for tensors, or count_paths(w, L)"
        )


def _shorten(parts: list[str], what: str, keep: int = 5) -> list[str]:
    """The first and last `keep` parts of a long path, and how many are left out."""
    if len(parts) <= 2 * keep + 1:
        return parts
    return [*parts[:keep], f"({len(parts) - 2 * keep:,} more {what})", *parts[-keep:]]
