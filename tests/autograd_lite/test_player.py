"""The frames a player shows: the forward steps (values in topological order), the backward
steps, the chain-rule paths one by one, and the standalone page that holds them."""

from __future__ import annotations

import math
import re

import numpy as np
import pytest

from autograd_lite import TooManyPathsError, Value, backward_steps, path_steps
from autograd_lite.draw import player_frames
from autograd_lite.engine import topological_order
from autograd_lite.explain import forward_steps
from autograd_lite.explain.labels import fmt
from nn.cli.examples import EXAMPLES


def test_forward_steps_compute_each_node_after_its_inputs():
    ex = EXAMPLES["neuron"]()
    steps = forward_steps(ex.root)
    order = topological_order(ex.root)
    computed = [n for n in order if n.parents]
    assert steps[0].node is None and [s.node for s in steps[1:]] == computed
    for step in steps:
        for node in order:  # a value is known once computed, and never before its inputs
            turn = computed.index(node) + 1 if node.parents else 0
            assert step.known(node) == (turn <= step.index)
            if step.known(node):
                assert all(step.known(p) for p in node.parents)
    assert [str(s) for s in steps[:2]] == [
        "forward, step 0: the inputs and parameters hold their values. "
        "x1 = 2, w1 = -3, x2 = 0, w2 = 1, b = 6.881.",
        "forward, step 1: compute x1*w1 (*). x1*w1 = x1 × w1 = 2 × -3 = -6.",
    ]
    assert steps[-1].arithmetic == "o = tanh(n) = tanh(0.8814) = 0.7071"


def test_forward_arithmetic_of_a_neuron_a_square_and_a_tensor():
    chain = forward_steps(EXAMPLES["chain"]().root)
    assert chain[1].arithmetic == "z1 = w1 × a0 + b1 = 0.8 × 1 + -0.2 = 0.6"
    assert chain[-1].arithmetic == "C = (a3 - y)**2 = (-0.3173)**2 = 0.1007"
    from autograd_lite.tensor import Tensor

    x = Tensor(np.arange(6.0).reshape(2, 3), requires_grad=True, label="x")
    y = (x * x).sum()
    y.label = "y"
    (leaves, square, total) = forward_steps(y)
    assert square.arithmetic == "* = x × x = (2, 3) float64 min 0 mean 9.167 max 25"
    assert "x = (2, 3) float64 min 0 mean 2.5 max 5" in leaves.arithmetic
    assert total.arithmetic.startswith("y = sum(") and total.arithmetic.endswith("= 55")


def test_path_steps_add_the_products_up_to_the_gradient():
    ex = EXAMPLES["mlp"]()
    steps = path_steps(ex.weight, ex.root)
    paths = steps.paths
    assert len(steps) == len(paths) + 1 and len(paths) == 6  # 3 neurons × 2 examples
    for k, step in enumerate(steps[:-1]):
        assert step.path is paths[k]
        assert step.running == pytest.approx(sum(p.product for p in paths[: k + 1]), abs=1e-15)
        assert step.caption.startswith(f"chain rule, path {k + 1} of 6: w0 -> ")
    last = steps[-1]
    assert math.isclose(last.running, ex.weight.grad, rel_tol=1e-12)
    assert last.gradient == ex.weight.grad
    assert str(last) == (
        f"the 6 path products add up to dloss/dw0. sum {fmt(last.running)}; "
        f"dloss/dw0 by backward (w0.grad) {fmt(ex.weight.grad)}."
    )


def test_path_steps_errors_name_the_problem():
    a, b = Value(1.0, label="a"), Value(2.0, label="b")
    c = b * 1.0
    c.label = "c"
    with pytest.raises(ValueError, match="a does not reach c"):
        path_steps(a, c)
    x = Value(0.5, label="x")
    y = x
    for _ in range(8):  # 2**8 paths
        y = y * y
    with pytest.raises(TooManyPathsError, match="max_paths=64"):
        path_steps(x, y)
    with pytest.raises(TypeError, match="expected a Value for w"):
        path_steps(np.ones(2), y)
    with pytest.raises(IndexError, match="between 0 and 2"):
        path_steps(x, x * x).draw(3)


