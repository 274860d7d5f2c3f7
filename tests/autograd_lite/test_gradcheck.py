"""`gradcheck`: it passes correct gradients, names the input of a wrong one, and leaves the
caller's nodes alone."""

from __future__ import annotations

import pytest

from autograd_lite import GradcheckError, Value, gradcheck
from autograd_lite.scalar import as_value


def wrong_square(a: Value) -> Value:
    """A planted bug: the VJP of a * a forgets the factor 2."""
    a = as_value(a, "wrong_square")
    x = a.data

    def vjp(g: float) -> tuple[float]:
        return (g * x,)

    return Value._result(x * x, (a,), vjp, "wrong_square")


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
