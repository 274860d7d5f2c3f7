"""From tensors to scalars: the same expression as a graph of `Value`s, one per element.

A `Tensor` op is a Jacobian, not a number, so the chain rule of a tensor graph cannot be
read edge by edge. Rebuilt on Values, every element is a node and every edge a number:
``(A @ B)[i, j]`` becomes ``A[i, 0] * B[0, j] + A[i, 1] * B[1, j] + ...``, and a bias added
to every row of a batch becomes one Value with an edge to each row. `chain_rule_paths` and
`explain_gradient` then explain any single element, and the gradients, computed by the
scalar engine alone, check the tensor engine's.

`ValueArray` is a NumPy array of Values (``dtype=object``) with the `Tensor` API: operators,
``@``, the elementwise methods, reductions, softmax and friends, reshaping and indexing,
so the same function runs on both. `to_values` runs it on Value leaves made from arrays.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from autograd_lite import scalar_ops as S
from autograd_lite.scalar import Value
from autograd_lite.tensor import Tensor

__all__ = ["Bridged", "ValueArray", "concatenate", "stack", "to_values", "where"]

Axis = int | tuple[int, ...] | None


def _objects(x: Any) -> Any:
    """An operand as an object array (ValueArray, Tensor, array) or as it is (a number)."""
    if isinstance(x, ValueArray):
        return x.values
    if isinstance(x, Tensor):
        return np.asarray(x.data, dtype=np.float64).astype(object)
    if isinstance(x, (np.ndarray, list, tuple)):
        return np.asarray(x, dtype=np.float64).astype(object)
    return x


def _elementwise(fn: Callable[[Any], Value]) -> Callable[[ValueArray], ValueArray]:
    ufunc = np.frompyfunc(fn, 1, 1)

    def method(self: ValueArray) -> ValueArray:
        return ValueArray(ufunc(self.values))

    return method


def _axes(axis: Axis, ndim: int) -> tuple[int, ...]:
    if axis is None:
        return tuple(range(ndim))
    axes = (axis,) if isinstance(axis, (int, np.integer)) else tuple(axis)
    return tuple(int(a) % max(ndim, 1) for a in axes)


class ValueArray:
    """An n-dimensional array of `Value`s that behaves like a `Tensor`.

    Parameters
    ----------
    values : array_like of Value (or numbers, for constants)
        Kept as a NumPy array with ``dtype=object``; NumPy's object arithmetic calls the
        Values' own operators, so every element is a node of the scalar engine.

    Examples
    --------
    >>> A = ValueArray.leaves(np.array([[1.0, 2.0]]), name="A")
    >>> B = ValueArray.leaves(np.array([[3.0], [4.0]]), name="B")
    >>> out = (A @ B).node(0, 0)  # A[0, 0] * B[0, 0] + A[0, 1] * B[1, 0]
    >>> out.backward()
    >>> out.data, A.grad.tolist()
    (11.0, [[3.0, 4.0]])
    """

    __array_ufunc__ = None  # NumPy defers to our reflected operators: array @ ValueArray works

    def __init__(self, values: Any) -> None:
        self.values = np.asarray(values, dtype=object)

    @classmethod
    def leaves(cls, array: Any, name: str = "x") -> ValueArray:
        """One new leaf Value per element, labelled ``name[i, j]``."""
        data = np.asarray(array.data if isinstance(array, Tensor) else array, dtype=np.float64)
        values = np.empty(data.shape, dtype=object)
        for index in np.ndindex(data.shape):
            suffix = f"[{', '.join(map(str, index))}]" if index else ""
            values[index] = Value(float(data[index]), label=f"{name}{suffix}")
        return cls(values)

    # -- the array side ---------------------------------------------------------------------

    @property
    def data(self) -> np.ndarray:
        """The elements' values as a float64 array."""
        return _floats(self.values, "data")

    @property
    def grad(self) -> np.ndarray:
        """The elements' gradients (0 for constants) as a float64 array."""
        return _floats(self.values, "grad")

    @property
    def shape(self) -> tuple[int, ...]:
        return self.values.shape

    @property
    def ndim(self) -> int:
        return self.values.ndim

    @property
    def size(self) -> int:
        return self.values.size

    @property
    def T(self) -> ValueArray:
        return self.transpose()

    def node(self, *index: int) -> Value:
        """The Value at `index` (a number element is made a constant Value)."""
        element = self.values[index] if index else self.values.reshape(()).item()
        return element if isinstance(element, Value) else Value(float(element))

    def __len__(self) -> int:
        return len(self.values)

    def __repr__(self) -> str:
        return f"ValueArray(shape={self.shape}, data={np.array2string(self.data, precision=4)})"

    # -- arithmetic: NumPy's object arithmetic calls the Values' operators --------------------

    def __add__(self, other: Any) -> ValueArray:
        return ValueArray(self.values + _objects(other))

    def __radd__(self, other: Any) -> ValueArray:
        return ValueArray(_objects(other) + self.values)

    def __sub__(self, other: Any) -> ValueArray:
        return ValueArray(self.values - _objects(other))

    def __rsub__(self, other: Any) -> ValueArray:
        return ValueArray(_objects(other) - self.values)

    def __mul__(self, other: Any) -> ValueArray:
        return ValueArray(self.values * _objects(other))

    def __rmul__(self, other: Any) -> ValueArray:
        return ValueArray(_objects(other) * self.values)

    def __truediv__(self, other: Any) -> ValueArray:
        return ValueArray(self.values / _objects(other))

    def __rtruediv__(self, other: Any) -> ValueArray:
        return ValueArray(_objects(other) / self.values)

    def __pow__(self, other: Any) -> ValueArray:
        return ValueArray(self.values ** _objects(other))

    def __rpow__(self, other: Any) -> ValueArray:
        return ValueArray(_objects(other) ** self.values)

    def __matmul__(self, other: Any) -> ValueArray:
        return ValueArray(np.matmul(self.values, _objects(other)))

    def __rmatmul__(self, other: Any) -> ValueArray:
        return ValueArray(np.matmul(_objects(other), self.values))

    def __neg__(self) -> ValueArray:
        return ValueArray(-self.values)

    def __abs__(self) -> ValueArray:
        return self.abs()

    # The elementwise functions (exp, tanh, sigmoid(beta), ...) are bound below from the scalar
    # engine's op registry: each element goes through the scalar op of the same name.

    # -- reductions -------------------------------------------------------------------------

    def sum(self, axis: Axis = None, keepdims: bool = False) -> ValueArray:
        """A chain of ``+`` nodes per output element (no constant 0 to start from)."""
        return ValueArray(self.values.sum(axis=_axes(axis, self.ndim), keepdims=keepdims))

    def mean(self, axis: Axis = None, keepdims: bool = False) -> ValueArray:
        axes = _axes(axis, self.ndim)
        count = int(np.prod([self.shape[a] for a in axes]))
        return self.sum(axes, keepdims) * (1.0 / count)

    def max(self, axis: Axis = None, keepdims: bool = False) -> ValueArray:
        """The largest element (the first one at ties: the gradient goes to it alone, where a
        `Tensor` shares it between the tied elements)."""
        return self._pick(axis, keepdims, np.argmax)

    def min(self, axis: Axis = None, keepdims: bool = False) -> ValueArray:
        return self._pick(axis, keepdims, np.argmin)

    def _pick(self, axis: Axis, keepdims: bool, arg: Callable[..., Any]) -> ValueArray:
        axes = _axes(axis, self.ndim)
        last = tuple(range(self.ndim - len(axes), self.ndim))
        values = np.moveaxis(self.values, axes, last)
        flat = values.reshape(*values.shape[: self.ndim - len(axes)], -1)
        which = arg(_floats(flat, "data"), axis=-1)
        out = np.take_along_axis(flat, np.expand_dims(which, -1), axis=-1)[..., 0]
        return ValueArray(np.expand_dims(out, axes) if keepdims else out)

    def var(self, axis: Axis = None, ddof: int = 0, keepdims: bool = False) -> ValueArray:
        axes = _axes(axis, self.ndim)
        count = int(np.prod([self.shape[a] for a in axes]))
        centered = self - self.mean(axes, keepdims=True)
        return (centered * centered).sum(axes, keepdims) * (1.0 / (count - ddof))

    def std(self, axis: Axis = None, ddof: int = 0, keepdims: bool = False) -> ValueArray:
        return self.var(axis, ddof, keepdims).sqrt()

    def _shift(self, axes: tuple[int, ...]) -> np.ndarray:
        """The max over `axes` as constants: softmax and logsumexp do not depend on the shift,
        and subtracting it keeps every exp <= 1, as the tensor ops do."""
        m = self.data.max(axis=axes, keepdims=True)
        return np.where(np.isfinite(m), m, 0.0)

    def logsumexp(self, axis: Axis = None, keepdims: bool = False) -> ValueArray:
        axes = _axes(axis, self.ndim)
        m = self._shift(axes)
        out = (self - m).exp().sum(axes, keepdims=True).log() + m
        return out if keepdims else out.squeeze(axes)

    def softmax(self, axis: int = -1) -> ValueArray:
        e = (self - self._shift(_axes(axis, self.ndim))).exp()
        return e / e.sum(axis, keepdims=True)

    def log_softmax(self, axis: int = -1) -> ValueArray:
        z = self - self._shift(_axes(axis, self.ndim))
        return z - z.exp().sum(axis, keepdims=True).log()

    # -- moving elements around (no arithmetic, no nodes) ------------------------------------

    def reshape(self, *shape: Any) -> ValueArray:
        if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
            shape = tuple(shape[0])
        return ValueArray(self.values.reshape(shape))

    def transpose(self, *axes: Any) -> ValueArray:
        if len(axes) == 1 and isinstance(axes[0], (tuple, list)):
            axes = tuple(axes[0])
        return ValueArray(self.values.transpose(axes or None))

    def flatten(self, start_axis: int = 0, end_axis: int = -1) -> ValueArray:
        if self.ndim == 0:
            return self.reshape(1)
        start, end = start_axis % self.ndim, end_axis % self.ndim
        return self.reshape((*self.shape[:start], -1, *self.shape[end + 1 :]))

    def expand_dims(self, axis: int) -> ValueArray:
        return ValueArray(np.expand_dims(self.values, axis))

    unsqueeze = expand_dims

    def squeeze(self, axis: int | tuple[int, ...] | None = None) -> ValueArray:
        return ValueArray(np.squeeze(self.values, axis=axis))

    def __getitem__(self, index: Any) -> ValueArray:
        if isinstance(index, tuple):
            index = tuple(i.data if isinstance(i, Tensor) else i for i in index)
        elif isinstance(index, Tensor):
            index = index.data
        return ValueArray(self.values[index])

    # -- differentiation --------------------------------------------------------------------

    def backward(self, grad: Any = None) -> None:
        """Reverse mode over the Values from every element, weighted by `grad`.

        One scalar ``sum(grad * self)`` is built as a single `linear` node and
        differentiated once, so every intermediate Value's ``.grad`` is its gradient.
        ``grad`` may be omitted for one element, as for `Tensor.backward`.
        """
        if grad is None:
            if self.size != 1:
                raise RuntimeError(
                    f"backward: grad can be implicit only for one element, got shape {self.shape}"
                )
            self.node().backward()
            return
        seed = np.broadcast_to(np.asarray(grad, dtype=np.float64), self.shape)
        weights = [Value(float(g)) for g in seed.flat]
        S.linear(weights, list(self.values.flat), None).backward()


