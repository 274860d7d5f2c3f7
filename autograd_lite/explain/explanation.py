"""`explain_gradient`: ``dL/dw`` as a table of chain-rule paths, their sum and ``w.grad``."""

from __future__ import annotations

import math
from dataclasses import dataclass

from autograd_lite.engine import Node
from autograd_lite.explain.labels import fmt, is_tensor, node_name, unique_names
from autograd_lite.explain.paths import (
    ChainPath,
    FirstHop,
    first_hops,
    gradients_of,
    list_paths,
)
from autograd_lite.explain.subgraph import nodes_between, path_counts

__all__ = ["GradientExplanation", "explain_gradient", "mismatch_note"]


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

    @property
    def agrees(self) -> bool:
        """True when ``w.grad`` equals the sum up to rounding."""
        return math.isclose(self.grad, self.total, rel_tol=1e-6, abs_tol=1e-9)

    def __str__(self) -> str:
        w, L = node_name(self.w), node_name(self.L)
        lines = [f"d{L}/d{w} by the chain rule: {_plural(self.n_paths, 'path')} from {w} to {L}"]
        if self.paths is not None:
            header = ("#", "path", "local derivatives", "product")
            rows = [
                (str(k), p.text(self.names), p.derivative_text(), fmt(p.product))
                for k, p in enumerate(self.paths, 1)
            ]
            total_label = "sum of path products"
        else:
            lines.append("(too many to list: grouped by their first edge, the rest summed)")
            header = ("#", "first edge, then the rest", f"local × d{L}/d(next)", "product")
            rows = [self._hop_row(k, h) for k, h in enumerate(self.hops, 1)]
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

    def _hop_row(self, k: int, h: FirstHop) -> tuple[str, str, str, str]:
        path = ChainPath((self.w, h.child), (h.slot,), (h.derivative,), h.derivative)
        return (
            str(k),
            f"{path.text(self.names)}, then {_plural(h.n_paths, 'path')}",
            f"{fmt(h.derivative)} × {fmt(h.rest)}",
            fmt(h.product),
        )


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
    for node, what in ((w, "w"), (L, "L")):
        if not isinstance(node, Node) or is_tensor(node) or not isinstance(node.grad, float):
            raise TypeError(
                f"explain_gradient: expected a Value for {what}, got {type(node).__name__}"
            )
    # One walk from L sorts the graph once and gives dL/dnode for the factored view; the
    # nodes between w and L, their path counts and names all come from its order.
    order, grads = gradients_of(L)
    between = nodes_between(w, L, order)
    into, _ = path_counts(between)
    n = into.get(L, 0)
    hops = first_hops(between, grads)
    paths = list_paths(between) if n <= max_paths else None
    if paths is None:
        total = math.fsum(h.product for h in hops)
    else:
        total = math.fsum(p.product for p in paths)
    result = GradientExplanation(w, L, n, paths, hops, total, w.grad, unique_names(between))
    if show:
        print(result)
    return result


def _plural(n: int, word: str) -> str:
    return f"{n:,} {word}" if n == 1 else f"{n:,} {word}s"
