"""The replay widget: its slider, buttons and play control move one set of frames, in this
process and in a fresh Jupyter kernel."""

from __future__ import annotations

import sys

import nbformat
import pytest
from nbclient import NotebookClient

from autograd_lite import backward_steps, path_steps
from autograd_lite.draw.widget import WIDGETS_HINT
from nn.cli.examples import EXAMPLES


def test_the_slider_and_buttons_change_the_caption_and_the_picture():
    ex = EXAMPLES["neuron"]()
    replay = backward_steps(ex.root)
    player = replay.widget()
    frames = player.frames
    assert (player.slider.min, player.slider.max) == (0, len(frames) - 1)
    assert (player.play.min, player.play.max) == (0, len(frames) - 1)
    seen = []
    for k in range(len(frames)):
        player.slider.value = k
        assert frames[k].caption.replace("*", "") in player.caption.value.replace("*", "")
        assert player.picture.value.startswith("<svg")
        seen.append((player.caption.value, player.picture.value))
    assert len(set(seen)) == len(frames)  # every frame differs from every other
    # No box shows a gradient in the forward pass; the output's is 1 at the end.
    assert ">grad " not in seen[0][1] and ">grad 1</text>" in seen[-1][1]
    player.previous.click()
    assert player.slider.value == len(frames) - 2
    player.next.click()
    player.next.click()  # past the end: stays on the last frame
    assert player.slider.value == len(frames) - 1
    player.slider.value = 0
    player.previous.click()
    assert player.slider.value == 0


def test_the_path_widget_ends_on_the_sum():
    ex = EXAMPLES["chain"]()
    player = path_steps(ex.weight, ex.root).widget()
    player.slider.value = player.slider.max
    assert "add up to dC/dw1" in player.caption.value


def test_without_ipywidgets_the_error_says_what_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "ipywidgets", None)  # import fails
    with pytest.raises(ImportError, match="pip install ipywidgets") as info:
        backward_steps(EXAMPLES["neuron"]().root).widget()
    assert str(info.value) == WIDGETS_HINT


CELLS = [
    "from nn.cli.examples import EXAMPLES\n"
    "from autograd_lite import backward_steps\n"
    "player = backward_steps(EXAMPLES['neuron']().root).widget()\n"
    "player",
    "player.next.click()\nplayer.next.click()\nprint(player.slider.value, player.caption.value)",
    "player.slider.value = player.slider.max\nprint(player.caption.value)",
]


def test_the_widget_works_in_a_fresh_kernel(tmp_path):
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in CELLS])
    NotebookClient(nb, timeout=120, kernel_name="python3").execute()
    shown, moved, last = (cell.outputs for cell in nb.cells)
    widget = shown[0]["data"]
    assert "application/vnd.jupyter.widget-view+json" in widget  # a live widget, not text
    assert "VBox" in widget["text/plain"]
    assert moved[0]["text"].startswith("2 <b>forward, step 2: compute x2*w2")
    assert "backward, step 9: the engine reaches" in last[0]["text"]
    assert not [o for c in nb.cells for o in c.outputs if o["output_type"] == "error"]
