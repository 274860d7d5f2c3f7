"""`Tensor` semantics users rely on: dtypes, graphs only where needed, backward's rules,
released graphs, clear errors, numerical stability."""

from __future__ import annotations

import gc
import re
import weakref

import numpy as np
import pytest

from autograd_lite import (
    Tensor,
    Value,
    concatenate,
    detect_anomaly,
    engine,
    get_default_dtype,
    no_grad,
    ones,
    randn,
    set_default_dtype,
    tensor_ops,
    zeros,
)
from autograd_lite.broadcasting import accumulate

# ------------------------------------------------------------------------------- dtypes


def test_python_numbers_and_lists_become_float32():
    assert Tensor(1.5).dtype == np.float32
    assert Tensor([[1, 2], [3, 4]]).dtype == np.float32
    assert Tensor([1.0], dtype=np.float64).dtype == np.float64


def test_arrays_keep_their_dtype_and_are_not_copied():
    a = np.arange(3.0)
    t = Tensor(a)
    assert t.dtype == np.float64 and t.data is a
    assert Tensor(np.arange(3)).dtype == np.int64


@pytest.mark.parametrize(
    ("data", "dtype_text"),
    [
        (np.array(["a", "b"]), "<U1"),
        (np.array([1, "xx"], dtype=object), "object"),
        (np.array([1 + 2j]), "complex128"),
        (np.array(["2020-01-01"], dtype="datetime64[D]"), "datetime64[D]"),
        (np.str_("a"), "<U1"),
    ],
)
def test_non_numeric_arrays_are_a_type_error_naming_the_dtype(data, dtype_text):
    with pytest.raises(
        TypeError, match=rf"expected a numeric dtype .* dtype {re.escape(dtype_text)}"
    ):
        Tensor(data)
    with pytest.raises(TypeError, match=r"expected a numeric dtype|expected a Tensor, an array"):
        Tensor([1.0]) * data  # an operand is checked too


def test_a_non_numeric_dtype_argument_is_a_type_error():
    with pytest.raises(TypeError, match="expected a numeric dtype"):
        Tensor([1.0, 2.0], dtype=str)
    assert Tensor(np.array([True, False])).dtype == np.bool_  # masks stay allowed


def test_the_default_dtype_is_settable():
    try:
        set_default_dtype(np.float64)
        assert Tensor([1.0]).dtype == np.float64 and zeros(2).dtype == np.float64
    finally:
        set_default_dtype(np.float32)
    assert get_default_dtype() == np.float32
    with pytest.raises(TypeError, match="expected a floating dtype, got int32"):
        set_default_dtype(np.int32)


def test_python_numbers_are_weak_in_arithmetic():
    x64 = Tensor(np.array([1.0, 2.0]))
    assert (x64 * 0.1).dtype == np.float64
    assert (x64 * 0.1).data[0] == 0.1  # exact: 0.1 was not rounded to float32 first
    x32 = Tensor(np.array([1.0], dtype=np.float32))
    assert (x32 * 0.1).dtype == np.float32 and (2.0 - x32).dtype == np.float32


def test_mixed_dtypes_follow_numpy_and_gradients_keep_each_inputs_dtype():
    a = Tensor(np.ones(2, dtype=np.float32), requires_grad=True)
    b = Tensor(np.ones(2, dtype=np.float64), requires_grad=True)
    out = a * b
    assert out.dtype == np.float64
    out.sum().backward()
    assert a.grad.dtype == np.float32 and b.grad.dtype == np.float64


def test_integer_tensors_cannot_require_grad():
    with pytest.raises(TypeError, match="only floating-point tensors can require gradients"):
        Tensor(np.arange(3), requires_grad=True)


def test_constructors():
    assert zeros((2, 3)).shape == (2, 3) and ones(4, requires_grad=True).requires_grad
    a, b = randn((3, 2), rng=7), randn((3, 2), rng=7)
    np.testing.assert_array_equal(a.data, b.data)
    assert a.dtype == np.float32


