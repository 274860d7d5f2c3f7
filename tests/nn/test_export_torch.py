"""`nn.to_torch` and `nn.from_torch`: the same network, outputs, ``state_dict`` (keys,
layouts, values), hyperparameters and train/eval modes on both sides; clear errors for
layers either side lacks.

Skipped cleanly without PyTorch (``pip install torch``); it is never a dependency.
"""

from __future__ import annotations

from collections import OrderedDict

import numpy as np
import pytest

import nn

torch = pytest.importorskip("torch")
pytestmark = pytest.mark.torch
tnn = torch.nn


def every_layer(dtype=np.float32) -> nn.Sequential:
    return nn.Sequential(
        nn.Flatten(),
        nn.Linear(12, 16, rng=0, dtype=dtype),
        nn.LeakyReLU(0.2),
        nn.Dropout(0.25),
        nn.Sequential(nn.Linear(16, 8, bias=False, rng=1, dtype=dtype), nn.Tanh()),
        nn.Linear(8, 8, rng=2, dtype=dtype),
        nn.Sigmoid(),
        nn.Linear(8, 6, rng=3, dtype=dtype),
        nn.ReLU(),
        nn.Softmax(axis=1),
        nn.LogSoftmax(axis=-1),
    )


def run_torch(module, x: np.ndarray) -> np.ndarray:
    with torch.no_grad():
        return module(torch.from_numpy(x)).numpy()


def images(n: int, dtype=np.float32) -> np.ndarray:
    return np.random.default_rng(n).normal(size=(n, 3, 4)).astype(dtype)


def rows(n: int, features: int) -> np.ndarray:
    return np.random.default_rng(n).normal(size=(n, features)).astype(np.float32)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_to_torch_gives_the_same_outputs(dtype):
    model = every_layer(dtype).eval()
    torch_model = nn.to_torch(model)
    for n in (1, 5):
        x = images(n, dtype)
        y = run_torch(torch_model, x)
        assert y.dtype == dtype
        np.testing.assert_allclose(y, model(x).data, rtol=1e-5, atol=1e-5)


def test_state_dict_keys_layouts_and_values_are_pytorchs():
    model = every_layer()
    ours, theirs = model.state_dict(), nn.to_torch(model).state_dict()
    assert list(theirs) == list(ours)
    assert list(ours) == [
        "1.weight",
        "1.bias",
        "4.0.weight",  # a nested Sequential, without bias
        "5.weight",
        "5.bias",
        "7.weight",
        "7.bias",
    ]
    assert ours["1.weight"].shape == (16, 12)  # (out, in): torch.nn.Linear.weight
    for name, value in ours.items():
        np.testing.assert_array_equal(theirs[name].numpy(), value)
    # and the converse: PyTorch's own state_dict loads into our model as it is
    reference = tnn.Sequential(tnn.Linear(3, 4), tnn.ReLU(), tnn.Linear(4, 2))
    target = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2))
    target.load_state_dict({k: v.numpy() for k, v in reference.state_dict().items()})
    x = rows(4, 3)
    np.testing.assert_allclose(target(x).data, run_torch(reference, x), rtol=1e-5, atol=1e-6)


def test_hyperparameters_and_types_carry_over():
    torch_model = nn.to_torch(every_layer())
    kinds = [type(m).__name__ for m in torch_model]
    assert kinds == [
        "Flatten",
        "Linear",
        "LeakyReLU",
        "Dropout",
        "Sequential",
        "Linear",
        "Sigmoid",
        "Linear",
        "ReLU",
        "Softmax",
        "LogSoftmax",
    ]
    assert (torch_model[0].start_dim, torch_model[0].end_dim) == (1, -1)
    assert torch_model[2].negative_slope == 0.2
    assert torch_model[3].p == 0.25
    assert torch_model[4][0].bias is None
    assert (torch_model[9].dim, torch_model[10].dim) == (1, -1)
    assert all(p.requires_grad for p in torch_model.parameters())  # ready to train on
    flatten = nn.to_torch(nn.Flatten(0, 1))
    assert (flatten.start_dim, flatten.end_dim) == (0, 1)


def test_train_and_eval_modes_carry_over_per_module():
    model = every_layer()
    assert all(m.training for m in nn.to_torch(model).modules())
    model.eval()
    assert not any(m.training for m in nn.to_torch(model).modules())
    model.train()
    model[3].eval()  # only the dropout
    torch_model = nn.to_torch(model)
    assert [m.training for m in torch_model] == [i != 3 for i in range(len(model))]
    back = nn.from_torch(torch_model)
    assert [m.training for m in back] == [i != 3 for i in range(len(model))]


