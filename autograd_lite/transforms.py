"""Function transforms, with JAX's names and signatures: `grad`, `value_and_grad`,
`jacobian`, `hessian`, `hvp`, `vjp` and `jvp`.

Each one takes a function written with `Value`s or `Tensor`s and returns its derivative as
a function (or, for `vjp` / `jvp` / `hvp`, evaluates it):

- called with plain numbers or arrays, it returns a ``float`` or an ``ndarray`` (a number
  becomes a `Value`, an array a `Tensor`; float inputs only, as JAX);
- called with nodes, it returns nodes that remember how they were computed, so transforms
  compose: ``grad(grad(f))``, ``jacobian(grad(f))`` (that is `hessian`),
  ``jvp(grad(f), ...)`` (that is `hvp`, forward over reverse).

Nothing is written into any ``.grad``: these are pure functions of their inputs (a model's
parameters that `f` closes over are constants here).

Examples
--------
>>> from autograd_lite import grad
>>> def f(x):
...     return x.tanh()
>>> round(grad(f)(0.5), 6), round(grad(grad(f))(0.5), 6)
(0.786448, -0.726862)
"""

from __future__ import annotations

import functools
import numbers
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from autograd_lite import engine
from autograd_lite.engine import Node
from autograd_lite.forward import carrying_tangents
from autograd_lite.higher_order import differentiate
from autograd_lite.scalar import Value
from autograd_lite.tensor import Tensor
from autograd_lite.tensor_ops import stack

__all__ = ["grad", "hessian", "hvp", "jacobian", "jvp", "value_and_grad", "vjp"]

Argnums = int | Sequence[int]


def grad(f: Callable[..., Any], argnums: Argnums = 0) -> Callable[..., Any]:
    """The gradient of a scalar function: ``grad(f)(x)`` is ``df/dx`` at `x`.

    `argnums` says which positional argument(s) to differentiate with respect to (a tuple
    gives a tuple of gradients). `f` must return one number: a `Value`, or a `Tensor` with one
    element (use `jacobian` for more).
    """
    value_and_grad_f = value_and_grad(f, argnums)

    @functools.wraps(f)
    def grad_f(*args: Any, **kwargs: Any) -> Any:
        return value_and_grad_f(*args, **kwargs)[1]

    return grad_f


def value_and_grad(f: Callable[..., Any], argnums: Argnums = 0) -> Callable[..., Any]:
    """``value_and_grad(f)(x)`` is ``(f(x), grad(f)(x))``, computed with one forward pass."""
    _check_callable(f, "value_and_grad")

    @functools.wraps(f)
    def value_and_grad_f(*args: Any, **kwargs: Any) -> tuple[Any, Any]:
        call = _Call(args, argnums, "grad")
        out = call.run(f, kwargs)
        _check_scalar(out, "grad")
        grads = call.gradients(out, call.seed(out, 1.0))
        return call.lower(out), call.pack(grads)

    return value_and_grad_f


def jacobian(f: Callable[..., Any], argnums: Argnums = 0) -> Callable[..., Any]:
    """The Jacobian: ``jacobian(f)(x)[i..., j...] = d f(x)[i...] / d x[j...]``, of shape
    ``f(x).shape + x.shape`` (computed by reverse mode, one row per output element).

    A `Value` function gives a float (one output) or an array with one entry per output (a
    list or tuple of Values).
    """
    _check_callable(f, "jacobian")

    @functools.wraps(f)
    def jacobian_f(*args: Any, **kwargs: Any) -> Any:
        call = _Call(args, argnums, "jacobian")
        out = call.run(f, kwargs)
        if isinstance(out, (list, tuple)):
            return call.pack(
                [call.stack(rows, (len(out),), p) for p, rows in _rows_of_list(call, out)]
            )
        out = _as_output(out, "jacobian")
        if isinstance(out, Value):
            return call.pack(call.gradients(out, Value(1.0)))
        rows = [call.gradients(out, Tensor(onehot)) for onehot in _unit_vectors(out)]
        return call.pack(
            [call.stack([row[i] for row in rows], out.shape, p) for i, p in enumerate(call.primals)]
        )

    return jacobian_f


def hessian(f: Callable[..., Any], argnums: int = 0) -> Callable[..., Any]:
    """The second derivatives, ``jacobian(jacobian(f))``: shape ``out + x.shape + x.shape``
    (``x.shape + x.shape`` for a scalar function, a float for a function of one number)."""
    if not isinstance(argnums, int) or isinstance(argnums, bool):
        raise TypeError(f"hessian: expected argnums to be an int, got {argnums!r}")
    return jacobian(jacobian(f, argnums), argnums)


def hvp(f: Callable[..., Any], x: Any, v: Any) -> Any:
    """The Hessian-vector product ``H(x) · v`` of a scalar function, without forming H:
    forward mode over reverse mode, ``jvp(grad(f), (x,), (v,))``, at about the cost of two
    gradients."""
    x_shape, v_shape = np.shape(getattr(x, "data", x)), np.shape(getattr(v, "data", v))
    if x_shape != v_shape:
        raise ValueError(f"hvp: expected v of x's shape {x_shape}, got shape {v_shape}")
    return jvp(grad(f), (x,), (v,))[1]