def _floats(values: np.ndarray, attribute: str) -> np.ndarray:
    """Each element's ``.data`` or ``.grad`` (a number element: itself, with gradient 0)."""
    out = np.zeros(values.shape)
    for index in np.ndindex(values.shape):
        v = values[index]
        if isinstance(v, Value):
            out[index] = getattr(v, attribute)
        elif attribute == "data":
            out[index] = float(v)
    return out


def concatenate(arrays: Sequence[ValueArray], axis: int = 0) -> ValueArray:
    """`tensor_ops.concatenate` for ValueArrays."""
    return ValueArray(np.concatenate([_objects(a) for a in arrays], axis=axis))


def stack(arrays: Sequence[ValueArray], axis: int = 0) -> ValueArray:
    """`tensor_ops.stack` for ValueArrays."""
    return ValueArray(np.stack([_objects(a) for a in arrays], axis=axis))


def where(condition: Any, a: Any, b: Any) -> ValueArray:
    """`tensor_ops.where` for ValueArrays: each output element *is* the chosen input Value."""
    cond = np.asarray(condition.data if isinstance(condition, Tensor) else condition, dtype=bool)
    return ValueArray(np.where(cond, _objects(a), _objects(b)))


# ------------------------------------------------------------------------------ to_values


@dataclass
class Bridged:
    """A tensor expression rebuilt on Values: ``output`` from the ``leaves`` (one
    `ValueArray` per array argument, each element a labelled leaf Value)."""

    output: ValueArray
    leaves: list[ValueArray]

    def backward(self, grad: Any = None) -> None:
        """``output.backward(grad)``: fills the leaves' (and every Value's) ``.grad``."""
        self.output.backward(grad)

    @property
    def grads(self) -> list[np.ndarray]:
        """Each leaf array's gradient, in its shape (compare with the Tensors' ``.grad``)."""
        return [leaf.grad for leaf in self.leaves]