def test_player_frames_are_the_forward_then_the_backward_steps():
    ex = EXAMPLES["neuron"]()
    replay = backward_steps(ex.root)
    frames = player_frames(replay)
    n_forward = len(replay.forward)
    assert len(frames) == n_forward + len(replay) == 6 + 10
    assert [f.phase for f in frames] == ["forward"] * n_forward + ["backward"] * len(replay)
    ids = {f"n{i}": node for i, node in enumerate(replay.order)}
    assert frames[0].node_id is None  # the leaves: no node computed yet
    assert [ids[f.node_id] for f in frames[1:n_forward]] == [s.node for s in replay.forward[1:]]
    assert [ids[f.node_id] for f in frames[n_forward:]] == [s.node for s in replay]
    assert frames[n_forward].caption == "backward, step 0: start at the output o"
    assert frames[-1].arithmetic == str(replay[-1]).split(": ", 1)[1]
    with pytest.raises(TypeError, match="expected backward_steps"):
        player_frames([1, 2])


def test_the_page_holds_every_frame_with_unique_ids(tmp_path):
    replay = backward_steps(EXAMPLES["chain"]().root)
    path = tmp_path / "chain.HTML"  # the suffix in any case
    assert replay.to_html(path) == str(path)
    page = path.read_text(encoding="utf-8")
    figures = re.findall(r"<figure [^>]*>\s*<svg", page)
    assert len(figures) == len(replay.forward) + len(replay)
    ids = re.findall(r'\bid="([^"]+)"', page)
    assert len(ids) == len(set(ids))  # each frame's Graphviz ids prefixed
    assert "&lt;" not in re.sub(r"<svg.*?</svg>", "", page, flags=re.S)  # no markup escaped twice


def test_to_html_errors_name_the_problem(tmp_path, monkeypatch):
    replay = backward_steps(EXAMPLES["neuron"]().root)
    with pytest.raises(ValueError, match=r"ending in \.html, got '.*replay\.svg'"):
        replay.to_html(tmp_path / "replay.svg")
    monkeypatch.setenv("PATH", str(tmp_path))  # no Graphviz `dot` anywhere
    with pytest.raises(RuntimeError, match="apt-get install graphviz"):
        replay.to_html(tmp_path / "replay.html")
    assert not (tmp_path / "replay.html").exists()


def test_every_box_keeps_one_size_through_the_frames_unless_module_boxes_come_and_go():
    ex = EXAMPLES["neuron"]()
    frames = player_frames(backward_steps(ex.root))
    sizes = frames.sizes()
    assert len(sizes) == 10 + 5  # every record and op ellipse
    layouts = []
    for k in (0, 7, len(frames) - 1):
        picture = frames[k].draw()
        for node_id, (w, h) in sizes.items():
            picture.node(node_id, width=f"{w:g}", height=f"{h:g}")
        plain = picture.pipe(format="plain", encoding="utf-8")
        layouts.append(re.findall(r"^node (\w+) \S+ \S+ (\S+) (\S+) ", plain, flags=re.M))
    assert layouts[0] == layouts[1] == layouts[2]  # same boxes, same sizes
    mlp = EXAMPLES["mlp"]()
    assert player_frames(backward_steps(mlp.root), module=mlp.module).sizes() == {}


def test_a_tensor_replay_plays_too(tmp_path):
    from autograd_lite.tensor import Tensor

    rng = np.random.default_rng(0)
    w = Tensor(rng.standard_normal((2, 3)), requires_grad=True, label="W")
    x = Tensor(rng.standard_normal((4, 3)), label="x")
    loss = (x @ w.T).tanh().mean()
    replay = backward_steps(loss)
    frames = player_frames(replay)
    assert len(frames) == len(replay.forward) + len(replay)
    assert frames[2].caption == "forward, step 2: compute @"
    assert frames[2].arithmetic.startswith("@ = x @ transpose = (4, 2) float64 min ")
    page = tmp_path / "tensor.html"
    replay.to_html(page)
    assert page.read_text(encoding="utf-8").count("<svg") == len(frames)
