"""Linear algebra: ``linear`` (the tensor twin of `scalar_ops.linear`, the fused neuron, for a
batch) and ``matmul``.

Both have one rule per input, so the gradient of a data batch is never computed; ``linear``
writes its weight and bias gradients straight into an optimizer's gradient buffer when there
is one (`Tensor.grad_buffer`). Its forward (``affine.fun``) and first-order VJP
(`linear_backward`) are plain functions of arrays, which a replayed training step
(`nn.TrainStep`) calls as they are. The rules run on arrays (first order) and on Tensors (to
differentiate a gradient again); the few NumPy-only steps are kept to the array branch.
Both ops are bilinear, so their JVPs are the forward formula with a tangent in one place.
"""

from __future__ import annotations

from functools import partial
from typing import Any

import numpy as np

from autograd_lite.primitive import primitive
from autograd_lite.tensor import Tensor, as_tensor
from autograd_lite.tensor_ops import OPS

# ------------------------------------------------------------------------- fused neuron


@OPS.register(method=False)
def linear(x: Tensor | Any, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """x @ weight.T + bias as one node (PyTorch's ``F.linear``: weight is (out, in));
    d/dx = g @ weight, d/dweight = g.T @ x, d/dbias = g summed over the batch.

    One node instead of three: one VJP, and no broadcast bias gradient to reduce. The lean
    path of the `affine` primitive: it runs for every layer of every step.
    """
    x = x if type(x) is Tensor else as_tensor(x, "linear")
    weight = weight if type(weight) is Tensor else as_tensor(weight, "linear")
    xd, wd = x.data, weight.data
    if bias is None:
        ans = affine.fun(xd, wd)
        parents: tuple[Tensor, ...] = (x, weight)
    else:
        bias = bias if type(bias) is Tensor else as_tensor(bias, "linear")
        ans = affine.fun(xd, wd, bias.data)
        parents = (x, weight, bias)
    needs = [p.requires_grad for p in parents]
    vjp = partial(linear_backward, weight, bias, needs, ans, xd, wd)
    return Tensor._result(ans, parents, vjp, "linear", affine)


def linear_backward(
    weight: Tensor, bias: Tensor | None, needs: list[bool], ans: Any, x: Any, w: Any, g: Any
) -> tuple[Any, ...]:
    """The first-order VJP of `linear` (on arrays; `needs`: which of x, weight, bias want a
    gradient): `affine`'s rules (none of them reads the bias); the weight's and the bias's go
    straight into the optimizer's buffer when it has one."""
    rule_x, rule_w, rule_b = affine._rules
    gx = rule_x(g, ans, x, w) if needs[0] else None
    gw = rule_w(g, ans, x, w, out=_destination(weight, g)) if needs[1] else None
    if bias is None:
        return gx, gw
    return gx, gw, (rule_b(g, ans, x, w, out=_destination(bias, g)) if needs[2] else None)


@primitive
def affine(x: np.ndarray, weight: np.ndarray, *bias: np.ndarray) -> np.ndarray:
    """x @ weight.T (+ bias);  d/dx = g @ weight, d/dweight = g.T @ x, d/dbias = sum of g."""
    if weight.ndim != 2 or x.ndim == 0 or x.shape[-1] != weight.shape[1]:
        raise ValueError(
            f"linear: expected x of shape (..., {weight.shape[-1] if weight.ndim else '?'}) "
            f"and weight of shape (out, in), got x {x.shape} and weight {weight.shape}"
        )
    out = x @ weight.T
    if bias:
        (b,) = bias
        if b.shape != (weight.shape[0],):
            raise ValueError(f"linear: expected bias of shape ({weight.shape[0]},), got {b.shape}")
        out += b
    return out


def affine_vjp_x(g: Any, ans: Any, x: Any, weight: Any, *bias: Any) -> Any:
    return g @ weight


# `out`: where to write the gradient (an optimizer's buffer), as NumPy's out=. Batch axes are
# folded into one: (..., n) -> (batch, n).


def affine_vjp_weight(g: Any, ans: Any, x: Any, weight: Any, *bias: Any, out: Any = None) -> Any:
    if g.ndim != 2:
        g, x = g.reshape(-1, g.shape[-1]), x.reshape(-1, x.shape[-1])
    if type(g) is np.ndarray and type(x) is np.ndarray:  # first order: maybe into the buffer
        return np.matmul(g.T, x, out=out)
    return g.T @ x


def affine_vjp_bias(g: Any, ans: Any, x: Any, weight: Any, *bias: Any, out: Any = None) -> Any:
    if g.ndim != 2:
        g = g.reshape(-1, g.shape[-1])
    if type(g) is np.ndarray:  # first order: add.reduce, maybe into the buffer
        return np.add.reduce(g, axis=0, out=out)
    return g.sum(axis=0)


affine.defvjp(affine_vjp_x, affine_vjp_weight, affine_vjp_bias)


@affine.defjvp
def affine_jvp(t: Any, ans: Any, x: Any, weight: Any, *bias: Any, argnum: int) -> Any:
    if argnum == 0:
        return t @ weight.T
    return x @ t.T if argnum == 1 else t


affine.name = "linear"


def _destination(leaf: Tensor, g: np.ndarray) -> np.ndarray | None:
    """The array a VJP may write `leaf`'s gradient into with ``out=``, or None: the buffer an
    optimizer provided (`Tensor.grad_buffer`), for a leaf's *first* gradient of a walk only
    (a later one is added by the engine), and of the result's dtype."""
    if leaf._vjp is not None or leaf.grad is not None:
        return None
    out = leaf._grad_buffer
    return out if out is not None and out.dtype == g.dtype else None


# ------------------------------------------------------------------------------- matmul


@OPS.register(operator="matmul", method="matmul")
@primitive
def matmul(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """a @ b (1-D, 2-D, or batched with broadcasting, as ``np.matmul``);
    d/da = g @ b.T, d/db = a.T @ g (over the last two axes)."""
    a, b = np.asarray(a), np.asarray(b)  # a Python number operand is 0-d: an error below
    if a.ndim == 0 or b.ndim == 0 or a.shape[-1] != b.shape[-2 if b.ndim > 1 else 0]:
        raise ValueError(
            f"@: shapes {a.shape} and {b.shape} are not aligned: the last axis of the left "
            f"operand must match the {'first' if b.ndim == 1 else 'second-to-last'} axis of "
            f"the right operand"
        )
    return np.matmul(a, b)


# A 1-D operand is a matrix with one row (left) or one column (right) whose extra axis matmul
# removed: the rules put it back, use the 2-D rule, and take it out again. Indexing and
# transposing, which arrays and Tensors both have, so that the rules also run on nodes.


def _as_matrices(g: Any, a: Any, b: Any) -> tuple[Any, Any, Any]:
    a2 = a[None, :] if a.ndim == 1 else a
    b2 = b[:, None] if b.ndim == 1 else b
    g2 = g[..., None] if b.ndim == 1 else g  # (..., m) -> (..., m, 1)
    g2 = g2[..., None, :] if a.ndim == 1 else g2  # (..., p) -> (..., 1, p)
    return g2, a2, b2


def _swap_last(m: Any) -> Any:
    """`m` with its last two axes swapped (a batch of transposes)."""
    n = m.ndim
    return m.transpose((*range(n - 2), n - 1, n - 2))


def matmul_vjp_a(g: Any, ans: Any, a: Any, b: Any) -> Any:
    g2, _, b2 = _as_matrices(g, a, b)
    ga = g2 @ _swap_last(b2)
    return ga[..., 0, :] if a.ndim == 1 else ga


def matmul_vjp_b(g: Any, ans: Any, a: Any, b: Any) -> Any:
    g2, a2, _ = _as_matrices(g, a, b)
    gb = _swap_last(a2) @ g2
    return gb[..., 0] if b.ndim == 1 else gb


matmul.defvjp(matmul_vjp_a, matmul_vjp_b)
matmul.defjvp(lambda t, ans, a, b: t @ b, lambda t, ans, a, b: a @ t)
