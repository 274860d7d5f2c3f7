"""Small seeded data sets from the tutorials, generated on the fly.

- `credit_risk`: the synthetic borrowers of *Backpropagation: The Learning Engine of Neural
  Networks* by Alpesh Tribhuvan Yadav;
- `noisy_quadratic` and `one_feature_binary`: the worked example and the practical task of the
  course task *Learning Algorithms Task* (unsigned);
- `two_moons`: micrograd's demo data set.

Every generator takes `rng` (a ``np.random.Generator``, an int seed or None) and returns
``X`` of shape ``(n_samples, n_features)`` as float64 and ``y``: int64 labels of shape
``(n_samples,)`` for classification, float64 targets of shape ``(n_samples, 1)`` for the
regression set (as the tutorial's network and loss use them; see `noisy_quadratic`).
"""

from __future__ import annotations

import numpy as np

__all__ = [
    "CREDIT_RISK_FEATURES",
    "credit_risk",
    "noisy_quadratic",
    "one_feature_binary",
    "two_moons",
]


def two_moons(
    n_samples: int = 100, noise: float = 0.1, rng: np.random.Generator | int | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Two interleaving half circles: micrograd's demo data set.

    Returns ``X`` of shape ``(n_samples, 2)`` (float64) and labels ``y`` in {0, 1} (int64);
    the first half circle (label 0) is centred at the origin, the second (label 1) is
    shifted by (1, -0.5) and flipped. Gaussian noise of standard deviation `noise` is added.
    """
    if isinstance(n_samples, bool) or not isinstance(n_samples, (int, np.integer)):
        raise TypeError(f"two_moons: expected an integer n_samples, got {n_samples!r}")
    if n_samples < 2:
        raise ValueError(f"two_moons: expected n_samples >= 2, got {n_samples}")
    if not noise >= 0:
        raise ValueError(f"two_moons: expected noise >= 0, got {noise}")
    rng = np.random.default_rng(rng)
    n_upper = n_samples // 2
    n_lower = n_samples - n_upper
    upper = np.linspace(0.0, np.pi, n_upper)
    lower = np.linspace(0.0, np.pi, n_lower)
    X = np.concatenate(
        [
            np.stack([np.cos(upper), np.sin(upper)], axis=1),
            np.stack([1.0 - np.cos(lower), 0.5 - np.sin(lower)], axis=1),
        ]
    )
    y = np.concatenate([np.zeros(n_upper, dtype=np.int64), np.ones(n_lower, dtype=np.int64)])
    X += rng.normal(scale=noise, size=X.shape)
    order = rng.permutation(n_samples)
    return X[order], y[order]


#: Column names of `credit_risk`'s ``X``, in order.
CREDIT_RISK_FEATURES = (
    "age",
    "annual_income",
    "debt_to_income",
    "credit_history_years",
    "num_late_payments",
    "owns_home",
    "employment_years",
)


def credit_risk(
    n_samples: int = 2000,
    noise: float = 0.5,
    rng: np.random.Generator | int | None = None,
    *,
    standardize: bool = False,
) -> tuple[np.ndarray, np.ndarray]:
    """Synthetic borrowers and whether they default: the data set of Yadav's tutorial.

    Seven features (`CREDIT_RISK_FEATURES`), drawn independently:

    ======================  ==========================  ===========================
    feature                 distribution                normalised for the score
    ======================  ==========================  ===========================
    age                     integer, uniform 18..75     (age - 40) / 15
    annual_income           uniform(15,000, 150,000)    (income - 50,000) / 20,000
    debt_to_income          uniform(0, 1)               as is
    credit_history_years    uniform(0, 30)              (years - 10) / 5
    num_late_payments       integer, uniform 0..20      late / 5
    owns_home               integer, 0 or 1             as is
    employment_years        uniform(0, 40)              (years - 5) / 5
    ======================  ==========================  ===========================

    A hidden risk score, ``1.2 dti + 0.9 late - 0.8 income - 0.6 history - 0.4 employment
    + 0.3 (1 - owns_home) + 0.2 age`` over the normalised features, plus Gaussian noise of
    standard deviation `noise`, goes through a sigmoid to give the probability of default;
    the label is one Bernoulli draw of it. About 44% of borrowers default.

    Yadav's tutorial describes this process in its text; the distributions, coefficients and
    sample count come from the tutorial's own notebook (in the author's GitHub repository
    Alpesh-hash/Backpropagation_tutorial, 2025, MIT licence), and the draws are made in the
    same order, so ``credit_risk(2000, rng=0)`` is exactly its data set. The tutorial then
    splits it 80/20 (stratified) and standardises with the training statistics.

    Parameters
    ----------
    n_samples : int
        Number of borrowers (the tutorial uses 2000).
    noise : float
        Standard deviation of the Gaussian noise added to the risk score.
    rng : np.random.Generator or int or None
        Seed or generator.
    standardize : bool
        Return each feature centred and scaled to unit variance over these `n_samples`
        (constant columns are only centred). For a train/test protocol, leave this off and
        standardise with the training split's statistics, as the tutorial does.

    Returns
    -------
    X : np.ndarray
        ``(n_samples, 7)`` float64, raw units (ages, dollars, years, counts) by default.
    y : np.ndarray
        ``(n_samples,)`` int64, 1 for a default.
    """
    _check_n_samples("credit_risk", n_samples, 1)
    _check_scale("credit_risk", "noise", noise)
    rng = np.random.default_rng(rng)
    n = n_samples
    age = rng.integers(18, 76, n)
    income = rng.uniform(15_000.0, 150_000.0, n)
    debt_to_income = rng.uniform(0.0, 1.0, n)
    history = rng.uniform(0.0, 30.0, n)
    late = rng.integers(0, 21, n)
    owns_home = rng.integers(0, 2, n)
    employment = rng.uniform(0.0, 40.0, n)
    score = (
        1.2 * debt_to_income
        + 0.9 * (late / 5.0)
        - 0.8 * (income - 50_000.0) / 20_000.0
        - 0.6 * (history - 10.0) / 5.0
        - 0.4 * (employment - 5.0) / 5.0
        + 0.3 * (1 - owns_home)  # renting is slightly riskier
        + 0.2 * (age - 40.0) / 15.0
    )
    # The noise enters the score, not the labels: the classes overlap, so no model can be
    # perfect (the tutorial's trained 7-8-1 network reaches about 0.68 after 200 steps).
    score = score + rng.normal(0.0, noise, n)
    # The tutorial's formula, kept bit for bit so the Bernoulli draws match it; exp may
    # overflow for a huge `noise`, and 1 / (1 + inf) = 0 is then the right probability.
    with np.errstate(over="ignore"):
        probability = 1.0 / (1.0 + np.exp(-score))
    y = rng.binomial(1, probability).astype(np.int64)
    columns = [age, income, debt_to_income, history, late, owns_home, employment]
    X = np.column_stack(columns).astype(np.float64)
    if standardize:
        std = X.std(axis=0)
        X = (X - X.mean(axis=0)) / np.where(std > 0, std, 1.0)
    return X, y


def noisy_quadratic(
    n_samples: int = 100,
    noise: float = 0.5,
    rng: np.random.Generator | np.random.RandomState | int | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Regression data: ``x ~ U(-2, 2)``, ``y = 2 x**2 + N(0, noise**2)``.

    The worked example of the course task ("the tutorial" below). `noise` is the standard
    deviation (the tutorial's ``np.random.normal(0, 0.5, ...)``), so the residuals
    ``y - 2 x**2`` have standard deviation 0.5 by default.

    Parameters
    ----------
    n_samples : int
        Number of points (the tutorial uses 100).
    noise : float
        Standard deviation of the Gaussian noise on ``y``.
    rng : np.random.Generator or np.random.RandomState or int or None
        Seed or generator. The tutorial seeds NumPy's legacy global generator with
        ``np.random.seed(0)``; pass ``np.random.RandomState(0)`` to get exactly its points.

    Returns
    -------
    X : np.ndarray
        ``(n_samples, 1)`` float64.
    y : np.ndarray
        ``(n_samples, 1)`` float64: a column, like the network's output, as the tutorial
        has it (a flat ``(n,)`` target minus an ``(n, 1)`` prediction would broadcast to
        ``(n, n)`` and silently give a wrong loss).
    """
    _check_n_samples("noisy_quadratic", n_samples, 1)
    _check_scale("noisy_quadratic", "noise", noise)
    if not isinstance(rng, np.random.RandomState):
        rng = np.random.default_rng(rng)
    # Same calls in the same order as the tutorial: all x first, then all the noise.
    X = rng.uniform(-2.0, 2.0, size=(n_samples, 1))
    y = 2.0 * X**2 + rng.normal(0.0, noise, size=(n_samples, 1))
    return X, y


