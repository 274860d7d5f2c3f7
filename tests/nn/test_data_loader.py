"""DataLoader: every sample once per epoch, seeded shuffling, drop_last, errors."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from nn.data import DataLoader


def data(n: int) -> tuple[np.ndarray, np.ndarray]:
    """Samples that carry their index: X[i] = [i, -i], y[i] = i."""
    y = np.arange(n)
    return np.stack([y, -y], axis=1).astype(np.float64), y


def epoch_order(loader: DataLoader) -> np.ndarray:
    return np.concatenate([yb for _, yb in loader])


@given(
    n=st.integers(1, 200),
    batch_size=st.integers(1, 64),
    shuffle=st.booleans(),
    drop_last=st.booleans(),
    seed=st.integers(0, 2**32 - 1),
)
def test_each_sample_once_per_epoch(n, batch_size, shuffle, drop_last, seed):
    if drop_last and batch_size > n:
        return  # an error, tested below
    X, y = data(n)
    loader = DataLoader(X, y, batch_size, shuffle=shuffle, rng=seed, drop_last=drop_last)
    batches = list(loader)
    assert len(batches) == len(loader) == (n // batch_size if drop_last else -(-n // batch_size))
    sizes = [len(yb) for _, yb in batches]
    assert all(size == batch_size for size in sizes[:-1]) and 1 <= sizes[-1] <= batch_size
    seen = np.concatenate([yb for _, yb in batches])
    if drop_last:
        assert len(seen) == n - n % batch_size and len(np.unique(seen)) == len(seen)
    else:
        assert np.array_equal(np.sort(seen), y)
    for Xb, yb in batches:  # rows stay paired with their targets
        assert np.array_equal(Xb[:, 0], yb) and np.array_equal(Xb[:, 1], -yb)
    if not shuffle:
        assert np.array_equal(seen, y[: len(seen)])


def test_a_new_order_each_epoch_reproducible_from_the_seed():
    X, y = data(100)
    loader = DataLoader(X, y, 16, rng=0)
    first, second = epoch_order(loader), epoch_order(loader)
    assert not np.array_equal(first, second) and not np.array_equal(first, y)
    again = DataLoader(X, y, 16, rng=0)
    assert np.array_equal(epoch_order(again), first)
    assert np.array_equal(epoch_order(again), second)
    assert not np.array_equal(epoch_order(DataLoader(X, y, 16, rng=1)), first)


def test_a_generator_is_used_as_is():
    X, y = data(50)
    generator = np.random.default_rng(9)
    loader = DataLoader(X, y, 10, rng=generator)
    assert loader.rng is generator
    expected = np.random.default_rng(9).permutation(50)
    assert np.array_equal(epoch_order(loader), expected)


def test_drop_last():
    X, y = data(10)
    assert [len(yb) for _, yb in DataLoader(X, y, 3, drop_last=True, rng=0)] == [3, 3, 3]
    assert [len(yb) for _, yb in DataLoader(X, y, 3, rng=0)] == [3, 3, 3, 1]
    assert len(DataLoader(X, y, 5, drop_last=True)) == 2 == len(DataLoader(X, y, 5))


def test_in_order_batches_are_views_and_any_trailing_shape_works():
    X = np.zeros((7, 28, 28), dtype=np.float32)
    y = np.zeros((7, 1))
    Xb, yb = next(iter(DataLoader(X, y, 4, shuffle=False)))
    assert Xb.shape == (4, 28, 28) and yb.shape == (4, 1)
    assert np.shares_memory(Xb, X) and Xb.dtype == np.float32
    Xb, _ = next(iter(DataLoader(X, y, 4)))
    assert Xb.shape == (4, 28, 28) and not np.shares_memory(Xb, X)


def test_lists_are_accepted_and_repr():
    loader = DataLoader([[1.0], [2.0], [3.0]], [0, 1, 0], 2, shuffle=False)
    assert [yb.tolist() for _, yb in loader] == [[0, 1], [0]]
    assert repr(loader) == (
        "DataLoader(n_samples=3, batch_size=2, shuffle=False, drop_last=False, batches=2)"
    )


def test_errors():
    X, y = data(10)
    with pytest.raises(ValueError, match=r"X with 10 \(shape \(10, 2\)\) and y with 9"):
        DataLoader(X, y[:9], 4)
    with pytest.raises(ValueError, match="expected batch_size >= 1, got 0"):
        DataLoader(X, y, 0)
    for bad in (2.5, True, "4", None):
        with pytest.raises(TypeError, match="expected an integer batch_size"):
            DataLoader(X, y, bad)
    with pytest.raises(ValueError, match="at least one sample, got 0"):
        DataLoader(X[:0], y[:0], 4)
    with pytest.raises(ValueError, match="with a sample axis"):
        DataLoader(np.float64(1.0), y, 4)
    with pytest.raises(ValueError, match="every epoch would be empty"):
        DataLoader(X, y, 11, drop_last=True)
    assert len(DataLoader(X, y, 11)) == 1  # without drop_last: one short batch


@pytest.mark.parametrize("bad", ["abc", 1.5, True, np.random.RandomState(0), [1, 2]])
def test_an_rng_of_the_wrong_type_names_what_is_accepted(bad):
    X, y = data(10)
    expected = "expected rng to be None, an int seed or a np.random.Generator, got"
    with pytest.raises(TypeError, match=expected):
        DataLoader(X, y, 4, rng=bad)


def test_a_negative_seed_is_a_clear_error_and_numpy_ints_are_seeds():
    X, y = data(10)
    with pytest.raises(ValueError, match="expected rng to be an int seed >= 0, got -1"):
        DataLoader(X, y, 4, rng=-1)
    same = epoch_order(DataLoader(X, y, 4, rng=np.int64(3)))
    assert np.array_equal(same, epoch_order(DataLoader(X, y, 4, rng=3)))
