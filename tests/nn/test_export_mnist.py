"""Issue 15's done-when check: a model trained on MNIST the way ``make demo`` trains it, saved
as .safetensors, gives the same prediction (argmax) on all 10,000 MNIST test images here, in
ONNX Runtime (exported by ``autograd-lite export``) and in PyTorch (converted with
``nn.to_torch``, and rebuilt by hand from the file with ``safetensors.torch.load_file``)."""

from __future__ import annotations

import contextlib
import io
import subprocess
import sys

import numpy as np
import onnxruntime as ort
import pytest

import nn
from nn.cli import main
from tests.nn.test_cli_args import ROOT

pytestmark = pytest.mark.slow  # one epoch on the 60,000 training images


@pytest.fixture(scope="module")
def trained(mnist_dir, tmp_path_factory):
    """(file, printed test accuracy): ``make demo``'s command (784-128-10, ReLU, Adam lr 1e-3,
    batch 32, seed 0) with one epoch instead of 5, saving the model as .safetensors."""
    path = tmp_path_factory.mktemp("mnist") / "mnist.safetensors"
    argv = ["train", "--dataset", "mnist", "--data-dir", str(mnist_dir), "--hidden", "128",
            "--activation", "relu", "--optimizer", "adam", "--lr", "1e-3", "--batch-size", "32",
            "--epochs", "1", "--seed", "0", "--no-progress", "--save", str(path)]  # fmt: skip
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert main(argv) == 0
    text = out.getvalue()
    assert "MLP 784 -> 128 -> 10 (relu), adam lr=0.001, batch 32" in text
    assert text.endswith(f"saved the model to {path}\n")
    return path, float(text.split("test accuracy ")[-1].split()[0])


@pytest.fixture(scope="module")
def ours(trained, mnist):
    """Our model's logits on the 10,000 test images, from the file alone."""
    path, printed_accuracy = trained
    model = nn.load_model(path).eval()
    X_test, y_test = mnist[2], mnist[3]
    logits = model(X_test).data
    accuracy = (logits.argmax(axis=1) == y_test).mean()
    assert accuracy == pytest.approx(printed_accuracy, abs=5e-5)  # the model that was trained
    assert accuracy > 0.9
    return logits


def assert_same_predictions(logits: np.ndarray, expected: np.ndarray) -> None:
    assert logits.shape == expected.shape == (10_000, 10)
    agree = int((logits.argmax(axis=1) == expected.argmax(axis=1)).sum())
    assert agree == 10_000, f"{10_000 - agree} of 10,000 test images predicted differently"
    np.testing.assert_allclose(logits, expected, rtol=1e-4, atol=1e-4)


def test_onnx_runtime_agrees_on_every_test_image(trained, ours, mnist, tmp_path):
    path, _ = trained
    onnx = tmp_path / "mnist.onnx"
    run = subprocess.run(
        [sys.executable, "-m", "nn.cli", "export", str(path), "--onnx", str(onnx)],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert run.returncode == 0, run.stderr
    assert run.stdout == f"wrote {onnx} (ONNX opset 17, input of shape (batch, 784))\n"
    options = ort.SessionOptions()
    options.intra_op_num_threads = 1  # the test machine's cores are shared
    session = ort.InferenceSession(str(onnx), options, providers=["CPUExecutionProvider"])
    (logits,) = session.run(None, {"input": np.ascontiguousarray(mnist[2])})
    assert_same_predictions(logits, ours)


@pytest.mark.torch
def test_pytorch_agrees_on_every_test_image(trained, ours, mnist):
    torch = pytest.importorskip("torch")
    from safetensors.torch import load_file

    path, _ = trained
    converted = nn.to_torch(nn.load_model(path)).eval()
    tnn = torch.nn
    by_hand = tnn.Sequential(tnn.Linear(784, 128), tnn.ReLU(), tnn.Linear(128, 10))
    by_hand.load_state_dict(load_file(path))  # strict: PyTorch's names, shapes and dtypes
    by_hand.eval()
    x = torch.from_numpy(np.array(mnist[2]))  # a writable copy: torch warns on read-only
    with torch.no_grad():
        for torch_model in (converted, by_hand):
            assert_same_predictions(torch_model(x).numpy(), ours)