def vjp(f: Callable[..., Any], *primals: Any) -> tuple[Any, Callable[..., tuple[Any, ...]]]:
    """Reverse mode, as JAX's ``vjp``: ``out, vjp_fn = vjp(f, *primals)``; then
    ``vjp_fn(v)`` is the tuple of ``v · d out / d primal``, one per primal, for any `v` of
    the output's shape (reusing the one forward pass)."""
    _check_callable(f, "vjp")
    call = _Call(primals, tuple(range(len(primals))), "vjp")
    out = _as_output(call.run(f, {}), "vjp")

    def vjp_fn(cotangent: Any) -> tuple[Any, ...]:
        seed = call.seed(out, cotangent)
        return tuple(call.gradients(out, seed, record=isinstance(cotangent, Node)))

    return call.lower(out), vjp_fn


def jvp(f: Callable[..., Any], primals: Sequence[Any], tangents: Sequence[Any]) -> tuple[Any, Any]:
    """Forward mode, as JAX's ``jvp``: ``(f(*primals), d f · tangents)``, the directional
    derivative along `tangents`, computed alongside the values by each op's JVP rule."""
    _check_callable(f, "jvp")
    primals, tangents = _pairs(primals, tangents)
    call = _Call(primals, tuple(range(len(primals))), "jvp")
    # Node primals: the tangents are nodes too, so their computation is recorded (and can be
    # differentiated: reverse over forward).
    seeds = {
        p: _tangent_for(p, t, i, call.nested)
        for i, (p, t) in enumerate(zip(call.primals, tangents))
    }
    with carrying_tangents(seeds) as carried:
        out = _as_output(call.run(f, {}), "jvp")
    tangent = carried.get(out)
    nested = call.nested or any(isinstance(t, Node) for t in tangents)
    if tangent is None:  # the output does not depend on the inputs
        tangent = out._gradient_node(0.0) if nested else _zeros_like(out.data)
    elif not nested and isinstance(tangent, Node):
        tangent = tangent.data
    elif nested and not isinstance(tangent, Node):  # a constant tangent (step's zero)
        tangent = out._gradient_node(tangent)
    return call.lower(out), tangent


# ------------------------------------------------------------------------------ one call


class _Call:
    """One call of a transformed function: its arguments, with the ones differentiated
    lifted to nodes (`primals`), and whether they came as nodes (`nested`: then results stay
    nodes, with graphs)."""

    def __init__(self, args: Sequence[Any], argnums: Argnums, transform: str) -> None:
        self.transform = transform
        self.argnums, self.single = _argnums(argnums, len(args), transform)
        self.args = list(args)
        self.nested = False
        for i in self.argnums:
            self.args[i], given_as_node = _lift(args[i], i, transform)
            self.nested |= given_as_node
        self.primals = [self.args[i] for i in self.argnums]

    def run(self, f: Callable[..., Any], kwargs: dict[str, Any]) -> Any:
        with engine.enable_grad():
            return f(*self.args, **kwargs)

    def seed(self, out: Any, cotangent: Any) -> Node:
        """``d out / d out`` (or the cotangent of `vjp`), as a node of the output's engine."""
        if not isinstance(out, Node):
            return cotangent
        if isinstance(cotangent, Node):
            return cotangent
        shape = np.shape(cotangent)
        if isinstance(out, Tensor) and np.size(cotangent) != 1 and shape != out.shape:
            raise ValueError(
                f"{self.transform}: expected a cotangent of the output's shape {out.shape}, "
                f"got shape {shape}"
            )
        return out._gradient_node(cotangent)

    def gradients(self, out: Any, seed: Any, record: bool = False) -> list[Any]:
        """``d out / d primal`` for each primal, as nodes when nested, else as numbers."""
        found = {}
        if isinstance(out, Node):
            found = differentiate(out, seed, self.primals, record=self.nested or record)
        return [self._lowered(found.get(p), p, record) for p in self.primals]

    def _lowered(self, g: Any, primal: Node, record: bool = False) -> Any:
        if g is None:
            g = primal._gradient_node(0.0)
        return g if (self.nested or record) else g.data

    def stack(self, rows: list[Any], out_shape: tuple[int, ...], primal: Node) -> Any:
        """Rows of a Jacobian (one per output element) as one array of shape
        ``out_shape + primal.shape`` (a Tensor when nested)."""
        shape = tuple(out_shape) + tuple(np.shape(primal.data))
        if isinstance(primal, Value):
            if not self.nested:
                return np.array(rows, dtype=float).reshape(shape) if shape else float(rows[0])
            return rows if shape else rows[0]
        if not self.nested:
            return np.stack(rows).reshape(shape)
        return stack(rows).reshape(shape)

    def lower(self, out: Any) -> Any:
        """The function's output: as it is when nested, else its float or array."""
        if self.nested or not isinstance(out, Node):
            return out
        return out.data

    def pack(self, results: list[Any]) -> Any:
        return results[0] if self.single else tuple(results)


