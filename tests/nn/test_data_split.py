"""train_test_split and standardize: sizes, stratification, seeding, no leakage."""

from __future__ import annotations

import numpy as np
import pytest

from nn.data import standardize, train_test_split


def test_split_sizes_seeding_and_disjointness():
    X, y = np.arange(100).reshape(50, 2), np.arange(50)
    X_train, y_train, X_test, y_test = train_test_split(X, y, 0.2, rng=0)
    assert (len(X_train), len(X_test)) == (40, 10)
    assert set(y_train).isdisjoint(y_test) and set(y_train) | set(y_test) == set(range(50))
    np.testing.assert_array_equal(X_train[:, 0] // 2, y_train)  # rows stay paired
    again = train_test_split(X, y, 0.2, rng=0)
    np.testing.assert_array_equal(again[1], y_train)


def test_stratified_split_keeps_the_class_balance():
    y = np.array([0] * 90 + [1] * 10)
    _, y_train, _, y_test = train_test_split(np.zeros((100, 1)), y, 0.2, stratify=True, rng=1)
    assert (y_test == 1).sum() == 2 and (y_train == 1).sum() == 8


def test_standardize_uses_training_statistics_only():
    train = np.array([[0.0, 10.0], [2.0, 30.0]], dtype=np.float32)
    test = np.array([[4.0, 50.0]], dtype=np.float32)
    train_s, test_s = standardize(train, test)
    np.testing.assert_allclose(train_s, [[-1, -1], [1, 1]], rtol=1e-6)
    np.testing.assert_allclose(test_s, [[3, 3]], rtol=1e-6)
    assert train_s.dtype == np.float32


@pytest.mark.parametrize(
    ("args", "words"),
    [
        ((np.zeros((3, 1)), np.zeros(2)), "as many rows in X as in y, got 3 and 2"),
        ((np.zeros((3, 1)), np.zeros(3), 1.5), "0 < test_size < 1"),
        ((np.zeros((2, 1)), np.zeros(2), 0.1), "empty test set"),
    ],
)
def test_bad_splits_are_clear_errors(args, words):
    with pytest.raises(ValueError, match=words):
        train_test_split(*args)
