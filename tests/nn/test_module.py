"""`Module`: parameters found by walking attributes, modes, zero_grad and repr."""

from __future__ import annotations

import numpy as np
import pytest

import nn
from autograd_lite import Tensor, Value


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


# ------------------------------------------------------------------------ forward hooks


def _calls(model, x):
    """The names of the modules whose forward ran, in the order they returned."""
    names = {id(m): name for name, m in model.named_modules()}
    seen = []
    handles = [
        m.register_forward_hook(lambda module, args, output: seen.append(names[id(module)]))
        for _, m in model.named_modules()
    ]
    model(x)
    for handle in handles:
        handle.remove()
    return seen


def test_every_module_of_both_paths_goes_through_its_call():
    mlp = nn.MLP(2, [2, 1], rng=0)
    assert _calls(mlp, [1.0, 2.0]) == [
        "layers.0.neurons.0",
        "layers.0.neurons.1",
        "layers.0",
        "layers.1.neurons.0",
        "layers.1",
        "",
    ]
    model = nn.Sequential(nn.Flatten(), nn.Linear(4, 3, rng=0), nn.ReLU(), nn.Dropout(0.5))
    assert _calls(model, np.ones((2, 2, 2))) == ["0", "1", "2", "3", ""]


def test_a_hook_sees_the_arguments_and_output_and_can_replace_the_output():
    layer = nn.Linear(3, 2, rng=0)
    x = np.ones((4, 3))
    seen = []
    layer.register_forward_hook(lambda module, args, output: seen.append((module, args, output)))
    out = layer(x)
    ((module, args, output),) = seen
    assert module is layer and args[0] is x and output is out
    with layer.register_forward_hook(lambda module, args, output: output * 0.0):
        assert np.all(layer(x).data == 0.0)
    assert not np.all(layer(x).data == 0.0)  # the context removed the replacing hook
    assert len(seen) == 3  # the first hook stays until removed


def test_removing_a_handle_twice_is_harmless_and_hooks_run_in_order():
    block, order = Block(), []
    first = block.register_forward_hook(lambda *_: order.append("first"))
    block.register_forward_hook(lambda *_: order.append("second"))
    block(Value(1.0))
    first.remove()
    first.remove()
    block(Value(1.0))
    assert order == ["first", "second", "second"]


def test_a_hook_that_is_not_callable_is_a_type_error():
    with pytest.raises(TypeError, match=r"expected a callable hook.*, got int"):
        Block().register_forward_hook(3)


def test_hooks_are_private_state_not_parameters():
    block = Block()
    block.register_forward_hook(lambda *_: None)
    assert [n for n, _ in block.named_parameters()] == [n for n, _ in Block().named_parameters()]
    assert "forward_hooks" not in repr(block)


# ------------------------------------------------------------------------------ buffers


class Counter(nn.Module):
    """A module with non-gradient state: how often it ran, and a running mean of its input."""

    def __init__(self):
        self.scale = Tensor(np.ones(3), requires_grad=True)
        self.register_buffer("running_mean", np.zeros(3))
        self.register_buffer("calls", np.zeros((), dtype=np.int64))
        self.register_buffer("scratch", np.zeros(3), persistent=False)

    def forward(self, x):
        self.running_mean[...] = 0.9 * self.running_mean + 0.1 * x.data.mean(axis=0)
        self.calls += 1
        return x * self.scale


def test_buffers_are_attributes_listed_by_name_and_not_parameters():
    model = nn.Sequential(Counter(), nn.Linear(3, 2, rng=0))
    assert [name for name, _ in model.named_buffers()] == [
        "0.running_mean",
        "0.calls",
        "0.scratch",
    ]
    assert model.buffers()[0] is model[0].running_mean
    assert [name for name, _ in model.named_parameters()] == ["0.scale", "1.weight", "1.bias"]
    model(Tensor(np.ones((2, 3))))
    assert model[0].calls == 1 and np.allclose(model[0].running_mean, 0.1)


def test_state_dict_saves_and_loads_persistent_buffers_in_place():
    source, target = Counter(), Counter()
    for _ in range(3):
        source(Tensor(np.full((2, 3), 2.0)))
    state = source.state_dict()
    assert list(state) == ["scale", "running_mean", "calls"]  # not the scratch buffer
    assert state["running_mean"] is not source.running_mean  # a copy
    kept = target.running_mean
    target.load_state_dict(state)
    assert target.running_mean is kept and np.array_equal(kept, source.running_mean)
    assert target.calls == 3
    with pytest.raises(ValueError, match=r"missing keys \(not in the state\): running_mean"):
        target.load_state_dict({"scale": state["scale"], "calls": state["calls"]})
    with pytest.raises(ValueError, match=r"running_mean: expected shape \(3,\), got shape \(2,\)"):
        target.load_state_dict({**state, "running_mean": np.zeros(2)})


def test_a_buffer_can_be_replaced_or_unset():
    counter = Counter()
    counter.running_mean = np.full(3, 5.0)  # assigning the attribute replaces the buffer
    assert counter.state_dict()["running_mean"].tolist() == [5.0, 5.0, 5.0]
    counter.register_buffer("running_mean", None)
    assert "running_mean" not in counter.state_dict()


@pytest.mark.parametrize(
    ("name", "array", "error", "words"),
    [
        (1, np.zeros(2), TypeError, "expected a str name, got int"),
        ("a.b", np.zeros(2), ValueError, "without dots or a leading _, got 'a.b'"),
        ("_hidden", np.zeros(2), ValueError, "got '_hidden'"),
        ("scale", np.zeros(2), ValueError, "expected a new name, got 'scale', an attribute"),
        ("forward", np.zeros(2), ValueError, "got 'forward', an attribute"),
        ("stats", [0.0, 1.0], TypeError, "expected a NumPy array or None, got list"),
    ],
)
def test_register_buffer_errors(name, array, error, words):
    with pytest.raises(error, match=words):
        Counter().register_buffer(name, array)
