"""`to_torch` and `from_torch`: the same network as a ``torch.nn`` module, and back.

Our ``state_dict`` already uses PyTorch's names and layouts (``0.weight`` of shape
``(out_features, in_features)``, ``0.bias``; a Linear without bias has no ``bias`` key), so
weights are copied as they are, never transposed or renamed.
"""

from __future__ import annotations

from typing import Any

import numpy as np

import nn
from nn.export._common import join, layer_kind, require, unsupported, where
from nn.module import Module

__all__ = ["from_torch", "to_torch"]

_DTYPES = ("float32", "float64")  # the dtypes both sides compute in


def to_torch(model: Module) -> Any:
    """The same network as a ``torch.nn`` module, with copies of the weights.

    Parameters
    ----------
    model : Module
        A `Sequential` (nested ones too), `Linear`, `ReLU`, `Tanh`, `Sigmoid` (beta 1),
        `LeakyReLU`, `Softmax`, `LogSoftmax`, `Flatten` or `Dropout`.

    Returns
    -------
    torch.nn.Module
        ``torch.nn.Sequential``, ``torch.nn.Linear``, ... with the same hyperparameters
        (LeakyReLU slope, Softmax/LogSoftmax axis as ``dim``, Flatten axes as
        ``start_dim``/``end_dim``, Dropout ``p``), dtype (float32 or float64), train/eval
        mode of each module, and ``state_dict`` (the same keys, shapes and values). A
        module used twice stays one shared module.

    Raises
    ------
    ImportError
        PyTorch is not installed (``pip install torch``).
    TypeError
        A layer of another type, named with its position in the model.
    ValueError
        A hyperparameter PyTorch's module lacks (Sigmoid with ``beta != 1``), or a dtype
        other than float32 and float64.

    Examples
    --------
    >>> import nn
    >>> model = nn.Sequential(nn.Linear(4, 8, rng=0), nn.ReLU(), nn.Linear(8, 3, rng=1))
    >>> torch_model = nn.to_torch(model.eval())
    >>> torch_model
    Sequential(
      (0): Linear(in_features=4, out_features=8, bias=True)
      (1): ReLU()
      (2): Linear(in_features=8, out_features=3, bias=True)
    )
    >>> list(torch_model.state_dict()) == list(model.state_dict())
    True
    >>> nn.from_torch(torch_model)
    Sequential(
      (0): Linear(in_features=4, out_features=8, bias=True)
      (1): ReLU()
      (2): Linear(in_features=8, out_features=3, bias=True)
    )
    """
    torch = require("torch", "to_torch", "torch")
    return _to_torch(model, "", torch, {})


def from_torch(module: Any) -> Module:
    """The same network as an autograd-lite `Module`, with copies of the weights.

    The inverse of `to_torch`: ``torch.nn.Sequential``, ``Linear``, ``ReLU``, ``Tanh``,
    ``Sigmoid``, ``LeakyReLU``, ``Softmax``, ``LogSoftmax`` (with an int ``dim``),
    ``Flatten`` and ``Dropout``, in float32 or float64 on any device. A Sequential built
    from an ``OrderedDict`` gets its layers numbered ``0``, ``1``, ... (our Sequential
    names them by position). Train/eval mode is kept per module.

    Raises
    ------
    ImportError
        PyTorch is not installed.
    TypeError
        `module` is not a ``torch.nn.Module``, or holds a layer of another type (named
        with its position in the model).
    ValueError
        Softmax or LogSoftmax with ``dim=None``, or weights neither float32 nor float64.
    """
    torch = require("torch", "from_torch", "torch")
    if not isinstance(module, torch.nn.Module):
        raise TypeError(f"from_torch: expected a torch.nn.Module, got {type(module).__name__}")
    return _from_torch(module, "", torch, {})


