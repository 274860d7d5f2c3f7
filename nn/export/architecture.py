"""The architecture of a model as a small JSON spec, saved inside its file; `load_model`.

``.npz`` and ``.safetensors`` files hold weights only, so a file alone cannot be run or
exported: the code that built the model is needed too. `Module.save` therefore also
records, for a `Sequential` of the layers the exporters know (and for one such layer), how
to build it again:

.. code-block:: json

    {"format": "autograd-lite/architecture", "version": 1,
     "model": {"type": "Sequential", "layers": [
        {"type": "Linear", "in_features": 784, "out_features": 128, "bias": true,
         "dtype": "float32"},
        {"type": "ReLU"},
        {"type": "Linear", "in_features": 128, "out_features": 10, "bias": true,
         "dtype": "float32"}]}}

It is stored under the key ``__architecture__`` (`nn.module.ARCHITECTURE_KEY`): in a
``.safetensors`` header's ``__metadata__`` (string values only, which every safetensors
reader, PyTorch's ``load_file`` too, skips), and in an ``.npz`` archive as one 0-d unicode
array (no pickle), which ``load`` and ``load_state_dict`` skip. No parameter can have that
name: names starting with ``_`` are never parameters. A module used twice is written once
and then as ``{"same_as": "0"}``, its first position, so it is shared again when built.

`build` trusts nothing in a file: only the layer types above are built, each from the
arguments its type takes, checked before any layer is made.
"""

from __future__ import annotations

import json
import os
from typing import Any

import numpy as np

import nn
from autograd_lite import __version__
from nn.export._common import LAYERS, join, layer_kind, where
from nn.module import (
    ARCHITECTURE_KEY,
    Module,
    _format,
    _import_safetensors,
    _read_npz,
    _read_safetensors,
)

__all__ = ["FORMAT", "VERSION", "architecture_json", "build", "describe", "load_model"]

FORMAT = "autograd-lite/architecture"
VERSION = 1

# The constructor arguments that rebuild each layer, read from its attributes of the same
# names, and the JSON type of each (a float may be written as an int: 1 for 1.0). Linear's
# bias and dtype come from its parameters; Sequential has its layers.
_ARGUMENTS: dict[str, dict[str, Any]] = {
    "Linear": {"in_features": int, "out_features": int, "bias": bool, "dtype": str},
    "ReLU": {},
    "Tanh": {},
    "Sigmoid": {"beta": float},
    "LeakyReLU": {"negative_slope": float},
    "Softmax": {"axis": int},
    "LogSoftmax": {"axis": int},
    "Flatten": {"start_axis": int, "end_axis": int},
    "Dropout": {"p": float},
}


def describe(model: Module) -> dict[str, Any]:
    """The architecture of `model` as a JSON-ready dict (see the module docstring).

    Raises
    ------
    TypeError
        A layer of a type other than `Sequential`, `Linear`, `ReLU`, `Tanh`, `Sigmoid`,
        `LeakyReLU`, `Softmax`, `LogSoftmax`, `Flatten` and `Dropout` (exact types: a
        subclass may compute something else), named with its position in the model.
    """
    return {"format": FORMAT, "version": VERSION, "model": _describe(model, "", {})}


def architecture_json(model: Module) -> str | None:
    """`describe` as compact JSON text, or None for a model it cannot describe (what
    `Module.save` stores: a custom Module is saved with its weights only)."""
    try:
        spec = describe(model)
    except TypeError:
        return None
    return json.dumps(spec, separators=(",", ":"))


def build(spec: Any) -> Module:
    """A new model, with fresh weights, from `describe`'s dict (or its JSON text).

    Raises
    ------
    ValueError
        Anything that is not such a spec: another format, a newer version, an unknown
        layer type, missing, extra or ill-typed arguments, values a layer refuses.
    """
    try:
        return _build_spec(json.loads(spec) if isinstance(spec, str) else spec)
    except (ValueError, TypeError) as error:  # TypeError: what a layer's constructor raises
        raise ValueError(f"build: {error}") from None


def load_model(path: str | os.PathLike[str]) -> Module:
    """The model saved in `path` by `Module.save`, rebuilt from its architecture, with its
    weights loaded.

    The model is in training mode, as any newly built one: call ``.eval()`` before
    predicting with a model that has Dropout.

    Parameters
    ----------
    path : str or os.PathLike
        An ``.npz`` or ``.safetensors`` file (the suffix names the format) saved from a
        `Sequential` of `Linear`, `ReLU`, `Tanh`, `Sigmoid`, `LeakyReLU`, `Softmax`,
        `LogSoftmax`, `Flatten` and `Dropout` (nested too), or from one such layer.

    Raises
    ------
    ValueError
        A file saved without an architecture (from a custom Module, or before
        architectures were saved): build the model and call ``model.load(path)``. An
        unknown suffix, a damaged file, an architecture that cannot be built or that does
        not fit the weights. The message names the file.
    FileNotFoundError
        There is no file at `path`.
    ImportError
        ``.safetensors`` without the safetensors package.

    Examples
    --------
    >>> import nn
    >>> nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 3)).save("model.safetensors")
    >>> nn.load_model("model.safetensors")
    Sequential(
      (0): Linear(in_features=4, out_features=8, bias=True)
      (1): ReLU()
      (2): Linear(in_features=8, out_features=3, bias=True)
    )
    """
    path = os.fspath(path)
    text = _saved_json(path)
    if text is None:
        raise ValueError(
            f"load_model: {path} was saved without an architecture (from a custom Module, or "
            f"a model of layers other than {', '.join(LAYERS)}); build the model and call "
            f"model.load(path)"
        )
    try:
        model = _build_spec(json.loads(text))
    except (ValueError, TypeError) as error:  # json.JSONDecodeError is a ValueError
        raise ValueError(
            f"load_model: the architecture saved in {path} cannot be built: {error}"
        ) from None
    model.load(path)  # strict: the architecture and the weights must agree
    return model


