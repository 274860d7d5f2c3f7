"""PyTorch as the oracle of derivatives of derivatives (float64), in both engines.

- second derivatives through ``backward(create_graph=True)`` against
  ``torch.autograd.grad(..., create_graph=True)``;
- the transforms ``hessian``, ``hvp``, ``jacobian`` and ``jvp`` against
  ``torch.autograd.functional``'s (and ``grad`` of a ``jvp``: reverse over forward);

for every tensor op of the table alone (so that a failure names the op), for random tensor
programs composed of elementwise ops, matmul, ``linear``, reductions, broadcasting, softmax,
logsumexp, cross-entropy, indexing with repeated indices and ``pow`` with a node exponent, and
for random scalar programs on `Value`s (PyTorch on 0-d tensors), up to third derivatives.

Agreement is normwise: ``max |ours - torch| <= 1e-8 * max |torch| + 1e-12``. Skipped cleanly
without PyTorch (``pip install torch``); it is never a dependency.
"""

from __future__ import annotations

import os

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from autograd_lite import Tensor, Value, grad, hessian, hvp, jacobian, jvp
from autograd_lite import tensor_ops as T
from autograd_lite.testing import expressions, floats_in
from tests.op_table import LOSS_OPS, MASK, OPS, TENSOR_OPS

torch = pytest.importorskip("torch")
pytestmark = pytest.mark.torch
F = torch.nn.functional

from tests.autograd_lite.test_tensor_ops import draw_inputs  # noqa: E402
from tests.autograd_lite.test_torch_oracle import (  # noqa: E402
    ELEMENTWISE,
    TORCH,
    _program,
)

# Rows of the op table that the first-order oracle has no PyTorch version of (yet).
TORCH_EXTRA = {
    "linear_relu": lambda x, w, b: F.relu(F.linear(x, w, b)),
    "linear_relu-batched": lambda x, w: F.relu(F.linear(x, w)),
}
# PyTorch's hardsigmoid has no second derivative ("derivative for
# aten::hardsigmoid_backward is not implemented"): the same function, clamped.
TORCH_TWICE = {**TORCH, "hard_sigmoid": lambda a: ((a + 3.0) / 6.0).clamp(0.0, 1.0)}
TORCH_OPS = {**TORCH_EXTRA, **TORCH_TWICE}

RTOL = 1e-8
WORST: dict[str, float] = {}  # check -> the largest normwise relative error seen


def _t(x):
    return torch.as_tensor(np.asarray(x, dtype=np.float64))


def assert_close(got, want, what, rtol=RTOL):
    """``max |got - want| <= rtol * max |want| + 1e-12``; records the relative error."""
    got = np.asarray(got.data if isinstance(got, (Tensor, Value)) else got, dtype=np.float64)
    want = want.detach().numpy(force=True) if isinstance(want, torch.Tensor) else np.asarray(want)
    assert got.shape == want.shape, f"{what}: shape {got.shape}, PyTorch {want.shape}"
    scale = float(np.abs(want).max(initial=0.0))
    error = float(np.abs(got - want).max(initial=0.0))
    if scale > 1e-6:
        kind = what.split("[")[0]
        WORST[kind] = max(WORST.get(kind, 0.0), error / scale)
    assert error <= rtol * scale + 1e-12, (
        f"{what}: max |ours - torch| = {error:.3e} with max |torch| = {scale:.3e}\n"
        f"ours:\n{got}\ntorch:\n{want}"
    )


@pytest.fixture(scope="module", autouse=True)
def _report_worst_errors():
    yield
    if os.environ.get("AUTOGRAD_LITE_REPORT_ERRORS"):
        for kind, error in sorted(WORST.items()):
            print(f"\nworst normwise relative error, {kind}: {error:.2e}")


