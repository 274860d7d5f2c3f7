"""MNIST: the offline copy, raw and .gz files, downloads from a local server, bad files."""

from __future__ import annotations

import contextlib
import functools
import gzip
import hashlib
import http.server
import socket
import struct
import threading
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from nn.data import load_mnist, mnist_search_dirs, parse_idx, read_idx
from nn.data import mnist as mnist_module
from nn.data.idx import IDX_DTYPES
from nn.data.mnist import DATA_ENV_VAR, MNIST_FILES, MNIST_SHA256, SHIPPED_DIR

SMALL = "t10k-labels-idx1-ubyte"  # the smallest file: the one the download tests fetch


# ---------------------------------------------------------------------------------------------
# Helpers: a local HTTP mirror, a port nobody listens on, folders of links to the shipped copy


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        self.server.requests.append(self.path)  # type: ignore[attr-defined]
        super().do_GET()


@contextlib.contextmanager
def serve(directory: Path) -> Iterator[tuple[str, list[str]]]:
    """Serve `directory` on 127.0.0.1 (a free port); yield its URL and the paths requested."""
    handler = functools.partial(_QuietHandler, directory=str(directory))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.requests = []  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, args=(0.01,), daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/", server.requests  # type: ignore[attr-defined]
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def closed_port_url() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/"


def link_files(source: Path, folder: Path, names: tuple[str, ...] | list[str]) -> None:
    """Symlink `names` (.gz) from the shipped copy: no copying, and the loader's cache hits."""
    folder.mkdir(parents=True, exist_ok=True)
    for name in names:
        (folder / f"{name}.gz").symlink_to(source / f"{name}.gz")


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith(".") or "part" in p.name)


@pytest.fixture(autouse=True)
def _no_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    # A proxy in the environment must not intercept requests to the local test server.
    for var in ("http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")


@pytest.fixture(scope="module")
def mirror(mnist_dir: Path) -> Iterator[tuple[str, list[str]]]:
    with serve(mnist_dir) as server:
        yield server


# ---------------------------------------------------------------------------------------------
# The offline copy


def test_shapes_dtypes_and_ranges(mnist):
    X_train, y_train, X_test, y_test = mnist
    assert X_train.shape == (60_000, 784) and X_test.shape == (10_000, 784)
    assert y_train.shape == (60_000,) and y_test.shape == (10_000,)
    assert X_train.dtype == X_test.dtype == np.float32
    assert y_train.dtype == y_test.dtype == np.int64
    assert X_train.min() == 0.0 and X_train.max() == 1.0
    assert set(np.unique(y_train)) == set(range(10)) == set(np.unique(y_test))


def test_known_facts(mnist):
    X_train, y_train, _, y_test = mnist
    assert y_train[:10].tolist() == [5, 0, 4, 1, 9, 2, 1, 3, 1, 4]
    assert y_test[0] == 7
    assert np.bincount(y_train).tolist()[:2] == [5923, 6742]
    # The classic normalisation constant of MNIST: mean pixel 0.1307.
    assert X_train.mean() == pytest.approx(0.1307, abs=5e-5)


def test_unflattened_images_and_fresh_copies(mnist_dir, mnist):
    X_train, y_train, _, _ = load_mnist(mnist_dir, download=False, flatten=False)
    assert X_train.shape == (60_000, 28, 28)
    assert np.array_equal(X_train.reshape(60_000, -1), mnist[0])
    # The caller owns what it gets: modifying it does not corrupt the next load.
    X_train[0] = 7.0
    y_train[:] = -1
    again = load_mnist(mnist_dir, download=False)
    assert np.array_equal(again[0], mnist[0])
    assert np.array_equal(again[1], mnist[1])
    assert not np.shares_memory(again[0], mnist[0])


def test_second_load_does_not_read_or_parse_again(mnist_dir, mnist, monkeypatch):
    def fail(*args, **kwargs):
        raise AssertionError("read or parsed again")

    monkeypatch.setattr(mnist_module, "read_bytes", fail)
    monkeypatch.setattr(mnist_module, "parse_idx", fail)
    assert np.array_equal(load_mnist(mnist_dir, download=False)[3], mnist[3])


def test_raw_idx_files_load_too(mnist_dir, mnist, tmp_path):
    for name in MNIST_FILES:
        (tmp_path / name).write_bytes(gzip.decompress((mnist_dir / f"{name}.gz").read_bytes()))
    loaded = load_mnist(tmp_path, download=False)
    for got, expected in zip(loaded, mnist):
        assert np.array_equal(got, expected)


