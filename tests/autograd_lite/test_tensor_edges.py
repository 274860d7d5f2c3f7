"""Edge cases a review found: aliasing of retained gradients, truth values, integer
arithmetic, 0-d axes, empty batches, exponents at 0, cut-short walks."""

from __future__ import annotations

import numpy as np
import pytest

import nn
from autograd_lite import Tensor, Value, detect_anomaly, tensor_ops


def test_a_retained_sum_of_two_contributions_is_not_shared_with_a_leaf():
    x = Tensor(np.array([1.0, 2.0]), requires_grad=True)
    w = Tensor(np.array([1.0, 1.0]), requires_grad=True)
    s = (x + w).retain_grad()
    ((s * 1.0).sum() + (s * 1.0).sum()).backward()
    assert x.grad is not s.grad
    x.grad *= 0
    np.testing.assert_array_equal(s.grad, [2.0, 2.0])


def test_retained_gradients_are_writeable():
    a = Tensor(np.ones(3), requires_grad=True)
    y = (a * 2).retain_grad()
    y.sum().backward()  # sum's VJP is a read-only broadcast view
    y.grad += 1
    np.testing.assert_array_equal(y.grad, [2.0, 2.0, 2.0])


def test_truth_values_follow_the_single_element_not_the_length():
    assert not bool(Tensor([-1.0]) > 0)
    assert bool(Tensor(1.0) > 0.5) and float(Tensor([2.5])) == 2.5
    with pytest.raises(ValueError, match="truth value of a tensor with 2 elements is ambiguous"):
        bool(Tensor([1.0, 2.0]))
    with pytest.raises(TypeError, match="iteration over a 0-d tensor"):
        list(Tensor(3.0))
    assert [t.item() for t in Tensor([1.0, 2.0])] == [1.0, 2.0]


def test_python_numbers_are_weak_for_integer_tensors_too():
    i = Tensor(np.arange(3))
    assert (i + 1).dtype == np.int64 and (i**2).dtype == np.int64
    assert (i * 0.5).dtype == np.float64
    x = Tensor(np.arange(4.0), requires_grad=True)
    assert x[i + 1].shape == (3,)


def test_a_tensor_exponent_of_zero_at_zero_has_a_zero_gradient():
    x = Tensor(np.array([0.0, 2.0]), requires_grad=True)
    (x ** Tensor(np.zeros(2))).sum().backward()
    np.testing.assert_array_equal(x.grad, [0.0, 0.0])


def test_an_array_exponent_works_like_a_tensor_exponent():
    x = Tensor(np.array([2.0, 3.0]), requires_grad=True)
    (x ** np.array([2.0, 3.0])).sum().backward()
    np.testing.assert_array_equal(x.grad, [4.0, 27.0])


@pytest.mark.parametrize(
    ("f", "error", "words"),
    [
        (lambda: Tensor(3.0).sum(axis=0), ValueError, "axis 0 is out of range for a tensor with 0"),
        (lambda: Tensor(3.0).mean(axis=0), ValueError, "out of range"),
        (lambda: Tensor(3.0).max(axis=0), ValueError, "out of range"),
        (lambda: Tensor(np.ones((2, 3))).softmax(axis=None), TypeError, "expected one axis"),
        (lambda: Tensor(np.ones((2, 3))).sum(axis="0"), TypeError, "expected axis as an int"),
        (lambda: Tensor(np.ones((2, 3))).transpose(0, 5), ValueError, "permutation of the 2 axes"),
    ],
)
def test_bad_axes_are_clear_errors(f, error, words):
    with pytest.raises(error, match=words):
        f()


def test_an_empty_batch_flattens():
    out = nn.Flatten()(np.zeros((0, 28, 28), np.float32))
    assert out.shape == (0, 784)
    assert tensor_ops.flatten(Tensor(np.zeros((0, 2, 3))), 1).shape == (0, 6)


def test_a_walk_cut_short_leaves_no_value_gradient_none():
    x = Value(0.0)
    a = x * 1.0
    c = a.sqrt() * 2.0
    with detect_anomaly(), pytest.raises(FloatingPointError):
        c.backward()
    assert a.grad == 0.0 and "grad=0" in repr(a)


def test_a_0d_intermediate_reached_twice_accumulates_as_an_array():
    # 0-d arithmetic gives NumPy scalars: the second contribution to a 0-d intermediate must
    # still be stored as an array (the walk keeps weak references to intermediates' grads).
    x = Tensor(np.array(2.0), requires_grad=True)
    s = x * 3.0
    s.retain_grad()
    (s * s).backward()
    assert type(s.grad) is np.ndarray and s.grad.shape == () and float(s.grad) == 12.0
    assert float(x.grad) == 36.0
