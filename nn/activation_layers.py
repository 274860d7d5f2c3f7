"""The activation modules' former home, kept so that existing imports work; they live in
`nn.layers.activations` (and are ``nn.ReLU``, ``nn.Tanh``, ...)."""

from __future__ import annotations

from nn.layers.activations import LeakyReLU, LogSoftmax, ReLU, Sigmoid, Softmax, Tanh

__all__ = ["LeakyReLU", "LogSoftmax", "ReLU", "Sigmoid", "Softmax", "Tanh"]