# -------------------------------------------------------------------------------- inputs


def _check_callable(f: Any, transform: str) -> None:
    if not callable(f):
        raise TypeError(f"{transform}: expected a function, got {type(f).__name__}")


def _argnums(argnums: Argnums, count: int, transform: str) -> tuple[tuple[int, ...], bool]:
    single = isinstance(argnums, int) and not isinstance(argnums, bool)
    numbers_ = (argnums,) if single else tuple(argnums)
    for i in numbers_:
        if isinstance(i, bool) or not isinstance(i, int) or not -count <= i < count:
            raise ValueError(
                f"{transform}: argnums {argnums!r} out of range for a call with {count} "
                f"positional argument(s)"
            )
    return tuple(i % count for i in numbers_), single


def _lift(x: Any, i: int, transform: str) -> tuple[Node, bool]:
    """Argument `i` as a node to differentiate with respect to, and whether it was one."""
    if isinstance(x, Value):
        return x, True
    if isinstance(x, Tensor):
        if x.requires_grad:
            return x, True
        x = x.data
    if isinstance(x, numbers.Real) and not isinstance(x, (bool, np.ndarray)):
        return Value(x), False
    array = np.asarray(x)
    if array.dtype.kind != "f":
        raise TypeError(
            f"{transform}: expected argument {i} to be a float, a float array or a node, got "
            f"{type(x).__name__} of dtype {array.dtype} (differentiation needs floats: "
            f"convert with .astype(float))"
        )
    return Tensor(array, requires_grad=True), False


def _pairs(primals: Any, tangents: Any) -> tuple[tuple[Any, ...], tuple[Any, ...]]:
    if not isinstance(primals, (tuple, list)) or not isinstance(tangents, (tuple, list)):
        raise TypeError(
            f"jvp: expected primals and tangents as tuples (jvp(f, (x,), (v,))), got "
            f"{type(primals).__name__} and {type(tangents).__name__}"
        )
    if len(primals) != len(tangents):
        raise ValueError(
            f"jvp: expected one tangent per primal, got {len(primals)} primals and "
            f"{len(tangents)} tangents"
        )
    return tuple(primals), tuple(tangents)


def _tangent_for(primal: Node, tangent: Any, i: int, as_node: bool) -> Any:
    """The tangent of primal `i`, checked against its shape (a constant node if `as_node`)."""
    if isinstance(tangent, Node):
        return tangent
    shape = np.shape(primal.data)
    if np.shape(tangent) != shape:
        raise ValueError(
            f"jvp: expected tangent {i} of the primal's shape {shape}, got shape "
            f"{np.shape(tangent)}"
        )
    return primal._gradient_node(tangent) if as_node else primal._tangent(tangent)


# ------------------------------------------------------------------------------- outputs


def _as_output(out: Any, transform: str) -> Any:
    if isinstance(out, Node):
        return out
    if isinstance(out, (numbers.Real, np.ndarray)) and not isinstance(out, bool):
        return out  # a constant function: every derivative is zero
    raise TypeError(
        f"{transform}: expected f to return a Value or a Tensor, got {type(out).__name__}"
    )


def _check_scalar(out: Any, transform: str) -> None:
    out = _as_output(out, transform)
    size = np.size(out.data if isinstance(out, Node) else out)
    if size != 1:
        raise TypeError(
            f"{transform}: expected f to return one number (a Value, or a Tensor with one "
            f"element), got an output of shape {np.shape(getattr(out, 'data', out))}; for "
            f"the derivatives of every output use jacobian(f)"
        )


def _unit_vectors(out: Tensor) -> Any:
    """One-hot arrays of the output's shape, one per element (the Jacobian's rows)."""
    for k in range(out.data.size):
        onehot = np.zeros(out.data.size, dtype=out.data.dtype)
        onehot[k] = 1
        yield onehot.reshape(out.shape)


def _rows_of_list(call: _Call, outs: Sequence[Any]) -> Any:
    """For a function returning several Values: each primal with its column of rows."""
    rows = []
    for out in outs:
        if isinstance(out, Tensor):
            raise TypeError(
                "jacobian: expected f to return one Tensor, a Value, or a list of Values, got "
                "a list with a Tensor (stack the outputs into one Tensor)"
            )
        out = _as_output(out, "jacobian")
        rows.append(call.gradients(out, Value(1.0)) if isinstance(out, Node) else None)
    for i, primal in enumerate(call.primals):
        column = [row[i] if row is not None else call._lowered(None, primal) for row in rows]
        yield primal, column


def _zeros_like(data: Any) -> Any:
    return 0.0 if isinstance(data, float) else np.zeros_like(data)
