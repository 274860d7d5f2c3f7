"""fit / evaluate / History: training loops that report what a user needs."""

from __future__ import annotations

import numpy as np
import pytest

import nn
from nn import functional as F
from nn.data import DataLoader, two_moons
from nn.optim import SGD, Adam
from nn.optim.lr_scheduler import StepLR
from nn.train import accuracy


def moons_model(seed=0):
    rng = np.random.default_rng(seed)
    return nn.Sequential(nn.Linear(2, 16, rng=rng), nn.ReLU(), nn.Linear(16, 2, rng=rng))


def test_fit_lowers_the_loss_and_records_a_history():
    X, y = two_moons(400, noise=0.1, rng=0)
    model = moons_model()
    history = nn.fit(model, (X, y), Adam(model.parameters(), lr=0.02), epochs=8, rng=0,
                     progress=False, validation=(X[:100], y[:100]))  # fmt: skip
    assert history.epochs == 8
    assert history.loss[-1] < 0.5 * history.loss[0]
    assert history.accuracy[-1] > 0.95 and history.val_accuracy[-1] > 0.95
    assert len(history.lr) == len(history.seconds) == 8
    assert "val_accuracy" in str(history) and str(history).count("\n") == 8


def test_fit_is_reproducible_with_a_seed():
    X, y = two_moons(200, noise=0.1, rng=0)
    losses = []
    for _ in range(2):
        model = moons_model(1)
        h = nn.fit(model, (X, y), SGD(model.parameters(), lr=0.1), epochs=2, rng=5, progress=False)
        losses.append(h.loss)
    assert losses[0] == losses[1]


def test_fit_takes_a_dataloader_a_loss_and_a_scheduler():
    X, y = two_moons(200, noise=0.1, rng=0)
    model = moons_model()
    optimizer = SGD(model.parameters(), lr=0.5)
    loader = DataLoader(X, y, batch_size=50, rng=0)
    seen = []
    history = nn.fit(
        model, loader, optimizer, epochs=3, loss_fn=lambda out, t: F.cross_entropy(out, t),
        scheduler=StepLR(optimizer, step_size=1, gamma=0.5), progress=False,
        on_epoch_end=lambda epoch, h: seen.append(epoch),
    )  # fmt: skip
    assert history.lr == [0.5, 0.25, 0.125]
    assert seen == [1, 2, 3]


def test_a_diverging_loss_names_the_epoch_and_step():
    X, y = two_moons(64, noise=0.1, rng=0)
    model = moons_model()
    with np.errstate(all="ignore"), pytest.raises(FloatingPointError, match="at epoch 1, step"):
        nn.fit(model, (X * 1e30, y), SGD(model.parameters(), lr=1e10), epochs=3, progress=False)


def test_evaluate_restores_the_training_mode_and_builds_no_graph():
    X, y = two_moons(100, noise=0.1, rng=0)
    model = moons_model()
    model.train()
    metrics = nn.evaluate(model, (X, y))
    assert model.training
    assert set(metrics) == {"loss", "accuracy"} and 0 <= metrics["accuracy"] <= 1
    assert all(p.grad is None for p in model.parameters())


def test_regression_has_no_accuracy():
    X = np.linspace(-1, 1, 64, dtype=np.float32).reshape(-1, 1)
    y = (2 * X).astype(np.float32)
    model = nn.Sequential(nn.Linear(1, 1, rng=0))
    history = nn.fit(model, (X, y), SGD(model.parameters(), lr=0.1), epochs=80,
                     loss_fn=F.mse_loss, progress=False)  # fmt: skip
    assert history.accuracy[-1] is None and history.loss[-1] < 1e-3


@pytest.mark.parametrize(
    ("outputs", "targets", "expected"),
    [
        (np.array([[0.1, 0.9], [0.8, 0.2]]), np.array([1, 1]), 0.5),
        (np.array([[2.0], [-1.0], [0.5]]), np.array([1, 0, 0]), 2 / 3),
        (np.array([1.0, -1.0]), np.array([1, -1]), 1.0),
        (np.array([[0.3]]), np.array([[0.3]]), None),  # float targets: regression
    ],
)
def test_accuracy(outputs, targets, expected):
    assert accuracy(outputs, targets) == expected


def test_bad_arguments():
    model = moons_model()
    data, optimizer = (np.zeros((4, 2)), np.zeros(4, int)), SGD(model.parameters(), lr=0.1)
    with pytest.raises(ValueError, match="fit: expected epochs >= 0, got -1"):
        nn.fit(model, data, optimizer, epochs=-1)
    with pytest.raises(TypeError, match=r"fit: expected epochs to be an integer, got 2\.0"):
        nn.fit(model, data, optimizer, epochs=2.0)
    with pytest.raises(TypeError, match="expected a DataLoader or an"):
        nn.fit(model, [1, 2], SGD(model.parameters(), lr=0.1))


