"""`gradcheck`: it passes correct gradients, names the input of a wrong one, and leaves the
caller's nodes alone."""

from __future__ import annotations

import numpy as np
import pytest

from autograd_lite import GradcheckError, Tensor, Value, gradcheck, primitive
from autograd_lite.check import NonDifferentiableWarning, gradcheck_report
from autograd_lite.check.numeric import DEFAULT_EPS


@primitive
def wrong_square(x):
    """A planted bug (in both engines): the VJP of x * x forgets the factor 2."""
    return x * x


@wrong_square.defvjp
def wrong_square_vjp(g, ans, x):
    return (g * x,)


def test_passes_on_correct_gradients():
    assert gradcheck(lambda x, y: (x * y).tanh() + y.exp() / x, Value(0.7), Value(-1.2))


def test_names_the_input_and_shows_analytic_and_numeric_values():
    with pytest.raises(GradcheckError) as info:
        gradcheck(lambda x, y: wrong_square(x) + y, Value(3.0, label="x"), Value(1.0))
    message = str(info.value)
    assert "1 gradient element(s) differ" in message
    assert "x: analytic 3 vs numeric 6" in message


def test_unlabelled_inputs_are_named_by_position():
    with pytest.raises(GradcheckError, match="input 1: analytic"):
        gradcheck(lambda x, y: x + wrong_square(y), Value(1.0), Value(2.0))


def test_can_return_false_instead_of_raising():
    assert gradcheck(wrong_square, Value(2.0), raise_exception=False) is False


def test_leaves_the_callers_nodes_untouched():
    x = Value(2.0)
    x.grad = 5.0
    gradcheck(lambda v: v * v, x)
    assert (x.data, x.grad) == (2.0, 5.0)


def test_passes_non_node_arguments_through():
    assert gradcheck(lambda x, k: x * k, Value(2.0), 3.0)


def test_steps_scale_with_the_input_so_large_inputs_are_checked_too():
    assert gradcheck(lambda x: x * x, Value(1e8))


def test_rejects_functions_that_do_not_return_a_scalar_node():
    with pytest.raises(TypeError, match="expected f to return a scalar"):
        gradcheck(lambda x: [x, x], Value(1.0))


def test_rejects_calls_without_a_node_input():
    with pytest.raises(TypeError, match="at least one Value or Tensor input"):
        gradcheck(lambda x: x, 1.0)


# ------------------------------------------------------------- step sizes and kinks


def test_the_default_step_is_the_cube_root_of_the_machine_epsilon():
    assert pytest.approx(np.finfo(np.float64).eps ** (1 / 3)) == DEFAULT_EPS
    with pytest.raises(ValueError, match=r"expected a positive eps, got 0\.0"):
        gradcheck(lambda x: x, Value(1.0), eps=0.0)


def test_a_step_too_large_for_the_curvature_is_refined_before_failing():
    # With h = 1e-3 the central difference of tanh(50 x) is off by ~3e-3 relative; h / 4 is
    # accurate enough, so the check passes without loosening any tolerance.
    f = lambda x: (x * 50.0).tanh()  # noqa: E731
    assert gradcheck(f, Value(0.02), eps=1e-3)


def test_a_kink_is_a_non_differentiable_point_not_a_failure():
    sides = r"one-sided derivatives 0 \(left\) and 3 \(right\)"
    with pytest.warns(NonDifferentiableWarning, match=sides):
        assert gradcheck(lambda x: x.relu() * 3.0, Value(0.0))
    result = gradcheck_report(lambda x: x.relu(), Value(0.0, label="x"))
    assert result.ok and [m.where for m in result.nondifferentiable] == ["x"]
    assert "0 of 1 gradient element(s) match finite differences; 1 at a kink" in str(result)


def test_kinks_of_tensors_are_reported_per_element():
    x = Tensor(np.array([-1.0, 0.0, 2.0, 0.0]), requires_grad=True, label="x")
    result = gradcheck_report(lambda t: (t.relu() * t.exp()).sum(), x)
    assert result.ok and [m.element for m in result.nondifferentiable] == [(1,), (3,)]
    with pytest.warns(NonDifferentiableWarning, match=r"x\[1\]: non-differentiable point"):
        assert gradcheck(lambda t: t.relu().sum(), x)


def test_a_kink_within_the_step_but_not_at_the_point_passes_after_refinement():
    assert gradcheck(lambda x: x.relu(), Value(2.0 * DEFAULT_EPS / 3))  # no warning


def test_a_wrong_derivative_at_a_kink_is_still_a_failure():
    @primitive
    def relu_with_slope_5_at_0(x):
        return max(x, 0.0)

    @relu_with_slope_5_at_0.defvjp
    def relu_vjp(g, ans, x):
        return (g * (5.0 if x == 0 else 1.0),)

    with pytest.raises(GradcheckError, match=r"input 0: analytic 5 vs numeric 0\.5"):
        gradcheck(relu_with_slope_5_at_0, Value(0.0))


def test_return_false_still_warns_about_kinks():
    with pytest.warns(NonDifferentiableWarning):
        assert not gradcheck(
            lambda x, y: x.relu() + wrong_square(y), Value(0.0), Value(2.0), raise_exception=False
        )


def test_large_inputs_use_random_directions_with_the_callers_tolerances():
    x = Tensor(np.linspace(-2.0, 2.0, 400), requires_grad=True)
    assert gradcheck(lambda t: (t * t).tanh().sum(), x, max_elements=100)
    result = gradcheck_report(lambda t: wrong_square(t).sum(), x, max_elements=100, localize=False)
    assert result.checked == 3 and len(result.mismatches) == 3
    assert all("(random direction" in m.where for m in result.mismatches)
