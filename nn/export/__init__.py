"""Leaving autograd-lite with a trained model: PyTorch, safetensors and ONNX.

- `to_torch` / `from_torch`: the same network as a ``torch.nn`` module, and back
  (``pip install torch``);
- ``model.save("model.safetensors")`` (in `nn.Module`): weights that PyTorch loads with
  ``safetensors.torch.load_file`` (``pip install safetensors``);
- `export_onnx`: an ONNX graph for ONNX Runtime, Netron and other tools (``pip install
  onnx onnxruntime``);
- `load_model`: a model rebuilt from its file alone: ``save`` also records the architecture
  of a `Sequential` of the layers above (`nn.export.architecture`).

Our ``state_dict`` already has PyTorch's names and layouts (``0.weight`` of shape
``(out_features, in_features)``, ``0.bias``), so nothing is renamed or transposed on the
way out. The optional packages are imported on first use, with an ImportError that says
what to install.
"""

from __future__ import annotations

from nn.export._onnx import ONNX_OPSET, export_onnx
from nn.export._torch import from_torch, to_torch
from nn.export.architecture import load_model

__all__ = ["ONNX_OPSET", "export_onnx", "from_torch", "load_model", "to_torch"]
