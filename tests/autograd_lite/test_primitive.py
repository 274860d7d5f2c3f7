"""`primitive` / `defvjp`: users' ops in both engines, checked like the built-in ones."""

from __future__ import annotations

import gc
import weakref

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from autograd_lite import GradcheckError, Tensor, Value, gradcheck, primitive


@primitive
def softsign(x):
    """x / (1 + |x|);  d/dx = 1 / (1 + |x|)**2."""
    return x / (1 + abs(x))


@softsign.defvjp
def softsign_vjp(g, ans, x):
    return (g / (1 + abs(x)) ** 2,)


@primitive
def scaled_product(x, y, *, k=2.0):
    return k * x * y


@scaled_product.defvjp
def scaled_product_vjp(g, ans, x, y, *, k=2.0):
    return g * k * y, g * k * x


finite = st.floats(-50, 50, allow_nan=False)


def test_on_plain_numbers_and_arrays_it_is_the_plain_function():
    assert softsign(1.0) == 0.5
    out = softsign(np.array([1.0, -3.0]))
    assert type(out) is np.ndarray and out.tolist() == [0.5, -0.75]
    assert softsign.__name__ == "softsign" and "d/dx" in softsign.__doc__


@given(finite)
def test_on_a_value_it_records_one_node_named_after_the_function(x):
    v = Value(x)
    y = softsign(v)
    assert type(y) is Value and y.op == "softsign" and y.parents == (v,)
    y.backward()
    assert v.grad == pytest.approx(1 / (1 + abs(x)) ** 2)
    assert gradcheck(lambda a: softsign(a * 0.5).tanh(), Value(x))


def test_on_tensors_broadcasting_is_undone_by_the_engine():
    x = Tensor(np.linspace(-2, 2, 6).reshape(2, 3), requires_grad=True, dtype=np.float64)
    y = Tensor(np.array([0.5, -1.0, 2.0]), requires_grad=True)
    out = scaled_product(x, y, k=3.0)
    assert type(out) is Tensor and out.shape == (2, 3) and out.op == "scaled_product"
    out.sum().backward()
    assert y.grad.shape == (3,) and np.allclose(y.grad, 3.0 * x.data.sum(axis=0))
    assert gradcheck(lambda a, b: scaled_product(a, b, k=3.0).tanh().sum(), x, y)


def test_numbers_mix_with_nodes_and_stay_constants():
    v = Value(2.0)
    out = scaled_product(v, 4.0, k=0.5)
    out.backward()
    assert out.data == 4.0 and v.grad == 2.0
    t = Tensor(np.ones(2, dtype=np.float32), requires_grad=True)
    assert scaled_product(t, 0.1).dtype == np.float32  # numbers are weak, as in arithmetic


def test_a_wrong_vjp_is_named_by_gradcheck():
    @primitive
    def cube(x):
        return x**3

    @cube.defvjp
    def cube_vjp(g, ans, x):
        return (g * 2 * x**2,)  # wrong: 3 x**2

    with pytest.raises(GradcheckError, match=r"'cube'") as info:
        gradcheck(lambda a: cube(a * 1.5).tanh(), Value(0.4))
    assert "local derivative" in str(info.value)


def test_a_missing_vjp_is_a_clear_error_at_backward():
    @primitive
    def forward_only(x):
        return x + 1.0

    y = forward_only(Value(1.0))
    assert y.data == 2.0
    with pytest.raises(RuntimeError, match=r"forward_only has no VJP.*@forward_only\.defvjp"):
        y.backward()


def test_a_vjp_returning_the_wrong_number_of_gradients_is_named():
    @primitive
    def bad(x, y):
        return x * y

    @bad.defvjp
    def bad_vjp(g, ans, x, y):
        return g * y  # not a tuple

    with pytest.raises(TypeError, match=r"bad's VJP: expected a tuple of 2 gradient\(s\)"):
        bad(Value(1.0), Value(2.0)).backward()


def test_non_functions_and_non_real_results_are_clear_errors():
    with pytest.raises(TypeError, match="expected a function"):
        primitive(3)
    with pytest.raises(TypeError, match="expected one function or one per input, got str"):
        softsign.defvjp("nope")

    @primitive
    def to_text(x):
        return str(x)

    with pytest.raises(TypeError, match="to_text"):
        to_text(Value(1.0))
    with pytest.raises(TypeError, match=r"to_text \(its result\)"):
        to_text(Tensor([1.0]))


def test_a_node_made_by_a_primitive_is_freed_without_the_garbage_collector():
    gc.disable()
    try:
        x = Value(0.3)
        y = softsign(x * 2.0)
        ref = weakref.ref(y)
        del y
        assert ref() is None  # the VJP holds data, never its node: no reference cycle
    finally:
        gc.enable()


@primitive
def affine(x, w, b):
    return x * w + b


_calls: list[str] = []


def _affine_x(g, ans, x, w, b):
    _calls.append("x")
    return g * w


def _affine_w(g, ans, x, w, b):
    _calls.append("w")
    return g * x


def _affine_b(g, ans, x, w, b):
    _calls.append("b")
    return g


affine.defvjp(_affine_x, _affine_w, _affine_b)


def test_one_rule_per_input_runs_only_for_inputs_that_need_a_gradient():
    x = Tensor(np.ones((4, 3)))  # a data batch: no gradient wanted
    w = Tensor(np.full(3, 2.0), requires_grad=True)
    b = Tensor(np.zeros(3), requires_grad=True)
    _calls.clear()
    affine(x, w, b).sum().backward()
    assert sorted(_calls) == ["b", "w"] and w.grad.tolist() == [4.0] * 3
    assert gradcheck(lambda w, b: affine(x, w, b).tanh().sum(), w, b)


def test_constants_are_the_parameters_with_defaults():
    @primitive
    def scaled_tanh(x, scale=1.0):
        return np.tanh(scale * x)

    @scaled_tanh.defvjp
    def scaled_tanh_vjp(g, ans, x, scale=1.0):
        return (g * scale * (1 - ans**2),)

    assert scaled_tanh.n_inputs == 1
    v = Value(0.2)
    scaled_tanh(v, 3.0).backward()  # positional constant: no node, no gradient for it
    assert v.grad == pytest.approx(3.0 * (1 - np.tanh(0.6) ** 2))
    assert gradcheck(lambda a: scaled_tanh(a, scale=-2.0), Value(0.7))


def test_defvjp_with_the_wrong_number_of_rules_is_a_clear_error():
    with pytest.raises(TypeError, match=r"one per input \(3 for affine\), got 2"):
        affine.defvjp(_affine_x, _affine_w)
