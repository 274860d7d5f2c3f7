"""Every tensor op, driven by the op table: forward against NumPy and gradients against
finite differences, under hypothesis, on broadcasting shapes; and parity with `Value`."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from autograd_lite import Value, gradcheck, scalar_ops, tensor_ops
from autograd_lite.tensor import Tensor
from autograd_lite.tensor_ops import losses
from autograd_lite.testing import arrays, floats_in
from tests.op_table import DISTINCT, LOSS_OPS, OPS, TENSOR_OPS, registered_without_a_row


def test_every_registered_tensor_op_has_a_row():
    assert registered_without_a_row(tensor_ops.OPS, TENSOR_OPS + LOSS_OPS) == (set(), set())
    assert tensor_ops.__all__ == tensor_ops.OPS.names()


def test_every_fused_loss_is_in_the_loss_table():
    fused = {
        name
        for name in tensor_ops.OPS.names()
        if tensor_ops.OPS[name].__module__ == losses.__name__
    }
    assert fused == {case.op for case in LOSS_OPS}


def test_the_mirrored_ops_come_in_the_scalar_engines_order():
    scalar_names = scalar_ops.OPS.names()
    assert tensor_ops.OPS.names()[: len(scalar_names)] == scalar_names


def test_every_op_is_a_name_of_the_package_and_documents_its_derivative():
    for name in tensor_ops.OPS.names():
        op = tensor_ops.OPS[name]
        assert getattr(tensor_ops, name) is op
        assert op.__doc__ and "d/d" in op.__doc__, f"{name} needs a docstring with its derivative"


def draw_inputs(case, data):
    shapes = data.draw(case.shape_strategy(), label="shapes")
    if case.distinct:
        return [
            data.draw(hnp.arrays(np.float64, s, elements=DISTINCT, unique=True)) for s in shapes
        ]
    return [
        data.draw(arrays(d, s), label=f"x{i}") for i, (d, s) in enumerate(zip(case.domains, shapes))
    ]


@pytest.mark.parametrize("case", TENSOR_OPS + LOSS_OPS, ids=lambda c: c.id)
@given(data=st.data())
def test_forward_matches_numpy(case, data):
    xs = draw_inputs(case, data)
    out = case.call(*[Tensor(x) for x in xs])
    assert isinstance(out, Tensor) and out.dtype == np.float64
    np.testing.assert_allclose(out.data, case.reference(*xs), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("case", TENSOR_OPS + LOSS_OPS, ids=lambda c: c.id)
@given(data=st.data())
def test_gradient_matches_finite_differences(case, data):
    xs = draw_inputs(case, data)
    assert gradcheck(case.call, *[Tensor(x, requires_grad=True) for x in xs])


@pytest.mark.parametrize("case", [c for c in OPS if c.op != "linear"], ids=lambda c: c.id)
@given(data=st.data())
def test_tensor_and_value_agree_element_by_element(case, data):
    xs = [data.draw(arrays(d, (3,)), label=f"x{i}") for i, d in enumerate(case.domains)]
    tensors = [Tensor(x, requires_grad=True) for x in xs]
    out = case.call(*tensors)
    out.sum().backward()
    for k in range(3):
        values = [Value(x[k]) for x in xs]
        v = case.call(*values)
        v.backward()
        # NumPy's and `math`'s functions may differ in the last bit, which cancellation in
        # derivatives such as 1 - tanh(x)**2 can magnify: agree to 1e-12 of the scale of 1.
        assert out.data[k] == pytest.approx(v.data, rel=1e-12, abs=1e-12)
        for t, value in zip(tensors, values):
            assert t.grad[k] == pytest.approx(value.grad, rel=1e-9, abs=1e-12)


@given(x=floats_in("real"), n=st.integers(1, 4))
def test_linear_on_one_neuron_is_the_scalar_linear(x, n):
    rng = np.random.default_rng(n)
    w, inputs, b = rng.standard_normal(n), rng.standard_normal(n) * x, rng.standard_normal()
    ws, xs, bv = [Value(v) for v in w], [Value(v) for v in inputs], Value(b)
    scalar = scalar_ops.linear(ws, xs, bv)
    scalar.backward()
    W, X, B = (
        Tensor(w[None, :], requires_grad=True),
        Tensor(inputs, requires_grad=True),
        Tensor(np.array([b]), requires_grad=True),
    )
    tensor = tensor_ops.linear(X, W, B)
    tensor.sum().backward()
    assert tensor.data[0] == pytest.approx(scalar.data, rel=1e-12)
    np.testing.assert_allclose(W.grad[0], [v.grad for v in ws], rtol=1e-12)
    np.testing.assert_allclose(X.grad, [v.grad for v in xs], rtol=1e-12)
    assert B.grad[0] == pytest.approx(bv.grad)
