"""`primitive`: make a function on plain numbers or arrays an op of both engines.

In the shape of HIPS autograd's ``primitive`` / ``defvjp``::

    @primitive
    def softsign(x):
        return x / (1 + abs(x))

    @softsign.defvjp
    def softsign_vjp(g, ans, x):  # g = d loss / d ans; one gradient per input
        return (g / (1 + abs(x)) ** 2,)

Called on plain numbers or arrays, ``softsign`` is the plain function. Called with a `Value`
or a `Tensor` among its inputs, it returns a node of that engine: the forward runs on the
inputs' data, and for ``backward()`` the VJP is called with the gradient, the answer and the
same data (never the nodes: a VJP that held its own node would be a reference cycle). For
``backward(create_graph=True)`` and `autograd_lite.grad` of a gradient, the engine calls the
same VJP with nodes instead (the gradient, the op's own node as the answer, the input
nodes), so a VJP written with operators and ops, as above, records the derivative's graph:
one rule serves both. `defjvp` gives forward mode its rules, the same way.

**Inputs and constants.** The function's parameters *without* a default are its inputs, the
ones gradients flow to (Python numbers passed there become constant nodes); parameters
*with* a default (``beta=1.0``) are constants, passed as they are to the function and to its
VJP, which returns one gradient per input only. A ``*args`` parameter makes every positional
argument an input.

**Two ways to give the derivative.** ``f.defvjp(rule)`` with one rule returning a tuple, one
gradient per input; or ``f.defvjp(rule_0, rule_1, ...)`` with one rule per input, each
returning that input's gradient, each called only when its input needs a gradient (how the
tensor ops skip the gradient of a data batch). The engine sums a tensor gradient over
broadcast axes itself, so a VJP may return gradients in the answer's shape.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Sequence
from typing import Any

from autograd_lite.engine import Node

__all__ = ["Primitive", "Registry", "primitive", "vjp_of_rule"]

Rule = Callable[..., Any]


class Primitive:
    """A function of numbers or arrays that records itself on `Value`s and `Tensor`s.

    Use the `primitive` decorator to make one; `defvjp` gives it its derivative.

    Attributes
    ----------
    fun : callable
        The function on plain numbers or arrays.
    name : str
        The op's name in pictures and error messages.
    n_inputs : int or None
        How many leading positional parameters are inputs (None: all of them, ``*args``).
    """

    def __init__(
        self,
        fun: Callable[..., Any],
        name: str | None = None,
        label: Callable[..., str] | None = None,
    ) -> None:
        if not callable(fun):
            raise TypeError(f"primitive: expected a function, got {type(fun).__name__}")
        functools.update_wrapper(self, fun)
        self.fun = fun
        self.name = name or getattr(fun, "__name__", "primitive")
        self.n_inputs = _count_inputs(fun)
        self._label = label
        self._rules: tuple[Rule, ...] = ()
        self._per_input = False
        # Forward mode: one rule per input (or one for every input of a ``*args`` op).
        self._jvps: tuple[Rule, ...] = ()
        #: The one rule returning every input's gradient (None with one rule per input); the
        #: engines' fast paths read it at each call, so `defvjp` again takes effect from the
        #: next node on (a Value saves it as its VJP; a Tensor reads it when the VJP runs).
        self.rule: Rule | None = None
        # Node class -> its fast path for this op, set when the engine binds its ops: a call
        # whose first argument is of that class skips the generic dispatch.
        self._fast: dict[type, Callable[..., Any]] = {}

    def defvjp(self, *rules: Rule) -> Rule:
        """Give this op its derivative: one rule ``rule(g, ans, *inputs, **constants)``
        returning a tuple with one gradient per input (``None`` for an input that has none),
        or one rule per input, each returning that input's gradient. Usable as a decorator.
        """
        if not rules or not all(callable(rule) for rule in rules):
            got = ", ".join(type(rule).__name__ for rule in rules) or "nothing"
            raise TypeError(f"defvjp: expected one function or one per input, got {got}")
        if len(rules) > 1 and self.n_inputs is not None and len(rules) != self.n_inputs:
            raise TypeError(
                f"defvjp: expected one rule, or one per input ({self.n_inputs} for "
                f"{self.name}), got {len(rules)}"
            )
        self._rules, self._per_input = rules, len(rules) > 1
        self.rule = None if self._per_input else rules[0]
        return rules[0]

    def defjvp(self, *rules: Rule) -> Rule:
        """Give this op its forward-mode derivative, as HIPS autograd's ``defjvp``: one rule
        per input, ``rule(t, ans, *inputs, **constants)``, returning that input's share of
        the answer's tangent when the input's tangent is `t` (``d ans / d input`` applied to
        `t`); forward mode sums the shares of the inputs that have a tangent. An op whose
        inputs are ``*args`` gives one rule, called with the keyword ``argnum=i``.

        Like a VJP, a JVP rule is written with operators and ops, so that it runs on plain
        numbers (first order) and on nodes (derivatives of derivatives).
        """
        if not rules or not all(callable(rule) for rule in rules):
            got = ", ".join(type(rule).__name__ for rule in rules) or "nothing"
            raise TypeError(f"defjvp: expected one function per input, got {got}")
        expected = 1 if self.n_inputs is None else self.n_inputs
        if len(rules) != expected:
            raise TypeError(
                f"defjvp: expected one rule per input ({expected} for {self.name}), "
                f"got {len(rules)}"
            )
        self._jvps = rules
        return rules[0]

    @property
    def has_vjp(self) -> bool:
        return bool(self._rules)

    @property
    def has_jvp(self) -> bool:
        return bool(self._jvps)

    def vjp_on_nodes(
        self, g: Any, ans: Any, parents: Sequence[Any], constants: tuple, kwargs: dict
    ) -> tuple[Any, ...]:
        """The VJP run on nodes (``create_graph``): `g`, the answer and the inputs are nodes,
        so the rules record the graph of the gradient. An input that needs no gradient
        (a data batch) gets None."""
        if not self._rules:
            _missing_vjp(g, self.name)
        if self._per_input:
            return tuple(
                rule(g, ans, *parents, *constants, **kwargs) if p.requires_grad else None
                for rule, p in zip(self._rules, parents)
            )
        grads = self._rules[0](g, ans, *parents, *constants, **kwargs)
        if type(grads) is not tuple or len(grads) != len(parents):
            return _checked(grads, len(parents), self.name)
        return grads

    def jvp(
        self,
        tangents: Sequence[Any],
        ans: Any,
        inputs: Sequence[Any],
        constants: tuple,
        kwargs: dict,
    ) -> Any:
        """The answer's tangent: the sum of the shares of the inputs whose tangent is not
        None (None if no input has one)."""
        if not self._jvps:
            fun = getattr(self.fun, "__name__", self.name)
            raise NotImplementedError(
                f"{self.name} has no JVP, so forward mode cannot go through it: define one "
                f"with @{fun}.defjvp (def {fun}_jvp(t, ans, *inputs): return ...)"
            )
        total = None
        for i, t in enumerate(tangents):
            if t is None:
                continue
            if self.n_inputs is None:
                share = self._jvps[0](t, ans, *inputs, *constants, argnum=i, **kwargs)
            else:
                share = self._jvps[i](t, ans, *inputs, *constants, **kwargs)
            total = share if total is None else total + share
        return total

    def label(self, constants: Sequence[Any], kwargs: dict[str, Any]) -> str:
        """The op's name in pictures, which may show its constants (``**2``)."""
        return self._label(*constants, **kwargs) if self._label else self.name

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if args:
            fast = self._fast.get(type(args[0]))
            if fast is not None:
                return fast(*args, **kwargs)
        for arg in args:
            if isinstance(arg, Node):
                return type(arg)._apply(self, args, kwargs)
        return self.fun(*args, **kwargs)

    def split(self, args: Sequence[Any]) -> tuple[Sequence[Any], tuple[Any, ...]]:
        """The positional arguments as (inputs, constants)."""
        n = self.n_inputs
        if n is None:
            return args, ()
        if len(args) < n:
            raise TypeError(f"{self.name}: expected {n} input(s), got {len(args)}")
        return args[:n], tuple(args[n:])

    def bind_vjp(
        self,
        ans: Any,
        inputs: list[Any],
        constants: tuple[Any, ...],
        kwargs: dict[str, Any],
        needs: Sequence[bool] | None = None,
    ) -> tuple[Rule, tuple[Any, ...]]:
        """The node's VJP as ``(function, saved)``, called ``function(g, *saved)`` and
        returning one gradient per input: a shared function and the data it needs (the
        answer and the inputs' data, never a node), not a closure per node. `needs` says
        which inputs need a gradient."""
        if not self._rules:
            return _missing_vjp, (self.name,)
        if self._per_input:
            wanted = tuple(
                (rule if needs is None or need else None)
                for rule, need in zip(self._rules, needs or self._rules)
            )
            return _vjp_per_input, (wanted, ans, inputs, constants, kwargs)
        return vjp_of_rule, (self, ans, inputs, constants, kwargs)

    def __repr__(self) -> str:
        return f"<primitive {self.name}>"