def test_search_order(tmp_path, monkeypatch):
    monkeypatch.setenv(DATA_ENV_VAR, str(tmp_path / "env"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    cache = tmp_path / "xdg" / "autograd-lite" / "mnist"
    assert mnist_search_dirs() == [tmp_path / "env", SHIPPED_DIR, cache]
    assert mnist_search_dirs(tmp_path / "mine") == [tmp_path / "mine"]
    monkeypatch.delenv(DATA_ENV_VAR)
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/ignored")
    home_cache = Path.home() / ".cache" / "autograd-lite" / "mnist"
    assert mnist_search_dirs() == [SHIPPED_DIR, home_cache]


def test_the_shipped_copy_is_complete_and_inside_the_package():
    assert SHIPPED_DIR.is_relative_to(Path(mnist_module.__file__).resolve().parent)
    for name in MNIST_FILES:
        data = gzip.decompress((SHIPPED_DIR / f"{name}.gz").read_bytes())
        assert hashlib.sha256(data).hexdigest() == MNIST_SHA256[name]


def test_a_fresh_home_offline_loads_the_shipped_copy(mnist, tmp_path, monkeypatch):
    # A new user: no environment variable, an empty home, and no network to download from.
    monkeypatch.delenv(DATA_ENV_VAR, raising=False)
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setattr(mnist_module, "_download", _no_network)
    loaded = load_mnist()
    for got, expected in zip(loaded, mnist):
        assert np.array_equal(got, expected)
    assert not (tmp_path / "home").exists()  # nothing written into the user's home


def _no_network(*args, **kwargs):
    raise AssertionError("load_mnist tried to download")


@pytest.mark.parametrize("where", ["env", "cache"])
def test_finds_the_environment_folder_then_the_cache(
    where, mnist_dir, mnist, tmp_path, monkeypatch
):
    monkeypatch.setenv(DATA_ENV_VAR, str(tmp_path / "env"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    # Without the shipped copy (a wheel built without it), the cache is next.
    monkeypatch.setattr(mnist_module, "SHIPPED_DIR", tmp_path / "not-shipped")
    folder = tmp_path / "env" if where == "env" else tmp_path / "xdg" / "autograd-lite" / "mnist"
    link_files(mnist_dir, folder, MNIST_FILES)
    assert np.array_equal(load_mnist(download=False)[1], mnist[1])


def test_the_environment_folder_wins_over_the_shipped_copy(mnist_dir, tmp_path, monkeypatch):
    link_files(mnist_dir, tmp_path, MNIST_FILES)
    monkeypatch.setenv(DATA_ENV_VAR, str(tmp_path))
    reads = []
    real = mnist_module._load_verified
    monkeypatch.setattr(mnist_module, "_load_verified", lambda p, n: reads.append(p) or real(p, n))
    load_mnist(download=False)
    assert reads and all(path.parent == tmp_path for path in reads)


def test_downloads_go_to_the_cache_never_into_the_package(mirror, mnist, tmp_path, monkeypatch):
    url, _ = mirror
    monkeypatch.delenv(DATA_ENV_VAR, raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    incomplete = tmp_path / "shipped"
    incomplete.mkdir()
    monkeypatch.setattr(mnist_module, "SHIPPED_DIR", incomplete)
    load_mnist(mirrors=[url], progress=False)
    assert not any(incomplete.iterdir())
    cache = tmp_path / "xdg" / "autograd-lite" / "mnist"
    assert sorted(p.name for p in cache.iterdir()) == sorted(f"{n}.gz" for n in MNIST_FILES)


def test_missing_files_without_download(tmp_path, monkeypatch):
    with pytest.raises(FileNotFoundError, match="download=True") as info:
        load_mnist(tmp_path, download=False)
    assert str(tmp_path) in str(info.value) and all(n in str(info.value) for n in MNIST_FILES)
    monkeypatch.setenv(DATA_ENV_VAR, str(tmp_path / "env"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    monkeypatch.setattr(mnist_module, "SHIPPED_DIR", tmp_path / "not-shipped")
    (tmp_path / "env").mkdir()
    with pytest.raises(FileNotFoundError) as info:
        load_mnist(download=False)
    message = str(info.value)
    assert f"{tmp_path / 'env'} (missing: " in message
    assert f"{tmp_path / 'xdg' / 'autograd-lite' / 'mnist'} (no such folder)" in message


# ---------------------------------------------------------------------------------------------
# Downloading from a local mirror


def test_download_into_an_empty_folder(mirror, mnist, tmp_path):
    url, requests = mirror
    folder = tmp_path / "new" / "mnist"  # created on the way
    loaded = load_mnist(folder, mirrors=[url], progress=False)
    for got, expected in zip(loaded, mnist):
        assert np.array_equal(got, expected)
    assert sorted(p.name for p in folder.iterdir()) == sorted(f"{n}.gz" for n in MNIST_FILES)
    for name in MNIST_FILES:
        data = gzip.decompress((folder / f"{name}.gz").read_bytes())
        assert hashlib.sha256(data).hexdigest() == MNIST_SHA256[name]
    assert {f"/{n}.gz" for n in MNIST_FILES} <= set(requests)
    # Now in place: found without the network.
    assert np.array_equal(load_mnist(folder, download=False)[3], mnist[3])


def test_download_falls_through_failing_mirrors(mirror, mnist_dir, mnist, tmp_path, capsys):
    url, _ = mirror
    link_files(mnist_dir, tmp_path, [n for n in MNIST_FILES if n != SMALL])
    mirrors = [closed_port_url(), url + "no/such/folder/", url]
    loaded = load_mnist(tmp_path, mirrors=mirrors, progress=True)
    assert np.array_equal(loaded[3], mnist[3])
    assert (tmp_path / f"{SMALL}.gz").is_file() and leftovers(tmp_path) == []
    assert f"{SMALL}.gz" in capsys.readouterr().err  # the progress bar


@pytest.mark.parametrize("damage", ["corrupt", "truncated"])
def test_a_mirror_serving_bad_content_is_skipped(damage, mirror, mnist_dir, mnist, tmp_path):
    bad = tmp_path / "bad"
    bad.mkdir()
    data = bytearray(gzip.decompress((mnist_dir / f"{SMALL}.gz").read_bytes()))
    if damage == "corrupt":
        data[100] = (data[100] + 1) % 10  # one label changed: valid gzip, valid IDX
        (bad / f"{SMALL}.gz").write_bytes(gzip.compress(bytes(data)))
    else:
        (bad / f"{SMALL}.gz").write_bytes(gzip.compress(bytes(data))[:-100])
    folder = tmp_path / "data"
    link_files(mnist_dir, folder, [n for n in MNIST_FILES if n != SMALL])
    with serve(bad) as (bad_url, _):
        with pytest.raises(RuntimeError, match="checksum" if damage == "corrupt" else "decompress"):
            load_mnist(folder, mirrors=[bad_url], progress=False)
        assert not (folder / f"{SMALL}.gz").exists() and leftovers(folder) == []
        loaded = load_mnist(folder, mirrors=[bad_url, mirror[0]], progress=False)
    assert np.array_equal(loaded[3], mnist[3])
    assert leftovers(folder) == []


def test_all_mirrors_failing_is_one_clear_error(mirror, tmp_path):
    closed, missing = closed_port_url(), mirror[0] + "no/such/folder/"
    with pytest.raises(RuntimeError) as info:
        load_mnist(tmp_path, mirrors=[closed, missing], progress=False)
    message = str(info.value)
    assert f"{closed}train-images-idx3-ubyte.gz: " in message
    assert f"{missing}train-images-idx3-ubyte.gz: HTTP Error 404" in message
    assert "by hand" in message and str(tmp_path) in message
    assert list(tmp_path.iterdir()) == []  # nothing half-written


def test_mirrors_must_be_a_sequence_of_urls(tmp_path):
    with pytest.raises(TypeError, match="sequence of mirror URLs"):
        load_mnist(tmp_path, mirrors="http://127.0.0.1:1/")


# ---------------------------------------------------------------------------------------------
# Corrupt and truncated local files: an error naming the file, never used, never replaced


def _damaged_folder(mnist_dir: Path, tmp_path: Path, filename: str, content: bytes) -> Path:
    link_files(mnist_dir, tmp_path, [n for n in MNIST_FILES if n != SMALL])
    (tmp_path / filename).write_bytes(content)
    return tmp_path / filename


def _small_raw(mnist_dir: Path) -> bytes:
    return gzip.decompress((mnist_dir / f"{SMALL}.gz").read_bytes())


def test_a_corrupt_local_file_is_an_error_and_is_kept(mnist_dir, tmp_path):
    data = bytearray(_small_raw(mnist_dir))
    data[-1] = (data[-1] + 1) % 10
    path = _damaged_folder(mnist_dir, tmp_path, SMALL, bytes(data))
    with serve(tmp_path) as (url, requests):
        with pytest.raises(ValueError) as info:
            load_mnist(tmp_path, mirrors=[url], progress=False)  # download=True
        assert requests == []  # present files are never downloaded over
    message = str(info.value)
    assert str(path) in message and MNIST_SHA256[SMALL] in message
    assert hashlib.sha256(bytes(data)).hexdigest() in message
    assert "corrupt" in message and "Delete it" in message and "download=True" in message
    assert path.read_bytes() == bytes(data)  # not deleted, not replaced


def test_a_truncated_raw_file_is_an_error(mnist_dir, tmp_path):
    path = _damaged_folder(mnist_dir, tmp_path, SMALL, _small_raw(mnist_dir)[:5000])
    with pytest.raises(ValueError, match="truncated") as info:
        load_mnist(tmp_path, download=False)
    assert str(path) in str(info.value) and "5000 bytes, expected 10008" in str(info.value)
    assert path.exists()


@pytest.mark.parametrize("damage", ["truncated", "bad-deflate", "not-gzip"])
def test_a_damaged_gz_file_is_an_error(damage, mnist_dir, tmp_path):
    packed = bytearray((mnist_dir / f"{SMALL}.gz").read_bytes())
    if damage == "truncated":
        packed = packed[: len(packed) // 2]
    elif damage == "bad-deflate":
        packed[len(packed) // 2] ^= 0xFF
    else:
        packed = bytearray(b"<html>Not Found</html>")
    path = _damaged_folder(mnist_dir, tmp_path, f"{SMALL}.gz", bytes(packed))
    with pytest.raises(ValueError, match="corrupt or truncated") as info:
        load_mnist(tmp_path, download=False)
    assert str(path) in str(info.value) and "Delete it" in str(info.value)


def test_a_raw_name_holding_gzip_gets_a_hint(mnist_dir, tmp_path):
    _damaged_folder(mnist_dir, tmp_path, SMALL, (mnist_dir / f"{SMALL}.gz").read_bytes())
    with pytest.raises(ValueError, match=r"name it \*\.gz"):
        load_mnist(tmp_path, download=False)


# ---------------------------------------------------------------------------------------------
# The IDX parser


def idx_bytes(array: np.ndarray, code: int) -> bytes:
    magic = struct.pack(">BBBB", 0, 0, code, array.ndim)
    dims = struct.pack(f">{array.ndim}I", *array.shape)
    return magic + dims + array.astype(IDX_DTYPES[code]).tobytes()


@given(
    code=st.sampled_from(sorted(IDX_DTYPES)),
    shape=st.lists(st.integers(0, 4), min_size=1, max_size=4),
    seed=st.integers(0, 2**32 - 1),
)
def test_idx_round_trip(code, shape, seed):
    dtype = IDX_DTYPES[code]
    values = np.random.default_rng(seed).integers(-100, 100, size=shape)
    array = values.astype(dtype)
    parsed = parse_idx(idx_bytes(array, code))
    assert parsed.shape == tuple(shape) and parsed.dtype == dtype.newbyteorder("=")
    assert np.array_equal(parsed, array)
    assert parsed.dtype.isnative and not parsed.flags.writeable


def test_read_idx_reads_raw_and_gz(mnist_dir, tmp_path):
    labels = read_idx(mnist_dir / f"{SMALL}.gz")
    assert labels.shape == (10_000,) and labels.dtype == np.uint8 and labels[0] == 7
    (tmp_path / SMALL).write_bytes(_small_raw(mnist_dir))
    assert np.array_equal(read_idx(tmp_path / SMALL), labels)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"\x00\x00", "expected an IDX header of 4 bytes, got 2"),
        (b"\x01\x00\x08\x01" + b"\x00" * 8, "magic number"),
        (b"\x1f\x8b\x08\x00" + b"\x00" * 8, r"name it \*\.gz"),
        (b"\x00\x00\x07\x01\x00\x00\x00\x01\x00", "type code .* got 0x07"),
        (b"\x00\x00\x08\x00", "at least 1 dimension"),
        (b"\x00\x00\x08\x03\x00\x00\x00\x02", "header of 16 bytes .* truncated"),
        (b"\x00\x00\x08\x01\x00\x00\x00\x03\x01\x02", "expected 11 bytes .* got 10 .* truncated"),
        (b"\x00\x00\x08\x01\x00\x00\x00\x01\x01\x02", "trailing bytes"),
    ],
    ids=["short", "magic", "gzip", "type", "0-d", "header", "data", "trailing"],
)
def test_bad_idx_data_is_a_clear_error(data, message):
    with pytest.raises(ValueError, match=message) as info:
        parse_idx(data, name="some/file")
    assert str(info.value).startswith("some/file: expected")
