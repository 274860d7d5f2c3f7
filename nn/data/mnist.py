"""MNIST: find the four files, download them if asked, verify their checksums, parse them.

Where the files are looked for, in order (the first folder that holds all four wins):

1. `root`, when given (then only there);
2. ``$AUTOGRAD_LITE_DATA`` (the folder holding the four files), when set;
3. the copy shipped inside this package (`SHIPPED_DIR`), so a fresh clone or install works
   offline;
4. the user cache folder, ``$XDG_CACHE_HOME/autograd-lite/mnist`` or
   ``~/.cache/autograd-lite/mnist``.

Missing files are downloaded into the first of these folders that is not the shipped copy
(an installed package is no place to write). Each file may be raw IDX or ``.gz``; its SHA-256
is checked on the *decompressed* bytes, so any gzip wrapper is fine.

MNIST is by Yann LeCun, Corinna Cortes and Christopher J.C. Burges, under CC BY-SA 3.0.
"""

from __future__ import annotations

import hashlib
import http.client
import os
import tempfile
import urllib.error
import urllib.request
from collections import OrderedDict
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from nn.data.idx import parse_idx, read_bytes

__all__ = [
    "DATA_ENV_VAR",
    "MNIST_FILES",
    "MNIST_MIRRORS",
    "MNIST_SHA256",
    "SHIPPED_DIR",
    "load_mnist",
    "mnist_search_dirs",
]

#: Environment variable naming a folder that holds the four MNIST files.
DATA_ENV_VAR = "AUTOGRAD_LITE_DATA"

#: The copy of the four ``.gz`` files that ships with the package (11 MB, in the wheel too).
SHIPPED_DIR = Path(__file__).resolve().parent / "shipped" / "mnist"

#: The four files, in the order `load_mnist` returns their arrays.
MNIST_FILES = (
    "train-images-idx3-ubyte",
    "train-labels-idx1-ubyte",
    "t10k-images-idx3-ubyte",
    "t10k-labels-idx1-ubyte",
)

#: SHA-256 of each file's decompressed (raw IDX) bytes.
MNIST_SHA256 = {
    "train-images-idx3-ubyte": "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db",
    "train-labels-idx1-ubyte": "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5",
    "t10k-images-idx3-ubyte": "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7",
    "t10k-labels-idx1-ubyte": "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2",
}

# Decompressed sizes, to tell a truncated file from a corrupt one in error messages.
_MNIST_SIZES = {
    "train-images-idx3-ubyte": 16 + 60_000 * 28 * 28,
    "train-labels-idx1-ubyte": 8 + 60_000,
    "t10k-images-idx3-ubyte": 16 + 10_000 * 28 * 28,
    "t10k-labels-idx1-ubyte": 8 + 10_000,
}

#: Public mirrors serving ``<mirror>/<file>.gz``, tried in order.
MNIST_MIRRORS = (
    "https://ossci-datasets.s3.amazonaws.com/mnist/",
    "https://storage.googleapis.com/cvdf-datasets/mnist/",
    "http://yann.lecun.com/exdb/mnist/",
)

_TIMEOUT_SECONDS = 30.0
_CHUNK_BYTES = 1 << 16

# Parsed, verified uint8 arrays (read-only), keyed by (resolved path, size, mtime) so a file
# replaced on disk is read again. Small LRU: two full sets of four files.
_CACHE: OrderedDict[tuple[str, int, int], np.ndarray] = OrderedDict()
_CACHE_SIZE = 8


def mnist_search_dirs(root: str | os.PathLike[str] | None = None) -> list[Path]:
    """The folders `load_mnist` looks in, in order (see the module docstring)."""
    if root is not None:
        return [Path(root).expanduser()]
    dirs = []
    if os.environ.get(DATA_ENV_VAR):
        dirs.append(Path(os.environ[DATA_ENV_VAR]).expanduser())
    dirs.append(SHIPPED_DIR)
    dirs.append(_cache_dir())
    return dirs


def _cache_dir() -> Path:
    xdg = os.environ.get("XDG_CACHE_HOME")
    # The XDG spec says to ignore a relative XDG_CACHE_HOME.
    cache = Path(xdg) if xdg and Path(xdg).is_absolute() else Path.home() / ".cache"
    return cache / "autograd-lite" / "mnist"


