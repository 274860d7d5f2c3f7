"""Pictures of networks stay a few screens wide: record fields are stacked across the arrows,
long captions wrap, and `rankdir` decides where the inputs are."""

from __future__ import annotations

import re

import pytest

import nn
from autograd_lite import Value, backward_steps, draw_graph
from autograd_lite.engine import topological_order
from nn.cli.examples import EXAMPLES

PX_PER_PT = 4 / 3


def size_px(picture) -> tuple[float, float]:
    svg = picture.pipe(format="svg", encoding="utf-8")
    width, height = re.search(r'<svg width="([\d.]+)pt" height="([\d.]+)pt"', svg).groups()
    return float(width) * PX_PER_PT, float(height) * PX_PER_PT


def centres(picture) -> dict[str, tuple[float, float]]:
    """DOT id -> centre of its box in the rendered layout (points)."""
    layout = picture.pipe(format="plain", encoding="utf-8")
    return {
        name: (float(x), float(y))
        for name, x, y in re.findall(r"^node (\w+) ([\d.]+) ([\d.]+)", layout, flags=re.M)
    }


def small_mlp() -> tuple[Value, nn.MLP]:
    model = nn.MLP(2, [4, 4, 1], rng=0)
    loss = (model([Value(0.5, label="x0"), Value(-1.0, label="x1")]) - 1.0) ** 2
    loss.backward()
    return loss, model


@pytest.mark.parametrize("grouped", [False, True], ids=["every node", "a box per neuron"])
def test_mlp_pictures_are_at_most_2700_px_wide(grouped):
    # Fields side by side made the CLI's MLP 3,285 px wide (3,907 with module boxes) and its
    # replay frames over 4,000: a record is now as wide as its widest field.
    ex = EXAMPLES["mlp"]()
    loss, model = small_mlp()
    for root, module in ((ex.root, ex.module), (loss, model)):
        width, _ = size_px(draw_graph(root, module=module if grouped else None))
        assert width < 2700, width
        frame = backward_steps(root).draw(5, module=module if grouped else None)
        assert size_px(frame)[0] < 2700  # long steps wrap in the caption


@pytest.mark.parametrize("rankdir", ["LR", "TB", "RL", "BT"])
def test_rankdir_puts_the_inputs_before_the_output_in_its_direction(rankdir):
    loss, _ = small_mlp()
    at = centres(draw_graph(loss, rankdir=rankdir))
    order = topological_order(loss)
    ids = {node: f"n{i}" for i, node in enumerate(order)}
    inputs = [at[ids[n]] for n in order if n.label in ("x0", "x1")]
    out = at[ids[loss]]
    axis, sign = {"LR": (0, 1), "RL": (0, -1), "TB": (1, -1), "BT": (1, 1)}[rankdir]
    # (plain output has y pointing up: TB puts the inputs above, at larger y)
    assert all(sign * (out[axis] - p[axis]) > 0 for p in inputs)


def test_records_stack_their_fields_across_the_arrows():
    loss, _ = small_mlp()
    for rankdir in ("LR", "TB"):
        layout = draw_graph(loss, rankdir=rankdir).pipe(format="plain", encoding="utf-8")
        pattern = r'^node n\d+ [\d.]+ [\d.]+ ([\d.]+) ([\d.]+) "(?:\{ )?x0 \|'
        boxes = re.findall(pattern, layout, flags=re.M)
        ((width, height),) = boxes
        assert float(height) > float(width) / 2  # three fields one above the other
