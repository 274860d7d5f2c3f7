"""`nn.TrainStep`: a captured step replays the same math as the eager step, bit for bit,
and keeps its semantics (gradients, errors, hooks, anything it cannot replay)."""

from __future__ import annotations

import numpy as np
import pytest

import nn
from autograd_lite import Tensor, kernels, no_grad
from nn import functional as F
from nn.optim import SGD, Adam
from nn.train_step import TrainStep

BACKENDS = ["numpy"] + (["numba"] if kernels.numba_installed() else [])


@pytest.fixture(params=BACKENDS)
def backend(request):
    with kernels.use_backend(request.param):
        yield request.param


def _data(features: int = 6, classes: int = 4, n: int = 90) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(7)
    return rng.normal(size=(n, features)).astype(np.float32), rng.integers(0, classes, n)


def _batches(X, y, size: int = 16):
    """Every batch of 16, the last one smaller (the replay must take any batch size)."""
    return [(X[i : i + size], y[i : i + size]) for i in range(0, len(X), size)]


MODELS = {
    "linear-relu-linear": lambda: [nn.Linear(6, 5, rng=1), nn.ReLU(), nn.Linear(5, 4, rng=2)],
    "deeper": lambda: [
        nn.Linear(6, 8, rng=1),
        nn.ReLU(),
        nn.Linear(8, 5, rng=2),
        nn.ReLU(),
        nn.Linear(5, 4, rng=3),
    ],
    "no-bias, no-relu": lambda: [nn.Linear(6, 5, bias=False, rng=1), nn.Linear(5, 4, rng=2)],
}
OPTIMIZERS = {
    "adam": lambda ps: Adam(ps, lr=0.05),
    "sgd-momentum": lambda ps: SGD(ps, lr=0.1, momentum=0.9),
}


def _eager_step(model, optimizer, x, y) -> float:
    loss = F.cross_entropy(model(x), y)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    return loss.item()


def _pair(layers, make_optimizer=OPTIMIZERS["adam"]):
    """Two identical models and optimizers: one stepped eagerly, one by a TrainStep."""
    eager_model, captured_model = nn.Sequential(*layers()), nn.Sequential(*layers())
    eager_opt = make_optimizer(eager_model.parameters())
    captured_opt = make_optimizer(captured_model.parameters())
    return (eager_model, eager_opt), TrainStep(captured_model, captured_opt)


def _assert_same(eager_model, step: TrainStep) -> None:
    for a, b in zip(eager_model.parameters(), step.model.parameters()):
        np.testing.assert_array_equal(a.data, b.data)
        if a.grad is None:
            assert b.grad is None
        else:
            np.testing.assert_array_equal(a.grad, b.grad)


@pytest.fixture
def count_eager(monkeypatch):
    """How many steps ran eagerly (the first, captured, one included)."""
    calls = []
    eager = TrainStep._eager

    def counted(self, x, y):
        calls.append(1)
        return eager(self, x, y)

    monkeypatch.setattr(TrainStep, "_eager", counted)
    return calls


# ---------------------------------------------------------------------------- same math


@pytest.mark.parametrize("optimizer", OPTIMIZERS)
@pytest.mark.parametrize("model", MODELS)
def test_replayed_steps_are_the_eager_steps_bit_for_bit(backend, model, optimizer, count_eager):
    (eager_model, eager_opt), step = _pair(MODELS[model], OPTIMIZERS[optimizer])
    X, y = _data()
    for _epoch in range(2):
        for x, labels in _batches(X, y):
            assert step(x, labels) == _eager_step(eager_model, eager_opt, x, labels)
            _assert_same(eager_model, step)
    assert step.captured
    assert len(count_eager) == 1  # only the captured step ran eagerly
    saved, expected = step.optimizer.state_dict()["state"], eager_opt.state_dict()["state"]
    for index, state in expected.items():
        for name, value in state.items():
            np.testing.assert_array_equal(saved[index][name], value)


def test_gradients_are_the_optimizers_buffers_as_after_backward():
    (eager_model, eager_opt), step = _pair(MODELS["linear-relu-linear"])
    X, y = _data()
    for x, labels in _batches(X, y)[:3]:
        step(x, labels)
        _eager_step(eager_model, eager_opt, x, labels)
    for p, q in zip(step.model.parameters(), eager_model.parameters()):
        assert p.grad is p.grad_buffer
        assert (q.grad is q.grad_buffer) == (p.grad is p.grad_buffer)


def test_a_parameter_outside_the_optimizer_accumulates_as_after_backward(count_eager):
    layers = MODELS["linear-relu-linear"]
    eager_model, captured_model = nn.Sequential(*layers()), nn.Sequential(*layers())
    eager_opt = Adam(eager_model[2].parameters(), lr=0.05)  # the first layer is never zeroed
    step = TrainStep(captured_model, Adam(captured_model[2].parameters(), lr=0.05))
    X, y = _data()
    for x, labels in _batches(X, y)[:4]:
        assert step(x, labels) == _eager_step(eager_model, eager_opt, x, labels)
        _assert_same(eager_model, step)
    assert len(count_eager) == 1


# ------------------------------------------------------------------------ eager semantics


