"""Pictures, and the only importer of graphviz: any `Value` or `Tensor` graph as a
`graphviz.Digraph` (`draw_graph`, `render`), the chain-rule paths highlighted on it
(`draw_paths`, stepped by `draw_path_step`), the frames of the forward and backward replay
(`draw_forward_step`, `draw_step`, ``replay.draw(k)``), the players that show them one after
another (``replay.to_html(path)``: a standalone page, `player`; ``replay.widget()``: ipywidgets,
`widget`) and the gradient flow of tensor graphs (`draw_gradient_flow`). The numbers come from
`autograd_lite.explain`.

``import autograd_lite`` does not import this package (nor graphviz): it is loaded the first
time a picture is asked for (``autograd_lite.draw_graph``, ``replay.draw(k)``, ...).
"""

from __future__ import annotations

from autograd_lite.draw.flow import draw_gradient_flow
from autograd_lite.draw.forward import draw_forward_step
from autograd_lite.draw.graph import (
    DEFAULT_MAX_NODES,
    INSTALL_HINT,
    Extras,
    Picture,
    draw_graph,
    render,
)
from autograd_lite.draw.paths import PATH_COLOURS, draw_path_step, draw_paths
from autograd_lite.draw.player import player_frames, write_html
from autograd_lite.draw.replay import draw_replay_step, draw_step

__all__ = [
    "DEFAULT_MAX_NODES",
    "INSTALL_HINT",
    "PATH_COLOURS",
    "Extras",
    "Picture",
    "draw_forward_step",
    "draw_gradient_flow",
    "draw_graph",
    "draw_path_step",
    "draw_paths",
    "draw_replay_step",
    "draw_step",
    "player_frames",
    "render",
    "write_html",
]
