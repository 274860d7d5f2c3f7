"""The optimizers' steady path: after a whole-block update, the next one skips the checks
when the members' state is as it was left, and must still notice every change to it."""

from __future__ import annotations

import numpy as np
import pytest

from autograd_lite import Tensor
from nn.optim import SGD, Adam


def _params(seed: int = 0) -> list[Tensor]:
    rng = np.random.default_rng(seed)
    return [
        Tensor(rng.normal(size=shape).astype(np.float32), requires_grad=True)
        for shape in [(3, 4), (3,), (2, 3)]
    ]


def _grads(k: int) -> list[np.ndarray]:
    rng = np.random.default_rng(100 + k)
    return [rng.normal(size=shape).astype(np.float32) for shape in [(3, 4), (3,), (2, 3)]]


def _step(opt, params: list[Tensor], k: int) -> None:
    opt.zero_grad()
    for p, g in zip(params, _grads(k)):
        p.grad = g
    opt.step()


def _run(make, edit=None, steps: int = 6, edit_at: int = 3) -> list[Tensor]:
    params = _params()
    opt = make(params)
    for k in range(steps):
        if edit is not None and k == edit_at:
            edit(opt, params)
        _step(opt, params, k)
    return params


@pytest.mark.parametrize(
    ("make", "name"),
    [
        (lambda ps: Adam(ps, lr=0.1), "exp_avg_scaled"),
        (lambda ps: SGD(ps, lr=0.1, momentum=0.9), "momentum_buffer"),
    ],
    ids=["adam", "sgd-momentum"],
)
def test_a_replaced_state_array_is_adopted_as_an_edited_one(make, name):
    def replace(opt, params):  # a new array: the steady path must see it is not its view
        state = opt.state[params[1]]
        state[name] = state[name] * 0.5 + 1.0

    def edit_in_place(opt, params):
        state = opt.state[params[1]]
        state[name][...] = state[name] * 0.5 + 1.0

    replaced, edited = _run(make, replace), _run(make, edit_in_place)
    untouched = _run(make)
    for a, b in zip(replaced, edited):
        np.testing.assert_array_equal(a.data, b.data)
    assert not np.array_equal(replaced[1].data, untouched[1].data)


def test_a_changed_step_count_is_seen_and_the_member_moves_on_its_own():
    def set_step(opt, params):  # a different bias correction for one parameter
        opt.state[params[0]]["step"] = 1

    flat = _run(lambda ps: Adam(ps, lr=0.1), set_step)
    each = _run(lambda ps: Adam(ps, lr=0.1, flat=False), set_step)
    for a, b in zip(flat, each):
        np.testing.assert_allclose(a.data, b.data, rtol=1e-6, atol=1e-7)


def test_every_member_counts_its_steps_on_the_steady_path():
    params = _params()
    opt = Adam(params, lr=0.1)
    for k in range(5):
        _step(opt, params, k)
    assert [opt.state[p]["step"] for p in params] == [5, 5, 5]
    assert opt.state_dict()["state"][0]["step"] == 5


def test_state_loaded_between_steps_is_used():
    reference, params = _params(), _params()  # per parameter (no steady path) and flat
    opt_ref, opt = Adam(reference, lr=0.1, flat=False), Adam(params, lr=0.1)
    for k in range(3):
        _step(opt_ref, reference, k)
        _step(opt, params, k)
    saved = opt_ref.state_dict()
    _step(opt_ref, reference, 3)
    _step(opt, params, 3)
    for k in range(4, 6):  # both go back to step 3's state and take the same steps
        opt_ref.load_state_dict(saved)
        opt.load_state_dict(saved)
        _step(opt_ref, reference, k)
        _step(opt, params, k)
    for a, b in zip(reference, params):
        np.testing.assert_array_equal(a.data, b.data)
    assert [opt.state[p]["step"] for p in params] == [4, 4, 4]
