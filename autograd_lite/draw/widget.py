"""The player in Jupyter: ``backward_steps(loss).widget()`` (or ``path_steps(w, L).widget()``)
as ipywidgets: play/pause, previous/next, a slider, and the frame's caption, arithmetic and
picture. Each picture is rendered when first shown (after one quick layout of every frame
that fixes the size of each box, when the frames show the same boxes: see `Frames`).
"""

from __future__ import annotations

import html
from typing import Any

from autograd_lite.draw.player import Frames, player_frames

__all__ = ["WIDGETS_HINT", "player_widget"]

WIDGETS_HINT = (
    "The replay widget needs ipywidgets in the kernel's environment: "
    "`pip install ipywidgets` (or `pip install 'autograd-lite[notebooks]'`). "
    "replay.to_html(path) writes a player that needs nothing but a browser."
)


def player_widget(playable: Any, **options: Any) -> Any:
    """The ipywidgets player of `playable`: an ``ipywidgets.VBox`` of the controls, the
    caption with the arithmetic, and the picture. Its attributes ``slider``, ``play``,
    ``previous``, ``next``, ``caption`` and ``picture`` are those widgets (set
    ``player.slider.value = k`` to show frame k).

    `options` go to every picture (``rankdir``, ``max_nodes``, ``module``, ...).
    """
    try:
        import ipywidgets  # noqa: F401  (checked here, used by _player)
    except ImportError as error:
        raise ImportError(WIDGETS_HINT) from error
    return _player(player_frames(playable, **options))


def _player(frames: Frames) -> Any:
    import ipywidgets as w

    last = len(frames) - 1
    slider = w.IntSlider(value=0, min=0, max=last, description="frame", continuous_update=True)
    play = w.Play(value=0, min=0, max=last, interval=1000, description="play")
    w.jslink((play, "value"), (slider, "value"))  # play moves the slider in the browser
    previous = w.Button(description="◀ previous", tooltip="previous frame")
    following = w.Button(description="next ▶", tooltip="next frame")
    caption, picture = w.HTML(), w.HTML()

    def show(_change: Any = None) -> None:
        frame = frames[slider.value]
        caption.value = (
            f"<b>{html.escape(frame.caption)}</b> (frame {slider.value + 1} of {last + 1})"
            f"<br><code>{html.escape(frame.arithmetic)}</code>"
        )
        picture.value = frames.svg(slider.value)

    def move(delta: int) -> None:
        slider.value = min(last, max(0, slider.value + delta))

    slider.observe(show, names="value")
    previous.on_click(lambda _button: move(-1))
    following.on_click(lambda _button: move(1))
    show()
    box = w.VBox([w.HBox([play, previous, slider, following]), caption, picture])
    box.slider, box.play, box.previous, box.next = slider, play, previous, following
    box.caption, box.picture, box.frames = caption, picture, frames
    return box