def test_a_sigmoid_output_is_thresholded_at_one_half():
    """Probabilities are not logits: thresholding them at 0 would call every example 1."""
    model = nn.Sequential(nn.Linear(1, 1, rng=0), nn.Sigmoid())
    model[0].weight.data[...] = -5.0
    model[0].bias.data[...] = 0.0

    def bce(p, t):
        return F.binary_cross_entropy(p, np.asarray(t, dtype=p.dtype).reshape(p.shape))

    X, y = np.array([[-2.0], [-1.0], [1.0], [2.0]]), np.array([0, 0, 1, 1])
    assert nn.evaluate(model, (X, y), loss_fn=bce)["accuracy"] == 0.0
    model[0].weight.data[...] = 5.0
    assert nn.evaluate(model, (X, y), loss_fn=bce)["accuracy"] == 1.0
    assert accuracy(np.array([0.4, 0.6]), np.array([0, 1]), threshold=0.5) == 1.0


def test_a_sigmoid_inside_nested_sequentials_is_found():
    inner = nn.Sequential(nn.Linear(1, 1, rng=0), nn.Sigmoid())
    assert nn.train.decision_threshold(nn.Sequential(inner)) == 0.5
    assert nn.train.decision_threshold(nn.Sequential(nn.Linear(1, 1))) == 0.0


def test_float_targets_with_the_default_loss_point_to_mse_for_regression():
    X = np.linspace(-1, 1, 8, dtype=np.float32).reshape(-1, 1)
    model = nn.Sequential(nn.Linear(1, 2, rng=0))
    before = [p.data.copy() for p in model.parameters()]
    fix = r"integer labels \(y\.astype\(np\.int64\)\); for regression pass loss_fn=F\.mse_loss"
    with pytest.raises(TypeError, match=rf"got targets of dtype float32: .*{fix}"):
        nn.fit(model, (X, 2 * X[:, 0]), SGD(model.parameters(), lr=0.1), progress=False)
    assert all(np.array_equal(a, p.data) for a, p in zip(before, model.parameters()))
    with pytest.raises(TypeError, match=r"for regression pass loss_fn=F\.mse_loss"):
        nn.evaluate(model, (X, 2 * X[:, 0]))


def test_an_optimizer_of_another_model_is_a_warning_after_the_first_step():
    X, y = two_moons(64, noise=0.1, rng=0)
    model, other = moons_model(0), moons_model(1)
    optimizer = SGD(other.parameters(), lr=0.1)
    message = (
        "no parameter of the optimizer received a gradient from the loss in the first step"
        ".*probably holds another model's parameters"
    )
    with pytest.warns(nn.train.NoGradientWarning, match=message) as caught:
        nn.fit(model, (X, y), optimizer, epochs=2, batch_size=16, progress=False)
    assert len(caught) == 1  # once, not once per step
    assert caught[0].filename == __file__  # points at the fit call
    assert issubclass(nn.train.NoGradientWarning, UserWarning)


def test_a_partly_frozen_model_is_not_warned_about():
    X, y = two_moons(64, noise=0.1, rng=0)
    model = moons_model()
    optimizer = SGD(model[2].parameters(), lr=0.1)  # only the last layer trains: fine
    nn.fit(model, (X, y), optimizer, epochs=1, progress=False)  # warnings are errors here


def test_fit_replays_its_captured_step_with_the_eager_results(monkeypatch):
    X, y = two_moons(200, noise=0.1, rng=0)
    X = X.astype(np.float32)  # the layers' dtype: a float64 batch is converted, and not replayed
    replays = []
    replay = nn.TrainStep._replay
    monkeypatch.setattr(
        nn.TrainStep, "_replay", lambda self, *args: replays.append(1) or replay(self, *args)
    )
    runs = []
    for hooked in (False, True):
        model = moons_model()
        if hooked:  # a forward hook: every step runs eagerly, building its graph
            model.register_forward_hook(lambda module, args, out: None)
        h = nn.fit(model, (X, y), Adam(model.parameters(), lr=0.02), epochs=2, batch_size=32,
                   rng=0, progress=False)  # fmt: skip
        runs.append((h.loss, h.accuracy, [p.data.copy() for p in model.parameters()]))
        assert len(replays) == 2 * 7 - 1  # every step but the first, captured; none hooked
    (replayed_loss, replayed_acc, replayed_params), (eager_loss, eager_acc, eager_params) = runs
    assert replayed_loss == eager_loss and replayed_acc == eager_acc
    for a, b in zip(replayed_params, eager_params):
        np.testing.assert_array_equal(a, b)
