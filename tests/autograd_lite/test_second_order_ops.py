"""Derivatives of derivatives of every tensor op, driven by the op table.

Each op's VJP rules run on nodes when a gradient's graph is asked for (``create_graph=True``),
so the gradient can be differentiated again. For every row, under hypothesis, in float64:

- the pairing ``F(x, u) = <vjp_x(u), v>`` (the op's gradient for the output gradient `u`,
  against a random `v`), computed on nodes, has gradients in `x` (the second derivatives)
  and in `u` (the VJP's linearity) equal to central finite differences of ``F``, which
  `gradcheck` takes from the values of the recorded gradients: the first-order gradients;
- those values are the plain first-order gradients, to the bit (first order is unchanged);
- a plain ``backward()`` builds no node at all: the rules ran on arrays.

Kinks are excluded as in the first-order tests (the rows' domains); relu'' = 0 and the like
are the first-order conventions, held by the finite differences away from the kinks.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import find, given, settings
from hypothesis import strategies as st

from autograd_lite import engine, gradcheck
from autograd_lite.higher_order import differentiate
from autograd_lite.tensor import Tensor
from autograd_lite.testing import DOMAINS
from tests.autograd_lite.test_tensor_ops import draw_inputs
from tests.op_table import LOSS_OPS, TENSOR_OPS

CASES = TENSOR_OPS + LOSS_OPS
# Each example of these runs gradcheck on a gradient's graph: a third of the profile's count.
HEAVY = settings(max_examples=max(10, settings.default.max_examples // 3))
FEW = settings(max_examples=5)  # a few shapes: the values do not choose the rules


def _gradients_on_nodes(case, xs: list[Tensor], u: Tensor) -> list[Tensor]:
    """The gradients of ``case.call(*xs)`` for the output gradient `u`, as nodes with graphs
    (nothing is written into any ``.grad``)."""
    out = case.call(*xs)
    found = differentiate(out, u, xs)
    return [found[x] for x in xs]


def _pairing(case, vs: list[np.ndarray], w: np.ndarray):
    """``F(*xs, u) = sum_i <vjp_i(u), v_i> + <u, w>``; the last term keeps F a node where
    every gradient is a constant (``step``'s zero)."""

    def pairing(*leaves: Tensor) -> Tensor:
        *xs, u = leaves
        with engine.enable_grad():  # gradcheck's finite differences run it under no_grad()
            total = (u * w).sum()
            for g, v in zip(_gradients_on_nodes(case, xs, u), vs):
                total = total + (g * v).sum()
        return total

    return pairing


def _draw(case, data):
    xs = draw_inputs(case, data)
    rng = np.random.default_rng(data.draw(st.integers(0, 2**32 - 1), label="seed"))
    out = case.call(*[Tensor(x) for x in xs])
    u, w = rng.standard_normal(out.shape), rng.standard_normal(out.shape)
    return xs, u, w, [rng.standard_normal(np.shape(x)) for x in xs]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
@HEAVY
@given(data=st.data())
def test_second_derivatives_match_finite_differences_of_the_gradient(case, data):
    xs, u, w, vs = _draw(case, data)
    leaves = [Tensor(a, requires_grad=True) for a in [*xs, u]]
    assert gradcheck(_pairing(case, vs, w), *leaves)


def _edge(domain, where: str) -> float | None:
    """The domain's end (`low`, `high`) or 0, if the domain holds it (None otherwise)."""
    d = DOMAINS[domain] if isinstance(domain, str) else domain
    x = {"low": d.low, "high": d.high, "zero": 0.0}[where]
    return x if d.contains(x) else None


EDGES = [
    pytest.param(case, where, id=f"{case.id}-{where}")
    for case in CASES
    if not case.distinct  # (their values must differ: the hypothesis test draws them)
    for where in ("low", "high", "zero")
    if all(_edge(d, where) is not None for d in case.domains)
]


@pytest.mark.parametrize(("case", "where"), EDGES)
def test_second_derivatives_at_the_ends_of_the_domain_and_at_zero(case, where):
    shapes = [(2, 3)] * len(case.domains) if case.shapes is None else find(case.shapes, bool)
    xs = [np.full(s, _edge(d, where)) for d, s in zip(case.domains, shapes)]
    out = case.call(*[Tensor(x) for x in xs])
    rng = np.random.default_rng(1)
    u, w = rng.standard_normal(out.shape), rng.standard_normal(out.shape)
    vs = [rng.standard_normal(x.shape) for x in xs]
    leaves = [Tensor(a, requires_grad=True) for a in [*xs, u]]
    assert gradcheck(_pairing(case, vs, w), *leaves)


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
@given(data=st.data())
def test_the_gradient_with_a_graph_is_the_first_order_gradient(case, data):
    xs, u, _, _ = _draw(case, data)
    plain = [Tensor(x, requires_grad=True) for x in xs]
    case.call(*plain).backward(u)
    nodes = [Tensor(x, requires_grad=True) for x in xs]
    case.call(*nodes).backward(u, create_graph=True)
    for p, n in zip(plain, nodes):
        assert isinstance(n.grad, Tensor)
        assert n.grad.shape == p.grad.shape and n.grad.dtype == p.grad.dtype
        np.testing.assert_array_equal(n.grad.data, p.grad)


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
@FEW
@given(data=st.data())
def test_a_plain_backward_builds_no_node(case, data):
    xs, u, _, _ = _draw(case, data)
    leaves = [Tensor(x, requires_grad=True) for x in xs]
    out = case.call(*leaves)
    created = []
    with engine.node_hook(created.append):
        out.backward(u)
    assert created == []
    assert all(type(x.grad) is np.ndarray for x in leaves)


def test_a_create_graph_backward_records_the_gradient():
    x = Tensor(np.array([0.3, -1.2, 2.0]), requires_grad=True)
    created = []
    out = (x * x * x).sum()
    with engine.node_hook(created.append):
        out.backward(create_graph=True)
    assert created and x.grad.requires_grad
    grad = x.grad
    x.zero_grad()
    grad.sum().backward()
    np.testing.assert_allclose(x.grad, 6 * x.data)


@pytest.mark.parametrize("index", [[0, 2, 0, 0], (np.array([0, 0, 3]), np.array([1, 1, 2]))])
def test_indexing_with_repeats_is_twice_differentiable(index):
    # y = x[index]; F = sum(y**3): dF/dx scatters 3 y**2 with accumulation, and d2F/dx2 · 1
    # scatters 6 y (again with accumulation): counts multiply at repeated positions.
    data = np.arange(12.0).reshape(4, 3) / 7.0
    x = Tensor(data, requires_grad=True)
    (x[index] ** 3).sum().backward(create_graph=True)
    counts = np.zeros_like(data)
    np.add.at(counts, index, 1.0)
    np.testing.assert_allclose(x.grad.data, 3 * data**2 * counts)
    grad = x.grad
    x.zero_grad()
    grad.sum().backward()
    np.testing.assert_allclose(x.grad, 6 * data * counts)
