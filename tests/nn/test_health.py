"""`grad_report` and `nn.watch`: gradient and parameter norms, update ratios, dead ReLUs
seen by forward hooks, and the flags, for the scalar and the tensor path."""

from __future__ import annotations

import math

import numpy as np
import pytest

import nn
from autograd_lite import Tensor, Value
from nn.health import GradReport, Watch, grad_report


def value_mlp_loss(model: nn.MLP, rng: int = 0) -> Watch:
    """One full-batch step of a Value MLP, recorded by a watch."""
    X = np.random.default_rng(rng).standard_normal((6, 2))
    with nn.watch(model) as watch:
        loss = sum((((model(list(map(Value, x))) - 1.0) ** 2) for x in X), Value(0.0)) * (1 / 6)
        loss.backward()
    return watch


def tensor_model(dead_units: int = 0) -> tuple[nn.Sequential, Watch]:
    model = nn.Sequential(
        nn.Linear(3, 4, rng=0, dtype=np.float64),
        nn.ReLU(),
        nn.Linear(4, 1, rng=1, dtype=np.float64),
    )
    model[0].bias.data[:dead_units] = -100.0  # these units never fire
    x = Tensor(np.random.default_rng(2).standard_normal((16, 3)))
    with nn.watch(model) as watch:
        (model(x) ** 2).mean().backward()
    return model, watch


def test_value_parameters_are_grouped_by_layer_with_their_norms():
    model = nn.MLP(2, [4, 3, 1], rng=0)
    report = value_mlp_loss(model).report(lr=0.1)
    assert [(p.name, p.shape) for p in report.params] == [
        ("layers.0.neurons.w", (4, 2)),
        ("layers.0.neurons.b", (4,)),
        ("layers.1.neurons.w", (3, 4)),
        ("layers.1.neurons.b", (3,)),
        ("layers.2.neurons.w", (1, 3)),
        ("layers.2.neurons.b", (1,)),
    ]
    first = report.params[0]
    weights = [w for n in model.layers[0].neurons for w in n.w]
    assert first.grad_norm == pytest.approx(math.hypot(*[w.grad for w in weights]))
    assert first.param_norm == pytest.approx(math.hypot(*[w.data for w in weights]))
    assert first.update_ratio == pytest.approx(0.1 * first.grad_norm / first.param_norm)


def test_tensor_parameters_are_rows_of_their_own():
    model, watch = tensor_model()
    report = grad_report(model, watch=watch)
    assert [(p.name, p.shape) for p in report.params] == [
        ("0.weight", (4, 3)),
        ("0.bias", (4,)),
        ("2.weight", (1, 4)),
        ("2.bias", (1,)),
    ]
    assert report.params[0].grad_norm == pytest.approx(np.linalg.norm(model[0].weight.grad))
    assert all(p.update_ratio is None for p in report.params)  # neither lr nor previous


def test_updates_are_measured_between_two_reports():
    model, _ = tensor_model()
    before = grad_report(model)
    old = model[0].weight.data.copy()
    model[0].weight.data -= 0.01 * model[0].weight.grad
    after = grad_report(model, previous=before)
    expected = np.linalg.norm(model[0].weight.data - old) / np.linalg.norm(old)
    assert after.params[0].update_ratio == pytest.approx(expected)
    assert after.params[1].update_ratio == 0.0  # the bias did not move


def test_dead_relus_are_seen_by_hooks_on_the_relu_module_with_the_layer_it_read():
    _, watch = tensor_model(dead_units=3)
    (relu,) = watch.report().relus
    assert (relu.name, relu.after, relu.units, relu.dead) == ("1", "0", 4, 3)
    assert relu.flags == ("dead units (>= 50%)",)
    assert relu.zero_fraction >= 3 / 4
    _, watch = tensor_model(dead_units=0)
    assert watch.report().relus[0].flags == ()


def test_dead_relus_are_found_per_neuron_in_value_networks():
    model = nn.MLP(2, [5, 1], rng=0)
    (before,) = value_mlp_loss(model).report().relus
    assert (before.name, before.after, before.units) == ("layers.0", None, 5)
    assert before.dead < 5 and not before.flags
    for neuron in model.layers[0].neurons[:3]:
        neuron.b.data = -100.0  # these neurons never fire now
    (after,) = value_mlp_loss(model).report().relus
    assert after.dead >= 3 and after.zero_fraction >= 3 / 5
    assert after.flags == ("dead units (>= 50%)",)


def test_a_unit_is_dead_only_if_no_recorded_batch_fired_it():
    model = nn.Sequential(nn.Linear(1, 1, rng=0, dtype=np.float64), nn.ReLU())
    model[0].weight.data[...] = 1.0
    model[0].bias.data[...] = 0.0
    with nn.watch(model) as watch:
        model(np.array([[-1.0], [-2.0]]))
        assert watch.relus()[0].dead == 1
        model(np.array([[3.0]]))  # fires once, in the second batch
    (row,) = watch.relus()
    assert (row.dead, row.zero_fraction) == (0, pytest.approx(2 / 3))
    model(np.array([[-5.0]]))  # after the watch: not recorded
    assert watch.relus()[0].zero_fraction == pytest.approx(2 / 3)
    assert not model[1].__dict__.get("_forward_hooks")  # the hooks are gone