def test_bad_data_is_a_type_error():
    with pytest.raises(TypeError, match="expected an array, a number or a"):
        Tensor("abc")
    with pytest.raises(TypeError, match="cannot make an array"):
        Tensor([[1, 2], [3]])
    with pytest.raises(TypeError, match="holding Values or Tensors"):
        Tensor([Value(1.0), Value(2.0)])


# -------------------------------------------------------------------------- the array side


def test_array_protocol_and_accessors():
    t = Tensor(np.arange(6.0).reshape(2, 3), label="t")
    assert (t.shape, t.ndim, t.size, len(t)) == ((2, 3), 2, 6, 2)
    assert np.asarray(t) is t.data and t.numpy() is t.data
    assert Tensor([[2.5]]).item() == 2.5
    with pytest.raises(ValueError, match="one element, got shape"):
        t.item()
    with pytest.raises(TypeError, match="0-d"):
        len(Tensor(1.0))
    assert "label='t'" in repr(t) and "dtype=float64" in repr(t)


def test_numpy_arrays_on_the_left_give_tensors():
    x = Tensor(np.ones(3), requires_grad=True)
    out = np.arange(3.0) * x
    assert isinstance(out, Tensor)
    (np.ones((2, 3)) @ x).sum().backward()
    np.testing.assert_array_equal(x.grad, [2.0, 2.0, 2.0])


def test_comparisons_are_boolean_and_outside_the_graph():
    x = Tensor(np.array([-1.0, 2.0]), requires_grad=True)
    mask = x > 0
    assert mask.dtype == bool and not mask.requires_grad
    np.testing.assert_array_equal(mask.data, [False, True])
    np.testing.assert_array_equal((x <= 2.0).data, [True, True])
    assert x[mask].shape == (1,)


# ---------------------------------------------------------------------------- the graph


def test_no_graph_is_recorded_when_nothing_requires_grad():
    x = Tensor(np.ones(3))
    y = (x * 2).exp().sum()
    assert y.is_leaf and not y.requires_grad and y._parents == ()


def test_no_graph_inside_no_grad():
    w = Tensor(np.ones(3), requires_grad=True)
    with no_grad():
        y = w * 2
    assert y.is_leaf and not y.requires_grad


def test_data_inputs_get_no_gradient():
    x = Tensor(np.ones((4, 3)))  # a data batch
    w = Tensor(np.ones((2, 3)), requires_grad=True)
    (x @ w.T).sum().backward()
    assert x.grad is None and w.grad is not None


def test_backward_on_a_non_scalar_needs_a_gradient():
    y = Tensor(np.ones(3), requires_grad=True) * 2
    with pytest.raises(RuntimeError, match="only for a tensor with one element, got shape"):
        y.backward()
    with pytest.raises(ValueError, match="expected grad of shape"):
        y.backward(np.ones(2))


def test_backward_without_a_graph_is_a_clear_error():
    with pytest.raises(RuntimeError, match="does not require grad"):
        Tensor(np.ones(1)).backward()


def test_backward_with_an_explicit_gradient():
    x = Tensor(np.array([1.0, 2.0]), requires_grad=True)
    (x * x).backward(np.array([1.0, 0.5]))
    np.testing.assert_array_equal(x.grad, [2.0, 2.0])


def test_a_released_graph_cannot_be_walked_twice_unless_retained():
    x = Tensor(np.array([1.0, 2.0]), requires_grad=True)
    y = (x * x).sum()
    y.backward(retain_graph=True)
    y.backward()
    np.testing.assert_array_equal(x.grad, [4.0, 8.0])  # accumulated over both calls
    with pytest.raises(RuntimeError, match="retain_graph=True"):
        y.backward()


