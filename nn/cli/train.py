"""``autograd-lite train``: train an MLP on MNIST or one of the tutorials' data sets.

    autograd-lite train --dataset mnist --hidden 128 --optimizer adam --lr 1e-3 \
        --batch-size 32 --epochs 5 --seed 0 --save model.safetensors --plot loss.png

``--save`` writes the weights and the architecture (``.npz`` or ``.safetensors``), so that
``autograd-lite export`` and `nn.load_model` rebuild the model from the file alone.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

import nn
from autograd_lite import kernels
from nn import functional as F
from nn.blas import check_setting
from nn.cli.args import HelpFormatter, fail, integer, output_file, plot_suffixes, positive_real
from nn.data import (
    credit_risk,
    load_mnist,
    noisy_quadratic,
    standardize,
    train_test_split,
    two_moons,
)
from nn.data.mnist import DATA_ENV_VAR
from nn.module import FORMATS
from nn.optim import SGD, Adam, RMSprop
from nn.train import History, evaluate, fit

__all__ = ["ACTIVATIONS", "DATASETS", "OPTIMIZERS", "add_train_command", "build_mlp", "load_task"]

ACTIVATIONS = {"relu": nn.ReLU, "tanh": nn.Tanh, "sigmoid": nn.Sigmoid, "leaky_relu": nn.LeakyReLU}
OPTIMIZERS = {"sgd": SGD, "adam": Adam, "rmsprop": RMSprop}
DATASETS = ("mnist", "credit-risk", "moons", "quadratic")


@dataclass
class Task:
    """A data set split into training and test data, with the loss that fits it."""

    name: str
    X_train: np.ndarray
    y_train: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray
    outputs: int
    loss: Any


def _split(X: np.ndarray, y: np.ndarray, seed: int, stratify: bool) -> tuple:
    """80/20, features standardised with the training statistics, float32."""
    X_train, y_train, X_test, y_test = train_test_split(X, y, 0.2, stratify=stratify, rng=seed)
    X_train, X_test = standardize(X_train.astype(np.float32), X_test.astype(np.float32))
    return X_train, y_train, X_test, y_test


def _binary_logit_loss(outputs: Any, labels: Any) -> Any:
    targets = np.asarray(labels, dtype=outputs.dtype).reshape(outputs.shape)
    return F.binary_cross_entropy_with_logits(outputs, targets)


def _regression_loss(outputs: Any, targets: Any) -> Any:
    return F.mse_loss(outputs, np.asarray(targets, dtype=outputs.dtype))


def load_task(name: str, seed: int, data_dir: str | None) -> Task:
    """The named data set, ready to train on."""
    if name == "mnist":
        X, y, Xt, yt = load_mnist(data_dir)
        return Task(name, X, y, Xt, yt, 10, F.cross_entropy)
    if name == "credit-risk":
        X, y = credit_risk(rng=seed)
        return Task(name, *_split(X, y, seed, stratify=True), 1, _binary_logit_loss)
    if name == "moons":
        X, y = two_moons(1000, noise=0.2, rng=seed)
        return Task(name, *_split(X, y, seed, stratify=True), 2, F.cross_entropy)
    if name == "quadratic":
        X, y = noisy_quadratic(1000, rng=seed)
        Xtr, ytr, Xte, yte = _split(X, y, seed, stratify=False)
        return Task(
            name, Xtr, ytr.astype(np.float32), Xte, yte.astype(np.float32), 1, _regression_loss
        )
    raise ValueError(f"unknown dataset {name!r}")


def build_mlp(
    inputs: int, hidden: list[int], outputs: int, activation: str, seed: int
) -> nn.Sequential:
    """Linear layers with `activation` between them, and a linear output layer."""
    rng = np.random.default_rng(seed)
    sizes = [inputs, *hidden, outputs]
    layers: list[Any] = []
    for k in range(len(sizes) - 1):
        layers.append(nn.Linear(sizes[k], sizes[k + 1], rng=rng))
        if k < len(sizes) - 2:
            layers.append(ACTIVATIONS[activation]())
    return nn.Sequential(*layers)


def add_train_command(commands: Any) -> None:
    """Register ``train``: an MLP on one of the data sets, with every option checked first."""
    train = commands.add_parser(
        "train",
        help="train an MLP on a data set and report test metrics",
        description="Train an MLP (Linear layers and activations) with mini-batch gradient "
        "descent, print the loss and accuracy per epoch, then the test metrics.",
        formatter_class=HelpFormatter,
    )
    train.add_argument("--dataset", choices=DATASETS, default="mnist", help="data set")
    train.add_argument(
        "--hidden",
        type=integer(1),
        action="append",
        metavar="N",
        help="hidden layer size (repeat for more layers; default: one layer of 128)",
    )
    train.add_argument(
        "--activation", choices=sorted(ACTIVATIONS), default="relu", help="between layers"
    )
    train.add_argument("--optimizer", choices=sorted(OPTIMIZERS), default="adam", help="optimizer")
    train.add_argument("--lr", type=positive_real, default=1e-3, help="learning rate")
    train.add_argument("--batch-size", type=integer(1), default=32, help="examples per step")
    train.add_argument("--epochs", type=integer(1), default=5, help="passes over the data")
    train.add_argument(
        "--seed", type=integer(0), default=0, help="seed of the weights, split and shuffling"
    )
    train.add_argument(
        "--data-dir", help=f"folder with the MNIST files (default: ${DATA_ENV_VAR}, then the cache)"
    )
    train.add_argument(
        "--save",
        metavar="FILE",
        type=output_file(lambda: FORMATS),
        help="save the trained model, weights and architecture, in the format the suffix names "
        "(.npz or .safetensors), for autograd-lite export and nn.load_model",
    )
    train.add_argument(
        "--plot",
        metavar="FILE.png",
        type=output_file(plot_suffixes),
        help="save loss/accuracy curves (matplotlib: .png, .pdf, .svg, ...)",
    )
    train.add_argument(
        "--blas-threads",
        metavar="N",
        type=_threads_setting,
        help="BLAS threads while training: a number, 'auto' (one for small matrix products, "
        "steady beside other processes) or 'keep' (default: $AUTOGRAD_LITE_BLAS_THREADS, "
        "else auto)",
    )
    train.add_argument("--no-progress", action="store_true", help="no progress bars")
    train.set_defaults(func=run_train, command_parser=train)


def run_train(args: argparse.Namespace) -> int:
    """Load the data, train, report, save; the exit status (the options are checked)."""
    hidden = args.hidden or [128]
    try:
        task = load_task(args.dataset, args.seed, args.data_dir)
    except (OSError, ValueError, RuntimeError) as error:
        # Only MNIST is read from disk or the network: missing, corrupt or not downloadable.
        if args.dataset != "mnist":
            raise
        hint = "; pass --data-dir FOLDER" if isinstance(error, FileNotFoundError) else ""
        return fail("train", f"cannot load MNIST: {error}{hint}")
    model = build_mlp(task.X_train.shape[1], hidden, task.outputs, args.activation, args.seed)
    optimizer = OPTIMIZERS[args.optimizer](model.parameters(), lr=args.lr)
    sizes = " -> ".join(map(str, [task.X_train.shape[1], *hidden, task.outputs]))
    print(
        f"{task.name}: {len(task.X_train)} training / {len(task.X_test)} test examples; "
        f"MLP {sizes} ({args.activation}), {args.optimizer} lr={args.lr}, batch {args.batch_size}"
    )
    try:
        history = fit(
            model, (task.X_train, task.y_train), optimizer, epochs=args.epochs,
            loss_fn=task.loss, batch_size=args.batch_size, validation=(task.X_test, task.y_test),
            rng=args.seed, progress=not args.no_progress, on_epoch_end=_reporter(args.epochs),
            blas_threads=args.blas_threads,
        )  # fmt: skip
    except FloatingPointError as error:  # a loss that diverged: its message says where
        return fail("train", str(error))
    print(_kernel_summary())
    metrics = evaluate(model, (task.X_test, task.y_test), loss_fn=task.loss)
    result = f"test loss {metrics['loss']:.4f}"
    if metrics["accuracy"] is not None:
        result += f", test accuracy {metrics['accuracy']:.4f}"
    print(result)
    return _write_outputs(args, model, history, f"{task.name}: MLP {sizes}")


def _threads_setting(text: str) -> int | str:
    try:
        return check_setting(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected a positive number of threads, 'auto' or 'keep', got {text!r}"
        ) from None


def _kernel_summary() -> str:
    """Which kernels ran, and what compiling them cost (once per machine: numba caches)."""
    report = kernels.compile_report()
    line = f"kernels: {kernels.backend()}"
    if report:
        compiled = [c for c in report if not c.from_cache]
        seconds = sum(c.seconds for c in report)
        line += (
            f" ({len(report)} loaded in {seconds:.2f} s, {len(compiled)} of them compiled, "
            f"{len(report) - len(compiled)} from the disk cache)"
        )
    return line


def _reporter(epochs: int) -> Callable[[int, History], None]:
    """The per-epoch line: loss and accuracy, on the training and the test data."""

    def report(epoch: int, history: History) -> None:
        acc = history.accuracy[-1]
        val = history.val_accuracy[-1]
        line = f"epoch {epoch}/{epochs}: loss {history.loss[-1]:.4f}"
        line += f", accuracy {acc:.4f}" if acc is not None else ""
        line += f", test loss {history.val_loss[-1]:.4f}"
        line += f", test accuracy {val:.4f}" if val is not None else ""
        print(line + f" ({history.seconds[-1]:.1f} s)", flush=True)

    return report


def _write_outputs(
    args: argparse.Namespace, model: nn.Sequential, history: History, title: str
) -> int:
    """Save the weights, then the curves: checked before training, but a disk can still fill."""
    try:
        if args.save:
            model.save(args.save)
            print(f"saved the model to {args.save}")
        if args.plot:
            from nn.plot import plot_history

            plot_history(history, path=args.plot, title=title, validation_label="test")
            print(f"saved curves to {args.plot}")
    except OSError as error:
        return fail("train", f"cannot write {error.filename or 'a file'}: {error}")
    return 0
