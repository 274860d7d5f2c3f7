"""``linear_relu``: a linear layer and its ReLU as one node, ``relu(x @ weight.T + bias)``.

The most common pair of a network, fused as `linear` fuses the neuron: one node, one VJP,
no intermediate gradient. The bias and the ReLU are added in place after the product, and
the backward computes the ReLU's mask and the bias's gradient in one pass
(`autograd_lite.kernels.dense`); the weight's and the bias's gradients go straight into an
optimizer's buffer, as `linear`'s do. ``nn.Sequential`` uses it for a `Linear` followed by
a `ReLU`.

relu'(0) = 0, as for `relu`: the mask is ``output > 0``, which is ``pre-activation > 0``.
The forward (`linear_relu_forward`) and the first-order VJP (`linear_relu_backward`) are
plain functions of arrays, which a replayed training step (`nn.TrainStep`) calls as they are.
"""

from __future__ import annotations

from functools import partial
from typing import Any

import numpy as np

from autograd_lite.kernels.dense import bias_relu, relu_bias_grads
from autograd_lite.primitive import primitive
from autograd_lite.tensor import Tensor, as_tensor
from autograd_lite.tensor_ops import OPS
from autograd_lite.tensor_ops._rules import value
from autograd_lite.tensor_ops.linalg import (
    _destination,
    affine,
    affine_vjp_bias,
    affine_vjp_weight,
)


@OPS.register(method=False)
def linear_relu(x: Tensor | Any, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """relu(x @ weight.T + bias) as one node; with m = (output > 0),
    d/dx = (g m) @ weight, d/dweight = (g m).T @ x, d/dbias = g m summed over the batch.

    The lean path of the `affine_relu` primitive: it runs for every hidden layer of every step.
    """
    x = x if type(x) is Tensor else as_tensor(x, "linear_relu")
    weight = weight if type(weight) is Tensor else as_tensor(weight, "linear_relu")
    if bias is None:
        parents: tuple[Tensor, ...] = (x, weight)
        ans = linear_relu_forward(x.data, weight.data, None)
    else:
        bias = bias if type(bias) is Tensor else as_tensor(bias, "linear_relu")
        parents = (x, weight, bias)
        ans = linear_relu_forward(x.data, weight.data, bias.data)
    needs = [p.requires_grad for p in parents]
    vjp = partial(linear_relu_backward, weight, bias, needs, ans, x.data, weight.data)
    return Tensor._result(ans, parents, vjp, "linear_relu", affine_relu)


def linear_relu_forward(x: np.ndarray, w: np.ndarray, b: np.ndarray | None) -> np.ndarray:
    """The product by `affine` (its shape checks), then the bias and the ReLU in one pass."""
    product = affine.fun(x, w)
    if b is not None and b.shape != (w.shape[0],):
        raise ValueError(f"linear_relu: expected bias of shape ({w.shape[0]},), got {b.shape}")
    return bias_relu(product, b)


def linear_relu_backward(
    weight: Tensor, bias: Tensor | None, needs: list[bool], ans: Any, x: Any, w: Any, g: Any
) -> tuple[Any, ...]:
    """The first-order VJP (on arrays; `needs`: which of x, weight, bias want a gradient):
    the masked gradient and the bias's in one pass, then `affine`'s rules for the input and
    the weight."""
    want_bias = bias is not None and needs[2]
    out = _destination(bias, g) if want_bias else None
    masked, gb = relu_bias_grads(g, ans, out, want_bias)
    gx = masked @ w if needs[0] else None
    gw = affine_vjp_weight(masked, ans, x, w, out=_destination(weight, g)) if needs[1] else None
    return (gx, gw) if bias is None else (gx, gw, gb)


@primitive
def affine_relu(x: np.ndarray, weight: np.ndarray, *bias: np.ndarray) -> np.ndarray:
    """relu(x @ weight.T (+ bias));  with m = (ans > 0): d/dx = (g m) @ weight,
    d/dweight = (g m).T @ x, d/dbias = sum of g m."""
    return np.maximum(affine.fun(x, weight, *bias), 0)


# The rules run on arrays and on nodes; the mask is piecewise constant, so on nodes it is a
# constant of the recorded graph, read from the values.


def _masked(g: Any, ans: Any) -> Any:
    return g * (value(ans) > 0)


def affine_relu_vjp_x(g: Any, ans: Any, x: Any, weight: Any, *bias: Any) -> Any:
    return _masked(g, ans) @ weight


def affine_relu_vjp_weight(g: Any, ans: Any, x: Any, weight: Any, *bias: Any) -> Any:
    return affine_vjp_weight(_masked(g, ans), ans, x, weight)


def affine_relu_vjp_bias(g: Any, ans: Any, x: Any, weight: Any, *bias: Any) -> Any:
    return affine_vjp_bias(_masked(g, ans), ans, x, weight)


affine_relu.defvjp(affine_relu_vjp_x, affine_relu_vjp_weight, affine_relu_vjp_bias)


@affine_relu.defjvp
def affine_relu_jvp(t: Any, ans: Any, x: Any, weight: Any, *bias: Any, argnum: int) -> Any:
    share = t @ weight.T if argnum == 0 else (x @ t.T if argnum == 1 else t)
    return _masked(share, ans)


affine_relu.name = "linear_relu"
