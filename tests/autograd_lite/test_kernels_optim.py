"""The compiled optimizer updates agree with their NumPy references to float32 tolerance,
and flush decaying state to zero instead of letting it become subnormal."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from autograd_lite import kernels
from autograd_lite.kernels.optim import adam_update, flush_below, rmsprop_update, sgd_update

pytest.importorskip("numba")

finite = st.floats(-10, 10, width=32)
arrays = st.integers(1, 40).flatmap(
    lambda n: st.tuples(*[hnp.arrays(np.float32, n, elements=finite) for _ in range(3)])
)
rate = st.one_of(st.just(0.0), st.floats(0.01, 0.99))
flags = st.booleans()


def _both(update, arrays_in, steps=3, **kw):
    """Run `update` on copies of the arrays with each backend; the arrays after each."""
    results = []
    for name in ("numpy", "numba"):
        state = [a.copy() for a in arrays_in]
        with kernels.use_backend(name):
            for _ in range(steps):
                update(state, **kw)
        results.append(state)
    return results


def _close(a: list, b: list) -> None:
    for x, y in zip(a, b, strict=True):
        np.testing.assert_allclose(x, y, rtol=2e-5, atol=2e-6)


def _scratch(p):
    return {"work": np.empty_like(p), "tmp": np.empty_like(p)}


@given(arrays, rate, rate, flags, st.floats(0, 0.1), flags)
def test_sgd_kernel_agrees_with_numpy(pgb, momentum, dampening, nesterov, decay, maximize):
    p, g, _ = pgb
    buf = np.zeros_like(p)
    nesterov = nesterov and momentum > 0 and dampening == 0

    def update(s):
        sgd_update(s[0], s[1], s[2] if momentum else None, lr=0.1, momentum=momentum,
                   dampening=dampening, nesterov=nesterov, weight_decay=decay,
                   maximize=maximize, first=True, **_scratch(s[0]))  # fmt: skip

    _close(*_both(update, [p, g, buf], steps=1))


@given(arrays, rate, flags, flags, st.floats(0, 0.1))
def test_sgd_momentum_steps_agree(pgb, momentum, nesterov, maximize, decay):
    p, g, _ = pgb
    buf = np.zeros_like(p)

    def update(s):
        first = not s[2].any()
        sgd_update(s[0], s[1], s[2], lr=0.1, momentum=momentum + 0.01, dampening=0.0,
                   nesterov=nesterov, weight_decay=decay, maximize=maximize, first=first,
                   **_scratch(s[0]))  # fmt: skip

    _close(*_both(update, [p, g, buf]))


@given(arrays, st.floats(0.5, 0.99), st.floats(0.9, 0.9999), flags, flags, st.floats(0, 0.1))
def test_adam_kernel_agrees_with_numpy(pgm, beta1, beta2, amsgrad, maximize, decay):
    p, g, m = pgm
    m = np.abs(m) * 0.1
    v, v_max = m * m, m * m

    def update(s):
        adam_update(s[0], s[1], s[2], s[3], s[4] if amsgrad else None, beta1=beta1,
                    beta2=beta2, step_size=1e-2, eps=1e-8, weight_decay=decay,
                    maximize=maximize, **_scratch(s[0]))  # fmt: skip

    _close(*_both(update, [p, g, m, v, v_max]))


@given(arrays, st.floats(0.5, 0.99), flags, rate, flags, st.floats(0, 0.1))
def test_rmsprop_kernel_agrees_with_numpy(pgm, alpha, centered, momentum, maximize, decay):
    p, g, buf = pgm
    v, g_avg = g * g + 1.0, np.zeros_like(p)  # centered: v - g_avg^2 stays positive

    def update(s):
        rmsprop_update(s[0], s[1], s[2], s[3] if centered else None,
                       s[4] if momentum else None, lr=1e-2, alpha=alpha, eps=1e-8,
                       momentum=momentum, weight_decay=decay, maximize=maximize,
                       **_scratch(s[0]))  # fmt: skip

    _close(*_both(update, [p, g, v, g_avg, buf]))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_a_dead_units_adam_moments_go_to_zero_not_subnormal(dtype):
    """A unit whose gradient stays 0 (a dead ReLU): its moments decay by beta each step;
    the kernel sets them to 0 before they leave the normal range."""
    p = np.ones(8, dtype)
    m, v = np.full(8, 1e-3, dtype), np.full(8, 1e-6, dtype)
    g, smallest_normal = np.zeros(8, dtype), np.finfo(dtype).tiny
    kw = {"step_size": 1e-3, "eps": 1e-8, "weight_decay": 0.0, "maximize": False}
    with kernels.use_backend("numba"):
        for _ in range(8000):
            adam_update(p, g, m, v, None, beta1=0.9, beta2=0.5, work=None, tmp=p.copy(), **kw)
            for state in (m, v):
                assert np.all((state == 0) | (np.abs(state) >= smallest_normal))
    assert not m.any() and not v.any()
    assert flush_below(dtype) > smallest_normal / 0.5  # beta * state stays normal


def test_non_contiguous_arrays_take_the_numpy_path():
    p = np.ones((4, 6), np.float32)[:, ::2]
    g = np.full_like(p, 2.0)
    with kernels.use_backend("numba"):
        sgd_update(p, g, None, lr=0.5, momentum=0.0, dampening=0.0, nesterov=False,
                   weight_decay=0.0, maximize=False, first=True, work=None,
                   tmp=np.empty_like(p))  # fmt: skip
    np.testing.assert_array_equal(p, np.zeros_like(p))


def test_the_numpy_reference_flushes_when_asked():
    p, g = np.ones(3, np.float32), np.zeros(3, np.float32)
    m = np.array([1e-39, 1e-31, 1e-3], np.float32)  # subnormal, below 2^-100, normal
    v = m.copy()
    with kernels.use_backend("numpy"):
        kw = {"step_size": 1e-3, "eps": 1e-8, "weight_decay": 0.0, "maximize": False}
        adam_update(p, g, m, v, None, beta1=0.9, beta2=0.999, work=None, tmp=p.copy(), **kw)
        assert m[0] != 0 and m[1] != 0  # not asked: the reference is the plain formula
        adam_update(
            p, g, m, v, None, beta1=0.9, beta2=0.999, work=None, tmp=p.copy(), flush=True, **kw
        )
    np.testing.assert_array_equal(m[:2], 0)
    np.testing.assert_array_equal(v[:2], 0)
    assert m[2] > 0 and v[2] > 0
