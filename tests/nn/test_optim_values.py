"""Value parameters go through the optimizers' array code: gathered into one float64 array
per group, updated, scattered back; their state is 0-d views of the group's buffers."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from autograd_lite import Tensor, Value
from nn import optim
from tests.nn.optim_reference import CASE_IDS, CASES, problem, run


def _values_run(cls, kw, init, grads):
    values = [Value(x) for x in init]
    opt = cls(values, **kw)
    out = []
    for step in grads:
        for value, g in zip(values, step):
            value.grad = float(g)
        opt.step()
        out.append([v.data for v in values])
    return out, values, opt


def test_value_state_is_views_of_one_float64_buffer_and_data_stays_float():
    init, grads = problem(1, shapes=[(4,)])
    _, values, opt = _values_run(optim.Adam, {"lr": 0.1}, init[0], [g[0] for g in grads])
    moments = [opt.state[v]["exp_avg_scaled"] for v in values]
    assert all(m.shape == () and m.dtype == np.float64 for m in moments)
    assert len({id(m.base) for m in moments}) == 1  # one buffer for the whole group
    assert all(type(v.data) is float for v in values)
    assert all(opt.state[v]["step"] == len(grads) for v in values)


@pytest.mark.parametrize(("cls", "ref", "kw"), CASES, ids=CASE_IDS)
def test_a_mixed_group_moves_values_and_tensors_as_their_own_references(cls, ref, kw):
    init, grads = problem(2, shapes=[(3,), (2, 2)])
    values = [Value(x) for x in init[0]]
    tensor = Tensor(init[1].astype(np.float32), requires_grad=True)
    opt = cls([*values, tensor], **kw)
    for step in grads:
        for value, g in zip(values, step[0]):
            value.grad = float(g)
        tensor.grad = step[1].astype(np.float32)
        opt.step()
    expected_values = ref([init[0]], [[s[0]] for s in grads], **kw)[-1][0]
    expected_tensor, _, _ = run(cls, kw, [init[1]], [[s[1]] for s in grads], np.float32)
    assert [v.data for v in values] == pytest.approx(expected_values.tolist(), rel=1e-12)
    np.testing.assert_array_equal(tensor.data, expected_tensor[-1][0])


@pytest.mark.parametrize(("cls", "ref", "kw"), CASES, ids=CASE_IDS)
def test_a_value_state_dict_resumes_the_same_trajectory(cls, ref, kw):
    init, grads = problem(3, shapes=[(5,)])
    flat_grads = [g[0] for g in grads]
    full, _, _ = _values_run(cls, kw, init[0], flat_grads)
    _, values, opt = _values_run(cls, kw, init[0], flat_grads[:3])
    saved = opt.state_dict()
    resumed, new_values, new_opt = _values_run(cls, kw, [v.data for v in values], [])
    new_opt.load_state_dict(saved)
    for step in flat_grads[3:]:
        for value, g in zip(new_values, step):
            value.grad = float(g)
        new_opt.step()
        resumed.append([v.data for v in new_values])
    assert resumed == full[3:]


def test_values_with_different_step_counts_are_updated_one_by_one_exactly():
    """Adam's bias correction differs when the step counts differ: no whole-array update,
    and each Value then follows its own float64 Tensor."""
    a, b = Value(1.0), Value(-2.0)
    opt = optim.Adam([a, b], lr=0.1)
    ta = Tensor(np.array([1.0]), requires_grad=True)
    tb = Tensor(np.array([-2.0]), requires_grad=True)
    reference = optim.Adam([ta, tb], lr=0.1, flat=False)
    states = [{"step": 4, "exp_avg_scaled": 0.5, "exp_avg_sq_scaled": 2.0}, {"step": 0}]
    opt.load_state_dict({"state": dict(enumerate(states)), "param_groups": opt.param_groups})
    reference.load_state_dict(
        {
            "state": {
                0: {k: np.array([v]) if k != "step" else v for k, v in states[0].items()},
                1: states[1],
            },
            "param_groups": reference.param_groups,
        }
    )
    for g in (0.3, -1.5, 0.7):
        a.grad, b.grad = g, 2 * g
        ta.grad, tb.grad = np.array([g]), np.array([2 * g])
        opt.step()
        reference.step()
        assert (a.data, b.data) == (ta.data[0], tb.data[0])
    assert (opt.state[a]["step"], opt.state[b]["step"]) == (7, 3)


class SignSGD(optim.Optimizer):
    """A new optimizer says how parameters move once, on arrays, and gets Values too."""

    def __init__(self, params: Any, lr: float = 0.1) -> None:
        super().__init__(params, {"lr": lr, "weight_decay": 0.0, "maximize": False})

    def _update_arrays(self, group, p, g, state, new, work, tmp) -> None:
        np.sign(g, out=tmp)
        tmp *= group["lr"]
        p -= tmp


def test_an_optimizer_written_for_arrays_moves_values():
    v, t = Value(1.0), Tensor(np.array([1.0, -1.0]), requires_grad=True)
    opt = SignSGD([v, t], lr=0.25)
    v.grad, t.grad = -3.0, np.array([2.0, 0.0])
    opt.step()
    assert v.data == 1.25 and t.data.tolist() == [0.75, -1.0]


def test_a_value_gradient_that_is_a_node_moves_the_value_by_its_number():
    x = Value(3.0)
    opt = optim.SGD([x], lr=0.1)
    x.grad = Value(2.0) * 3.0  # a gradient with a graph of its own (create_graph=True)
    opt.step()
    assert x.data == pytest.approx(3.0 - 0.1 * 6.0) and type(x.data) is float
