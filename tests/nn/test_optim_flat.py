"""The flat-buffer path: equal to the per-parameter path, views of one buffer, re-homing,
missing gradients, in-place updates, parameter groups."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from autograd_lite import Tensor
from nn import optim
from tests.nn.optim_reference import CASE_IDS, CASES, assert_same, problem, ref_sgd, run

# ------------------------------------------------------------------------ flat buffers


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize(("cls", "ref", "kw"), CASES, ids=CASE_IDS)
def test_flat_path_equals_the_per_parameter_path_bitwise(cls, ref, kw, dtype, monkeypatch):
    init, grads = problem(2)
    with monkeypatch.context() as patch:  # prove that the flat run never falls back
        patch.setattr(optim.Optimizer, "_step_each", None)
        flat, _, flat_opt = run(cls, kw, init, grads, dtype, flat=True)
    each, _, each_opt = run(cls, kw, init, grads, dtype, flat=False)
    assert_same(flat, each)
    for p_flat, p_each in zip(
        flat_opt.param_groups[0]["params"], each_opt.param_groups[0]["params"]
    ):
        s_flat, s_each = flat_opt.state[p_flat], each_opt.state[p_each]
        assert s_flat.keys() == s_each.keys()
        for key, value in s_flat.items():
            np.testing.assert_array_equal(value, s_each[key])


@given(
    seed=st.integers(0, 2**32 - 1),
    which=st.sampled_from(["sgd", "adam", "rmsprop"]),
    lr=st.floats(1e-4, 0.5),
    beta=st.floats(0.5, 0.99),
    decay=st.sampled_from([0.0, 0.01, 0.5]),
    flag=st.booleans(),
    maximize=st.booleans(),
)
def test_flat_equals_per_parameter_for_any_hyperparameters(
    seed, which, lr, beta, decay, flag, maximize
):
    cls, kw = {
        "sgd": (optim.SGD, {"momentum": beta, "nesterov": flag}),
        "adam": (optim.Adam, {"betas": (beta, 0.999), "amsgrad": flag}),
        "rmsprop": (optim.RMSprop, {"alpha": beta, "centered": flag, "momentum": 0.5}),
    }[which]
    kw = {**kw, "lr": lr, "weight_decay": decay, "maximize": maximize}
    init, grads = problem(seed, steps=3)
    assert_same(
        run(cls, kw, init, grads, np.float32, True)[0],
        run(cls, kw, init, grads, np.float32, False)[0],
    )


def test_flat_parameters_are_views_of_one_buffer_with_their_values():
    init, grads = problem()
    params = [Tensor(a.astype(np.float32), requires_grad=True) for a in init]
    opt = optim.Adam(params, lr=0.1)
    flat = opt._flat_of(opt.param_groups[0])
    views = [p.data for p in params]
    for p, a in zip(params, init):
        assert p.data.base is flat.data and p.data.shape == a.shape
        np.testing.assert_array_equal(p.data, a.astype(np.float32))
    for step in grads:
        for p, g in zip(params, step):
            p.grad = g.astype(np.float32)
        opt.step()
    assert all(p.data is view for p, view in zip(params, views))  # updated in place
    assert all(
        s.base is flat.states["exp_avg_scaled"]
        for s in (opt.state[p]["exp_avg_scaled"] for p in params)
    )
    assert "one float32 buffer of 21 values" in repr(opt)


def test_a_rebound_parameter_is_re_homed_into_the_buffer():
    init, grads = problem()
    runs = []
    for flat in (True, False):
        params = [Tensor(a.copy(), requires_grad=True) for a in init]
        opt = optim.SGD(params, lr=0.1, momentum=0.9, flat=flat)
        for k, step in enumerate(grads):
            if k == 2:
                params[0].data = np.full((3, 4), 7.0)  # someone rebinds .data
            for p, g in zip(params, step):
                p.grad = g
            opt.step()
        runs.append([p.data.copy() for p in params])
        if flat:
            assert params[0].data.base is opt._flat_of(opt.param_groups[0]).data
    assert_same([runs[0]], [runs[1]])
    params[0].data = np.zeros((2, 2))
    opt = optim.SGD(params, lr=0.1)
    params[0].data = np.zeros((4, 3))
    with pytest.raises(ValueError, match=r"expected parameter 0 of a flat group to keep shape"):
        opt.step()


@pytest.mark.parametrize(("cls", "ref", "kw"), CASES, ids=CASE_IDS)
def test_parameters_without_gradient_are_skipped(cls, ref, kw):
    init, grads = problem(4)
    holes = [
        [None if (k + i) % 3 == 0 and k < 3 else g for i, g in enumerate(step)]
        for k, step in enumerate(grads)  # holes in the first steps, then the flat path again
    ]
    flat, params, opt = run(cls, kw, init, holes, np.float64, flat=True)
    each, _, _ = run(cls, kw, init, holes, np.float64, flat=False)
    assert_same(flat, each)
    previous = init
    for step, now in zip(holes, flat):
        for g, before, after in zip(step, previous, now):
            if g is None:
                np.testing.assert_array_equal(before, after)
        previous = now
    steps = [opt.state[p]["step"] for p in params]
    assert steps == [sum(step[i] is not None for step in holes) for i in range(len(params))]


@pytest.mark.parametrize(
    ("cls", "paths"),
    [
        (optim.SGD, [True, False, True, True, True, True]),
        # Adam's bias correction needs one step count per whole-buffer update: the parameter
        # that missed a step keeps its own count, so the group stays on the per-parameter path
        (optim.Adam, [True, False, False, False, False, False]),
    ],
)
def test_a_missing_gradient_makes_one_step_per_parameter(cls, paths, monkeypatch):
    taken = []
    block_step = optim.Optimizer._block_step
    monkeypatch.setattr(
        optim.Optimizer, "_block_step", lambda *args: taken.append(block_step(*args)) or taken[-1]
    )
    init, grads = problem()
    grads[1][0] = None
    run(cls, {"lr": 0.1, "momentum": 0.9} if cls is optim.SGD else {}, init, grads, flat=True)
    assert taken == paths


def test_the_per_parameter_path_updates_in_place():
    init, grads = problem()
    params = [Tensor(a.copy(), requires_grad=True) for a in init]
    arrays = [p.data for p in params]
    for cls in (optim.SGD, optim.Adam, optim.RMSprop):
        opt = cls(params, lr=0.1, weight_decay=0.1, flat=False)
        for p, g in zip(params, grads[0]):
            p.grad = g
        opt.step()
        assert all(p.data is a for p, a in zip(params, arrays))
    assert not np.array_equal(arrays[0], init[0])


def test_parameter_groups_use_their_own_hyperparameters():
    init, grads = problem()
    params = [Tensor(a.copy(), requires_grad=True) for a in init]
    opt = optim.SGD(
        [{"params": params[:2], "lr": 0.01}, {"params": params[2:], "momentum": 0.9}], lr=0.1
    )
    assert [g["lr"] for g in opt.param_groups] == [0.01, 0.1]
    for step in grads:
        for p, g in zip(params, step):
            p.grad = g
        opt.step()
    first = ref_sgd(init[:2], [s[:2] for s in grads], lr=0.01)[-1]
    second = ref_sgd(init[2:], [s[2:] for s in grads], lr=0.1, momentum=0.9)[-1]
    for p, expected in zip(params, first + second):
        np.testing.assert_allclose(p.data, expected, rtol=1e-12)
    extra = Tensor(np.ones(2), requires_grad=True)
    opt.add_param_group({"params": extra, "lr": 0.5})
    assert opt.param_groups[2]["params"] == [extra] and opt.param_groups[2]["momentum"] == 0
