"""`nn.validation`: TypeError for an argument of the wrong type, ValueError for a wrong value,
"owner: expected ..., got ..." messages, and the canonical value returned; and the one
reductions table of `nn.reductions`."""

from __future__ import annotations

import math

import numpy as np
import pytest

from nn import validation as check
from nn.reductions import REDUCTIONS, check_reduction


@pytest.mark.parametrize(
    ("call", "result"),
    [
        (lambda: check.integer("f", "n", np.int32(3)), 3),
        (lambda: check.integer("f", "n", -1, minimum=-1), -1),
        (lambda: check.positive_int("f", "n", 1), 1),
        (lambda: check.real("f", "x", 2), 2.0),
        (lambda: check.real("f", "x", np.float32(0.5), 0.0, 1.0), 0.5),
        (lambda: check.probability("f", "p", 1), 1.0),
        (lambda: check.boolean("f", "b", np.bool_(True)), True),
        (lambda: check.choice("f", "mode", "sum", ("mean", "sum")), "sum"),
        (lambda: check.int_axis("f", "axis", np.int64(-1)), -1),
        (lambda: check.axis_in_range("f", "axis", -1, 3), 2),
        (lambda: check.axis_in_range("f", "axis", 0, 0), 0),
        (lambda: check.floating_dtype("f", "float32"), np.dtype(np.float32)),
        (lambda: check.shape("f", 3), (3,)),
        (lambda: check.shape("f", [2, np.int64(0)]), (2, 0)),
    ],
)
def test_checks_return_the_canonical_value(call, result):
    value = call()
    assert value == result and type(value) is type(result)


@pytest.mark.parametrize(
    ("call", "words"),
    [
        (lambda: check.integer("f", "n", 2.0), "f: expected n to be an integer, got 2.0"),
        (lambda: check.integer("f", "n", True), "expected n to be an integer, got True"),
        (lambda: check.positive_int("f", "n", "3"), "expected a positive integer for n, got '3'"),
        (lambda: check.real("f", "x", "1"), "f: expected x to be a real number, got '1'"),
        (lambda: check.real("f", "x", None), "expected x to be a real number, got None"),
        (lambda: check.real("f", "x", False), "expected x to be a real number, got False"),
        (lambda: check.real("f", "x", 1j), r"expected x to be a real number, got 1j"),
        (lambda: check.probability("f", "p", [0.5]), r"expected p to be a real number"),
        (lambda: check.boolean("f", "b", 1), "f: expected b to be True or False, got 1"),
        (lambda: check.choice("f", "r", None, ("a",)), r"expected r in \('a',\), got None"),
        (lambda: check.generator("f", 1.5), "expected rng to be an np.random.Generator, an int"),
        (lambda: check.generator("f", True), "got bool"),
        (lambda: check.int_axis("f", "axis", 1.0), "f: expected axis to be an int axis, got float"),
        (lambda: check.floating_dtype("f", np.int64), "f: expected a floating dtype, got int64"),
        (lambda: check.floating_dtype("f", "nope"), "expected a floating dtype, got 'nope'"),
        (lambda: check.shape("f", (2.0,)), r"expected a shape .*, got \(2\.0,\)"),
        (lambda: check.shape("f", "3"), "expected a shape"),
    ],
)
def test_a_wrong_type_is_a_type_error(call, words):
    with pytest.raises(TypeError, match=words):
        call()


@pytest.mark.parametrize(
    ("call", "words"),
    [
        (lambda: check.integer("f", "n", 0, minimum=1), "f: expected n >= 1, got 0"),
        (lambda: check.positive_int("f", "n", 0), "f: expected a positive integer for n, got 0"),
        (
            lambda: check.real("f", "x", math.nan),
            "expected x to be a finite real number, got nan",
        ),
        (lambda: check.real("f", "x", math.inf, 0.0), "expected x >= 0, got inf"),
        (lambda: check.real("f", "x", 0.0, 0.0, low_open=True), "expected x > 0, got 0.0"),
        (lambda: check.real("f", "x", 2.0, high=1.0), "expected x <= 1, got 2.0"),
        (lambda: check.real("f", "x", 1.0, 0, 1, high_open=True), r"x in \[0, 1\), got 1.0"),
        (lambda: check.probability("f", "p", 1.5), r"f: expected p in \[0, 1\], got 1.5"),
        (
            lambda: check.choice("f", "r", "max", ("a", "b")),
            r"r in \('a', 'b'\), got 'max'",
        ),
        (lambda: check.generator("f", -1), "f: expected rng to be an int seed >= 0, got -1"),
        (lambda: check.axis_in_range("f", "axis", 3, 3), r"axis in \[-3, 3\) for an input with 3"),
        (lambda: check.axis_in_range("f", "axis", -2, 0), r"axis in \[-1, 1\) for an input with 0"),
        (lambda: check.shape("f", (2, -1)), r"expected a shape .*, got \(2, -1\)"),
    ],
)
def test_a_wrong_value_is_a_value_error(call, words):
    with pytest.raises(ValueError, match=words):
        call()


def test_generator_passes_a_generator_through_and_seeds_a_new_one():
    rng = np.random.default_rng(0)
    assert check.generator("f", rng) is rng
    assert check.generator("f", 7).random() == np.random.default_rng(7).random()
    assert isinstance(check.generator("f", None), np.random.Generator)


def test_reductions_are_one_table():
    assert REDUCTIONS == ("mean", "sum", "none")
    assert [check_reduction("loss", r) for r in REDUCTIONS] == list(REDUCTIONS)
    with pytest.raises(ValueError, match=r"loss: expected reduction in \('mean', 'sum', 'none'\)"):
        check_reduction("loss", "batchmean")
    with pytest.raises(TypeError, match=r"loss: expected reduction in .*, got 0"):
        check_reduction("loss", 0)
