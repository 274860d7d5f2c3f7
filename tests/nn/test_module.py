"""`Module`: parameters found by walking attributes, modes, zero_grad and repr."""

from __future__ import annotations

import pytest

import nn
from autograd_lite import Value


class Block(nn.Module):
    def __init__(self):
        self.scale = Value(2.0)
        self.pair = (Value(1.0), Value(3.0))
        self.table = {"a": Value(4.0), "b": [Value(5.0)]}
        self._private = Value(9.0)  # underscore attributes are state, not parameters
        self.note = "not a parameter"

    def forward(self, x):
        return x * self.scale


class Net(nn.Module):
    def __init__(self):
        self.first = Block()
        self.blocks = [Block(), Block()]
        self.alias = self.first  # the same module twice: its parameters count once
        self.tied = self.first.scale

    def forward(self, x):
        return self.blocks[1](self.first(x))


def test_named_parameters_have_dotted_names_in_attribute_order():
    names = [name for name, _ in Block().named_parameters()]
    assert names == ["scale", "pair.0", "pair.1", "table.a", "table.b.0"]


def test_each_parameter_is_listed_once():
    net = Net()
    params = net.parameters()
    assert len(params) == 15
    assert len({id(p) for p in params}) == 15
    names = [name for name, _ in net.named_parameters()]
    assert names[0] == "first.scale" and "blocks.1.table.b.0" in names
    assert not any(name.startswith(("alias", "tied")) for name in names)


def test_named_modules_and_children():
    net = Net()
    assert [name for name, _ in net.named_modules()] == ["", "first", "blocks.0", "blocks.1"]
    assert [name for name, _ in net.named_children()] == ["first", "blocks.0", "blocks.1", "alias"]


def test_zero_grad_resets_every_parameter():
    net = Net()
    net(Value(1.0)).backward()
    assert net.first.scale.grad != 0.0
    net.zero_grad()
    assert all(p.grad == 0.0 for p in net.parameters())


def test_train_and_eval_set_the_mode_everywhere():
    net = Net()
    assert net.training
    assert net.eval() is net
    assert not any(m.training for m in net.modules())
    net.train()
    assert all(m.training for m in net.modules())


def test_a_module_without_forward_is_a_clear_error():
    class Empty(nn.Module):
        pass

    with pytest.raises(TypeError, match="Empty is a Module but defines no forward"):
        Empty()(1.0)


def test_repr_lists_children():
    text = repr(Net())
    assert text.startswith("Net(\n  (first): Block()")
