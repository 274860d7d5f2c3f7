"""`Value`: the scalar engine. One float per node; read it beside `tensor.py`.

The class holds the data model (construction, ``repr``, ``backward``); the operations and
their derivatives live side by side in `scalar_ops.py` and are bound to the class at the
bottom of this file.
"""

from __future__ import annotations

import math
import numbers
from typing import TYPE_CHECKING, Any

from autograd_lite import engine
from autograd_lite.primitive import vjp_of_rule

__all__ = ["Value"]


class Value(engine.Node):
    """A scalar that remembers how it was computed, so it can be differentiated.

    Parameters
    ----------
    data : real number
        The value. Integers and NumPy scalars are converted to ``float``.
    label : str, optional
        A name shown in ``repr`` and in pictures.

    Attributes
    ----------
    data : float
    grad : float
        ``d output / d self`` after ``output.backward()``; starts at ``0.0``.

    Examples
    --------
    >>> a, b = Value(2.0, label="a"), Value(-3.0, label="b")
    >>> c = a * b + a
    >>> c.backward()
    >>> a.grad, b.grad
    (-2.0, 2.0)
    """

    __slots__ = ()

    requires_grad = True  # every Value takes part in differentiation

    if TYPE_CHECKING:  # for IDEs and type checkers; `OPS.bind` below makes them (a test checks)

        def __add__(self, other: Value | float) -> Value: ...
        def __radd__(self, other: Value | float) -> Value: ...
        def __sub__(self, other: Value | float) -> Value: ...
        def __rsub__(self, other: Value | float) -> Value: ...
        def __mul__(self, other: Value | float) -> Value: ...
        def __rmul__(self, other: Value | float) -> Value: ...
        def __truediv__(self, other: Value | float) -> Value: ...
        def __rtruediv__(self, other: Value | float) -> Value: ...
        def __neg__(self) -> Value: ...
        def __pow__(self, other: Value | float) -> Value: ...
        def __rpow__(self, other: Value | float) -> Value: ...
        def __abs__(self) -> Value: ...
        def exp(self) -> Value: ...
        def log(self) -> Value: ...
        def sqrt(self) -> Value: ...
        def abs(self) -> Value: ...
        def tanh(self) -> Value: ...
        def sigmoid(self, beta: float = 1.0) -> Value: ...
        def relu(self) -> Value: ...
        def leaky_relu(self, negative_slope: float = 0.01) -> Value: ...
        def hard_sigmoid(self, x_min: float = -3.0, x_max: float = 3.0) -> Value: ...
        def gaussian(self, mu: float = 0.0, sigma: float = 1.0) -> Value: ...
        def step(self) -> Value: ...

    def __init__(self, data: Any, label: str | None = None) -> None:
        self.data = _as_float(data, "Value")
        self.grad = 0.0
        self._parents = ()
        self._vjp = None
        self._saved = ()
        self._how = None
        self._op = ""
        self.label = label

    # -- construction of op results (the fast path every op in scalar_ops.py uses) ----------

    @classmethod
    def _result(
        cls,
        data: float,
        parents: tuple[Value, ...],
        vjp: Any,
        op: str,
        how: Any = None,
        saved: tuple[Any, ...] = (),
    ) -> Value:
        """The node for an op's result; a leaf under `no_grad()`. Its VJP is
        ``vjp(g, *saved)``; `how` is the call that made it (``prim`` or
        ``(prim, constants, kwargs)``), for derivatives of derivatives."""
        out = cls.__new__(cls)
        out.data = data
        out.grad = 0.0
        out._op = op
        out.label = None
        modes = engine.modes
        if modes.grad_enabled:
            out._parents = parents
            out._vjp = vjp
            out._saved = saved
            out._how = how
        else:
            out._parents = ()
            out._vjp = None
            out._saved = ()
            out._how = None
        hooks = modes.node_hooks
        if hooks:  # anomaly mode, tracing: empty in ordinary runs
            for hook in hooks:
                hook(out)
        return out

    @classmethod
    def _apply(cls, prim: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Value:
        """A `primitive` called on Values: its forward on the data, its VJP on the data."""
        given, constants = prim.split(args)
        parents = tuple(as_value(a, prim.name) for a in given)
        inputs = [p.data for p in parents]
        ans = _as_float(prim.fun(*inputs, *constants, **kwargs), f"{prim.name} (its result)")
        vjp, saved = prim.bind_vjp(ans, inputs, constants, kwargs)
        how = (prim, constants, kwargs) if constants or kwargs else prim
        return cls._result(ans, parents, vjp, prim.label(constants, kwargs), how, saved)

    @classmethod
    def _method(cls, prim: Any) -> Any:
        """The method for a one-input `primitive` (``x.tanh()``), lean: it runs for every op."""
        if prim.n_inputs != 1 or prim.rule is None:

            def generic(self: Value, *args: Any, **kwargs: Any) -> Value:
                return cls._apply(prim, (self, *args), kwargs)

            return generic
        fun, name, result = prim.fun, prim.name, cls._result
        labelled = prim._label is not None

        def method(self: Value, *constants: Any, **kwargs: Any) -> Value:
            x = self.data
            if not (constants or kwargs):  # the common case, without packing arguments
                ans = fun(x)
                return result(ans, (self,), prim.rule, name, prim, (ans, x))
            ans = fun(x, *constants, **kwargs)
            how = (prim, constants, kwargs)
            label = prim.label(constants, kwargs) if labelled else name
            saved = (prim, ans, (x,), constants, kwargs)
            return result(ans, (self,), vjp_of_rule, label, how, saved)

        prim._fast[cls] = method
        return method

    @classmethod
    def _operator(cls, prim: Any, reflected: bool) -> Any:
        """``a op b`` (or, reflected, ``b op a``) for a two-input `primitive`, lean."""
        if prim.rule is None:  # one rule per input: the generic path calls each

            def generic(self: Value, other: Any) -> Value:
                args = (other, self) if reflected else (self, other)
                return cls._apply(prim, args, {})

            return generic
        fun, name, result = prim.fun, prim.name, cls._result

        def forward(self: Value, other: Any) -> Value:
            b = other if type(other) is cls else as_value(other, name)
            x, y = self.data, b.data
            ans = fun(x, y)
            return result(ans, (self, b), prim.rule, name, prim, (ans, x, y))

        def backward(self: Value, other: Any) -> Value:
            a = other if type(other) is cls else as_value(other, name)
            x, y = a.data, self.data
            ans = fun(x, y)
            return result(ans, (a, self), prim.rule, name, prim, (ans, x, y))

        if reflected:
            return backward
        prim._fast[cls] = forward
        return forward

    # -- differentiation --------------------------------------------------------------------

    def backward(self, grad: float | Value = 1.0, create_graph: bool = False) -> None:
        """Reverse mode from this node: fill ``.grad`` of every node it depends on.

        ``grad`` seeds ``d self / d self`` (1.0 by default). Leaf gradients *accumulate*
        across calls until `zero_grad()`; intermediate gradients are recomputed each time,
        so calling ``backward()`` twice gives the same intermediate gradients. The graph is
        never released: pictures and `chain_rule_paths` can be used afterwards.

        With ``create_graph=True`` every ``.grad`` is a `Value` carrying the graph of its
        computation, so it can be differentiated again (``x.grad.backward()``) or drawn;
        without it, ``.grad`` is a float and no node is built.
        """
        if create_graph:
            seed = grad if isinstance(grad, Value) else Value(_as_float(grad, "backward(grad)"))
            engine.backward(self, seed, create_graph=True)
            return
        if type(grad) is not float or grad != grad:  # (the usual 1.0 needs no checks)
            grad = _as_float(grad.data if isinstance(grad, Value) else grad, "backward(grad)")
        engine.backward(self, grad)

    # -- derivatives of derivatives: how the walk on nodes treats a Value (see engine) ------

    def _gradient_node(self, g: Any) -> Value:
        """A gradient sent to this node, as a node (a VJP may return a plain 0.0)."""
        return g if isinstance(g, Value) else Value(g)

    def _tangent(self, t: Any) -> Any:
        """A tangent of this node (forward mode): a float, or a Value when nested."""
        return t if isinstance(t, Value) else float(t)

    def _accumulated(self, g: Value) -> Value:
        """``.grad`` after adding `g`: a float 0.0 gives way to `g` (no ``0 + g`` node)."""
        old = self.grad
        return g if (type(old) is float and old == 0.0) else old + g

    def zero_grad(self) -> None:
        """Reset this node's gradient to ``0.0``."""
        self.grad = 0.0

    def item(self) -> float:
        """The data as a Python float (as `Tensor.item`)."""
        return self.data

    def __float__(self) -> float:
        return self.data

    def __format__(self, spec: str) -> str:
        """A format spec applies to the data (``f"{v:.3f}"``), as for a float."""
        return format(self.data, spec) if spec else repr(self)

    # -- comparisons: on the data, for ``if loss < best`` and ``max(values)``; they record no
    # graph (a comparison has no derivative). ``==`` stays identity, as for every node: nodes
    # key the walk's sets and dicts, so ``a == b`` is ``a is b`` (compare ``a.data`` instead).

    def __bool__(self) -> bool:
        """The truth of the data: ``bool(Value(0.0))`` is False, as ``bool(0.0)``."""
        return self.data != 0.0

    def __lt__(self, other: Any) -> bool:
        return self.data < _compared(other, "<")

    def __le__(self, other: Any) -> bool:
        return self.data <= _compared(other, "<=")

    def __gt__(self, other: Any) -> bool:
        return self.data > _compared(other, ">")

    def __ge__(self, other: Any) -> bool:
        return self.data >= _compared(other, ">=")

    def __repr__(self) -> str:
        name = f"label={self.label!r}, " if self.label else ""
        op = f", op={self._op!r}" if self._op else ""
        return f"Value({name}data={self.data:.6g}, grad={self.grad:.6g}{op})"


def _as_float(x: Any, where: str) -> float:
    """`x` as a float, or a TypeError/ValueError that names the problem."""
    if type(x) is float and x == x:  # the usual case, without the ABC check (NaN != NaN)
        return x
    if isinstance(x, bool) or not isinstance(x, numbers.Real):
        raise TypeError(f"{where}: expected a real number, got {type(x).__name__} {x!r}")
    value = float(x)
    if math.isnan(value):
        raise ValueError(f"{where}: expected a number, got NaN")
    return value


def _compared(other: Any, op: str) -> float:
    """The float a Value is compared with: another Value's data or a real number."""
    if isinstance(other, Value):
        return other.data
    if isinstance(other, bool) or not isinstance(other, numbers.Real):
        raise TypeError(
            f"'{op}' between a Value and {type(other).__name__}: expected a Value or a real number"
        )
    return float(other)


def as_value(x: Any, op: str) -> Value:
    """`x` if it is a Value, else a constant Value made from a real number."""
    if type(x) is Value:
        return x
    if isinstance(x, Value):
        return x
    if isinstance(x, bool) or not isinstance(x, numbers.Real):
        raise TypeError(
            f"unsupported operand for {op}: expected a Value or a real number, "
            f"got {type(x).__name__}"
        )
    return Value(x)


# Bind the ops (defined with their derivatives in scalar_ops.py) as operators and methods.
from autograd_lite.scalar_ops import OPS  # noqa: E402  (needs Value defined first)

OPS.bind(Value)
