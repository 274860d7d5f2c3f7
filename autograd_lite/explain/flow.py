"""Gradient flow: how much gradient reaches each node and crosses each edge, for Tensor (and
Value) graphs.

In a tensor graph an edge's local derivative is a Jacobian, not a number, so the
chain-rule paths do not apply node by node. What a learner can read instead is the *size*
of the gradient at every node and on every edge: where it shrinks towards zero (vanishing),
where it blows up (exploding), which branch carries most of it. The gradients come from the
engine's walk, on the side, so intermediate tensors need no `retain_grad()` and nothing in
the graph changes. `autograd_lite.draw.draw_gradient_flow` draws it.
"""

from __future__ import annotations

from dataclasses import dataclass

from autograd_lite.engine import Node, walk
from autograd_lite.explain.labels import grad_norm, is_tensor

__all__ = ["GradientFlow", "gradient_flow", "gradient_norms"]


@dataclass(frozen=True)
class GradientFlow:
    """The gradient norms of one backward pass.

    Attributes
    ----------
    nodes : dict
        ``node -> ‖d root / d node‖`` for every node a gradient reaches.
    edges : dict
        ``(child, slot) -> ‖gradient sent back to child.parents[slot]‖`` for every edge a
        gradient flows along.
    """

    nodes: dict[Node, float]
    edges: dict[tuple[Node, int], float]


def gradient_flow(root: Node) -> GradientFlow:
    """The norm of the gradient at every node and on every edge, as ``backward()`` from
    `root` (one element) would compute it, without running it.

    For tensors, call it before ``loss.backward()`` or after
    ``loss.backward(retain_graph=True)``.
    """
    if not isinstance(root, Node):
        raise TypeError(f"gradient_flow: expected a Value or Tensor, got {type(root).__name__}")
    if is_tensor(root) and root.data.size != 1:
        raise ValueError(
            f"gradient_flow: expected an output with one element, got shape {root.data.shape}"
        )
    nodes: dict[Node, float] = {}
    edges: dict[tuple[Node, int], float] = {}
    for step in walk(root):
        nodes[step.node] = grad_norm(step.grad)
        for slot, sent in enumerate(step.sent):
            if sent is not None:
                edges[(step.node, slot)] = grad_norm(sent)
    return GradientFlow(nodes, edges)


def gradient_norms(root: Node) -> dict[Node, float]:
    """The norm of ``d root / d node`` for every node (``|g|`` for Values, the 2-norm of
    the array for tensors), as ``backward()`` would compute it, without running it."""
    return gradient_flow(root).nodes
