"""`nn.optim`: SGD, Adam and RMSprop against NumPy versions of PyTorch's documented algorithms,
for Tensors (float32, float64, flat and per-parameter) and Values; flat buffers, state
dicts, parameter groups, validation, and small training problems."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from autograd_lite import Tensor, Value
from nn import optim

SHAPES = [(3, 4), (4,), (1,), (2, 1, 2)]
STEPS = 6

# ------------------------------------------------------------- references (the doc boxes)


def ref_sgd(
    params, grads, lr, momentum=0.0, dampening=0.0, weight_decay=0.0, nesterov=False, maximize=False
):
    params, bufs, out = [p.copy() for p in params], [None] * len(params), []
    for step in grads:
        for i, g in enumerate(step):
            g = -g if maximize else g
            if weight_decay:
                g = g + weight_decay * params[i]
            if momentum:
                b = g.copy() if bufs[i] is None else momentum * bufs[i] + (1 - dampening) * g
                bufs[i] = b
                g = g + momentum * b if nesterov else b
            params[i] = params[i] - lr * g
        out.append([p.copy() for p in params])
    return out


def ref_adam(params, grads, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0,
             amsgrad=False, maximize=False):  # fmt: skip
    b1, b2 = betas
    params, out = [p.copy() for p in params], []
    m = [np.zeros_like(p) for p in params]
    v = [np.zeros_like(p) for p in params]
    v_max = [np.zeros_like(p) for p in params]
    for t, step in enumerate(grads, start=1):
        for i, g in enumerate(step):
            g = -g if maximize else g
            if weight_decay:
                g = g + weight_decay * params[i]
            m[i] = b1 * m[i] + (1 - b1) * g
            v[i] = b2 * v[i] + (1 - b2) * g**2
            m_hat = m[i] / (1 - b1**t)
            if amsgrad:
                v_max[i] = np.maximum(v_max[i], v[i])
                v_hat = v_max[i] / (1 - b2**t)
            else:
                v_hat = v[i] / (1 - b2**t)
            params[i] = params[i] - lr * m_hat / (np.sqrt(v_hat) + eps)
        out.append([p.copy() for p in params])
    return out


def ref_rmsprop(params, grads, lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0.0,
                momentum=0.0, centered=False, maximize=False):  # fmt: skip
    params, out = [p.copy() for p in params], []
    v, g_avg, b = ([np.zeros_like(p) for p in params] for _ in range(3))
    for step in grads:
        for i, g in enumerate(step):
            g = -g if maximize else g
            if weight_decay:
                g = g + weight_decay * params[i]
            v[i] = alpha * v[i] + (1 - alpha) * g**2
            v_tilde = v[i]
            if centered:
                g_avg[i] = alpha * g_avg[i] + (1 - alpha) * g
                v_tilde = v_tilde - g_avg[i] ** 2
            if momentum > 0:
                b[i] = momentum * b[i] + g / (np.sqrt(v_tilde) + eps)
                params[i] = params[i] - lr * b[i]
            else:
                params[i] = params[i] - lr * g / (np.sqrt(v_tilde) + eps)
        out.append([p.copy() for p in params])
    return out


SGD_CASES = [
    {"lr": 0.1},
    {"lr": 0.1, "momentum": 0.9},
    {"lr": 0.05, "momentum": 0.9, "dampening": 0.3},
    {"lr": 0.05, "momentum": 0.8, "nesterov": True},
    {"lr": 0.1, "weight_decay": 0.01},
    {"lr": 0.1, "maximize": True},
    {"lr": 0.05, "momentum": 0.9, "nesterov": True, "weight_decay": 0.1, "maximize": True},
]
ADAM_CASES = [
    {},
    {"lr": 0.01, "betas": (0.8, 0.99)},
    {"lr": 0.01, "betas": (0.0, 0.5), "eps": 1e-3},
    {"lr": 0.01, "weight_decay": 0.1},
    {"lr": 0.01, "amsgrad": True},
    {"lr": 0.01, "maximize": True},
    {"lr": 0.02, "amsgrad": True, "weight_decay": 0.05, "maximize": True},
]
RMSPROP_CASES = [
    {},
    {"lr": 0.01, "alpha": 0.9},
    {"lr": 0.01, "centered": True},
    {"lr": 0.01, "momentum": 0.9},
    {"lr": 0.01, "weight_decay": 0.1},
    {"lr": 0.01, "maximize": True},
    {"lr": 0.01, "centered": True, "momentum": 0.5, "weight_decay": 0.1, "maximize": True},
]
CASES = (
    [(optim.SGD, ref_sgd, kw) for kw in SGD_CASES]
    + [(optim.Adam, ref_adam, kw) for kw in ADAM_CASES]
    + [(optim.RMSprop, ref_rmsprop, kw) for kw in RMSPROP_CASES]
)
CASE_IDS = [f"{cls.__name__}-{kw}" for cls, _, kw in CASES]


def problem(seed=0, shapes=SHAPES, steps=STEPS):
    """Initial values and a gradient per parameter per step (scales vary, for amsgrad)."""
    rng = np.random.default_rng(seed)
    init = [rng.standard_normal(s) for s in shapes]
    scales = rng.uniform(0.1, 3.0, steps)
    return init, [[rng.standard_normal(s) * c for s in shapes] for c in scales]


def run(cls, kw, init, grads, dtype=np.float64, flat=None):
    """Our trajectory: gradients assigned by hand (None: that parameter has none)."""
    params = [Tensor(np.array(a, dtype=dtype), requires_grad=True) for a in init]
    opt = cls(params, flat=flat, **kw)
    out = []
    for step in grads:
        for p, g in zip(params, step):
            p.grad = None if g is None else np.array(g, dtype=dtype)
        opt.step()
        out.append([p.data.copy() for p in params])
    return out, params, opt


def assert_same(a, b):
    for step_a, step_b in zip(a, b, strict=True):
        for x, y in zip(step_a, step_b, strict=True):
            assert x.dtype == y.dtype and np.array_equal(x, y)


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
    flat_step = optim.Optimizer._flat_step
    monkeypatch.setattr(
        optim.Optimizer, "_flat_step", lambda *args: taken.append(flat_step(*args)) or taken[-1]
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


# ------------------------------------------------------------------------- state dicts

# SGD with momentum, SGD with everything, Adam, Adam with everything, RMSprop with everything
ROUND_TRIP = [1, 6, 7, 13, 20]


@pytest.mark.parametrize(("save_flat", "load_flat"), [(True, True), (False, True), (True, False)])
@pytest.mark.parametrize(
    ("cls", "ref", "kw"), [CASES[i] for i in ROUND_TRIP], ids=[CASE_IDS[i] for i in ROUND_TRIP]
)
def test_state_dict_round_trip_resumes_the_same_trajectory(cls, ref, kw, save_flat, load_flat):
    init, grads = problem(5)
    full, _, _ = run(cls, kw, init, grads, np.float32, flat=save_flat)
    _, params, opt = run(cls, kw, init, grads[:3], np.float32, flat=save_flat)
    saved = opt.state_dict()
    assert sorted(saved["state"]) == list(range(len(SHAPES)))
    assert saved["param_groups"][0]["params"] == list(range(len(SHAPES)))
    values = [p.data.copy() for p in params]
    for p, g in zip(params, grads[3]):  # keep training: the saved copies must not change
        p.grad = g.astype(np.float32)
    opt.step()
    resumed, new_params, new_opt = run(cls, kw, values, [], np.float32, flat=load_flat)
    new_opt.load_state_dict(saved)
    assert new_opt.param_groups[0]["flat"] is load_flat
    for step in grads[3:]:
        for p, g in zip(new_params, step):
            p.grad = g.astype(np.float32)
        new_opt.step()
        resumed.append([p.data.copy() for p in new_params])
    assert_same(resumed, full[3:])


def test_load_state_dict_rejects_what_does_not_fit():
    p, q = Tensor(np.zeros(3), requires_grad=True), Tensor(np.zeros(2), requires_grad=True)
    opt = optim.SGD([p, q], lr=0.1, momentum=0.9)
    p.grad, q.grad = np.ones(3), np.ones(2)
    opt.step()
    good = opt.state_dict()
    with pytest.raises(ValueError, match=r"expected groups of sizes \[1\], got \[2\]"):
        optim.SGD([p], lr=0.1).load_state_dict(good)
    swapped = optim.SGD([q, p], lr=0.1, momentum=0.9)
    with pytest.raises(ValueError, match=r"shape \(2,\), got shape \(3,\)"):
        swapped.load_state_dict(good)
    with pytest.raises(ValueError, match=r"indices in \[0, 2\), got 7"):
        opt.load_state_dict({**good, "state": {7: {"step": 1}}})
    with pytest.raises(TypeError, match="expected a mapping with 'state'"):
        opt.load_state_dict([1, 2])
    with pytest.raises(ValueError, match="expected lr >= 0, got -1"):
        opt.load_state_dict({**good, "param_groups": [{**good["param_groups"][0], "lr": -1}]})
    assert opt.param_groups[0]["lr"] == 0.1  # nothing was loaded


# -------------------------------------------------------------------------- validation


def _t(*shape, requires_grad=True, dtype=np.float64):
    return Tensor(np.zeros(shape, dtype), requires_grad=requires_grad)


# Each entry builds its optimizer from a fresh parameter `w` (a float64 Tensor of shape (2,)).
INVALID = [
    (lambda w: optim.SGD([w], lr=-0.1), ValueError, "SGD: expected lr >= 0, got -0.1"),
    (lambda w: optim.SGD([w], lr=math.nan), ValueError, "expected lr >= 0, got nan"),
    (lambda w: optim.SGD([w], lr=math.inf), ValueError, "expected lr >= 0, got inf"),
    (lambda w: optim.SGD([w], lr="fast"), TypeError, "expected lr to be a real number"),
    (lambda w: optim.SGD([w], lr=0.1, momentum=-1), ValueError, "momentum >= 0, got -1"),
    (lambda w: optim.SGD([w], lr=0.1, dampening=2), ValueError, r"dampening in \[0, 1\], got 2"),
    (lambda w: optim.SGD([w], lr=0.1, weight_decay=-1), ValueError, "weight_decay >= 0"),
    (lambda w: optim.SGD([w], lr=0.1, nesterov=True), ValueError, "momentum > 0 and dampening 0"),
    (
        lambda w: optim.SGD([w], lr=0.1, momentum=0.9, dampening=0.1, nesterov=True),
        ValueError,
        "got momentum=0.9 and dampening=0.1",
    ),
    (lambda w: optim.SGD([w], lr=0.1, nesterov=1), TypeError, "nesterov to be True or False"),
    (lambda w: optim.Adam([w], lr=-1e-3), ValueError, "Adam: expected lr >= 0, got -0.001"),
    (lambda w: optim.Adam([w], betas=(0.9, 1.0)), ValueError, r"beta2 in \[0, 1\), got 1.0"),
    (lambda w: optim.Adam([w], betas=(-0.1, 0.9)), ValueError, r"beta1 in \[0, 1\), got -0.1"),
    (lambda w: optim.Adam([w], betas=0.9), TypeError, "expected betas to be a pair"),
    (lambda w: optim.Adam([w], eps=0), ValueError, "expected eps > 0, got 0"),
    (lambda w: optim.Adam([w], weight_decay=-0.1), ValueError, "weight_decay >= 0, got -0.1"),
    (lambda w: optim.Adam([w], amsgrad=None), TypeError, "amsgrad to be True or False"),
    (lambda w: optim.RMSprop([w], alpha=1.0), ValueError, r"alpha in \[0, 1\), got 1.0"),
    (lambda w: optim.RMSprop([w], eps=-1e-8), ValueError, "RMSprop: expected eps > 0"),
    (lambda w: optim.RMSprop([w], momentum=-0.5), ValueError, "expected momentum >= 0"),
    (lambda w: optim.RMSprop([w], centered="yes"), TypeError, "centered to be True or False"),
    (lambda w: optim.Adam([w], flat="yes"), TypeError, "expected flat to be None, True or False"),
    (lambda w: optim.Adam([]), ValueError, "expected at least one parameter, got an empty list"),
    (lambda w: optim.Adam([{"params": []}]), ValueError, "got an empty list"),
    (lambda w: optim.Adam(w), TypeError, "got a single Tensor; wrap it in a list"),
    (lambda w: optim.Adam({w}), TypeError, "got a set"),
    (lambda w: optim.Adam(5), TypeError, "expected an iterable of parameters or of dicts, got int"),
    (lambda w: optim.Adam([np.zeros(2)]), TypeError, "got parameter 0 of type ndarray"),
    (
        lambda w: optim.Adam([w, _t(2, requires_grad=False)]),
        ValueError,
        r"got parameter 1, a Tensor of shape \(2,\) with requires_grad=False",
    ),
    (lambda w: optim.Adam([w * 2]), ValueError, "expected leaf parameters, got parameter 0"),
    (lambda w: optim.Adam([w, w]), ValueError, "parameter 1 appears twice"),
    (
        lambda w: optim.Adam([{"params": [w]}, {"params": [_t(1), w]}]),
        ValueError,
        "got parameter 1 of the new group already in group 0",
    ),
    (lambda w: optim.Adam([{"params": [w]}, w]), TypeError, "got a mix"),
    (lambda w: optim.Adam([{"lr": 0.1}]), TypeError, "a dict with a 'params' entry"),
    (lambda w: optim.Adam([{"params": [w], "lr": -2}]), ValueError, "expected lr >= 0, got -2"),
    (
        lambda w: optim.Adam([Value(1.0), w], flat=True),
        ValueError,
        "flat=True expected floating Tensors of one dtype, got parameters of types Tensor, Value",
    ),
    (
        lambda w: optim.Adam([w, _t(1, dtype=np.float32)], flat=True),
        ValueError,
        "got Tensors of dtypes float32, float64",
    ),
]


@pytest.mark.parametrize(("make", "error", "match"), INVALID)
def test_invalid_arguments_are_clear_errors(make, error, match):
    with pytest.raises(error, match=match):
        make(_t(2))


def test_a_gradient_of_the_wrong_shape_is_an_error():
    for flat in (True, False):
        p = _t(3)
        opt = optim.SGD([p], lr=0.1, flat=flat)
        p.grad = np.ones(())
        with pytest.raises(ValueError, match=r"expected a gradient of shape \(3,\), got shape"):
            opt.step()


# ----------------------------------------------------------------- zero_grad, repr, misc


def test_zero_grad_sets_none_or_zero_fills_in_place():
    p, q, v = _t(3), _t(2), Value(1.0)
    opt = optim.SGD([{"params": [p, q]}, {"params": [v]}], lr=0.1)
    p.grad, v.grad = np.ones(3), 2.0
    grad = p.grad
    opt.zero_grad(set_to_none=False)
    assert p.grad is grad and np.all(grad == 0) and q.grad is None and v.grad == 0.0
    v.grad = 2.0
    opt.zero_grad()
    assert p.grad is None and v.grad == 0.0


def test_repr_lists_groups_and_hyperparameters():
    text = repr(optim.SGD([{"params": [Value(1.0)]}, {"params": [_t(2)], "lr": 0.5}], lr=0.1))
    assert text.startswith("SGD (\nParameter Group 0\n") and text.endswith(")")
    assert "    lr: 0.1\n" in text and "    lr: 0.5\n" in text and "params: 1 Value\n" in text
    assert "params: 1 Tensor, one float64 buffer of 2 values" in text


def test_step_calls_the_closure_with_gradients_enabled_and_returns_its_loss():
    x = Value(2.0)
    opt = optim.SGD([x], lr=0.25)

    def closure():
        opt.zero_grad()
        loss = x * x
        loss.backward()
        return loss

    assert opt.step(closure).data == 4.0 and x.data == 1.0


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


# ------------------------------------------------------------------------ training


OPTIMIZERS = [
    (optim.SGD, {"lr": 0.02, "momentum": 0.9}),
    (optim.SGD, {"lr": 0.02, "momentum": 0.9, "nesterov": True}),
    (optim.Adam, {"lr": 0.1}),
    (optim.Adam, {"lr": 0.1, "amsgrad": True}),
    (optim.RMSprop, {"lr": 0.01}),
    (optim.RMSprop, {"lr": 0.01, "centered": True, "momentum": 0.5}),
]


@pytest.mark.parametrize(("cls", "kw"), OPTIMIZERS)
def test_a_value_quadratic_converges(cls, kw):
    x, y = Value(0.0), Value(0.0)
    opt = cls([x, y], **kw)
    for _ in range(400):
        opt.zero_grad()
        ((x - 3) ** 2 + 10 * (y + 1) ** 2).backward()
        opt.step()
    assert x.data == pytest.approx(3, abs=0.05) and y.data == pytest.approx(-1, abs=0.05)


@pytest.mark.parametrize("flat", [None, False])
@pytest.mark.parametrize(("cls", "kw"), OPTIMIZERS)
def test_tensor_least_squares_converges(cls, kw, flat):
    rng = np.random.default_rng(0)
    a = Tensor(rng.standard_normal((40, 3)).astype(np.float32))
    w_true = np.array([[1.5], [-2.0], [0.5]], np.float32)
    b = Tensor(a.data @ w_true + 0.25)
    w = Tensor(np.zeros((3, 1), np.float32), requires_grad=True)
    c = Tensor(np.zeros(1, np.float32), requires_grad=True)
    opt = cls([w, c], flat=flat, **kw)
    scheduler = optim.lr_scheduler.StepLR(opt, step_size=300, gamma=0.1)
    for _ in range(400):
        opt.zero_grad()
        r = a @ w + c - b
        (r * r).mean().backward()
        opt.step()
        scheduler.step()
    np.testing.assert_allclose(w.data, w_true, atol=0.05)
    np.testing.assert_allclose(c.data, [0.25], atol=0.05)
