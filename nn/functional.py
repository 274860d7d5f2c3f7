"""Functions of the `nn` layers and losses: ``import nn.functional as F``.

Nothing here defines a gradient: activations call the engines' ops, the fused losses
(`cross_entropy`, `binary_cross_entropy_with_logits`) are in `autograd_lite.tensor_ops`, and the
other losses are composed of operators, so every gradient is one the engine already checks.

Losses composed of operators (`mse_loss`, `half_squared_error`, `binary_cross_entropy`,
`hinge_loss`, the penalties) work on both paths:

- tensors: ``pred`` a `Tensor` (or a NumPy array), ``target`` a Tensor or array of
  *exactly* the same shape; a ``(n, 1)`` prediction against ``(n,)`` targets is a
  ValueError, never a silent broadcast to ``(n, n)``;
- values: ``pred`` a `Value` with a number target, or a list of Values (nested lists for
  several outputs per example) with a list of numbers of the same shape, as the tutorials
  train small networks of Values: ``mse_loss([model(x) for x in X], y)``.

``reduction`` is ``"mean"`` (default), ``"sum"`` or ``"none"`` (one loss per element: a
Tensor, or a list of Values shaped like ``pred``).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from autograd_lite import Tensor, Value, tensor_ops
from nn.inputs import (
    ScalarInput,
    batch_size,
    is_scalar_input,
    map_pairs,
    node_input,
    tensor_input,
    tensor_pair,
)
from nn.module import Module
from nn.reductions import check_reduction, reduce_scalar, reduce_tensor, total
from nn.validation import Rng, generator, probability, real

__all__ = [
    "binary_cross_entropy",
    "binary_cross_entropy_with_logits",
    "cross_entropy",
    "dropout",
    "half_squared_error",
    "hinge_loss",
    "l1_penalty",
    "l2_penalty",
    "leaky_relu",
    "linear",
    "log_softmax",
    "mse_loss",
    "relu",
    "sigmoid",
    "softmax",
    "tanh",
]

Pred = Tensor | np.ndarray | ScalarInput


# ------------------------------------------------------------------------------ activations


def relu(x: Any) -> Any:
    """max(0, x) elementwise, for a Tensor, an array or a Value (``x.relu()``)."""
    return node_input(x, "relu").relu()


def tanh(x: Any) -> Any:
    """tanh(x) elementwise, for a Tensor, an array or a Value."""
    return node_input(x, "tanh").tanh()


def sigmoid(x: Any, beta: float = 1.0) -> Any:
    """1 / (1 + exp(-beta x)) elementwise (never overflows), for a Tensor, array or Value."""
    return node_input(x, "sigmoid").sigmoid(beta)


def leaky_relu(x: Any, negative_slope: float = 0.01) -> Any:
    """x for x > 0, else negative_slope * x, for a Tensor, an array or a Value."""
    return node_input(x, "leaky_relu").leaky_relu(negative_slope)


def softmax(x: Tensor | np.ndarray, axis: int = -1) -> Tensor:
    """exp(x) / sum(exp(x)) along `axis`, computed stably."""
    return tensor_ops.softmax(tensor_input(x, "softmax"), axis=axis)


def log_softmax(x: Tensor | np.ndarray, axis: int = -1) -> Tensor:
    """x - logsumexp(x) along `axis`, computed stably (use it rather than log(softmax))."""
    return tensor_ops.log_softmax(tensor_input(x, "log_softmax"), axis=axis)


def linear(x: Tensor | np.ndarray, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """x @ weight.T + bias as one node; weight has shape (out_features, in_features)."""
    return tensor_ops.linear(tensor_input(x, "linear"), weight, bias)


def dropout(
    x: Tensor | np.ndarray, p: float = 0.5, training: bool = True, rng: Rng = None
) -> Tensor:
    """Inverted dropout: zero each element with probability `p` and scale the others by
    1 / (1 - p), so the expected value is unchanged; the identity when not `training`.

    The mask is a constant Tensor (no gradient), so the gradient is ``g * mask`` through
    the ordinary multiplication.
    """
    x = tensor_input(x, "dropout")
    p = probability("dropout", "p", p)
    if not training or p == 0.0:
        return x
    dtype = x.dtype if x.dtype.kind == "f" else np.dtype(np.float32)
    if p == 1.0:  # everything dropped; 1 / (1 - p) would be infinite
        return x * Tensor(np.zeros(x.shape, dtype=dtype))
    keep = generator("dropout", rng).random(x.shape) >= p
    return x * Tensor(keep.astype(dtype) / dtype.type(1.0 - p))


# --------------------------------------------------------------------- regression losses


def mse_loss(pred: Pred, target: Any, reduction: str = "mean") -> Any:
    """The mean squared error, mean((pred - target)**2) over every element;
    d/dpred = 2 (pred - target) / n.

    Works on Tensors and on Values (see the module docstring).
    """
    check_reduction("mse_loss", reduction)
    if is_scalar_input(pred):
        squares = map_pairs(pred, target, _squared_difference, "mse_loss")
        return reduce_scalar(squares, reduction, "mse_loss")
    pred, target = tensor_pair(pred, target, "mse_loss")
    return reduce_tensor((pred - target) ** 2, reduction)


def half_squared_error(pred: Pred, target: Any, reduction: str = "mean") -> Any:
    """The textbooks' error E = 1/2 (y - yhat)**2, whose derivative is just yhat - y.

    For one output of one example this is exactly the textbook formula. For a batch it is
    summed over the outputs of each example (E = 1/2 sum_j (y_j - yhat_j)**2, the
    error of one example) and averaged over the examples, the first axis: Nielsen's
    quadratic cost C = 1/(2n) sum_x ||y(x) - yhat(x)||**2. So a prediction of shape
    ``(n,)`` or ``(n, 1)`` gives ``mse_loss / 2``, and ``(n, k)`` gives ``k * mse_loss / 2``.
    A flat list of Values is a batch of one-output predictions, as a ``(n,)`` tensor; for
    the outputs of one example, pass ``[outputs]`` or use ``reduction="sum"``.

    Parameters
    ----------
    pred, target
        As for `mse_loss`.
    reduction : str
        ``"mean"``: sum over outputs, mean over the batch (default); ``"sum"``: sum over
        everything (Rumelhart, Hinton and Williams' total error); ``"none"``: each
        element's 1/2 (y - yhat)**2.
    """
    check_reduction("half_squared_error", reduction)
    if is_scalar_input(pred):
        halves = map_pairs(pred, target, _half_squared_difference, "half_squared_error")
        if reduction != "mean":
            return reduce_scalar(halves, reduction, "half_squared_error")
        return total(halves, "half_squared_error") * (1.0 / batch_size(pred))
    pred, target = tensor_pair(pred, target, "half_squared_error")
    halves = (pred - target) ** 2 * 0.5
    if reduction != "mean":
        return reduce_tensor(halves, reduction)
    if pred.size == 0:
        raise ValueError(f"half_squared_error: expected at least one prediction, got {pred.shape}")
    return halves.sum() * (1.0 / batch_size(pred))


def _squared_difference(p: Value, t: Any) -> Value:
    return (p - t) ** 2


def _half_squared_difference(p: Value, t: Any) -> Value:
    return (p - t) ** 2 * 0.5


# --------------------------------------------------------------------- classification losses


def binary_cross_entropy(
    probs: Pred, targets: Any, reduction: str = "mean", eps: float = 1e-7
) -> Any:
    """-(t log p + (1 - t) log(1 - p)) from probabilities p (e.g. a sigmoid's output).

    Probabilities are clipped to [eps, 1 - eps] so that log never sees 0 (outside that
    interval the gradient is 0, as clip's). Prefer `binary_cross_entropy_with_logits`,
    which is exact and stable for any logit; this form is for networks that end in a
    sigmoid, as the tutorials' do. Works on Tensors and on Values.

    Raises
    ------
    ValueError
        If a probability or a target is outside [0, 1].
    """
    check_reduction("binary_cross_entropy", reduction)
    eps = real("binary_cross_entropy", "eps", eps, 0.0, 0.5, low_open=True, high_open=True)
    if is_scalar_input(probs):
        hi = min(1.0 - eps, np.nextafter(1.0, 0.0))

        def term(p: Value, t: float) -> Value:
            _check_unit(p.data, "probabilities", "binary_cross_entropy")
            _check_unit(float(t), "targets", "binary_cross_entropy")
            if p.data < eps or p.data > hi:  # clip: the constant bound, with no gradient
                p = p * 0.0 + (eps if p.data < eps else hi)
            return -(t * p.log() + (1.0 - t) * (1.0 - p).log())

        losses = map_pairs(probs, targets, term, "binary_cross_entropy")
        return reduce_scalar(losses, reduction, "binary_cross_entropy")
    probs, targets = tensor_pair(probs, targets, "binary_cross_entropy")
    _check_unit(probs.data, "probabilities", "binary_cross_entropy")
    _check_unit(targets.data, "targets", "binary_cross_entropy")
    one = probs.dtype.type(1)
    # 1 - eps rounds to 1 in float32 when eps is small; the float just below 1 does not.
    p = probs.clip(eps, float(min(one - probs.dtype.type(eps), np.nextafter(one, 0))))
    losses = -(targets * p.log() + (1.0 - targets) * (1.0 - p).log())
    return reduce_tensor(losses, reduction)


def binary_cross_entropy_with_logits(
    logits: Tensor | np.ndarray, targets: Any, reduction: str = "mean"
) -> Tensor:
    """Binary cross-entropy of sigmoid(logits), computed from the logits: finite for any
    logit; d/dlogits = sigmoid(logits) - targets (divided by n for the mean).

    `targets` (probabilities in [0, 1]) must have the shape of `logits`.
    """
    logits = tensor_input(logits, "binary_cross_entropy_with_logits")
    check_reduction("binary_cross_entropy_with_logits", reduction)
    return tensor_ops.binary_cross_entropy_with_logits(logits, targets, reduction)


def cross_entropy(logits: Tensor | np.ndarray, labels: Any, reduction: str = "mean") -> Tensor:
    """-log softmax(logits)[label] per row, from logits of shape (N, C) and integer labels
    of shape (N,) in [0, C) (a NumPy array or a Tensor); d/dlogits = softmax - onehot.

    Raises
    ------
    TypeError
        If the labels are not integers (e.g. one-hot floats).
    ValueError
        If a label is out of range or the shapes do not fit.
    """
    check_reduction("cross_entropy", reduction)
    return tensor_ops.cross_entropy(tensor_input(logits, "cross_entropy"), labels, reduction)


def hinge_loss(scores: Pred, targets: Any, reduction: str = "mean", margin: float = 1.0) -> Any:
    """The max-margin (SVM) loss relu(margin - t * s) for targets t in {-1, +1};
    d/ds = -t where t s < margin, else 0 (micrograd's demo loss). Works on Tensors and
    Values.

    Raises
    ------
    ValueError
        If a target is not -1 or +1 (convert 0/1 labels with ``2 * y - 1``).
    """
    check_reduction("hinge_loss", reduction)
    margin = real("hinge_loss", "margin", margin)
    if is_scalar_input(scores):

        def term(s: Value, t: float) -> Value:
            _check_sign(np.asarray(float(t)))
            return (margin - t * s).relu()

        losses = map_pairs(scores, targets, term, "hinge_loss")
        return reduce_scalar(losses, reduction, "hinge_loss")
    scores, targets = tensor_pair(scores, targets, "hinge_loss")
    _check_sign(targets.data)
    return reduce_tensor((margin - targets * scores).relu(), reduction)


def _check_unit(x: Any, what: str, op: str) -> None:
    x = np.asarray(x)
    if x.size and not (x.min() >= 0 and x.max() <= 1):  # also catches NaN
        bad = x[~((x >= 0) & (x <= 1))].flat[0].item()
        hint = ""
        if what == "probabilities":
            hint = " (pass logits to binary_cross_entropy_with_logits)"
        raise ValueError(f"{op}: expected {what} in [0, 1], got {bad!r}{hint}")


def _check_sign(t: np.ndarray) -> None:
    bad = (t != 1) & (t != -1)
    if bad.any():
        raise ValueError(
            f"hinge_loss: expected targets in {{-1, +1}}, got {t[bad].flat[0].item()!r} "
            f"(convert 0/1 labels with 2 * y - 1)"
        )


# ------------------------------------------------------------------------------ penalties


def l1_penalty(params: Any) -> Any:
    """sum(|p|) over every element of every parameter (a Module or an iterable of
    parameters); d/dp = sign(p). Add ``lam * l1_penalty(model)`` to a loss for sparsity."""
    return _penalty(params, lambda p: abs(p), "l1_penalty")


def l2_penalty(params: Any) -> Any:
    """sum(p**2) over every element of every parameter (a Module or an iterable of
    parameters); d/dp = 2 p. Add ``lam * l2_penalty(model)`` to a loss for weight decay
    (SGD's ``weight_decay=w`` is the gradient of ``w / 2 * l2_penalty``)."""
    return _penalty(params, lambda p: p**2, "l2_penalty")


def _penalty(params: Any, fn: Any, op: str) -> Any:
    nodes = list(params.parameters() if isinstance(params, Module) else params)
    if not nodes:
        raise ValueError(f"{op}: expected at least one parameter, got none")
    if all(isinstance(p, Tensor) for p in nodes):
        return total([fn(p).sum() for p in nodes], op)
    if all(isinstance(p, Value) for p in nodes):
        return total([fn(p) for p in nodes], op)
    kinds = sorted({type(p).__name__ for p in nodes})
    raise TypeError(f"{op}: expected parameters that are all Tensors or all Values, got {kinds}")
