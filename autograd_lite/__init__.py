"""autograd-lite: reverse-mode automatic differentiation you can read, see and trust."""

from __future__ import annotations

from autograd_lite.engine import detect_anomaly, enable_grad, no_grad
from autograd_lite.gradcheck import GradcheckError, gradcheck
from autograd_lite.scalar import Value

__all__ = [
    "GradcheckError",
    "Value",
    "detect_anomaly",
    "enable_grad",
    "gradcheck",
    "no_grad",
]

__version__ = "0.1.0"