class Registry:
    """The built-in ops of one engine, in op order: what `scalar_ops` and `tensor_ops` declare.

    Registering an op is all it takes to make it a method (``x.exp()``) or an operator
    (``a * b``, ``2 * a``) of the engine's node class, a name of its module's ``__all__``, and
    a row the op-table tests require. ``OPS.bind(Value)`` binds them once, at import.

    Examples
    --------
    >>> OPS = Registry()
    >>> @OPS.register(operator="mul")  # a * b and, reflected, 2 * a
    ... @primitive
    ... def mul(a, b):
    ...     return a * b
    >>> OPS.names()
    ['mul']
    """

    def __init__(self) -> None:
        self._entries: dict[str, tuple[Callable[..., Any], str | None, str | None]] = {}

    def register(
        self, operator: str | None = None, method: str | bool = True
    ) -> Callable[[Callable[..., Any]], Any]:
        """Decorator: register an op (a `Primitive`, or a function dispatching to some).

        `operator` names a Python operator (``"mul"`` binds ``__mul__`` and ``__rmul__``;
        ``"neg"`` and ``"abs"`` are unary); `method` is the method's name (True: the op's
        name; False: no method, a function of the module only).
        """

        def add(op: Callable[..., Any]) -> Any:
            name = getattr(op, "__name__", None) or op.name
            if name in self._entries:
                raise ValueError(f"Registry: expected a new op name, got {name!r} twice")
            method_name = name if method is True else (method or None)
            if operator is not None and method is True:
                method_name = None  # an operator is not also a method unless asked
            if isinstance(op, Primitive) and operator in _SYMBOLS:
                op.name = _SYMBOLS[operator]  # pictures and errors show `*`, not `mul`
            self._entries[name] = (op, operator, method_name)
            return op

        return add

    def names(self) -> list[str]:
        """Every op's name, in the order they were declared (the module's ``__all__``)."""
        return list(self._entries)

    def __getitem__(self, name: str) -> Callable[..., Any]:
        return self._entries[name][0]

    def methods(self) -> list[str]:
        """The names bound as methods of the node class."""
        return [m for _, _, m in self._entries.values() if m]

    def dunders(self) -> list[str]:
        """The operator methods bound on the node class (``__mul__``, ``__rmul__``, ...)."""
        names = []
        for _, operator, _ in self._entries.values():
            if operator in _UNARY:
                names.append(f"__{operator}__")
            elif operator:
                names += [f"__{operator}__", f"__r{operator}__"]
        return names

    def bind(self, cls: type) -> None:
        """Make every registered op a method or operator of `cls`.

        A `Primitive` is bound through the class's own fast path (``cls._method(prim)``,
        ``cls._operator(prim, reflected)``); a plain function is bound as it is.
        """
        for op, operator, method in self._entries.values():
            if method:
                setattr(cls, method, _as_method(cls, op))
            if operator in _UNARY:
                setattr(cls, f"__{operator}__", _as_method(cls, op))
            elif operator:
                setattr(cls, f"__{operator}__", _as_operator(cls, op, reflected=False))
                setattr(cls, f"__r{operator}__", _as_operator(cls, op, reflected=True))


