"""The public names of DESIGN.md section 6 exist, and every name in ``__all__`` imports."""

from __future__ import annotations

import importlib

import pytest


@pytest.mark.parametrize("package", ["autograd_lite", "nn"])
def test_every_exported_name_exists(package):
    module = importlib.import_module(package)
    missing = [name for name in module.__all__ if not hasattr(module, name)]
    assert not missing


def test_the_design_documents_public_names():
    import autograd_lite
    import nn

    for name in ["Value", "Tensor", "no_grad", "detect_anomaly", "gradcheck", "draw_graph",
                 "chain_rule_paths", "explain_gradient", "backward_steps"]:  # fmt: skip
        assert name in autograd_lite.__all__, name
    importlib.import_module("autograd_lite.testing")
    for name in ["Module", "Neuron", "Layer", "MLP", "Linear", "Sequential", "ReLU", "Tanh",
                 "Sigmoid", "LeakyReLU", "Softmax", "Flatten", "Dropout", "functional", "init",
                 "optim", "data", "fit", "evaluate", "History"]:  # fmt: skip
        assert name in nn.__all__, name
    assert callable(nn.optim.lr_scheduler.StepLR) and callable(nn.data.load_mnist)
    importlib.import_module("nn.plot")