def to_values(
    tensor_fn: Callable[..., Any], *arrays: Any, names: Sequence[str] | None = None
) -> Bridged:
    """Run `tensor_fn` on Values instead of Tensors: one leaf `Value` per input element.

    Parameters
    ----------
    tensor_fn : callable
        An expression written with the `Tensor` API (operators, ``@``, methods such as
        ``.exp()``, ``.sum(axis=)``, ``.softmax()``, ``.reshape()``, indexing, and this
        module's `concatenate`, `stack` and `where`). It receives `ValueArray`s.
    *arrays : array_like or Tensor
        The inputs' values (float64); each element becomes a leaf labelled ``x0[i, j]``.
    names : sequence of str, optional
        Names for the inputs' labels instead of ``x0``, ``x1``, ...

    Returns
    -------
    Bridged
        ``output`` (a ValueArray: ``output.node(i, j)`` is the Value of one element) and
        ``leaves``; after ``bridged.backward(grad)``, ``bridged.grads`` are the inputs'
        gradients computed by the scalar engine.

    Examples
    --------
    >>> from autograd_lite.explain import chain_rule_paths
    >>> b = to_values(lambda A, B: A @ B, np.ones((2, 3)), np.full((3, 2), 2.0), names="AB")
    >>> out = b.output.node(0, 1)  # A[0, 0] B[0, 1] + A[0, 1] B[1, 1] + A[0, 2] B[2, 1]
    >>> out.backward()
    >>> [p.product for p in chain_rule_paths(b.leaves[0].node(0, 2), out)]  # = B[2, 1]
    [2.0]
    """
    names = list(names) if names is not None else [f"x{i}" for i in range(len(arrays))]
    if len(names) != len(arrays):
        raise ValueError(f"to_values: expected {len(arrays)} names, got {len(names)}")
    leaves = [ValueArray.leaves(a, name) for a, name in zip(arrays, names)]
    out = tensor_fn(*leaves)
    if isinstance(out, Value):
        out = ValueArray(out)
    if not isinstance(out, ValueArray):
        raise TypeError(
            f"to_values: expected tensor_fn to return a ValueArray (the Tensor API on Values), "
            f"got {type(out).__name__}"
        )
    return Bridged(out, leaves)


def _scalar_op_method(name: str) -> Callable[..., ValueArray]:
    op = S.OPS[name]

    def method(self: ValueArray, *constants: Any, **kwargs: Any) -> ValueArray:
        return _elementwise(lambda v: op(v, *constants, **kwargs))(self)

    method.__name__ = method.__qualname__ = name
    method.__doc__ = f"Each element through the scalar engine's `{name}` (one node each)."
    return method


# One registry: an op added to scalar_ops is an elementwise method here too.
for _name in S.OPS.methods():
    setattr(ValueArray, _name, _scalar_op_method(_name))
