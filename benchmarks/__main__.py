"""``python -m benchmarks [--smoke] [NAME ...]``: run the benchmarks and print their tables."""

from __future__ import annotations

import argparse
import platform

import numpy as np

from benchmarks import mnist, scalar, tensor

BENCHMARKS = {**scalar.BENCHMARKS, **tensor.BENCHMARKS, **mnist.BENCHMARKS}


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
    for name in args.names or BENCHMARKS:
        print()
        print(BENCHMARKS[name](size), flush=True)


if __name__ == "__main__":
    main()
