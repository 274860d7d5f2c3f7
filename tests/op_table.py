"""The table of ops that drives the op tests: one row per op (or per variant of an op).

Each row says how to call the op, what NumPy computes for it, and on which domain (a name
from `autograd_lite.testing.DOMAINS`) it is smooth. A public op of `scalar_ops` without a
row here fails `test_every_public_op_has_a_row`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from autograd_lite import scalar_ops


@dataclass(frozen=True)
class OpCase:
    op: str  # the op's function name in scalar_ops
    variant: str  # a short id for the row
    domains: tuple[str, ...]  # one per argument
    call: Callable[..., Any]  # nodes -> node
    reference: Callable[..., Any]  # floats/arrays -> the same value, computed by NumPy

    @property
    def id(self) -> str:
        return self.variant


def _sigmoid(x: Any, beta: float = 1.0) -> Any:
    return 1.0 / (1.0 + np.exp(-beta * np.asarray(x, dtype=np.float64)))


def _gaussian(x: Any, mu: float = 0.0, sigma: float = 1.0) -> Any:
    return np.exp(-((x - mu) ** 2) / (2 * sigma**2)) / (sigma * np.sqrt(2 * np.pi))


OPS: list[OpCase] = [
    OpCase("add", "add", ("real", "real"), lambda a, b: a + b, np.add),
    OpCase("add", "radd", ("real",), lambda a: 2.5 + a, lambda x: 2.5 + x),
    OpCase("sub", "sub", ("real", "real"), lambda a, b: a - b, np.subtract),
    OpCase("sub", "rsub", ("real",), lambda a: 1.5 - a, lambda x: 1.5 - x),
    OpCase("mul", "mul", ("real", "real"), lambda a, b: a * b, np.multiply),
    OpCase("mul", "rmul", ("real",), lambda a: -3.0 * a, lambda x: -3.0 * x),
    OpCase("div", "div", ("real", "nonzero"), lambda a, b: a / b, np.divide),
    OpCase("div", "rdiv", ("nonzero",), lambda a: 2.0 / a, lambda x: 2.0 / x),
    OpCase("neg", "neg", ("real",), lambda a: -a, np.negative),
    OpCase("pow", "square", ("real",), lambda a: a**2, lambda x: x**2.0),
    OpCase("pow", "cube", ("real",), lambda a: a**3, lambda x: x**3.0),
    OpCase("pow", "root", ("positive",), lambda a: a**0.5, np.sqrt),
    OpCase("pow", "negative-power", ("positive",), lambda a: a**-1.5, lambda x: x**-1.5),
    OpCase("pow", "value-exponent", ("positive", "exponent"), lambda a, b: a**b, np.power),
    OpCase("pow", "rpow", ("exponent",), lambda a: 2.0**a, lambda x: 2.0**x),
    OpCase("exp", "exp", ("real",), lambda a: a.exp(), np.exp),
    OpCase("log", "log", ("positive",), lambda a: a.log(), np.log),
    OpCase("sqrt", "sqrt", ("positive",), lambda a: a.sqrt(), np.sqrt),
    OpCase("abs", "abs", ("kink_at_zero",), lambda a: abs(a), np.abs),
    OpCase("tanh", "tanh", ("real",), lambda a: a.tanh(), np.tanh),
    OpCase("sigmoid", "sigmoid", ("real",), lambda a: a.sigmoid(), _sigmoid),
    OpCase(
        "sigmoid",
        "sigmoid-beta",
        ("real",),
        lambda a: a.sigmoid(beta=2.5),
        lambda x: _sigmoid(x, 2.5),
    ),
    OpCase("relu", "relu", ("kink_at_zero",), lambda a: a.relu(), lambda x: np.maximum(x, 0.0)),
    OpCase(
        "leaky_relu",
        "leaky_relu",
        ("kink_at_zero",),
        lambda a: a.leaky_relu(0.2),
        lambda x: np.where(x > 0, x, 0.2 * x),
    ),
    OpCase(
        "hard_sigmoid",
        "hard_sigmoid",
        ("hard_sigmoid",),
        lambda a: a.hard_sigmoid(),
        lambda x: np.clip((x + 3.0) / 6.0, 0.0, 1.0),
    ),
    OpCase(
        "gaussian",
        "gaussian",
        ("real",),
        lambda a: a.gaussian(mu=0.5, sigma=2.0),
        lambda x: _gaussian(x, 0.5, 2.0),
    ),
    OpCase(
        "step", "step", ("kink_at_zero",), lambda a: a.step(), lambda x: np.where(x >= 0, 1.0, 0.0)
    ),
    OpCase(
        "linear",
        "linear",
        ("real",) * 5,
        lambda w0, w1, x0, x1, b: scalar_ops.linear([w0, w1], [x0, x1], b),
        lambda w0, w1, x0, x1, b: w0 * x0 + w1 * x1 + b,
    ),
]
