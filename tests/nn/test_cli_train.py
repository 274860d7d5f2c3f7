"""``autograd-lite train`` end to end on the small data sets (MNIST: see test_mnist_quality)."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

import nn
import nn.cli.train
from nn.cli import main
from nn.data.mnist import MNIST_FILES


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


def test_mnist_that_cannot_be_found_is_one_line(monkeypatch, capsys):
    def offline(root):
        raise FileNotFoundError("MNIST: expected the files ... Looked in:\n  /x (no such folder)")

    monkeypatch.setattr(nn.cli.train, "load_mnist", offline)
    assert main(["train", "--dataset", "mnist", "--no-progress"]) == 1
    err = capsys.readouterr().err
    assert err == (
        "autograd-lite train: cannot load MNIST: MNIST: expected the files ... Looked in: "
        "/x (no such folder); pass --data-dir FOLDER\n"
    )


@pytest.mark.parametrize("error", [RuntimeError("every mirror failed"), OSError("disk")])
def test_mnist_that_cannot_be_downloaded_is_one_line(error, monkeypatch, capsys):
    def fails(root):
        raise error

    monkeypatch.setattr(nn.cli.train, "load_mnist", fails)
    assert main(["train", "--no-progress"]) == 1
    assert capsys.readouterr().err == f"autograd-lite train: cannot load MNIST: {error}\n"


def test_corrupt_mnist_files_exit_with_one_line(tmp_path):
    for name in MNIST_FILES:
        (tmp_path / name).write_bytes(b"not MNIST")
    run = subprocess.run(
        [sys.executable, "-m", "nn.cli", "train", "--data-dir", str(tmp_path), "--no-progress"],
        capture_output=True,
        text=True,
    )
    assert run.returncode == 1 and "Traceback" not in run.stderr
    (line,) = run.stderr.splitlines()
    assert line.startswith("autograd-lite train: cannot load MNIST: ") and "truncated" in line


def test_a_diverging_loss_is_one_line(capsys):
    argv = ["train", "--dataset", "quadratic", "--optimizer", "sgd", "--lr", "1e6"]
    with np.errstate(all="ignore"):
        assert main([*argv, "--epochs", "3", "--no-progress"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("autograd-lite train: fit: the loss became") and err.count("\n") == 1


@pytest.mark.slow
def test_mnist_quality_bar(mnist_dir, capsys):
    """The main job: 784-128-10 ReLU, Adam 1e-3, batch 32, 5 epochs reaches >= 97.5%."""
    assert main(["train", "--dataset", "mnist", "--data-dir", str(mnist_dir), "--no-progress"]) == 0
    out = capsys.readouterr().out
    accuracy = float(out.split("test accuracy ")[-1].split()[0])
    assert accuracy >= 0.975, out
    assert np.isfinite(float(out.split("test loss ")[-1].split(",")[0]))
