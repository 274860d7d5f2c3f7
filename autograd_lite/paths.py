"""The chain rule, path by path: how ``dL/dw`` is a sum over the paths from `w` to `L`.

Each edge of the graph carries a local derivative ``∂child/∂parent`` at the current values;
a path's product of local derivatives is what `w` contributes to `L` along that path, and
the products of all the paths add up to ``dL/dw``, which is ``w.grad`` after
``L.backward()``. This module lists the paths as data (`chain_rule_paths`), counts them
without listing them (`count_paths`), groups them by their first edge when there are too
many (`factored_paths`), and prints the whole argument as a table (`explain_gradient`).
`draw_paths` (in `paths_draw.py`) highlights them on the graph.

Everything is computed on the side: no ``.grad`` or graph is changed.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from autograd_lite.engine import Node
from autograd_lite.viz import nodes_between
from autograd_lite.viz_labels import fmt, is_tensor, node_name, unique_names

__all__ = [
    "ChainPath",
    "FirstHop",
    "GradientExplanation",
    "TooManyPathsError",
    "chain_rule_paths",
    "count_paths",
    "explain_gradient",
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
            if child._parents.count(child._parents[slot]) > 1:
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

    Dynamic programming over the topological order: the paths into a node are the sum,
    over its input edges, of the paths into each parent. Linear in the size of the graph,
    for Value and Tensor graphs alike; 0 when `w` does not reach `L`, 1 when `w` is `L`.
    """
    _check(w, "w", "count_paths")
    _check(L, "L", "count_paths")
    ways: dict[Node, int] = {}
    for node in nodes_between(w, L):
        ways[node] = 1 if node is w else sum(ways.get(p, 0) for p in node._parents)
    return ways.get(L, 0)


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
    _check(w, "w", "chain_rule_paths")
    _check(L, "L", "chain_rule_paths")
    between = nodes_between(w, L)
    if not between:
        return []
    _require_scalars(between, "chain_rule_paths")
    if is_tensor(w) or not isinstance(w.grad, float):
        raise TypeError(f"explain_gradient: expected a Value for w, got {type(w).__name__}")
    n = count_paths(w, L)
    if n > max_paths:
        raise TooManyPathsError(
            f"chain_rule_paths: expected at most max_paths={max_paths:,} paths, got {n:,} from "
            f"{node_name(w)} to {node_name(L)}; use factored_paths(w, L) or "
            f"explain_gradient(w, L) for the factored view (the paths grouped by their first "
            f"edge), or raise max_paths"
        )
    on_path = set(between)
    local = {node: _local(node) for node in between if node._parents}
    # Edges leaving each node, towards L only, in topological then input order.
    out: dict[Node, list[tuple[Node, int]]] = {node: [] for node in between}
    for child in between:
        for slot, parent in enumerate(child._parents):
            if parent in on_path:
                out[parent].append((child, slot))
    if w is L:
        return [ChainPath((w,), (), (), 1.0)]
    paths: list[ChainPath] = []
    # Depth-first with an explicit stack of edge iterators (paths can be 100,000 edges long).
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
    paths from `child` to `L`, by one backward sweep over the nodes between `w` and `L`),
    how many paths that is, and the product. The products add up to ``dL/dw`` however
    many paths there are. Empty when `w` does not reach `L` or is `L`.
    """
    _check(w, "w", "factored_paths")
    _check(L, "L", "factored_paths")
    between = nodes_between(w, L)
    if len(between) < 2:
        return []
    _require_scalars(between, "factored_paths")
    on_path = set(between)
    local = {node: _local(node) for node in between if node._parents}
    adjoint: dict[Node, float] = {L: 1.0}  # dL/dnode, summed over the paths node -> L
    count: dict[Node, int] = {L: 1}  # paths node -> L
    for node in reversed(between):
        a, c = adjoint.get(node, 0.0), count.get(node, 0)
        for slot, parent in enumerate(node._parents):
            if parent in on_path and parent is not w:
                adjoint[parent] = adjoint.get(parent, 0.0) + a * local[node][slot]
                count[parent] = count.get(parent, 0) + c
    hops = []
    for child in between:
        for slot, parent in enumerate(child._parents):
            if parent is w:
                d = local[child][slot]
                rest, n = adjoint.get(child, 0.0), count.get(child, 0)
                hops.append(FirstHop(child, slot, d, rest, n, d * rest))
    return hops


@dataclass(frozen=True)
class GradientExplanation:
    """``dL/dw`` explained: the paths (or first hops), their sum, ``w.grad``, the residual.

    ``str()`` gives the table; ``paths`` is None when there were too many to list, and
    the explanation then goes by `hops`.
    """

    w: Node
    L: Node
    n_paths: int
    paths: list[ChainPath] | None
    hops: list[FirstHop]
    total: float
    grad: float
    names: dict[Node, str]

    @property
    def residual(self) -> float:
        """``w.grad`` minus the sum of the path products (rounding only, from clean grads)."""
        return self.grad - self.total

    def __str__(self) -> str:
        w, L = node_name(self.w), node_name(self.L)
        lines = [f"d{L}/d{w} by the chain rule: {_plural(self.n_paths, 'path')} from {w} to {L}"]
        rows: list[tuple[str, str, str, str]] = []
        if self.paths is not None:
            header = ("#", "path", "local derivatives", "product")
            for k, p in enumerate(self.paths, 1):
                rows.append((str(k), p.text(self.names), p.derivative_text(), fmt(p.product)))
            total_label = "sum of path products"
        else:
            lines.append("(too many to list: grouped by their first edge, the rest summed)")
            header = ("#", "first edge, then the rest", f"local × d{L}/d(next)", "product")
            for k, h in enumerate(self.hops, 1):
                path = ChainPath((self.w, h.child), (h.slot,), (h.derivative,), h.derivative)
                rows.append(
                    (
                        str(k),
                        f"{path.text(self.names)}, then {_plural(h.n_paths, 'path')}",
                        f"{fmt(h.derivative)} × {fmt(h.rest)}",
                        fmt(h.product),
                    )
                )
            total_label = "sum over first edges"
        rounding = self.residual != 0.0 and self.agrees
        rows += [
            ("", total_label, "", fmt(self.total)),
            ("", f"{w}.grad (from backward)", "", fmt(self.grad)),
            ("", "residual", "", fmt(self.residual) + (" (rounding)" if rounding else "")),
        ]
        widths = [max(len(r[i]) for r in [header, *rows]) for i in range(4)]
        line = "  ".join(f"{{:<{n}}}" for n in widths[:3]) + f"  {{:>{widths[3]}}}"
        lines.append(line.format(*header).rstrip())
        lines.append("  ".join("-" * n for n in widths))
        lines += [line.format(*r).rstrip() for r in rows]
        if not self.agrees:
            lines.append("note: " + mismatch_note(w, L))
        return "\n".join(lines)

    @property
    def agrees(self) -> bool:
        """True when ``w.grad`` equals the sum up to rounding."""
        return math.isclose(self.grad, self.total, rel_tol=1e-6, abs_tol=1e-9)


def mismatch_note(w: str, L: str) -> str:
    """Why ``w.grad`` may differ from the sum of path products (it is never the paths)."""
    return (
        f"{w}.grad differs from the sum. Leaf gradients accumulate across backward() calls: "
        f"zero them (model.zero_grad(), or {w}.grad = 0.0) and call {L}.backward() once. "
        f"{w}.grad is 0 if backward() has not run, and it is the derivative of the node "
        f"backward() was called on."
    )


def explain_gradient(
    w: Node, L: Node, *, max_paths: int = 32, show: bool = False
) -> GradientExplanation:
    """Explain ``dL/dw`` as a table: each path, its local derivatives and product, their
    sum, ``w.grad``, and the residual between the two.

    With more than `max_paths` paths the table lists the first edges out of `w` instead,
    each with ``dL/d(next node)`` summed over the rest of its paths. Run ``L.backward()``
    from zeroed gradients first, so that ``w.grad`` is ``dL/dw``.

    Parameters
    ----------
    w, L : Value
        The input (usually a parameter) and the output (usually the loss).
    max_paths : int
        List the paths one by one up to this many.
    show : bool
        Also print the table.

    Returns
    -------
    GradientExplanation
        ``str()`` of it is the table; ``.paths``, ``.hops``, ``.total``, ``.grad`` and
        ``.residual`` are the numbers.
    """
    if is_tensor(w) or not isinstance(w.grad, float):
        raise TypeError(f"explain_gradient: expected a Value for w, got {type(w).__name__}")
    n = count_paths(w, L)
    if n > max_paths:
        paths = None
        hops = factored_paths(w, L)
        total = math.fsum(h.product for h in hops)
    else:
        paths = chain_rule_paths(w, L, max_paths=max_paths)
        hops = factored_paths(w, L)
        total = math.fsum(p.product for p in paths)
    result = GradientExplanation(w, L, n, paths, hops, total, w.grad, path_names(w, L))
    if show:
        print(result)
    return result


# ------------------------------------------------------------------------------- helpers


def _check(node: object, what: str, where: str) -> None:
    if not isinstance(node, Node):
        raise TypeError(f"{where}: expected a Value for {what}, got {type(node).__name__}")


def _require_scalars(nodes: list[Node], where: str) -> None:
    if any(is_tensor(n) for n in nodes):
        raise TypeError(
            f"{where}: expected a graph of Values (scalar local derivatives), got a Tensor "
            f"graph; use draw_gradient_flow(loss) for tensors, or count_paths(w, L)"
        )


def _local(node: Node) -> tuple[float, ...]:
    """``∂node/∂parent`` for each input slot: the VJP of a seed of 1 (VJPs capture values,
    so this is valid after backward, and it changes nothing)."""
    return tuple(float(d) for d in node._vjp(1.0))


def _plural(n: int, word: str) -> str:
    return f"{n:,} {word}" if n == 1 else f"{n:,} {word}s"


def _shorten(parts: list[str], what: str, keep: int = 5) -> list[str]:
    """The first and last `keep` parts of a long path, and how many are left out."""
    if len(parts) <= 2 * keep + 1:
        return parts
    return [*parts[:keep], f"({len(parts) - 2 * keep:,} more {what})", *parts[-keep:]]