# -- describing -----------------------------------------------------------------------------


def _describe(layer: Module, name: str, seen: dict[int, str]) -> dict[str, Any]:
    kind = layer_kind(layer, "describe", name)
    if id(layer) in seen:  # shared: its parameters are saved once, under the first name
        return {"same_as": seen[id(layer)]}
    seen[id(layer)] = name
    if kind == "Sequential":
        layers = [_describe(child, join(name, str(i)), seen) for i, child in enumerate(layer)]
        return {"type": kind, "layers": layers}
    spec: dict[str, Any] = {"type": kind}
    for argument in _ARGUMENTS[kind]:
        if kind == "Linear" and argument == "bias":
            spec[argument] = layer.bias is not None
        elif kind == "Linear" and argument == "dtype":
            spec[argument] = np.dtype(layer.weight.dtype).name
        else:
            spec[argument] = getattr(layer, argument)
    return spec


# -- building -------------------------------------------------------------------------------


def _build_spec(spec: Any) -> Module:
    if not isinstance(spec, dict) or spec.get("format") != FORMAT:
        got = spec.get("format") if isinstance(spec, dict) else type(spec).__name__
        raise ValueError(f"expected an architecture of format {FORMAT!r}, got {got!r}")
    version = spec.get("version")
    if version != VERSION:
        newer = " (from a newer autograd-lite?)" if isinstance(version, int) else ""
        raise ValueError(
            f"expected architecture version {VERSION} (autograd-lite {__version__}), got "
            f"{version!r}{newer}"
        )
    if set(spec) != {"format", "version", "model"}:
        raise ValueError(f"expected the keys format, version and model, got {', '.join(spec)}")
    return _build(spec["model"], "", {})


def _build(node: Any, name: str, built: dict[str, Module]) -> Module:
    if isinstance(node, dict) and set(node) == {"same_as"}:
        if node["same_as"] not in built:
            raise ValueError(
                f"expected same_as to name a layer built before {where(name)}, got "
                f"{node['same_as']!r}"
            )
        return built[node["same_as"]]
    if not isinstance(node, dict) or node.get("type") not in LAYERS:
        got = node.get("type") if isinstance(node, dict) else node
        raise ValueError(f"expected a layer of the types {', '.join(LAYERS)}, got {got!r}")
    kind = node["type"]
    expected = {"type", "layers"} if kind == "Sequential" else {"type", *_ARGUMENTS[kind]}
    if set(node) != expected:
        raise ValueError(
            f"expected {kind} {where(name)} with the keys {', '.join(sorted(expected))}, got "
            f"{', '.join(sorted(node))}"
        )
    if kind == "Sequential":
        if not isinstance(node["layers"], list):
            raise ValueError(f"expected a list of layers {where(name)}, got {node['layers']!r}")
        layer: Module = nn.Sequential()
        built[name] = layer  # before its layers: a layer cannot be its own part
        for i, child in enumerate(node["layers"]):
            layer.append(_build(child, join(name, str(i)), built))
        return layer
    arguments = {key: _checked(node[key], kind, key, name) for key in _ARGUMENTS[kind]}
    # nn.<kind>: only the types in LAYERS ever get here, never a name taken from the file.
    layer = getattr(nn, kind)(**arguments)
    built[name] = layer
    return layer


def _checked(value: Any, kind: str, key: str, name: str) -> Any:
    """An argument from a file, of its JSON type (bool is not an int here)."""
    wanted = _ARGUMENTS[kind][key]
    if wanted is float:
        ok = isinstance(value, (int, float)) and not isinstance(value, bool)
    else:
        ok = type(value) is wanted
    if ok and key == "dtype":
        ok = value in ("float16", "float32", "float64")
    if not ok:
        what = "float16, float32 or float64" if key == "dtype" else f"a {wanted.__name__}"
        raise ValueError(f"expected {what} for {key} of {kind} {where(name)}, got {value!r}")
    return value


# -- reading ----------------------------------------------------------------------------------


def _saved_json(path: str) -> str | None:
    """The architecture's JSON text saved in the file at `path`, or None."""
    if _format(path, "load_model") == ".safetensors":
        safetensors = _import_safetensors("load_model")
        _read_safetensors(path, safetensors)  # a missing or damaged file: load's errors
        with safetensors.safe_open(path, framework="numpy") as file:
            return (file.metadata() or {}).get(ARCHITECTURE_KEY)
    value = _read_npz(path).get(ARCHITECTURE_KEY)
    if value is None:
        return None
    if value.ndim != 0 or value.dtype.kind != "U":
        raise ValueError(
            f"load_model: expected the {ARCHITECTURE_KEY} entry of {path} to be text, got an "
            f"array of dtype {value.dtype} and shape {value.shape}"
        )
    return str(value[()])
