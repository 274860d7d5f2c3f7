"""`Module`: the base class of every model, for `Value` and `Tensor` parameters alike.

A module finds its parameters by walking its attributes (sub-modules, lists, tuples and
dicts of them), the way PyTorch's ``Module`` does, so subclasses only assign attributes:
there is nothing to register. State that is not trained (running statistics, a fixed mask)
is registered as a *buffer* (`register_buffer`). Parameters and buffers can be saved and
loaded by name (`state_dict`, `load_state_dict`), and to files (`save`, `load`: ``.npz`` or
``.safetensors``, chosen by the suffix; both with PyTorch's names and layouts, no pickle).
Forward hooks (`register_forward_hook`) see what each module computes.
"""

from __future__ import annotations

import os
import zipfile
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any, NamedTuple

import numpy as np

from autograd_lite import Tensor, Value
from autograd_lite.engine import Node
from nn.hooks import ForwardHook, RemovableHandle, run_forward_hooks
from nn.validation import boolean

__all__ = ["ARCHITECTURE_KEY", "FORMATS", "LoadResult", "Module"]


class LoadResult(NamedTuple):
    """What `Module.load_state_dict` skipped (both empty after a strict load)."""

    missing_keys: list[str]
    unexpected_keys: list[str]


class Module:
    """Base class of models: parameters, buffers, gradients, training mode, forward hooks
    and a readable ``repr``.

    A parameter is any node attribute that requires a gradient (every `Value`; a `Tensor`
    with ``requires_grad=True``), found in the module's attributes, in lists, tuples and
    dicts of them, and in sub-modules.

    Subclasses define ``forward`` and may define ``extra_repr``. Call a module
    (``module(x)``) rather than its ``forward``: the call runs its forward hooks.
    """

    training = True

    def _named_members(self) -> Iterable[tuple[str, Any]]:
        """The (name, item) pairs the walk starts from: the public instance attributes.

        A container that keeps its children elsewhere (`Sequential`, whose children are
        named ``0``, ``1``, ... as in PyTorch) overrides this.
        """
        return ((k, v) for k, v in vars(self).items() if not k.startswith("_"))

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        forward = getattr(self, "forward", None)
        if forward is None:
            raise TypeError(f"{type(self).__name__} is a Module but defines no forward() method")
        output = forward(*args, **kwargs)
        hooks = self.__dict__.get("_forward_hooks")
        return run_forward_hooks(hooks, self, args, output) if hooks else output

    def register_forward_hook(self, hook: ForwardHook) -> RemovableHandle:
        """Call ``hook(module, args, output)`` after every ``forward`` of this module.

        `args` are the positional arguments of the call. A hook that returns something other
        than None replaces the output. Hooks run in the order they were registered.

        Returns
        -------
        RemovableHandle
            ``handle.remove()`` takes the hook off (also a context manager).
        """
        if not callable(hook):
            raise TypeError(
                f"register_forward_hook: expected a callable hook(module, args, output), got "
                f"{type(hook).__name__}"
            )
        return RemovableHandle(self.__dict__.setdefault("_forward_hooks", {}), hook)

    # -- walking the attributes -----------------------------------------------------------

    def named_children(self) -> Iterator[tuple[str, Module]]:
        """The direct sub-modules with their attribute names (``layers.0`` for lists)."""
        for name, item in _attributes(self, ""):
            if isinstance(item, Module):
                yield name, item

    def named_modules(self, prefix: str = "") -> Iterator[tuple[str, Module]]:
        """This module and every module below it, each once, depth first, with dotted names."""
        for name, item in _tree(self, prefix):
            if isinstance(item, Module):
                yield name, item

    def modules(self) -> Iterator[Module]:
        """This module and every module below it."""
        for _, module in self.named_modules():
            yield module

    def named_parameters(self, prefix: str = "") -> Iterator[tuple[str, Node]]:
        """Every parameter once, in attribute order, with its dotted name
        (``layers.0.neurons.1.w.2``); a parameter reachable twice keeps its first name."""
        seen: set[int] = set()
        for name, item in _tree(self, prefix):
            if isinstance(item, Node) and item.requires_grad and id(item) not in seen:
                seen.add(id(item))
                yield name, item

    def parameters(self) -> list[Node]:
        """Every parameter once, in a stable order (a list, so ``len()`` works)."""
        return [p for _, p in self.named_parameters()]

    # -- buffers ----------------------------------------------------------------------------

    def register_buffer(self, name: str, array: np.ndarray | None, persistent: bool = True) -> None:
        """Add state that is not trained (running statistics, a fixed mask, a count).

        The array becomes the attribute `name` (assign a new array to ``self.<name>`` to
        replace it). Optimizers never see it; a persistent buffer is saved by `state_dict`
        (after the parameters, by dotted name like them) and restored in place by
        `load_state_dict`, as PyTorch's buffers are.

        Parameters
        ----------
        name : str
            An attribute name: no dots, not starting with ``_``, and not an attribute this
            module already has (other than a buffer).
        array : np.ndarray or None
            None registers the name without a value: it is skipped until one is assigned.
        persistent : bool
            False keeps the buffer out of `state_dict` (state that is recomputed, not saved).
        """
        if not isinstance(name, str):
            raise TypeError(f"register_buffer: expected a str name, got {type(name).__name__}")
        buffers = self.__dict__.setdefault("_buffers", {})
        if not name.isidentifier() or name.startswith("_"):
            raise ValueError(
                f"register_buffer: expected an attribute name without dots or a leading _, "
                f"got {name!r}"
            )
        if name not in buffers and hasattr(self, name):
            raise ValueError(f"register_buffer: expected a new name, got {name!r}, an attribute")
        if array is not None and not isinstance(array, np.ndarray):
            raise TypeError(
                f"register_buffer: expected a NumPy array or None, got {type(array).__name__}"
            )
        buffers[name] = boolean("register_buffer", "persistent", persistent)
        setattr(self, name, array)

    def named_buffers(self, prefix: str = "") -> Iterator[tuple[str, np.ndarray]]:
        """Every buffer once, with its dotted name (``0.running_mean``), module by module in
        `named_modules` order; a buffer set to None is skipped."""
        return self._named_buffers(prefix, persistent_only=False)

    def buffers(self) -> list[np.ndarray]:
        """Every buffer once, in `named_buffers` order."""
        return [b for _, b in self.named_buffers()]

    def _named_buffers(self, prefix: str, persistent_only: bool) -> Iterator[tuple[str, Any]]:
        seen: set[int] = set()
        for module_name, module in self.named_modules(prefix):
            for name, persistent in module.__dict__.get("_buffers", {}).items():
                array = module.__dict__.get(name)
                if array is None or id(array) in seen or (persistent_only and not persistent):
                    continue
                seen.add(id(array))
                yield _join(module_name, name), array

    # -- gradients and modes --------------------------------------------------------------

    def zero_grad(self) -> None:
        """Reset every parameter's gradient (0.0 for a `Value`, None for a `Tensor`)."""
        for p in self.parameters():
            p.zero_grad()

    def train(self, mode: bool = True) -> Module:
        """Set training mode (``Dropout`` is active) on this module and every sub-module."""
        for module in self.modules():
            module.training = mode
        return self

    def eval(self) -> Module:
        """Set evaluation mode: ``train(False)``."""
        return self.train(False)

    # -- saving and loading ---------------------------------------------------------------

    def state_dict(self) -> dict[str, np.ndarray]:
        """Every parameter's value by dotted name, as a copy (in `named_parameters` order),
        then every persistent buffer's (in `named_buffers` order).

        A `Tensor` parameter gives a copy of its array; a `Value` a 0-d float64 array.
        The copies do not change when the model trains on.
        """
        state = {name: _value_of(p) for name, p in self.named_parameters()}
        state.update((name, np.array(b)) for name, b in self._named_buffers("", True))
        return state

    def load_state_dict(self, state: Mapping[str, Any], strict: bool = True) -> LoadResult:
        """Copy the values of `state` into this module's parameters, in place.

        Tensor parameters and buffers keep their arrays (``p.data[...] = value``, cast to
        their dtype), so an optimizer that holds them, or views into them, keeps working;
        Value parameters get ``p.data = float(value)``. Nothing is changed unless every value
        fits.

        Parameters
        ----------
        state : mapping of str to array_like
            Dotted names, as `state_dict` gives them.
        strict : bool
            Require exactly this module's names (default). With False, missing and
            unexpected names are skipped and returned; a value of the wrong shape is still
            an error.

        Returns
        -------
        LoadResult
            ``(missing_keys, unexpected_keys)``.

        Raises
        ------
        ValueError
            One error that lists every missing key, every unexpected key, every shape
            mismatch and every non-numeric value.
        """
        return self._load(state, strict, "load_state_dict: the state")

    def _load(self, state: Mapping[str, Any], strict: bool, what: str) -> LoadResult:
        """`load_state_dict`, with `what` (who and which state) leading its error message."""
        if not isinstance(state, Mapping):
            raise TypeError(
                f"load_state_dict: expected a mapping of names to arrays, got "
                f"{type(state).__name__}"
            )
        params: dict[str, Any] = dict(self.named_parameters())
        params.update(self._named_buffers("", persistent_only=True))
        missing = [name for name in params if name not in state]
        # The architecture that `save` adds to a file is not a parameter (nor an unexpected one).
        unexpected = [
            str(name) for name in state if name not in params and name != ARCHITECTURE_KEY
        ]
        values: dict[str, np.ndarray] = {}
        problems: list[str] = []
        for name, p in params.items():
            if name not in state:
                continue
            value = np.asarray(state[name])
            expected = np.shape(p.data if isinstance(p, Node) else p)
            if value.dtype.kind not in "biuf":
                problems.append(f"{name}: expected a real array, got dtype {value.dtype}")
            elif value.shape != expected:
                problems.append(f"{name}: expected shape {expected}, got shape {value.shape}")
            else:
                values[name] = value
        if strict:
            if missing:
                problems.insert(0, f"missing keys (not in the state): {', '.join(missing)}")
            if unexpected:
                problems.insert(
                    int(bool(missing)),
                    f"unexpected keys (not parameters of this module): {', '.join(unexpected)}",
                )
        if problems:
            raise ValueError(
                f"{what} does not fit this {type(self).__name__}; nothing was loaded:\n  "
                + "\n  ".join(problems)
            )
        for name, value in values.items():
            p = params[name]
            if isinstance(p, Value):
                p.data = float(value)
            elif isinstance(p, Node):  # never rebind p.data: optimizers may hold it (or views)
                p.data[...] = value
            else:  # a buffer, in place too: its module may have handed it out
                p[...] = value
        return LoadResult(missing, unexpected)

    def save(self, path: str | os.PathLike[str]) -> None:
        """Write `state_dict()` to `path`, in the format its suffix names.

        - ``.npz``: a NumPy archive of plain ``.npy`` arrays (no pickle);
        - ``.safetensors``: the `safetensors <https://huggingface.co/docs/safetensors>`_
          format (needs ``pip install safetensors``), which PyTorch reads with
          ``safetensors.torch.load_file``: the names and layouts are PyTorch's
          (``0.weight`` of shape ``(out, in)``, ``0.bias``), so
          ``torch_model.load_state_dict(...)`` takes it as it is.

        The file is replaced only once it is completely written, so a crash never leaves
        half a checkpoint. For a `Sequential` of the layers `nn.export_onnx` knows, the file
        also records the architecture (`ARCHITECTURE_KEY`), so that `nn.load_model` can
        rebuild the model from the file alone; `load` skips it.

        Raises
        ------
        ValueError
            The suffix is neither ``.npz`` nor ``.safetensors``.
        FileNotFoundError
            The folder of `path` does not exist (it is not created).
        ImportError
            ``.safetensors`` without the safetensors package.
        """
        path = os.fspath(path)
        suffix = _format(path, "save")
        spec = _architecture(self)
        if suffix == ".safetensors":
            safetensors = _import_safetensors("save")
            # save_file reads raw memory, so every array must be C-contiguous; asarray, as
            # ascontiguousarray would turn a Value's 0-d array into a 1-d one.
            state = {name: np.asarray(a, order="C") for name, a in self.state_dict().items()}
            # "pt": the tensors are in PyTorch's names and layouts, which loaders such as
            # transformers' check for in the header.
            metadata = {"format": "pt", **({} if spec is None else {ARCHITECTURE_KEY: spec})}
            _write_atomically(
                path, lambda partial: safetensors.numpy.save_file(state, partial, metadata)
            )
        else:
            _write_atomically(path, lambda partial: _write_npz(self.state_dict(), partial, spec))

    def load(self, path: str | os.PathLike[str], strict: bool = True) -> LoadResult:
        """Load parameters saved by `save` (see `load_state_dict`); the suffix of `path`
        (``.npz`` or ``.safetensors``) names the format.

        Nothing is loaded unless the whole file is readable and fits the model (its names
        and shapes; with ``strict=False`` missing and extra names are skipped): a failed
        load leaves the model as it was. Pickled content is refused in ``.npz`` files
        (``allow_pickle=False``): unpickling a file can run arbitrary code, and parameters
        never need it; ``.safetensors`` files cannot hold any.

        Raises
        ------
        ValueError
            An unknown suffix; a damaged, truncated or foreign file; a file whose names or
            shapes do not fit this model. The message names the file and the problem.
        FileNotFoundError
            There is no file at `path`.
        ImportError
            ``.safetensors`` without the safetensors package.
        """
        path = os.fspath(path)
        if _format(path, "load") == ".safetensors":
            state = _read_safetensors(path, _import_safetensors("load"))
        else:
            state = _read_npz(path)
        return self._load(state, strict, f"load: the file {path}")

    # -- repr -------------------------------------------------------------------------------

    def extra_repr(self) -> str:
        """What to show between the parentheses of this module's ``repr``."""
        return ""

    def __repr__(self) -> str:
        children = list(self.named_children())
        head = f"{type(self).__name__}({self.extra_repr()}"
        if not children:
            return head + ")"
        lines = [head]
        for name, child in children:
            text = repr(child).replace("\n", "\n  ")
            lines.append(f"  ({name}): {text}")
        return "\n".join(lines) + "\n)"


