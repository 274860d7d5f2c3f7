"""Benchmarks: autograd-lite against references run in the same process.

Run them all with ``python -m benchmarks`` (or ``make bench``); ``--smoke`` runs each at a
tiny size, which is what the test suite does so that they cannot rot.
"""
