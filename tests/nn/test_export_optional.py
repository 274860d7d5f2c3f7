"""PyTorch, onnx, onnxruntime and safetensors stay optional: ``import nn`` imports none of
them, and each function that needs one says what to install when it is missing."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import nn

OPTIONAL = ("torch", "onnx", "onnxruntime", "safetensors")
REPO_ROOT = Path(__file__).resolve().parents[2]


def test_importing_nn_imports_none_of_them():
    code = f"import sys, nn; print([m for m in {OPTIONAL!r} if m in sys.modules])"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=REPO_ROOT
    )
    assert result.stdout.strip() == "[]"


@pytest.mark.parametrize("call", [nn.to_torch, nn.from_torch])
def test_without_torch(monkeypatch, call):
    monkeypatch.setitem(sys.modules, "torch", None)  # makes `import torch` fail
    with pytest.raises(ImportError) as info:
        call(nn.Sequential(nn.Linear(2, 2)))
    message = str(info.value)
    assert "expected the torch package, which is not installed" in message
    assert "pip install torch (or pip install 'autograd-lite[torch]')" in message


def test_without_onnx(monkeypatch, tmp_path):
    monkeypatch.setitem(sys.modules, "onnx", None)
    with pytest.raises(
        ImportError, match=r"pip install onnx \(or pip install 'autograd-lite\[export\]'\)"
    ):
        nn.export_onnx(nn.Linear(2, 2), tmp_path / "m.onnx", np.ones((1, 2), np.float32))
    assert list(tmp_path.iterdir()) == []
