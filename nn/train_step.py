"""`TrainStep`: a training step captured once and replayed, without the engine's fixed cost.

An eager step (``loss_fn(model(x), y)``, ``optimizer.zero_grad()``, ``loss.backward()``,
``optimizer.step()``, ``loss.item()``) builds a node per op, sorts the graph and walks it
back; on an MLP that fixed cost is a good share of a small batch's step. ``TrainStep``
runs its first step eagerly while recording the nodes the ops create
(`autograd_lite.engine.node_hook`). When they form a chain it can replay (``linear`` and
``linear_relu`` layers ending in a mean ``cross_entropy``, what a `Sequential` of `Linear`
and `ReLU` layers and `nn.functional.cross_entropy` build), later steps call the very array
functions those ops run (their forwards and first-order VJPs, from
`autograd_lite.tensor_ops`) in the recorded order, with no nodes, sort or walk.

The math is the same to the bit, and so are the semantics: the labels are checked as the
loss checks them, every parameter's ``.grad`` is what ``backward`` leaves (through the
engine's own `accumulate`), and the optimizer steps as usual. Whatever the replay cannot
vouch for runs eagerly instead: data that is not a NumPy array of the model's dtype and
width, a model whose modules changed or that has forward hooks, a parameter that stopped
requiring grad, ``no_grad``, anomaly mode or tracing, any other loss or module.
"""

from __future__ import annotations

import functools
import operator
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from autograd_lite import Tensor, engine
from autograd_lite.broadcasting import accumulate, new_walk
from autograd_lite.tensor_data import unit_seed
from autograd_lite.tensor_ops.dense import linear_relu_backward, linear_relu_forward
from autograd_lite.tensor_ops.linalg import affine, linear_backward
from autograd_lite.tensor_ops.losses import (
    class_labels,
    cross_entropy_backward,
    cross_entropy_forward,
)
from nn import functional as F
from nn.layers.activations import ReLU
from nn.layers.tensor import Linear, Sequential
from nn.module import Module

__all__ = ["TrainStep"]


class TrainStep:
    """``step(x, y)``: one training step of `model` on a batch, returning the loss as a float.

    The same as::

        loss = loss_fn(model(x), y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        return loss.item()

    replayed without building a graph once a first step has been captured (see the module
    docstring for when it is, and when a step runs eagerly instead).

    Parameters
    ----------
    model : Module
    optimizer : an `nn.optim` optimizer (anything with ``zero_grad()`` and ``step()``)
    loss_fn : callable, optional
        ``loss_fn(outputs, y)``; `nn.functional.cross_entropy` by default (the only loss
        that is replayed).
    check : callable, optional
        ``check(loss)`` with the loss as a float, after the forward and before anything
        changes (``zero_grad``, ``backward``, ``step``): raising there leaves the gradients
        and parameters as they were. How `nn.fit` stops at a loss that is not finite.

    Attributes
    ----------
    outputs : np.ndarray
        The model's outputs of the last step (the data of the Tensor it returned).
    """

    def __init__(
        self,
        model: Module,
        optimizer: Any,
        loss_fn: Callable | None = None,
        check: Callable[[float], None] | None = None,
    ) -> None:
        if not isinstance(model, Module):
            raise TypeError(f"TrainStep: expected a Module as model, got {type(model).__name__}")
        if not (callable(getattr(optimizer, "step", None)) and hasattr(optimizer, "zero_grad")):
            raise TypeError(
                f"TrainStep: expected an optimizer with step() and zero_grad(), got "
                f"{type(optimizer).__name__}"
            )
        self.model, self.optimizer = model, optimizer
        self.loss_fn = F.cross_entropy if loss_fn is None else loss_fn
        self.check = check
        self.outputs: Any = None
        self._plan: _Plan | None = None

    @property
    def captured(self) -> bool:
        """Whether a step has been captured (later steps that fit it are replayed)."""
        return self._plan is not None

    def __call__(self, x: Any, y: Any) -> float:
        plan = self._plan
        if plan is not None and plan.fits(self.model, x):
            return self._replay(plan, x, y)
        if _capturable(self.model, self.loss_fn, x):
            return self._capture(x, y)
        return self._eager(x, y)

    def _eager(self, x: Any, y: Any) -> float:
        # An array becomes a Tensor, as `fit` has always passed it (a layer treats both alike).
        outputs = self.model(Tensor(x) if type(x) is np.ndarray else x)
        loss = self.loss_fn(outputs, y)
        self.outputs = outputs.data if isinstance(outputs, Tensor) else outputs
        value = loss.item()
        if self.check is not None:
            self.check(value)
        self.optimizer.zero_grad()
        loss.backward()
        self.optimizer.step()
        return value

    def _capture(self, x: Any, y: Any) -> float:
        """An eager step, recording its nodes; a plan when they are the chain expected."""
        nodes: list[Tensor] = []
        with engine.node_hook(nodes.append):
            value = self._eager(x, y)
        self._plan = _Plan.of(self.model, nodes)
        return value

    def _replay(self, plan: _Plan, x: np.ndarray, y: Any) -> float:
        # Forward: each layer's output, kept with its input for the backward.
        inputs, outputs = [], []
        for layer in plan.layers:
            inputs.append(x)
            w, b = layer.weight.data, layer.bias
            if layer.relu:
                x = linear_relu_forward(x, w, None if b is None else b.data)
            else:
                x = affine.fun(x, w) if b is None else affine.fun(x, w, b.data)
            outputs.append(x)
        labels = class_labels(y, *x.shape)
        loss, softmax = cross_entropy_forward(x, labels, "mean")
        self.outputs = x
        value = loss.item()
        if self.check is not None:
            self.check(value)
        self.optimizer.zero_grad()
        # Backward, in the order the walk takes: the loss, then the layers from the last.
        seed = unit_seed(loss.shape, loss.dtype, writeable=False)
        (g,) = cross_entropy_backward(loss, x, labels, "mean", softmax, seed)
        handed_out = new_walk()
        for k in range(len(plan.layers) - 1, -1, -1):
            layer = plan.layers[k]
            backward = linear_relu_backward if layer.relu else linear_backward
            w = layer.weight.data
            grads = backward(layer.weight, layer.bias, layer.needs, outputs[k], inputs[k], w, g)
            for leaf, grad in zip(layer.leaves, grads[1:]):
                if grad is not None and leaf.requires_grad:  # as the walk: only those needed
                    accumulate(leaf, grad, handed_out)
            g = grads[0]
        self.optimizer.step()
        return value


