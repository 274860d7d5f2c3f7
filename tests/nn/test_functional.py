"""`nn.functional`: every loss against NumPy and finite differences, on both paths; its
errors, its stability at extreme logits, and the functional activations."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import nn
from autograd_lite import Tensor, Value, gradcheck
from autograd_lite.testing import Domain, arrays, floats_in
from nn import functional as F
from nn import losses

N, K = 5, 3
RNG = np.random.default_rng(7)
REGRESSION_TARGETS = RNG.normal(size=(N, K))
PROB_TARGETS = RNG.uniform(size=(N, K))
SIGNS = RNG.choice([-1.0, 1.0], size=(N, K))
LABELS = np.array([0, 2, 1, 2, 0])


def _np_sigmoid(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-z))


def _np_reduce(losses: np.ndarray, reduction: str) -> Any:
    return {"mean": losses.mean(), "sum": losses.sum(), "none": losses}[reduction]


def _np_cross_entropy(z: np.ndarray) -> np.ndarray:
    shifted = z - z.max(axis=1, keepdims=True)
    log_probs = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    return -log_probs[np.arange(len(z)), LABELS]


@dataclass(frozen=True)
class LossCase:
    name: str
    call: Callable[[Any, str], Any]  # (pred, reduction) -> loss
    reference: Callable[[np.ndarray], np.ndarray]  # pred -> per-element losses
    domain: str | Domain = "real"
    halved_batch_mean: bool = False  # half_squared_error's "mean" is sum / batch size

    def expected(self, pred: np.ndarray, reduction: str) -> Any:
        losses = self.reference(pred)
        if reduction == "mean" and self.halved_batch_mean:
            return losses.sum() / pred.shape[0]
        return _np_reduce(losses, reduction)


CASES = [
    LossCase(
        "mse_loss",
        lambda p, r: F.mse_loss(p, REGRESSION_TARGETS, r),
        lambda p: (p - REGRESSION_TARGETS) ** 2,
    ),
    LossCase(
        "half_squared_error",
        lambda p, r: F.half_squared_error(p, REGRESSION_TARGETS, r),
        lambda p: 0.5 * (p - REGRESSION_TARGETS) ** 2,
        halved_batch_mean=True,
    ),
    LossCase(
        "binary_cross_entropy",
        lambda p, r: F.binary_cross_entropy(p, PROB_TARGETS, r),
        lambda p: -(PROB_TARGETS * np.log(p) + (1 - PROB_TARGETS) * np.log(1 - p)),
        domain=Domain(0.05, 0.95),
    ),
    LossCase(
        "binary_cross_entropy_with_logits",
        lambda z, r: F.binary_cross_entropy_with_logits(z, PROB_TARGETS, r),
        lambda z: (
            -(
                PROB_TARGETS * np.log(_np_sigmoid(z))
                + (1 - PROB_TARGETS) * np.log(1 - _np_sigmoid(z))
            )
        ),
    ),
    LossCase(
        "cross_entropy",
        lambda z, r: F.cross_entropy(z, LABELS, r),
        _np_cross_entropy,
    ),
    LossCase(
        "hinge_loss",
        lambda s, r: F.hinge_loss(s, SIGNS, r),
        lambda s: np.maximum(0.0, 1 - SIGNS * s),
        # The kinks of relu(1 - t s) are at s = +-1 (t = +-1).
        domain=Domain(-3.0, 3.0, kinks=(-1.0, 1.0)),
    ),
]
REDUCTIONS = ["mean", "sum", "none"]


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
@given(data=st.data())
def test_every_loss_matches_numpy(case, reduction, data):
    pred = data.draw(arrays(case.domain, (N, K)), label="pred")
    out = case.call(Tensor(pred), reduction)
    assert isinstance(out, Tensor) and out.dtype == np.float64
    np.testing.assert_allclose(out.data, case.expected(pred, reduction), rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
@given(data=st.data())
def test_every_loss_gradient_matches_finite_differences(case, reduction, data):
    pred = data.draw(arrays(case.domain, (N, K)), label="pred")
    assert gradcheck(lambda p: case.call(p, reduction), Tensor(pred, requires_grad=True))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_every_loss_is_finite_at_extreme_logits(case, dtype):
    z = np.where(RNG.uniform(size=(N, K)) < 0.5, -1e4, 1e4).astype(dtype)
    # The probability loss gets the probabilities of those logits: exactly 0 and 1.
    x = Tensor(z, requires_grad=True)
    pred = x.sigmoid() if case.name == "binary_cross_entropy" else x
    loss = case.call(pred, "mean")
    loss.backward()
    assert np.isfinite(loss.item())
    assert x.grad is not None and np.all(np.isfinite(x.grad))


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_an_unknown_reduction_is_a_clear_error(case):
    with pytest.raises(ValueError, match=r"expected reduction in \('mean', 'sum', 'none'\)"):
        case.call(Tensor(np.full((N, K), 0.5)), "average")


@pytest.mark.parametrize(
    "loss", [F.mse_loss, F.half_squared_error, F.binary_cross_entropy, F.hinge_loss]
)
def test_a_column_against_a_vector_is_an_error_not_a_broadcast(loss):
    pred = Tensor(np.full((4, 1), 0.5), requires_grad=True)
    with pytest.raises(ValueError, match=r"expected target of shape \(4, 1\).*got \(4,\)"):
        loss(pred, np.ones(4))
    with pytest.raises(ValueError, match=r"expected target of shape \(3,\).*got \(2,\)"):
        loss([Value(0.5), Value(0.5), Value(0.5)], [1.0, 1.0])


def test_bce_with_logits_checks_the_target_shape():
    with pytest.raises(ValueError, match=r"expected targets of shape \(4, 1\), got \(4,\)"):
        F.binary_cross_entropy_with_logits(Tensor(np.zeros((4, 1))), np.ones(4))


# ------------------------------------------------------------------------ cross-entropy


def test_cross_entropy_takes_labels_as_an_array_a_tensor_or_a_list():
    z = Tensor(RNG.normal(size=(N, K)))
    expected = _np_cross_entropy(z.data).mean()
    for labels in (LABELS, Tensor(LABELS), LABELS.tolist(), LABELS.astype(np.uint8)):
        assert F.cross_entropy(z, labels).item() == pytest.approx(expected)


@pytest.mark.parametrize(
    ("labels", "error", "words"),
    [
        (LABELS.astype(np.float32), TypeError, "expected integer class labels, got dtype float32"),
        (np.eye(K)[LABELS], TypeError, "expected integer class labels"),
        (np.array([0, 1, 2, 3, 0]), ValueError, r"expected labels in \[0, 3\), got 1 out of range"),
        (np.array([0, -1, 2, 1, 0]), ValueError, "out of range"),
        (np.array([0, 1, 2]), ValueError, r"expected labels of shape \(5,\), got \(3,\)"),
    ],
)
def test_cross_entropy_label_errors(labels, error, words):
    with pytest.raises(error, match=words):
        F.cross_entropy(Tensor(np.zeros((N, K))), labels)


def test_cross_entropy_gradient_is_softmax_minus_onehot():
    z = Tensor(RNG.normal(size=(N, K)), requires_grad=True)
    F.cross_entropy(z, LABELS, "sum").backward()
    expected = F.softmax(z.detach()).data - np.eye(K)[LABELS]
    np.testing.assert_allclose(z.grad, expected, atol=1e-12)


# ------------------------------------------------------------------- probabilities, margins


def test_binary_cross_entropy_clips_probabilities_so_log_never_sees_zero():
    probs = Tensor(np.array([0.0, 1.0, 0.0, 1.0], dtype=np.float32), requires_grad=True)
    loss = F.binary_cross_entropy(probs, [0.0, 1.0, 1.0, 0.0], reduction="none")
    assert loss.dtype == np.float32
    assert loss.data[0] == pytest.approx(0.0, abs=1e-6) and loss.data[1] < 1e-6
    assert np.all(np.isfinite(loss.data)) and np.all(loss.data[2:] > 15)
    loss.sum().backward()
    np.testing.assert_array_equal(probs.grad, 0.0)  # clip has no gradient outside


@pytest.mark.parametrize(
    ("probs", "targets", "words"),
    [
        ([1.5, 0.5], [1.0, 0.0], r"expected probabilities in \[0, 1\], got 1.5 \(pass logits"),
        ([-0.1, 0.5], [1.0, 0.0], r"expected probabilities in \[0, 1\], got -0.1"),
        ([0.5, 0.5], [2.0, 0.0], r"expected targets in \[0, 1\], got 2.0"),
    ],
)
def test_binary_cross_entropy_rejects_values_outside_the_unit_interval(probs, targets, words):
    with pytest.raises(ValueError, match=words):
        F.binary_cross_entropy(Tensor(np.array(probs)), np.array(targets))
    with pytest.raises(ValueError, match=words):
        F.binary_cross_entropy([Value(p) for p in probs], targets)


def test_hinge_loss_wants_signs_not_zero_one_labels():
    with pytest.raises(ValueError, match=r"expected targets in \{-1, \+1\}, got 0.0.*2 \* y - 1"):
        F.hinge_loss(Tensor(np.zeros(3)), np.array([1.0, 0.0, 1.0]))
    with pytest.raises(ValueError, match=r"expected targets in \{-1, \+1\}"):
        F.hinge_loss([Value(0.0)], [0])


def test_hinge_loss_is_micrographs_svm_loss():
    scores = [Value(s) for s in (0.3, -2.0, 1.5, -0.2)]
    targets = [1, -1, -1, 1]
    expected = sum((1 - t * s).relu() for t, s in zip(targets, scores)) * (1 / 4)
    assert F.hinge_loss(scores, targets).data == pytest.approx(expected.data)
    assert F.hinge_loss(scores, targets, margin=2.0).data > expected.data


# -------------------------------------------------------------------- the textbooks' error


def test_half_squared_error_of_one_output_is_the_textbook_formula():
    y_hat, y = Value(0.8), 1.0
    error = F.half_squared_error(y_hat, y)
    assert error.data == pytest.approx(0.5 * (y - 0.8) ** 2)
    error.backward()
    assert y_hat.grad == pytest.approx(0.8 - y)  # the 1/2 cancels the 2


def test_half_squared_error_sums_over_outputs_and_averages_over_the_batch():
    pred = RNG.normal(size=(4, 3))
    target = RNG.normal(size=(4, 3))
    expected = 0.5 * ((pred - target) ** 2).sum(axis=1).mean()
    assert F.half_squared_error(Tensor(pred), target).item() == pytest.approx(expected)
    nested = [[Value(v) for v in row] for row in pred]
    assert F.half_squared_error(nested, target).data == pytest.approx(expected)
    column = F.half_squared_error(Tensor(pred[:, :1]), target[:, :1]).item()
    assert column == pytest.approx(F.mse_loss(Tensor(pred[:, 0]), target[:, 0]).item() / 2)


# ------------------------------------------------------------------------ the Value path


@pytest.mark.parametrize(
    ("loss", "pred", "target"),
    [
        (F.mse_loss, [0.3, -1.2, 2.0], [0.0, 1.0, 1.5]),
        (F.half_squared_error, [0.3, -1.2, 2.0], [0.0, 1.0, 1.5]),
        (F.binary_cross_entropy, [0.3, 0.9, 0.05], [0.0, 1.0, 0.5]),
        (F.hinge_loss, [0.3, -1.2, 2.0], [1, 1, -1]),
    ],
)
@pytest.mark.parametrize("reduction", ["mean", "sum"])
def test_value_losses_match_the_tensor_path_and_finite_differences(loss, pred, target, reduction):
    values = [Value(p) for p in pred]
    out = loss(values, target, reduction)
    assert isinstance(out, Value)
    expected = loss(Tensor(np.array(pred)), np.array(target), reduction).item()
    assert out.data == pytest.approx(expected, rel=1e-12)
    assert gradcheck(lambda *vs: loss(list(vs), target, reduction), *values)


@given(floats_in("real"), floats_in("real"))
def test_one_value_against_a_number(p, t):
    assert F.mse_loss(Value(p), t).data == pytest.approx((p - t) ** 2)
    assert gradcheck(lambda v: F.mse_loss(v, t), Value(p))


def test_value_targets_may_be_arrays_and_none_keeps_the_nesting():
    pred = [[Value(1.0), Value(2.0)], [Value(3.0), Value(4.0)]]
    out = F.mse_loss(pred, np.array([[1.0, 0.0], [0.0, 0.0]]), reduction="none")
    assert [[v.data for v in row] for row in out] == [[0.0, 4.0], [9.0, 16.0]]
    with pytest.raises(ValueError, match=r"expected target of shape \(2, 2\).*got \(2,\)"):
        F.mse_loss(pred, [1.0, 2.0])
    with pytest.raises(TypeError, match="expected numbers or a list of numbers as target"):
        F.mse_loss(pred, Tensor(np.zeros((2, 2))))
    with pytest.raises(ValueError, match="expected at least one prediction"):
        F.mse_loss([], [])
    with pytest.raises(ValueError, match="expected at least one prediction"):
        F.half_squared_error(Tensor(np.zeros((0, 2))), np.zeros((0, 2)))


# ---------------------------------------------------------------------------- penalties


def test_penalties_on_tensors_values_and_modules():
    a = Tensor(np.array([[1.0, -2.0], [0.5, 0.0]]), requires_grad=True)
    b = Tensor(np.array([-3.0]), requires_grad=True)
    l1 = F.l1_penalty([a, b])
    assert l1.item() == pytest.approx(6.5)
    l1.backward()
    np.testing.assert_array_equal(a.grad, np.sign(a.data))  # abs'(0) = 0
    l2 = F.l2_penalty([a, b])
    assert l2.item() == pytest.approx(1 + 4 + 0.25 + 9)
    assert gradcheck(lambda x, y: F.l2_penalty([x, y]), a, b)

    values = [Value(1.5), Value(-2.0)]
    assert F.l1_penalty(values).data == pytest.approx(3.5)
    assert F.l2_penalty(values).data == pytest.approx(6.25)
    model = nn.MLP(2, [3, 1], rng=0)
    expected = sum(p.data**2 for p in model.parameters())
    assert F.l2_penalty(model).data == pytest.approx(expected)


def test_penalty_errors():
    with pytest.raises(ValueError, match="expected at least one parameter, got none"):
        F.l1_penalty([])
    with pytest.raises(TypeError, match="all Tensors or all Values, got"):
        F.l2_penalty([Value(1.0), Tensor(np.ones(2), requires_grad=True)])


# ------------------------------------------------------------------ functional activations


def test_functional_activations_take_tensors_arrays_and_values():
    x = np.array([-2.0, -0.5, 0.0, 1.5])
    np.testing.assert_allclose(F.relu(x).data, np.maximum(x, 0))
    np.testing.assert_allclose(F.tanh(Tensor(x)).data, np.tanh(x))
    np.testing.assert_allclose(F.sigmoid(x, beta=2.0).data, _np_sigmoid(2 * x))
    np.testing.assert_allclose(F.leaky_relu(x, 0.1).data, np.where(x > 0, x, 0.1 * x))
    assert F.relu(Value(-1.0)).data == 0.0 and F.tanh(Value(0.5)).data == pytest.approx(
        np.tanh(0.5)
    )
    z = RNG.normal(size=(3, 4))
    np.testing.assert_allclose(F.softmax(z).data.sum(axis=1), 1.0)
    np.testing.assert_allclose(F.log_softmax(z, axis=0).data, np.log(F.softmax(z, axis=0).data))
    assert F.relu(x).requires_grad is False  # a data array gets no graph
    with pytest.raises(TypeError, match="expected a Tensor, a NumPy array or a Value, got list"):
        F.relu([1.0, 2.0])
    with pytest.raises(TypeError, match="expected a Tensor or a NumPy array, got Value"):
        F.softmax(Value(1.0))


def test_functional_dropout():
    x = Tensor(np.ones((200, 50)))
    assert F.dropout(x, 0.5, training=False) is x
    assert F.dropout(x, 0.0) is x
    np.testing.assert_array_equal(F.dropout(x, 1.0).data, 0.0)
    out = F.dropout(x, 0.25, rng=0).data
    assert set(np.unique(out)) == {0.0, 1 / 0.75}
    for p in (-0.1, 1.5, float("nan")):
        with pytest.raises(ValueError, match=r"dropout: expected p in \[0, 1\], got"):
            F.dropout(x, p)
    for p in (True, "0.5", None):  # the wrong type of argument: TypeError
        with pytest.raises(TypeError, match=r"dropout: expected p to be a real number, got"):
            F.dropout(x, p)


# --------------------------------------------------------------------- loss modules


@pytest.mark.parametrize(
    ("module", "function", "pred", "target"),
    [
        (losses.MSELoss, F.mse_loss, RNG.normal(size=(N, K)), REGRESSION_TARGETS),
        (
            losses.HalfSquaredError,
            F.half_squared_error,
            RNG.normal(size=(N, K)),
            REGRESSION_TARGETS,
        ),
        (losses.BCELoss, F.binary_cross_entropy, RNG.uniform(size=(N, K)), PROB_TARGETS),
        (
            losses.BCEWithLogitsLoss,
            F.binary_cross_entropy_with_logits,
            RNG.normal(size=(N, K)),
            PROB_TARGETS,
        ),
        (losses.CrossEntropyLoss, F.cross_entropy, RNG.normal(size=(N, K)), LABELS),
        (losses.HingeLoss, F.hinge_loss, RNG.normal(size=(N, K)), SIGNS),
    ],
)
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_loss_modules_call_their_function(module, function, pred, target, reduction):
    out = module(reduction=reduction)(Tensor(pred), target)
    np.testing.assert_array_equal(out.data, function(Tensor(pred), target, reduction).data)
    assert module().parameters() == []


def test_loss_module_reprs_and_errors():
    assert repr(losses.MSELoss()) == "MSELoss()"
    assert repr(losses.CrossEntropyLoss(reduction="sum")) == "CrossEntropyLoss(reduction='sum')"
    assert repr(losses.BCELoss(eps=1e-6)) == "BCELoss(eps=1e-06)"
    assert repr(losses.HingeLoss(margin=2)) == "HingeLoss(margin=2)"
    with pytest.raises(ValueError, match="MSELoss: expected reduction in"):
        losses.MSELoss(reduction="batchmean")
    with pytest.raises(ValueError, match=r"BCELoss: expected eps in \(0, 0\.5\), got 0\.0"):
        losses.BCELoss(eps=0.0)
    with pytest.raises(TypeError, match=r"MSELoss: expected reduction in .*, got 1"):
        losses.MSELoss(reduction=1)
    with pytest.raises(TypeError, match="HingeLoss: expected margin to be a real number"):
        losses.HingeLoss(margin="1")
    assert losses.MSELoss()(Value(2.0), 1.0).data == 1.0
