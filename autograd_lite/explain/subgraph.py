"""The part of a graph between an input `w` and an output `L`, and how many paths cross it.

Every path algorithm (the chain-rule paths, their count, the factored view, the pictures
that weigh edges by the paths through them) starts from these two functions, so the one sort
and the one path-count recurrence live here.
"""

from __future__ import annotations

from collections.abc import Sequence

from autograd_lite.engine import Node, topological_order

__all__ = ["nodes_between", "path_counts"]


def nodes_between(w: Node, out: Node, order: Sequence[Node] | None = None) -> list[Node]:
    """The nodes on some path from `w` to `out` (both included), in topological order;
    empty if `w` does not reach `out`.

    `order` is ``topological_order(out)`` when the caller has it already (one sort per
    explanation); by default it is computed here.
    """
    if order is None:
        order = topological_order(out)
    on_path: set[Node] = set()
    for node in order:  # parents come first, so one pass finds every descendant of w
        if node is w or any(p in on_path for p in node.parents):
            on_path.add(node)
    if out not in on_path:
        return []
    return [n for n in order if n in on_path]


def path_counts(between: Sequence[Node]) -> tuple[dict[Node, int], dict[Node, int]]:
    """For the nodes between `w` and `L` (from `nodes_between`, `w` first and `L` last):
    how many paths lead from `w` into each node, and from each node out to `L`.

    The paths into a node are the sum, over its input edges, of the paths into each parent
    (``a * a`` counts twice); the paths out of a node, the sum over the edges it feeds. An
    edge ``parent -> child`` lies on ``into[parent] * out[child]`` paths, and ``into[L]`` is
    the number of paths from `w` to `L`. Linear in the size of the subgraph.
    """
    if not between:
        return {}, {}
    w, L = between[0], between[-1]
    into: dict[Node, int] = {}
    for node in between:
        into[node] = 1 if node is w else sum(into.get(p, 0) for p in node.parents)
    out: dict[Node, int] = {L: 1}
    for node in reversed(between):
        for parent in node.parents:
            if parent in into:  # on a path: the edges leaving the subgraph count nothing
                out[parent] = out.get(parent, 0) + out.get(node, 0)
    return into, out
