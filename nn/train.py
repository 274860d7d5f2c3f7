"""Training loops: `fit` a tensor model over mini-batches, `evaluate` it, keep a `History`."""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from autograd_lite import Tensor, Value, no_grad
from nn import functional as F
from nn.blas import limit_threads
from nn.data.loader import DataLoader
from nn.module import Module
from nn.train_step import TrainStep
from nn.validation import integer

__all__ = ["History", "NoGradientWarning", "accuracy", "decision_threshold", "evaluate", "fit"]

Loss = Callable[[Tensor, Any], Tensor]


class NoGradientWarning(UserWarning):
    """`fit`'s first step gave none of the optimizer's parameters a gradient: training
    cannot change the model (typically an optimizer built on another model's parameters)."""


@dataclass
class History:
    """Per-epoch metrics of a `fit` run: ``history.loss[k]`` is epoch k's mean training loss.

    ``accuracy`` (and the ``val_`` lists, when validation data was given) hold None for
    models whose outputs have no accuracy (regression).
    """

    loss: list[float] = field(default_factory=list)
    accuracy: list[float | None] = field(default_factory=list)
    val_loss: list[float] = field(default_factory=list)
    val_accuracy: list[float | None] = field(default_factory=list)
    lr: list[float] = field(default_factory=list)
    seconds: list[float] = field(default_factory=list)

    @property
    def epochs(self) -> int:
        return len(self.loss)

    def as_dict(self) -> dict[str, list]:
        return {k: list(v) for k, v in vars(self).items()}

    def __str__(self) -> str:
        columns = [
            (name, values)
            for name, values in vars(self).items()
            if values and values[0] is not None
        ]
        header = "epoch  " + "  ".join(f"{name:>12}" for name, _ in columns)
        rows = [header]
        for k in range(self.epochs):
            cells = "  ".join(f"{values[k]:12.4g}" for _, values in columns)
            rows.append(f"{k + 1:5d}  {cells}")
        return "\n".join(rows)


def accuracy(outputs: np.ndarray, targets: np.ndarray, threshold: float = 0.0) -> float | None:
    """The fraction of correct predictions, or None when the outputs are not a classifier's.

    Integer targets with outputs of shape (N, C > 1): argmax over classes. Targets in
    {0, 1} (or {-1, +1}) with one output per example: an output above `threshold` predicts
    1 (0 for logits and margins, 0.5 for probabilities).
    """
    targets = np.asarray(targets)
    if targets.dtype.kind not in "iub":
        return None
    if outputs.ndim == 2 and outputs.shape[1] > 1:
        return float(np.mean(outputs.argmax(axis=1) == targets))
    scores = outputs.reshape(-1)
    labels = targets.reshape(-1)
    if scores.shape != labels.shape:
        return None
    positive = labels > 0
    return float(np.mean((scores > threshold) == positive))


def decision_threshold(model: Module) -> float:
    """0.5 when the model ends in a sigmoid (its outputs are probabilities), else 0 (logits)."""
    from nn.layers import Sequential, Sigmoid

    last = model
    while isinstance(last, Sequential) and len(last):  # nested Sequentials: the innermost end
        last = last[-1]
    return 0.5 if isinstance(last, Sigmoid) else 0.0


def _default_loss(outputs: Tensor, targets: Any) -> Tensor:
    from nn import functional

    _check_class_labels(targets)
    return functional.cross_entropy(outputs, targets)


def _check_class_labels(targets: Any) -> None:
    """The default loss's targets: integer class labels, or a TypeError naming both fixes."""
    labels = np.asarray(targets.data if isinstance(targets, Tensor) else targets)
    if labels.dtype.kind not in "iu":
        # Float targets usually mean regression, where converting them to integers (what
        # cross_entropy's own message suggests) would be wrong: name both fixes.
        raise TypeError(
            f"the default loss_fn, cross-entropy, expected integer class labels, got targets "
            f"of dtype {labels.dtype}: for classification pass integer labels "
            f"(y.astype(np.int64)); for regression pass loss_fn=F.mse_loss "
            f"(from nn import functional as F)"
        )


def _warn_if_no_gradient(optimizer: Any) -> None:
    """Warn when the loss reached none of the optimizer's parameters (after backward)."""
    params = [p for group in getattr(optimizer, "param_groups", ()) for p in group["params"]]
    # A Tensor's gradient is None after zero_grad() until backward reaches it; a Value's is
    # reset to 0.0, so for Values only a non-zero gradient shows that the loss reached it.
    if params and not any(
        p.grad != 0 if isinstance(p, Value) else p.grad is not None for p in params
    ):
        warnings.warn(
            "fit: no parameter of the optimizer received a gradient from the loss in the "
            "first step, so training cannot change the model: the optimizer probably holds "
            "another model's parameters (build it from the trained model's parameters())",
            NoGradientWarning,
            stacklevel=3,
        )


def _batches(data: Any, batch_size: int, shuffle: bool, rng: Any) -> Iterable:
    if isinstance(data, DataLoader):
        return data
    if isinstance(data, tuple) and len(data) == 2:
        return DataLoader(data[0], data[1], batch_size, shuffle=shuffle, rng=rng)
    raise TypeError(
        f"expected a DataLoader or an (X, y) tuple of arrays, got {type(data).__name__}"
    )


