"""The shared graph machinery, through the scalar engine: the sort, the walk, the modes, and
a regression test for each classic bug of this family of engines."""

from __future__ import annotations

import gc
import math
import weakref

import pytest
from hypothesis import given

from autograd_lite import Value, detect_anomaly, enable_grad, engine, no_grad
from autograd_lite.testing import expressions, floats_in


def test_topological_order_puts_parents_first_and_root_last():
    a, b = Value(1.0), Value(2.0)
    c = a * b
    d = c + a
    order = engine.topological_order(d)
    assert order[-1] is d
    position = {id(n): i for i, n in enumerate(order)}
    for node in order:
        for parent in node._parents:
            assert position[id(parent)] < position[id(node)]
    assert len(order) == 4  # each node once, though `a` is reached twice


def test_a_chain_of_a_million_ops_backpropagates_without_recursion():
    x = Value(0.5)
    y = x
    for _ in range(1_000_000):
        y = y + 1e-6
    y.backward()
    assert x.grad == 1.0
    assert y.data == pytest.approx(1.5)


def test_a_deep_chain_of_multiplications_gives_the_product_rule():
    x = Value(1.0)
    y = x
    for _ in range(10_000):
        y = y * 1.0001
    y.backward()
    assert x.grad == pytest.approx(1.0001**10_000, rel=1e-9)


def test_a_node_used_twice_gets_both_contributions():
    a = Value(3.0)
    assert_grad(lambda: a * a, a, 6.0)
    assert_grad(lambda: a + a, a, 2.0)
    assert_grad(lambda: a - a, a, 0.0)
    assert_grad(lambda: a * a * a, a, 27.0)


def test_a_reused_intermediate_node():
    a = Value(2.0)
    b = a * 3.0  # used by two later ops
    c = b * b + b
    c.backward()
    # dc/da = (2b + 1) * 3 = (12 + 1) * 3
    assert a.grad == 39.0
    assert b.grad == 13.0


def assert_grad(build, leaf, expected):
    leaf.zero_grad()
    build().backward()
    assert leaf.grad == expected


def test_backward_twice_gives_the_same_intermediate_grads_and_accumulates_leaves():
    x, w = Value(2.0), Value(-1.5)
    h = (x * w).tanh()
    loss = h * h
    loss.backward()
    first = (h.grad, loss.grad, x.grad, w.grad)
    loss.backward()
    assert (h.grad, loss.grad) == first[:2]
    assert (x.grad, w.grad) == (2 * first[2], 2 * first[3])
    x.zero_grad()
    w.zero_grad()
    loss.backward()
    assert (x.grad, w.grad) == first[2:]


def test_grad_starts_at_zero_and_backward_of_a_leaf_seeds_it():
    x = Value(4.0)
    assert x.grad == 0.0
    x.backward()
    assert x.grad == 1.0


def test_backward_with_a_seed_scales_every_gradient():
    x = Value(3.0)
    y = x * x
    y.backward(grad=0.5)
    assert x.grad == 3.0


def test_no_grad_records_no_graph_and_enable_grad_turns_it_back_on():
    x = Value(2.0)
    with no_grad():
        y = x * 3.0
        with enable_grad():
            z = x * 3.0
    assert y.is_leaf and y._parents == ()
    assert not z.is_leaf and z._parents[0] is x
    assert engine.is_grad_enabled()


def test_no_grad_restores_the_mode_after_an_exception():
    with pytest.raises(ZeroDivisionError), no_grad():
        raise ZeroDivisionError
    assert engine.is_grad_enabled()


def test_graphs_have_no_reference_cycles():
    """A VJP captures values, never its own node: dropping the output frees the graph at
    once, without the cyclic garbage collector."""
    gc.disable()
    try:
        x = Value(1.5)
        out = ((x * x).tanh().exp() / 3.0 + x.sigmoid()) ** 2
        out.backward()
        probes = [weakref.ref(n) for n in engine.topological_order(out) if n is not x]
        del out
        assert all(p() is None for p in probes)
    finally:
        gc.enable()


def test_detect_anomaly_names_the_op_that_produced_inf():
    x = Value(800.0)
    with detect_anomaly(), pytest.raises(FloatingPointError) as info:
        (x * 2.0).exp()
    message = str(info.value)
    assert "op 'exp'" in message
    assert "test_engine.py" in message  # the creation site is user code


def test_detect_anomaly_names_the_op_whose_backward_is_not_finite():
    x = Value(0.0)
    with detect_anomaly():
        y = x.sqrt() * 2.0  # finite forward, infinite derivative at 0
        with pytest.raises(FloatingPointError) as info:
            y.backward()
    assert "backward of op 'sqrt'" in str(info.value)


def test_without_detect_anomaly_overflow_follows_ieee():
    assert math.isinf((Value(800.0) * 2.0).exp().data)


@given(expression=expressions(), data=floats_in("real").flatmap(lambda _: floats_in("real")))
def test_random_expression_graphs_have_correct_gradients(expression, data):
    from autograd_lite import gradcheck

    inputs = [Value(data * (i + 1) / 3.0) for i in range(expression.n_inputs)]
    assert gradcheck(expression, *inputs)
