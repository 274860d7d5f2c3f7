"""The tutorials' synthetic data sets: shapes, random seeds, and statistics matching the
tutorials."""

from __future__ import annotations

import numpy as np
import pytest

from nn.data import (
    CREDIT_RISK_FEATURES,
    credit_risk,
    noisy_quadratic,
    one_feature_binary,
    two_moons,
)

GENERATORS = [credit_risk, noisy_quadratic, one_feature_binary, two_moons]


@pytest.mark.parametrize("make", GENERATORS)
def test_seeds_reproduce_and_differ(make):
    X1, y1 = make(rng=3)
    X2, y2 = make(rng=np.random.default_rng(3))
    assert np.array_equal(X1, X2) and np.array_equal(y1, y2)
    assert not np.array_equal(make(rng=4)[0], X1)


@pytest.mark.parametrize(
    ("make", "n_features", "y_shape", "y_dtype"),
    [
        (credit_risk, 7, (50,), np.int64),
        (noisy_quadratic, 1, (50, 1), np.float64),
        (one_feature_binary, 1, (50,), np.int64),
        (two_moons, 2, (50,), np.int64),
    ],
)
def test_shapes_and_dtypes(make, n_features, y_shape, y_dtype):
    X, y = make(50, rng=0)
    assert X.shape == (50, n_features) and X.dtype == np.float64
    assert y.shape == y_shape and y.dtype == y_dtype


@pytest.mark.parametrize("make", [credit_risk, noisy_quadratic, one_feature_binary])
@pytest.mark.parametrize(
    ("n_samples", "error"), [(0, ValueError), (-3, ValueError), (2.0, TypeError), (True, TypeError)]
)
def test_bad_sample_counts(make, n_samples, error):
    with pytest.raises(error, match=f"{make.__name__}: expected"):
        make(n_samples)


@pytest.mark.parametrize("make", [credit_risk, noisy_quadratic])
@pytest.mark.parametrize("noise", [-0.1, float("nan"), float("inf")])
def test_bad_noise(make, noise):
    with pytest.raises(ValueError, match="expected a finite noise >= 0"):
        make(10, noise=noise)


# ---------------------------------------------------------------------------------------------
# credit_risk: *Backpropagation: The Learning Engine of Neural Networks* by Alpesh Tribhuvan Yadav
# (and its notebook, which gives the distributions and coefficients)


def test_credit_risk_is_the_tutorials_data_set():
    # The first rows the tutorial's notebook prints for income(number_of_samples=2000, seed=0).
    X, y = credit_risk(2000, rng=0)
    expected = [
        [67, 16756.035906, 0.164427, 26.556127, 0, 1, 19.470684],
        [54, 126747.994177, 0.794970, 20.719364, 5, 1, 23.848030],
        [47, 81992.846896, 0.173588, 14.460212, 17, 1, 38.037895],
        [33, 73848.938851, 0.460746, 20.385244, 20, 1, 27.295560],
        [35, 96242.286611, 0.129342, 25.072763, 14, 0, 0.276586],
    ]
    np.testing.assert_allclose(X[:5], expected, rtol=0, atol=5e-7)
    assert y[:5].tolist() == [0, 0, 0, 1, 1]
    assert len(CREDIT_RISK_FEATURES) == 7 and CREDIT_RISK_FEATURES[4] == "num_late_payments"


def test_credit_risk_features_follow_their_distributions():
    X, y = credit_risk(20_000, rng=1)
    columns = dict(zip(CREDIT_RISK_FEATURES, X.T))
    integer = ["age", "num_late_payments", "owns_home"]
    assert all(np.array_equal(columns[name], np.round(columns[name])) for name in integer)
    bounds = {
        "age": (18, 75),
        "annual_income": (15_000, 150_000),
        "debt_to_income": (0, 1),
        "credit_history_years": (0, 30),
        "num_late_payments": (0, 20),
        "owns_home": (0, 1),
        "employment_years": (0, 40),
    }
    for name, (low, high) in bounds.items():
        assert low <= columns[name].min() and columns[name].max() <= high, name
        assert columns[name].mean() == pytest.approx((low + high) / 2, rel=0.03), name
    assert set(np.unique(y)) == {0, 1}


