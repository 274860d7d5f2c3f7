"""autograd-lite: reverse-mode automatic differentiation you can read, see and trust."""

from __future__ import annotations

from typing import Any

from autograd_lite.check import (
    GradcheckError,
    GradcheckResult,
    LocalReport,
    NonDifferentiableWarning,
    gradcheck,
    gradcheck_report,
    gradgradcheck,
    locate_wrong_vjp,
)
from autograd_lite.engine import detect_anomaly, enable_grad, no_grad
from autograd_lite.explain import (
    TooManyPathsError,
    backward_steps,
    chain_rule_paths,
    count_paths,
    explain_gradient,
    factored_paths,
    gradient_norms,
    graph_text,
    path_steps,
)
from autograd_lite.primitive import Primitive, primitive
from autograd_lite.scalar import Value
from autograd_lite.tensor import (
    Tensor,
    get_default_dtype,
    ones,
    randn,
    set_default_dtype,
    zeros,
)
from autograd_lite.tensor_ops import concatenate, maximum, minimum, stack, where
from autograd_lite.transforms import grad, hessian, hvp, jacobian, jvp, value_and_grad, vjp

# The pictures import graphviz: `autograd_lite.draw` is loaded the first time one is asked for.
_DRAW_NAMES = ("draw_gradient_flow", "draw_graph", "draw_paths", "draw_step", "render")


def __getattr__(name: str) -> Any:
    """``autograd_lite.draw_graph`` and the other pictures, from `autograd_lite.draw`."""
    if name in _DRAW_NAMES:
        from autograd_lite import draw

        return getattr(draw, name)
    raise AttributeError(f"module 'autograd_lite' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *_DRAW_NAMES})


__all__ = [
    "GradcheckError",
    "GradcheckResult",
    "LocalReport",
    "NonDifferentiableWarning",
    "Primitive",
    "Tensor",
    "TooManyPathsError",
    "Value",
    "backward_steps",
    "chain_rule_paths",
    "concatenate",
    "count_paths",
    "detect_anomaly",
    "draw_gradient_flow",
    "draw_graph",
    "draw_paths",
    "draw_step",
    "enable_grad",
    "explain_gradient",
    "factored_paths",
    "get_default_dtype",
    "grad",
    "gradcheck",
    "gradcheck_report",
    "gradgradcheck",
    "gradient_norms",
    "graph_text",
    "hessian",
    "hvp",
    "jacobian",
    "jvp",
    "locate_wrong_vjp",
    "maximum",
    "minimum",
    "no_grad",
    "ones",
    "path_steps",
    "primitive",
    "randn",
    "render",
    "set_default_dtype",
    "stack",
    "value_and_grad",
    "vjp",
    "where",
    "zeros",
]

__version__ = "0.1.0"