def test_the_data_and_label_errors_are_the_eager_ones(backend):
    _, step = _pair(MODELS["linear-relu-linear"])
    X, y = _data()
    step(X[:16], y[:16])
    assert step.captured
    with pytest.raises(ValueError, match=r"expected input of shape \(\.\.\., 6\), got \(16, 5\)"):
        step(X[:16, :5], y[:16])
    with pytest.raises(ValueError, match=r"expected labels in \[0, 4\), got 1 out of range"):
        step(X[:16], np.r_[y[:15], 4])
    with pytest.raises(ValueError, match=r"expected labels in \[0, 4\), got 1 out of range"):
        step(X[:16], np.r_[y[:15], -1])
    with pytest.raises(TypeError, match="expected integer class labels"):
        step(X[:16], y[:16].astype(np.float32))
    with pytest.raises(ValueError, match=r"expected labels of shape \(16,\)"):
        step(X[:16], y[:15])
    with no_grad(), pytest.raises(RuntimeError, match="does not require grad"):
        step(X[:16], y[:16])


def test_a_step_the_replay_cannot_vouch_for_runs_eagerly(count_eager):
    (eager_model, eager_opt), step = _pair(MODELS["linear-relu-linear"])
    X, y = _data()
    batches = _batches(X, y)
    seen = []

    def both(x, labels):
        assert step(x, labels) == _eager_step(eager_model, eager_opt, x, labels)
        _assert_same(eager_model, step)

    both(*batches[0])
    handle = step.model[0].register_forward_hook(lambda m, args, out: seen.append(out.shape))
    both(*batches[1])  # the hook sees the Linear's own output: no fusion, no replay
    assert seen == [(16, 5)]
    handle.remove()
    x64 = batches[2][0].astype(np.float64)  # converted by Linear, as data is
    both(x64, batches[2][1])
    both(*batches[3])  # replayed again
    assert len(count_eager) == 3


def _two_steps_taken():
    """An eager model and a TrainStep after the same two steps (the second one replayed),
    and the batches: the rest are for the test."""
    (eager_model, eager_opt), step = _pair(MODELS["linear-relu-linear"])
    X, y = _data()
    batches = _batches(X, y)
    for x, labels in batches[:2]:
        assert step(x, labels) == _eager_step(eager_model, eager_opt, x, labels)
    return eager_model, eager_opt, step, batches


def test_a_changed_model_is_stepped_as_it_now_is():
    eager_model, eager_opt, step, batches = _two_steps_taken()
    for model in (eager_model, step.model):
        model.append(nn.ReLU())
    for x, labels in batches[2:]:
        assert step(x, labels) == _eager_step(eager_model, eager_opt, x, labels)
        _assert_same(eager_model, step)
    assert step.captured  # captured again: now two Linear-ReLU layers


def test_a_frozen_parameter_is_left_alone_as_by_backward():
    eager_model, eager_opt, step, batches = _two_steps_taken()
    for model in (eager_model, step.model):
        model[0].bias.requires_grad_(False)
    for x, labels in batches[2:]:
        assert step(x, labels) == _eager_step(eager_model, eager_opt, x, labels)
        _assert_same(eager_model, step)
    assert step.model[0].bias.grad is None


def test_other_models_and_losses_train_eagerly(count_eager):
    layers = lambda: [nn.Linear(6, 5, rng=1), nn.Tanh(), nn.Linear(5, 4, rng=2)]  # noqa: E731
    (eager_model, eager_opt), step = _pair(layers)
    X, y = _data()
    for x, labels in _batches(X, y)[:3]:
        assert step(x, labels) == _eager_step(eager_model, eager_opt, x, labels)
    assert not step.captured and len(count_eager) == 3
    model = nn.Sequential(*MODELS["linear-relu-linear"]())
    other = TrainStep(model, Adam(model.parameters(), lr=0.1), nn.CrossEntropyLoss())
    other(*_batches(X, y)[0])
    assert not other.captured


def test_it_names_what_it_was_given_wrongly():
    model = nn.Sequential(*MODELS["linear-relu-linear"]())
    with pytest.raises(TypeError, match="expected a Module as model, got list"):
        TrainStep([model], Adam(model.parameters()))
    with pytest.raises(TypeError, match="expected an optimizer with step"):
        TrainStep(model, model.parameters())


def test_a_replaced_parameter_is_trained_as_eager_trains_it():
    eager_model, eager_opt, step, batches = _two_steps_taken()
    for model in (eager_model, step.model):  # a new Tensor, not new values in the old one
        model[2].weight = Tensor(np.full((4, 5), 0.1, np.float32), requires_grad=True)
    eager_opt = Adam(eager_model.parameters(), lr=0.05)
    step.optimizer = Adam(step.model.parameters(), lr=0.05)
    for x, labels in batches[2:]:
        assert step(x, labels) == _eager_step(eager_model, eager_opt, x, labels)
        _assert_same(eager_model, step)
    assert step.captured  # captured again, with the new weight


def test_a_check_that_raises_leaves_the_model_as_it_was_and_the_outputs_are_kept():
    _, _, step, batches = _two_steps_taken()
    x, labels = batches[2]

    def refuse(loss: float) -> None:
        raise FloatingPointError(f"refused {loss:.3f}")

    step.check = refuse
    before = [(p.data.copy(), p.grad.copy()) for p in step.model.parameters()]
    with pytest.raises(FloatingPointError, match="refused"):
        step(x, labels)  # replayed: the check runs after the forward, before anything changes
    for p, (data, grad) in zip(step.model.parameters(), before):
        np.testing.assert_array_equal(p.data, data)
        np.testing.assert_array_equal(p.grad, grad)
    with no_grad():
        np.testing.assert_array_equal(step.outputs, step.model(x).data)
