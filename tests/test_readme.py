"""Every Python block of README.md runs as written, in order, as a user pasting them into one
session would run them (each block sees what the blocks before it defined)."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import pytest

README = Path(__file__).resolve().parents[1] / "README.md"
BLOCK = re.compile(r"^```python\n(.*?)^```", re.MULTILINE | re.DOTALL)
# Extras that CI does not install (the test extra has onnx, onnxruntime and safetensors).
OPTIONAL = ("torch",)


def _has(module: str) -> bool:
    return importlib.util.find_spec(module) is not None


def python_blocks() -> list[str]:
    return BLOCK.findall(README.read_text())


def test_the_readme_has_python_examples():
    assert len(python_blocks()) >= 6


def test_every_python_block_runs_in_order(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # examples that save files write them here
    monkeypatch.setenv("AUTOGRAD_LITE_FAST", "1")
    namespace: dict[str, object] = {"__name__": "readme"}
    for number, block in enumerate(python_blocks(), start=1):
        missing = [name for name in OPTIONAL if f"import {name}" in block and not _has(name)]
        if missing:  # a block for an optional extra, e.g. PyTorch: runs where it is installed
            continue
        code = compile(block, f"README.md python block {number}", "exec")
        try:
            exec(code, namespace)
        except Exception as error:  # name the block: the traceback alone says "<string>"
            pytest.fail(f"README python block {number} failed: {error!r}\n{block}")
    # The property test the README defines is a real test: run it.
    for name in ("test_softplus_gradient", "test_softplus"):
        test = namespace.get(name)
        assert callable(test), f"the README defines {name}"
        test()
