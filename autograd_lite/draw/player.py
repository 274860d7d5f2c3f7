"""The frames a player shows, and the standalone HTML page that plays them.

`player_frames` turns a playable sequence into frames: for `backward_steps(loss)` the forward
frames (values in topological order) then the backward ones (gradients flowing back); for
`path_steps(w, L)` one frame per chain-rule path, then their sum. Each frame has a caption,
its arithmetic and a picture; `write_html` writes them into one page (see `html_page`).
"""

from __future__ import annotations

import pathlib
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import graphviz

from autograd_lite.draw.forward import draw_forward
from autograd_lite.draw.graph import INSTALL_HINT, Picture
from autograd_lite.draw.page import html_page
from autograd_lite.draw.replay import draw_replay_step
from autograd_lite.explain.path_steps import PathReplay
from autograd_lite.explain.replay import BackwardReplay

__all__ = ["Frame", "Frames", "player_frames", "svg_of", "write_html"]


@dataclass(frozen=True)
class Frame:
    """One frame: its phase (``forward``, ``backward`` or ``path``), caption, arithmetic,
    how to draw it, and the DOT id of the node it highlights (None for none)."""

    phase: str
    caption: str
    arithmetic: str
    draw: Callable[[], Picture]
    node_id: str | None


class Frames(Sequence):
    """The frames of a player, each picture rendered to SVG once, when first shown.

    When every frame shows the same boxes (no module boxes), each box is drawn at the
    largest size it has in any frame: a box growing from ``grad ?`` to ``grad 0.1234`` then
    moves the others less from one frame to the next.
    """

    def __init__(self, frames: list[Frame], title: str) -> None:
        self.frames, self.title = frames, title
        self._svg: dict[int, str] = {}
        self._sizes: dict[str, tuple[float, float]] | None = None

    def __len__(self) -> int:
        return len(self.frames)

    def __getitem__(self, k: Any) -> Any:
        return self.frames[k]

    def __iter__(self) -> Iterator[Frame]:
        return iter(self.frames)

    def svg(self, k: int) -> str:
        """Frame `k` as inline SVG (rendered by Graphviz's ``dot`` on first use)."""
        if k not in self._svg:
            picture = self.frames[k].draw()
            for node_id, (width, height) in self.sizes().items():
                picture.node(node_id, width=f"{width:g}", height=f"{height:g}")
            self._svg[k] = svg_of(picture)
        return self._svg[k]

    def sizes(self) -> dict[str, tuple[float, float]]:
        """Each box's largest (width, height) in inches over all the frames (one ``dot``
        layout of each); empty when the frames show different boxes (module boxes: the
        current parameter is drawn out of its box, and sizes would not keep the rest still).
        """
        if self._sizes is None:
            pictures = [frame.draw() for frame in self.frames]
            boxes = [set(_DOT_NODE.findall(p.source)) - {"graph", "node", "edge"} for p in pictures]
            self._sizes = {}
            if all(ids == boxes[-1] for ids in boxes):
                for picture in pictures:
                    for node_id, w, h in _PLAIN_NODE.findall(_pipe(picture, "plain")):
                        old_w, old_h = self._sizes.get(node_id, (0.0, 0.0))
                        self._sizes[node_id] = (max(old_w, float(w)), max(old_h, float(h)))
        return self._sizes


def player_frames(playable: Any, **options: Any) -> Frames:
    """The frames of a `BackwardReplay` (forward then backward) or a `PathReplay`.

    `options` go to every picture (``rankdir``, ``max_nodes``, ``module``, ...).
    """
    if isinstance(playable, BackwardReplay):
        return Frames(_replay_frames(playable, options), "backprop, step by step")
    if isinstance(playable, PathReplay):
        return Frames(_path_frames(playable, options), "the chain rule, path by path")
    raise TypeError(
        f"player_frames: expected backward_steps(...) or path_steps(...), "
        f"got {type(playable).__name__}"
    )


def write_html(playable: Any, path: str | pathlib.Path, **options: Any) -> str:
    """Write the standalone HTML player of `playable` to `path` (``.html``); the path.

    Raises a `ValueError` for another suffix and a `RuntimeError` saying how to install
    Graphviz when its ``dot`` program is missing.
    """
    path = pathlib.Path(path)
    if path.suffix.lower() not in (".html", ".htm"):
        raise ValueError(f"to_html: expected a file name ending in .html, got {str(path)!r}")
    frames = player_frames(playable, **options)
    path.write_text(html_page(frames), encoding="utf-8")
    return str(path)


def svg_of(picture: graphviz.Digraph) -> str:
    """`picture` as an ``<svg>`` element to inline in a page (no XML prolog, no doctype)."""
    svg = _pipe(picture, "svg")
    return svg[svg.index("<svg") :]


# A node statement of DOT source (and the graph/node/edge defaults, left out).
_DOT_NODE = re.compile(r"^\s+(\w+) \[", re.M)
# A node line of ``dot -Tplain``: node NAME X Y WIDTH HEIGHT ... (inches)
_PLAIN_NODE = re.compile(r"^node (\w+) \S+ \S+ (\S+) (\S+) ", re.M)


def _pipe(picture: graphviz.Digraph, fmt: str) -> str:
    try:
        return picture.pipe(format=fmt, encoding="utf-8")
    except graphviz.ExecutableNotFound as error:
        raise RuntimeError(INSTALL_HINT) from error


def _replay_frames(replay: BackwardReplay, options: dict[str, Any]) -> list[Frame]:
    ids = {node: f"n{i}" for i, node in enumerate(replay.order)}  # as draw_graph names them
    forward = replay.forward
    frames = [
        Frame(
            "forward",
            step.caption,
            step.arithmetic,
            lambda step=step: draw_forward(replay.root, step, len(forward), **options),
            ids.get(step.node),
        )
        for step in forward
    ]
    frames += [
        Frame(
            "backward",
            step.caption,
            step.arithmetic,
            lambda k=step.index: draw_replay_step(replay, k, **dict(options)),
            ids[step.node],
        )
        for step in replay
    ]
    return frames


def _path_frames(replay: PathReplay, options: dict[str, Any]) -> list[Frame]:
    # No node is highlighted: the paths are, each in its colour.
    return [
        Frame(
            "path",
            step.caption,
            step.arithmetic,
            lambda k=step.index: replay.draw(k, **dict(options)),
            None,
        )
        for step in replay
    ]
