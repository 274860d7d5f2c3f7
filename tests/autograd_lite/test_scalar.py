"""`Value` as a user meets it: construction, repr, operators and methods."""

from __future__ import annotations

import numpy as np
import pytest

from autograd_lite import Value


def test_readme_example():
    a, b = Value(2.0, label="a"), Value(-3.0, label="b")
    c = a * b + a
    c.backward()
    assert (c.data, a.grad, b.grad) == (-4.0, -2.0, 2.0)


def test_numbers_become_floats():
    assert Value(3).data == 3.0 and isinstance(Value(3).data, float)
    assert isinstance(Value(np.float32(1.5)).data, float)
    assert Value(np.int64(2)).data == 2.0


def test_repr_shows_label_data_grad_and_op():
    a = Value(2.0, label="a")
    assert repr(a) == "Value(label='a', data=2, grad=0)"
    b = a * 3.0
    b.backward()
    assert repr(b) == "Value(data=6, grad=1, op='*')"


def test_reflected_operators_put_the_number_first():
    x = Value(4.0)
    assert (10 - x).data == 6.0
    assert (8 / x).data == 2.0
    assert (2**x).data == 16.0
    y = 10 - x
    assert y._parents[1] is x and y._parents[0].data == 10.0


def test_methods_and_float_conversion():
    x = Value(0.0)
    assert x.exp().data == 1.0
    assert x.sigmoid().data == 0.5
    assert x.tanh().data == 0.0
    assert float(Value(1.25)) == 1.25
    assert Value(1.25).item() == 1.25


def test_value_exponent_derivatives():
    a, b = Value(2.0), Value(3.0)
    out = a**b
    out.backward()
    assert a.grad == pytest.approx(3.0 * 4.0)
    assert b.grad == pytest.approx(8.0 * np.log(2.0))


def test_nodes_compare_by_identity():
    a, b = Value(1.0), Value(1.0)
    assert a != b
    assert len({a, b}) == 2
