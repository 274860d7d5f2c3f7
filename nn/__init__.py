"""Neural networks on autograd-lite: modules, layers and MLPs for `Value`s and `Tensor`s."""

from __future__ import annotations

from nn import data, export, functional, health, init, losses, optim
from nn.export import export_onnx, from_torch, load_model, to_torch
from nn.health import GradReport, Watch, grad_report, watch
from nn.layers import (
    MLP,
    Dropout,
    Flatten,
    Layer,
    LeakyReLU,
    Linear,
    LogSoftmax,
    Neuron,
    ReLU,
    Sequential,
    Sigmoid,
    Softmax,
    Tanh,
)
from nn.losses import (
    BCELoss,
    BCEWithLogitsLoss,
    CrossEntropyLoss,
    HalfSquaredError,
    HingeLoss,
    MSELoss,
)
from nn.module import LoadResult, Module
from nn.train import History, evaluate, fit
from nn.train_step import TrainStep

__all__ = [
    "MLP",
    "BCELoss",
    "BCEWithLogitsLoss",
    "CrossEntropyLoss",
    "Dropout",
    "Flatten",
    "GradReport",
    "HalfSquaredError",
    "HingeLoss",
    "History",
    "Layer",
    "LeakyReLU",
    "Linear",
    "LoadResult",
    "LogSoftmax",
    "MSELoss",
    "Module",
    "Neuron",
    "ReLU",
    "Sequential",
    "Sigmoid",
    "Softmax",
    "Tanh",
    "TrainStep",
    "Watch",
    "data",
    "evaluate",
    "export",
    "export_onnx",
    "fit",
    "from_torch",
    "functional",
    "grad_report",
    "health",
    "init",
    "load_model",
    "losses",
    "optim",
    "to_torch",
    "watch",
]
