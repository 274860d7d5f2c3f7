"""Gradient health: gradient and parameter norms, update ratios and dead ReLUs, layer by
layer (`grad_report`), with the forward pass recorded by forward hooks (`watch`)."""

from __future__ import annotations

from nn.health.report import GradReport, ParamHealth, grad_report
from nn.health.watch import ReluHealth, Watch, watch

__all__ = ["GradReport", "ParamHealth", "ReluHealth", "Watch", "grad_report", "watch"]
