"""Initial values for weights: NumPy arrays drawn from a seeded generator.

Each function takes the shape of the array to make and returns a new array (float32 by
default), so a layer does ``Tensor(init.kaiming_uniform((out, in)), requires_grad=True)``.
The definitions follow PyTorch's ``torch.nn.init``: for a weight of shape
``(out_features, in_features)``, ``fan_in = in_features`` and ``fan_out = out_features``;
for more axes (convolution kernels ``(out, in, *kernel)``) both are multiplied by the size
of the kernel.

Random functions take ``rng``: an ``np.random.Generator`` (it is advanced, so one generator
seeds a whole model), an int seed, or None for fresh entropy.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from nn.validation import Rng, choice, floating_dtype, generator, real
from nn.validation import shape as checked_shape

__all__ = [
    "calculate_gain",
    "compute_fans",
    "kaiming_normal",
    "kaiming_uniform",
    "normal",
    "ones",
    "uniform",
    "xavier_normal",
    "xavier_uniform",
    "zeros",
]

Shape = int | tuple[int, ...]

_LINEAR_GAIN = ("linear", "identity", "conv1d", "conv2d", "conv3d", "sigmoid")
_NONLINEARITIES = tuple(sorted({*_LINEAR_GAIN, "tanh", "relu", "selu", "leaky_relu"}))


# ------------------------------------------------------------------------------- helpers


def compute_fans(shape: Shape) -> tuple[int, int]:
    """``(fan_in, fan_out)`` of a weight of `shape`, as PyTorch defines them.

    ``(out, in)`` gives ``(in, out)``; ``(out, in, *kernel)`` gives
    ``(in * prod(kernel), out * prod(kernel))``. Fewer than two axes is a ValueError: a
    bias has no fan-out.
    """
    return _compute_fans(shape, "compute_fans")


def calculate_gain(nonlinearity: str, param: float | None = None) -> float:
    """The factor that keeps the variance of activations steady through `nonlinearity`.

    ``linear``/``identity``/``sigmoid``: 1; ``tanh``: 5/3; ``relu``: sqrt(2);
    ``leaky_relu``: sqrt(2 / (1 + slope**2)) with slope `param` (default 0.01);
    ``selu``: 3/4 (PyTorch's values).
    """
    choice("calculate_gain", "nonlinearity", nonlinearity, _NONLINEARITIES)
    if nonlinearity in _LINEAR_GAIN:
        return 1.0
    if nonlinearity == "tanh":
        return 5.0 / 3.0
    if nonlinearity == "relu":
        return math.sqrt(2.0)
    if nonlinearity == "selu":
        return 0.75
    slope = 0.01 if param is None else real("calculate_gain", "param", param)  # leaky_relu
    return math.sqrt(2.0 / (1.0 + slope * slope))


# --------------------------------------------------------------------------- constants


def zeros(shape: Shape, *, dtype: Any = np.float32) -> np.ndarray:
    """An array of zeros (a usual bias)."""
    return np.zeros(checked_shape("zeros", shape), dtype=floating_dtype("zeros", dtype))


def ones(shape: Shape, *, dtype: Any = np.float32) -> np.ndarray:
    """An array of ones."""
    return np.ones(checked_shape("ones", shape), dtype=floating_dtype("ones", dtype))


# ------------------------------------------------------------------------- distributions


def uniform(
    shape: Shape, low: float = 0.0, high: float = 1.0, *, rng: Rng = None, dtype: Any = np.float32
) -> np.ndarray:
    """Samples of U(low, high)."""
    low, high = real("uniform", "low", low), real("uniform", "high", high)
    if not low <= high:
        raise ValueError(f"uniform: expected low <= high, got low={low}, high={high}")
    return _uniform(shape, low, high, rng, dtype, "uniform")


def normal(
    shape: Shape, mean: float = 0.0, std: float = 1.0, *, rng: Rng = None, dtype: Any = np.float32
) -> np.ndarray:
    """Samples of N(mean, std**2)."""
    mean, std = real("normal", "mean", mean), real("normal", "std", std)
    if std < 0:
        raise ValueError(f"normal: expected std >= 0, got {std}")
    return _normal(shape, mean, std, rng, dtype, "normal")


def xavier_uniform(
    shape: Shape, gain: float = 1.0, *, rng: Rng = None, dtype: Any = np.float32
) -> np.ndarray:
    """Glorot's uniform initialisation: U(-a, a) with a = gain * sqrt(6 / (fan_in + fan_out)).

    Keeps the variance of activations and of gradients about equal across layers of
    tanh- or sigmoid-like units (Glorot and Bengio, 2010).
    """
    fan_in, fan_out = _fans(shape, "xavier_uniform")
    bound = real("xavier_uniform", "gain", gain) * math.sqrt(6.0 / (fan_in + fan_out))
    return _uniform(shape, -bound, bound, rng, dtype, "xavier_uniform")


def xavier_normal(
    shape: Shape, gain: float = 1.0, *, rng: Rng = None, dtype: Any = np.float32
) -> np.ndarray:
    """Glorot's normal initialisation: N(0, std**2), std = gain * sqrt(2 / (fan_in + fan_out))."""
    fan_in, fan_out = _fans(shape, "xavier_normal")
    std = real("xavier_normal", "gain", gain) * math.sqrt(2.0 / (fan_in + fan_out))
    return _normal(shape, 0.0, std, rng, dtype, "xavier_normal")


def kaiming_uniform(
    shape: Shape,
    a: float = 0.0,
    mode: str = "fan_in",
    nonlinearity: str = "leaky_relu",
    *,
    rng: Rng = None,
    dtype: Any = np.float32,
) -> np.ndarray:
    """He's uniform initialisation: U(-b, b) with b = gain * sqrt(3 / fan).

    Parameters
    ----------
    shape : int or tuple of int
        At least two axes, ``(out, in, ...)``.
    a : float
        The negative slope of the leaky ReLU that follows (used when `nonlinearity` is
        ``"leaky_relu"``). ``a = sqrt(5)`` gives PyTorch's default for ``Linear``:
        U(-1/sqrt(fan_in), 1/sqrt(fan_in)).
    mode : {"fan_in", "fan_out"}
        ``fan_in`` keeps the variance of activations steady in the forward pass,
        ``fan_out`` that of gradients in the backward pass.
    nonlinearity : str
        See `calculate_gain`; ``"relu"`` for ReLU networks.
    """
    fan = _fan(shape, mode, "kaiming_uniform")
    gain = calculate_gain(nonlinearity, real("kaiming_uniform", "a", a))
    bound = gain * math.sqrt(3.0 / fan)  # U(-b, b) has variance b**2 / 3 = gain**2 / fan
    return _uniform(shape, -bound, bound, rng, dtype, "kaiming_uniform")


def kaiming_normal(
    shape: Shape,
    a: float = 0.0,
    mode: str = "fan_in",
    nonlinearity: str = "leaky_relu",
    *,
    rng: Rng = None,
    dtype: Any = np.float32,
) -> np.ndarray:
    """He's normal initialisation: N(0, std**2) with std = gain / sqrt(fan).

    Arguments as `kaiming_uniform`.
    """
    fan = _fan(shape, mode, "kaiming_normal")
    gain = calculate_gain(nonlinearity, real("kaiming_normal", "a", a))
    return _normal(shape, 0.0, gain / math.sqrt(fan), rng, dtype, "kaiming_normal")


# ------------------------------------------------------------------------------ checks


def _uniform(shape: Shape, low: float, high: float, rng: Rng, dtype: Any, op: str) -> np.ndarray:
    dims, dt = checked_shape(op, shape), floating_dtype(op, dtype)
    # Drawn in float64 and then cast, so a seed gives the same numbers in every dtype.
    return generator(op, rng).uniform(low, high, dims).astype(dt)


def _normal(shape: Shape, mean: float, std: float, rng: Rng, dtype: Any, op: str) -> np.ndarray:
    dims, dt = checked_shape(op, shape), floating_dtype(op, dtype)
    return generator(op, rng).normal(mean, std, dims).astype(dt)


def _compute_fans(shape: Shape, op: str) -> tuple[int, int]:
    dims = checked_shape(op, shape)
    if len(dims) < 2:
        raise ValueError(
            f"{op}: expected a weight shape with at least 2 axes (out, in, ...), got {dims}"
        )
    receptive = math.prod(dims[2:])
    return dims[1] * receptive, dims[0] * receptive


def _fans(shape: Shape, op: str) -> tuple[int, int]:
    """The fans of a weight that a variance can be divided by (no zero-length axes)."""
    fan_in, fan_out = _compute_fans(shape, op)
    if fan_in == 0 or fan_out == 0:
        dims = checked_shape(op, shape)
        raise ValueError(f"{op}: expected a shape without zero-length axes, got {dims}")
    return fan_in, fan_out


def _fan(shape: Shape, mode: str, op: str) -> int:
    choice(op, "mode", mode, ("fan_in", "fan_out"))
    fan_in, fan_out = _fans(shape, op)
    return fan_in if mode == "fan_in" else fan_out
