"""Second derivatives checked against finite differences of first derivatives.

`gradgradcheck` differentiates the gradient that ``backward(create_graph=True)`` records:
it builds the scalar ``x -> <grad f(x), v>`` for fixed random directions ``v`` (and a random
projection of a tensor output), whose gradient is the Hessian (or the second-order VJP)
applied to ``v``, and checks that with `gradcheck`. As PyTorch's ``gradgradcheck``, a wrong
second derivative anywhere in the VJP of an op shows, even where first derivatives are right.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from autograd_lite import engine
from autograd_lite.check.gradcheck import GradcheckError, gradcheck
from autograd_lite.higher_order import differentiate
from autograd_lite.scalar import Value
from autograd_lite.tensor import Tensor

__all__ = ["gradgradcheck"]


def gradgradcheck(f: Callable[..., Any], *inputs: Any, seed: int = 0, **options: Any) -> bool:
    """Check the second derivatives of ``f(*inputs)`` against central finite differences of
    its first derivatives.

    Parameters
    ----------
    f, *inputs :
        As for `gradcheck`: `f` takes the inputs and returns a `Value` or a `Tensor`; every
        `Value` and every `Tensor` with ``requires_grad=True`` is differentiated twice.
    seed : int
        Seeds the random directions ``v`` (one per input) and the output's projection.
    **options :
        Passed to `gradcheck` (``atol``, ``rtol``, ``eps``, ``raise_exception``, ...).

    Returns
    -------
    bool
        True when ``d/dx <grad f(x), v>`` matches finite differences of ``<grad f(x), v>``.

    Raises
    ------
    GradcheckError
        Saying which second derivatives disagree (and, localised, the op of the gradient's
        graph whose VJP is wrong).

    Examples
    --------
    >>> from autograd_lite import Value, gradgradcheck
    >>> gradgradcheck(lambda x, y: (x * y).tanh() + y.exp(), Value(0.3), Value(-1.2))
    True
    """
    rng = np.random.default_rng(seed)
    positions = [i for i, x in enumerate(inputs) if _differentiable(x)]
    if not positions:
        raise ValueError(
            "gradgradcheck: expected at least one input to differentiate (a Value, or a "
            "Tensor with requires_grad=True)"
        )
    directions = {i: _random_like(inputs[i], rng) for i in positions}
    projections: dict[tuple[int, ...], np.ndarray] = {}

    def projected_gradient(*xs: Any) -> Any:
        with engine.enable_grad():  # the finite differences run f under no_grad()
            out = f(*xs)
            if not isinstance(out, engine.Node):
                raise TypeError(
                    f"gradgradcheck: expected f to return a Value or a Tensor, got "
                    f"{type(out).__name__}"
                )
            if isinstance(out, Tensor) and out.shape not in projections:
                projections[out.shape] = rng.standard_normal(out.shape)
            u = projections.get(getattr(out, "shape", None), 1.0)
            seed_node = out._gradient_node(u)
            found = differentiate(out, seed_node, [xs[i] for i in positions])
            return _inner_product(found, xs, directions)

    try:
        return gradcheck(projected_gradient, *inputs, **options)
    except GradcheckError as error:
        raise GradcheckError(
            f"gradgradcheck: second derivatives (the gradient of <grad f, v>) disagree with "
            f"finite differences of the first derivatives:\n{error}",
            error.result,
        ) from None


def _differentiable(x: Any) -> bool:
    return isinstance(x, Value) or (isinstance(x, Tensor) and x.requires_grad)


def _random_like(x: Any, rng: np.random.Generator) -> Any:
    return float(rng.standard_normal()) if isinstance(x, Value) else rng.standard_normal(x.shape)


def _inner_product(found: dict, xs: tuple[Any, ...], directions: dict[int, Any]) -> Any:
    """sum over inputs of <d out / d x_i, v_i>, recorded (a constant 0 where out does not
    depend on x_i)."""
    total: Any = None
    for i, v in directions.items():
        g = found.get(xs[i])
        if g is None:
            continue
        term = g * v if isinstance(g, Value) else (g * Tensor(v)).sum()
        total = term if total is None else total + term
    if total is None:  # out does not depend on the inputs: a zero that still does
        x = xs[next(iter(directions))]
        return x * 0.0 if isinstance(x, Value) else (x * 0.0).sum()
    return total
