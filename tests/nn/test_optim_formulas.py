"""Optimizers follow the documented update formulas, for Tensors and Values, and match
PyTorch when it is installed."""

from __future__ import annotations

import numpy as np
import pytest

from autograd_lite import Tensor, Value
from nn import optim
from tests.nn.optim_reference import CASE_IDS, CASES, problem, run

# ------------------------------------------------------------------ update formulas


TOLERANCE = {np.float32: {"rtol": 1e-5, "atol": 1e-6}, np.float64: {"rtol": 1e-12, "atol": 1e-14}}


@pytest.mark.parametrize(
    ("dtype", "flat"), [(np.float32, None), (np.float64, False), (np.float64, True)]
)
@pytest.mark.parametrize(("cls", "ref", "kw"), CASES, ids=CASE_IDS)
def test_tensors_follow_the_documented_algorithm(cls, ref, kw, dtype, flat):
    """Against the doc box computed in the same dtype (NumPy keeps float32 with Python floats)."""
    init, grads = problem()
    init = [a.astype(dtype) for a in init]
    grads = [[g.astype(dtype) for g in step] for step in grads]
    ours, _, _ = run(cls, kw, init, grads, dtype, flat)
    for step_ours, step_ref in zip(ours, ref(init, grads, **kw), strict=True):
        for x, y in zip(step_ours, step_ref):
            assert x.dtype == y.dtype == dtype
            np.testing.assert_allclose(x, y, **TOLERANCE[dtype])


def test_adam_prescaled_moments_equal_the_textbook_update_to_1e_6():
    """One float32 step from random moments at several step counts: the update with the
    folded scalars vs the textbook lr * m_hat / (sqrt(v_hat) + eps), computed in float64."""
    rng = np.random.default_rng(3)
    b1, b2, lr, eps = 0.9, 0.999, 0.01, 1e-8
    for t in (1, 2, 10, 1000):
        p = Tensor(np.zeros(50, np.float32), requires_grad=True)  # so p - update is exact
        opt = optim.Adam([p], lr=lr, betas=(b1, b2), eps=eps, flat=False)
        scaled_m = rng.standard_normal(50).astype(np.float32)
        scaled_v = rng.uniform(0, 10, 50).astype(np.float32)
        opt.state[p] = {
            "step": t - 1,
            "exp_avg_scaled": scaled_m.copy(),
            "exp_avg_sq_scaled": scaled_v.copy(),
        }
        g = rng.standard_normal(50).astype(np.float32)
        p.grad = g
        opt.step()
        g = g.astype(np.float64)
        m = b1 * (1 - b1) * scaled_m.astype(np.float64) + (1 - b1) * g
        v = b2 * (1 - b2) * scaled_v.astype(np.float64) + (1 - b2) * g**2
        textbook = -lr * (m / (1 - b1**t)) / (np.sqrt(v / (1 - b2**t)) + eps)
        np.testing.assert_allclose(p.data, textbook, rtol=1e-6)
        np.testing.assert_allclose(opt.state[p]["exp_avg_scaled"], m / (1 - b1), rtol=1e-6)


@pytest.mark.parametrize(("cls", "ref", "kw"), CASES, ids=CASE_IDS)
def test_values_follow_the_float64_tensor_trajectory_exactly(cls, ref, kw):
    init, grads = problem(1, shapes=[(5,)])
    tensor_path, _, _ = run(cls, kw, init, grads, np.float64, flat=False)
    values = [Value(x) for x in init[0]]
    opt = cls(values, **kw)
    for step, expected in zip(grads, tensor_path):
        for value, g in zip(values, step[0]):
            value.grad = float(g)
        opt.step()
        assert [v.data for v in values] == expected[0].tolist()


# --------------------------------------------------------------------------- PyTorch


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize(("cls", "ref", "kw"), CASES, ids=CASE_IDS)
def test_trajectories_match_pytorch(cls, ref, kw, dtype):
    torch = pytest.importorskip("torch")
    init, grads = problem(6)
    ours, _, _ = run(cls, kw, init, grads, dtype)
    params = [torch.tensor(a.astype(dtype), requires_grad=True) for a in init]
    opt = getattr(torch.optim, cls.__name__)(params, **kw)
    for step, expected in zip(grads, ours):
        for p, g in zip(params, step):
            p.grad = torch.from_numpy(g.astype(dtype))
        opt.step()
        for p, e in zip(params, expected):
            np.testing.assert_allclose(p.detach().numpy(), e, **TOLERANCE[dtype])
