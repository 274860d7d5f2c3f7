"""The public hypothesis strategies produce what they promise."""

from __future__ import annotations

from hypothesis import given

from autograd_lite import Value
from autograd_lite.testing import DOMAINS, Domain, expressions, floats_in, values


@given(floats_in("positive"))
def test_positive_floats_are_in_the_log_domain(x):
    assert 1e-2 <= x <= 10.0


@given(floats_in("kink_at_zero"))
def test_kink_domains_keep_away_from_the_kink(x):
    assert abs(x) >= DOMAINS["kink_at_zero"].gap


@given(floats_in(Domain(2.0, 3.0, kinks=(2.5,), gap=0.1)))
def test_custom_domains(x):
    assert 2.0 <= x <= 3.0 and abs(x - 2.5) >= 0.1


@given(values("nonzero", label="d"))
def test_values_are_labelled_leaves(v):
    assert isinstance(v, Value) and v.label == "d" and v.is_leaf and v.data != 0.0


@given(expressions(max_inputs=2))
def test_expressions_build_graphs_over_their_inputs(expression):
    inputs = [Value(0.3 * (i + 1)) for i in range(expression.n_inputs)]
    out = expression(*inputs)
    assert isinstance(out, Value)
    assert repr(expression).startswith("Expression(")
