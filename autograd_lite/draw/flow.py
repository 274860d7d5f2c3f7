"""`draw_gradient_flow`: the graph with the size of the gradient at every node and on every
edge (the numbers of `autograd_lite.explain.gradient_flow`)."""

from __future__ import annotations

import math
from typing import Any

from autograd_lite.draw.graph import Extras, Picture, draw_graph
from autograd_lite.draw.labels import table
from autograd_lite.engine import Node
from autograd_lite.explain.flow import gradient_flow
from autograd_lite.explain.labels import fmt

__all__ = ["draw_gradient_flow"]

# Light to dark (ColorBrewer YlOrRd): a bigger gradient is a warmer, darker fill.
# The darkest YlOrRd shades are left out: black text must stay readable on every fill.
_SCALE = ["#ffffcc", "#ffeda0", "#fed976", "#feb24c", "#fd8d3c", "#fc4e2a"]
_NONE = "#e0e0e0"


def draw_gradient_flow(root: Node, **options: Any) -> Picture:
    """Draw the graph with the gradient norm of every node and edge.

    Nodes show shape, dtype and value summary as in `draw_graph`, with ``‖grad‖`` in place
    of the gradient, and are filled by the size of the gradient on a log scale (light:
    small, dark red: large, grey: no gradient). Each input edge is labelled with the norm of
    the gradient that flows back along it and drawn wider the more it carries.

    For tensors, call it before ``loss.backward()`` or after
    ``loss.backward(retain_graph=True)``. `options` go to `draw_graph`.
    """
    flow = gradient_flow(root)
    norms = flow.nodes
    logs = [math.log10(n) for n in norms.values() if n and math.isfinite(n)]
    lo, hi = (min(logs), max(logs)) if logs else (0.0, 0.0)

    def shade(norm: float | None) -> str:
        if not norm or not math.isfinite(norm):
            return _NONE if not norm else _SCALE[-1]
        t = (math.log10(norm) - lo) / (hi - lo) if hi > lo else 1.0
        return _SCALE[min(int(t * len(_SCALE)), len(_SCALE) - 1)]

    extras = Extras(role_key=False)  # the fills show gradient sizes, not roles
    extras.grad_text = lambda node: (
        f"‖grad‖ {fmt(norms[node])}" if norms.get(node) is not None else "no grad"
    )
    # Every node drawn gets a fill: grey for those no gradient reaches (draw_graph's order).
    extras.node_style = lambda node: {"fillcolor": shade(norms.get(node))}
    for edge, norm in flow.edges.items():
        t = (math.log10(norm) - lo) / (hi - lo) if norm and hi > lo else 0.0
        extras.edge_attrs[edge] = {
            "label": f"‖·‖ {fmt(norm)}",
            "penwidth": f"{1.0 + 3.0 * max(t, 0.0):.2g}",
        }
    key = "".join(f'<td bgcolor="{c}">  </td>' for c in _SCALE)
    extras.legend += [
        table(
            [
                f'<tr><td bgcolor="{_NONE}">no gradient</td><td>‖grad‖ {fmt(10**lo)}</td>'
                f"{key}<td>{fmt(10**hi)}</td></tr>"
            ]
        ),
        "edge labels: norm of the gradient flowing back along the edge",
    ]
    options.setdefault("title", "gradient flow")
    return draw_graph(root, extras=extras, **options)
