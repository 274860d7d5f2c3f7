"""`Module.state_dict`, `load_state_dict` (in place, all problems in one error) and
`save` / `load` to .npz without pickle, for Tensor and Value parameters."""

from __future__ import annotations

import pickle
import zipfile

import numpy as np
import pytest

import nn
from autograd_lite import Tensor, Value
from nn.layers.activations import ReLU
from nn.layers.tensor import Linear, Sequential


def make_model(seed: int) -> Sequential:
    return Sequential(Linear(3, 4, rng=seed), ReLU(), Linear(4, 2, rng=seed + 1))


def test_state_dict_names_and_copies_every_parameter():
    model = make_model(0)
    state = model.state_dict()
    assert list(state) == ["0.weight", "0.bias", "2.weight", "2.bias"]
    assert state["0.weight"].shape == (4, 3) and state["0.weight"].dtype == np.float32
    np.testing.assert_array_equal(state["2.bias"], model[2].bias.data)
    model[2].bias.data[...] = 99.0  # training on does not change a saved state
    assert not np.any(state["2.bias"] == 99.0)
    assert state["0.weight"] is not model[0].weight.data


def test_value_parameters_are_0d_float_arrays():
    mlp = nn.MLP(2, [3, 1], rng=0)
    state = mlp.state_dict()
    assert list(state)[:3] == [
        "layers.0.neurons.0.w.0",
        "layers.0.neurons.0.w.1",
        "layers.0.neurons.0.b",
    ]
    assert len(state) == len(mlp.parameters())
    value = state["layers.1.neurons.0.b"]
    assert value.shape == () and value.dtype == np.float64
    assert value == mlp.layers[1].neurons[0].b.data


def test_round_trip_between_models():
    source, target = make_model(0), make_model(10)
    x = np.random.default_rng(0).normal(size=(5, 3))
    assert not np.array_equal(source(x).data, target(x).data)
    result = target.load_state_dict(source.state_dict())
    assert result.missing_keys == [] and result.unexpected_keys == []
    np.testing.assert_array_equal(source(x).data, target(x).data)


def test_loading_writes_into_the_existing_arrays():
    model = make_model(0)
    weight = model[0].weight.data
    flat_view = weight.reshape(-1)  # an optimizer may hold views into the parameters
    state = make_model(5).state_dict()
    model.load_state_dict(state)
    assert model[0].weight.data is weight
    np.testing.assert_array_equal(flat_view, state["0.weight"].ravel())


def test_loading_values_and_casting_to_the_parameter_dtype():
    mlp, other = nn.MLP(2, [3, 1], rng=0), nn.MLP(2, [3, 1], rng=1)
    mlp.load_state_dict(other.state_dict())
    assert [p.data for p in mlp.parameters()] == [p.data for p in other.parameters()]
    assert all(type(p.data) is float for p in mlp.parameters())
    model = make_model(0)
    state = {k: v.astype(np.float64) for k, v in make_model(3).state_dict().items()}
    model.load_state_dict(state)
    assert model[0].weight.dtype == np.float32


def test_one_error_lists_every_problem_and_nothing_is_loaded():
    model = make_model(0)
    before = model.state_dict()
    state = make_model(1).state_dict()
    del state["0.bias"], state["2.weight"]
    state["extra.weight"] = np.zeros(2)
    state["0.weight"] = np.zeros((3, 4))
    state["2.bias"] = np.array(["a", "b"])
    with pytest.raises(ValueError, match="does not fit this Sequential") as info:
        model.load_state_dict(state)
    message = str(info.value)
    assert "missing keys (not in the state): 0.bias, 2.weight" in message
    assert "unexpected keys (not parameters of this module): extra.weight" in message
    assert "0.weight: expected shape (4, 3), got shape (3, 4)" in message
    assert "2.bias: expected a real array, got dtype <U1" in message
    for name, value in model.state_dict().items():
        np.testing.assert_array_equal(value, before[name])


def test_non_strict_loading_skips_and_reports_names_but_not_shapes():
    model = make_model(0)
    state = {"0.weight": np.ones((4, 3)), "other": np.ones(1)}
    result = model.load_state_dict(state, strict=False)
    assert result.missing_keys == ["0.bias", "2.weight", "2.bias"]
    assert result.unexpected_keys == ["other"]
    np.testing.assert_array_equal(model[0].weight.data, 1.0)
    with pytest.raises(ValueError, match=r"0.weight: expected shape \(4, 3\), got shape \(3,\)"):
        model.load_state_dict({"0.weight": np.ones(3)}, strict=False)