_UNARY = ("neg", "abs")
_SYMBOLS = {"add": "+", "sub": "-", "mul": "*", "truediv": "/", "matmul": "@"}


def _as_method(cls: Any, op: Callable[..., Any]) -> Callable[..., Any]:
    method = cls._method(op) if isinstance(op, Primitive) else op
    return _documented(method, op)


def _as_operator(cls: Any, op: Callable[..., Any], reflected: bool) -> Callable[..., Any]:
    if isinstance(op, Primitive):
        method = cls._operator(op, reflected)
    elif reflected:

        def method(self: Any, other: Any) -> Any:
            return op(other, self)

    else:
        method = op
    return _documented(method, op, reflected)


def _documented(method: Callable[..., Any], op: Any, reflected: bool = False) -> Any:
    """Give a bound method the op's name and docstring, so `help()` shows the derivative."""
    if method is op:
        return method
    name = getattr(op, "__name__", None) or op.name
    method.__name__ = f"r{name}" if reflected else name
    method.__qualname__ = method.__name__
    doc = getattr(op, "__doc__", None) or ""
    method.__doc__ = f"``{name}(other, self)``: {doc}" if reflected else doc
    method.__signature__ = _method_signature(getattr(op, "fun", op))
    return method


def _method_signature(fun: Callable[..., Any]) -> inspect.Signature | None:
    """The op's signature with its first input as ``self`` (or ``other``, reflected), so that
    ``help(Value)`` shows ``sigmoid(self, beta=1.0)``, not ``(self, *constants, **kwargs)``."""
    try:
        signature = inspect.signature(fun)
    except (TypeError, ValueError):
        return None
    params = list(signature.parameters.values())
    if not params or params[0].kind is inspect.Parameter.VAR_POSITIONAL:
        return None
    # Inputs are nodes or numbers here, not the floats or arrays `fun` sees: no annotation.
    self_param = params[0].replace(name="self", annotation=inspect.Parameter.empty)
    if len(params) > 1 and params[1].default is inspect.Parameter.empty:
        other = params[1].replace(name="other", annotation=inspect.Parameter.empty)
        params = [self_param, other, *params[2:]]
    else:
        params = [self_param, *params[1:]]
    return signature.replace(parameters=params, return_annotation=inspect.Signature.empty)


