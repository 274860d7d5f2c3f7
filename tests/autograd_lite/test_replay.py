"""The backward replay equals backward(), changes nothing, and draws its steps;
the gradient-flow picture of tensor graphs."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from autograd_lite import Value
from autograd_lite.draw import draw_gradient_flow, render
from autograd_lite.draw.replay import CURRENT, DONE, READY, draw_step
from autograd_lite.engine import topological_order
from autograd_lite.explain import backward_steps, gradient_norms
from autograd_lite.testing import expressions, floats_in


def neuron() -> tuple[Value, list[Value]]:
    x1, x2 = Value(2.0, label="x1"), Value(0.0, label="x2")
    w1, w2, b = Value(-3.0, label="w1"), Value(1.0, label="w2"), Value(6.8813735870195432)
    n = x1 * w1 + x2 * w2 + b
    n.label = "n"
    o = n.tanh()
    o.label = "o"
    return o, [x1, x2, w1, w2, b]


@given(
    expressions(max_inputs=3, max_leaves=12),
    st.lists(floats_in("real"), min_size=3, max_size=3),
)
def test_last_step_gradients_equal_backward(expr, xs):
    inputs = [Value(x) for x in xs[: expr.n_inputs]]
    out = expr(*inputs)
    replay = backward_steps(out)
    assert all(x.grad == 0.0 for x in inputs)  # the replay wrote nothing
    out.backward()
    grads = replay.gradients
    assert set(grads) == set(topological_order(out))
    for node, g in grads.items():
        assert g == node.grad  # same arithmetic, same order: bit for bit
    assert replay.gradients_after(len(replay) - 1) == grads


def test_steps_follow_reverse_topological_order_with_running_totals():
    o, _ = neuron()
    replay = backward_steps(o)
    assert len(replay) == len(topological_order(o)) == 10
    assert replay[0].node is o and replay[0].grad == 1.0 and replay[0].incoming == ()
    for step in replay:
        if step.incoming:
            assert step.incoming[-1].total == step.grad
        for c in step.outgoing:
            assert c.child is step.node and c.amount == step.grad * c.local_derivative
    assert str(replay[0]) == "step 0: o is the output, do/do = 1. It sends 1 × 0.5 = 0.5 to n."


def test_a_node_used_twice_sums_two_contributions():
    a = Value(3.0, label="a")
    b = a * a
    b.label = "b"
    replay = backward_steps(b)
    step = replay[1]
    assert step.node is a and [c.amount for c in step.incoming] == [3.0, 3.0]
    assert [c.total for c in step.incoming] == [3.0, 6.0]
    assert "so its gradient is 3 + 3 = 6" in str(step)
    assert replay.gradients_after(0) == {b: 1.0, a: 6.0}


def test_draw_step_marks_done_current_and_pending(tmp_path):
    o, leaves = neuron()
    before = [x.grad for x in leaves]
    g = draw_step(o, 3)
    src = g.source
    current = re.findall(rf'color="{CURRENT}" [^\n]*penwidth=3 shape=record', src)
    assert len(current) == 1  # one current node, outlined
    assert src.count(f'fillcolor="{DONE}"') == 3  # the nodes of steps 0, 1 and 2
    assert "grad ?" in src  # pending: not every share has arrived
    assert f'fillcolor="{READY}"' in src  # complete before its turn: shown, marked ready
    assert "backward, step 3 (of steps 0 to 9)" in src
    assert "<svg" in Path(render(g, tmp_path / "step.svg")).read_text(encoding="utf-8")
    assert [x.grad for x in leaves] == before
    with pytest.raises(IndexError, match="expected a step between 0 and 9, got 10"):
        backward_steps(o).draw(10)
    assert backward_steps(o).draw(-1).source.count("grad ?") == 0


def test_tensor_replay_equals_backward_and_needs_the_saved_values():
    from autograd_lite import tensor_ops
    from autograd_lite.tensor import Tensor

    rng = np.random.default_rng(0)
    x = Tensor(rng.standard_normal((4, 3)), label="x")
    w = Tensor(rng.standard_normal((2, 3)), requires_grad=True, label="W")
    b = Tensor(np.zeros(2), requires_grad=True, label="b")
    loss = (tensor_ops.linear(x, w, b).tanh() ** 2).mean()
    replay = backward_steps(loss)
    assert w.grad is None  # nothing written
    norms = gradient_norms(loss)
    loss.backward(retain_graph=True)
    np.testing.assert_array_equal(replay.gradients[w], w.grad)
    np.testing.assert_array_equal(replay.gradients[b], b.grad)
    assert x not in replay.gradients  # needs no gradient: the engine skips it too
    assert norms[w] == pytest.approx(np.linalg.norm(w.grad))
    src = draw_gradient_flow(loss).source
    assert "‖grad‖ " in src and "(2, 3) float64" in src
    loss.backward()  # frees the saved values
    with pytest.raises(RuntimeError, match="retain_graph=True"):
        backward_steps(loss)


def test_tensor_replay_needs_a_scalar_output():
    from autograd_lite.tensor import Tensor

    w = Tensor(np.ones(3), requires_grad=True)
    with pytest.raises(ValueError, match="expected an output with one element"):
        backward_steps(w * 2.0)