def test_a_relu_used_twice_gets_a_row_per_layer_it_read():
    act = nn.ReLU()
    model = nn.Sequential(nn.Linear(2, 3, rng=0), act, nn.Linear(3, 5, rng=1), act)
    with nn.watch(model) as watch:
        model(np.ones((4, 2), np.float32))
    assert [(r.name, r.after, r.units) for r in watch.relus()] == [("1", "0", 3), ("1", "2", 5)]
    with watch:  # the ReLU on data of two widths: a row for each
        act(np.ones((2, 3)))
        act(-np.ones((2, 4)))
    assert [(r.after, r.units, r.dead) for r in watch.relus()[2:]] == [(None, 3, 0), (None, 4, 4)]


def test_a_relu_inside_a_custom_forward_is_not_a_module_and_is_not_seen():
    class Net(nn.Module):
        def __init__(self):
            self.fc = nn.Linear(2, 3, rng=0)

        def forward(self, x):
            return nn.functional.relu(self.fc(x))

    model = Net()
    with nn.watch(model) as watch:
        model(np.ones((2, 2), np.float32))
    assert watch.relus() == [] and watch.report().relus == []


def test_the_loss_argument_is_deprecated_and_the_report_still_has_its_parameter_rows():
    model, _ = tensor_model()
    loss = (model(np.ones((2, 3))) ** 2).mean()
    loss.backward()
    with pytest.warns(DeprecationWarning, match=r"loss argument is deprecated.*nn\.watch\(model\)"):
        report = grad_report(model, loss, lr=0.1)
    assert [p.name for p in report.params] == ["0.weight", "0.bias", "2.weight", "2.bias"]
    assert report.relus == []


@pytest.mark.parametrize(
    ("scale", "flag"),
    [(1e-12, "vanishing (< 1e-07)"), (1e6, "exploding (> 1000)"), (0.0, "zero gradient")],
)
def test_gradient_sizes_are_flagged(scale, flag):
    model = nn.Sequential(nn.Linear(3, 2, rng=0, dtype=np.float64))
    x = Tensor(np.ones((4, 3)))
    (model(x).sum() * scale).backward()
    report = grad_report(model)
    assert all(flag in p.flags for p in report.params)
    assert not report.ok and len(report.flagged) == 2


def test_missing_and_non_finite_gradients_are_flagged():
    model = nn.Sequential(nn.Linear(3, 2, rng=0, dtype=np.float64), nn.Linear(2, 2, rng=1))
    model[0](Tensor(np.ones((1, 3)))).sum().backward()  # the second layer is not used
    model[0].bias.grad[0] = np.nan
    flags = {p.name: p.flags for p in grad_report(model).params}
    assert flags["0.bias"] == ("non-finite gradient",)
    assert flags["1.weight"] == ("no gradient",) and flags["1.bias"] == ("no gradient",)


def test_update_ratios_out_of_range_are_flagged():
    model, watch = tensor_model()
    big = watch.report(lr=10.0)
    tiny = grad_report(model, watch=watch, lr=1e-9)
    assert all("large updates (> 0.01)" in p.flags for p in big.params)
    assert all("small updates (< 1e-05)" in p.flags for p in tiny.params)


def test_the_report_reads_as_a_table():
    model, watch = tensor_model(dead_units=2)
    text = str(watch.report(lr=1e-3))
    lines = text.splitlines()
    assert lines[0] == "gradient health (lr=0.001)"
    assert lines[1].split() == ["parameter", "shape", "|grad|", "|param|", "update/param", "flags"]
    assert ["ReLU", "after", "units", "dead", "zero", "outputs", "flags"] in [
        line.split() for line in lines
    ]
    assert any(line.split()[:5] == ["1", "0", "4", "2", "(50.0%)"] for line in lines)
    bias = next(line for line in lines if line.startswith("0.bias "))
    assert bias.split()[1:4] == ["(4,)", f"{np.linalg.norm(model[0].bias.grad):.2e}", "1.41e+02"]
    assert bias.endswith("small updates (< 1e-05)")
    assert lines[-1] == "2 row(s) flagged"  # the huge dead bias, and the dead ReLUs
    assert isinstance(grad_report(model), GradReport)


def test_bad_arguments_are_clear_errors():
    with pytest.raises(TypeError, match=r"expected an nn\.Module, got list"):
        grad_report([Value(1.0)])
    with pytest.raises(ValueError, match="expected lr > 0, got -1"):
        grad_report(nn.MLP(1, [1], rng=0), lr=-1)
    with pytest.raises(TypeError, match=r"expected lr to be a real number, got '0\.1'"):
        grad_report(nn.MLP(1, [1], rng=0), lr="0.1")
    with pytest.raises(ValueError, match=r"expected dead_fraction in \[0, 1\], got 2"):
        grad_report(nn.MLP(1, [1], rng=0), dead_fraction=2)
    model, watch = tensor_model()
    with pytest.raises(ValueError, match="expected a watch of this MLP, got a watch of another"):
        grad_report(nn.MLP(1, [1], rng=0), watch=watch)
    with pytest.raises(TypeError, match=r"expected watch to be a Watch .*, got list"):
        grad_report(model, watch=[])
    with pytest.raises(TypeError, match=r"watch: expected an nn\.Module, got list"):
        nn.watch([model])
    with watch, pytest.raises(RuntimeError, match="expected a watch that is off"):
        watch.start()
