"""`bool(Value)` is the truth of its data; `<`, `<=`, `>`, `>=` compare data; `==` is identity."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from autograd_lite import Tensor, Value

finite = st.floats(allow_nan=False, allow_infinity=False, width=64)


@pytest.mark.parametrize(
    ("data", "truth"), [(0.0, False), (-0.0, False), (1e-300, True), (-2, True)]
)
def test_truth_is_the_truth_of_the_data(data, truth):
    assert bool(Value(data)) is truth
    assert bool(Value(3.0) - Value(3.0)) is False  # an op result too


@given(finite, finite)
def test_order_compares_data_with_values_and_numbers(a, b):
    va, vb = Value(a), Value(b)
    for got, expected in [
        (va < vb, a < b),
        (va <= vb, a <= b),
        (va > vb, a > b),
        (va >= vb, a >= b),
        (va < b, a < b),
        (a < vb, a < b),  # the number on the left: Python reflects to vb > a
        (a >= vb, a >= b),
    ]:
        assert type(got) is bool and got is expected


def test_equality_stays_identity_so_nodes_key_sets_and_dicts():
    a, b = Value(1.0), Value(1.0)
    assert a != b and a == a
    assert len({a, b}) == 2 and {a: 1}[a] == 1


def test_max_and_sorted_work_and_keep_the_nodes():
    values = [Value(3.0), Value(-1.0), Value(2.0)]
    assert max(values) is values[0]
    assert [v.data for v in sorted(values)] == [-1.0, 2.0, 3.0]


def test_comparisons_record_no_graph():
    a = Value(1.0)
    assert (a < 2.0) is True  # a plain bool: nothing to differentiate


@pytest.mark.parametrize("other", ["1", None, [1.0], True, np.array([1.0, 2.0]), Tensor([1.0])])
def test_comparing_with_a_non_number_is_a_clear_type_error(other):
    with pytest.raises(TypeError, match="expected a Value or a real number"):
        Value(1.0) < other  # noqa: B015
