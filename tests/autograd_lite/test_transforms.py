"""The function transforms (grad, value_and_grad, jacobian, hessian, hvp, vjp, jvp): values
against closed forms in both engines, composition, purity and clear errors."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from autograd_lite import (
    Tensor,
    Value,
    grad,
    hessian,
    hvp,
    jacobian,
    jvp,
    value_and_grad,
    vjp,
)

# ----------------------------------------------------------------- the scalar engine


def _tanh_derivatives(x: float) -> list[float]:
    t = math.tanh(x)
    s = 1 - t * t
    return [t, s, -2 * t * s, -2 * s * s + 4 * t * t * s]


@given(st.floats(-3, 3))
def test_nested_grad_gives_tanh_and_its_derivatives(x):
    f = lambda a: a.tanh()  # noqa: E731
    got = [f(Value(x)).data, grad(f)(x), grad(grad(f))(x), grad(grad(grad(f)))(x)]
    assert got == pytest.approx(_tanh_derivatives(x), rel=1e-9, abs=1e-12)


def test_results_are_floats_for_numbers_and_values_for_values():
    f = lambda a: a**3  # noqa: E731
    assert type(grad(f)(2.0)) is float and grad(f)(2.0) == 12.0
    x = Value(2.0)
    dx = grad(f)(x)
    assert isinstance(dx, Value) and dx.data == 12.0
    dx.backward()
    assert x.grad == 12.0  # d(3x^2)/dx = 6x


def test_value_and_grad_with_several_argnums():
    f = lambda a, b: a * b + b.exp()  # noqa: E731
    value, (da, db) = value_and_grad(f, argnums=(0, 1))(2.0, 0.5)
    assert value == pytest.approx(1.0 + math.exp(0.5))
    assert (da, db) == pytest.approx((0.5, 2.0 + math.exp(0.5)))
    assert grad(f, argnums=1)(2.0, 0.5) == pytest.approx(db)
    assert grad(f, argnums=-1)(2.0, 0.5) == pytest.approx(db)


def test_hessian_of_a_function_of_one_number_is_its_second_derivative():
    assert hessian(lambda a: a**4)(2.0) == pytest.approx(48.0)
    assert hvp(lambda a: a**4, 2.0, 0.5) == pytest.approx(24.0)


def test_jvp_and_vjp_of_a_value_function():
    f = lambda a, b: (a * b).tanh()  # noqa: E731
    out, tangent = jvp(f, (0.3, -1.2), (1.0, 0.0))
    s = 1 - math.tanh(-0.36) ** 2
    assert out == pytest.approx(math.tanh(-0.36)) and tangent == pytest.approx(-1.2 * s)
    out, vjp_fn = vjp(f, 0.3, -1.2)
    assert vjp_fn(2.0) == pytest.approx((2.0 * -1.2 * s, 2.0 * 0.3 * s))


def test_reverse_over_forward_and_forward_over_reverse_agree():
    f = lambda a: (a * a).tanh() * a  # noqa: E731
    x = 0.7

    def directional(a):
        return jvp(f, (a,), (1.0,))[1]

    reverse_over_forward = grad(directional)(x)
    forward_over_reverse = jvp(grad(f), (x,), (1.0,))[1]
    assert reverse_over_forward == pytest.approx(forward_over_reverse, rel=1e-10)
    assert hessian(f)(x) == pytest.approx(forward_over_reverse, rel=1e-10)


def test_jacobian_of_a_function_with_several_value_outputs():
    f = lambda a, b: [a * b, a + b, b.exp()]  # noqa: E731
    ja, jb = jacobian(f, argnums=(0, 1))(2.0, 0.5)
    np.testing.assert_allclose(ja, [0.5, 1.0, 0.0])
    np.testing.assert_allclose(jb, [2.0, 1.0, math.exp(0.5)])


def test_newtons_method_converges_in_a_few_steps():
    f = lambda a: (a - 2.0) ** 4 + (a - 2.0) ** 2 + a.exp() * 0.01  # noqa: E731
    x = 0.0
    for _ in range(30):
        x -= grad(f)(x) / hessian(f)(x)
    assert abs(grad(f)(x)) < 1e-10


def test_transforms_are_pure():
    w = Value(2.0)
    assert grad(lambda a: w * a * a)(3.0) == 12.0
    assert w.grad == 0.0  # a parameter f closes over is a constant, and is left alone
    t = Tensor(np.ones(3), requires_grad=True)
    grad(lambda a: (t * a).sum())(np.arange(3.0))
    assert t.grad is None


def test_a_function_that_does_not_depend_on_its_input_has_zero_derivatives():
    assert grad(lambda a: Value(3.0))(1.0) == 0.0
    np.testing.assert_array_equal(grad(lambda a: Tensor(np.ones(2)).sum())(np.ones(3)), 0.0)
    assert jvp(lambda a: Value(3.0), (1.0,), (1.0,)) == (3.0, 0.0)


# ----------------------------------------------------------------- the tensor engine

X = np.array([0.3, -1.2, 2.0])


def test_tensor_grad_hessian_and_hvp_of_a_sum_of_cubes():
    f = lambda x: (x * x * x).sum()  # noqa: E731
    np.testing.assert_allclose(grad(f)(X), 3 * X**2)
    h = hessian(f)(X)
    assert h.shape == (3, 3)
    np.testing.assert_allclose(h, np.diag(6 * X))
    v = np.array([1.0, 2.0, -1.0])
    np.testing.assert_allclose(hvp(f, X, v), 6 * X * v)


def test_the_hessian_of_a_vector_function_has_the_shape_out_plus_in_plus_in():
    h = hessian(lambda x: x * x * x)(X)
    assert h.shape == (3, 3, 3)
    expected = np.zeros((3, 3, 3))
    for i in range(3):
        expected[i, i, i] = 6 * X[i]
    np.testing.assert_allclose(h, expected)


def test_tensor_jacobian_has_the_shape_out_plus_in():
    w = np.arange(6.0).reshape(2, 3)
    j = jacobian(lambda x: (Tensor(w) @ x).tanh())(X)
    assert j.shape == (2, 3)
    expected = (1 - np.tanh(w @ X) ** 2)[:, None] * w
    np.testing.assert_allclose(j, expected, rtol=1e-12)
    j2 = jacobian(lambda m: (m * m).sum(axis=1))(np.ones((2, 3)))
    assert j2.shape == (2, 2, 3)


def test_tensor_jvp_and_vjp():
    f = lambda x: (x * x).exp()  # noqa: E731
    u = np.array([1.0, 0.0, 2.0])
    out, tangent = jvp(f, (X,), (u,))
    np.testing.assert_allclose(out, np.exp(X**2))
    np.testing.assert_allclose(tangent, np.exp(X**2) * 2 * X * u)
    _, vjp_fn = vjp(f, X)
    (cotangent,) = vjp_fn(u)
    np.testing.assert_allclose(cotangent, np.exp(X**2) * 2 * X * u)


def test_create_graph_on_tensors_makes_the_gradient_a_tensor():
    t = Tensor(X.copy(), requires_grad=True)
    (t * t * t).sum().backward(create_graph=True)
    g = t.grad
    assert isinstance(g, Tensor)
    np.testing.assert_allclose(g.data, 3 * X**2)
    t.zero_grad()
    g.sum().backward()
    np.testing.assert_allclose(t.grad, 6 * X)


# --------------------------------------------------------------------- clear errors


def test_grad_of_a_non_scalar_function_points_to_jacobian():
    with pytest.raises(TypeError, match=r"shape \(3,\).*jacobian"):
        grad(lambda x: x * 2.0)(X)


def test_integer_inputs_are_refused_with_their_dtype():
    with pytest.raises(TypeError, match=r"int64.*astype"):
        grad(lambda x: x.sum())(np.arange(3))


def test_argnums_out_of_range():
    with pytest.raises(ValueError, match=r"argnums 2 out of range.*2 positional"):
        grad(lambda a, b: a * b, argnums=2)(1.0, 2.0)


def test_jvp_checks_its_tangents():
    with pytest.raises(TypeError, match=r"tuples \(jvp\(f, \(x,\), \(v,\)\)\)"):
        jvp(lambda x: x, X, X)
    with pytest.raises(ValueError, match="one tangent per primal"):
        jvp(lambda x: x, (X,), (X, X))
    with pytest.raises(ValueError, match=r"tangent 0 of the primal's shape \(3,\).*\(2,\)"):
        jvp(lambda x: x, (X,), (np.ones(2),))


def test_vjp_checks_the_cotangent_shape():
    _, vjp_fn = vjp(lambda x: x * 2.0, X)
    with pytest.raises(ValueError, match=r"cotangent of the output's shape \(3,\)"):
        vjp_fn(np.ones(4))


def test_a_transform_needs_a_function():
    with pytest.raises(TypeError, match="expected a function, got int"):
        grad(3)


def test_jacobian_of_a_list_of_tensors_asks_for_one_tensor():
    with pytest.raises(TypeError, match="stack the outputs into one Tensor"):
        jacobian(lambda x: [x * 2.0, x.exp()])(X)


def test_a_function_returning_text_is_named():
    with pytest.raises(TypeError, match="expected f to return a Value or a Tensor, got str"):
        grad(lambda a: "loss")(1.0)


def test_hvp_checks_the_direction_shape():
    with pytest.raises(ValueError, match=r"hvp: expected v of x's shape \(3,\), got shape \(2,\)"):
        hvp(lambda x: (x * x).sum(), X, np.ones(2))
