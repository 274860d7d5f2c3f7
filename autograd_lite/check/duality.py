"""Forward mode against reverse mode: the two must describe one derivative.

For a function ``f`` with Jacobian ``J`` at ``x``, forward mode computes ``J u`` (`jvp`) and
reverse mode ``v^T J`` (`vjp`). For any ``u`` and ``v``, ``<J u, v> = <u, J^T v>``: an op
whose JVP rule and VJP rule disagree fails this for random directions, with no finite
difference involved (HIPS autograd checks its rules this way, ``modes=['fwd', 'rev']``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from autograd_lite.transforms import jvp, vjp

__all__ = ["check_jvp_matches_vjp"]


def check_jvp_matches_vjp(
    f: Callable[..., Any], *primals: Any, seed: int = 0, rtol: float = 1e-9, atol: float = 1e-9
) -> None:
    """Assert ``<jvp(f)(u), v> == <u, vjp(f)(v)>`` for random directions ``u`` (one per
    primal) and ``v`` (of the output's shape).

    `primals` are numbers (the `Value` engine) or float arrays (the `Tensor` engine), as for
    `autograd_lite.jvp`.

    Examples
    --------
    >>> check_jvp_matches_vjp(lambda x, y: (x * y).tanh(), 0.3, -1.2)
    """
    __tracebackhide__ = True
    rng = np.random.default_rng(seed)
    us = tuple(_random_like(p, rng) for p in primals)
    out, forward = jvp(f, primals, us)
    v = _random_like(out, rng)
    _, vjp_fn = vjp(f, *primals)
    backward = vjp_fn(v)
    lhs = float(np.sum(np.asarray(forward) * v))
    rhs = float(sum(np.sum(np.asarray(u) * np.asarray(c)) for u, c in zip(us, backward)))
    if not abs(lhs - rhs) <= atol + rtol * max(abs(lhs), abs(rhs)):
        raise AssertionError(
            f"forward and reverse mode disagree: <jvp(u), v> = {lhs!r} but <u, vjp(v)> = "
            f"{rhs!r} (difference {abs(lhs - rhs):.3g}); an op's JVP rule and VJP rule "
            f"describe different derivatives"
        )


def _random_like(x: Any, rng: np.random.Generator) -> Any:
    if np.ndim(x) == 0 and not isinstance(x, np.ndarray):
        return float(rng.standard_normal())
    return rng.standard_normal(np.shape(x)).astype(np.asarray(x).dtype)
