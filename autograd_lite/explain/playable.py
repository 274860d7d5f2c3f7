"""What makes a sequence of steps playable: ``to_html(path)`` (one standalone page) and
``widget()`` (a player in Jupyter), shared by the backward replay and the chain-rule paths.

The steps are data computed here; the players draw them, so they live in
`autograd_lite.draw` (the graphviz importer) and are imported only when asked for.
"""

from __future__ import annotations

import pathlib
from collections.abc import Iterator, Sequence
from typing import Any

__all__ = ["Playable"]


class Playable(Sequence):
    """The base of the step sequences that can be played (`BackwardReplay`, `PathReplay`):
    a sequence of ``self.steps``, its story one step per line, and its players."""

    steps: list[Any]

    def __len__(self) -> int:
        return len(self.steps)

    def __getitem__(self, k: Any) -> Any:
        return self.steps[k]

    def __iter__(self) -> Iterator[Any]:
        return iter(self.steps)

    def __str__(self) -> str:
        return "\n".join(str(step) for step in self.steps)

    def to_html(self, path: str | pathlib.Path, **options: Any) -> str:
        """Write one standalone HTML page that plays every frame, and return its path.

        Every frame is inline SVG; the page uses plain JavaScript (a slider, buttons and the
        arrow keys), loads nothing from the network and opens offline in any browser.
        `options` go to the pictures (``rankdir``, ``max_nodes``, ``module``, ...).
        """
        # Imported here: `explain` computes, `draw` (and graphviz) is loaded only to draw.
        from autograd_lite.draw.player import write_html

        return write_html(self, path, **options)

    def widget(self, **options: Any) -> Any:
        """An ipywidgets player for Jupyter: a slider, play/pause, previous/next, and each
        frame's caption, arithmetic and picture. `options` go to the pictures."""
        from autograd_lite.draw.widget import player_widget

        return player_widget(self, **options)
