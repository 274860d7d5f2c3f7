"""Every scalar op, driven by the op table: forward against NumPy, gradient against finite
differences (under hypothesis, on each op's domain), plus edge values and domain errors."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from autograd_lite import Value, gradcheck, scalar_ops
from autograd_lite.testing import floats_in
from tests.op_table import OPS, registered_without_a_row


def test_every_registered_op_has_a_row():
    assert registered_without_a_row(scalar_ops.OPS, OPS) == (set(), set())
    assert scalar_ops.__all__ == scalar_ops.OPS.names()


@pytest.mark.parametrize("case", OPS, ids=lambda c: c.id)
@given(data=st.data())
def test_forward_matches_numpy(case, data):
    xs = [data.draw(floats_in(d), label=f"x{i}") for i, d in enumerate(case.domains)]
    out = case.call(*[Value(x) for x in xs])
    assert isinstance(out, Value)
    assert out.data == pytest.approx(float(case.reference(*xs)), rel=1e-12, abs=1e-12)


@pytest.mark.parametrize("case", OPS, ids=lambda c: c.id)
@given(data=st.data())
def test_gradient_matches_finite_differences(case, data):
    xs = [data.draw(floats_in(d), label=f"x{i}") for i, d in enumerate(case.domains)]
    assert gradcheck(case.call, *[Value(x) for x in xs])


# The conventions users rely on, at the points finite differences cannot settle
# (kinks, saturation, overflow): (op, input, expected value, expected derivative).
EDGES = [
    ("relu at 0", lambda a: a.relu(), 0.0, 0.0, 0.0),
    ("relu negative", lambda a: a.relu(), -2.0, 0.0, 0.0),
    ("abs at 0", lambda a: abs(a), 0.0, 0.0, 0.0),
    ("abs negative", lambda a: abs(a), -1e300, 1e300, -1.0),
    ("leaky_relu at 0", lambda a: a.leaky_relu(), 0.0, 0.0, 0.01),
    ("step at 0", lambda a: a.step(), 0.0, 1.0, 0.0),
    ("step just below 0", lambda a: a.step(), -1e-12, 0.0, 0.0),
    ("hard_sigmoid at lower corner", lambda a: a.hard_sigmoid(), -3.0, 0.0, 0.0),
    ("hard_sigmoid at upper corner", lambda a: a.hard_sigmoid(), 3.0, 1.0, 0.0),
    ("hard_sigmoid at 0", lambda a: a.hard_sigmoid(), 0.0, 0.5, 1.0 / 6.0),
    ("sigmoid at +1e4", lambda a: a.sigmoid(), 1e4, 1.0, 0.0),
    ("sigmoid at -1e4", lambda a: a.sigmoid(), -1e4, 0.0, 0.0),
    ("sigmoid beta at -800", lambda a: a.sigmoid(beta=2.0), -800.0, 0.0, 0.0),
    ("tanh at +1e4", lambda a: a.tanh(), 1e4, 1.0, 0.0),
    ("tanh at -1e4", lambda a: a.tanh(), -1e4, -1.0, 0.0),
    ("exp overflows to inf", lambda a: a.exp(), 1000.0, math.inf, math.inf),
    ("exp underflows to 0", lambda a: a.exp(), -1000.0, 0.0, 0.0),
    ("log of a tiny number", lambda a: a.log(), 1e-300, math.log(1e-300), 1e300),
    ("sqrt at 0", lambda a: a.sqrt(), 0.0, 0.0, math.inf),
    ("square at 0", lambda a: a**2, 0.0, 0.0, 0.0),
    ("power 0 at 0", lambda a: a**0, 0.0, 1.0, 0.0),
    ("power 1/2 at 0", lambda a: a**0.5, 0.0, 0.0, math.inf),
    ("negative base, integer power", lambda a: a**3, -2.0, -8.0, 12.0),
    ("power overflows to inf", lambda a: a**2, 1e200, math.inf, 2e200),
    ("odd power overflows to -inf", lambda a: a**3, -1e200, -math.inf, math.inf),
    ("mul overflows to inf", lambda a: a * 1e300, 1e300, math.inf, 1e300),
    ("gaussian at its mean", lambda a: a.gaussian(), 0.0, 1.0 / math.sqrt(2 * math.pi), 0.0),
    ("value exponent at base 0", lambda a: Value(0.0) ** a, 2.0, 0.0, 0.0),
    ("x - x", lambda a: a - a, 5.0, 0.0, 0.0),
    ("x / x", lambda a: a / a, -3.0, 1.0, 0.0),
]


@pytest.mark.parametrize(
    ("name", "f", "x", "value", "derivative"), EDGES, ids=[e[0] for e in EDGES]
)
def test_edge_values(name, f, x, value, derivative):
    a = Value(x)
    out = f(a)
    out.backward()
    assert out.data == value
    assert a.grad == pytest.approx(derivative, rel=1e-12)


# Bad input: the error type and the words that must appear in its message.
ERRORS = [
    ("log of 0", lambda: Value(0.0).log(), ValueError, "log: expected a positive input, got 0.0"),
    ("log of a negative", lambda: Value(-2.0).log(), ValueError, "got -2.0"),
    ("sqrt of a negative", lambda: Value(-1.0).sqrt(), ValueError, "sqrt"),
    ("0 ** -1", lambda: Value(0.0) ** -1, ValueError, "0.0 raised to a negative power"),
    ("negative base, fractional power", lambda: Value(-8.0) ** (1 / 3), ValueError, "non-integer"),
    (
        "negative base, Value exponent",
        lambda: Value(-2.0) ** Value(2.0),
        ValueError,
        "negative base",
    ),
    ("negative number ** Value", lambda: (-2.0) ** Value(0.5), ValueError, "negative base"),
    ("division by zero", lambda: Value(1.0) / 0, ValueError, "division by zero"),
    ("division by a zero Value", lambda: 3.0 / Value(0.0), ValueError, "division by zero"),
    ("string operand", lambda: Value(1.0) + "2", TypeError, "got str"),
    ("reflected string operand", lambda: "2" * Value(1.0), TypeError, "got str"),
    ("None operand", lambda: Value(1.0) * None, TypeError, "got NoneType"),
    ("list operand", lambda: Value(1.0) - [1.0], TypeError, "got list"),
    ("complex operand", lambda: Value(1.0) + 1j, TypeError, "got complex"),
    ("string data", lambda: Value("1.0"), TypeError, "expected a real number, got str"),
    ("NaN data", lambda: Value(float("nan")), ValueError, "NaN"),
    ("bool data", lambda: Value(True), TypeError, "got bool"),
    ("string exponent", lambda: Value(2.0) ** "2", TypeError, "exponent"),
    ("infinite exponent", lambda: Value(2.0) ** math.inf, ValueError, "finite exponent"),
    ("sigmoid beta not a number", lambda: Value(1.0).sigmoid(beta="2"), TypeError, "beta"),
    ("gaussian sigma 0", lambda: Value(1.0).gaussian(sigma=0.0), ValueError, "sigma > 0"),
    (
        "hard_sigmoid corners",
        lambda: Value(1.0).hard_sigmoid(2.0, 1.0),
        ValueError,
        "x_min < x_max",
    ),
    # On plain numbers an op is the plain function: its own error names the problem.
    ("exp of a string", lambda: scalar_ops.exp("x"), TypeError, "real number"),
    (
        "linear lengths",
        lambda: scalar_ops.linear([Value(1.0)], [1.0, 2.0], None),
        ValueError,
        "1 weights and 2 inputs",
    ),
]


@pytest.mark.parametrize(("name", "f", "error", "words"), ERRORS, ids=[e[0] for e in ERRORS])
def test_bad_input_is_a_clear_error(name, f, error, words):
    with pytest.raises(error) as info:
        f()
    assert words in str(info.value)


def test_linear_without_bias_matches_the_sum_of_products():
    w = [Value(0.5), Value(-2.0)]
    x = [Value(3.0), 4.0]
    out = scalar_ops.linear(w, x, None)
    out.backward()
    assert out.data == 0.5 * 3.0 - 2.0 * 4.0
    assert [p.grad for p in w] == [3.0, 4.0]
    assert x[0].grad == 0.5


def test_every_derivative_docstring_is_there():
    for name in scalar_ops.OPS.names():
        doc = scalar_ops.OPS[name].__doc__
        assert doc and "d/d" in doc, f"{name} needs a docstring with its derivative"