def test_leaf_gradients_accumulate_until_zero_grad():
    x = Tensor(np.array([3.0]), requires_grad=True)
    (x * 2).sum().backward()
    (x * 2).sum().backward()
    assert x.grad[0] == 4.0
    x.zero_grad()
    assert x.grad is None


def test_intermediates_keep_grads_only_when_asked():
    x = Tensor(np.array([1.0, -2.0]), requires_grad=True)
    h = x * 3
    kept = (x * 2).retain_grad()
    (h + kept).sum().backward()
    assert h.grad is None
    np.testing.assert_array_equal(kept.grad, [1.0, 1.0])


def test_each_leaf_owns_its_gradient():
    """add hands the same array to both inputs; editing one leaf's grad in place (as
    gradient clipping does) must not change the other's."""
    a, b = Tensor(np.ones(2), requires_grad=True), Tensor(np.ones(2), requires_grad=True)
    (a + b).sum().backward()
    assert a.grad is not b.grad
    a.grad *= 0.5
    np.testing.assert_array_equal(b.grad, [1.0, 1.0])
    c = Tensor(np.ones((2, 2)), requires_grad=True)
    c.sum().backward()  # sum's VJP is a read-only broadcast view
    c.grad[0, 0] = 5.0


def test_a_new_gradient_is_not_taken_for_a_freed_one():
    """Once an intermediate's gradient is freed, CPython may give the next new array its id: a
    fresh weight gradient must not be copied for that (a copy of every weight, every step)."""
    leaf = Tensor(np.zeros(3), requires_grad=True)
    middle = leaf * 1.0
    handed_out: set[int] = set()
    two, g = np.full(3, 2.0), np.ones(3)
    accumulate(middle, g, handed_out)
    freed, middle.grad = id(g), None
    del g
    fresh = two.copy()  # one new array object: it takes the freed one's place
    accumulate(leaf, fresh, handed_out)
    assert leaf.grad is fresh, f"copied (the id was {'' if id(fresh) == freed else 'not '}reused)"
    other = Tensor(np.zeros(3), requires_grad=True)
    accumulate(other, fresh, handed_out)  # the same array for a second leaf: that one copies
    assert other.grad is not fresh


def test_broadcasting_in_both_directions_sums_gradients_back():
    a = Tensor(np.ones((3, 1)), requires_grad=True)
    b = Tensor(np.ones((4,)), requires_grad=True)
    (a * b).sum().backward()
    np.testing.assert_array_equal(a.grad, np.full((3, 1), 4.0))
    np.testing.assert_array_equal(b.grad, np.full(4, 3.0))


def test_x_minus_x_and_a_times_a():
    x = Tensor(np.array([2.0, -3.0]), requires_grad=True)
    (x - x).sum().backward()
    np.testing.assert_array_equal(x.grad, [0.0, 0.0])
    x.zero_grad()
    (x * x).sum().backward()
    np.testing.assert_array_equal(x.grad, [4.0, -6.0])


def test_memory_is_released_after_backward():
    """Without retain_graph the closures (and the arrays they saved) go at once, without
    the cyclic garbage collector: memory stays flat over training steps."""
    gc.disable()
    try:
        w = Tensor(np.ones((50, 50)), requires_grad=True)
        saved = np.ones((50, 50))
        h = (Tensor(saved) @ w).tanh()
        probe = weakref.ref(h)
        loss = h.sum()
        loss.backward()
        assert loss._parents[0] is h and h._vjp is engine._released_vjp
        del h, loss
        assert probe() is None
    finally:
        gc.enable()


# ------------------------------------------------------------------------------- errors

