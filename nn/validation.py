"""Argument checks for all of `nn`: one function per kind of argument, one rule for errors.

A value of the wrong *type* (a string for a size, a float for a count, a bool for a number)
is a `TypeError`; a value of the right type that is out of range (a negative size, a NaN
rate, an unknown name) is a `ValueError`. Every message reads
``"<owner>: expected <name> <what>, got <value>"``, where the owner is the function or class
the user called.

Each check returns the value in its canonical form (an ``int``, a ``float``, a ``bool``, an
``np.random.Generator``, ...), so callers store what the check returns.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Sequence
from typing import Any

import numpy as np

__all__ = [
    "Rng",
    "axis_in_range",
    "boolean",
    "choice",
    "floating_dtype",
    "generator",
    "int_axis",
    "integer",
    "positive_int",
    "probability",
    "real",
    "shape",
]

# What every `rng=` argument takes: a generator (advanced), a seed, or None (fresh entropy).
Rng = np.random.Generator | int | None


def _is_int(value: Any) -> bool:
    """Python and NumPy integers, but not bools (``True`` as a size is surely a slip)."""
    return isinstance(value, (numbers.Integral, np.integer)) and not isinstance(
        value, (bool, np.bool_)
    )


def _is_real(value: Any) -> bool:
    return isinstance(value, (numbers.Real, np.floating, np.integer)) and not isinstance(
        value, (bool, np.bool_)
    )


def integer(owner: str, name: str, value: Any, minimum: int | None = None) -> int:
    """`value` as an ``int`` (>= `minimum` when given).

    Raises
    ------
    TypeError
        Not an integer (a float such as ``2.0``, a bool, a string).
    ValueError
        Below `minimum`.
    """
    if not _is_int(value):
        raise TypeError(f"{owner}: expected {name} to be an integer, got {value!r}")
    if minimum is not None and value < minimum:
        raise ValueError(f"{owner}: expected {name} >= {minimum}, got {value!r}")
    return int(value)


def positive_int(owner: str, name: str, value: Any) -> int:
    """`value` as an ``int`` >= 1 (a size or a count); see `integer`."""
    if not _is_int(value):
        raise TypeError(f"{owner}: expected a positive integer for {name}, got {value!r}")
    if value < 1:
        raise ValueError(f"{owner}: expected a positive integer for {name}, got {value!r}")
    return int(value)


def real(
    owner: str,
    name: str,
    value: Any,
    low: float | None = None,
    high: float | None = None,
    *,
    low_open: bool = False,
    high_open: bool = False,
) -> float:
    """`value` as a finite ``float`` in the interval from `low` to `high` (open ends when
    asked; None: unbounded).

    Raises
    ------
    TypeError
        Not a real number (a string, None, a bool, a complex number).
    ValueError
        NaN, infinite, or outside the interval.
    """
    if not _is_real(value):
        raise TypeError(f"{owner}: expected {name} to be a real number, got {value!r}")
    x = float(value)
    below = low is not None and (x <= low if low_open else x < low)
    above = high is not None and (x >= high if high_open else x > high)
    if not math.isfinite(x) or below or above:
        interval = _interval(low, high, low_open, high_open)
        raise ValueError(f"{owner}: expected {name} {interval}, got {value!r}")
    return x


def _interval(low: float | None, high: float | None, low_open: bool, high_open: bool) -> str:
    if low is None and high is None:
        return "to be a finite real number"
    if high is None:
        return f"{'>' if low_open else '>='} {low:g}"
    if low is None:
        return f"{'<' if high_open else '<='} {high:g}"
    return f"in {'(' if low_open else '['}{low:g}, {high:g}{')' if high_open else ']'}"


def probability(owner: str, name: str, value: Any) -> float:
    """`value` as a ``float`` in [0, 1]; see `real`."""
    return real(owner, name, value, 0.0, 1.0)


def boolean(owner: str, name: str, value: Any) -> bool:
    """`value` as a ``bool`` (Python's or NumPy's); anything else is a TypeError, so that
    ``nesterov="no"`` does not switch Nesterov momentum on."""
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{owner}: expected {name} to be True or False, got {value!r}")
    return bool(value)


def choice(owner: str, name: str, value: Any, options: Sequence[str]) -> str:
    """`value`, one of the names in `options` (a TypeError when it is not a string)."""
    if not isinstance(value, str):
        raise TypeError(f"{owner}: expected {name} in {tuple(options)}, got {value!r}")
    if value not in options:
        raise ValueError(f"{owner}: expected {name} in {tuple(options)}, got {value!r}")
    return value


def generator(owner: str, rng: Any) -> np.random.Generator:
    """`rng` as a Generator: a Generator as it is (it is advanced, so one seeds a whole
    model), an int seed >= 0 or None (fresh entropy) for a new one.

    Checked here because NumPy's own errors for, say, ``rng="abc"`` speak of SeedSequence
    entropy; a bool is refused too, as it is surely a misplaced flag.
    """
    if isinstance(rng, np.random.Generator):
        return rng
    if rng is not None and not _is_int(rng):
        raise TypeError(
            f"{owner}: expected rng to be an np.random.Generator, an int seed or None, got "
            f"{type(rng).__name__}"
        )
    if rng is not None and rng < 0:
        raise ValueError(f"{owner}: expected rng to be an int seed >= 0, got {rng}")
    return np.random.default_rng(rng)


def int_axis(owner: str, name: str, value: Any) -> int:
    """`value` as an ``int`` axis (negative counts from the end); its range is checked
    against an input by `axis_in_range`."""
    if not _is_int(value):
        raise TypeError(f"{owner}: expected {name} to be an int axis, got {type(value).__name__}")
    return int(value)


def axis_in_range(owner: str, name: str, value: int, ndim: int) -> int:
    """`value` as a non-negative axis of an array with `ndim` axes (-1 is the last one).

    A 0-d array is treated as having one axis, so that axis 0 and -1 of a scalar work as
    NumPy's ``reshape(-1)`` does.
    """
    n = max(ndim, 1)
    if not -n <= value < n:
        raise ValueError(
            f"{owner}: expected {name} in [{-n}, {n}) for an input with {ndim} axes, got {value}"
        )
    return value % n


def floating_dtype(owner: str, dtype: Any) -> np.dtype:
    """`dtype` as a floating NumPy dtype (float32, float64, ...)."""
    try:
        dt = np.dtype(dtype)
    except TypeError:
        raise TypeError(f"{owner}: expected a floating dtype, got {dtype!r}") from None
    if dt.kind != "f":
        raise TypeError(f"{owner}: expected a floating dtype, got {dt}")
    return dt


def shape(owner: str, value: Any) -> tuple[int, ...]:
    """`value` as a tuple of non-negative ints; an int is a 1-D shape."""
    dims = (value,) if _is_int(value) else value
    if not isinstance(dims, (tuple, list)) or not all(_is_int(d) for d in dims):
        raise TypeError(
            f"{owner}: expected a shape (an int or a tuple of non-negative ints), got {value!r}"
        )
    if any(d < 0 for d in dims):
        raise ValueError(
            f"{owner}: expected a shape (an int or a tuple of non-negative ints), got {value!r}"
        )
    return tuple(int(d) for d in dims)