def _tree(root: Module, prefix: str) -> Iterator[tuple[str, Any]]:
    """(dotted name, item) for `root` and every module and node below it, depth first in
    attribute order; a module reachable twice is entered once."""
    seen: set[int] = set()
    stack: list[tuple[str, Any]] = [(prefix, root)]
    while stack:
        name, item = stack.pop()
        if isinstance(item, Module):
            if id(item) in seen:
                continue
            seen.add(id(item))
            stack.extend(reversed(list(_attributes(item, name))))
        yield name, item


def _attributes(module: Module, prefix: str) -> Iterator[tuple[str, Any]]:
    """(dotted name, item) for the nodes and modules among a module's attributes.

    Lists, tuples and dicts are entered (``layers.0``); modules are not (`_tree` enters
    them). Names starting with ``_`` are private state, not parameters.
    """
    stack = [(_join(prefix, k), v) for k, v in module._named_members()]
    stack.reverse()
    while stack:
        name, item = stack.pop()
        if isinstance(item, (Node, Module)):
            yield name, item
        elif isinstance(item, (list, tuple)):
            stack.extend(reversed([(_join(name, str(i)), v) for i, v in enumerate(item)]))
        elif isinstance(item, dict):
            stack.extend(reversed([(_join(name, str(k)), v) for k, v in item.items()]))


