"""Train/test splits and standardisation, done without leaking test data into training."""

from __future__ import annotations

import numpy as np

__all__ = ["standardize", "train_test_split"]


def train_test_split(
    X: np.ndarray,
    y: np.ndarray,
    test_size: float = 0.2,
    *,
    stratify: bool = False,
    rng: np.random.Generator | int | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """A shuffled split into ``(X_train, y_train, X_test, y_test)`` (the order `load_mnist`
    returns).

    Parameters
    ----------
    test_size : float
        The fraction of examples held out, in (0, 1); rounded to a whole number of examples.
    stratify : bool
        Hold out the same fraction of every class (y must hold class labels), so that small
        test sets keep the class balance.
    rng : np.random.Generator, int or None
        Seeds the shuffle.
    """
    X, y = np.asarray(X), np.asarray(y)
    if len(X) != len(y):
        raise ValueError(
            f"train_test_split: expected as many rows in X as in y, got {len(X)} and {len(y)}"
        )
    if not 0.0 < test_size < 1.0:
        raise ValueError(f"train_test_split: expected 0 < test_size < 1, got {test_size}")
    rng = np.random.default_rng(rng)
    if stratify:
        groups = [np.flatnonzero(y == label) for label in np.unique(y)]
    else:
        groups = [np.arange(len(y))]
    test_parts, train_parts = [], []
    for group in groups:
        shuffled = rng.permutation(group)
        n_test = round(len(group) * test_size)
        test_parts.append(shuffled[:n_test])
        train_parts.append(shuffled[n_test:])
    train = rng.permutation(np.concatenate(train_parts))
    test = rng.permutation(np.concatenate(test_parts))
    if len(train) == 0 or len(test) == 0:
        raise ValueError(
            f"train_test_split: {len(y)} examples with test_size={test_size} leave an empty "
            f"{'test' if len(test) == 0 else 'training'} set"
        )
    return X[train], y[train], X[test], y[test]


def standardize(
    train: np.ndarray, *others: np.ndarray, eps: float = 1e-12
) -> tuple[np.ndarray, ...]:
    """Each column shifted to mean 0 and scaled to standard deviation 1 using the *training*
    statistics only, applied to `train` and to every other array (test, validation): the
    statistics of held-out data must not leak into training. Keeps float32 as float32."""
    train = np.asarray(train)
    dtype = train.dtype if train.dtype.kind == "f" else np.float64
    mean = train.mean(axis=0)
    std = train.std(axis=0) + eps
    return tuple(((np.asarray(a) - mean) / std).astype(dtype) for a in (train, *others))