def load_mnist(
    root: str | os.PathLike[str] | None = None,
    download: bool = True,
    flatten: bool = True,
    *,
    mirrors: Sequence[str] | None = None,
    progress: bool = True,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Load MNIST, downloading it first if it is missing and `download` is true.

    Parameters
    ----------
    root : path, optional
        Folder holding (or to receive) the four files. Default: ``$AUTOGRAD_LITE_DATA``,
        then the copy shipped with the package, then the user cache folder (see
        `mnist_search_dirs`).
    download : bool
        Download missing files from `mirrors`. Files that are present are never replaced:
        a corrupt one is an error telling you to delete it.
    flatten : bool
        Images of shape ``(N, 784)`` if true, ``(N, 28, 28)`` otherwise.
    mirrors : sequence of str, optional
        Base URLs serving ``<mirror>/<file>.gz``, tried in order; default `MNIST_MIRRORS`.
    progress : bool
        Show a tqdm progress bar while downloading.

    Returns
    -------
    X_train, y_train, X_test, y_test : np.ndarray
        Images as float32 in [0, 1] (60,000 and 10,000 of them) and labels as int64 in 0..9.
        The arrays are fresh copies each call: modify them freely. Files are read, checked
        and parsed once per process; a second call only converts to float32.

    Raises
    ------
    FileNotFoundError
        Files are missing and `download` is false (the message lists where it looked).
    ValueError
        A file is corrupt or truncated (checksum, gzip or IDX header); it is never used.
    RuntimeError
        Every mirror failed for a file (the message lists each mirror and why).
    """
    if mirrors is None:
        mirrors = MNIST_MIRRORS
    elif isinstance(mirrors, str):
        raise TypeError(f"load_mnist: expected a sequence of mirror URLs, got the str {mirrors!r}")
    folders = mnist_search_dirs(root)
    folder, found = _choose_folder(folders)
    missing = [name for name in MNIST_FILES if found[name] is None]
    if missing and not download:
        raise FileNotFoundError(_not_found_message(folders))
    # Verify what is present before downloading the rest: a corrupt file fails fast.
    raw = {name: _load_verified(path, name) for name, path in found.items() if path is not None}
    for name in missing:
        raw[name] = _download(name, folder, list(mirrors), progress)
    # The checksums pin the bytes, so the shapes are (N, 28, 28) and (N,) with no check.
    train_images, train_labels, test_images, test_labels = (raw[name] for name in MNIST_FILES)
    return (
        _to_float(train_images, flatten),
        train_labels.astype(np.int64),
        _to_float(test_images, flatten),
        test_labels.astype(np.int64),
    )


def _to_float(images: np.ndarray, flatten: bool) -> np.ndarray:
    out = images.astype(np.float32)
    out /= 255.0  # division, not * (1/255): 255 maps to exactly 1.0
    return out.reshape(len(out), -1) if flatten else out


def _find(folder: Path, name: str) -> Path | None:
    """The file `name` in `folder`, raw preferred (no decompression), else ``.gz``."""
    for candidate in (folder / name, folder / f"{name}.gz"):
        if candidate.is_file():
            return candidate
    return None


def _choose_folder(folders: list[Path]) -> tuple[Path, dict[str, Path | None]]:
    """The first folder holding all four files; else the download folder and what it holds.

    The download folder is the first one that is not the shipped copy.
    """
    for folder in folders:
        found = {name: _find(folder, name) for name in MNIST_FILES}
        if all(found.values()):
            return folder, found
    target = next((folder for folder in folders if folder != SHIPPED_DIR), folders[0])
    return target, {name: _find(target, name) for name in MNIST_FILES}


def _not_found_message(folders: list[Path]) -> str:
    lines = []
    for folder in folders:
        if not folder.is_dir():
            lines.append(f"  {folder} (no such folder)")
            continue
        missing = [name for name in MNIST_FILES if _find(folder, name) is None]
        lines.append(f"  {folder} (missing: {', '.join(missing)})")
    return (
        f"MNIST: expected the files {', '.join(MNIST_FILES)} (raw or .gz) in one folder, "
        "got no folder holding all four. Looked in:\n" + "\n".join(lines) + "\n"
        f"Call load_mnist(download=True) to download them, or put the four files in one "
        f"folder and pass root=<folder> or set ${DATA_ENV_VAR}=<folder>."
    )


def _check(data: bytes, name: str) -> str | None:
    """Why `data` is not the verified content of `name`, or None if it is."""
    actual = hashlib.sha256(data).hexdigest()
    if actual == MNIST_SHA256[name]:
        return None
    size = _MNIST_SIZES[name]
    kind = "truncated" if len(data) < size else "corrupt"
    hint = " (it looks gzip-compressed: name it *.gz)" if data[:2] == b"\x1f\x8b" else ""
    return (
        f"expected SHA-256 {MNIST_SHA256[name]} of the decompressed content, got {actual} "
        f"({len(data)} bytes, expected {size}): the file is {kind}{hint}"
    )


def _cache_key(path: Path) -> tuple[str, int, int]:
    stat = path.stat()
    return (str(path.resolve()), stat.st_size, stat.st_mtime_ns)


def _remember(key: tuple[str, int, int], array: np.ndarray) -> np.ndarray:
    _CACHE[key] = array
    _CACHE.move_to_end(key)
    while len(_CACHE) > _CACHE_SIZE:
        _CACHE.popitem(last=False)
    return array


def _load_verified(path: Path, name: str) -> np.ndarray:
    """The parsed file, from the in-process cache or read, checked and parsed now."""
    key = _cache_key(path)
    if key in _CACHE:
        _CACHE.move_to_end(key)
        return _CACHE[key]
    try:
        data = read_bytes(path)
    except ValueError as exc:
        raise ValueError(f"{exc}. {_fix_hint(path)}") from exc
    problem = _check(data, name)
    if problem is not None:
        raise ValueError(f"{path}: {problem}, so it was not used. {_fix_hint(path)}")
    return _remember(key, parse_idx(data, name=str(path)))


def _fix_hint(path: Path) -> str:
    # Never delete the user's file ourselves: it may be their only copy of something.
    return (
        f"Delete it and call load_mnist(download=True) to download it again, or replace it "
        f"with a good copy (load_mnist never overwrites an existing file): rm '{path}'"
    )


def _download(name: str, folder: Path, mirrors: list[str], progress: bool) -> np.ndarray:
    """Download `name`.gz from the first mirror that serves it intact, into `folder`."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OSError(
            f"MNIST: cannot create {folder} to download into ({exc}); pass root=<a writable "
            f"folder> or set ${DATA_ENV_VAR}"
        ) from exc
    failures = []
    for mirror in mirrors:
        url = f"{mirror.rstrip('/')}/{name}.gz"
        try:
            target, data = _fetch_verified(url, name, folder, progress)
        except (OSError, ValueError, http.client.HTTPException) as exc:
            # OSError covers URLError, HTTPError and timeouts; HTTPException a connection
            # dropped mid-body; ValueError a bad URL or content failing the checksum.
            if isinstance(exc, urllib.error.HTTPError):
                exc.close()  # an HTTP error carries an open response: release its socket
            failures.append(f"  {url}: {exc}")
            continue
        return _remember(_cache_key(target), parse_idx(data, name=str(target)))
    files = ", ".join(f"{n}.gz" for n in MNIST_FILES)
    raise RuntimeError(
        f"MNIST: could not download {name}.gz from any mirror:\n"
        + ("\n".join(failures) if failures else "  (no mirrors given)")
        + f"\nTo install by hand, download {files} from any MNIST mirror (for example "
        f"{MNIST_MIRRORS[0]}) and put them in {folder}, then call load_mnist again; "
        "their checksums are verified either way."
    )