def test_credit_risk_default_rate_and_risk_directions():
    X, y = credit_risk(200_000, rng=2)
    # The logistic score's mean is about -0.46 with its spread, so about 44% default.
    assert y.mean() == pytest.approx(0.439, abs=0.005)
    late, income = X[:, 4], X[:, 1]
    assert y[late >= 15].mean() > y[late <= 5].mean() + 0.2  # late payments raise the risk
    assert y[income >= 120_000].mean() < y[income <= 45_000].mean() - 0.3  # income lowers it


def test_credit_risk_noise_only_blurs_the_score():
    X0, y0 = credit_risk(500, noise=0.0, rng=5)
    X1, y1 = credit_risk(500, noise=2.0, rng=5)
    assert np.array_equal(X0, X1)  # the same borrowers: noise is drawn after the features
    assert set(np.unique(y0)) == {0, 1} and not np.array_equal(y0, y1)


def test_credit_risk_standardize():
    raw, y = credit_risk(1000, rng=6)
    X, y_std = credit_risk(1000, rng=6, standardize=True)
    assert np.array_equal(y, y_std)
    np.testing.assert_allclose(X.mean(axis=0), 0, atol=1e-12)
    np.testing.assert_allclose(X.std(axis=0), 1, rtol=1e-12)
    np.testing.assert_allclose(X * raw.std(axis=0) + raw.mean(axis=0), raw)
    single, _ = credit_risk(1, rng=0, standardize=True)  # constant columns: no division by 0
    assert np.array_equal(single, np.zeros((1, 7)))


# ---------------------------------------------------------------------------------------------
# noisy_quadratic: the worked example of the course task *Learning Algorithms Task* (unsigned)


def test_noisy_quadratic_matches_the_tutorials_legacy_seed():
    # The tutorial: np.random.seed(0); X = uniform(-2, 2, (100, 1)); y = 2 X**2 + normal(0, 0.5).
    X, y = noisy_quadratic(rng=np.random.RandomState(0))
    assert X.shape == y.shape == (100, 1)
    np.testing.assert_allclose(X[:3, 0], [0.19525402, 0.86075747, 0.4110535], atol=5e-9)
    np.testing.assert_allclose(y[:3, 0], [-0.50632666, 1.93222007, 0.57076119], atol=5e-8)


def test_noisy_quadratic_statistics():
    X, y = noisy_quadratic(100_000, rng=7)
    residual = y - 2 * X**2
    assert residual.std() == pytest.approx(0.5, rel=0.01)  # noise is the std, not the variance
    assert abs(residual.mean()) < 0.01
    assert X.min() >= -2 and X.max() <= 2 and abs(X.mean()) < 0.02
    X, y = noisy_quadratic(10, noise=0.0, rng=7)
    assert np.array_equal(y, 2 * X**2)


# ---------------------------------------------------------------------------------------------
# one_feature_binary: the course task's practical task


def test_one_feature_binary_is_a_noisy_band():
    X, y = one_feature_binary(100_000, rng=8)
    band = (np.abs(X[:, 0]) < 1).astype(np.int64)
    assert y.mean() == pytest.approx(0.5, abs=0.01)  # balanced classes
    assert (y != band).mean() == pytest.approx(0.05, abs=0.005)  # the default label noise
    X, y = one_feature_binary(1000, label_noise=0.0, rng=8)
    assert np.array_equal(y, (np.abs(X[:, 0]) < 1).astype(np.int64))


@pytest.mark.parametrize("label_noise", [-0.01, 0.51, float("nan")])
def test_one_feature_binary_rejects_bad_label_noise(label_noise):
    with pytest.raises(ValueError, match=r"expected label_noise in \[0, 0.5\]"):
        one_feature_binary(10, label_noise=label_noise)
