"""PyTorch as an oracle (float64): every op of the table, random programs composed of them,
and random expression graphs give the same values and vector-Jacobian products in both.

Skipped cleanly without PyTorch (``pip install torch``); it is never a dependency.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from autograd_lite import Tensor, Value
from autograd_lite.testing import arrays, expressions, floats_in
from tests.autograd_lite.test_tensor_ops import draw_inputs
from tests.op_table import GRID, LABELS, LOSS_OPS, MASK, OPS, TARGETS, TENSOR_OPS

torch = pytest.importorskip("torch")
pytestmark = pytest.mark.torch
F = torch.nn.functional


def _t(x):
    return torch.as_tensor(np.asarray(x))


def _gaussian(a, mu=0.5, sigma=2.0):
    return torch.exp(-((a - mu) ** 2) / (2 * sigma**2)) / (sigma * math.sqrt(2 * math.pi))


# Each row of the op table, written with PyTorch (variant -> function of torch tensors).
TORCH = {
    "add": lambda a, b: a + b,
    "radd": lambda a: 2.5 + a,
    "sub": lambda a, b: a - b,
    "rsub": lambda a: 1.5 - a,
    "mul": lambda a, b: a * b,
    "rmul": lambda a: -3.0 * a,
    "div": lambda a, b: a / b,
    "rdiv": lambda a: 2.0 / a,
    "neg": lambda a: -a,
    "square": lambda a: a**2,
    "cube": lambda a: a**3,
    "root": lambda a: a**0.5,
    "negative-power": lambda a: a**-1.5,
    "value-exponent": lambda a, b: a**b,
    "rpow": lambda a: 2.0**a,
    "exp": torch.exp,
    "log": torch.log,
    "sqrt": torch.sqrt,
    "abs": torch.abs,
    "tanh": torch.tanh,
    "sigmoid": torch.sigmoid,
    "sigmoid-beta": lambda a: torch.sigmoid(2.5 * a),
    "relu": torch.relu,
    "leaky_relu": lambda a: F.leaky_relu(a, 0.2),
    "hard_sigmoid": F.hardsigmoid,
    "gaussian": _gaussian,
    "step": lambda a: (a >= 0).to(a.dtype) + 0.0 * a,  # derivative 0 everywhere
    "linear": F.linear,
    "linear-batched": F.linear,
    "linear_relu": lambda x, w, b=None: torch.relu(F.linear(x, w, b)),
    "linear_relu-dead": lambda x, w, b=None: torch.relu(F.linear(x, w, b)),
    "linear_relu-batched": lambda x, w, b=None: torch.relu(F.linear(x, w, b)),
    "matmul-2d": torch.matmul,
    "matmul-1d-1d": torch.matmul,
    "matmul-2d-1d": torch.matmul,
    "matmul-1d-2d": torch.matmul,
    "matmul-batched": torch.matmul,
    "rmatmul-array": lambda b: torch.ones((3, 4), dtype=b.dtype) @ b,
    "where": lambda a, b: torch.where(_t(MASK), a, b),
    "maximum": lambda a: torch.maximum(a, _t(GRID)),
    "minimum": lambda a: torch.minimum(_t(GRID), a),
    "clip": lambda a: a.clamp(-1.0, 2.0),
    "sum-all": torch.sum,
    "sum-axis": lambda a: a.sum(dim=1),
    "sum-axes-keepdims": lambda a: a.sum(dim=(0, 2), keepdim=True),
    "mean-all": torch.mean,
    "mean-last-axis": lambda a: a.mean(dim=-1, keepdim=True),
    "max-all": torch.amax,
    "max-axis": lambda a: torch.amax(a, dim=1),
    "min-axis-keepdims": lambda a: torch.amin(a, dim=0, keepdim=True),
    "var": lambda a: a.var(dim=1, correction=0),
    "var-ddof": lambda a: a.var(correction=1),
    "std": lambda a: a.std(dim=0, correction=0),
    "logsumexp-all": lambda a: torch.logsumexp(a, dim=(0, 1)),
    "logsumexp-axis": lambda a: torch.logsumexp(a, dim=1),
    "softmax": lambda a: torch.softmax(a, dim=-1),
    "softmax-axis-0": lambda a: torch.softmax(a, dim=0),
    "log_softmax": lambda a: torch.log_softmax(a, dim=-1),
    "reshape": lambda a: a.reshape(3, -1),
    "transpose": lambda a: a.permute(1, 2, 0),
    "T": lambda a: a.T,
    "flatten": lambda a: a.flatten(1),
    "unsqueeze": lambda a: a.unsqueeze(1),
    "squeeze": lambda a: a.squeeze(1),
    "slice": lambda a: a[1:3, ::2],
    "int-array-repeats": lambda a: a[[0, 2, 0, 0]],
    "pairs": lambda a: a[torch.arange(4), _t([0, 2, 1, 0])],
    "mask": lambda a: a[_t(MASK)],
    "int-and-ellipsis": lambda a: a[..., 1],
    "concatenate": lambda a, b: torch.cat([a, b]),
    "stack": lambda a, b: torch.stack([a, b], dim=1),
    "cross_entropy": lambda z: F.cross_entropy(z, _t(LABELS)),
    "cross_entropy-sum": lambda z: F.cross_entropy(z, _t(LABELS), reduction="sum"),
    "cross_entropy-none": lambda z: F.cross_entropy(z, _t(LABELS), reduction="none"),
    "bce-logits": lambda z: F.binary_cross_entropy_with_logits(z, _t(TARGETS)),
}


# PyTorch's hardsigmoid backward multiplies by 1/6 rounded to float32 (a relative 3e-8).
GRAD_RTOL = {"hard_sigmoid": 1e-7}


def assert_same_vjp(ours, theirs, xs, seed=0, grad_rtol=1e-8):
    """Values and the VJP for one random cotangent agree (float64 in both libraries)."""
    mine = [Tensor(np.array(x, dtype=np.float64), requires_grad=True) for x in xs]
    ref = [torch.tensor(np.array(x, dtype=np.float64), requires_grad=True) for x in xs]
    out, expected = ours(*mine), theirs(*ref)
    assert out.shape == tuple(expected.shape)
    np.testing.assert_allclose(out.data, expected.detach().numpy(), rtol=1e-10, atol=1e-12)
    v = np.random.default_rng(seed).standard_normal(out.shape)
    out.backward(v)
    expected.backward(_t(v))
    for m, r in zip(mine, ref):
        want = np.zeros(m.shape) if r.grad is None else r.grad.numpy()
        got = np.zeros(m.shape) if m.grad is None else m.grad
        np.testing.assert_allclose(got, want, rtol=grad_rtol, atol=1e-10)


def test_every_row_of_the_op_table_has_a_torch_version():
    rows = {c.variant for c in TENSOR_OPS + LOSS_OPS} | {c.variant for c in OPS}
    assert rows == set(TORCH)


@pytest.mark.parametrize("case", TENSOR_OPS + LOSS_OPS, ids=lambda c: c.id)
@given(data=st.data())
def test_every_op_agrees_with_pytorch(case, data):
    rtol = GRAD_RTOL.get(case.variant, 1e-8)
    assert_same_vjp(case.call, TORCH[case.variant], draw_inputs(case, data), grad_rtol=rtol)


# ---------------------------------------------------------------- random programs

ELEMENTWISE = [c for c in OPS if c.op != "linear"]


def _into(domain, x):
    """Map any real tensor into `domain` with ops both libraries have (and the same math)."""
    if domain == "positive":
        return x.sigmoid() * 5.0 + 0.1
    if domain == "nonzero":
        return x.sigmoid() + 0.5
    if domain == "exponent":
        return x.tanh() * 2.0
    return x.tanh() * 4.0  # real, kinks, hard_sigmoid: moderate values


def _program(steps):
    def run(x, y, table):
        for variant, domains in steps:
            args = [_into(domains[0], x)] + ([_into(domains[1], y)] if len(domains) > 1 else [])
            x = table(variant)(*args)
        return x

    return run


@given(
    steps=st.lists(st.sampled_from(ELEMENTWISE), min_size=1, max_size=5),
    x=arrays("real", (2, 3)),
    y=arrays("real", (3,)),
)
def test_random_programs_of_table_ops_agree_with_pytorch(steps, x, y):
    program = _program([(c.variant, c.domains) for c in steps])
    rows = {c.variant: c.call for c in ELEMENTWISE}
    rtol = max(GRAD_RTOL.get(c.variant, 1e-8) for c in steps)
    ours, theirs = (lambda a, b: program(a, b, rows.get)), (lambda a, b: program(a, b, TORCH.get))
    assert_same_vjp(ours, theirs, [x, y], grad_rtol=rtol)


@given(expressions(max_inputs=3), st.lists(floats_in("real"), min_size=3, max_size=3))
def test_random_expression_graphs_agree_with_pytorch_on_values(expression, xs):
    xs = xs[: expression.n_inputs]
    values = [Value(x) for x in xs]
    out = expression(*values)
    out.backward()
    ref = [torch.tensor(x, dtype=torch.float64, requires_grad=True) for x in xs]
    expected = expression(*ref)
    expected.backward()
    assert out.data == pytest.approx(expected.item(), rel=1e-10, abs=1e-12)
    for v, r in zip(values, ref):
        want = 0.0 if r.grad is None else r.grad.item()
        assert v.grad == pytest.approx(want, rel=1e-8, abs=1e-10)


@given(expressions(max_inputs=3), arrays("real", (2, 3)), arrays("real", (3,)), arrays("real", ()))
def test_random_expression_graphs_agree_with_pytorch_on_broadcast_tensors(expression, a, b, c):
    xs = [a, b, c][: expression.n_inputs]
    assert_same_vjp(expression, expression, xs)
