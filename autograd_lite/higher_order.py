"""Reverse mode that records a graph: derivatives of derivatives.

`engine.backward` runs each op's VJP on plain numbers and builds nothing. Here the same VJP
rules run on nodes: each is called with the gradient, the op's own node as the answer and
its parent nodes as the inputs (the call the node recorded, ``node._how``), so the
arithmetic of the chain rule is recorded like any other computation and every gradient is a
node that can be differentiated again. ``backward(create_graph=True)``, the function
transforms (`autograd_lite.grad`, ...) and `gradgradcheck` are built on `differentiate`.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from autograd_lite.engine import Node, _released_vjp, enable_grad, no_grad, topological_order

__all__ = ["backward_on_nodes", "differentiate", "recorded_call"]


def differentiate(
    root: Node, seed: Node, wrt: Iterable[Node] | None = None, *, record: bool = True
) -> dict[Node, Node]:
    """Reverse mode with the VJPs run on nodes: ``{node: d root / d node}``, the gradients
    being nodes, for every node the walk reaches (only the nodes that depend on `wrt`,
    when given). Nothing is written into any ``.grad``.

    Each op's VJP is called with the gradient, the op's own node as the answer and its
    parent nodes as the inputs, so with `record` (the default) the arithmetic of the chain
    rule is recorded like any other computation: the gradients can be differentiated again
    (``create_graph=True``, `autograd_lite.grad` of `grad`). Without `record` nothing is
    recorded and the gradients are leaves.
    """
    order = topological_order(root)
    keep = None if wrt is None else _depending_on(order, wrt)
    grads: dict[Node, Node] = {root: seed}
    found: dict[Node, Node] = {}
    with enable_grad() if record else no_grad():
        for node in reversed(order):
            g = grads.pop(node, None)
            if g is None or (keep is not None and node not in keep):
                continue
            found[node] = g
            if node._vjp is None:
                continue
            for parent, pg in zip(node._parents, _vjp_on_nodes(node, g)):
                if pg is None or not parent.requires_grad:
                    continue
                pg = parent._gradient_node(pg)
                old = grads.get(parent)
                grads[parent] = pg if old is None else old + pg
    return found


def _depending_on(order: list[Node], wrt: Iterable[Node]) -> set[Node]:
    """The nodes of `order` (parents first) that are in `wrt` or computed from one of them."""
    keep = set(wrt)
    for node in order:
        if node not in keep and any(p in keep for p in node._parents):
            keep.add(node)
    return keep


def _vjp_on_nodes(node: Node, g: Node) -> tuple[Any, ...]:
    if node._vjp is _released_vjp:
        _released_vjp(g)
    prim, constants, kwargs = recorded_call(
        node, "create_graph", "its gradient cannot be differentiated"
    )
    return prim.vjp_on_nodes(g, node, node._parents, constants, kwargs)


def recorded_call(node: Node, mode: str, goal: str) -> tuple[Any, tuple[Any, ...], dict]:
    """The call that made `node`: ``(primitive, constants, kwargs)``, or a RuntimeError
    naming the op when it was recorded without its primitive (``mode``: ..., so ``goal``)."""
    how = node._how
    if how is None:
        raise RuntimeError(
            f"{mode}: the op {node._op!r} was recorded without its primitive, so {goal}"
        )
    return how if type(how) is tuple else (how, (), {})


def backward_on_nodes(root: Node, seed: Any) -> None:
    """``backward(create_graph=True)``: `differentiate`, then the gradients into ``.grad``
    (leaves accumulate, as in the first-order walk)."""
    order = topological_order(root)
    found = differentiate(root, seed)
    for node in order:
        g = found.get(node)
        if node._vjp is not None:  # an intermediate: this walk's gradient, or none
            if node._keeps_all_grads:
                node.grad = g if g is not None else (None if root._broadcasts else 0.0)
            else:
                node.grad = None
        elif g is not None:
            node.grad = node._accumulated(g)