def _value_of(p: Node) -> np.ndarray:
    """A parameter's value as a new array (0-d float64 for a `Value`)."""
    if isinstance(p, Tensor):
        return p.data.copy()
    return np.array(p.data, dtype=np.float64)


def _join(prefix: str, name: str) -> str:
    return f"{prefix}.{name}" if prefix else name


# -- files ----------------------------------------------------------------------------------

# The formats of `save` and `load`, by suffix.
FORMATS = (".npz", ".safetensors")
# The .npz entry, or .safetensors metadata key, of the architecture `save` records (see
# nn.export.architecture). It can never be a parameter's name: "_" names are not parameters.
ARCHITECTURE_KEY = "__architecture__"
_ZIP_MAGIC = b"PK\x03\x04"


def _format(path: str, who: str) -> str:
    """The suffix of `path` (lower case) if it names a format `save` and `load` know."""
    suffix = os.path.splitext(path)[1].lower()
    if suffix not in FORMATS:
        raise ValueError(
            f"{who}: expected a file name ending in {' or '.join(FORMATS)} (the suffix chooses "
            f"the format), got {path!r}"
        )
    return suffix


def _import_safetensors(who: str) -> Any:
    """The safetensors package with its NumPy functions, imported on first use: it is an
    optional dependency."""
    try:
        import safetensors.numpy
    except ImportError as error:
        raise ImportError(
            f"{who}: .safetensors files need the safetensors package, which is not installed "
            f"({error}): pip install safetensors (or pip install 'autograd-lite[export]')"
        ) from error
    return safetensors


