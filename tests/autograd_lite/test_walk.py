"""The public node protocol (`parents`, `op`, `is_leaf`, `vjp`) and `engine.walk`, reverse
mode as an iterator computed on the side."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from autograd_lite import Tensor, Value, engine

finite = st.floats(-3, 3, allow_nan=False)


def test_the_protocol_is_public_and_read_only():
    a = Value(2.0, label="a")
    y = a * a
    assert y.parents == (a, a) and y.op == "*" and not y.is_leaf
    assert a.parents == () and a.op == "" and a.is_leaf
    assert y.vjp(1.0) == (2.0, 2.0)  # the local derivatives, one per edge
    with pytest.raises(AttributeError):
        y.parents = ()
    with pytest.raises(AttributeError):
        y.op = "+"
    with pytest.raises(RuntimeError, match="is a leaf"):
        a.vjp(1.0)


@given(finite, finite)
def test_walk_equals_backward_and_writes_no_grad(x, w):
    a, b = Value(x, label="a"), Value(w, label="b")
    out = ((a * b).tanh() + a * a) * b
    steps = list(engine.walk(out))
    assert a.grad == 0.0 and b.grad == 0.0  # computed on the side
    seen = {step.node: step.grad for step in steps}
    out.backward()
    assert seen[a] == pytest.approx(a.grad) and seen[b] == pytest.approx(b.grad)
    assert steps[0].node is out and steps[0].grad == 1.0


def test_each_node_comes_after_every_node_that_sends_to_it():
    a = Value(1.5)
    h = a.tanh()
    out = h * a + h
    order = [step.node for step in engine.walk(out)]
    for k, node in enumerate(order):
        for parent in node.parents:
            assert order.index(parent) > k
    step = next(s for s in engine.walk(out) if s.node is h)
    assert len(step.sent) == len(h.parents) == 1


def test_tensor_steps_fit_what_they_send_to_each_parent():
    x = Tensor(np.ones((4, 3)))  # data: needs no gradient, gets none
    w = Tensor(np.arange(3.0), requires_grad=True)
    loss = (x * w).sum()
    steps = {id(s.node): s for s in engine.walk(loss)}
    product = loss.parents[0]
    sent = steps[id(product)].sent
    assert sent[0] is None and sent[1].shape == (3,) and sent[1].tolist() == [4.0, 4.0, 4.0]
    assert id(x) not in steps and steps[id(w)].grad.tolist() == [4.0, 4.0, 4.0]
    assert w.grad is None  # nothing written
    loss.backward()
    assert np.array_equal(w.grad, steps[id(w)].grad)
