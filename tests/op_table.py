"""The table of ops that drives the op tests of both engines: one row per op (or variant).

Each row says how to call the op, what NumPy computes for it, and on which domain (a name
from `autograd_lite.testing.DOMAINS`) it is smooth. `OPS` holds the ops both engines share
(the calls work on a `Value` and on a `Tensor` alike, except `linear`); `TENSOR_OPS` adds
the tensor-only ops with the shapes to test them on, and `LOSS_OPS` the fused losses. An op
registered in `scalar_ops.OPS` or `tensor_ops.OPS` without a row here fails a test
(`registered_without_a_row`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from hypothesis import strategies as st

from autograd_lite import scalar_ops
from autograd_lite import tensor_ops as T
from autograd_lite.testing import Domain, broadcastable_shapes


@dataclass(frozen=True)
class OpCase:
    op: str  # the op's name in scalar_ops.OPS
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


# ------------------------------------------------------------------------------ tensors

# Points where maximum/minimum/clip switch branches, and the domain that avoids them.
GRID = np.array([-5.0, 0.5, 5.0])
AWAY_FROM_GRID = Domain(-10.0, 10.0, kinks=tuple(GRID))
CLIP = Domain(-10.0, 10.0, kinks=(-1.0, 2.0))
MASK = np.array([[True, False, True], [False, True, True]])
# Distinct values a quarter apart: max, min and std have no ties and no zero spread.
DISTINCT = st.integers(-40, 40).map(lambda k: k / 4.0)


@dataclass(frozen=True)
class TensorCase:
    op: str  # the op's name in tensor_ops.OPS
    variant: str
    domains: tuple[str | Domain, ...]  # one per argument
    call: Callable[..., Any]
    reference: Callable[..., Any]
    # The argument shapes: a strategy of tuples of shapes (default: mutually broadcastable).
    shapes: Any = None
    distinct: bool = False  # elements from DISTINCT, unique within each array

    @property
    def id(self) -> str:
        return self.variant

    def shape_strategy(self) -> Any:
        if self.shapes is None:
            return broadcastable_shapes(len(self.domains))
        return self.shapes if isinstance(self.shapes, st.SearchStrategy) else st.just(self.shapes)


def _fixed(*shapes: tuple[int, ...]) -> Any:
    return st.just(shapes)


def _row(op: str, variant: str, shapes: Any, call: Any, reference: Any, **kw: Any) -> TensorCase:
    domains = kw.pop("domains", ("real",) * len(shapes))
    return TensorCase(op, variant, domains, call, reference, _fixed(*shapes), **kw)


def _linear_relu(x: Any, w: Any, b: Any = 0.0) -> Any:
    return np.maximum(x @ w.T + b, 0.0)


TENSOR_OPS: list[TensorCase] = [
    *[TensorCase(c.op, c.variant, c.domains, c.call, c.reference) for c in OPS if c.op != "linear"],
    _row("linear", "linear", [(3, 4), (5, 4), (5,)], T.linear, lambda x, w, b: x @ w.T + b),
    _row("linear", "linear-batched", [(2, 3, 4), (5, 4)], T.linear, lambda x, w: x @ w.T),
    # relu(x @ w.T + b) with every unit active, then every unit dead: a pre-activation
    # never near the kink, whatever the draw (mixed masks: test_kernels_dense.py).
    _row(
        "linear_relu",
        "linear_relu",
        [(3, 4), (5, 4), (5,)],
        T.linear_relu,
        _linear_relu,
        domains=("positive", "positive", "positive"),
    ),
    _row(
        "linear_relu",
        "linear_relu-dead",
        [(3, 4), (5, 4), (5,)],
        T.linear_relu,
        _linear_relu,
        domains=("positive", "positive", Domain(-1000.0, -500.0)),
    ),
    _row(
        "linear_relu",
        "linear_relu-batched",
        [(2, 3, 4), (5, 4)],
        T.linear_relu,
        _linear_relu,
        domains=("positive", "positive"),
    ),
    _row("matmul", "matmul-2d", [(3, 4), (4, 2)], lambda a, b: a @ b, np.matmul),
    _row("matmul", "matmul-1d-1d", [(4,), (4,)], lambda a, b: a @ b, np.matmul),
    _row("matmul", "matmul-2d-1d", [(3, 4), (4,)], lambda a, b: a @ b, np.matmul),
    _row("matmul", "matmul-1d-2d", [(4,), (4, 2)], lambda a, b: a @ b, np.matmul),
    _row("matmul", "matmul-batched", [(2, 1, 3, 4), (5, 4, 2)], T.matmul, np.matmul),
    _row(
        "matmul",
        "rmatmul-array",
        [(4, 2)],
        lambda b: np.ones((3, 4)) @ b,
        lambda b: np.ones((3, 4)) @ b,
    ),
    _row(
        "where",
        "where",
        [(2, 3), (3,)],
        lambda a, b: T.where(MASK, a, b),
        lambda a, b: np.where(MASK, a, b),
    ),
    _row(
        "maximum",
        "maximum",
        [(2, 3)],
        lambda a: T.maximum(a, GRID),
        lambda a: np.maximum(a, GRID),
        domains=(AWAY_FROM_GRID,),
    ),
    _row(
        "minimum",
        "minimum",
        [(2, 3)],
        lambda a: T.minimum(GRID, a),
        lambda a: np.minimum(GRID, a),
        domains=(AWAY_FROM_GRID,),
    ),
    _row(
        "clip",
        "clip",
        [(2, 3)],
        lambda a: a.clip(-1.0, 2.0),
        lambda a: np.clip(a, -1.0, 2.0),
        domains=(CLIP,),
    ),
    _row("sum", "sum-all", [(2, 3, 4)], lambda a: a.sum(), np.sum),
    _row("sum", "sum-axis", [(2, 3, 4)], lambda a: a.sum(axis=1), lambda a: a.sum(axis=1)),
    _row(
        "sum",
        "sum-axes-keepdims",
        [(2, 3, 4)],
        lambda a: a.sum(axis=(0, 2), keepdims=True),
        lambda a: a.sum(axis=(0, 2), keepdims=True),
    ),
    _row("mean", "mean-all", [(2, 3, 4)], lambda a: a.mean(), np.mean),
    _row(
        "mean",
        "mean-last-axis",
        [(2, 3, 4)],
        lambda a: a.mean(axis=-1, keepdims=True),
        lambda a: a.mean(axis=-1, keepdims=True),
    ),
    _row("max", "max-all", [(3, 4)], lambda a: a.max(), np.max, distinct=True),
    _row(
        "max", "max-axis", [(3, 4)], lambda a: a.max(axis=1), lambda a: a.max(axis=1), distinct=True
    ),
    _row(
        "min",
        "min-axis-keepdims",
        [(3, 4)],
        lambda a: a.min(axis=0, keepdims=True),
        lambda a: a.min(axis=0, keepdims=True),
        distinct=True,
    ),
    _row("var", "var", [(3, 4)], lambda a: a.var(axis=1), lambda a: a.var(axis=1)),
    _row("var", "var-ddof", [(3, 4)], lambda a: a.var(ddof=1), lambda a: a.var(ddof=1)),
    _row("std", "std", [(3, 4)], lambda a: a.std(axis=0), lambda a: a.std(axis=0), distinct=True),
    _row(
        "logsumexp",
        "logsumexp-all",
        [(3, 4)],
        lambda a: a.logsumexp(),
        lambda a: np.log(np.exp(a).sum()),
    ),
    _row(
        "logsumexp",
        "logsumexp-axis",
        [(3, 4)],
        lambda a: a.logsumexp(axis=1),
        lambda a: np.log(np.exp(a).sum(axis=1)),
    ),
    _row(
        "softmax",
        "softmax",
        [(3, 4)],
        lambda a: a.softmax(axis=-1),
        lambda a: np.exp(a) / np.exp(a).sum(-1, keepdims=True),
    ),
    _row(
        "softmax",
        "softmax-axis-0",
        [(3, 4)],
        lambda a: a.softmax(axis=0),
        lambda a: np.exp(a) / np.exp(a).sum(0, keepdims=True),
    ),
    _row(
        "log_softmax",
        "log_softmax",
        [(3, 4)],
        lambda a: a.log_softmax(),
        lambda a: a - np.log(np.exp(a).sum(-1, keepdims=True)),
    ),
    _row("reshape", "reshape", [(2, 6)], lambda a: a.reshape(3, -1), lambda a: a.reshape(3, -1)),
    _row(
        "transpose",
        "transpose",
        [(2, 3, 4)],
        lambda a: a.transpose(1, 2, 0),
        lambda a: a.transpose(1, 2, 0),
    ),
    _row("transpose", "T", [(2, 3)], lambda a: a.T, lambda a: a.T),
    _row("flatten", "flatten", [(2, 3, 4)], lambda a: a.flatten(1), lambda a: a.reshape(2, 12)),
    _row("expand_dims", "unsqueeze", [(2, 3)], lambda a: a.unsqueeze(1), lambda a: a[:, None]),
    _row("squeeze", "squeeze", [(2, 1, 3)], lambda a: a.squeeze(1), lambda a: a[:, 0]),
    _row("getitem", "slice", [(4, 3)], lambda a: a[1:3, ::2], lambda a: a[1:3, ::2]),
    _row(
        "getitem",
        "int-array-repeats",
        [(4, 3)],
        lambda a: a[[0, 2, 0, 0]],
        lambda a: a[[0, 2, 0, 0]],
    ),
    _row(
        "getitem",
        "pairs",
        [(4, 3)],
        lambda a: a[np.arange(4), np.array([0, 2, 1, 0])],
        lambda a: a[np.arange(4), [0, 2, 1, 0]],
    ),
    _row("getitem", "mask", [(2, 3)], lambda a: a[MASK], lambda a: a[MASK]),
    _row("getitem", "int-and-ellipsis", [(2, 3, 4)], lambda a: a[..., 1], lambda a: a[..., 1]),
    _row(
        "concatenate",
        "concatenate",
        [(2, 3), (1, 3)],
        lambda a, b: T.concatenate([a, b]),
        lambda a, b: np.concatenate([a, b]),
    ),
    _row(
        "stack",
        "stack",
        [(2, 3), (2, 3)],
        lambda a, b: T.stack([a, b], axis=1),
        lambda a, b: np.stack([a, b], axis=1),
    ),
]

LABELS = np.array([0, 2, 1, 1])
TARGETS = np.array([[1.0, 0.0, 0.25], [0.0, 1.0, 1.0], [0.5, 0.0, 1.0], [1.0, 1.0, 0.0]])


def _ce_reference(z: Any, reduction: str = "mean") -> Any:
    log_p = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
    losses = -log_p[np.arange(len(LABELS)), LABELS]
    return {"mean": losses.mean(), "sum": losses.sum(), "none": losses}[reduction]


def _bce_reference(z: Any) -> Any:
    p = 1 / (1 + np.exp(-z))
    return -(TARGETS * np.log(p) + (1 - TARGETS) * np.log(1 - p)).mean()


# The fused losses of `autograd_lite.tensor_ops.losses`.
LOSS_OPS: list[TensorCase] = [
    _row(
        "cross_entropy",
        "cross_entropy",
        [(4, 3)],
        lambda z: T.cross_entropy(z, LABELS),
        _ce_reference,
    ),
    _row(
        "cross_entropy",
        "cross_entropy-sum",
        [(4, 3)],
        lambda z: T.cross_entropy(z, LABELS, "sum"),
        lambda z: _ce_reference(z, "sum"),
    ),
    _row(
        "cross_entropy",
        "cross_entropy-none",
        [(4, 3)],
        lambda z: T.cross_entropy(z, LABELS, "none"),
        lambda z: _ce_reference(z, "none"),
    ),
    _row(
        "binary_cross_entropy_with_logits",
        "bce-logits",
        [(4, 3)],
        lambda z: T.binary_cross_entropy_with_logits(z, TARGETS),
        _bce_reference,
    ),
]


def registered_without_a_row(registry: Any, rows: list[Any]) -> tuple[set[str], set[str]]:
    """(ops registered without a row, rows naming no registered op): both empty when the
    table and the registry agree."""
    names, covered = set(registry.names()), {case.op for case in rows}
    return names - covered, covered - names
