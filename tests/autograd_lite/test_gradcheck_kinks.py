"""`gradcheck` at the non-differentiable points of every op that has one, in both engines: it
warns (`NonDifferentiableWarning`) instead of failing, including where the engine's
subgradient is the central difference itself (``abs'(0) = 0``, a tie shared equally), still
fails a wrong derivative there, and never warns at a smooth point."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import find

from autograd_lite import (
    GradcheckError,
    Tensor,
    Value,
    gradcheck,
    maximum,
    minimum,
    primitive,
)
from autograd_lite.check import NonDifferentiableWarning, gradcheck_report, locate_wrong_vjp
from autograd_lite.testing import DOMAINS
from tests.op_table import AWAY_FROM_GRID, CLIP, OPS, TENSOR_OPS


def tensor(*values: float) -> Tensor:
    return Tensor(np.array(values, dtype=np.float64), requires_grad=True, label="x")


def warns_at_kink(f, *inputs) -> None:
    with pytest.warns(NonDifferentiableWarning, match="non-differentiable point"):
        assert gradcheck(f, *inputs)


# ------------------------------------------------------------ the ops of both engines

ELEMENTWISE_KINKS = [
    ("abs", lambda v: abs(v), 0.0),
    ("relu", lambda v: v.relu(), 0.0),
    ("leaky_relu", lambda v: v.leaky_relu(0.2), 0.0),
    ("step", lambda v: v.step(), 0.0),
    ("hard_sigmoid-low", lambda v: v.hard_sigmoid(), -3.0),
    ("hard_sigmoid-high", lambda v: v.hard_sigmoid(), 3.0),
    ("hard_sigmoid-corners", lambda v: v.hard_sigmoid(x_min=-1.0, x_max=2.0), 2.0),
]


@pytest.mark.parametrize(("op", "f", "x"), ELEMENTWISE_KINKS, ids=[k[0] for k in ELEMENTWISE_KINKS])
def test_values_warn_at_the_kink(op, f, x):
    warns_at_kink(f, Value(x))


@pytest.mark.parametrize(("op", "f", "x"), ELEMENTWISE_KINKS, ids=[k[0] for k in ELEMENTWISE_KINKS])
def test_tensors_warn_at_the_kink_element_only(op, f, x):
    result = gradcheck_report(lambda t: f(t).sum(), tensor(x - 0.5, x, x + 0.5))
    assert result.ok and [m.element for m in result.nondifferentiable] == [(1,)]
    warns_at_kink(lambda t: f(t).sum(), tensor(x - 0.5, x, x + 0.5))


def test_abs_at_zero_warns_as_the_readme_promises():
    # abs'(0) = 0 is the central difference itself: only the one-sided differences show
    # the kink. Before the fix this passed silently.
    sides = r"one-sided derivatives -1 \(left\) and 1 \(right\), analytic 0 lies between"
    with pytest.warns(NonDifferentiableWarning, match=sides):
        assert gradcheck(lambda v: abs(v) * 1.0, Value(0.0, label="x"))


# ------------------------------------------------------------------- tensor-only ops


@pytest.mark.parametrize("reduce", ["max", "min"])
def test_a_tie_of_a_max_or_min_reduction_warns(reduce):
    warns_at_kink(lambda t: getattr(t, reduce)(), tensor(1.0, 1.0, 0.5 if reduce == "max" else 2.0))
    warns_at_kink(lambda t: getattr(t, reduce)(), tensor(1.0, 1.0, 1.0))  # three-way
    rows = Tensor(np.array([[1.0, 1.0], [0.0, 2.0]]), requires_grad=True)
    result = gradcheck_report(lambda t: getattr(t, reduce)(axis=1).sum(), rows)
    assert result.ok and [m.element for m in result.nondifferentiable] == [(0, 0), (0, 1)]


@pytest.mark.parametrize("pick", [maximum, minimum], ids=["maximum", "minimum"])
def test_maximum_and_minimum_of_equal_inputs_warn(pick):
    a, b = tensor(1.0, 2.0), tensor(1.0, 0.0)
    result = gradcheck_report(lambda x, y: pick(x, y).sum(), a, b)
    assert result.ok and [(m.input_index, m.element) for m in result.nondifferentiable] == [
        (0, (0,)),
        (1, (0,)),
    ]
    warns_at_kink(lambda x, y: pick(x, y).sum(), a, b)
    warns_at_kink(lambda x: pick(x, 1.0).sum(), tensor(1.0, 3.0))  # against a constant


@pytest.mark.parametrize("bound", [-1.0, 2.0])
def test_clip_at_its_bounds_warns(bound):
    warns_at_kink(lambda t: t.clip(-1.0, 2.0).sum(), tensor(bound, 0.5))


def test_kinks_of_a_large_input_warn_along_random_directions():
    x = Tensor(np.r_[np.zeros(3), np.linspace(1.0, 2.0, 300)], requires_grad=True, label="x")
    result = gradcheck_report(lambda t: abs(t).sum(), x)
    assert result.ok and len(result.nondifferentiable) == 3
    assert all("random direction" in m.where for m in result.nondifferentiable)


# -------------------------------------------- every kink the op table declares, both engines

# The domains with kinks (a pole, like "nonzero" for division, is not one).
KINKED = {id(DOMAINS["kink_at_zero"]), id(DOMAINS["hard_sigmoid"]), id(AWAY_FROM_GRID), id(CLIP)}


def _domain(d):
    return DOMAINS[d] if isinstance(d, str) else d


SCALAR_ROWS = [
    pytest.param(case, kink, id=f"{case.id}-at-{kink:g}")
    for case in OPS
    if len(case.domains) == 1 and id(_domain(case.domains[0])) in KINKED
    for kink in _domain(case.domains[0]).kinks
]
TENSOR_ROWS = [
    pytest.param(case, kink, id=f"{case.id}-at-{kink:g}")
    for case in TENSOR_OPS
    if len(case.domains) == 1 and id(_domain(case.domains[0])) in KINKED
    for kink in _domain(case.domains[0]).kinks
]


def test_the_table_declares_the_kinks_tested_here():
    ops = {p.values[0].op for p in SCALAR_ROWS} | {p.values[0].op for p in TENSOR_ROWS}
    assert ops == {"abs", "relu", "leaky_relu", "hard_sigmoid", "step", "maximum", "minimum"} | {
        "clip"
    }


@pytest.mark.parametrize(("case", "kink"), SCALAR_ROWS)
def test_every_scalar_kink_of_the_table_warns(case, kink):
    warns_at_kink(case.call, Value(kink))


@pytest.mark.parametrize(("case", "kink"), TENSOR_ROWS)
def test_every_tensor_kink_of_the_table_warns(case, kink):
    shapes = (3,) if case.shapes is None else find(case.shape_strategy(), lambda _: True)[0]
    warns_at_kink(lambda t: case.call(t).sum(), Tensor(np.full(shapes, kink), requires_grad=True))


# ------------------------------------------------------------ what a kink does not excuse


def test_a_wrong_subgradient_at_a_kink_still_fails():
    @primitive
    def abs_with_slope_5_at_0(x):
        return abs(x)

    @abs_with_slope_5_at_0.defvjp
    def abs5_vjp(g, ans, x):
        return (g * (5.0 if x == 0 else (1.0 if x > 0 else -1.0)),)

    with pytest.raises(GradcheckError, match=r"analytic 5 vs numeric 0"):
        gradcheck(abs_with_slope_5_at_0, Value(0.0))


@pytest.mark.parametrize(
    ("f", "x"),
    [
        (lambda v: v * v, 0.0),  # one-sided differences differ by 2h: a curvature, no kink
        (lambda v: v**3 + v * v * 40.0, 0.0),
        (lambda v: (v * 30.0).exp(), 0.0),
        (lambda v: (v * 50.0).tanh(), 0.03),
        (lambda v: v * v + 1e6, 0.0),  # large values: rounding noise is not a jump
        (lambda v: v.log(), 1e-9),
    ],
)
def test_smooth_points_with_a_large_curvature_do_not_warn(f, x):
    assert gradcheck(f, Value(x))  # pytest turns any warning into an error


def test_the_op_by_op_check_reports_kinks_of_its_ops():
    @primitive
    def half_square(x):
        return x * x

    half_square.defvjp(lambda g, ans, x: (g * x,))  # a planted bug: the factor 2 is missing

    report = locate_wrong_vjp(lambda v: half_square(abs(v) + 1.0), Value(0.0))
    assert report.first.op == "half_square"
    assert [c.op for c in report.kinks] == ["abs"]
    a, b = tensor(1.0, 2.0), tensor(1.0, 0.0)
    report = locate_wrong_vjp(lambda x, y: maximum(x, y), a, b)
    assert report.ok and {c.op for c in report.kinks} == {"maximum"}
