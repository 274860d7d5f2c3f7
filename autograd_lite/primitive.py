"""`primitive`: make a function on plain numbers or arrays an op of both engines.

In the shape of HIPS autograd's ``primitive`` / ``defvjp``::

    @primitive
    def softsign(x):
        return x / (1 + abs(x))

    @softsign.defvjp
    def softsign_vjp(g, ans, x):  # g = d loss / d ans; one gradient per positional input
        return (g / (1 + abs(x)) ** 2,)

Called on plain numbers or arrays, ``softsign`` is the plain function. Called with a `Value`
or a `Tensor` among its positional arguments, it returns a node of that engine: the forward
runs on the inputs' data, and the VJP is called during ``backward()`` with the gradient, the
answer and the same data (never the nodes: a VJP that held its own node would be a reference
cycle). Keyword arguments are constants, passed to both. The engine sums a tensor gradient
over broadcast axes itself, so a VJP may return gradients in the answer's shape.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from autograd_lite.engine import Node

__all__ = ["Primitive", "primitive"]

VJP = Callable[..., Any]


class Primitive:
    """A function of numbers or arrays that records itself on `Value`s and `Tensor`s.

    Use the `primitive` decorator to make one; `defvjp` gives it its derivative.
    """

    def __init__(self, fun: Callable[..., Any], name: str | None = None) -> None:
        if not callable(fun):
            raise TypeError(f"primitive: expected a function, got {type(fun).__name__}")
        functools.update_wrapper(self, fun)
        self.fun = fun
        self.name = name or getattr(fun, "__name__", "primitive")
        self.vjp_rule: VJP | None = None

    def defvjp(self, vjp: VJP) -> VJP:
        """Give this op its VJP ``vjp(g, ans, *inputs, **constants) -> tuple``: one gradient
        per positional input (``None`` for an input that has none). Usable as a decorator."""
        if not callable(vjp):
            raise TypeError(f"defvjp: expected a function, got {type(vjp).__name__}")
        self.vjp_rule = vjp
        return vjp

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        for arg in args:
            if isinstance(arg, Node):
                return type(arg)._apply(self, args, kwargs)
        return self.fun(*args, **kwargs)

    def bind_vjp(self, ans: Any, inputs: list[Any], kwargs: dict[str, Any]) -> VJP:
        """The node's VJP: `g` -> one gradient per input, checked against the VJP's promise.

        It closes over the answer and the inputs' data, never over a node.
        """
        rule, name, count = self.vjp_rule, self.name, len(inputs)
        if rule is None:
            return functools.partial(_missing_vjp, name)

        def vjp(g: Any) -> tuple[Any, ...]:
            grads = rule(g, ans, *inputs, **kwargs)
            if not isinstance(grads, (tuple, list)) or len(grads) != count:
                raise TypeError(
                    f"{name}'s VJP: expected a tuple of {count} gradient(s), one per positional "
                    f"input, got {_describe(grads)}"
                )
            return tuple(grads)

        return vjp

    def __repr__(self) -> str:
        return f"<primitive {self.name}>"


def primitive(fun: Callable[..., Any]) -> Primitive:
    """Decorator: make `fun` (on numbers or arrays) an op of both engines; see the module."""
    return Primitive(fun)


def _missing_vjp(name: str, _g: Any) -> tuple[Any, ...]:
    raise RuntimeError(
        f"{name} has no VJP, so no gradient can flow through it: define one with "
        f"@{name}.defvjp (def {name}_vjp(g, ans, *inputs): return (...,))"
    )


def _describe(grads: Any) -> str:
    if isinstance(grads, (tuple, list)):
        return f"a {type(grads).__name__} of {len(grads)}"
    return f"{type(grads).__name__} (wrap a single gradient in a tuple: (g * ...,))"
