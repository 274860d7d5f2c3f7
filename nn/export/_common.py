"""What the exporters share: optional imports, the supported layers, and naming a layer."""

from __future__ import annotations

import importlib
from types import ModuleType

import nn

__all__ = ["LAYERS", "SUPPORTED", "join", "layer_kind", "require", "unsupported", "where"]

# The layer types the exporters (and the architecture saved in model files) know, by their
# public names in `nn`.
LAYERS = (
    "Sequential",
    "Linear",
    "ReLU",
    "Tanh",
    "Sigmoid",
    "LeakyReLU",
    "Softmax",
    "LogSoftmax",
    "Flatten",
    "Dropout",
)
SUPPORTED = f"{', '.join(LAYERS[:-1])} or {LAYERS[-1]}"  # for error messages


def require(package: str, who: str, extra: str) -> ModuleType:
    """Import an optional dependency on first use, or say how to install it."""
    try:
        return importlib.import_module(package)
    except ImportError as error:
        pip_name = package.split(".")[0]
        raise ImportError(
            f"{who}: expected the {pip_name} package, which is not installed ({error}): "
            f"pip install {pip_name} (or pip install 'autograd-lite[{extra}]')"
        ) from error


def join(prefix: str, name: str) -> str:
    """A dotted name, as in ``state_dict`` keys: ``1.0`` is layer 0 of layer 1."""
    return f"{prefix}.{name}" if prefix else name


def where(name: str) -> str:
    """Where a layer is, for messages: its dotted position, or the model itself."""
    return f"at {name!r} in the model" if name else "as the model itself"


def layer_kind(layer: object, who: str, name: str) -> str:
    """The name of `layer`'s type if it is one of `LAYERS`, else the TypeError of `unsupported`.

    Exact types only: a subclass may compute something else in its forward. The classes are
    looked up as ``nn.<name>`` when called (``nn`` imports this package before it binds
    them), so the check does not depend on the module each layer is defined in.
    """
    kind = type(layer).__name__
    if kind in LAYERS and type(layer) is getattr(nn, kind):
        return kind
    raise unsupported(who, layer, name)


def unsupported(who: str, layer: object, name: str, supported: str = SUPPORTED) -> TypeError:
    return TypeError(
        f"{who}: expected layers of the types {supported}, got {type(layer).__name__} {where(name)}"
    )
