"""`Module.save` / `load` choose the format by the suffix, write atomically, and name the
missing folder rather than their internal ``.partial`` file."""

from __future__ import annotations

import re

import numpy as np
import pytest

import nn
import nn.module
from nn.module import FORMATS

SUFFIXES = [".npz", ".safetensors"]


def make_model(seed: int) -> nn.Sequential:
    return nn.Sequential(nn.Linear(3, 4, rng=seed), nn.ReLU(), nn.Linear(4, 2, rng=seed + 1))


def assert_same_state(model: nn.Module, state: dict[str, np.ndarray]) -> None:
    now = model.state_dict()
    assert list(now) == list(state)
    for name, value in state.items():
        np.testing.assert_array_equal(now[name], value)


def test_the_formats():
    assert FORMATS == (".npz", ".safetensors")


@pytest.mark.parametrize("suffix", SUFFIXES)
def test_each_suffix_round_trips(tmp_path, suffix):
    source, target = make_model(0), make_model(10)
    path = tmp_path / f"model{suffix}"
    source.save(path)
    assert list(tmp_path.iterdir()) == [path]  # no partial file left
    assert target.load(str(path)) == ([], [])
    assert_same_state(target, source.state_dict())


def test_the_suffix_chooses_the_format(tmp_path):
    make_model(0).save(tmp_path / "a.npz")
    make_model(0).save(tmp_path / "a.safetensors")
    assert (tmp_path / "a.npz").read_bytes()[:4] == b"PK\x03\x04"  # a zip archive
    assert (tmp_path / "a.safetensors").read_bytes()[8:9] == b"{"  # length, then JSON header


def test_suffixes_are_case_insensitive(tmp_path):
    make_model(0).save(tmp_path / "m.NPZ")
    make_model(0).save(tmp_path / "m.SafeTensors")
    make_model(1).load(tmp_path / "m.SafeTensors")


@pytest.mark.parametrize("name", ["model", "model.pt", "model.pkl", "model.npz.bak", "npz"])
def test_other_suffixes_are_a_clear_error(tmp_path, name):
    model = make_model(0)
    words = r"expected a file name ending in \.npz or \.safetensors .* got '.*"
    with pytest.raises(ValueError, match="save: " + words + re.escape(name)):
        model.save(tmp_path / name)
    assert list(tmp_path.iterdir()) == []
    (tmp_path / name).write_bytes(b"whatever")
    with pytest.raises(ValueError, match="load: " + words + re.escape(name)):
        model.load(tmp_path / name)


@pytest.mark.parametrize("suffix", SUFFIXES)
def test_saving_into_a_missing_folder_names_the_folder(tmp_path, suffix):
    folder = tmp_path / "runs" / "today"
    with pytest.raises(FileNotFoundError) as info:
        make_model(0).save(folder / f"model{suffix}")
    message = str(info.value)
    assert f"got a missing folder: {folder}" in message
    assert ".partial" not in message
    assert not (tmp_path / "runs").exists()  # not created


def test_saving_under_a_file_names_it(tmp_path):
    (tmp_path / "notes").write_text("a file, not a folder")
    with pytest.raises(NotADirectoryError, match=re.escape(f"got a file: {tmp_path / 'notes'}")):
        make_model(0).save(tmp_path / "notes" / "model.npz")


def test_saving_onto_a_folder_names_it(tmp_path):
    (tmp_path / "model.npz").mkdir()
    with pytest.raises(IsADirectoryError, match="expected a file name, got the folder"):
        make_model(0).save(tmp_path / "model.npz")


@pytest.mark.parametrize("suffix", SUFFIXES)
def test_a_failed_save_keeps_the_old_file(tmp_path, monkeypatch, suffix):
    path = tmp_path / f"model{suffix}"
    make_model(0).save(path)
    before = path.read_bytes()

    def crash(*args):
        (tmp_path / f"model{suffix}.partial").write_bytes(b"half a checkpoint")
        raise OSError("disk full")

    monkeypatch.setattr(nn.module, "_write_npz", crash)
    monkeypatch.setattr(nn.module._import_safetensors("test").numpy, "save_file", crash)
    with pytest.raises(OSError, match="disk full"):
        make_model(1).save(path)
    assert path.read_bytes() == before
    assert list(tmp_path.iterdir()) == [path]


@pytest.mark.parametrize("suffix", SUFFIXES)
def test_a_missing_file_is_file_not_found(tmp_path, suffix):
    with pytest.raises(FileNotFoundError):
        make_model(0).load(tmp_path / f"nothing{suffix}")


@pytest.mark.parametrize("suffix", SUFFIXES)
def test_a_mismatched_file_names_the_file_and_loads_nothing(tmp_path, suffix):
    path = tmp_path / f"small{suffix}"
    make_model(0).save(path)
    big = nn.Sequential(nn.Linear(3, 5, rng=1), nn.ReLU(), nn.Linear(5, 2, rng=2))
    before = big.state_dict()
    with pytest.raises(ValueError) as info:
        big.load(path)
    message = str(info.value)
    assert f"load: the file {path} does not fit this Sequential; nothing was loaded" in message
    assert "0.weight: expected shape (5, 3), got shape (4, 3)" in message
    assert "0.bias: expected shape (5,), got shape (4,)" in message
    assert "2.weight: expected shape (2, 5), got shape (2, 4)" in message
    assert_same_state(big, before)


@pytest.mark.parametrize("suffix", SUFFIXES)
def test_wrong_keys_are_listed_and_non_strict_loads_skip_them(tmp_path, suffix):
    path = tmp_path / f"other{suffix}"
    nn.Sequential(nn.Linear(3, 4, rng=5), nn.Tanh(), nn.ReLU(), nn.Linear(4, 2)).save(path)
    model = make_model(0)
    before = model.state_dict()
    with pytest.raises(ValueError) as info:
        model.load(path)
    message = str(info.value)
    assert "missing keys (not in the state): 2.weight, 2.bias" in message
    # safetensors keeps its tensors sorted by name: the order of the unexpected ones varies
    assert re.search(r"unexpected keys \(not parameters of this module\): 3\.\w+, 3\.\w+", message)
    assert_same_state(model, before)
    result = model.load(path, strict=False)
    assert result.missing_keys == ["2.weight", "2.bias"]
    assert sorted(result.unexpected_keys) == ["3.bias", "3.weight"]
    np.testing.assert_array_equal(model[0].weight.data, make_model(5)[0].weight.data)
    np.testing.assert_array_equal(model[2].weight.data, before["2.weight"])


def test_a_truncated_npz_is_called_damaged(tmp_path):
    path = tmp_path / "cut.npz"
    make_model(0).save(path)
    path.write_bytes(path.read_bytes()[:-40])
    model = make_model(1)
    before = model.state_dict()
    with pytest.raises(ValueError, match=re.escape(f"load: {path} is a damaged .npz archive")):
        model.load(path)
    assert_same_state(model, before)
