"""autograd-lite: reverse-mode automatic differentiation you can read, see and trust."""

from __future__ import annotations

from autograd_lite.engine import detect_anomaly, enable_grad, no_grad
from autograd_lite.gradcheck import GradcheckError, gradcheck

# The engines first: each binds its op module's functions as its operators on import.
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

__all__ = [
    "GradcheckError",
    "Tensor",
    "Value",
    "concatenate",
    "detect_anomaly",
    "enable_grad",
    "get_default_dtype",
    "gradcheck",
    "maximum",
    "minimum",
    "no_grad",
    "ones",
    "randn",
    "set_default_dtype",
    "stack",
    "where",
    "zeros",
]

__version__ = "0.1.0"
