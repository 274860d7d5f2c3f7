"""Small seeded data sets from the tutorials, generated on the fly."""

from __future__ import annotations

import numpy as np

__all__ = ["two_moons"]


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