def _fewer(n):
    """A fraction of the profile's examples (the Hessians below take many passes)."""
    return settings(max_examples=max(5, settings.default.max_examples // n))


# --------------------------------------------------------------- tensors: one flat vector


def _sizes(shapes):
    return [int(np.prod(s, dtype=int)) for s in shapes]


def _split(theta, shapes):
    """The inputs of shapes `shapes`, cut from one flat vector (Tensor or torch tensor)."""
    parts, start = [], 0
    for shape, size in zip(shapes, _sizes(shapes)):
        parts.append(theta[start : start + size].reshape(tuple(shape)))
        start += size
    return parts


def _flat(xs):
    return np.concatenate([np.ravel(x) for x in xs]).astype(np.float64)


def check_hessian(ours, theirs, theta, what, rtol=RTOL):
    """`hessian` (reverse over reverse) of a scalar function of one flat vector."""
    want = torch.autograd.functional.hessian(theirs, _t(theta))
    assert_close(hessian(ours)(theta), want, f"hessian[{what}]", rtol)


def check_hvp(ours, theirs, theta, v, what, rtol=RTOL):
    """`hvp` (forward over reverse), and `grad` of a `jvp` (reverse over forward)."""
    _, want = torch.autograd.functional.hvp(theirs, _t(theta), _t(v))
    assert_close(hvp(ours, theta, v), want, f"hvp[{what}]", rtol)
    reverse_over_forward = grad(lambda th: jvp(ours, (th,), (v,))[1])(theta)
    assert_close(reverse_over_forward, want, f"grad-of-jvp[{what}]", rtol)


def check_jacobian_and_jvp(ours, theirs, theta, v, what, rtol=RTOL):
    """`jacobian` (reverse, one row per output) and `jvp` (forward) of a vector function."""
    want = torch.autograd.functional.jacobian(theirs, _t(theta))
    assert_close(jacobian(ours)(theta), want, f"jacobian[{what}]", rtol)
    out, tangent = jvp(ours, (theta,), (v,))
    want_out, want_tangent = torch.autograd.functional.jvp(theirs, _t(theta), _t(v))
    assert_close(out, want_out, f"jvp-value[{what}]", rtol)
    assert_close(tangent, want_tangent, f"jvp[{what}]", rtol)


def check_create_graph(ours, theirs, xs, us, what, rtol=RTOL):
    """``backward(create_graph=True)``: the gradients, then the gradient of
    ``sum_i <grad_i, u_i>`` (Hessian times u), against ``torch.autograd.grad``."""
    mine = [Tensor(np.array(x, dtype=np.float64), requires_grad=True) for x in xs]
    ref = [torch.tensor(np.array(x, dtype=np.float64), requires_grad=True) for x in xs]
    ours(*mine).backward(create_graph=True)
    want_first = torch.autograd.grad(theirs(*ref), ref, create_graph=True, allow_unused=True)
    first = []
    for k, (m, w) in enumerate(zip(mine, want_first)):
        if m.grad is None:  # an input the output does not use: PyTorch's None too
            assert w is None, f"create_graph[{what}]: no gradient for input {k}"
            first.append(Tensor(np.zeros(m.shape)))
            continue
        assert isinstance(m.grad, Tensor), f"create_graph[{what}]: grad {k} is not a node"
        assert_close(m.grad, w, f"create_graph-first[{what}]", rtol)
        first.append(m.grad)
    want_first = [torch.zeros_like(r) if g is None else g for r, g in zip(ref, want_first)]
    for m in mine:
        m.zero_grad()
    second = sum(((g * u).sum() for g, u in zip(first, us)), Tensor(0.0))
    if second.requires_grad:  # else the gradients do not depend on the inputs (linear ops)
        second.backward()
    s = sum((g * _t(u)).sum() for g, u in zip(want_first, us))
    want = torch.autograd.grad(s, ref, allow_unused=True) if s.requires_grad else [None] * len(ref)
    for m, r, w in zip(mine, ref, want):
        w = torch.zeros_like(r) if w is None else w
        got = np.zeros(m.shape) if m.grad is None else m.grad
        assert_close(got, w, f"create_graph-second[{what}]", rtol)


# ------------------------------------------------------------ tensors: each op of the table

TABLE = TENSOR_OPS + LOSS_OPS


def test_every_tensor_op_of_the_table_has_a_torch_version():
    assert {c.variant for c in TABLE} <= set(TORCH_OPS)


def _op_problem(case, data):
    """The op's inputs as one vector, the op on it in both libraries, and a cotangent `c`
    (the scalar function is ``sum(c * op(inputs))``: its Hessian is the op's second
    derivative contracted with `c`)."""
    xs = draw_inputs(case, data)
    if case.variant == "value-exponent":  # see test_pow_at_a_zero_exponent: PyTorch is no
        xs[1] = np.where(xs[1] == 0, 0.25, xs[1])  # oracle of second derivatives at b = 0
    shapes = [np.shape(x) for x in xs]
    theta = _flat(xs)
    rng = np.random.default_rng(data.draw(st.integers(0, 2**16), label="seed"))
    out_shape = np.shape(case.reference(*[np.asarray(x) for x in xs]))
    c, v = rng.standard_normal(out_shape), rng.standard_normal(theta.shape)
    theirs_op = TORCH_OPS[case.variant]

    def ours(th):
        return case.call(*_split(th, shapes))

    def theirs(th):
        return theirs_op(*_split(th, shapes))

    return xs, theta, c, v, ours, theirs


@pytest.mark.parametrize("case", TABLE, ids=lambda c: c.id)
@_fewer(3)
@given(data=st.data())
def test_each_tensor_op_hessian(case, data):
    _, theta, c, _, ours, theirs = _op_problem(case, data)
    check_hessian(
        lambda th: (ours(th) * c).sum(),
        lambda th: (theirs(th) * _t(c)).sum(),
        theta,
        case.id,
    )


@pytest.mark.parametrize("case", TABLE, ids=lambda c: c.id)
@_fewer(3)
@given(data=st.data())
def test_each_tensor_op_hvp(case, data):
    _, theta, c, v, ours, theirs = _op_problem(case, data)
    check_hvp(
        lambda th: (ours(th) * c).sum(),
        lambda th: (theirs(th) * _t(c)).sum(),
        theta,
        v,
        case.id,
    )


@pytest.mark.parametrize("case", TABLE, ids=lambda c: c.id)
@_fewer(3)
@given(data=st.data())
def test_each_tensor_op_jacobian_and_jvp(case, data):
    _, theta, _, v, ours, theirs = _op_problem(case, data)
    check_jacobian_and_jvp(ours, theirs, theta, v, case.id)


@pytest.mark.parametrize("case", TABLE, ids=lambda c: c.id)
@_fewer(3)
@given(data=st.data())
def test_each_tensor_op_create_graph(case, data):
    xs, _, c, _, _, _ = _op_problem(case, data)
    rng = np.random.default_rng(len(xs))
    us = [rng.standard_normal(np.shape(x)) for x in xs]
    theirs_op = TORCH_OPS[case.variant]
    check_create_graph(
        lambda *a: (case.call(*a) * c).sum(),
        lambda *a: (theirs_op(*a) * _t(c)).sum(),
        xs,
        us,
        case.id,
    )


# ---------------------------------------------------------------- tensors: random programs

# A program runs on h (2, 3), y (3,) and W (3, 3): a few steps, each (2, 3) -> (2, 3), then a
# scalar loss. Each step is written twice: (ours, PyTorch's). Steps that could blow up take
# their input through tanh or into (0.5, 2.5) first.
LABELS2 = np.array([2, 0])
TARGETS2 = np.array([[1.0, 0.0, 0.25], [0.0, 1.0, 0.5]])
C23 = np.array([[0.7, -1.3, 0.4], [1.1, 0.2, -0.9]])


def _pos(a):
    return a.sigmoid() * 2.0 + 0.5


def _same(f):
    return (f, f)


STEPS = {
    "add-broadcast": _same(lambda h, y, W: h + y),
    "sub-broadcast": _same(lambda h, y, W: y - h),
    "mul-broadcast": _same(lambda h, y, W: h * y.tanh()),
    "div-broadcast": _same(lambda h, y, W: h / _pos(y)),
    "square": _same(lambda h, y, W: (h.tanh() * 2.0) ** 2),
    "cube": _same(lambda h, y, W: h.tanh() ** 3 + h),
    "pow-node-exponent": _same(lambda h, y, W: _pos(h) ** y.tanh()),
    "rpow": _same(lambda h, y, W: 2.0 ** h.tanh()),
    "exp": _same(lambda h, y, W: h.tanh().exp()),
    "log": _same(lambda h, y, W: _pos(h).log()),
    "sqrt": _same(lambda h, y, W: _pos(h).sqrt()),
    "tanh": _same(lambda h, y, W: h.tanh()),
    "sigmoid": _same(lambda h, y, W: h.sigmoid()),
    "matmul": _same(lambda h, y, W: h.tanh() @ W),
    "linear": (lambda h, y, W: T.linear(h.tanh(), W, y), lambda h, y, W: F.linear(h.tanh(), W, y)),
    "softmax": _same(lambda h, y, W: h.softmax(-1)),
    "softmax-axis-0": _same(lambda h, y, W: h.softmax(0) * 3.0),
    "log_softmax": _same(lambda h, y, W: h.log_softmax(-1)),
    "logsumexp-keepdims": _same(lambda h, y, W: h - h.logsumexp(-1, True)),
    "sum-keepdims": _same(lambda h, y, W: h * h.sum(0, True).tanh()),
    "mean-centre": _same(lambda h, y, W: h - h.mean(-1, True)),
    "var-scale": (
        lambda h, y, W: h / (1.0 + h.var(axis=-1, keepdims=True)),
        lambda h, y, W: h / (1.0 + h.var(dim=-1, keepdim=True, correction=0)),
    ),
    "index-repeats": _same(lambda h, y, W: h[:, [0, 2, 0]] * h[[1, 1]].tanh()),
    "reshape-transpose": _same(lambda h, y, W: h.reshape((3, 2)).T),
    "concatenate": (
        lambda h, y, W: T.concatenate([h[1:], h[:1] * y]),
        lambda h, y, W: torch.cat([h[1:], h[:1] * y]),
    ),
    "stack-sum": (
        lambda h, y, W: T.stack([h, h.tanh() * y]).sum(0),
        lambda h, y, W: torch.stack([h, h.tanh() * y]).sum(0),
    ),
    "where": (
        lambda h, y, W: T.where(MASK, h, h.tanh() * y),
        lambda h, y, W: torch.where(_t(MASK).bool(), h, h.tanh() * y),
    ),
}

LOSSES = {
    "weighted-tanh": (lambda h: (h.tanh() * C23).sum(), lambda h: (h.tanh() * _t(C23)).sum()),
    "mean-squares": _same(lambda h: (h * h).mean()),
    "logsumexp-all": (lambda h: h.logsumexp(), lambda h: h.logsumexp((0, 1))),
    "cross_entropy": (
        lambda h: T.cross_entropy(h, LABELS2),
        lambda h: F.cross_entropy(h, torch.as_tensor(LABELS2)),
    ),
    "bce-logits": (
        lambda h: T.binary_cross_entropy_with_logits(h, TARGETS2),
        lambda h: F.binary_cross_entropy_with_logits(h, _t(TARGETS2)),
    ),
    "var-all": (lambda h: h.var(), lambda h: h.var(correction=0)),
}

SHAPES = [(2, 3), (3,), (3, 3)]
N = sum(_sizes(SHAPES))


def _tensor_program(steps, loss=None):
    """(ours, PyTorch's): functions of the flat vector of (h, y, W), and of h, y, W."""

    def make(which):
        def of_inputs(h, y, W):
            for name in steps:
                h = STEPS[name][which](h, y, W)
            return h if loss is None else LOSSES[loss][which](h)

        return (lambda theta: of_inputs(*_split(theta, SHAPES))), of_inputs

    return make(0), make(1)


programs = st.lists(st.sampled_from(sorted(STEPS)), min_size=1, max_size=4)
losses = st.sampled_from(sorted(LOSSES))
# No exact zeros: y.tanh() is an exponent (see test_pow_at_a_zero_exponent).
flat_inputs = hnp.arrays(np.float64, (N,), elements=st.floats(-3.0, 3.0).filter(bool))
directions = hnp.arrays(np.float64, (N,), elements=st.floats(-2.0, 2.0))


@pytest.mark.parametrize("name", sorted(STEPS))
def test_each_program_step_alone(name):
    """Each step, then each loss, at one point: names the step when one fails."""
    rng = np.random.default_rng(sorted(STEPS).index(name))
    theta, v = rng.uniform(-2, 2, N), rng.standard_normal(N)
    for loss in sorted(LOSSES):
        (ours, _), (theirs, _) = _tensor_program([name], loss)
        check_hessian(ours, theirs, theta, f"{name} + {loss}")
        check_hvp(ours, theirs, theta, v, f"{name} + {loss}")
    (ours, _), (theirs, _) = _tensor_program([name])
    check_jacobian_and_jvp(ours, theirs, theta, v, name)


@_fewer(2)
@given(steps=programs, loss=losses, theta=flat_inputs)
def test_random_tensor_programs_hessian(steps, loss, theta):
    (ours, _), (theirs, _) = _tensor_program(steps, loss)
    check_hessian(ours, theirs, theta, f"{steps} + {loss}")


@given(steps=programs, loss=losses, theta=flat_inputs, v=directions)
def test_random_tensor_programs_hvp(steps, loss, theta, v):
    (ours, _), (theirs, _) = _tensor_program(steps, loss)
    check_hvp(ours, theirs, theta, v, f"{steps} + {loss}")


@given(steps=programs, theta=flat_inputs, v=directions)
def test_random_tensor_programs_jacobian_and_jvp(steps, theta, v):
    (ours, _), (theirs, _) = _tensor_program(steps)
    check_jacobian_and_jvp(ours, theirs, theta, v, str(steps))


@given(steps=programs, loss=losses, theta=flat_inputs, v=directions)
def test_random_tensor_programs_create_graph(steps, loss, theta, v):
    (_, ours), (_, theirs) = _tensor_program(steps, loss)
    xs, us = _split(theta, SHAPES), _split(v, SHAPES)
    check_create_graph(ours, theirs, xs, us, f"{steps} + {loss}")


# ------------------------------------------------------------------------ Values (scalars)


def _torch_scalars(xs):
    return tuple(torch.tensor(float(x), dtype=torch.float64) for x in xs)


def check_value_function(ours, theirs, xs, us, what, rtol=RTOL):
    """A scalar function of n numbers: its full Hessian (`jacobian` of `grad`), `jvp`,
    `hvp` in the first argument, the third derivative in the first argument (three nested
    `grad`s) and ``Value.backward(create_graph=True)``, against PyTorch on 0-d tensors."""
    n, ref = len(xs), _torch_scalars(xs)
    every = tuple(range(n))

    rows = jacobian(grad(ours, every), every)(*xs)
    got = np.stack([np.asarray(r, dtype=float) for r in rows], axis=1)
    want = torch.autograd.functional.hessian(theirs, ref)
    want = np.array([[float(want[i][j]) for j in range(n)] for i in range(n)])
    assert_close(got, want, f"value-hessian[{what}]", rtol)

    out, tangent = jvp(ours, xs, us)
    want_out, want_tangent = torch.autograd.functional.jvp(theirs, ref, _torch_scalars(us))
    assert_close(out, want_out, f"value-jvp-value[{what}]", rtol)
    assert_close(tangent, want_tangent, f"value-jvp[{what}]", rtol)

    def ours_first(a):  # the other arguments held fixed
        return ours(a, *[Value(x) for x in xs[1:]])

    def theirs_first(a):
        return theirs(a, *ref[1:])

    _, want_hvp = torch.autograd.functional.hvp(theirs_first, ref[0], _torch_scalars(us[:1])[0])
    assert_close(hvp(ours_first, xs[0], us[0]), want_hvp, f"value-hvp[{what}]", rtol)

    a = ref[0].clone().requires_grad_(True)
    derivative = theirs_first(a)
    for _ in range(3):
        if not derivative.requires_grad:  # constant from here on
            derivative = torch.zeros((), dtype=torch.float64)
            break
        (derivative,) = torch.autograd.grad(derivative, a, create_graph=True, allow_unused=True)
        if derivative is None:
            derivative = torch.zeros((), dtype=torch.float64)
            break
    got3 = grad(grad(grad(ours_first)))(xs[0])
    assert_close(got3, derivative, f"value-third[{what}]", rtol)

    values = [Value(x) for x in xs]
    ours(*values).backward(create_graph=True)
    first = [v.grad for v in values]
    for v in values:
        v.zero_grad()
    s = sum((g * u for g, u in zip(first, us) if isinstance(g, Value)), Value(0.0))
    s.backward()
    leaves = [torch.tensor(float(x), dtype=torch.float64, requires_grad=True) for x in xs]
    want_first = torch.autograd.grad(theirs(*leaves), leaves, create_graph=True, allow_unused=True)
    want_first = [torch.zeros((), dtype=torch.float64) if g is None else g for g in want_first]
    for g, w in zip(first, want_first):
        assert_close(g.data if isinstance(g, Value) else g, w, f"value-create_graph-first[{what}]")
    s_ref = sum(g * u for g, u in zip(want_first, us))
    want2 = (
        torch.autograd.grad(s_ref, leaves, allow_unused=True)
        if isinstance(s_ref, torch.Tensor) and s_ref.requires_grad
        else [None] * n
    )
    for v, w in zip(values, want2):
        assert_close(v.grad, 0.0 if w is None else w, f"value-create_graph-second[{what}]", rtol)


SCALAR_OPS = OPS  # every op of the scalar engine, `linear` included (five inputs)


def _torch_scalar_op(case):
    if case.op == "linear":
        return lambda w0, w1, x0, x1, b: w0 * x0 + w1 * x1 + b
    return TORCH_TWICE[case.variant]


@pytest.mark.parametrize("case", SCALAR_OPS, ids=lambda c: c.id)
@given(data=st.data())
def test_each_value_op(case, data):
    xs = [data.draw(floats_in(d), label=f"x{i}") for i, d in enumerate(case.domains)]
    if case.variant == "value-exponent" and xs[1] == 0:  # see test_pow_at_a_zero_exponent
        xs[1] = 0.25
    us = [data.draw(st.floats(-2, 2), label=f"u{i}") for i in range(len(xs))]
    check_value_function(case.call, _torch_scalar_op(case), xs, us, case.id)


@given(
    steps=st.lists(st.sampled_from(ELEMENTWISE), min_size=1, max_size=5),
    # y != 0: tanh(y) * 2 is the exponent of value-exponent (see test_pow_at_a_zero_exponent)
    xs=st.tuples(floats_in("real"), floats_in("real").filter(bool)).map(list),
    us=st.lists(st.floats(-2, 2), min_size=2, max_size=2),
)
def test_random_value_programs(steps, xs, us):
    program = _program([(c.variant, c.domains) for c in steps])
    rows = {c.variant: c.call for c in ELEMENTWISE}
    check_value_function(
        lambda a, b: program(a, b, rows.get),
        lambda a, b: program(a, b, TORCH_TWICE.get),
        xs,
        us,
        str([c.variant for c in steps]),
    )


@given(
    expressions(max_inputs=3),
    st.lists(floats_in("real"), min_size=3, max_size=3),
    st.lists(st.floats(-2, 2), min_size=3, max_size=3),
)
def test_random_value_expression_graphs(expression, xs, us):
    n = expression.n_inputs
    check_value_function(expression, expression, xs[:n], us[:n], repr(expression))


# ------------------------------------------------------------ where PyTorch is no oracle


def test_pow_at_a_zero_exponent():
    """The mixed second derivative of a ** b at b = 0 exactly: d/db (b a**(b-1)) = 1/a there.
    PyTorch masks d/da at b == 0 (against 0 * inf at a = 0), which also zeroes its derivative
    with respect to b, so its Hessian is not symmetric there; ours must be."""
    a, b = 1.3, 0.0
    want = np.array([[0.0, 1 / a], [1 / a, np.log(a) ** 2]])
    columns = jacobian(grad(lambda p, q: p**q, (0, 1)), (0, 1))(a, b)
    np.testing.assert_allclose(np.stack(columns, axis=1), want, rtol=1e-12, atol=1e-15)
    h = hessian(lambda th: th[0] ** th[1])(np.array([a, b]))
    np.testing.assert_allclose(h, want, rtol=1e-12, atol=1e-15)
