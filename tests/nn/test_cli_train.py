"""``autograd-lite train`` end to end on the small data sets (MNIST: see test_mnist_quality)."""

from __future__ import annotations

import numpy as np
import pytest

import nn
from nn.cli import main


def test_train_moons_saves_weights_and_curves(tmp_path, capsys):
    weights, curves = tmp_path / "m.npz", tmp_path / "loss.png"
    args = ["--dataset", "moons", "--hidden", "16", "--hidden", "16", "--epochs", "4"]
    args += ["--lr", "0.01", "--no-progress", "--save", str(weights), "--plot", str(curves)]
    code = main(["train", *args])
    out = capsys.readouterr().out
    assert code == 0
    assert "MLP 2 -> 16 -> 16 -> 2" in out and "epoch 4/4" in out
    accuracy = float(out.split("test accuracy ")[-1].split()[0])
    assert accuracy > 0.85
    model = nn.Sequential(
        nn.Linear(2, 16), nn.ReLU(), nn.Linear(16, 16), nn.ReLU(), nn.Linear(16, 2)
    )
    model.load(weights)
    assert curves.stat().st_size > 1000


@pytest.mark.parametrize(
    ("dataset", "words"),
    [("quadratic", "test loss"), ("credit-risk", "test accuracy")],
)
def test_train_other_datasets(dataset, words, capsys):
    assert main(["train", "--dataset", dataset, "--hidden", "8", "--epochs", "2", "--lr", "0.01",
                 "--optimizer", "sgd", "--no-progress"]) == 0  # fmt: skip
    assert words in capsys.readouterr().out


def test_train_rejects_bad_numbers():
    with pytest.raises(SystemExit, match="--lr must be positive"):
        main(["train", "--dataset", "moons", "--lr", "-1"])


@pytest.mark.slow
def test_mnist_quality_bar(mnist_dir, capsys):
    """The main job: 784-128-10 ReLU, Adam 1e-3, batch 32, 5 epochs reaches >= 97.5%."""
    assert main(["train", "--dataset", "mnist", "--data-dir", str(mnist_dir), "--no-progress"]) == 0
    out = capsys.readouterr().out
    accuracy = float(out.split("test accuracy ")[-1].split()[0])
    assert accuracy >= 0.975, out
    assert np.isfinite(float(out.split("test loss ")[-1].split(",")[0]))
