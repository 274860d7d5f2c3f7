"""Gradient health: gradient and parameter norms, update ratios and dead ReLUs, layer by
layer (`grad_report`), with the forward pass recorded by forward hooks (`watch`)."""

from __future__ import annotations

from nn.health.dead_units import ReluHealth, Watch, watch
from nn.health.report import GradReport, ParamHealth, grad_report

__all__ = ["GradReport", "ParamHealth", "ReluHealth", "Watch", "grad_report", "watch"]
