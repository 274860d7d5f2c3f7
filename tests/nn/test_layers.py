"""The tensor path: Linear, Sequential, activation modules, Flatten, Dropout, and its parity
with the scalar path (an MLP of Values and a Sequential of Linears agree)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import nn
from autograd_lite import Tensor, Value, gradcheck
from autograd_lite.testing import arrays
from nn import functional as F
from nn.layers.activations import LeakyReLU, LogSoftmax, ReLU, Sigmoid, Softmax, Tanh
from nn.layers.tensor import Dropout, Flatten, Linear, Sequential

RNG = np.random.default_rng(3)


# --------------------------------------------------------------------------------- Linear


def test_linear_holds_weight_and_bias_in_pytorchs_layout():
    layer = Linear(4, 3, rng=0)
    assert layer.weight.shape == (3, 4) and layer.bias.shape == (3,)
    assert layer.weight.dtype == np.float32 and layer.bias.dtype == np.float32
    assert layer.weight.requires_grad and layer.bias.requires_grad
    assert [name for name, _ in layer.named_parameters()] == ["weight", "bias"]
    assert repr(layer) == "Linear(in_features=4, out_features=3, bias=True)"


def test_linear_computes_x_wt_plus_b_in_one_node():
    layer = Linear(4, 3, rng=0)
    x = RNG.normal(size=(5, 4)).astype(np.float32)
    out = layer(x)
    assert out.shape == (5, 3) and out.dtype == np.float32 and out.op == "linear"
    expected = x @ layer.weight.data.T + layer.bias.data
    np.testing.assert_allclose(out.data, expected, rtol=1e-6)
    batched = layer(RNG.normal(size=(2, 5, 4)))  # extra batch axes, as PyTorch
    assert batched.shape == (2, 5, 3)


def test_linear_without_bias():
    layer = Linear(4, 3, bias=False, rng=0)
    assert layer.bias is None and len(layer.parameters()) == 1
    x = RNG.normal(size=(2, 4))
    np.testing.assert_allclose(layer(x).data, x @ layer.weight.data.T, rtol=1e-6)
    assert repr(layer).endswith("bias=False)")


def test_linear_initialisation_is_pytorchs_default():
    layer = Linear(400, 300, rng=0)
    bound = 1 / np.sqrt(400)
    for p in (layer.weight.data, layer.bias.data):
        assert np.all(np.abs(p) <= bound)
    assert layer.weight.data.std() == pytest.approx(bound / np.sqrt(3), rel=0.02)
    same = Linear(400, 300, rng=0)
    np.testing.assert_array_equal(same.weight.data, layer.weight.data)
    assert not np.array_equal(Linear(400, 300, rng=1).weight.data, layer.weight.data)


def test_linear_converts_data_to_its_dtype_and_builds_no_graph_for_it():
    layer = Linear(3, 2, rng=0)
    for x in (RNG.normal(size=(4, 3)), np.arange(12, dtype=np.uint8).reshape(4, 3)):
        out = layer(x)
        assert out.dtype == np.float32  # float64 / uint8 data would promote every product
        assert all(p.requires_grad for p in out.parents[1:])
        assert not out.parents[0].requires_grad
    wide = Linear(3, 2, rng=0, dtype=np.float64)
    assert wide(np.ones((1, 3), dtype=np.float32)).dtype == np.float64


def test_linear_gradients():
    layer = Linear(3, 2, rng=0, dtype=np.float64)
    x = RNG.normal(size=(5, 3))
    g = RNG.normal(size=(5, 2))
    layer(x).backward(g)
    np.testing.assert_allclose(layer.weight.grad, g.T @ x)
    np.testing.assert_allclose(layer.bias.grad, g.sum(axis=0))
    assert gradcheck(lambda t: layer(t).tanh().sum(), Tensor(x, requires_grad=True))


@pytest.mark.parametrize(
    ("build", "error", "words"),
    [
        (lambda: Linear(0, 3), ValueError, "positive integer for in_features, got 0"),
        (lambda: Linear(3, 2.0), TypeError, "positive integer for out_features, got 2.0"),
        (lambda: Linear(3, 2, dtype=np.int32), TypeError, "expected a floating dtype"),
        (lambda: Linear(3, 2, rng="seed"), TypeError, "expected rng to be an np.random.Gen"),
        (lambda: Linear(3, 2)(np.ones((4, 2))), ValueError, r"\(\.\.\., 3\), got \(4, 2\)"),
        (lambda: Linear(3, 2)([[1.0, 2.0, 3.0]]), TypeError, "expected a Tensor or a NumPy"),
    ],
)
def test_linear_errors(build, error, words):
    with pytest.raises(error, match=words):
        build()


# ----------------------------------------------------------------------------- Sequential


def test_sequential_is_a_list_of_modules():
    first, act, last = Linear(2, 3, rng=0), ReLU(), Linear(3, 1, rng=1)
    model = Sequential(first, act)
    assert model.append(last) is model
    assert len(model) == 3 and list(model) == [first, act, last]
    assert model[0] is first and model[-1] is last
    head = model[:2]
    assert isinstance(head, Sequential) and list(head) == [first, act]
    assert [name for name, _ in model.named_parameters()] == [
        "0.weight",
        "0.bias",
        "2.weight",
        "2.bias",
    ]
    x = RNG.normal(size=(4, 2))
    np.testing.assert_array_equal(model(x).data, last(act(first(x))).data)
    assert repr(model) == (
        "Sequential(\n"
        "  (0): Linear(in_features=2, out_features=3, bias=True)\n"
        "  (1): ReLU()\n"
        "  (2): Linear(in_features=3, out_features=1, bias=True)\n"
        ")"
    )


def test_sequential_nests_and_modes_reach_every_module():
    inner = Sequential(Linear(2, 2, rng=0), Dropout(0.5))
    model = Sequential(inner, Linear(2, 1, rng=1))
    assert [name for name, _ in model.named_parameters()][:2] == ["0.0.weight", "0.0.bias"]
    model.eval()
    assert not inner[1].training
    assert "(0): Sequential(\n    (0): Linear" in repr(model)


def test_an_empty_sequential_is_the_identity():
    x = Tensor(np.ones(3))
    assert Sequential()(x) is x and len(Sequential()) == 0


def test_sequential_errors():
    with pytest.raises(TypeError, match="expected Module instances, got function"):
        Sequential(Linear(2, 2), F.relu)
    with pytest.raises(IndexError, match="index 2 is out of range for 2 modules"):
        Sequential(ReLU(), Tanh())[2]
    with pytest.raises(TypeError, match="expected an int or a slice index, got str"):
        Sequential(ReLU())["0"]


# --------------------------------------------------------------------- activation modules


@pytest.mark.parametrize(
    ("module", "reference", "text"),
    [
        (ReLU(), lambda x: np.maximum(x, 0), "ReLU()"),
        (Tanh(), np.tanh, "Tanh()"),
        (Sigmoid(), lambda x: 1 / (1 + np.exp(-x)), "Sigmoid()"),
        (Sigmoid(beta=2.0), lambda x: 1 / (1 + np.exp(-2 * x)), "Sigmoid(beta=2.0)"),
        (LeakyReLU(), lambda x: np.where(x > 0, x, 0.01 * x), "LeakyReLU(negative_slope=0.01)"),
        (LeakyReLU(0.2), lambda x: np.where(x > 0, x, 0.2 * x), "LeakyReLU(negative_slope=0.2)"),
        (
            Softmax(),
            lambda x: np.exp(x) / np.exp(x).sum(axis=-1, keepdims=True),
            "Softmax(axis=-1)",
        ),
        (
            Softmax(axis=0),
            lambda x: np.exp(x) / np.exp(x).sum(axis=0, keepdims=True),
            "Softmax(axis=0)",
        ),
        (
            LogSoftmax(),
            lambda x: x - np.log(np.exp(x).sum(axis=-1, keepdims=True)),
            "LogSoftmax(axis=-1)",
        ),
    ],
    ids=lambda v: v if isinstance(v, str) else "",
)
@given(x=arrays("kink_at_zero", (3, 4)))
def test_activation_modules(module, reference, text, x):
    np.testing.assert_allclose(module(x).data, reference(x), rtol=1e-10, atol=1e-12)
    assert repr(module) == text and module.parameters() == []
    assert gradcheck(lambda t: module(t), Tensor(x, requires_grad=True))


def test_elementwise_activation_modules_also_take_values():
    assert ReLU()(Value(-2.0)).data == 0.0
    assert Sigmoid()(Value(0.0)).data == 0.5


@pytest.mark.parametrize(
    ("build", "error"),
    [
        (lambda: Sigmoid(beta="2"), TypeError),
        (lambda: LeakyReLU(float("nan")), ValueError),
        (lambda: Softmax(axis=1.0), TypeError),
    ],
)
def test_activation_module_errors(build, error):
    with pytest.raises(error, match="expected"):
        build()


# --------------------------------------------------------------------------------- Flatten


def test_flatten_keeps_the_batch_axis():
    images = Tensor(RNG.normal(size=(6, 28, 28)), requires_grad=True)
    flat = Flatten()(images)
    assert flat.shape == (6, 784)
    assert Flatten(start_axis=0)(images).shape == (6 * 784,)
    assert Flatten(1, 1)(np.zeros((2, 3, 4))).shape == (2, 3, 4)
    (flat * np.arange(784)).sum().backward()
    np.testing.assert_array_equal(images.grad[1], np.arange(784).reshape(28, 28))
    assert repr(Flatten()) == "Flatten(start_axis=1, end_axis=-1)"
    with pytest.raises(ValueError, match=r"expected start_axis in \[-1, 1\) for an input with 1"):
        Flatten()(np.zeros(3))
    with pytest.raises(TypeError, match="Flatten: expected end_axis to be an int axis, got float"):
        Flatten(end_axis=-1.0)


# --------------------------------------------------------------------------------- Dropout


def test_dropout_zeroes_and_rescales_while_training():
    x = Tensor(np.ones((400, 250), dtype=np.float32), requires_grad=True)
    drop = Dropout(0.3, rng=0)
    out = drop(x)
    kept = out.data != 0
    assert out.dtype == np.float32
    assert kept.mean() == pytest.approx(0.7, abs=0.01)
    np.testing.assert_allclose(out.data[kept], 1 / 0.7, rtol=1e-6)
    assert out.data.mean() == pytest.approx(1.0, abs=0.01)  # the expected value is kept
    out.sum().backward()
    np.testing.assert_array_equal(x.grad, out.data)  # the gradient is g * mask


def test_dropout_is_seeded_and_draws_a_new_mask_each_call():
    a, b = Dropout(rng=5), Dropout(rng=5)
    x = np.ones((10, 10))
    first = a(x).data
    np.testing.assert_array_equal(first, b(x).data)
    assert not np.array_equal(first, a(x).data)


def test_dropout_is_the_identity_in_eval_mode():
    model = Sequential(Linear(4, 4, rng=0), Dropout(0.9, rng=0))
    x = Tensor(np.ones((2, 4)))
    model.eval()
    np.testing.assert_array_equal(model(x).data, model[0](x).data)
    drop = Dropout(0.5).eval()
    assert drop(x) is x
    model.train()
    assert model[1].training


def test_dropout_arguments():
    assert repr(Dropout()) == "Dropout(p=0.5)"
    np.testing.assert_array_equal(Dropout(1.0)(np.ones(5)).data, 0.0)
    with pytest.raises(ValueError, match=r"Dropout: expected p in \[0, 1\], got -0.5"):
        Dropout(-0.5)
    with pytest.raises(TypeError, match=r"Dropout: expected p to be a real number, got None"):
        Dropout(None)
    with pytest.raises(ValueError, match=r"Dropout: expected rng to be an int seed >= 0, got -1"):
        Dropout(0.5, rng=-1)


# ------------------------------------------------------------------- two paths, one network


def _copy_mlp_into_sequential(mlp: nn.MLP, model: Sequential) -> None:
    """Neuron j of MLP layer l becomes row j of the l-th Linear (via load_state_dict)."""
    linears = [(i, m) for i, m in enumerate(model) if isinstance(m, Linear)]
    state = {}
    for layer, (index, _) in zip(mlp.layers, linears):
        state[f"{index}.weight"] = np.array([[w.data for w in n.w] for n in layer.neurons])
        state[f"{index}.bias"] = np.array([n.b.data for n in layer.neurons])
    model.load_state_dict(state)


@pytest.mark.parametrize(
    ("activation", "module"), [("tanh", Tanh), ("relu", ReLU), ("sigmoid", Sigmoid)]
)
@given(seed=st.integers(0, 2**16))
def test_an_mlp_of_values_and_a_sequential_of_linears_agree(activation, module, seed):
    rng = np.random.default_rng(seed)
    mlp = nn.MLP(3, [4, 5, 2], activation=activation, rng=rng)
    model = Sequential(
        Linear(3, 4, dtype=np.float64),
        module(),
        Linear(4, 5, dtype=np.float64),
        module(),
        Linear(5, 2, dtype=np.float64),
    )
    _copy_mlp_into_sequential(mlp, model)
    X, Y = rng.normal(size=(6, 3)), rng.normal(size=(6, 2))

    inputs = [[Value(v) for v in row] for row in X]
    outputs = [mlp(row) for row in inputs]
    scalar_loss = F.mse_loss(outputs, Y)
    scalar_loss.backward()

    x = Tensor(X, requires_grad=True)
    out = model(x)
    loss = F.mse_loss(out, Y)
    loss.backward()

    np.testing.assert_allclose(out.data, [[v.data for v in row] for row in outputs], atol=1e-6)
    assert loss.item() == pytest.approx(scalar_loss.data, abs=1e-6)
    np.testing.assert_allclose(x.grad, [[v.grad for v in row] for row in inputs], atol=1e-6)
    for layer, linear in zip(mlp.layers, model[::2]):
        w_grad = [[w.grad for w in n.w] for n in layer.neurons]
        np.testing.assert_allclose(linear.weight.grad, w_grad, atol=1e-6)
        np.testing.assert_allclose(linear.bias.grad, [n.b.grad for n in layer.neurons], atol=1e-6)


def test_a_sequential_learns_a_small_classification_task():
    """A few hundred steps of plain gradient descent on two blobs separate them."""
    rng = np.random.default_rng(0)
    X = np.concatenate([rng.normal(-1, 0.5, (50, 2)), rng.normal(1, 0.5, (50, 2))])
    y = np.repeat([0, 1], 50)
    model = Sequential(Linear(2, 8, rng=1), Tanh(), Linear(8, 2, rng=2))
    first = F.cross_entropy(model(X), y).item()
    for _ in range(200):
        loss = F.cross_entropy(model(X), y)
        model.zero_grad()
        loss.backward()
        for p in model.parameters():
            p.data -= 0.5 * p.grad
    assert loss.item() < 0.2 * first
    assert (model(X).data.argmax(axis=1) == y).mean() >= 0.95
