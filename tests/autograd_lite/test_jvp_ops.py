"""Forward mode through every tensor op, driven by the op table.

Each op's JVP rule (`Primitive.defjvp`) must describe the same derivative as its VJP rule:
for random directions, ``<jvp(u), v> = <u, vjp(v)>``, with the JVP rules on arrays
(`autograd_lite.jvp`) and the VJP rules on arrays (a plain ``backward``). Nested, with the
primals and tangents as nodes, the rules run on nodes and record: the tangent has the same
value, and its own gradient (reverse over forward) matches finite differences. Forward over
reverse (`autograd_lite.hvp`'s way) agrees with reverse over reverse.
"""

from __future__ import annotations

import importlib
import pkgutil

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from autograd_lite import engine, grad, gradcheck, jvp, tensor_ops
from autograd_lite.primitive import Primitive
from autograd_lite.tensor import Tensor
from tests.autograd_lite.test_tensor_ops import draw_inputs
from tests.op_table import LOSS_OPS, TENSOR_OPS

CASES = TENSOR_OPS + LOSS_OPS
# Each example of these runs gradcheck on a gradient's graph: a third of the profile's count.
HEAVY = settings(max_examples=max(10, settings.default.max_examples // 3))


def _directions(case, data):
    """The inputs, a tangent `u` per input and a cotangent `v` of the output's shape."""
    xs = draw_inputs(case, data)
    rng = np.random.default_rng(data.draw(st.integers(0, 2**32 - 1), label="seed"))
    us = [rng.standard_normal(np.shape(x)) for x in xs]
    v = rng.standard_normal(case.call(*[Tensor(x) for x in xs]).shape)
    return xs, us, v


def _inner(a, b) -> float:
    return float(np.sum(np.asarray(a) * np.asarray(b)))


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
@given(data=st.data())
def test_forward_mode_is_the_transpose_of_reverse_mode(case, data):
    xs, us, v = _directions(case, data)
    out, tangent = jvp(case.call, xs, us)
    np.testing.assert_array_equal(out, case.call(*[Tensor(x) for x in xs]).data)
    assert type(tangent) is np.ndarray and tangent.shape == np.shape(out)
    leaves = [Tensor(x, requires_grad=True) for x in xs]
    case.call(*leaves).backward(v)
    forward, reverse = _inner(tangent, v), sum(_inner(u, x.grad) for u, x in zip(us, leaves))
    assert forward == pytest.approx(reverse, rel=1e-9, abs=1e-9)


def _forward_pairing(case, v: np.ndarray, w: list[np.ndarray]):
    """``F(*xs, *us) = <jvp_xs(us), v> + sum <u_i, w_i>`` with the tangent as a node (the
    rules run on nodes); the last terms keep F a node where a tangent is a constant."""

    def pairing(*leaves: Tensor) -> Tensor:
        xs, us = leaves[: len(w)], leaves[len(w) :]
        with engine.enable_grad():  # gradcheck's finite differences run it under no_grad()
            _, tangent = jvp(case.call, xs, us)
            total = (tangent * v).sum()
            for u, wi in zip(us, w):
                total = total + (u * wi).sum()
        return total

    return pairing


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
@HEAVY
@given(data=st.data())
def test_nested_forward_mode_records_a_tangent_that_differentiates(case, data):
    xs, us, v = _directions(case, data)
    nodes = [Tensor(a, requires_grad=True) for a in [*xs, *us]]
    _, on_nodes = jvp(case.call, nodes[: len(xs)], nodes[len(xs) :])
    _, on_arrays = jvp(case.call, xs, us)
    if isinstance(on_nodes, Tensor):  # (a constant tangent, step's zero, may stay an array)
        on_nodes = on_nodes.data
    np.testing.assert_allclose(on_nodes, on_arrays, rtol=1e-12, atol=1e-12)
    # Finite differences of a sum whose terms span many orders of magnitude (0.01 ** -2.5
    # beside 1) lose the small terms' derivatives to rounding: no test of the rule there.
    assume(np.all(np.abs(on_arrays) < 1e4))
    w = [np.random.default_rng(len(xs)).standard_normal(np.shape(u)) for u in us]
    assert gradcheck(_forward_pairing(case, v, w), *nodes)


def _hessian_times(case, xs, us, v) -> list[np.ndarray]:
    """``H u`` of ``f = <case.call(*xs), v>``, reverse over reverse (``create_graph``)."""
    leaves = [Tensor(x, requires_grad=True) for x in xs]
    (case.call(*leaves) * v).sum().backward(create_graph=True)
    grads = [leaf.grad for leaf in leaves]
    for leaf in leaves:
        leaf.zero_grad()
    pairing = sum(((g * u).sum() for g, u in zip(grads, us)), Tensor(0.0))
    if pairing.requires_grad:  # (no graph where every gradient is a constant: H = 0)
        pairing.backward()
    return [
        np.zeros(np.shape(x)) if leaf.grad is None else leaf.grad for x, leaf in zip(xs, leaves)
    ]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
@given(data=st.data())
def test_forward_over_reverse_is_reverse_over_reverse(case, data):
    """``jvp(grad(f))``, the JVP rules run on the nodes the VJP rules record (`hvp`'s way),
    gives the Hessian-vector product that differentiating the gradient again gives."""
    xs, us, v = _directions(case, data)

    def f(*leaves: Tensor) -> Tensor:
        return (case.call(*leaves) * v).sum()

    expected = _hessian_times(case, xs, us, v)
    for i, want in enumerate(expected):
        _, got = jvp(grad(f, argnums=i), xs, us)
        np.testing.assert_allclose(got, want, rtol=1e-9, atol=1e-9 * (1 + np.abs(want).max()))


def test_every_primitive_of_the_tensor_ops_has_a_vjp_and_a_jvp():
    """The registered ops and the primitives they reach (``reshaped``, ``scattered``,
    ``affine``, ...), in every module of the package."""
    found = {}
    for info in pkgutil.iter_modules(tensor_ops.__path__):
        module = importlib.import_module(f"{tensor_ops.__name__}.{info.name}")
        found.update((id(p), p) for p in vars(module).values() if isinstance(p, Primitive))
    assert len(found) > 40
    missing = sorted(p.name for p in found.values() if not (p.has_vjp and p.has_jvp))
    assert missing == []
