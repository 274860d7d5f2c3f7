"""The ready-made properties of `autograd_lite.testing`: each passes on correct code and fails
with a readable message on the bug it is meant to catch."""

from __future__ import annotations

import numpy as np
import pytest

from autograd_lite import GradcheckError, Tensor, Value, primitive
from autograd_lite.check import NonDifferentiableWarning
from autograd_lite.testing import (
    assert_grads_close,
    check_backward_idempotent,
    check_broadcast_grads,
    check_scalar_tensor_parity,
    expressions,
    gradient_property,
    tensors,
    values,
)
from nn import MLP


@primitive
def half_scaled_mul(a, b):
    """A planted bug: a * b whose gradient for b is halved."""
    return a * b


half_scaled_mul.defvjp(lambda g, ans, a, b: (g * b, 0.5 * g * a))


def counting_identity(a: Value) -> Value:
    """A planted bug: a VJP with state, so a second backward differs from the first."""
    calls = []

    @primitive
    def counting_identity(x):
        return x

    @counting_identity.defvjp
    def counting_vjp(g, ans, x):
        calls.append(g)
        return (g * len(calls),)

    return counting_identity(a)


# ------------------------------------------------------------------- assert_grads_close


def test_assert_grads_close_passes_and_fails_with_the_localised_report():
    assert_grads_close(lambda x, y: (x * y).tanh() + y.exp() / x, Value(0.7), Value(-1.2))
    with pytest.raises(AssertionError, match="op-by-op check: 1 of") as info:
        assert_grads_close(
            lambda x, b: half_scaled_mul(x, b).sum(),
            Tensor(np.ones((2, 3)), requires_grad=True),
            Tensor(np.arange(3.0), requires_grad=True),
        )
    assert isinstance(info.value, GradcheckError)
    assert info.value.result.localisation.first.op == "half_scaled_mul"


def test_assert_grads_close_handles_kinks_as_asked():
    with pytest.warns(NonDifferentiableWarning):
        assert_grads_close(lambda x: x.relu(), Value(0.0))
    assert_grads_close(lambda x: x.relu(), Value(0.0), kinks="ignore")
    with pytest.raises(AssertionError, match="non-differentiable point"):
        assert_grads_close(lambda x: x.relu(), Value(0.0), kinks="fail")
    with pytest.raises(ValueError, match="expected kinks in warn/ignore/fail, got 'no'"):
        assert_grads_close(lambda x: x.relu(), Value(1.0), kinks="no")


def test_assert_grads_close_checks_a_module():
    model = MLP(2, [3, 1], activation="tanh", rng=0)
    assert_grads_close(lambda *x: model(list(x)), Value(0.5), Value(-1.5))


# ------------------------------------------------------------ check_backward_idempotent


@pytest.mark.parametrize(
    "f, inputs",
    [
        (lambda a, b: (a * b + a).tanh() * a, [Value(0.5), Value(2.0)]),
        (lambda a: a - a, [Value(3.0)]),
        (
            lambda x, b: ((x + b) * x).sigmoid().sum(axis=0),
            [Tensor(np.ones((2, 3)), requires_grad=True), Tensor([0.5, 1.0, 2.0], dtype=float)],
        ),
    ],
    ids=["values", "x - x", "tensors, broadcast, constant input"],
)
def test_backward_twice_is_consistent(f, inputs):
    check_backward_idempotent(f, *inputs)
    if isinstance(inputs[0], Value):
        assert inputs[0].grad == 0.0  # copies were used


def test_backward_twice_catches_a_vjp_with_state():
    with pytest.raises(AssertionError, match="expected twice"):
        check_backward_idempotent(lambda a: counting_identity(a.tanh()), Value(0.3, label="a"))


# ---------------------------------------------------------------- check_broadcast_grads


@pytest.mark.parametrize(
    "f, shapes, domain",
    [
        (lambda x, b: (x * b).tanh().sum(), [(4, 3), (3,)], "real"),
        (lambda x, s: x / s, [(2, 1, 3), (4, 1)], "positive"),
        (lambda x, y: (x - y).relu().mean(), [(3, 1), (1, 2)], "kink_at_zero"),
        (lambda x: x.sum(axis=0, keepdims=True) * x, [(3, 2)], "real"),
    ],
)
def test_broadcast_gradients_come_back_in_the_input_shapes(f, shapes, domain):
    check_broadcast_grads(f, *shapes, domain=domain)


def test_broadcast_check_catches_a_wrong_vjp():
    with pytest.raises(AssertionError, match="differ from finite differences"):
        check_broadcast_grads(lambda x, b: half_scaled_mul(x, b).sum(), (2, 3), (3,))


# ------------------------------------------------------------ check_scalar_tensor_parity


def test_tensors_and_values_agree():
    rng = np.random.default_rng(0)
    x, w, b = rng.standard_normal((4, 3)), rng.standard_normal((3, 2)), rng.standard_normal(2)
    check_scalar_tensor_parity(lambda x, w, b: (x @ w + b).tanh().log_softmax(), x, w, b)
    check_scalar_tensor_parity(lambda x: (x * x).sum(axis=1).sqrt(), x)


def test_parity_shows_where_the_engines_choose_differently():
    # At a tie, Tensor.max shares the gradient; the Value graph sends it to one element.
    with pytest.raises(AssertionError, match="gradient of input 0"):
        check_scalar_tensor_parity(lambda x: x.max(), np.array([1.0, 1.0]))


# -------------------------------------------------------------------- gradient_property

test_softplus_gradient = gradient_property(lambda v: (v.exp() + 1).log(), values("real"))
test_scaled_tanh_gradient = gradient_property(
    lambda x, s: (x * s).tanh().sum(), tensors(shape=(3, 2)), tensors(shape=(2,))
)
test_random_expressions_gradient = gradient_property(
    lambda *xs: xs[0].tanh() * xs[1] + xs[2].sigmoid(), *[values("real")] * 3
)


def test_a_gradient_property_finds_a_wrong_vjp():
    prop = gradient_property(lambda x: counting_identity(x) * 2.0 + x, values("real"))
    prop()  # one backward per graph: the planted state never shows, the property holds
    wrong = gradient_property(
        lambda x, b: half_scaled_mul(x, b).sum(), tensors(shape=(2,)), tensors(shape=(2,))
    )
    with pytest.raises(GradcheckError, match="half_scaled_mul"):
        wrong()


# Non-node arguments are passed through: a random expression can be an argument too.
test_random_graphs_gradient = gradient_property(
    lambda e, x, y, z: e(*[x, y, z][: e.n_inputs]), expressions(max_inputs=3), *[values()] * 3
)