ERRORS = [
    (
        "broadcast",
        lambda: Tensor(np.ones((2, 3))) + Tensor(np.ones((4,))),
        ValueError,
        "+: shapes (2, 3) and (4,) cannot be broadcast together",
    ),
    (
        "matmul",
        lambda: Tensor(np.ones((2, 3))) @ Tensor(np.ones((2, 3))),
        ValueError,
        "@: shapes (2, 3) and (2, 3) are not aligned",
    ),
    (
        "matmul with a number",
        lambda: Tensor(np.ones((2, 3))) @ 2.0,
        ValueError,
        "@: shapes (2, 3) and () are not aligned",
    ),
    (
        "reshape",
        lambda: Tensor(np.ones((3, 4))).reshape(5, 4),
        ValueError,
        "cannot reshape a tensor of shape (3, 4) (12 elements) into shape (5, 4)",
    ),
    (
        "linear",
        lambda: tensor_ops.linear(Tensor(np.ones((2, 3))), Tensor(np.ones((4, 5)))),
        ValueError,
        "linear: expected x of shape (..., 5) and weight of shape (out, in)",
    ),
    (
        "log domain",
        lambda: Tensor(np.array([1.0, 0.0, -1.0])).log(),
        ValueError,
        "log: expected positive inputs, got 2 element(s) <= 0",
    ),
    (
        "sqrt domain",
        lambda: Tensor(np.array([-4.0])).sqrt(),
        ValueError,
        "sqrt: expected non-negative",
    ),
    (
        "division by zero",
        lambda: Tensor(np.ones(2)) / np.array([1.0, 0.0]),
        ValueError,
        "division by zero (1 zero element(s)",
    ),
    ("bad operand", lambda: Tensor(np.ones(2)) * "x", TypeError, "got str"),
    (
        "axis",
        lambda: Tensor(np.ones((2, 3))).sum(axis=2),
        ValueError,
        "sum: axis 2 is out of range for a tensor with 2 axes",
    ),
    ("index", lambda: Tensor(np.ones((2, 3)))[5], IndexError, "indexing a tensor of shape (2, 3)"),
    (
        "concatenate",
        lambda: concatenate([Tensor(np.ones((2, 3))), Tensor(np.ones((2, 4)))]),
        ValueError,
        "shapes (2, 3), (2, 4) must match except along axis 0",
    ),
    ("transpose", lambda: Tensor(np.ones((2, 3))).transpose(0, 0), ValueError, "permutation"),
    ("clip", lambda: Tensor(np.ones(2)).clip(), ValueError, "at least one of min and max"),
]


@pytest.mark.parametrize(("name", "f", "error", "words"), ERRORS, ids=[e[0] for e in ERRORS])
def test_bad_input_is_a_clear_error(name, f, error, words):
    with pytest.raises(error) as info:
        f()
    assert words in str(info.value)


def test_detect_anomaly_names_the_op_and_the_shapes():
    x = Tensor(np.array([[1.0, 1000.0]]), requires_grad=True)
    with detect_anomaly(), np.errstate(over="ignore"), pytest.raises(FloatingPointError) as info:
        (x * 1.0).exp()
    message = str(info.value)
    assert "op 'exp' with inputs (shape (1, 2))" in message and "test_tensor.py" in message


# ---------------------------------------------------------------------------- stability


@pytest.mark.parametrize("big", [1e4, -1e4])
def test_softmax_family_is_finite_at_large_inputs(big):
    x = Tensor(np.array([[big, 0.0, -big], [big, big, big]]), requires_grad=True)
    for f in (lambda t: t.softmax(), lambda t: t.log_softmax(), lambda t: t.logsumexp(axis=1)):
        x.zero_grad()
        out = f(x)
        (out * Tensor(np.ones(out.shape) * 0.5)).sum().backward()
        assert np.all(np.isfinite(out.data)) and np.all(np.isfinite(x.grad))
    np.testing.assert_allclose(x.logsumexp(axis=1).data[1], big + np.log(3))


def test_sigmoid_never_overflows():
    x = Tensor(np.array([-1e4, -800.0, 0.0, 800.0, 1e4]), requires_grad=True)
    s = x.sigmoid()
    s.sum().backward()
    np.testing.assert_array_equal(s.data, [0.0, 0.0, 0.5, 1.0, 1.0])
    np.testing.assert_array_equal(x.grad, [0.0, 0.0, 0.25, 0.0, 0.0])