def _write_atomically(path: str, write: Callable[[str], object], who: str = "save") -> None:
    """``write(partial)`` to a file beside `path`, then rename it to `path`.

    The rename replaces the file in one step, so a crash while writing leaves the old file
    (or none), never half of the new one. The folder must exist: it is checked first so
    that the error names it rather than the internal ``.partial`` file.
    """
    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(folder):
        kind = NotADirectoryError if os.path.exists(folder) else FileNotFoundError
        what = "a file" if os.path.exists(folder) else "a missing folder"
        raise kind(f"{who}: expected an existing folder to write {path} into, got {what}: {folder}")
    if os.path.isdir(path):
        raise IsADirectoryError(f"{who}: expected a file name, got the folder {path}")
    partial = f"{path}.partial"
    try:
        write(partial)
        os.replace(partial, path)
    finally:
        if os.path.exists(partial):
            os.remove(partial)


def _architecture(module: Module) -> str | None:
    """`module`'s architecture as JSON text, or None for a model load_model cannot rebuild."""
    from nn.export.architecture import architecture_json  # nn.export imports this module

    return architecture_json(module)


def _write_npz(state: Mapping[str, np.ndarray], path: str, spec: str | None = None) -> None:
    if spec is not None:  # a 0-d unicode array: plain .npy, no pickle
        state = {**state, ARCHITECTURE_KEY: np.array(spec)}
    with zipfile.ZipFile(path, "w") as archive:
        for name, array in state.items():
            # What np.savez does, minus its keyword arguments, which a parameter named
            # "file" or "allow_pickle" would collide with.
            with archive.open(f"{name}.npy", "w", force_zip64=True) as member:
                np.lib.format.write_array(member, array, allow_pickle=False)


