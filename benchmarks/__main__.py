"""``python -m benchmarks [--smoke] [NAME ...]``: run the benchmarks and print their tables."""

from __future__ import annotations

import argparse
import platform

import numpy as np

from autograd_lite import kernels
from benchmarks import kernels as kernel_bench
from benchmarks import load, mnist, scalar, tensor

BENCHMARKS = {
    **scalar.BENCHMARKS,
    **tensor.BENCHMARKS,
    **kernel_bench.BENCHMARKS,
    **mnist.BENCHMARKS,
    **load.BENCHMARKS,
}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("names", nargs="*", help=f"which to run: {', '.join(BENCHMARKS)} (all)")
    parser.add_argument("--smoke", action="store_true", help="tiny sizes: check they run")
    args = parser.parse_args(argv)
    unknown = [name for name in args.names if name not in BENCHMARKS]
    if unknown:
        parser.error(f"unknown benchmark(s) {unknown}: expected some of {list(BENCHMARKS)}")
    size = "smoke" if args.smoke else "full"
    print(f"# Python {platform.python_version()}, NumPy {np.__version__}, {platform.machine()}")
    print(f"# {_versions()}; kernels: {kernels.backend()}")
    for name in args.names or BENCHMARKS:
        print()
        print(BENCHMARKS[name](size), flush=True)


def _versions() -> str:
    """The peers' and helpers' versions, where installed."""
    from importlib.metadata import PackageNotFoundError, version

    found = []
    for name in ("numba", "threadpoolctl", "torch", "jax", "micrograd"):
        try:
            found.append(f"{name} {version(name)}")
        except PackageNotFoundError:
            found.append(f"{name} not installed")
    return ", ".join(found)


if __name__ == "__main__":
    main()
