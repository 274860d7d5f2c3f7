"""The compiled bias + ReLU and softmax cross-entropy kernels agree with their NumPy
references to float32 tolerance, masks and labels included; the fused op agrees with the
ops it fuses."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from autograd_lite import Tensor, kernels, tensor_ops
from autograd_lite.kernels.dense import bias_relu, relu_bias_grads
from autograd_lite.kernels.softmax import softmax_cross_entropy, softmax_cross_entropy_grad

pytest.importorskip("numba")

DTYPES = st.sampled_from([np.float32, np.float64])
shapes = st.tuples(st.integers(1, 9), st.integers(1, 12))
# Mixed signs and exact zeros: the mask's edge (relu'(0) = 0) is part of the test.
elements = st.one_of(st.just(0.0), st.floats(-5, 5, width=32))


def _matrix(dtype, shape):
    return hnp.arrays(dtype, shape, elements=elements)


def _each_backend(fn, *args):
    out = []
    for name in ("numpy", "numba"):
        with kernels.use_backend(name):
            out.append(fn(*[a.copy() if isinstance(a, np.ndarray) else a for a in args]))
    return out


def _tolerance(dtype):
    return {"rtol": 1e-5, "atol": 1e-6} if dtype == np.float32 else {"rtol": 1e-12, "atol": 1e-12}


@given(st.data(), DTYPES, shapes)
def test_bias_relu_agrees(data, dtype, shape):
    out = data.draw(_matrix(dtype, shape))
    bias = data.draw(_matrix(dtype, shape[1:]))
    ref, fast = _each_backend(bias_relu, out, bias)
    np.testing.assert_allclose(fast, ref, **_tolerance(dtype))


@given(st.data(), DTYPES, shapes, st.booleans())
def test_relu_mask_and_bias_gradient_agree(data, dtype, shape, into_buffer):
    g = data.draw(_matrix(dtype, shape))
    ans = np.maximum(data.draw(_matrix(dtype, shape)), 0)  # a ReLU's output: >= 0, zeros
    buffer = np.full(shape[1], np.nan, dtype) if into_buffer else None
    (ref_g, ref_b), (fast_g, fast_b) = _each_backend(relu_bias_grads, g, ans, buffer)
    np.testing.assert_array_equal(fast_g, ref_g)  # a mask: exact
    np.testing.assert_allclose(fast_b, ref_b, **_tolerance(dtype))


@given(st.data(), st.just(np.float32), shapes)  # float64 always takes the reference
def test_softmax_cross_entropy_agrees(data, dtype, shape):
    z = data.draw(hnp.arrays(dtype, shape, elements=st.floats(-50, 50, width=32)))
    y = data.draw(hnp.arrays(np.int64, shape[:1], elements=st.integers(0, shape[1] - 1)))
    (ref_p, ref_l), (fast_p, fast_l) = _each_backend(softmax_cross_entropy, z, y)
    np.testing.assert_allclose(fast_p, ref_p, **_tolerance(dtype))
    np.testing.assert_allclose(fast_l, ref_l, **_tolerance(dtype))
    scale = 1.0 / shape[0]
    ref_g, fast_g = _each_backend(softmax_cross_entropy_grad, ref_p, y, scale)
    np.testing.assert_allclose(fast_g, ref_g, **_tolerance(dtype))


def test_softmax_keeps_its_input_for_a_second_backward():
    p = np.array([[0.25, 0.75]], np.float32)
    for name in ("numpy", "numba"):
        with kernels.use_backend(name):
            softmax_cross_entropy_grad(p, np.array([1]), 1.0)
        np.testing.assert_array_equal(p, [[0.25, 0.75]])


@given(st.data(), shapes, st.integers(1, 6))
def test_linear_relu_is_linear_then_relu(data, shape, n_out):
    batch, n_in = shape
    x = data.draw(_matrix(np.float64, (batch, n_in)))
    w = data.draw(_matrix(np.float64, (n_out, n_in)))
    b = data.draw(_matrix(np.float64, (n_out,)))
    g = data.draw(_matrix(np.float64, (batch, n_out)))
    results = []
    for fused in (False, True):
        X, W, B = (Tensor(a, requires_grad=True) for a in (x, w, b))
        out = tensor_ops.linear_relu(X, W, B) if fused else tensor_ops.linear(X, W, B).relu()
        out.backward(g)
        results.append([out.data, X.grad, W.grad, B.grad])
    for fused, plain in zip(results[1], results[0]):
        np.testing.assert_allclose(fused, plain, rtol=1e-12, atol=1e-12)