def test_dropout_is_active_in_train_mode():
    torch_model = nn.to_torch(nn.Sequential(nn.Dropout(0.5)))
    x = np.ones((200, 10), dtype=np.float32)
    y = run_torch(torch_model, x)
    assert set(np.unique(y)) == {0.0, 2.0}
    np.testing.assert_array_equal(run_torch(torch_model.eval(), x), x)


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_from_torch_gives_the_same_outputs(dtype):
    torch.manual_seed(0)
    reference = tnn.Sequential(
        tnn.Flatten(),
        tnn.Linear(12, 10),
        tnn.ReLU(inplace=True),
        tnn.Dropout(0.1),
        tnn.Sequential(tnn.Linear(10, 7, bias=False), tnn.LeakyReLU(0.3)),
        tnn.Linear(7, 7),
        tnn.Tanh(),
        tnn.Linear(7, 5),
        tnn.Sigmoid(),
        tnn.Softmax(dim=-1),
        tnn.LogSoftmax(dim=1),
    ).to(dtype)
    reference.eval()
    model = nn.from_torch(reference)
    assert repr(model).count("Linear(") == 4
    assert model[1].weight.dtype == np.dtype(str(dtype).removeprefix("torch."))
    assert list(model.state_dict()) == list(reference.state_dict())
    assert (model[3].p, model[4][1].negative_slope, model[9].axis) == (0.1, 0.3, -1)
    assert not any(m.training for m in model.modules())
    for n in (2, 6):
        x = images(n, model[1].weight.dtype)
        np.testing.assert_allclose(model(x).data, run_torch(reference, x), rtol=1e-5, atol=1e-6)
    # the weights are copies: training on in PyTorch does not change ours
    with torch.no_grad():
        reference[1].weight.add_(1.0)
    assert not np.allclose(model[1].weight.data, reference[1].weight.detach().numpy())


def test_round_trips_keep_every_value():
    model = every_layer()
    again = nn.from_torch(nn.to_torch(model))
    assert repr(again) == repr(model)
    for name, value in model.state_dict().items():
        np.testing.assert_array_equal(again.state_dict()[name], value)


def test_an_ordered_dict_sequential_is_numbered():
    reference = tnn.Sequential(
        OrderedDict([("hidden", tnn.Linear(3, 4)), ("act", tnn.ReLU()), ("out", tnn.Linear(4, 2))])
    ).eval()
    model = nn.from_torch(reference)
    assert list(model.state_dict()) == ["0.weight", "0.bias", "2.weight", "2.bias"]
    x = rows(4, 3)
    np.testing.assert_allclose(model(x).data, run_torch(reference, x), rtol=1e-5, atol=1e-6)


def test_a_layer_used_twice_stays_shared():
    block = nn.Linear(4, 4, rng=0)
    model = nn.Sequential(block, nn.Tanh(), block)
    torch_model = nn.to_torch(model)
    assert torch_model[0] is torch_model[2]
    back = nn.from_torch(torch_model)
    assert back[0] is back[2] and len(back) == 3
    x = rows(3, 4)
    np.testing.assert_allclose(run_torch(torch_model, x), model(x).data, rtol=1e-5, atol=1e-6)


class Square(nn.Module):
    def forward(self, x):
        return x * x


class MyLinear(nn.Linear):
    """A subclass: its forward may differ, so it is not converted as a Linear."""


def test_to_torch_names_an_unsupported_layer_and_where_it_is():
    model = nn.Sequential(nn.Linear(2, 3), nn.Sequential(nn.ReLU(), Square()))
    with pytest.raises(TypeError, match=r"got Square at '1\.1' in the model") as info:
        nn.to_torch(model)
    assert "expected layers of the types Sequential, Linear, ReLU" in str(info.value)
    with pytest.raises(TypeError, match="got MyLinear at '0' in the model"):
        nn.to_torch(nn.Sequential(MyLinear(2, 2)))
    with pytest.raises(TypeError, match="got MLP as the model itself"):
        nn.to_torch(nn.MLP(2, [3, 1]))


def test_to_torch_refuses_what_pytorch_lacks():
    with pytest.raises(ValueError, match=r"expected Sigmoid with beta=1 .* got beta=2\.0 at '2'"):
        nn.to_torch(nn.Sequential(nn.Linear(2, 2), nn.ReLU(), nn.Sigmoid(beta=2.0)))
    with pytest.raises(ValueError, match="expected float32 or float64 weights, got float16"):
        nn.to_torch(nn.Linear(2, 2, dtype=np.float16))


def test_from_torch_names_an_unsupported_layer_and_where_it_is():
    reference = tnn.Sequential(tnn.Linear(2, 3), tnn.Sequential(tnn.ReLU(), tnn.GELU()))
    with pytest.raises(TypeError, match=r"got GELU at '1\.1' in the model"):
        nn.from_torch(reference)
    with pytest.raises(TypeError, match="got Conv2d as the model itself"):
        nn.from_torch(tnn.Conv2d(1, 1, 3))
    with pytest.raises(TypeError, match=r"got ModuleList at '0'"):
        nn.from_torch(tnn.Sequential(tnn.ModuleList([tnn.ReLU()])))
    with pytest.raises(TypeError, match=r"expected a torch\.nn\.Module, got ndarray"):
        nn.from_torch(np.ones(3))


def test_from_torch_refuses_what_we_lack():
    with pytest.raises(ValueError, match=r"expected Softmax with an int dim, got dim=None"):
        nn.from_torch(tnn.Sequential(tnn.Linear(2, 2), tnn.Softmax()))
    with pytest.raises(ValueError, match=r"got torch\.bfloat16 in Linear at '0'.*\.float\(\)"):
        nn.from_torch(tnn.Sequential(tnn.Linear(2, 2).to(torch.bfloat16)))
