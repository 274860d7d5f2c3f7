"""Optimizer API: state dicts, validation errors, zero_grad, repr, closures, and small
training problems that converge."""

from __future__ import annotations

import math

import numpy as np
import pytest

import nn
from autograd_lite import Tensor, Value
from nn import optim
from tests.nn.optim_reference import CASE_IDS, CASES, SHAPES, assert_same, problem, run

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


def _models():
    return [nn.Sequential(nn.Linear(2, 2, rng=0)), nn.Linear(2, 2, rng=0), nn.MLP(2, [2], rng=0)]


@pytest.mark.parametrize("cls", [optim.SGD, optim.Adam, optim.RMSprop])
def test_a_model_instead_of_its_parameters_says_parameters(cls):
    # A Sequential is iterable (over its layers), the others are not: both get one message.
    for model in _models():
        name = type(model).__name__
        with pytest.raises(
            TypeError, match=rf"got the model itself \({name}\); pass model\.parameters\(\)"
        ):
            cls(model, lr=0.1)
        with pytest.raises(TypeError, match=r"pass model\.parameters\(\)"):
            cls([{"params": model}], lr=0.1)
        with pytest.raises(
            TypeError, match=rf"got parameter 0, a {name} module; pass model\.param"
        ):
            cls([model], lr=0.1)


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