def fit(
    model: Module,
    train: DataLoader | tuple[np.ndarray, np.ndarray],
    optimizer: Any,
    *,
    epochs: int = 1,
    loss_fn: Loss | None = None,
    batch_size: int = 32,
    validation: DataLoader | tuple[np.ndarray, np.ndarray] | None = None,
    scheduler: Any = None,
    rng: np.random.Generator | int | None = None,
    progress: bool = True,
    on_epoch_end: Callable[[int, History], None] | None = None,
    blas_threads: int | str | None = None,
) -> History:
    """Train `model` for `epochs` passes over `train`, one optimizer step per mini-batch.

    Parameters
    ----------
    model : Module
        Called on a batch of inputs; returns the outputs the loss compares with targets.
    train : DataLoader or (X, y)
        Arrays are batched by a shuffling `DataLoader` of `batch_size` seeded by `rng`.
    optimizer : nn.optim optimizer
        Its ``zero_grad()`` and ``step()`` are called around every ``backward()``.
    loss_fn : callable, optional
        ``loss_fn(outputs, targets) -> scalar Tensor``; cross-entropy by default.
    validation : DataLoader or (X, y), optional
        Evaluated (loss and accuracy) after every epoch.
    scheduler : lr scheduler, optional
        Stepped once per epoch.
    progress : bool
        Show a tqdm progress bar per epoch (on stderr).
    on_epoch_end : callable, optional
        Called as ``on_epoch_end(epoch, history)`` after each epoch (e.g. to log or plot).
    blas_threads : int, "auto", "keep" or None
        BLAS threads while training (see `nn.blas`): None reads
        ``$AUTOGRAD_LITE_BLAS_THREADS``, else "auto": one thread for small matrix products,
        which keeps training steady when other processes share the cores.

    Raises
    ------
    FloatingPointError
        As soon as the loss is NaN or infinite, naming the epoch and the step.
    TypeError
        For the default loss with targets that are not integer class labels.

    Warns
    -----
    NoGradientWarning
        When the first step gives none of the optimizer's parameters a gradient.
    """
    import time

    from tqdm.auto import tqdm

    epochs = integer("fit", "epochs", epochs, minimum=0)
    default_loss = loss_fn is None
    loss_fn = loss_fn or _default_loss
    position = [0, 0]  # (epoch, step), for the message of a loss that is not finite

    def finite(value: float) -> None:
        if not math.isfinite(value):
            raise FloatingPointError(
                f"fit: the loss became {value} at epoch {position[0]}, step {position[1]}; "
                f"lower the learning rate, check the inputs for NaN, or run the step inside "
                f"autograd_lite.detect_anomaly() to find the op"
            )

    # The default loss is cross-entropy once its labels are checked here, so that a step of
    # a plain MLP can be captured and replayed (`TrainStep` replays cross_entropy itself).
    train_step = TrainStep(
        model, optimizer, F.cross_entropy if default_loss else loss_fn, check=finite
    )
    threshold = decision_threshold(model)
    batches = _batches(train, batch_size, True, rng)
    history = History()
    step_size = getattr(train, "batch_size", batch_size)  # a DataLoader brings its own
    with limit_threads(blas_threads, model, step_size):
        for epoch in range(1, epochs + 1):
            model.train()
            start = time.perf_counter()
            total, correct, seen, counted = 0.0, 0.0, 0, 0
            # disable=None: tqdm switches itself off when stderr is not a terminal (CI logs).
            bar = tqdm(
                batches,
                desc=f"epoch {epoch}/{epochs}",
                leave=False,
                disable=None if progress else True,
            )
            for step, (xb, yb) in enumerate(bar, start=1):
                position[:] = epoch, step
                if default_loss:
                    _check_class_labels(yb)
                value = train_step(xb, yb)  # forward, check, zero_grad, backward, step
                if epoch == 1 and step == 1:
                    _warn_if_no_gradient(optimizer)
                n = len(yb)
                total += value * n
                seen += n
                acc = accuracy(train_step.outputs, yb, threshold)
                if acc is not None:
                    correct += acc * n
                    counted += n
                if progress and step % 50 == 0:
                    bar.set_postfix(loss=f"{total / seen:.4f}")
            bar.close()
            history.loss.append(total / max(seen, 1))
            history.accuracy.append(correct / counted if counted else None)
            history.lr.append(float(optimizer.param_groups[0]["lr"]))
            if validation is not None:
                metrics = evaluate(model, validation, loss_fn=loss_fn)
                history.val_loss.append(metrics["loss"])
                history.val_accuracy.append(metrics["accuracy"])
            if scheduler is not None:
                scheduler.step()
            history.seconds.append(time.perf_counter() - start)
            if on_epoch_end is not None:
                on_epoch_end(epoch, history)
    return history


def evaluate(
    model: Module,
    data: DataLoader | tuple[np.ndarray, np.ndarray],
    *,
    loss_fn: Loss | None = None,
    batch_size: int = 1000,
) -> dict[str, float | None]:
    """Mean loss and accuracy of `model` on `data`, in eval mode and without a graph.

    The model's training mode is restored afterwards.
    """
    loss_fn = loss_fn or _default_loss
    threshold = decision_threshold(model)
    batches = _batches(data, batch_size, False, None)
    was_training = model.training
    model.eval()
    total, correct, seen, counted = 0.0, 0.0, 0, 0
    try:
        with no_grad():
            for xb, yb in batches:
                outputs = model(Tensor(xb))
                n = len(yb)
                total += loss_fn(outputs, yb).item() * n
                seen += n
                acc = accuracy(outputs.data, yb, threshold)
                if acc is not None:
                    correct += acc * n
                    counted += n
    finally:
        model.train(was_training)
    if seen == 0:
        raise ValueError("evaluate: expected at least one example, got an empty data set")
    return {"loss": total / seen, "accuracy": correct / counted if counted else None}