def test_max_shares_the_gradient_between_ties():
    x = Tensor(np.array([1.0, 3.0, 3.0]), requires_grad=True)
    x.max().backward()
    np.testing.assert_array_equal(x.grad, [0.0, 0.5, 0.5])


def test_cross_entropy_at_huge_logits_is_finite_with_softmax_minus_onehot_gradient():
    from autograd_lite.tensor_ops import cross_entropy

    z = Tensor(np.array([[1e4, -1e4, 0.0]]), requires_grad=True)
    loss = cross_entropy(z, np.array([1]))
    loss.backward()
    assert loss.item() == 2e4
    np.testing.assert_array_equal(z.grad, [[1.0, -1.0, 0.0]])


@pytest.mark.parametrize(
    ("labels", "error", "words"),
    [
        (np.array([0.0, 1.0]), TypeError, "expected integer class labels, got dtype float64"),
        (np.array([0, 3]), ValueError, "expected labels in [0, 3), got 1 out of range (e.g. 3)"),
        (np.array([0, -1]), ValueError, "out of range (e.g. -1)"),
        (np.array([0]), ValueError, "expected labels of shape (2,), got (1,)"),
    ],
)
def test_cross_entropy_rejects_bad_labels(labels, error, words):
    from autograd_lite.tensor_ops import cross_entropy

    with pytest.raises(error) as info:
        cross_entropy(Tensor(np.zeros((2, 3))), labels)
    assert words in str(info.value)


def test_losses_of_an_empty_batch_are_a_clear_error():
    from autograd_lite.tensor_ops import binary_cross_entropy_with_logits, cross_entropy

    with pytest.raises(ValueError, match="empty batch is undefined; got 0 examples"):
        cross_entropy(Tensor(np.zeros((0, 3))), np.zeros(0, dtype=np.int64))
    with pytest.raises(ValueError, match="empty batch"):
        binary_cross_entropy_with_logits(Tensor(np.zeros((0, 1))), np.zeros((0, 1)))
    assert cross_entropy(Tensor(np.zeros((0, 3))), np.zeros(0, int), reduction="sum").item() == 0


def test_implicit_seeds_never_leave_a_read_only_gradient_behind():
    x = Tensor(np.array([2.0]), requires_grad=True)
    x.backward()  # the root is the leaf itself
    x.grad[0] = 5.0
    y = (x * 2).retain_grad()
    y.backward()
    y.grad[0] = 0.0
    x.zero_grad()
    (x * 3).backward()
    x.grad *= 2
    assert x.grad[0] == 6.0


def test_the_gradient_buffer_is_public_and_checked():
    w = Tensor(np.ones((3, 2), dtype=np.float32), requires_grad=True)
    x = Tensor(np.ones((4, 2), dtype=np.float32))
    buffer = np.zeros((3, 2), dtype=np.float32)
    w.grad_buffer = buffer
    assert w.grad_buffer is buffer
    tensor_ops.linear(x, w, None).sum().backward()
    assert w.grad is buffer and buffer.tolist() == [[4.0, 4.0]] * 3  # written in place
    with pytest.raises(ValueError, match=r"expected an array of shape \(3, 2\) and dtype float32"):
        w.grad_buffer = np.zeros((2, 3), dtype=np.float32)
    with pytest.raises(ValueError, match="writeable"):
        readonly = np.zeros((3, 2), dtype=np.float32)
        readonly.flags.writeable = False
        w.grad_buffer = readonly
    with pytest.raises(RuntimeError, match="expected a leaf that requires grad"):
        x.grad_buffer = np.zeros((4, 2), dtype=np.float32)
    w.grad_buffer = None
    assert w.grad_buffer is None
