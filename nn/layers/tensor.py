"""The tensor path: `Linear`, `Sequential`, `Flatten` and `Dropout` on `Tensor`s.

The same ideas as `Neuron`, `Layer` and `MLP` (a `Linear` is a `Layer` whose neurons are
the rows of its weight), one node per layer instead of one per neuron, so an MNIST network
trains at NumPy speed. Activation modules are in `activations.py`.

Every module accepts a `Tensor` or a plain NumPy array; an array is wrapped as a Tensor
that needs no gradient, so a data batch costs no graph.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator
from typing import Any, overload

import numpy as np

from autograd_lite import Tensor, tensor_ops
from nn import functional as F
from nn import init
from nn.inputs import tensor_input
from nn.layers.activations import ReLU
from nn.module import Module
from nn.validation import Rng, axis_in_range, generator, int_axis, positive_int, probability

__all__ = ["Dropout", "Flatten", "Linear", "Sequential"]


class Linear(Module):
    """``y = x @ weight.T + bias``: ``out_features`` neurons reading ``in_features`` inputs.

    Parameters
    ----------
    in_features, out_features : int
        Sizes of each input and each output row.
    bias : bool
        Whether to add a learned bias (default True).
    rng : np.random.Generator, int or None
        Seeds the initial values.
    dtype : floating dtype
        float32 (default) for speed; float64 for gradient checks.

    Attributes
    ----------
    weight : Tensor of shape (out_features, in_features)
        Row ``j`` holds the weights of neuron ``j`` (PyTorch's layout).
    bias : Tensor of shape (out_features,) or None

    Notes
    -----
    Weights and bias start at U(-1/sqrt(in_features), 1/sqrt(in_features)), PyTorch's
    default (``kaiming_uniform`` with ``a = sqrt(5)``) and the same as `nn.Neuron`'s.
    """

    def __init__(
        self,
        in_features: int,
        out_features: int,
        bias: bool = True,
        rng: Rng = None,
        dtype: Any = np.float32,
    ) -> None:
        in_features = positive_int("Linear", "in_features", in_features)
        out_features = positive_int("Linear", "out_features", out_features)
        rng = generator("Linear", rng)
        shape = (out_features, in_features)
        w = init.kaiming_uniform(shape, a=math.sqrt(5.0), rng=rng, dtype=dtype)
        self.weight = Tensor(w, requires_grad=True, label="weight")
        self.bias: Tensor | None = None
        if bias:
            bound = 1.0 / math.sqrt(in_features)
            b = init.uniform(out_features, -bound, bound, rng=rng, dtype=dtype)
            self.bias = Tensor(b, requires_grad=True, label="bias")
        self.in_features, self.out_features = in_features, out_features

    def forward(self, x: Tensor | np.ndarray) -> Tensor:
        """`x` of shape (..., in_features) to shape (..., out_features).

        Data (a NumPy array, or a Tensor that needs no gradient) is converted to the layer's
        dtype first: uint8 pixels or a float64 batch would otherwise promote every product
        and slow the whole network down. A Tensor with a graph is used as it is.
        """
        return tensor_ops.linear(self._input(x), self.weight, self.bias)

    def forward_relu(self, x: Tensor | np.ndarray) -> Tensor:
        """``relu(self(x))`` as one node (`tensor_ops.linear_relu`): what `Sequential` runs
        for a Linear followed by a ReLU."""
        return tensor_ops.linear_relu(self._input(x), self.weight, self.bias)

    def _input(self, x: Tensor | np.ndarray) -> Tensor:
        x = tensor_input(x, "Linear")
        dtype = self.weight.dtype
        if x.dtype != dtype and not x.requires_grad:
            x = Tensor(x.data.astype(dtype))
        if x.ndim == 0 or x.shape[-1] != self.in_features:
            raise ValueError(
                f"Linear: expected input of shape (..., {self.in_features}), got {x.shape}"
            )
        return x

    def extra_repr(self) -> str:
        return (
            f"in_features={self.in_features}, out_features={self.out_features}, "
            f"bias={self.bias is not None}"
        )


class Sequential(Module):
    """Modules applied one after the other: ``Sequential(Linear(784, 128), ReLU(), ...)``.

    Its modules are named ``0``, ``1``, ... (``state_dict`` keys ``0.weight``, ...), as in
    PyTorch. Supports ``len``, iteration, indexing (a slice gives a new Sequential sharing
    the modules) and `append`.

    A `Linear` followed by a `ReLU` runs as one node, ``tensor_ops.linear_relu`` (the same
    values and gradients, one VJP and no intermediate array), unless one of the two has a
    forward hook, which must see the Linear's own output.
    """

    def __init__(self, *modules: Module) -> None:
        self._modules: list[Module] = []
        for module in modules:
            self.append(module)

    def _named_members(self) -> Iterable[tuple[str, Any]]:
        yield from ((str(i), module) for i, module in enumerate(self._modules))
        yield from super()._named_members()  # what a subclass adds as attributes

    def append(self, module: Module) -> Sequential:
        """Add `module` at the end; returns this Sequential."""
        if not isinstance(module, Module):
            raise TypeError(
                f"Sequential: expected Module instances, got {type(module).__name__} "
                f"(wrap a function in a Module, or use an activation module such as ReLU())"
            )
        self._modules.append(module)
        return self

    def forward(self, x: Any) -> Any:
        modules, i = self._modules, 0
        while i < len(modules):
            module = modules[i]
            if i + 1 < len(modules) and _fusable(module, modules[i + 1]):
                x = module.forward_relu(x)  # Linear, ReLU: one node
                i += 2
            else:
                x = module(x)
                i += 1
        return x

    def __len__(self) -> int:
        return len(self._modules)

    def __iter__(self) -> Iterator[Module]:
        return iter(self._modules)

    @overload
    def __getitem__(self, index: int) -> Module: ...

    @overload
    def __getitem__(self, index: slice) -> Sequential: ...

    def __getitem__(self, index: int | slice) -> Module | Sequential:
        if isinstance(index, slice):
            return Sequential(*self._modules[index])
        if isinstance(index, bool) or not isinstance(index, (int, np.integer)):
            raise TypeError(
                f"Sequential: expected an int or a slice index, got {type(index).__name__}"
            )
        if not -len(self._modules) <= index < len(self._modules):
            raise IndexError(
                f"Sequential: index {index} is out of range for {len(self._modules)} modules"
            )
        return self._modules[index]


def _fusable(first: Module, second: Module) -> bool:
    """A Linear then a ReLU (exactly those types), neither with forward hooks."""
    return (
        type(first) is Linear
        and type(second) is ReLU
        and not first.__dict__.get("_forward_hooks")
        and not second.__dict__.get("_forward_hooks")
    )


class Flatten(Module):
    """Merge the axes ``start_axis..end_axis`` into one: images (N, 28, 28) to (N, 784).

    The batch axis (0) is kept by default, as PyTorch's ``Flatten``.
    """

    def __init__(self, start_axis: int = 1, end_axis: int = -1) -> None:
        self.start_axis = int_axis("Flatten", "start_axis", start_axis)
        self.end_axis = int_axis("Flatten", "end_axis", end_axis)

    def forward(self, x: Tensor | np.ndarray) -> Tensor:
        x = tensor_input(x, "Flatten")
        axis_in_range("Flatten", "start_axis", self.start_axis, x.ndim)
        axis_in_range("Flatten", "end_axis", self.end_axis, x.ndim)
        return tensor_ops.flatten(x, self.start_axis, self.end_axis)

    def extra_repr(self) -> str:
        return f"start_axis={self.start_axis}, end_axis={self.end_axis}"


class Dropout(Module):
    """Inverted dropout: while training, zero each element with probability `p` and scale
    the rest by 1 / (1 - p), so the expected output is the input; after ``eval()``, the
    identity.

    Parameters
    ----------
    p : float
        The probability of dropping an element, in [0, 1].
    rng : np.random.Generator, int or None
        Seeds the masks (one generator, advanced at every call).
    """

    def __init__(self, p: float = 0.5, rng: Rng = None) -> None:
        self.p = probability("Dropout", "p", p)
        self._rng = generator("Dropout", rng)

    def forward(self, x: Tensor | np.ndarray) -> Tensor:
        return F.dropout(x, self.p, self.training, self._rng)

    def extra_repr(self) -> str:
        return f"p={self.p}"
