"""Mini-batches of NumPy arrays, with seeded shuffling."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np

__all__ = ["DataLoader"]


class DataLoader:
    """Iterate over ``(X_batch, y_batch)`` mini-batches of two arrays, epoch after epoch.

    Parameters
    ----------
    X, y : array_like
        Inputs and targets, the same length along axis 0 (any trailing shapes).
    batch_size : int
        Samples per batch (the last batch of an epoch may be smaller, see `drop_last`).
    shuffle : bool
        Visit the samples in a new random order each epoch (each ``iter()``), drawn from
        `rng`; otherwise in order.
    rng : np.random.Generator or int or None
        Seed or generator for the shuffling: the same seed gives the same sequence of
        epochs. A Generator passed in is used (and advanced) as is.
    drop_last : bool
        Skip the last batch of an epoch when it is smaller than `batch_size`.

    Notes
    -----
    Batches are NumPy arrays. Without shuffling they are views of `X` and `y` (no copy);
    with shuffling each batch is gathered with one fancy index into one permutation per
    epoch. ``len(loader)`` is the number of batches per epoch.

    Examples
    --------
    >>> X, y = np.arange(10.0).reshape(5, 2), np.arange(5)
    >>> [yb.tolist() for _, yb in DataLoader(X, y, batch_size=2, shuffle=False)]
    [[0, 1], [2, 3], [4]]
    """

    def __init__(
        self,
        X: np.ndarray,
        y: np.ndarray,
        batch_size: int,
        shuffle: bool = True,
        rng: np.random.Generator | int | None = None,
        drop_last: bool = False,
    ) -> None:
        X = np.asarray(X)
        y = np.asarray(y)
        if X.ndim == 0 or y.ndim == 0:
            raise ValueError(
                f"DataLoader: expected X and y with a sample axis, got shapes {X.shape} "
                f"and {y.shape}"
            )
        if len(X) != len(y):
            raise ValueError(
                f"DataLoader: expected X and y with the same number of samples, got "
                f"X with {len(X)} (shape {X.shape}) and y with {len(y)} (shape {y.shape})"
            )
        if len(X) == 0:
            raise ValueError("DataLoader: expected at least one sample, got 0")
        if isinstance(batch_size, bool) or not isinstance(batch_size, (int, np.integer)):
            raise TypeError(f"DataLoader: expected an integer batch_size, got {batch_size!r}")
        if batch_size < 1:
            raise ValueError(f"DataLoader: expected batch_size >= 1, got {batch_size}")
        if drop_last and batch_size > len(X):
            # An epoch with no batch at all is surely a mistake (a loss averaged over zero
            # batches, a model that never trains): say so now rather than iterate silently.
            raise ValueError(
                f"DataLoader: expected batch_size <= {len(X)} samples with drop_last=True, "
                f"got {batch_size}: every epoch would be empty"
            )
        self.X = X
        self.y = y
        self.batch_size = int(batch_size)
        self.shuffle = bool(shuffle)
        self.drop_last = bool(drop_last)
        self.rng = _generator(rng)

    @property
    def n_samples(self) -> int:
        """Number of samples in the data set."""
        return len(self.X)

    def __len__(self) -> int:
        """Number of batches per epoch."""
        full, rest = divmod(self.n_samples, self.batch_size)
        return full + (1 if rest and not self.drop_last else 0)

    def __iter__(self) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        n, size = self.n_samples, self.batch_size
        stop = len(self) * size  # past the end for a short last batch: slicing clips it
        if not self.shuffle:
            for start in range(0, stop, size):
                yield self.X[start : start + size], self.y[start : start + size]
            return
        # Drawn when the epoch starts (not when the loader is built), so each epoch differs
        # and the sequence of epochs is reproducible from the seed.
        order = self.rng.permutation(n)
        for start in range(0, stop, size):
            index = order[start : start + size]
            yield self.X[index], self.y[index]

    def __repr__(self) -> str:
        return (
            f"DataLoader(n_samples={self.n_samples}, batch_size={self.batch_size}, "
            f"shuffle={self.shuffle}, drop_last={self.drop_last}, batches={len(self)})"
        )


def _generator(rng: Any) -> np.random.Generator:
    """`rng` as a Generator: None (fresh entropy), an int seed >= 0, or a Generator (as is).

    Checked here because NumPy's own error for, say, ``rng='abc'`` speaks of SeedSequence
    entropy; a bool is refused too, as it is surely a misplaced ``shuffle`` flag.
    """
    if rng is None or isinstance(rng, np.random.Generator):
        return np.random.default_rng(rng)
    if isinstance(rng, (bool, np.bool_)) or not isinstance(rng, (int, np.integer)):
        raise TypeError(
            f"DataLoader: expected rng to be None, an int seed or a np.random.Generator, "
            f"got {rng!r:.60} of type {type(rng).__name__}"
        )
    if rng < 0:
        raise ValueError(f"DataLoader: expected rng to be an int seed >= 0, got {rng}")
    return np.random.default_rng(rng)
