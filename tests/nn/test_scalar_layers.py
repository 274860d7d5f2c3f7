"""The scalar path: Neuron, Layer and MLP of Values, and training one on two moons."""

from __future__ import annotations

import numpy as np
import pytest

import nn
from autograd_lite import Value, gradcheck
from nn.data import two_moons


def test_neuron_is_the_perceptron():
    neuron = nn.Neuron(3, activation=None, rng=0)
    x = [1.0, -2.0, 0.5]
    expected = sum(w.data * xi for w, xi in zip(neuron.w, x)) + neuron.b.data
    assert neuron(x).data == pytest.approx(expected)


@pytest.mark.parametrize("activation", ["relu", "tanh", "sigmoid", "leaky_relu", "gaussian"])
def test_neuron_activations_apply_the_value_method(activation):
    neuron = nn.Neuron(2, activation=activation, rng=1)
    z = nn.Neuron(2, activation=None, rng=1)([0.3, -0.7])
    assert neuron([0.3, -0.7]).data == getattr(z, activation)().data


def test_neuron_weights_follow_the_default_initialisation():
    neuron = nn.Neuron(100, rng=0)
    weights = np.array([w.data for w in neuron.w])
    assert np.all(np.abs(weights) <= 0.1) and weights.std() > 0.04


def test_layer_and_mlp_shapes_and_parameter_counts():
    layer = nn.Layer(3, 4, rng=0)
    assert len(layer([1.0, 2.0, 3.0])) == 4
    mlp = nn.MLP(2, [16, 16, 1], rng=0)
    assert len(mlp.parameters()) == (2 + 1) * 16 + (16 + 1) * 16 + (16 + 1) * 1
    assert isinstance(mlp([0.5, -0.5]), Value)
    assert len(nn.MLP(2, [3, 2], rng=0)([0.5, -0.5])) == 2
    assert repr(mlp).startswith("MLP(2 -> 16 -> 16 -> 1")


def test_the_output_layer_is_linear_by_default():
    mlp = nn.MLP(2, [4, 1], rng=0)
    assert mlp.layers[-1].neurons[0](np.zeros(4).tolist()).op == "linear"
    assert mlp.layers[0].neurons[0]([0.0, 0.0]).op == "relu"


def test_seeded_networks_are_reproducible():
    a, b = nn.MLP(2, [5, 1], rng=42), nn.MLP(2, [5, 1], rng=42)
    assert [p.data for p in a.parameters()] == [p.data for p in b.parameters()]


def test_mlp_gradients_match_finite_differences():
    mlp = nn.MLP(2, [3, 1], activation="tanh", rng=3)
    assert gradcheck(lambda x0, x1: mlp([x0, x1]), Value(0.4), Value(-0.9))


@pytest.mark.parametrize(
    ("build", "error", "words"),
    [
        (lambda: nn.Neuron(0), ValueError, "Neuron: expected a positive integer for nin, got 0"),
        (lambda: nn.Layer(2, 2.5), TypeError, "Layer: expected a positive integer for nout"),
        (lambda: nn.MLP(2, []), ValueError, "non-empty list of layer sizes"),
        (lambda: nn.MLP(2, 3), TypeError, "non-empty list of layer sizes"),
        (lambda: nn.MLP(2, [3], rng="0"), TypeError, "MLP: expected rng to be an np.random"),
        (lambda: nn.Neuron(2, activation="swish"), ValueError, "unknown activation 'swish'"),
        (lambda: nn.Neuron(2, rng=0)([1.0]), ValueError, "expected 2 inputs, got 1"),
    ],
)
def test_bad_arguments_are_clear_errors(build, error, words):
    with pytest.raises(error, match=words):
        build()


def test_training_an_mlp_of_values_on_two_moons():
    """Plain full-batch gradient descent on the SVM max-margin loss (micrograd's demo)."""
    X, y = two_moons(60, noise=0.1, rng=0)
    targets = 2 * y - 1  # labels -1 / +1 for the margin loss
    model = nn.MLP(2, [12, 12, 1], rng=1)

    def loss_and_accuracy():
        scores = [model(list(map(Value, row))) for row in X]
        margins = [(1 - t * s).relu() for t, s in zip(targets, scores)]
        data_loss = sum(margins) * (1.0 / len(margins))
        l2 = 1e-4 * sum(p * p for p in model.parameters())
        accuracy = np.mean([(s.data > 0) == (t > 0) for s, t in zip(scores, targets)])
        return data_loss + l2, accuracy

    first, _ = loss_and_accuracy()
    for step in range(60):
        loss, accuracy = loss_and_accuracy()
        model.zero_grad()
        loss.backward()
        lr = 1.0 - 0.9 * step / 60
        for p in model.parameters():
            p.data -= lr * p.grad
    loss, accuracy = loss_and_accuracy()
    assert loss.data < 0.3 * first.data
    assert accuracy >= 0.95
