"""`help(Value)` and IDE completion show every method and operator the op registry binds.

The registry binds them at import (one place to add an op); the class body declares them
under ``TYPE_CHECKING`` for IDEs and type checkers, and this test keeps the two in step.
"""

from __future__ import annotations

import ast
import inspect
import pydoc

import pytest

from autograd_lite import Tensor, Value, scalar_ops, tensor_ops

ENGINES = [(Value, scalar_ops.OPS), (Tensor, tensor_ops.OPS)]


def _declared_for_type_checkers(cls: type) -> set[str]:
    tree = ast.parse(inspect.getsource(cls))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and ast.unparse(node.test) == "TYPE_CHECKING":
            names |= {f.name for f in node.body if isinstance(f, ast.FunctionDef)}
    return names


@pytest.mark.parametrize(("cls", "ops"), ENGINES, ids=lambda x: getattr(x, "__name__", ""))
def test_every_bound_method_is_declared_for_ides(cls, ops):
    bound = set(ops.methods()) | set(ops.dunders())
    assert bound, "the registry binds methods"
    assert _declared_for_type_checkers(cls) == bound


@pytest.mark.parametrize(("cls", "ops"), ENGINES, ids=lambda x: getattr(x, "__name__", ""))
def test_help_shows_every_method_with_its_docstring_and_signature(cls, ops):
    text = pydoc.render_doc(cls, renderer=pydoc.plaintext)
    for name in [*ops.methods(), *ops.dunders()]:
        assert f"{name}(" in text or f"{name} = " in text, name
    for name in ops.methods():
        method = getattr(cls, name)
        assert method.__doc__, f"{name} has a docstring"
        params = list(inspect.signature(method).parameters)
        assert "constants" not in params and "kwargs" not in params, name
