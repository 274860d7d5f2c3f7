"""`nn.init`: PyTorch's fans, gains, bounds and variances; seeds, dtypes and clear errors."""

from __future__ import annotations

import math

import numpy as np
import pytest

from nn import init

SHAPE = (300, 500)  # (out, in): fan_in = 500, fan_out = 300


def test_fans_follow_pytorchs_definition():
    assert init.compute_fans((3, 5)) == (5, 3)
    assert init.compute_fans((8, 4, 3, 3)) == (4 * 9, 8 * 9)  # a convolution kernel
    with pytest.raises(ValueError, match=r"at least 2 axes \(out, in, \.\.\.\), got \(5,\)"):
        init.compute_fans(5)


@pytest.mark.parametrize(
    ("nonlinearity", "param", "gain"),
    [
        ("linear", None, 1.0),
        ("sigmoid", None, 1.0),
        ("tanh", None, 5 / 3),
        ("relu", None, math.sqrt(2)),
        ("selu", None, 0.75),
        ("leaky_relu", None, math.sqrt(2 / (1 + 0.01**2))),
        ("leaky_relu", math.sqrt(5), math.sqrt(1 / 3)),
    ],
)
def test_gains(nonlinearity, param, gain):
    assert init.calculate_gain(nonlinearity, param) == pytest.approx(gain)


def test_an_unknown_nonlinearity_is_a_clear_error():
    with pytest.raises(ValueError, match=r"expected nonlinearity in \(.*'tanh'\), got 'swish'"):
        init.calculate_gain("swish")


def test_xavier_uniform_bound_and_variance():
    w = init.xavier_uniform(SHAPE, rng=0)
    bound = math.sqrt(6 / (500 + 300))
    assert w.shape == SHAPE and w.dtype == np.float32
    assert np.abs(w).max() <= bound and np.abs(w).max() > 0.99 * bound
    assert w.std() == pytest.approx(bound / math.sqrt(3), rel=0.01)
    assert np.abs(init.xavier_uniform(SHAPE, gain=2.0, rng=0)).max() <= 2 * bound


def test_xavier_normal_std():
    w = init.xavier_normal(SHAPE, gain=5 / 3, rng=0)
    assert w.std() == pytest.approx(5 / 3 * math.sqrt(2 / 800), rel=0.01)
    assert abs(w.mean()) < 0.01


def test_kaiming_uniform_with_a_sqrt5_is_linears_default():
    w = init.kaiming_uniform(SHAPE, a=math.sqrt(5), rng=0)
    assert np.abs(w).max() <= 1 / math.sqrt(500)
    assert np.abs(w).max() > 0.99 / math.sqrt(500)


@pytest.mark.parametrize(("mode", "fan"), [("fan_in", 500), ("fan_out", 300)])
def test_kaiming_for_relu(mode, fan):
    w = init.kaiming_uniform(SHAPE, mode=mode, nonlinearity="relu", rng=0)
    assert np.abs(w).max() <= math.sqrt(2) * math.sqrt(3 / fan)
    n = init.kaiming_normal(SHAPE, mode=mode, nonlinearity="relu", rng=0)
    assert n.std() == pytest.approx(math.sqrt(2 / fan), rel=0.01)


def test_constants_and_plain_distributions():
    np.testing.assert_array_equal(init.zeros(3), np.zeros(3, dtype=np.float32))
    np.testing.assert_array_equal(init.ones((2, 2), dtype=np.float64), np.ones((2, 2)))
    u = init.uniform(10_000, -2.0, 3.0, rng=0)
    assert u.min() >= -2.0 and u.max() <= 3.0 and u.mean() == pytest.approx(0.5, abs=0.05)
    n = init.normal((100, 100), mean=1.0, std=0.5, rng=0)
    assert n.mean() == pytest.approx(1.0, abs=0.01) and n.std() == pytest.approx(0.5, rel=0.02)
    assert init.normal(3).dtype == np.float32


def test_seeds_generators_and_dtypes():
    a = init.xavier_uniform((4, 3), rng=7)
    np.testing.assert_array_equal(a, init.xavier_uniform((4, 3), rng=7))
    # The same numbers in every dtype: drawn in float64, then cast.
    wide = init.xavier_uniform((4, 3), rng=7, dtype=np.float64)
    assert wide.dtype == np.float64
    np.testing.assert_array_equal(a, wide.astype(np.float32))
    rng = np.random.default_rng(7)
    first = init.xavier_uniform((4, 3), rng=rng)
    np.testing.assert_array_equal(first, a)
    assert not np.array_equal(init.xavier_uniform((4, 3), rng=rng), first)  # advanced
    assert init.kaiming_normal((4, 3), dtype=np.float64).dtype == np.float64


@pytest.mark.parametrize(
    ("call", "error", "words"),
    [
        (lambda: init.zeros((2, -1)), ValueError, r"expected a shape .*, got \(2, -1\)"),
        (lambda: init.ones(2.5), TypeError, "expected a shape"),
        (lambda: init.ones(True), TypeError, "expected a shape"),
        (lambda: init.ones("3"), TypeError, "expected a shape"),
        (lambda: init.xavier_uniform(5), ValueError, "at least 2 axes"),
        (lambda: init.xavier_normal((0, 3)), ValueError, r"zero-length axes, got \(0, 3\)"),
        (lambda: init.kaiming_uniform((3, 2), mode="fan"), ValueError, r"mode in \('fan_in', 'f"),
        (lambda: init.kaiming_normal((3, 2), nonlinearity="gelu"), ValueError, "'gelu'"),
        (lambda: init.uniform(3, 2.0, 1.0), ValueError, "expected low <= high"),
        (lambda: init.normal(3, std=-1.0), ValueError, "expected std >= 0"),
        (lambda: init.xavier_uniform((3, 2), gain=float("inf")), ValueError, "finite real"),
        (lambda: init.uniform(3, dtype=np.int64), TypeError, "expected a floating dtype"),
        (lambda: init.zeros(3, dtype="not a dtype"), TypeError, "expected a floating dtype"),
        (lambda: init.normal(3, rng="seed"), TypeError, "np.random.Generator, an int seed"),
        (lambda: init.normal(3, rng=1.5), TypeError, "got float"),
    ],
)
def test_bad_arguments_are_clear_errors(call, error, words):
    with pytest.raises(error, match=words):
        call()
