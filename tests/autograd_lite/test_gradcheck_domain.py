"""`gradcheck` near the edge of a function's domain: the finite differences stay inside it,
keep their accuracy, and a point no step can reach is named as the user passed it."""

from __future__ import annotations

import math

import numpy as np
import pytest

from autograd_lite import GradcheckError, Tensor, Value, gradcheck, primitive
from autograd_lite.check import gradcheck_report, locate_wrong_vjp
from autograd_lite.check.domain import Scheme, find_scheme, run_scheme
from autograd_lite.check.numeric import DEFAULT_EPS, OneSided


def tensor(*values: float, label: str = "x") -> Tensor:
    return Tensor(np.array(values, dtype=np.float64), requires_grad=True, label=label)


# ------------------------------------------------------- points next to the domain's edge


@pytest.mark.parametrize(
    ("op", "x"), [("log", 1e-9), ("sqrt", 1e-10), ("log", 1e-300), ("sqrt", 5e-6)]
)
def test_log_and_sqrt_next_to_zero_pass_for_values(op, x):
    # The plain step (6e-6) crosses 0; before the fix the op's domain error escaped.
    assert gradcheck(lambda v: getattr(v, op)(), Value(x))


@pytest.mark.parametrize(("op", "x"), [("log", 1e-9), ("sqrt", 1e-10)])
def test_log_and_sqrt_next_to_zero_pass_for_tensors(op, x):
    t = tensor(x, 0.5, 2.0 * x)
    assert gradcheck(lambda v: getattr(v, op)().sum(), t)
    assert gradcheck(lambda v: (getattr(v, op)() * v.exp()).sum(), t)  # a product rule too


def test_an_entropy_term_next_to_zero_is_accurate_beside_large_terms():
    # sum(x log x): at 1e-9 the slope is -19.7 while the sum is about -0.35. A step of
    # eps * 1e-9 would leave the difference to rounding (off by ~1e-2); the step balanced
    # against the size of the sum keeps it to about 1e-7.
    t = tensor(1e-9, 0.5, 2e-9)
    result = gradcheck_report(lambda v: (v * v.log()).sum(), t, rtol=1e-6, atol=0.0)
    assert result.ok, str(result)


def test_the_numeric_derivative_next_to_the_edge_is_accurate():
    # The step is scaled to the distance to the edge, so the estimate keeps about 10
    # significant digits: the tolerances are not what lets it pass.
    result = gradcheck_report(lambda v: v.log(), Value(1e-9), rtol=1e-9, atol=0.0)
    assert result.ok, str(result)
    result = gradcheck_report(lambda v: v.sqrt(), Value(1e-10), rtol=1e-9, atol=0.0)
    assert result.ok, str(result)


@primitive
def wrong_log(x):
    """A planted bug next to the edge: the VJP of log forgets nothing but has a factor 2."""
    return math.log(x)


wrong_log.defvjp(lambda g, ans, x: (2.0 * g / x,))


def test_a_wrong_derivative_next_to_the_edge_is_still_caught_and_located():
    with pytest.raises(GradcheckError) as info:
        gradcheck(lambda v: wrong_log(v) + v.log(), Value(1e-9, label="x"))
    result = info.value.result
    [m] = result.mismatches
    assert m.numeric == pytest.approx(2e9, rel=1e-6) and m.analytic == pytest.approx(3e9)
    assert result.localisation.first.op == "wrong_log"
    assert not result.localisation.notes  # log was checked too, not skipped


def test_a_point_near_zero_evaluates_outside_the_domain_once_only():
    seen = []

    def spy(a: Value) -> Value:
        seen.append(a.data)
        return a.log()

    assert gradcheck(spy, Value(1e-9))
    below, above = 1e-9 - DEFAULT_EPS, 1e-9 + DEFAULT_EPS  # the plain central step
    assert [x for x in seen if x <= 0.0] == [below]  # it tells where the domain ends
    # Every other point is inside, closer to 1e-9 than the edge is.
    assert all(0.0 < x < 2e-9 for x in seen if x not in (below, above))


def test_an_edge_away_from_zero_is_found_by_bisection():
    # log(x - 1) at 1 + 1e-9: the edge is at 1, not 0; the step must still shrink to it.
    assert gradcheck(lambda v: (v - 1.0).log(), Value(1.0 + 1e-9))


def test_the_search_is_driven_one_step_at_a_time():
    scheme, _ = run_scheme(find_scheme(1e-3, 1e-3, 2e-6, 2e-6), lambda t: math.log(2e-6 + t))
    assert scheme.side == 0 and 1e-9 < scheme.h < 2e-9  # eps times the in-domain extent