def _fetch_verified(url: str, name: str, folder: Path, progress: bool) -> tuple[Path, bytes]:
    """Stream `url` into a temporary file in `folder`; rename it only once it checks out.

    Returns the final path and the decompressed content (so it is not decompressed twice).
    """
    # Imported here so that `import nn` works without tqdm; only downloading needs it.
    from tqdm.auto import tqdm

    # The temporary file lives in the target folder so the final rename is atomic (same
    # file system) and a crash never leaves a half-written file under the real name.
    fd, tmp_name = tempfile.mkstemp(dir=folder, prefix=f".{name}.gz.", suffix=".part")
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as out:  # owns fd from here on, whatever happens next
            request = urllib.request.Request(url, headers={"User-Agent": "autograd-lite"})
            # A fresh opener reads the proxy settings of the environment as they are now.
            opener = urllib.request.build_opener()
            with opener.open(request, timeout=_TIMEOUT_SECONDS) as response:
                length = response.headers.get("Content-Length")
                total = int(length) if length and length.isdigit() else None
                with tqdm(
                    total=total,
                    unit="B",
                    unit_scale=True,
                    unit_divisor=1024,
                    desc=f"{name}.gz",
                    disable=not progress,
                ) as bar:
                    while chunk := response.read(_CHUNK_BYTES):
                        out.write(chunk)
                        bar.update(len(chunk))
        data = read_bytes(tmp, gzipped=True)  # ValueError if it is not intact gzip
        problem = _check(data, name)
        if problem is not None:
            raise ValueError(f"downloaded content failed the checksum: {problem}")
        target = folder / f"{name}.gz"
        os.replace(tmp, target)
        return target, data
    except BaseException:
        # Also on KeyboardInterrupt: never leave a partial download behind.
        tmp.unlink(missing_ok=True)
        raise