def _read_npz(path: str) -> dict[str, np.ndarray]:
    """The arrays of an ``.npz`` archive written by `Module.save`, refusing pickles."""
    # Our own file handle: np.load leaks the one it opens when the archive is broken.
    with open(path, "rb") as file:
        damaged = f"load: {path} is a damaged .npz archive"
        try:
            loaded = np.load(file, allow_pickle=False)
        except (ValueError, EOFError, zipfile.BadZipFile) as error:
            file.seek(0)
            if file.read(len(_ZIP_MAGIC)) == _ZIP_MAGIC:  # a zip, cut short or broken
                raise ValueError(f"{damaged} (truncated?): {error}") from None
            # NumPy takes anything without the .npy/.npz magic for a pickle, and refuses it.
            raise ValueError(
                f"load: expected an .npz archive written by Module.save in {path}, got a file "
                f"that is neither .npz nor .npy (a pickle, or something else; pickles are "
                f"refused because unpickling can run arbitrary code)"
            ) from None
        if not isinstance(loaded, np.lib.npyio.NpzFile):
            raise ValueError(
                f"load: expected an .npz archive written by Module.save in {path}, got a "
                f"single .npy array of shape {np.shape(loaded)}"
            )
        with loaded as archive:
            try:
                return {name: archive[name] for name in archive.files}
            except ValueError as error:
                if "allow_pickle" not in str(error):  # a broken member
                    raise ValueError(f"{damaged}: {error}") from None
                # A member holds Python objects, which only unpickling can restore.
                raise ValueError(
                    f"load: {path} holds pickled object arrays; expected plain numeric "
                    f"arrays (pickles are refused because unpickling can run arbitrary code)"
                ) from None
            except (EOFError, zipfile.BadZipFile) as error:
                raise ValueError(f"{damaged}: {error}") from None


def _read_safetensors(path: str, safetensors: Any) -> dict[str, np.ndarray]:
    """The arrays of a ``.safetensors`` file; anything unreadable is a ValueError naming it."""
    # Read through our own handle rather than load_file's memory map: a missing file or a
    # folder gives the usual OSError, and no mapping keeps the file open afterwards (on
    # Windows a mapped file cannot be replaced by the next save).
    with open(path, "rb") as file:
        data = file.read()
    try:
        return safetensors.numpy.load(data)
    # KeyError: a dtype NumPy has no name for (bfloat16, float8), looked up by its code.
    except (safetensors.SafetensorError, KeyError, ValueError) as error:
        hint = ""
        if data.startswith(_ZIP_MAGIC):
            hint = "; it is a zip archive, perhaps an .npz file renamed"
        elif isinstance(error, KeyError):
            hint = f"; expected a dtype NumPy can read, got {error} (bfloat16?)"
        raise ValueError(
            f"load: {path} is not a readable .safetensors file: "
            f"{type(error).__name__}: {error}{hint}"
        ) from None
