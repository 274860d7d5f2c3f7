"""Which kernels run: ``"numba"`` (compiled loops) or ``"numpy"`` (the references).

The choice, in order: `set_backend` / `use_backend` from Python; else the environment
variable ``AUTOGRAD_LITE_KERNELS=numpy|numba``; else numba when it is installed (the `fast`
extra), NumPy otherwise. The environment is read at the first kernel call (and again after
``set_backend(None)``). Both give the same results to float32 rounding, so the choice is
about speed only. It holds for the whole process (it is not per thread).
"""

from __future__ import annotations

import contextlib
import importlib.util
import os

import numpy as np

__all__ = [
    "ENV_VAR",
    "backend",
    "compiled_for",
    "numba_installed",
    "set_backend",
    "use_backend",
]

ENV_VAR = "AUTOGRAD_LITE_KERNELS"
BACKENDS = ("numpy", "numba")

_chosen: str | None = None  # set from Python; None: the environment or the default decides
_broken: str | None = None  # why numba failed to import, once it has
_found: bool | None = None  # whether numba is installed, looked up once
_default: str | None = None  # the environment's choice or the default, read once


def numba_installed() -> bool:
    """True when numba can be imported (found, and not known to fail)."""
    global _found
    if _found is None:
        _found = importlib.util.find_spec("numba") is not None
    return _found and _broken is None


def _check(name: str, where: str) -> str:
    if name not in BACKENDS:
        raise ValueError(f"{where}: expected one of {BACKENDS}, got {name!r}")
    if name == "numba" and not numba_installed():
        reason = f" ({_broken})" if _broken else ""
        raise RuntimeError(
            f"{where}: numba kernels were asked for, but numba cannot be imported{reason}; "
            f"install the fast extra (pip install 'autograd-lite[fast]') or choose 'numpy'"
        )
    return name


def backend() -> str:
    """The kernels in use: ``"numba"`` or ``"numpy"``."""
    if _chosen is not None:
        return _chosen
    global _default
    if _default is None:  # read once: every op asks, and os.environ is slow to read
        env = os.environ.get(ENV_VAR, "").strip().lower()
        automatic = "numba" if numba_installed() else "numpy"
        _default = _check(env, f"${ENV_VAR}") if env else automatic
    return _default


_FLOATS = (np.dtype(np.float32), np.dtype(np.float64))  # what the loops are compiled for


def compiled_for(*arrays: np.ndarray | None) -> bool:
    """True when a compiled loop should run on these arrays: numba chosen, and every array
    (None: absent, skipped) C-contiguous, of the first one's dtype, float32 or float64."""
    if backend() != "numba":
        return False
    dtype = arrays[0].dtype
    if dtype not in _FLOATS:
        return False
    # A loop, not all() over a generator: this runs several times a step.
    for a in arrays:
        if a is not None and (a.dtype != dtype or not a.flags.c_contiguous):
            return False
    return True


def set_backend(name: str | None) -> None:
    """Choose the kernels: ``"numba"``, ``"numpy"``, or None (back to the environment
    variable, read again, or the default). Raises if numba is asked for and cannot be
    imported."""
    global _chosen, _default
    _chosen = None if name is None else _check(name, "set_backend")
    _default = None


def use_backend(name: str) -> contextlib.AbstractContextManager[None]:
    """Context manager: the kernels `name` inside, the previous choice after."""
    return _UseBackend(_check(name, "use_backend"))


class _UseBackend:
    """`use_backend` as a plain class: a generator-based context manager costs about 2 us
    per use, and benchmarks switch kernels around every training step."""

    def __init__(self, name: str) -> None:
        self._name, self._previous = name, None

    def __enter__(self) -> None:
        global _chosen
        self._previous, _chosen = _chosen, self._name

    def __exit__(self, *exc: object) -> None:
        global _chosen
        _chosen = self._previous


def mark_broken(reason: str) -> None:
    """numba was found but failed to import: use NumPy from now on (called once, by `jit`)."""
    global _broken, _chosen, _default
    _broken = reason
    _default = None
    if _chosen == "numba":
        _chosen = None