def one_feature_binary(
    n_samples: int = 100,
    label_noise: float = 0.05,
    rng: np.random.Generator | int | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Binary classification from one feature: the course task's practical task.

    The task asks for a 1-4-1 network classifying points "into two classes based on a
    single feature", then for experiments with the hidden layer's size and activation; it
    does not say how the data is made. Ours: ``x ~ U(-2, 2)`` (the range of the same
    tutorial's regression example) and label 1 inside the band ``|x| < 1``, 0 outside, so
    the classes are balanced; then each label is flipped with probability `label_noise`.
    The band is not linearly separable in ``x``, so the hidden layer matters: a single
    hidden unit with a monotonic activation cannot fit it, two can.

    Parameters
    ----------
    n_samples : int
        Number of points.
    label_noise : float
        Probability, in [0, 0.5], that a label is flipped.
    rng : np.random.Generator or int or None
        Seed or generator.

    Returns
    -------
    X : np.ndarray
        ``(n_samples, 1)`` float64.
    y : np.ndarray
        ``(n_samples,)`` int64 in {0, 1}.
    """
    _check_n_samples("one_feature_binary", n_samples, 1)
    if not 0.0 <= label_noise <= 0.5:
        raise ValueError(f"one_feature_binary: expected label_noise in [0, 0.5], got {label_noise}")
    rng = np.random.default_rng(rng)
    X = rng.uniform(-2.0, 2.0, size=(n_samples, 1))
    y = (np.abs(X[:, 0]) < 1.0).astype(np.int64)
    flip = rng.random(n_samples) < label_noise
    y[flip] = 1 - y[flip]
    return X, y


def _check_n_samples(fn: str, n_samples: int, minimum: int) -> None:
    if isinstance(n_samples, bool) or not isinstance(n_samples, (int, np.integer)):
        raise TypeError(f"{fn}: expected an integer n_samples, got {n_samples!r}")
    if n_samples < minimum:
        raise ValueError(f"{fn}: expected n_samples >= {minimum}, got {n_samples}")


def _check_scale(fn: str, name: str, value: float) -> None:
    # `not value >= 0` also rejects NaN.
    if not value >= 0 or value == float("inf"):
        raise ValueError(f"{fn}: expected a finite {name} >= 0, got {value}")
