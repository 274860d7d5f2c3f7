"""`nn.optim.lr_scheduler`: the closed forms of step decay, exponential decay and cosine
annealing, PyTorch's epoch bookkeeping, state dicts and argument checks."""

from __future__ import annotations

import math

import numpy as np
import pytest

from autograd_lite import Tensor, Value
from nn import optim
from nn.optim.lr_scheduler import CosineAnnealingLR, ExponentialLR, StepLR


def two_groups(lr0=0.1, lr1=0.04):
    return optim.SGD(
        [{"params": [Value(1.0)]}, {"params": [Value(2.0)], "lr": lr1}], lr=lr0, momentum=0.9
    )


def lrs(scheduler, epochs):
    """The learning rates of both groups at epochs 0..epochs-1 (read from the optimizer)."""
    out = []
    for _ in range(epochs):
        out.append([g["lr"] for g in scheduler.optimizer.param_groups])
        scheduler.step()
    return out


SCHEDULES = [
    (lambda opt: StepLR(opt, step_size=3, gamma=0.5), lambda lr, e: lr * 0.5 ** (e // 3)),
    (lambda opt: StepLR(opt, step_size=1), lambda lr, e: lr * 0.1**e),
    (lambda opt: ExponentialLR(opt, gamma=0.9), lambda lr, e: lr * 0.9**e),
    (
        lambda opt: CosineAnnealingLR(opt, T_max=5, eta_min=0.01),
        lambda lr, e: 0.01 + (lr - 0.01) * (1 + math.cos(math.pi * e / 5)) / 2,
    ),
]


@pytest.mark.parametrize(("make", "closed_form"), SCHEDULES)
def test_learning_rates_follow_the_closed_form(make, closed_form):
    scheduler = make(two_groups())
    assert scheduler.base_lrs == [0.1, 0.04] and scheduler.last_epoch == 0
    for epoch, (lr0, lr1) in enumerate(lrs(scheduler, 14)):
        assert lr0 == pytest.approx(closed_form(0.1, epoch), rel=1e-12)
        assert lr1 == pytest.approx(closed_form(0.04, epoch), rel=1e-12)
    assert scheduler.last_epoch == 14
    assert scheduler.get_last_lr() == [g["lr"] for g in scheduler.optimizer.param_groups]


def test_step_decay_is_the_seeds_schedule():
    """The tutorial's schedule: start high and divide by a constant factor every N epochs."""
    opt = optim.SGD([Value(0.0)], lr=1.0)
    got = [lr for (lr,) in lrs(StepLR(opt, step_size=2, gamma=0.5), 7)]
    assert got == [1.0, 1.0, 0.5, 0.5, 0.25, 0.25, 0.125]


def test_cosine_annealing_reaches_eta_min_then_rises_again():
    opt = optim.SGD([Value(0.0)], lr=0.1)
    values = [lr for (lr,) in lrs(CosineAnnealingLR(opt, T_max=4), 9)]
    assert values[0] == 0.1 and values[4] == pytest.approx(0.0, abs=1e-15)
    assert values[8] == pytest.approx(0.1) and values[2] == pytest.approx(0.05)


def test_the_initial_lr_is_kept_in_the_groups():
    opt = two_groups()
    StepLR(opt, step_size=1, gamma=0.5).step()
    assert [g["initial_lr"] for g in opt.param_groups] == [0.1, 0.04]
    # a second scheduler starts from the initial learning rates, as in PyTorch
    assert ExponentialLR(opt, gamma=0.5).base_lrs == [0.1, 0.04]


def test_state_dict_round_trip_continues_the_schedule():
    opt = two_groups()
    scheduler = CosineAnnealingLR(opt, T_max=10, eta_min=0.001)
    lrs(scheduler, 4)
    saved, opt_saved = scheduler.state_dict(), opt.state_dict()
    assert saved["last_epoch"] == 4 and "optimizer" not in saved
    expected = lrs(scheduler, 5)
    # PyTorch's order: build both, then load the optimizer's state and the scheduler's
    opt2 = two_groups(lr0=0.5, lr1=0.5)
    resumed = CosineAnnealingLR(opt2, T_max=10, eta_min=0.001)
    opt2.load_state_dict(opt_saved)
    resumed.load_state_dict(saved)
    assert resumed.base_lrs == [0.1, 0.04] and resumed.last_epoch == 4
    assert lrs(resumed, 5) == expected


def test_resuming_without_initial_lr_is_a_clear_error():
    with pytest.raises(KeyError, match=r"expected 'initial_lr' in param_groups\[0\]"):
        StepLR(two_groups(), step_size=2, last_epoch=5)


@pytest.mark.parametrize(
    ("make", "error", "match"),
    [
        (lambda o: StepLR(o, step_size=0), ValueError, "positive integer for step_size, got 0"),
        (lambda o: StepLR(o, step_size=2.5), TypeError, "positive integer for step_size, got 2.5"),
        (lambda o: StepLR(o, step_size=2, gamma=-0.1), ValueError, "gamma > 0, got -0.1"),
        (lambda o: StepLR(o, step_size=2, gamma="x"), TypeError, "gamma to be a real number"),
        (lambda o: ExponentialLR(o, gamma=0.0), ValueError, "gamma > 0, got 0.0"),
        (lambda o: ExponentialLR(o, gamma=math.inf), ValueError, "gamma > 0, got inf"),
        (lambda o: CosineAnnealingLR(o, T_max=-3), ValueError, "positive integer for T_max"),
        (lambda o: CosineAnnealingLR(o, T_max=3, eta_min=-1), ValueError, "eta_min >= 0, got -1"),
        (lambda o: StepLR(o, 2, last_epoch=-2), ValueError, "last_epoch >= -1, got -2"),
        (lambda o: StepLR(o, 2, last_epoch=1.0), TypeError, "last_epoch to be an integer"),
        (
            lambda o: StepLR("sgd", step_size=2),
            TypeError,
            "expected an nn.optim Optimizer, got str",
        ),
    ],
)
def test_invalid_arguments_are_clear_errors(make, error, match):
    with pytest.raises(error, match=match):
        make(two_groups())


def test_load_state_dict_checks_its_keys():
    scheduler = StepLR(two_groups(), step_size=2)
    with pytest.raises(ValueError, match=r"expected keys \[.*'step_size'.*\], got \['gamma'\]"):
        scheduler.load_state_dict({"gamma": 0.5})
    with pytest.raises(TypeError, match="expected a mapping, got list"):
        scheduler.load_state_dict([])
    assert "StepLR(last_epoch=0" in repr(scheduler)


@pytest.mark.parametrize(("make", "closed_form"), SCHEDULES)
def test_sequences_match_pytorch(make, closed_form):
    torch = pytest.importorskip("torch")
    ours = make(two_groups())
    param = torch.zeros(1, requires_grad=True)
    opt = torch.optim.SGD(
        [{"params": [param]}, {"params": [torch.zeros(1, requires_grad=True)], "lr": 0.04}], lr=0.1
    )
    theirs = getattr(torch.optim.lr_scheduler, type(ours).__name__)(
        opt,
        **{k: v for k, v in vars(ours).items() if k in ("step_size", "gamma", "T_max", "eta_min")},
    )
    for _ in range(14):
        np.testing.assert_allclose(ours.get_last_lr(), theirs.get_last_lr(), rtol=1e-12)
        opt.step()  # PyTorch warns if the scheduler steps first
        ours.step()
        theirs.step()


def test_a_scheduled_training_loop_on_tensors():
    w = Tensor(np.zeros(3, np.float32), requires_grad=True)
    target = np.array([1.0, -2.0, 3.0], np.float32)
    opt = optim.Adam([w], lr=0.3)
    scheduler = ExponentialLR(opt, gamma=0.97)
    for _ in range(150):
        opt.zero_grad()
        d = w - Tensor(target)
        (d * d).sum().backward()
        opt.step()
        scheduler.step()
    np.testing.assert_allclose(w.data, target, atol=1e-2)
    assert scheduler.get_last_lr()[0] == pytest.approx(0.3 * 0.97**150)
