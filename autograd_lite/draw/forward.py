"""The frames of the forward pass: step `k` of `autograd_lite.explain.forward_steps` as a
picture, before the backward frames of the same graph.

A frame shows only the values computed by then: the others read ``data ?``, and no box shows
a gradient (none exists before ``backward()``).
"""

from __future__ import annotations

from typing import Any

from autograd_lite.draw.graph import Extras, Picture, draw_graph
from autograd_lite.draw.replay import CURRENT, wrapped
from autograd_lite.engine import Node
from autograd_lite.explain.forward import ForwardStep, forward_steps, value

__all__ = ["draw_forward_step"]

_UNKNOWN = {"fillcolor": "#f2f2f2", "fontcolor": "#777777", "color": "#bbbbbb"}


def draw_forward_step(root: Node, k: int, **options: Any) -> Picture:
    """Draw step `k` of the forward pass that computed `root`: the node computed at this
    step outlined in red with the values flowing into it, the nodes computed before it in
    their usual colours, the ones still to come grey with ``data ?``.

    `options` go to `draw_graph` (``rankdir``, ``max_nodes``, ``module``, ...).
    """
    steps = forward_steps(root)
    if isinstance(k, bool) or not isinstance(k, int) or not -len(steps) <= k < len(steps):
        raise IndexError(f"expected a forward step between 0 and {len(steps) - 1}, got {k!r}")
    return draw_forward(root, steps[k], len(steps), **options)


def draw_forward(root: Node, step: ForwardStep, n: int, **options: Any) -> Picture:
    """Draw `step` of a forward pass of `n` steps from `root` (see `draw_forward_step`)."""
    keep = {step.node} if step.node is not None else set()
    extras = Extras(names=step.names, keep=keep)
    extras.data_text = lambda node: f"data {value(node)}" if step.known(node) else "data ?"
    for node in step.turns:
        if not step.known(node):
            extras.node_attrs[node] = _UNKNOWN
    if step.node is not None:
        _mark_inputs(step.node, extras)
    extras.legend += [
        f"<b>forward, step {step.index} (of steps 0 to {n - 1})</b>",
        wrapped(str(step)),
        "grey boxes: values still to compute (data ?); gradients come in the backward pass",
    ]
    options.setdefault("legend", True)
    return draw_graph(root, extras=extras, show_grad=False, **options)


def _mark_inputs(node: Node, extras: Extras) -> None:
    """Outline the node computed now, and the edges its inputs' values flow along."""
    extras.node_attrs[node] = {"color": CURRENT, "penwidth": "3"}
    extras.op_attrs[node] = {"color": CURRENT, "penwidth": "2"}
    extras.result_edge_attrs[node] = {"color": CURRENT, "penwidth": "2.5"}
    for slot in range(len(node.parents)):
        extras.edge_attrs[(node, slot)] = {"color": CURRENT, "penwidth": "2"}