def primitive(fun: Callable[..., Any]) -> Primitive:
    """Decorator: make `fun` (on numbers or arrays) an op of both engines; see the module."""
    return Primitive(fun)


def _count_inputs(fun: Callable[..., Any]) -> int | None:
    """Positional parameters without a default are inputs; ``*args`` makes all of them so."""
    try:
        parameters = inspect.signature(fun).parameters.values()
    except (TypeError, ValueError):  # a builtin without a signature: every argument
        return None
    count = 0
    for p in parameters:
        if p.kind is p.VAR_POSITIONAL:
            return None
        if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD) and p.default is p.empty:
            count += 1
    return count


def _checked(grads: Any, count: int, name: str) -> tuple[Any, ...]:
    if isinstance(grads, list) and len(grads) == count:
        return tuple(grads)
    if isinstance(grads, (tuple, list)):
        got = f"a {type(grads).__name__} of {len(grads)}"
    else:
        got = f"{type(grads).__name__} (wrap a single gradient in a tuple: (g * ...,))"
    raise TypeError(
        f"{name}'s VJP: expected a tuple of {count} gradient(s), one per input, got {got}"
    )


def _vjp_per_input(
    g: Any, wanted: tuple, ans: Any, inputs: list, constants: tuple, kwargs: dict
) -> tuple[Any, ...]:
    """A VJP given one rule per input: each wanted input's rule (None: no gradient needed)."""
    return tuple(
        None if rule is None else rule(g, ans, *inputs, *constants, **kwargs) for rule in wanted
    )


def vjp_of_rule(
    g: Any, prim: Primitive, ans: Any, inputs: Sequence[Any], constants: tuple, kwargs: dict
) -> tuple[Any, ...]:
    """The VJP of a node made by `prim` (one rule for every input), called as
    ``vjp_of_rule(g, *node._saved)``: the rule, read when it runs (so `defvjp` again takes
    effect), its result checked: one gradient per input, in a tuple. The engines' lean
    paths use it for an op called with constants (``x.sigmoid(2.0)``)."""
    grads = prim.rule(g, ans, *inputs, *constants, **kwargs)
    if type(grads) is not tuple or len(grads) != len(inputs):
        return _checked(grads, len(inputs), prim.name)
    return grads


def _missing_vjp(_g: Any, name: str) -> tuple[Any, ...]:
    raise RuntimeError(
        f"{name} has no VJP, so no gradient can flow through it: define one with "
        f"@{name}.defvjp (def {name}_vjp(g, ans, *inputs): return (...,))"
    )
