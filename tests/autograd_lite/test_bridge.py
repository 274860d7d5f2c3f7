"""The scalar <-> tensor bridge: a tensor expression rebuilt on Values computes the same
values and gradients, and explains single elements of a matmul or a broadcast path by path."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from autograd_lite import Tensor, Value, tensor_ops
from autograd_lite.explain import chain_rule_paths, explain_gradient
from autograd_lite.explain.bridge import ValueArray, concatenate, stack, to_values, where
from autograd_lite.testing import arrays
from tests.op_table import DISTINCT, MASK, OPS, TENSOR_OPS


def assert_same(fn, xs, seed=0):
    """fn on Tensors and on Values (through the bridge): same values, same gradients."""
    tensors = [Tensor(np.array(x, dtype=np.float64), requires_grad=True) for x in xs]
    out = fn(*tensors)
    grad = np.random.default_rng(seed).standard_normal(out.shape)
    out.backward(grad)
    bridged = to_values(fn, *xs)
    bridged.backward(grad)
    np.testing.assert_allclose(bridged.output.data, out.data, rtol=1e-12, atol=1e-12)
    for t, g in zip(tensors, bridged.grads):
        np.testing.assert_allclose(g, t.grad, rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("case", [c for c in OPS if c.op != "linear"], ids=lambda c: c.id)
@given(data=st.data())
def test_every_shared_op_agrees_element_by_element(case, data):
    xs = [data.draw(arrays(d, (2, 3) if i == 0 else (3,))) for i, d in enumerate(case.domains)]
    assert_same(case.call, xs)


# Rows that call tensor_ops functions directly (the bridge has its own concatenate, stack and
# where, tested below) or ops without a Value counterpart (clip).
NOT_ON_VALUES = {
    "linear",
    "linear-batched",
    "linear_relu",
    "linear_relu-dead",
    "linear_relu-batched",
    "matmul-batched",
    "where",
    "maximum",
    "minimum",
    "clip",
    "concatenate",
    "stack",
}
ROWS = [c for c in TENSOR_OPS[len(OPS) - 1 :] if c.variant not in NOT_ON_VALUES]


@pytest.mark.parametrize("case", ROWS, ids=lambda c: c.id)
@given(data=st.data())
def test_tensor_only_ops_agree_with_their_value_graphs(case, data):
    shapes = data.draw(case.shape_strategy())
    if case.distinct:  # no ties: Values send the gradient of max to one element
        xs = [data.draw(hnp.arrays(np.float64, s, elements=DISTINCT, unique=True)) for s in shapes]
    else:
        xs = [data.draw(arrays(d, s)) for d, s in zip(case.domains, shapes)]
    assert_same(case.call, xs)


def test_the_bridge_functions_mirror_the_tensor_functions():
    rng = np.random.default_rng(0)
    a, b = rng.standard_normal((2, 3)), rng.standard_normal((1, 3))
    pairs = [
        (lambda x, y: tensor_ops.concatenate([x, y]), lambda x, y: concatenate([x, y])),
        (lambda x, y: tensor_ops.stack([x[0], y[0]], axis=1), lambda x, y: stack([x[0], y[0]], 1)),
        (lambda x, y: tensor_ops.where(MASK, x, y), lambda x, y: where(MASK, x, y)),
    ]
    for on_tensors, on_values in pairs:
        ta, tb = Tensor(a, requires_grad=True), Tensor(b, requires_grad=True)
        out = on_tensors(ta, tb)
        out.backward(np.ones(out.shape))
        bridged = to_values(on_values, a, b)
        bridged.backward(np.ones(out.shape))
        np.testing.assert_allclose(bridged.output.data, out.data)
        np.testing.assert_allclose(bridged.grads[0], ta.grad)
        np.testing.assert_allclose(bridged.grads[1], tb.grad)


# ----------------------------------------------------- explaining one element, path by path


def test_one_element_of_a_matmul_is_a_sum_of_products_path_by_path():
    A = np.arange(6.0).reshape(2, 3)
    B = np.arange(6.0).reshape(3, 2) - 2.5
    bridged = to_values(lambda A, B: A @ B, A, B, names=["A", "B"])
    out = bridged.output.node(1, 0)
    out.backward()
    assert out.data == pytest.approx((A @ B)[1, 0])
    for k in range(3):
        (a_path,) = chain_rule_paths(bridged.leaves[0].node(1, k), out)
        (b_path,) = chain_rule_paths(bridged.leaves[1].node(k, 0), out)
        assert a_path.product == pytest.approx(B[k, 0]) and a_path.nodes[1].op == "*"
        assert b_path.product == pytest.approx(A[1, k])
    # Elements out of row 1 or column 0 do not reach it.
    assert chain_rule_paths(bridged.leaves[0].node(0, 0), out) == []
    # The tensor engine's gradient of that element is the same.
    tA = Tensor(A, requires_grad=True)
    (tA @ Tensor(B))[1, 0].backward()
    np.testing.assert_allclose(bridged.leaves[0].grad, tA.grad)


def test_a_broadcast_bias_gets_one_path_per_row():
    x, b = np.arange(6.0).reshape(2, 3), np.array([0.5, -1.0, 2.0])
    bridged = to_values(lambda x, b: ((x + b) * (x + b)).sum(), x, b, names=["x", "b"])
    loss = bridged.output.node()
    loss.backward()
    bias = bridged.leaves[1].node(1)
    assert bias.label == "b[1]"
    explanation = explain_gradient(bias, loss)
    assert explanation.n_paths == 4  # 2 rows, and each row's square uses (x + b) twice
    assert explanation.agrees and explanation.total == pytest.approx(2 * (x[:, 1] + b[1]).sum())
    tb = Tensor(b, requires_grad=True)
    ((Tensor(x) + tb) * (Tensor(x) + tb)).sum().backward()
    np.testing.assert_allclose(bridged.leaves[1].grad, tb.grad)


def test_value_arrays_support_the_tensor_api_for_numbers_and_arrays():
    v = ValueArray.leaves(np.array([1.0, 2.0]), name="v")
    out = (2.0 - v) * np.array([3.0, 4.0]) / 2.0 + 1.0
    out = (out**2).sum() + (np.ones((1, 2)) @ v).sum()
    out.backward()
    assert isinstance(out.node(), Value)
    np.testing.assert_allclose(v.grad, [2 * 2.5 * -1.5 + 1.0, 2 * 1.0 * -2.0 + 1.0])
    assert repr(v).startswith("ValueArray(shape=(2,)")


def test_clear_errors():
    with pytest.raises(TypeError, match="expected tensor_fn to return a ValueArray"):
        to_values(lambda x: x.data, np.ones(2))
    with pytest.raises(ValueError, match="expected 1 names, got 2"):
        to_values(lambda x: x, np.ones(2), names=["a", "b"])
    with pytest.raises(RuntimeError, match="grad can be implicit only for one element"):
        to_values(lambda x: x * 2, np.ones(2)).backward()