def _to_torch(layer: Module, name: str, torch: Any, done: dict[int, Any]) -> Any:
    if id(layer) in done:  # shared, as PyTorch shares a module added twice
        return done[id(layer)]
    tnn, kind = torch.nn, layer_kind(layer, "to_torch", name)
    if kind == "Sequential":
        out = tnn.Sequential(
            *(_to_torch(child, join(name, str(i)), torch, done) for i, child in enumerate(layer))
        )
    elif kind == "Linear":
        dtype = np.dtype(layer.weight.dtype).name
        if dtype not in _DTYPES:
            raise ValueError(
                f"to_torch: expected float32 or float64 weights, got {dtype} in Linear "
                f"{where(name)}"
            )
        bias = layer.bias is not None
        out = tnn.Linear(
            layer.in_features, layer.out_features, bias=bias, dtype=getattr(torch, dtype)
        )
        with torch.no_grad():  # the one place weights cross over: same names and layouts
            out.weight.copy_(torch.from_numpy(layer.weight.data.copy()))
            if bias:
                out.bias.copy_(torch.from_numpy(layer.bias.data.copy()))
    elif kind == "Sigmoid":
        if layer.beta != 1.0:
            raise ValueError(
                f"to_torch: expected Sigmoid with beta=1 (torch.nn.Sigmoid has no beta), got "
                f"beta={layer.beta} {where(name)}"
            )
        out = tnn.Sigmoid()
    elif kind == "ReLU":
        out = tnn.ReLU()
    elif kind == "Tanh":
        out = tnn.Tanh()
    elif kind == "LeakyReLU":
        out = tnn.LeakyReLU(layer.negative_slope)
    elif kind == "Softmax":
        out = tnn.Softmax(dim=layer.axis)
    elif kind == "LogSoftmax":
        out = tnn.LogSoftmax(dim=layer.axis)
    elif kind == "Flatten":
        out = tnn.Flatten(layer.start_axis, layer.end_axis)
    else:  # Dropout: layer_kind let no other type through
        out = tnn.Dropout(layer.p)
    out.training = layer.training  # this module only: train() would set the children too
    done[id(layer)] = out
    return out


def _from_torch(module: Any, name: str, torch: Any, done: dict[int, Module]) -> Module:
    if id(module) in done:
        return done[id(module)]
    tnn, kind = torch.nn, type(module)
    out: Module
    if kind is tnn.Sequential:
        # Not named_children(): it lists a module used twice once, which would shift
        # the positions after it.
        out = nn.Sequential(
            *(
                _from_torch(child, join(name, key), torch, done)
                for key, child in module._modules.items()
            )
        )
    elif kind is tnn.Linear:
        out = _linear(module, name)
    elif kind in (tnn.Softmax, tnn.LogSoftmax):
        if module.dim is None:
            raise ValueError(
                f"from_torch: expected {kind.__name__} with an int dim, got dim=None (PyTorch "
                f"then picks the axis from the input's rank) {where(name)}"
            )
        out = (nn.Softmax if kind is tnn.Softmax else nn.LogSoftmax)(module.dim)
    elif kind is tnn.ReLU:  # inplace only saves memory: the values are the same
        out = nn.ReLU()
    elif kind is tnn.Tanh:
        out = nn.Tanh()
    elif kind is tnn.Sigmoid:
        out = nn.Sigmoid()
    elif kind is tnn.LeakyReLU:
        out = nn.LeakyReLU(module.negative_slope)
    elif kind is tnn.Flatten:
        out = nn.Flatten(module.start_dim, module.end_dim)
    elif kind is tnn.Dropout:
        out = nn.Dropout(module.p)
    else:
        raise unsupported("from_torch", module, name)
    out.training = module.training
    done[id(module)] = out
    return out


def _linear(module: Any, name: str) -> Module:
    weight, bias = module.weight, module.bias
    dtype = str(weight.dtype).removeprefix("torch.")
    if dtype not in _DTYPES:
        raise ValueError(
            f"from_torch: expected float32 or float64 weights, got {weight.dtype} in Linear "
            f"{where(name)} (convert it with .float() first)"
        )
    out = nn.Linear(module.in_features, module.out_features, bias=bias is not None, dtype=dtype)
    # The one place weights cross over: the same (out, in) layout, copied into our arrays.
    out.weight.data[...] = weight.detach().cpu().numpy()
    if bias is not None:
        out.bias.data[...] = bias.detach().cpu().numpy()
    return out