def test_value_parameters_need_0d_values():
    neuron = nn.Neuron(2, rng=0)
    with pytest.raises(ValueError, match=r"b: expected shape \(\), got shape \(1,\)"):
        neuron.load_state_dict({"w.0": 1.0, "w.1": 2.0, "b": [3.0]})
    neuron.load_state_dict({"w.0": 1.0, "w.1": 2.0, "b": np.float32(3.0)})
    assert neuron.b.data == 3.0


def test_load_state_dict_wants_a_mapping():
    with pytest.raises(TypeError, match="expected a mapping of names to arrays, got list"):
        make_model(0).load_state_dict([("0.weight", np.ones((4, 3)))])


# ---------------------------------------------------------------------------- files


def test_save_and_load_npz(tmp_path):
    source, target = make_model(0), make_model(10)
    path = tmp_path / "model.npz"
    source.save(path)
    assert path.is_file() and list(tmp_path.iterdir()) == [path]  # no partial file left
    with np.load(path, allow_pickle=False) as archive:
        # and the architecture, for nn.load_model
        assert sorted(archive.files) == sorted([*source.state_dict(), "__architecture__"])
    weight = target[0].weight.data
    target.load(str(path))
    assert target[0].weight.data is weight
    for name, value in source.state_dict().items():
        np.testing.assert_array_equal(target.state_dict()[name], value)


def test_save_and_load_a_network_of_values(tmp_path):
    source, target = nn.MLP(2, [4, 1], rng=0), nn.MLP(2, [4, 1], rng=1)
    source.save(tmp_path / "mlp.npz")
    target.load(tmp_path / "mlp.npz")
    assert [p.data for p in target.parameters()] == [p.data for p in source.parameters()]


def test_parameter_names_that_are_numpy_keywords_are_saved(tmp_path):
    class Odd(nn.Module):
        def __init__(self):
            self.file = Tensor(np.ones(2), requires_grad=True)
            self.allow_pickle = Value(3.0)

    Odd().save(tmp_path / "odd.npz")
    other = Odd()
    other.file.data[...] = 0.0
    other.load(tmp_path / "odd.npz")
    np.testing.assert_array_equal(other.file.data, 1.0)


def test_load_checks_the_file_against_the_model(tmp_path):
    make_model(0).save(tmp_path / "small.npz")
    big = Sequential(Linear(3, 5), ReLU(), Linear(5, 2))
    with pytest.raises(ValueError, match=r"0.weight: expected shape \(5, 3\), got shape \(4, 3\)"):
        big.load(tmp_path / "small.npz")


def test_load_refuses_pickles(tmp_path):
    model = make_model(0)
    pickled = tmp_path / "model.npz"  # a pickle under the name of an archive
    pickled.write_bytes(pickle.dumps(model.state_dict()))
    with pytest.raises(ValueError, match=r"neither \.npz nor \.npy.*pickles are refused"):
        model.load(pickled)
    objects = tmp_path / "objects.npz"
    np.savez(objects, **{"0.weight": np.array([object()] * 12, dtype=object).reshape(4, 3)})
    with pytest.raises(ValueError, match="holds pickled object arrays"):
        model.load(objects)


@pytest.mark.parametrize("kind", ["npy", "text", "empty", "broken zip"])
def test_load_rejects_other_files(tmp_path, kind):
    path = tmp_path / "file.npz"
    if kind == "npy":
        with open(path, "wb") as f:
            np.save(f, np.ones(3))
        words = r"got a single \.npy array of shape \(3,\)"
    elif kind == "text":
        path.write_text("weights: 1 2 3\n")
        words = "neither .npz nor .npy"
    elif kind == "empty":
        path.write_bytes(b"")
        words = "neither .npz nor .npy"
    else:
        path.write_bytes(b"PK\x03\x04 truncated")
        words = r"damaged \.npz archive \(truncated\?\)"
    with pytest.raises(ValueError, match=words):
        make_model(0).load(path)


def test_load_of_a_missing_file_is_file_not_found(tmp_path):
    with pytest.raises(FileNotFoundError):
        make_model(0).load(tmp_path / "nothing.npz")


def test_the_archive_holds_plain_npy_members(tmp_path):
    make_model(0).save(tmp_path / "m.npz")
    with zipfile.ZipFile(tmp_path / "m.npz") as archive:
        assert sorted(archive.namelist()) == [
            "0.bias.npy",
            "0.weight.npy",
            "2.bias.npy",
            "2.weight.npy",
            "__architecture__.npy",  # for nn.load_model: a 0-d unicode array, no pickle
        ]


def test_load_names_a_damaged_archive(tmp_path):
    path = tmp_path / "damaged.npz"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("0.weight.npy", b"\x93NUMPY not an array")
    with pytest.raises(ValueError, match=r"is a damaged \.npz archive"):
        make_model(0).load(path)
