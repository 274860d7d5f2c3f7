"""The public names of DESIGN.md section 6 exist, and every name in ``__all__`` imports."""

from __future__ import annotations

import importlib
import subprocess
import sys

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


def test_importing_autograd_lite_does_not_import_graphviz():
    # The pictures are loaded on first use: computing and checking gradients needs no graphviz.
    code = (
        "import sys, autograd_lite, autograd_lite.explain, autograd_lite.check, "
        "autograd_lite.testing, autograd_lite.bridge\n"
        "assert 'graphviz' not in sys.modules, 'graphviz imported'\n"
        "assert 'autograd_lite.draw' not in sys.modules, 'autograd_lite.draw imported'\n"
        "from autograd_lite import draw_graph\n"
        "assert 'graphviz' in sys.modules\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_the_pictures_are_public_names_of_the_package():
    import autograd_lite
    import autograd_lite.draw

    for name in ["draw_graph", "render", "draw_paths", "draw_step", "draw_gradient_flow"]:
        assert getattr(autograd_lite, name) is getattr(autograd_lite.draw, name)
        assert name in dir(autograd_lite) and name in autograd_lite.__all__
    with pytest.raises(AttributeError, match="has no attribute 'draw_nothing'"):
        autograd_lite.draw_nothing  # noqa: B018
