"""autograd-lite: reverse-mode automatic differentiation you can read, see and trust."""

from __future__ import annotations

from autograd_lite.engine import detect_anomaly, enable_grad, no_grad
from autograd_lite.flow import draw_gradient_flow, gradient_norms
from autograd_lite.gradcheck import (
    GradcheckError,
    NonDifferentiableWarning,
    gradcheck,
    gradcheck_report,
)
from autograd_lite.gradcheck_local import locate_wrong_vjp
from autograd_lite.gradcheck_results import GradcheckResult, LocalReport
from autograd_lite.paths import (
    TooManyPathsError,
    chain_rule_paths,
    count_paths,
    explain_gradient,
    factored_paths,
)
from autograd_lite.paths_draw import draw_paths
from autograd_lite.primitive import Primitive, primitive
from autograd_lite.replay import backward_steps, draw_step
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
from autograd_lite.viz import draw_graph, render
from autograd_lite.viz_text import graph_text

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
    "gradcheck",
    "gradcheck_report",
    "gradient_norms",
    "graph_text",
    "locate_wrong_vjp",
    "maximum",
    "minimum",
    "no_grad",
    "ones",
    "primitive",
    "randn",
    "render",
    "set_default_dtype",
    "stack",
    "where",
    "zeros",
]

__version__ = "0.1.0"
