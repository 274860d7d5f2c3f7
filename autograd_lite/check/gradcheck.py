"""Finite-difference gradient checking: is the engine's gradient of *your* function right?

`gradcheck` compares the gradients that ``backward()`` computes with central differences
``(f(x + h) - f(x - h)) / 2h`` in float64. It works on copies of the inputs, so the caller's
nodes and their ``.grad`` are left as they were. When a gradient is wrong it goes further
than any end-to-end check: it re-checks each op of the graph on its own and names the first
op whose VJP is wrong (`autograd_lite.check.local`). At a kink of the function (relu or
abs at 0, a tie of max) it reports a non-differentiable point instead of a failure; next to
the edge of the function's domain (log at 1e-9) its steps shrink to stay inside it.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

import numpy as np

from autograd_lite import engine
from autograd_lite.check.inputs import _analytic_gradients, _Check, _float64_copy, _scalarised
from autograd_lite.check.numeric import DEFAULT_EPS
from autograd_lite.check.results import GradcheckResult, Mismatch, Verdict, kink_lines

__all__ = [
    "GradcheckError",
    "GradcheckResult",
    "Mismatch",
    "NonDifferentiableWarning",
    "gradcheck",
    "gradcheck_report",
]


class GradcheckError(AssertionError):
    """Raised by `gradcheck` when analytic and numeric gradients disagree.

    ``error.result`` is the `GradcheckResult` (mismatches, kinks and the op-by-op check).
    """

    def __init__(self, message: str, result: GradcheckResult | None = None) -> None:
        super().__init__(message)
        self.result = result


class NonDifferentiableWarning(UserWarning):
    """`gradcheck` met a kink of the function (relu or abs at 0, a tie of max) where the
    finite differences cannot check a derivative; those elements were not counted as failures."""


def gradcheck(
    f: Callable[..., Any],
    *inputs: Any,
    eps: float | None = None,
    atol: float = 1e-5,
    rtol: float = 1e-3,
    raise_exception: bool = True,
    max_elements: int = 256,
    seed: int = 0,
    localize: bool = True,
) -> bool:
    """Check ``backward()``'s gradients of ``f(*inputs)`` against central finite differences.

    Parameters
    ----------
    f : callable
        Takes the inputs and returns a `Value` or a `Tensor`. A tensor output with more than
        one element is checked through a random projection ``sum(out * v)``, which tests
        the whole vector-Jacobian product.
    *inputs : Value or Tensor
        The points to check at, copied to float64. Gradients are checked with respect to
        every `Value` and every `Tensor` with ``requires_grad=True``; other arguments
        (numbers, arrays, tensors that need no gradient) are passed to `f` as they are.
    eps : float, optional
        Relative step: each element ``x`` is moved by ``h = eps * max(1, |x|)``. The default,
        ``cbrt(machine epsilon)`` (about 6e-6), balances the truncation and rounding errors
        of a central difference in float64. Where a difference disagrees, or its two
        one-sided halves do (a possible kink), it is recomputed with ``h / 4`` before
        anything is reported. Where ``x - h`` or ``x + h`` is outside the function's
        domain (f raises ``ValueError`` or ``ArithmeticError`` there: ``log`` at 1e-9), the
        step is scaled to the distance to the domain's edge instead, or, on the edge itself
        (``a ** b`` at ``a = 0``), the difference is one-sided.
    atol, rtol : float
        An element passes when ``|analytic - numeric| <= atol + rtol * |numeric|``.
    raise_exception : bool
        Raise `GradcheckError` on a mismatch (default); otherwise return False.
    max_elements : int
        Inputs with more elements are checked along 3 random directions ``u`` (comparing
        ``<grad, u>`` with the finite-difference directional derivative) instead of one
        element at a time, which would cost two evaluations of `f` per element.
    seed : int
        Seeds the random projection and directions, so a check is reproducible.
    localize : bool
        When a gradient is wrong, re-check every op of the graph on its own and name the
        first one whose VJP is wrong (costs re-evaluations of `f`, only on failure).

    Returns
    -------
    bool
        True when every gradient matches. Elements at a kink of the function (where the
        one-sided derivatives differ and the engine's value lies between them, as ``0`` for
        ``abs`` at 0 or ``1/2`` for a tie of ``maximum``) are not failures: they are
        reported in a `NonDifferentiableWarning`.

    Raises
    ------
    GradcheckError
        Naming the input, the element and the analytic and numeric values of the worst
        mismatches, and the first op whose VJP disagrees with finite differences.
    ValueError
        When f is not defined next to an input on either side, so that no finite difference
        can reach the point: naming the input as passed, the step and what f raised.

    Examples
    --------
    >>> from autograd_lite import Value, gradcheck
    >>> gradcheck(lambda x, y: (x * y).tanh() + y.exp(), Value(0.3), Value(-1.2))
    True
    """
    result = gradcheck_report(
        f,
        *inputs,
        eps=eps,
        atol=atol,
        rtol=rtol,
        max_elements=max_elements,
        seed=seed,
        localize=localize and raise_exception,
    )
    if result.ok or not raise_exception:
        if result.nondifferentiable:
            warnings.warn(
                "\n".join(kink_lines(result.nondifferentiable)),
                NonDifferentiableWarning,
                stacklevel=2,
            )
        return result.ok
    raise GradcheckError(str(result), result)


def gradcheck_report(
    f: Callable[..., Any],
    *inputs: Any,
    eps: float | None = None,
    atol: float = 1e-5,
    rtol: float = 1e-3,
    max_elements: int = 256,
    seed: int = 0,
    localize: bool = True,
) -> GradcheckResult:
    """`gradcheck` returning everything it found instead of raising or warning.

    Takes the same arguments as `gradcheck`. ``bool(result)`` is True when every gradient
    matches; ``str(result)`` is the report.

    Examples
    --------
    >>> from autograd_lite import Value
    >>> result = gradcheck_report(lambda x: x.relu(), Value(0.0))
    >>> bool(result), [m.verdict for m in result.nondifferentiable]
    (True, ['non-differentiable point'])
    """
    eps = DEFAULT_EPS if eps is None else float(eps)
    if not eps > 0.0:
        raise ValueError(f"gradcheck: expected a positive eps, got {eps}")
    rng = np.random.default_rng(seed)
    copies = [_float64_copy(x) for x in inputs]
    nodes = [i for i, x in enumerate(copies) if isinstance(x, engine.Node) and x.requires_grad]
    if not nodes:
        raise TypeError(
            "gradcheck: expected at least one Value or Tensor input that requires grad, got none"
        )
    loss = _scalarised(f, copies, rng)
    analytic = _analytic_gradients(loss, copies, nodes)
    check = _Check(loss, copies, eps, atol, rtol)
    found: list[Mismatch] = []
    checked = 0
    for i in nodes:
        name = copies[i].label or f"input {i}"
        if np.size(copies[i].data) > max_elements:
            found += check.directions(i, analytic[i], name, rng)
            checked += check.n_directions
        else:
            found += check.elements(i, analytic[i], name)
            checked += int(np.size(copies[i].data))
    result = GradcheckResult(
        mismatches=[m for m in found if m.verdict == Verdict.WRONG],
        nondifferentiable=[m for m in found if m.verdict == Verdict.KINK],
        checked=checked,
        notes=check.notes,
    )
    if not result.ok and localize:
        from autograd_lite.check.local import locate_wrong_vjp

        try:
            result.localisation = locate_wrong_vjp(
                loss,
                *copies,
                eps=eps,
                atol=atol,
                rtol=rtol,
                max_elements=max_elements,
                seed=seed,
                _copy_inputs=False,
            )
        except Exception as error:  # the end-to-end verdict stands on its own
            result.notes.append(f"(the op-by-op check could not run: {error!r})")
    return result
