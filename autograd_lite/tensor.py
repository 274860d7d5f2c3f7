"""`Tensor`: the array engine. One NumPy array per node; read it beside `scalar.py`.

The class holds the data model (construction, dtypes, ``repr``, ``backward``) and the lean
paths its ops run through (``_method``, ``_operator``); the ops and their VJPs live side by
side in `tensor_ops/`, one module per family, and are bound to the class at the bottom of this
file, exactly as `Value`'s are.
"""

from __future__ import annotations

import numbers
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from typing import TypeAlias

    Operand: TypeAlias = "Tensor | np.ndarray | float"
    Axis: TypeAlias = "int | tuple[int, ...] | None"

from autograd_lite import engine
from autograd_lite.broadcasting import broadcast_axes, fit_to
from autograd_lite.primitive import vjp_of_rule
from autograd_lite.tensor_data import (
    as_array,
    check_broadcast,
    check_buffer,
    get_default_dtype,
    promoted_dtype,
    set_default_dtype,
    unit_seed,
    weak_dtype,
)

__all__ = [
    "Tensor",
    "get_default_dtype",
    "ones",
    "randn",
    "set_default_dtype",
    "zeros",
]


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

    if TYPE_CHECKING:  # for IDEs and type checkers; `OPS.bind` below makes them (a test checks)

        def __add__(self, other: Operand) -> Tensor: ...
        def __radd__(self, other: Operand) -> Tensor: ...
        def __sub__(self, other: Operand) -> Tensor: ...
        def __rsub__(self, other: Operand) -> Tensor: ...
        def __mul__(self, other: Operand) -> Tensor: ...
        def __rmul__(self, other: Operand) -> Tensor: ...
        def __truediv__(self, other: Operand) -> Tensor: ...
        def __rtruediv__(self, other: Operand) -> Tensor: ...
        def __neg__(self) -> Tensor: ...
        def __pow__(self, other: Operand) -> Tensor: ...
        def __rpow__(self, other: Operand) -> Tensor: ...
        def __abs__(self) -> Tensor: ...
        def __matmul__(self, other: Operand) -> Tensor: ...
        def __rmatmul__(self, other: Operand) -> Tensor: ...
        def exp(self) -> Tensor: ...
        def log(self) -> Tensor: ...
        def sqrt(self) -> Tensor: ...
        def abs(self) -> Tensor: ...
        def tanh(self) -> Tensor: ...
        def sigmoid(self, beta: float = 1.0) -> Tensor: ...
        def relu(self) -> Tensor: ...
        def leaky_relu(self, negative_slope: float = 0.01) -> Tensor: ...
        def hard_sigmoid(self, x_min: float = -3.0, x_max: float = 3.0) -> Tensor: ...
        def gaussian(self, mu: float = 0.0, sigma: float = 1.0) -> Tensor: ...
        def step(self) -> Tensor: ...
        def matmul(self, other: Operand) -> Tensor: ...
        def sum(self, axis: Axis = None, keepdims: bool = False) -> Tensor: ...
        def mean(self, axis: Axis = None, keepdims: bool = False) -> Tensor: ...
        def max(self, axis: Axis = None, keepdims: bool = False) -> Tensor: ...
        def min(self, axis: Axis = None, keepdims: bool = False) -> Tensor: ...
        def var(self, axis: Axis = None, ddof: int = 0, keepdims: bool = False) -> Tensor: ...
        def std(self, axis: Axis = None, ddof: int = 0, keepdims: bool = False) -> Tensor: ...
        def logsumexp(self, axis: Axis = None, keepdims: bool = False) -> Tensor: ...
        def softmax(self, axis: int = -1) -> Tensor: ...
        def log_softmax(self, axis: int = -1) -> Tensor: ...
        def clip(self, min: float | None = None, max: float | None = None) -> Tensor: ...
        def reshape(self, *shape: Any) -> Tensor: ...
        def transpose(self, *axes: Any) -> Tensor: ...
        def flatten(self, start_axis: int = 0, end_axis: int = -1) -> Tensor: ...
        def expand_dims(self, axis: int) -> Tensor: ...
        def squeeze(self, axis: int | tuple[int, ...] | None = None) -> Tensor: ...

    def __init__(
        self,
        data: Any,
        requires_grad: bool = False,
        dtype: Any = None,
        label: str | None = None,
    ) -> None:
        self.data = as_array(data.data if isinstance(data, Tensor) else data, dtype)
        self.grad = None
        self._parents = ()
        self._vjp = None
        self._saved = ()
        self._how = None
        self._op = ""
        self.label = label
        self._keeps_all_grads = False
        self._grad_buffer = None
        self.requires_grad = False
        if requires_grad:
            self.requires_grad_()

    # -- construction of op results (every op in tensor_ops/ ends here) --------------------

    @classmethod
    def _result(
        cls,
        data: np.ndarray,
        parents: tuple[Tensor, ...],
        vjp: Any,
        op: str,
        how: Any = None,
        saved: tuple[Any, ...] = (),
    ) -> Tensor:
        """The node for an op's result: recorded in the graph only if a parent needs a
        gradient (and not under `no_grad()`), so inference and data cost no graph. Its VJP
        is ``vjp(g, *saved)``; `how` is the call that made it (``prim`` or
        ``(prim, constants, kwargs)``), for derivatives of derivatives."""
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
                out._saved = saved
                out._how = how
                out.requires_grad = True
                break
        else:
            out._parents = ()
            out._vjp = None
            out._saved = ()
            out._how = None
            out.requires_grad = False
        hooks = modes.node_hooks
        if hooks:  # anomaly mode, tracing: empty in ordinary runs
            for hook in hooks:
                hook(out)
        return out

    @classmethod
    def _apply(cls, prim: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Tensor:
        """A `primitive` called on Tensors: its forward on the arrays, its VJP on the arrays
        (on the nodes, for ``create_graph``: see `higher_order.differentiate`).

        The generic path, for users' primitives and for calls whose first argument is not a
        Tensor (``2.0 ** x``). Python numbers are weak: they take the tensors' dtype.
        """
        given, constants = prim.split(args)
        like = promoted_dtype([a.data.dtype for a in given if isinstance(a, Tensor)])
        parents = tuple(as_tensor(a, prim.name, like) for a in given)
        inputs = [p.data for p in parents]
        try:
            ans = as_array(prim.fun(*inputs, *constants, **kwargs), None)
        except TypeError as error:
            raise TypeError(f"{prim.name} (its result): {error}") from None
        except ValueError as error:
            if "could not be broadcast" in str(error):  # NumPy's: name the op and the shapes
                check_broadcast(prim.name, *inputs)
            raise
        needs = [p.requires_grad for p in parents]
        vjp, saved = prim.bind_vjp(ans, inputs, constants, kwargs, needs)
        how = (prim, constants, kwargs) if constants or kwargs else prim
        return cls._result(ans, parents, vjp, prim.label(constants, kwargs), how, saved)

    @classmethod
    def _method(cls, prim: Any) -> Any:
        """The method for a one-input `primitive` (``x.tanh()``, ``x.sum(axis=0)``), lean: it
        runs for every op. (A two-input one, ``x.matmul(y)``, is its operator.)"""
        if prim.n_inputs == 2:
            return cls._operator(prim, reflected=False)
        if prim.n_inputs != 1 or prim.rule is None:

            def generic(self: Tensor, *args: Any, **kwargs: Any) -> Tensor:
                return cls._apply(prim, (self, *args), kwargs)

            return generic
        fun, name = prim.fun, prim.name
        labelled = prim._label is not None

        def method(self: Tensor, *constants: Any, **kwargs: Any) -> Tensor:
            x = self.data
            if not (constants or kwargs):  # the common case, without packing arguments
                ans = fun(x)
                if type(ans) is not np.ndarray:  # 0-d results are NumPy scalars
                    ans = np.asarray(ans)
                return cls._result(ans, (self,), _unary_vjp, name, prim, (prim, ans, x))
            ans = fun(x, *constants, **kwargs)
            if type(ans) is not np.ndarray:
                ans = np.asarray(ans)
            how = (prim, constants, kwargs)
            label = prim.label(constants, kwargs) if labelled else name
            saved = (prim, ans, (x,), constants, kwargs)
            return cls._result(ans, (self,), vjp_of_rule, label, how, saved)

        prim._fast[cls] = method
        return method

    @classmethod
    def _operator(cls, prim: Any, reflected: bool) -> Any:
        """``a op b`` (or, reflected, ``b op a``) for a two-input `primitive`, lean.

        A Python number is weak (NumPy 2 computes ``float32_array * 0.1`` in float32) and is
        passed to the op as it is; it becomes a constant node only when a graph is recorded.
        With one rule per input, only the inputs that need a gradient get one.
        """
        fun, name, result = prim.fun, prim.name, cls._result

        def operator(self: Tensor, other: Any) -> Tensor:
            if type(other) is cls:
                node, value = other, other.data
            elif type(other) is float or type(other) is int:
                node, value = None, other
            else:
                node = as_tensor(other, name, self.data.dtype)
                value = node.data
            x, y = (value, self.data) if reflected else (self.data, value)
            try:
                ans = fun(x, y)
            except ValueError:
                check_broadcast(name, x, y)
                raise
            if type(ans) is not np.ndarray:
                ans = np.asarray(ans)
            if node is None:
                if not (self.requires_grad and engine.modes.grad_enabled):
                    return result(ans, (self,), None, name, None)  # records nothing
                node = cls(np.asarray(value, dtype=weak_dtype(self.data.dtype, value)))
            a, b = (node, self) if reflected else (self, node)
            saved = (prim, ans, x, y, a.requires_grad, b.requires_grad)
            return result(ans, (a, b), _binary_vjp, name, prim, saved)

        if not reflected:
            prim._fast[cls] = operator
        return operator

    # -- differentiation --------------------------------------------------------------------

    def backward(
        self, grad: Any = None, retain_graph: bool | None = None, create_graph: bool = False
    ) -> None:
        """Reverse mode from this tensor: fill ``.grad`` of the leaves it depends on.

        Parameters
        ----------
        grad : array_like, optional
            ``d loss / d self``. Needed unless the tensor has one element (then it is 1).
        retain_graph : bool
            Keep the graph's saved values so that ``backward`` can run through it again.
            By default they are released as the walk goes, so memory stays flat when
            training; a second ``backward`` through a released graph is a RuntimeError.
            Defaults to `create_graph`.
        create_graph : bool
            Make every ``.grad`` a Tensor that carries the graph of its computation, so it can
            be differentiated again; without it ``.grad`` is an array and no node is built.
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
            data = self.data
            seed = unit_seed(data.shape, data.dtype, writeable=self._keeps_all_grads)
        else:
            seed = np.array(grad.data if isinstance(grad, Tensor) else grad, dtype=self.dtype)
            if seed.shape != self.shape:
                raise ValueError(
                    f"backward: expected grad of shape {self.shape}, got shape {seed.shape}"
                )
        if create_graph:
            seed_node = grad if isinstance(grad, Tensor) else Tensor(seed)
            engine.backward(self, seed_node, create_graph=True)
            return
        engine.backward(self, seed, retain_graph=bool(retain_graph))

    # -- derivatives of derivatives: how the walk on nodes treats a Tensor (see engine) -----

    def _gradient_node(self, g: Any) -> Tensor:
        """A gradient sent to this node, as a Tensor of its shape: summed (by recorded ops)
        over the axes the op broadcast it along; a plain number or array becomes a constant."""
        if not isinstance(g, Tensor):
            g = np.broadcast_to(np.asarray(g, self.data.dtype), self.shape)
            return Tensor(fit_to(g, self.data))
        if g.shape != self.shape:
            axes = broadcast_axes(g.shape, self.shape)
            g = (g.sum(axis=axes) if axes else g).reshape(self.shape)
        return g

    def _tangent(self, t: Any) -> Any:
        """A tangent of this node (forward mode) in its shape and dtype: an array, or a
        Tensor when nested."""
        if isinstance(t, Tensor):
            return t if t.shape == self.shape else t + Tensor(np.zeros(self.shape, t.dtype))
        return np.array(np.broadcast_to(t, self.shape), dtype=self.data.dtype)

    def _accumulated(self, g: Tensor) -> Tensor:
        """``.grad`` after adding `g`: `g` itself when there was none."""
        old = self.grad
        if old is None:
            return g
        return (old if isinstance(old, Tensor) else Tensor(old)) + g

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
            check_buffer(buffer, self.data, "grad_buffer")
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


# The VJPs of the lean paths, called as ``vjp(g, *node._saved)`` (a closure per node would
# cost as much as a small op itself). The rules are read when the VJP runs, so that
# `defvjp` again takes effect; nothing saved is the node itself (no reference cycle).


def _unary_vjp(g: Any, prim: Any, ans: Any, x: Any) -> tuple[Any]:
    return prim.rule(g, ans, x)


def _binary_vjp(
    g: Any, prim: Any, ans: Any, x: Any, y: Any, a_needs: bool, b_needs: bool
) -> tuple[Any, Any]:
    if prim._per_input:  # one rule per input: only the gradients someone needs
        rule_a, rule_b = prim._rules
        return (
            rule_a(g, ans, x, y) if a_needs else None,
            rule_b(g, ans, x, y) if b_needs else None,
        )
    return prim.rule(g, ans, x, y)


def as_tensor(x: Any, op: str, like: np.dtype | None = None) -> Tensor:
    """`x` as a Tensor operand of `op`: Tensors as they are, arrays wrapped, and Python numbers
    made *weak*: they take the dtype `like` of the tensors they meet (as NumPy 2 and PyTorch
    promote them: an int tensor + 1 stays int, + 0.5 is float)."""
    if isinstance(x, Tensor):
        return x
    if isinstance(x, np.ndarray):
        return Tensor(x)
    if isinstance(x, numbers.Real) and not isinstance(x, bool):
        if like is not None:
            return Tensor(np.asarray(x, dtype=np.result_type(like, x)))
        return Tensor(np.asarray(x, dtype=get_default_dtype()))
    if isinstance(x, (list, tuple)):
        return Tensor(x)
    raise TypeError(
        f"unsupported operand for {op}: expected a Tensor, an array or a real number, "
        f"got {type(x).__name__}"
    )


def zeros(shape: Any, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """A tensor of zeros (default dtype float32)."""
    return Tensor(np.zeros(shape, dtype=dtype or get_default_dtype()), requires_grad=requires_grad)


def ones(shape: Any, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """A tensor of ones (default dtype float32)."""
    return Tensor(np.ones(shape, dtype=dtype or get_default_dtype()), requires_grad=requires_grad)


def randn(
    shape: Any,
    rng: np.random.Generator | int | None = None,
    dtype: Any = None,
    requires_grad: bool = False,
) -> Tensor:
    """Standard normal samples drawn from `rng` (a Generator or a seed)."""
    data = np.random.default_rng(rng).standard_normal(shape).astype(dtype or get_default_dtype())
    return Tensor(data, requires_grad=requires_grad)


# Bind the ops (defined with their VJPs in tensor_ops/) as operators and methods; the ops that are
# functions only (``maximum``, ...) get the same fast path when called on a Tensor.
from autograd_lite.primitive import Primitive  # noqa: E402
from autograd_lite.tensor_ops import OPS  # noqa: E402  (needs Tensor defined first)

OPS.bind(Tensor)
for _op in map(OPS.__getitem__, OPS.names()):
    if isinstance(_op, Primitive) and Tensor not in _op._fast and _op.n_inputs in (1, 2):
        Tensor._method(_op)
Tensor.__getitem__ = OPS["getitem"]
Tensor.unsqueeze = OPS["expand_dims"]  # PyTorch's name


# Comparisons give boolean tensors outside any graph (they have no gradient). `==` and `!=`
# stay identity comparisons: nodes key the engine's sets and dicts.
def _comparison(fn: Callable[[Any, Any], Any], symbol: str) -> Callable[[Tensor, Any], Tensor]:
    def compare(self: Tensor, other: Any) -> Tensor:
        x = self.data
        y = other if type(other) in (float, int) else as_tensor(other, symbol, x.dtype).data
        try:
            return Tensor(fn(x, y))
        except ValueError:
            check_broadcast(symbol, x, y)
            raise

    compare.__doc__ = f"self {symbol} other, elementwise, as a boolean tensor (no gradient)."
    return compare


Tensor.__lt__ = _comparison(np.less, "<")
Tensor.__le__ = _comparison(np.less_equal, "<=")
Tensor.__gt__ = _comparison(np.greater, ">")
Tensor.__ge__ = _comparison(np.greater_equal, ">=")