# -------------------------------------------------------------------- on the edge itself


def test_a_point_on_the_edge_is_checked_one_sided():
    # a ** b at a = 0 is not defined for a < 0 with a Value exponent; d/da = b a**(b-1) = 0.
    result = gradcheck_report(lambda a, b: a**b, Value(0.0, label="a"), Value(2.0))
    assert result.ok, str(result)
    assert any("a: f is not defined on both sides" in note for note in result.notes)


def test_a_wrong_derivative_on_the_edge_is_still_caught():
    @primitive
    def wrong_square(x):
        if x < 0.0:
            raise ValueError(f"wrong_square: expected a non-negative input, got {x!r}")
        return x * x

    wrong_square.defvjp(lambda g, ans, x: (g * (2.0 * x + 1.0),))

    with pytest.raises(GradcheckError, match=r"analytic 1 vs numeric"):
        gradcheck(wrong_square, Value(0.0))


def test_the_one_sided_difference_is_second_order():
    # exp at 0 from above with h = 1e-3: the plain difference is off by h/2 = 5e-4, the
    # second-order formula by h**2/3 = 3.3e-7.
    h = 1e-3
    d = Scheme(h, 1).difference((math.exp(h), math.exp(2 * h)), (h, 2 * h), 1.0)
    assert isinstance(d, OneSided) and abs(d.estimate - 1.0) < 4e-7


@pytest.mark.parametrize("make", [Value, lambda x: tensor(x)])
def test_sqrt_and_a_fractional_power_at_zero_are_checked_from_above(make):
    # Not smooth at the edge (an infinite derivative, an infinite curvature): the one-sided
    # estimates converge slowly, towards inf and 0, and are accepted as they do.
    assert gradcheck(lambda v: v.sqrt().sum() if isinstance(v, Tensor) else v.sqrt(), make(0.0))
    assert gradcheck(lambda v: (v**1.5).sum() if isinstance(v, Tensor) else v**1.5, make(0.0))


# ------------------------------------------------------------ a point no step can reach


@primitive
def only_at_half(x):
    """Defined at 0.5 only: no finite difference can check it."""
    if x != 0.5:
        raise ValueError(f"only_at_half: expected 0.5, got {x!r}")
    return x


only_at_half.defvjp(lambda g, ans, x: (g,))


def test_a_point_no_step_can_reach_is_named_as_the_user_passed_it():
    with pytest.raises(ValueError) as info:
        gradcheck(lambda v: only_at_half(v) * 2.0, Value(0.5, label="x"))
    message = str(info.value)
    assert message.startswith("gradcheck: expected f to be defined next to x = 0.5")
    assert "moved it by -6.06e-06" in message
    assert "left the function's domain at the perturbed point" in message
    assert isinstance(info.value.__cause__, ValueError)  # what f raised, chained


def test_the_error_names_the_tensor_element():
    t = tensor(1.0, 0.5)

    def f(v: Tensor) -> Tensor:
        if v.data[1] != 0.5:
            raise ValueError(f"f: expected 0.5, got {v.data[1]!r}")
        return v.sum()

    with pytest.raises(ValueError, match=r"defined next to x\[1\] = 0\.5 on at least one side"):
        gradcheck(f, t)


def test_errors_that_are_not_about_the_domain_propagate_unchanged():
    def f(a: Value) -> Value:
        if a.data != 1.0:
            raise RuntimeError("a bug in f")
        return a * 2.0

    with pytest.raises(RuntimeError, match="a bug in f"):
        gradcheck(f, Value(1.0))


# ------------------------------------------------------------------ the op-by-op check


@primitive
def half_square(x):
    """A planted bug: the VJP of x * x forgets the factor 2."""
    return x * x


half_square.defvjp(lambda g, ans, x: (g * x,))


def test_the_op_by_op_check_stays_inside_the_domain_too():
    # log at 1e-7 used to be skipped with a note (its input moved below 0); now it is
    # checked and found right, and the planted op is still the one named.
    report = locate_wrong_vjp(lambda x: half_square(x.log() + x), Value(1e-7))
    assert report.first.op == "half_square" and len(report.failures) == 1
    assert not report.notes


def test_the_op_by_op_check_notes_an_op_no_step_can_reach():
    report = locate_wrong_vjp(lambda x: half_square(only_at_half(x) + x), Value(0.5))
    assert report.first.op == "half_square"
    [note] = report.notes
    assert "op #1 ('only_at_half') was not checked at input 0" in note
    assert "left its domain" in note and "at a step of -6.06e-06" in note
