"""`Tensor`: the array engine. One NumPy array per node; read it beside `scalar.py`.

The class holds the data model (construction, dtypes, ``repr``, ``backward``); the ops and
their VJPs live side by side in `tensor_ops.py` and are bound to the class at the bottom of
this file, exactly as `Value`'s are.
"""

from __future__ import annotations

import numbers
from collections.abc import Callable
from typing import Any

import numpy as np

from autograd_lite import engine

__all__ = [
    "Tensor",
    "get_default_dtype",
    "ones",
    "randn",
    "set_default_dtype",
    "zeros",
]

_default_dtype = np.dtype(np.float32)


def get_default_dtype() -> np.dtype:
    """The dtype of tensors made from Python numbers and lists (float32 unless changed)."""
    return _default_dtype


def set_default_dtype(dtype: Any) -> None:
    """Set the dtype of tensors made from Python numbers and lists: float32 or float64."""
    global _default_dtype
    dt = np.dtype(dtype)
    if dt.kind != "f":
        raise TypeError(f"set_default_dtype: expected a floating dtype, got {dt}")
    _default_dtype = dt


class Tensor(engine.Node):
    """An n-dimensional array that remembers how it was computed.

    Parameters
    ----------
    data : array_like
        NumPy arrays keep their dtype and are used without a copy (like ``np.asarray``);
        Python numbers and lists become the default dtype (float32).
    requires_grad : bool
        Whether gradients should flow into this tensor (only for floating dtypes).
    dtype : dtype, optional
        Convert the data to this dtype.
    label : str, optional
        A name shown in ``repr``, in pictures and in error messages.

    Attributes
    ----------
    data : np.ndarray
    grad : np.ndarray or None
        After ``backward()``: set on leaves that require grad (accumulating across calls
        until `zero_grad()`), and on intermediates that called `retain_grad()`.
    """

    # `_grad_buffer`: see the `grad_buffer` property.
    __slots__ = ("_grad_buffer", "_keeps_all_grads", "requires_grad")

    _broadcasts = True
    # NumPy defers to our reflected operators: `array * tensor` is a Tensor, not an array.
    __array_ufunc__ = None

    def __init__(
        self,
        data: Any,
        requires_grad: bool = False,
        dtype: Any = None,
        label: str | None = None,
    ) -> None:
        self.data = _as_array(data, dtype)
        self.grad = None
        self._parents = ()
        self._vjp = None
        self._op = ""
        self.label = label
        self._keeps_all_grads = False
        self._grad_buffer = None
        self.requires_grad = False
        if requires_grad:
            self.requires_grad_()

    # -- construction of op results (the fast path every op in tensor_ops.py uses) ---------

    @classmethod
    def _result(cls, data: np.ndarray, parents: tuple[Tensor, ...], vjp: Any, op: str) -> Tensor:
        """The node for an op's result: recorded in the graph only if a parent needs a
        gradient (and not under `no_grad()`), so inference and data cost no graph."""
        out = cls.__new__(cls)
        # 0-d arithmetic gives NumPy scalars; the data of a node is always an array.
        out.data = data if type(data) is np.ndarray else np.asarray(data)
        out.grad = None
        out._op = op
        out.label = None
        out._keeps_all_grads = False
        out._grad_buffer = None
        modes = engine.modes
        for p in parents:  # a loop, not any(): this runs for every op
            if p.requires_grad and modes.grad_enabled:
                out._parents = parents
                out._vjp = vjp
                out.requires_grad = True
                break
        else:
            out._parents = ()
            out._vjp = None
            out.requires_grad = False
        hooks = modes.node_hooks
        if hooks:  # anomaly mode, tracing: empty in ordinary runs
            for hook in hooks:
                hook(out)
        return out

    @classmethod
    def _apply(cls, prim: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Tensor:
        """A `primitive` called on Tensors: its forward on the arrays, its VJP on the arrays.

        Python numbers are weak (they take the first tensor's dtype), as in arithmetic.
        """
        given, constants = prim.split(args)
        like = next((a for a in given if isinstance(a, Tensor)), None)
        parents = tuple(as_tensor(a, prim.name, like) for a in given)
        inputs = [p.data for p in parents]
        try:
            ans = _as_array(prim.fun(*inputs, *constants, **kwargs), None)
        except TypeError as error:
            raise TypeError(f"{prim.name} (its result): {error}") from None
        needs = [p.requires_grad for p in parents]
        vjp = prim.bind_vjp(ans, inputs, constants, kwargs, needs)
        return cls._result(ans, parents, vjp, prim.label(constants, kwargs))

    # -- differentiation --------------------------------------------------------------------

    def backward(self, grad: Any = None, retain_graph: bool = False) -> None:
        """Reverse mode from this tensor: fill ``.grad`` of the leaves it depends on.

        Parameters
        ----------
        grad : array_like, optional
            ``d loss / d self``. Needed unless the tensor has one element (then it is 1).
        retain_graph : bool
            Keep the graph's saved values so that ``backward`` can run through it again.
            By default they are released as the walk goes, so memory stays flat when
            training; a second ``backward`` through a released graph is a RuntimeError.
        """
        if not self.requires_grad:
            raise RuntimeError(
                "backward: this tensor does not require grad and has no graph; create the "
                "leaves with requires_grad=True (and not inside no_grad())"
            )
        if grad is None:
            if self.data.size != 1:
                raise RuntimeError(
                    f"backward: grad can be implicit only for a tensor with one element, got "
                    f"shape {self.shape}; pass grad= (an array of that shape), or reduce first "
                    f"(e.g. loss.sum())"
                )
            seed = _unit_seed(self.shape, self.dtype, writeable=self._keeps_all_grads)
        else:
            seed = np.array(grad.data if isinstance(grad, Tensor) else grad, dtype=self.dtype)
            if seed.shape != self.shape:
                raise ValueError(
                    f"backward: expected grad of shape {self.shape}, got shape {seed.shape}"
                )
        engine.backward(self, seed, retain_graph=retain_graph)

    def zero_grad(self) -> None:
        """Forget this tensor's gradient (``grad = None``, as PyTorch's ``set_to_none``)."""
        self.grad = None

    def requires_grad_(self, requires_grad: bool = True) -> Tensor:
        """Set `requires_grad` in place (only on leaves, and only for floating dtypes)."""
        if requires_grad and self.data.dtype.kind != "f":
            raise TypeError(
                f"only floating-point tensors can require gradients, got dtype {self.dtype}; "
                f"convert first, e.g. Tensor(x, dtype=np.float32)"
            )
        if not self.is_leaf:
            raise RuntimeError("requires_grad_: can only be set on a leaf; use detach() first")
        self.requires_grad = bool(requires_grad)
        return self

    def retain_grad(self) -> Tensor:
        """Keep this intermediate tensor's gradient after ``backward()`` (leaves always do)."""
        self._keeps_all_grads = True
        return self

    @property
    def grad_buffer(self) -> np.ndarray | None:
        """Memory this leaf's gradient may be written into instead of a new array, or None.

        Optimizers that keep all gradients in one flat buffer hand each parameter a view of
        it; ops that can (``linear``) then write the first gradient of a walk straight into it
        with ``out=``, so nothing is allocated or copied. The gradient is still *returned* by
        the VJP and added up by the engine; the buffer only chooses the memory, so ``.grad``
        may be the same array from step to step (copy it to keep it).
        """
        return self._grad_buffer

    @grad_buffer.setter
    def grad_buffer(self, buffer: np.ndarray | None) -> None:
        if buffer is not None:
            if not self.is_leaf or not self.requires_grad:
                raise RuntimeError(
                    "grad_buffer: expected a leaf that requires grad; only leaves get gradients"
                )
            if not isinstance(buffer, np.ndarray) or (buffer.shape, buffer.dtype) != (
                self.shape,
                self.dtype,
            ):
                got = (
                    f"shape {buffer.shape} and dtype {buffer.dtype}"
                    if isinstance(buffer, np.ndarray)
                    else type(buffer).__name__
                )
                raise ValueError(
                    f"grad_buffer: expected an array of shape {self.shape} and dtype "
                    f"{self.dtype}, got {got}"
                )
            if not buffer.flags.writeable:
                raise ValueError("grad_buffer: expected a writeable array, got a read-only one")
        self._grad_buffer = buffer

    def detach(self) -> Tensor:
        """A new leaf sharing this tensor's data, outside any graph."""
        return Tensor(self.data, label=self.label)

    def _float64_leaf(self) -> Tensor:
        """A float64 copy for `gradcheck` (same requires_grad, new leaf)."""
        data = np.array(self.data, dtype=np.float64) if self.data.dtype.kind == "f" else self.data
        copy = Tensor(data, label=self.label)
        copy.requires_grad = self.requires_grad
        return copy

    # -- the array side ---------------------------------------------------------------------

    @property
    def shape(self) -> tuple[int, ...]:
        return self.data.shape

    @property
    def ndim(self) -> int:
        return self.data.ndim

    @property
    def size(self) -> int:
        return self.data.size

    @property
    def dtype(self) -> np.dtype:
        return self.data.dtype

    @property
    def T(self) -> Tensor:
        """The tensor with its axes reversed (a transpose for 2-D)."""
        return self.transpose()

    def item(self) -> float:
        """The value of a one-element tensor as a Python number."""
        if self.data.size != 1:
            raise ValueError(f"item: expected a tensor with one element, got shape {self.shape}")
        return self.data.reshape(()).item()

    def numpy(self) -> np.ndarray:
        """The data (the same array, not a copy)."""
        return self.data

    def __array__(self, dtype: Any = None, copy: bool | None = None) -> np.ndarray:
        if dtype is None and not copy:
            return self.data
        return np.array(self.data, dtype=dtype, copy=True if copy else None)

    def __len__(self) -> int:
        if self.data.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self.data.shape[0]

    def __iter__(self) -> Any:
        if self.data.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        return (self[i] for i in range(self.data.shape[0]))

    def __bool__(self) -> bool:
        # Python would fall back to __len__, making `bool(Tensor([-1.0]) > 0)` True.
        if self.data.size != 1:
            raise ValueError(
                f"the truth value of a tensor with {self.data.size} elements is ambiguous; "
                f"use .any() or .all() on .data"
            )
        return bool(self.data.reshape(()))

    def __float__(self) -> float:
        return float(self.item())

    def __repr__(self) -> str:
        body = np.array2string(self.data, separator=", ", threshold=20, precision=4)
        body = body.replace("\n", "\n       ")
        extras = [f"dtype={self.dtype}"]
        if self.requires_grad:
            extras.append("requires_grad=True")
        if self._op:
            extras.append(f"op={self._op!r}")
        if self.label:
            extras.insert(0, f"label={self.label!r}")
        return f"Tensor({body}, {', '.join(extras)})"


def _as_array(data: Any, dtype: Any) -> np.ndarray:
    """`data` as an array: arrays keep their dtype, Python numbers and lists get the default."""
    if isinstance(data, Tensor):
        data = data.data
    if dtype is not None:
        _check_numeric(np.dtype(dtype), "the dtype argument")
    if isinstance(data, np.ndarray):
        _check_numeric(data.dtype, "an array")
        return data if dtype is None else data.astype(dtype, copy=False)
    if isinstance(data, np.generic):
        _check_numeric(data.dtype, "a NumPy scalar")
        return np.asarray(data, dtype=dtype)
    if isinstance(data, (list, tuple)) and any(isinstance(v, engine.Node) for v in data):
        raise TypeError(
            "Tensor: expected numbers, got a list holding Values or Tensors (their graph would "
            "be dropped); use tensor_ops.stack for Tensors, or take .data first"
        )
    if isinstance(data, (numbers.Number, list, tuple)) and not isinstance(data, complex):
        try:
            array = np.array(data, dtype=dtype if dtype is not None else _default_dtype)
        except (TypeError, ValueError) as error:
            raise TypeError(f"Tensor: cannot make an array from {data!r}: {error}") from None
        return array
    raise TypeError(
        f"Tensor: expected an array, a number or a (nested) list, got {type(data).__name__}"
    )


def _check_numeric(dtype: np.dtype, what: str) -> None:
    """Only booleans, integers and reals: strings or objects would compute nonsense
    (``Tensor(['a', 'b']) * 2`` is ``['aa', 'bb']``) and complex numbers have no order."""
    if dtype.kind not in "biuf":
        raise TypeError(
            f"Tensor: expected a numeric dtype (bool, int or float), got {what} of dtype "
            f"{dtype} ({dtype.kind!r} kind); convert it first, e.g. with .astype(np.float32)"
        )


def as_tensor(x: Any, op: str, like: Tensor | None = None) -> Tensor:
    """`x` as a Tensor operand of `op`: Tensors as they are, arrays wrapped, and Python numbers
    made *weak* (the other operand's dtype, as NumPy 2 and PyTorch promote them)."""
    if isinstance(x, Tensor):
        return x
    if isinstance(x, np.ndarray):
        return Tensor(x)
    if isinstance(x, numbers.Real) and not isinstance(x, bool):
        if like is not None:  # weak, as NumPy 2: int tensor + 1 stays int, + 0.5 is float
            return Tensor(np.asarray(x, dtype=np.result_type(like.data, x)))
        return Tensor(np.asarray(x, dtype=_default_dtype))
    if isinstance(x, (list, tuple)):
        return Tensor(x)
    raise TypeError(
        f"unsupported operand for {op}: expected a Tensor, an array or a real number, "
        f"got {type(x).__name__}"
    )


_UNIT_SEEDS: dict[tuple[tuple[int, ...], np.dtype], np.ndarray] = {}


def _unit_seed(shape: tuple[int, ...], dtype: np.dtype, writeable: bool) -> np.ndarray:
    """d loss / d loss = 1 for a one-element loss: a cached read-only array (allocating it
    cost a fifth of a small op's backward). Read-only is safe: the engine copies a read-only
    gradient before a leaf owns it, and a retained gradient gets a writeable one."""
    if writeable:
        return np.ones(shape, dtype=dtype)
    seed = _UNIT_SEEDS.get((shape, dtype))
    if seed is None:
        seed = _UNIT_SEEDS[(shape, dtype)] = np.ones(shape, dtype=dtype)
        seed.flags.writeable = False
    return seed


def grad_destination(leaf: Tensor) -> np.ndarray | None:
    """The array a VJP may write `leaf`'s gradient into with ``out=``, or None.

    Only a leaf's *first* gradient of a walk may go there (a later one is added by the
    engine), and only when an optimizer provided the buffer (see `Tensor.grad_buffer`).
    """
    return leaf._grad_buffer if leaf.grad is None else None


def as_operands(a: Any, b: Any, op: str) -> tuple[Tensor, Tensor]:
    """Both operands of a binary op as Tensors; a Python number takes the other's dtype."""
    if isinstance(a, Tensor):
        return a, as_tensor(b, op, like=a)
    b = as_tensor(b, op)
    return as_tensor(a, op, like=b), b


def apply_binary(a: Tensor, b: Tensor, fn: Callable[[Any, Any], Any], op: str) -> np.ndarray:
    """fn(a, b), turning NumPy's broadcasting error into one that names the op and shapes."""
    try:
        return fn(a.data, b.data)
    except ValueError:
        if a.shape != b.shape:
            raise ValueError(
                f"{op}: shapes {a.shape} and {b.shape} cannot be broadcast together"
            ) from None
        raise


def zeros(shape: Any, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """A tensor of zeros (default dtype float32)."""
    return Tensor(np.zeros(shape, dtype=dtype or _default_dtype), requires_grad=requires_grad)


def ones(shape: Any, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """A tensor of ones (default dtype float32)."""
    return Tensor(np.ones(shape, dtype=dtype or _default_dtype), requires_grad=requires_grad)


def randn(
    shape: Any,
    rng: np.random.Generator | int | None = None,
    dtype: Any = None,
    requires_grad: bool = False,
) -> Tensor:
    """Standard normal samples drawn from `rng` (a Generator or a seed)."""
    data = np.random.default_rng(rng).standard_normal(shape).astype(dtype or _default_dtype)
    return Tensor(data, requires_grad=requires_grad)


# Bind the ops (defined with their VJPs in tensor_ops.py) as operators and methods.
from autograd_lite import tensor_ops as _ops  # noqa: E402  (needs Tensor defined first)

engine.bind_operators(Tensor, _ops)
Tensor.__matmul__ = _ops.matmul
Tensor.__rmatmul__ = engine._reflected(_ops.matmul)
Tensor.__getitem__ = _ops.getitem
Tensor.unsqueeze = _ops.expand_dims  # PyTorch's name


# Comparisons give boolean tensors outside any graph (they have no gradient). `==` and `!=`
# stay identity comparisons: nodes key the engine's sets and dicts.
def _comparison(fn: Callable[[Any, Any], Any], symbol: str) -> Callable[[Tensor, Any], Tensor]:
    def compare(self: Tensor, other: Any) -> Tensor:
        a, b = as_operands(self, other, symbol)
        return Tensor(apply_binary(a, b, fn, symbol))

    compare.__doc__ = f"self {symbol} other, elementwise, as a boolean tensor (no gradient)."
    return compare


Tensor.__lt__ = _comparison(np.less, "<")
Tensor.__le__ = _comparison(np.less_equal, "<=")
Tensor.__gt__ = _comparison(np.greater, ">")
Tensor.__ge__ = _comparison(np.greater_equal, ">=")
