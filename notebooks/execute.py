"""Execute the notebooks top to bottom: ``python notebooks/execute.py [--fast] [NAME ...]``.

Without ``--fast`` each notebook is run in full and saved with its outputs (what is
committed, so the notebooks read well on GitHub). With ``--fast`` (what the test suite does)
the environment variable ``AUTOGRAD_LITE_FAST=1`` tells the notebooks to shrink data and
epochs, and nothing is saved. ``--timeout`` bounds each cell (notebook 06 trains nine MNIST
networks in one cell: on a slow or busy machine that takes more than the default hour).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def notebooks(names: list[str] | None = None) -> list[Path]:
    paths = sorted(HERE.glob("[0-9][0-9]_*.ipynb"))
    if names:
        paths = [p for p in paths if any(p.stem.startswith(n) or p.name == n for n in names)]
    return paths


def execute(path: Path, fast: bool, save: bool, timeout: int = 3600) -> float:
    """Run one notebook in a fresh kernel (working directory: the notebook's folder)."""
    import nbformat
    from nbclient import NotebookClient

    os.environ["AUTOGRAD_LITE_FAST"] = "1" if fast else "0"
    nb = nbformat.read(path, as_version=4)
    start = time.perf_counter()
    NotebookClient(
        nb, timeout=timeout, kernel_name="python3", resources={"metadata": {"path": str(HERE)}}
    ).execute()
    if save:
        nbformat.write(nb, path)
    return time.perf_counter() - start


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", help="notebook names or prefixes (default: all)")
    parser.add_argument("--fast", action="store_true", help="small data, few epochs, no saving")
    parser.add_argument(
        "--timeout", type=int, default=3600, help="seconds a cell may run (default: 3600)"
    )
    args = parser.parse_args(argv)
    for path in notebooks(args.names):
        seconds = execute(path, fast=args.fast, save=not args.fast, timeout=args.timeout)
        print(f"{path.name}: {seconds:.1f} s", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
