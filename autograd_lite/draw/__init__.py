"""Pictures, and the only importer of graphviz: any `Value` or `Tensor` graph as a
`graphviz.Digraph` (`draw_graph`, `render`), the chain-rule paths highlighted on it
(`draw_paths`), the frames of the backward replay (`draw_step`, ``replay.draw(k)``) and the
gradient flow of tensor graphs (`draw_gradient_flow`). The numbers come from
`autograd_lite.explain`.

``import autograd_lite`` does not import this package (nor graphviz): it is loaded the first
time a picture is asked for (``autograd_lite.draw_graph``, ``replay.draw(k)``, ...).
"""

from __future__ import annotations

from autograd_lite.draw.flow import draw_gradient_flow
from autograd_lite.draw.graph import (
    DEFAULT_MAX_NODES,
    INSTALL_HINT,
    Extras,
    Picture,
    draw_graph,
    render,
)
from autograd_lite.draw.paths import PATH_COLOURS, draw_paths
from autograd_lite.draw.replay import draw_replay_step, draw_step

__all__ = [
    "DEFAULT_MAX_NODES",
    "INSTALL_HINT",
    "PATH_COLOURS",
    "Extras",
    "Picture",
    "draw_gradient_flow",
    "draw_graph",
    "draw_paths",
    "draw_replay_step",
    "draw_step",
    "render",
]
