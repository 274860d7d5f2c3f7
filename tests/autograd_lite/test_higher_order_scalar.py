"""Derivatives of derivatives in the scalar engine, driven by the op table: every op's
second derivative (``create_graph``) against finite differences of its first derivative,
its JVP (forward mode) against its VJP, and first order unchanged."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from autograd_lite import Value, engine, gradgradcheck, jvp, vjp
from autograd_lite.testing import floats_in
from tests.op_table import OPS


def _points(case, data):
    return [data.draw(floats_in(d), label=f"x{i}") for i, d in enumerate(case.domains)]


@pytest.mark.parametrize("case", OPS, ids=lambda c: c.id)
@given(data=st.data())
def test_second_derivatives_match_finite_differences(case, data):
    xs = _points(case, data)
    assert gradgradcheck(case.call, *[Value(x) for x in xs], seed=data.draw(st.integers(0, 99)))


@pytest.mark.parametrize("case", OPS, ids=lambda c: c.id)
@given(data=st.data())
def test_create_graph_gives_the_first_order_gradients(case, data):
    xs = _points(case, data)
    plain, recorded = [Value(x) for x in xs], [Value(x) for x in xs]
    case.call(*plain).backward()
    case.call(*recorded).backward(create_graph=True)
    for p, r in zip(plain, recorded):
        assert isinstance(p.grad, float)
        got = r.grad.data if isinstance(r.grad, Value) else r.grad
        assert got == pytest.approx(p.grad, rel=1e-12, abs=1e-300)


@pytest.mark.parametrize("case", OPS, ids=lambda c: c.id)
@given(data=st.data())
def test_forward_mode_is_the_transpose_of_reverse_mode(case, data):
    """<jvp(u), v> = <u, vjp(v)>: forward and reverse rules describe one derivative."""
    xs = _points(case, data)
    us = [data.draw(st.floats(-2, 2), label=f"u{i}") for i in range(len(xs))]
    v = data.draw(st.floats(-2, 2), label="v")
    out, tangent = jvp(case.call, xs, us)
    _, vjp_fn = vjp(case.call, *xs)
    cotangents = vjp_fn(v)
    assert out == pytest.approx(case.call(*[Value(x) for x in xs]).data, rel=1e-12)
    lhs, rhs = tangent * v, sum(u * c for u, c in zip(us, cotangents))
    assert math.isclose(lhs, rhs, rel_tol=1e-9, abs_tol=1e-9 * (1 + abs(lhs)))


# --------------------------------------------------------------- create_graph semantics


def test_a_gradient_is_a_value_that_can_be_differentiated_again():
    x = Value(0.5)
    (x**3).backward(create_graph=True)
    g = x.grad  # 3 x**2, with its graph
    assert isinstance(g, Value) and g.data == pytest.approx(0.75)
    x.zero_grad()
    g.backward()
    assert x.grad == pytest.approx(3.0)  # 6 x


def test_without_create_graph_backward_builds_no_node():
    x, y = Value(0.3), Value(-1.2)
    out = (x * y).tanh() + y.exp() + x**2
    made = []
    with engine.node_hook(made.append):
        out.backward()
    assert made == [] and isinstance(x.grad, float)


def test_create_graph_accumulates_into_leaves_and_keeps_intermediate_gradients():
    x = Value(2.0)
    h = x * x
    out = h * 3.0
    out.backward(create_graph=True)
    out.backward(create_graph=True)
    assert isinstance(x.grad, Value) and x.grad.data == pytest.approx(24.0)  # 2 * 6x
    assert h.grad.data == pytest.approx(3.0)  # recomputed, not accumulated


def test_a_value_seed_is_part_of_the_graph():
    x, s = Value(1.5), Value(2.0)
    (x * x).backward(grad=s, create_graph=True)
    assert x.grad.data == pytest.approx(6.0)  # s * 2x
    x.grad.backward()
    assert s.grad == pytest.approx(3.0)  # d(2 s x)/ds


def test_pictures_and_paths_work_on_a_gradient():
    from autograd_lite import chain_rule_paths, draw_graph, explain_gradient

    x = Value(0.7, label="x")
    x.tanh().backward(create_graph=True)
    dx = x.grad  # 1 - tanh(x)**2, as a graph
    assert "tanh" in draw_graph(dx).source
    x.zero_grad()
    dx.backward()
    paths = chain_rule_paths(x, dx)
    assert paths and sum(p.product for p in paths) == pytest.approx(x.grad)
    assert explain_gradient(x, dx).total == pytest.approx(x.grad)


def test_a_custom_primitive_written_with_ops_is_twice_differentiable():
    from autograd_lite import primitive

    @primitive
    def softsign(a):
        return a / (1 + abs(a))

    @softsign.defvjp
    def softsign_vjp(g, ans, a):
        return (g / (1 + abs(a)) ** 2,)

    assert gradgradcheck(lambda a: softsign(a), Value(0.4))
    assert gradgradcheck(lambda a: softsign(a), Value(-1.3))


def test_a_node_made_without_its_primitive_names_the_op():
    def opaque(a):
        return Value._result(a.data * 2, (a,), lambda g: (2 * g,), "opaque")

    x = Value(1.0)
    with pytest.raises(RuntimeError, match=r"'opaque'.*cannot be differentiated"):
        opaque(x).backward(create_graph=True)