@dataclass(frozen=True)
class _Layer:
    """One recorded op of the chain: ``linear`` or (``relu``) ``linear_relu``."""

    relu: bool
    weight: Tensor
    bias: Tensor | None
    needs: list[bool]  # which of (input, weight, bias) want a gradient, as the op records

    @functools.cached_property  # (read at every replay)
    def leaves(self) -> tuple[Tensor, ...]:
        return (self.weight,) if self.bias is None else (self.weight, self.bias)


@dataclass(frozen=True)
class _Plan:
    """The captured chain, and what a step must match to replay it."""

    layers: list[_Layer]
    modules: list[Module]  # the model's modules when captured
    linears: list[Module]  # its Linear layers, whose (weight, bias) must still be the layers'
    dtype: np.dtype
    features: int

    @staticmethod
    def of(model: Module, nodes: list[Tensor]) -> _Plan | None:
        """The plan of a step whose recorded `nodes` are the chain `model` should build, or
        None when they are not (then every step runs eagerly)."""
        linears = [m for m in model if type(m) is Linear]  # (a Sequential: _capturable)
        if len(nodes) != len(linears) + 1 or nodes[-1].op != "cross_entropy":
            return None
        layers, previous = [], None
        for node, module in zip(nodes, linears):
            x, *leaves = node.parents
            expected = [module.weight] + ([] if module.bias is None else [module.bias])
            if node.op not in ("linear", "linear_relu") or leaves != expected:
                return None
            if previous is not None and x is not previous:
                return None
            needs = [p.requires_grad for p in node.parents]
            layers.append(_Layer(node.op == "linear_relu", module.weight, module.bias, needs))
            previous = node
        if nodes[-1].parents != (previous,) or nodes[0].parents[0].requires_grad:
            return None
        first = linears[0]
        return _Plan(layers, list(model), linears, first.weight.dtype, first.in_features)

    def fits(self, model: Any, x: Any) -> bool:
        """Whether this step builds the captured chain (checked before every replay)."""
        return (
            type(x) is np.ndarray
            and x.ndim == 2
            and x.shape[1] == self.features
            and x.dtype == self.dtype
            and _recording_plainly()
            and model._modules == self.modules
            and list(map(_WEIGHT_AND_BIAS, self.linears)) == self.parameters
            and not _hooked(model)
            and all(map(_REQUIRES_GRAD, self.leaves))
        )

    @functools.cached_property
    def parameters(self) -> list[tuple[Tensor, Tensor | None]]:
        """Each layer's (weight, bias) as captured: a parameter replaced since (``linear.weight
        = ...``) is a new model, captured again (tuples compare Tensors by identity)."""
        return [(layer.weight, layer.bias) for layer in self.layers]

    @functools.cached_property
    def leaves(self) -> tuple[Tensor, ...]:
        """Every layer's weight and bias, in order."""
        return tuple(leaf for layer in self.layers for leaf in layer.leaves)


def _recording_plainly() -> bool:
    """Ops record a graph, and nothing watches them (anomaly mode, tracing)."""
    modes = engine.modes
    return modes.grad_enabled and not modes.node_hooks


# C-level helpers for the checks before every replay (a generator per check cost more).
_REQUIRES_GRAD = operator.attrgetter("requires_grad")
_WEIGHT_AND_BIAS = operator.attrgetter("weight", "bias")
_FORWARD_HOOKS = operator.methodcaller("get", "_forward_hooks")


def _hooked(model: Module) -> bool:
    """Whether the model or one of its modules has forward hooks."""
    return bool(_FORWARD_HOOKS(vars(model))) or any(map(_FORWARD_HOOKS, map(vars, model._modules)))


def _capturable(model: Module, loss_fn: Any, x: Any) -> bool:
    """Whether a step of `model` on `x` builds a chain a plan can replay: a `Sequential` of
    `Linear` layers, each maybe followed by one `ReLU` (fused with it), without hooks; the
    default loss; a 2-D NumPy batch of the first layer's dtype and width; parameters that
    require grad."""
    if type(model) is not Sequential or loss_fn is not F.cross_entropy:
        return False
    modules = model._modules
    for i, module in enumerate(modules):
        if type(module) is ReLU:
            if i == 0 or type(modules[i - 1]) is not Linear:
                return False
        elif type(module) is not Linear:
            return False
    if not modules or _hooked(model) or not _recording_plainly():
        return False
    first = modules[0]
    return (
        type(x) is np.ndarray
        and x.ndim == 2
        and x.shape[1] == first.in_features
        and x.dtype == first.weight.dtype
        and all(p.requires_grad for p in model.parameters())
    )
