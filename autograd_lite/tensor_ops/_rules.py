"""What the derivative rules of the tensor ops share.

Every VJP and JVP rule runs in two modes: on arrays (first order, the fast path) and on
Tensors (``create_graph=True``, forward mode over reverse mode), where the operators and the
ops it calls record a graph. Most rules need nothing for that; these helpers serve the rest.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from autograd_lite.tensor import Tensor
from autograd_lite.tensor_ops import OPS


def value(x: Any) -> Any:
    """The array behind `x`: a Tensor's data, anything else as it is.

    For the factors of a rule that are piecewise constant (a mask, a sign, which input won a
    max): their derivative is 0 wherever the op is differentiable, so on nodes they are
    constants of the recorded graph, read from the values.
    """
    return x.data if type(x) is Tensor else x


def where(condition: Any, a: Any, b: Any) -> Any:
    """`tensor_ops.where`, for the rules of the ops registered before it (`select` is
    imported after `elementwise`, to keep the registry's order)."""
    return OPS["where"](np.asarray(condition), a, b)  # a NumPy bool is no operand


def diagonal_jvp(prim: Any) -> None:
    """Give an elementwise op (broadcasting allowed) its JVP from its VJP rules.

    Its Jacobian is diagonal, so an input's share of the tangent is its VJP rule with the
    tangent in place of the gradient (``g * b`` for ``a * b`` gives ``t * b``), in the
    broadcast shape. The rules are read when they run, as the engines read the VJPs.
    """
    if prim._per_input:
        prim.defjvp(*(_nth_rule(prim, i) for i in range(len(prim._rules))))
    else:
        prim.defjvp(*(_nth_gradient(prim, i) for i in range(prim.n_inputs)))


def _nth_rule(prim: Any, i: int) -> Any:
    return lambda t, *args, **kwargs: prim._rules[i](t, *args, **kwargs)


def _nth_gradient(prim: Any, i: int) -> Any:
    return lambda t, *args, **kwargs: prim.rule(t, *args, **kwargs)[i]
