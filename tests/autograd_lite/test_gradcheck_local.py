"""The op-by-op gradient check: it names exactly the op whose VJP is wrong, never a correct
op of the library, and costs nothing outside a check."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import find

from autograd_lite import GradcheckError, Tensor, Value, engine, gradcheck, primitive
from autograd_lite.check import GraphChangedError, locate_wrong_vjp
from autograd_lite.testing import DOMAINS, Domain
from nn import MLP
from tests.op_table import LOSS_OPS, OPS, TENSOR_OPS

# ------------------------------------------------------------------ planted wrong VJPs


@primitive
def half_square(x):
    """A planted bug: the VJP of x * x forgets the factor 2."""
    return x * x


@half_square.defvjp
def half_square_vjp(g, ans, x):
    return (g * x,)


@primitive
def scaled_mul(a, b):
    """A planted bug: a * b (with broadcasting) whose gradient for b is halved."""
    return a * b


@scaled_mul.defvjp
def scaled_mul_vjp(g, ans, a, b):
    return g * b, 0.5 * g * a


@primitive
def self_product(a, b):
    """a * b, with a planted bug that shows when one node fills both slots (``a * a``):
    the VJP sends the gradient of the first slot only."""
    return a * b


@self_product.defvjp
def self_product_vjp(g, ans, a, b):
    return g * b, 0.0


def wrong_self_product(a: Value) -> Value:
    return self_product(a, a)


def composed(x: Value, y: Value) -> Value:
    z = (x * y).tanh() + y.exp()
    return half_square(z) * x + z.sigmoid()


def test_names_exactly_the_planted_scalar_op():
    with pytest.raises(GradcheckError) as info:
        gradcheck(composed, Value(0.3, label="x"), Value(-1.2, label="y"))
    message = str(info.value)
    first = info.value.result.localisation.first
    assert first.op == "half_square" and first.slots == (0,)
    assert "half_square() in tests/autograd_lite/test_gradcheck_local.py" in first.function
    assert "return half_square(z) * x + z.sigmoid()" in first.site
    assert first.numeric == pytest.approx(2 * first.analytic, rel=1e-6)
    assert first.rel_error == pytest.approx(0.5, rel=1e-6)
    assert "1 of 8 op(s) have a VJP that disagrees" in message
    assert "op #5 ('half_square', a scalar)" in message
    assert "parent 0   op #4 '+'" in message
    # Every op before it was checked and is right: the localisation points at one op only.
    assert len(info.value.result.localisation.failures) == 1


def test_names_the_planted_tensor_op_and_the_parent_whose_vjp_is_wrong():
    rng = np.random.default_rng(1)
    W = Tensor(rng.standard_normal((3, 4)), requires_grad=True, label="W")
    b = Tensor(rng.standard_normal(4), requires_grad=True, label="b")

    def f(W, b):
        h = (W * 2.0 + 1.0).tanh()
        return scaled_mul(h, b.exp()).sum(axis=0).sigmoid()  # b broadcasts over the rows

    with pytest.raises(GradcheckError) as info:
        gradcheck(f, W, b)
    report = info.value.result.localisation
    assert [(c.op, c.slots) for c in report.failures] == [("scaled_mul", (1,))]
    first = report.first
    assert first.parent == "op #4 'exp'" and first.node.data.shape == (3, 4)
    assert first.numeric == pytest.approx(2 * first.analytic, rel=1e-5)
    assert "local VJP, random cotangent, element [" in str(report)


def test_one_parent_in_two_slots_is_checked_as_one_edge():
    with pytest.raises(GradcheckError) as info:
        gradcheck(lambda x: wrong_self_product(x.tanh()), Value(0.7))
    first = info.value.result.localisation.first
    assert first.op == "self_product" and first.slots == (0, 1)
    assert "parents 0 and 1 (one node)" in str(info.value)


def test_the_first_of_two_wrong_ops_is_named_and_the_later_one_listed():
    report = locate_wrong_vjp(lambda x: half_square(half_square(x).tanh()), Value(0.8))
    assert [c.position for c in report.failures] == [1, 3]
    assert report.first.position == 1
    assert "later ops whose VJP is wrong too: op #3" in str(report)


def test_large_parents_are_probed_along_random_directions():
    x = Tensor(np.linspace(-1.0, 1.0, 300), requires_grad=True)
    with pytest.raises(GradcheckError) as info:
        gradcheck(lambda x: scaled_mul(x, x.tanh()).sum(), x, max_elements=100)
    message = str(info.value)
    assert "(random direction" in message
    first = info.value.result.localisation.first
    assert first.op == "scaled_mul" and first.slots == (1,) and first.element is None
    assert "along a random direction" in message


def test_reports_a_graph_cut_when_every_op_is_right():
    # x.data is a constant to backward(): the end-to-end gradient is wrong, no op is.
    with pytest.raises(GradcheckError, match="comes from outside the graph") as info:
        gradcheck(lambda x: x * x.data, Value(1.5))
    assert info.value.result.localisation.ok


def test_a_function_that_builds_another_graph_when_re_run_is_a_clear_error():
    calls = []

    def f(x):
        calls.append(1)
        return x.tanh() if len(calls) == 1 else x.exp()

    with pytest.raises(GraphChangedError, match=r"node #0 on a re-run \('exp' where"):
        locate_wrong_vjp(f, Value(0.5))


def test_the_hook_is_removed_after_a_check_even_when_f_raises():
    # Zero cost in normal use: outside a check the engine has no node hook to call.
    def fails(x):
        x.tanh()
        raise ZeroDivisionError

    with pytest.raises(ZeroDivisionError):
        locate_wrong_vjp(fails, Value(1.0))
    assert engine.modes.node_hooks == ()
    locate_wrong_vjp(half_square, Value(1.0))
    assert engine.modes.node_hooks == ()


def test_an_op_that_raises_when_perturbed_is_noted_not_blamed():
    # An error that is not about a domain (a bug of the op's own) is noted, not blamed; the
    # planted op is still found. (Domain errors: test_gradcheck_domain.)
    @primitive
    def fragile(x):
        if x != 0.5:
            raise RuntimeError("fragile: moved")
        return x

    fragile.defvjp(lambda g, ans, x: (g,))

    report = locate_wrong_vjp(lambda x: half_square(fragile(x) + x), Value(0.5))
    assert report.first.op == "half_square"
    assert any("raised RuntimeError" in note for note in report.notes)


def test_the_mlp_of_values_has_only_right_vjps():
    model = MLP(3, [4, 4, 1], activation="tanh", rng=0)
    inputs = [Value(v, label=f"x{i}") for i, v in enumerate([0.5, -1.0, 2.0])]
    report = locate_wrong_vjp(lambda *xs: model(list(xs)), *inputs)
    assert report.ok and report.n_ops == 4 * 2 + 4 * 2 + 1
    assert "all 17 op(s)" in str(report)


# ------------------------------------------- no correct op of the library is ever blamed


def _sample(domain, shape, rng):
    d = DOMAINS[domain] if isinstance(domain, str) else domain
    low, high = max(d.low, -3.0), min(d.high, 3.0)
    if low >= high:  # a domain outside [-3, 3] (a dead unit's bias): sample it as it is
        low, high = d.low, d.high
    x = rng.uniform(low, high, size=shape)
    for kink in d.kinks:  # move away from kinks by more than the gap
        near = np.abs(x - kink) < max(d.gap, 0.05)
        x[near] = kink + 0.25
    return x


@pytest.mark.parametrize("case", OPS, ids=lambda c: c.id)
def test_no_scalar_op_is_blamed(case):
    rng = np.random.default_rng(0)
    xs = [Value(float(_sample(d, (), rng))) for d in case.domains]
    assert locate_wrong_vjp(case.call, *xs).ok


@pytest.mark.parametrize("case", TENSOR_OPS + LOSS_OPS, ids=lambda c: c.id)
def test_no_tensor_op_is_blamed(case):
    rng = np.random.default_rng(0)
    shapes = _shapes(case)
    if case.distinct:
        xs = [rng.permutation(np.arange(-20, 20))[: int(np.prod(s))].reshape(s) / 4 for s in shapes]
    else:
        xs = [_sample(d, s, rng) for d, s in zip(case.domains, shapes)]
    assert locate_wrong_vjp(case.call, *[Tensor(x, requires_grad=True) for x in xs]).ok


def _shapes(case):
    if case.shapes is None:  # the mirrored elementwise ops: a broadcasting pair
        return [(2, 3), (3,), (1,)][: len(case.domains)]
    return find(case.shape_strategy(), lambda _: True)  # the table's fixed shapes


def test_custom_domain_helper_keeps_off_kinks():
    x = _sample(Domain(-1.0, 1.0, kinks=(0.0,)), (50,), np.random.default_rng(3))
    assert np.all(np.abs(x) >= 0.05)


# ------------------------------------------------------------- ops written by users


@primitive
def fused_softplus(x):
    """A correct custom op computed from floats: log(1 + exp(x)); d/dx = sigmoid(x)."""
    return math.log1p(math.exp(x))


@fused_softplus.defvjp
def fused_softplus_vjp(g, ans, x):
    e = math.exp(x)
    return (g * e / (1 + e),)


@primitive
def times(a, b):
    return a * b


times.defvjp(lambda g, ans, a, b: (g * b, g * a))


def times_own_tanh(a: Value) -> Value:
    """User code mixing a built-in op and a primitive: u = tanh(a), then a * u."""
    return times(a, a.tanh())


def test_correct_custom_ops_are_not_blamed():
    f = lambda x: times_own_tanh(fused_softplus(x) * x)  # noqa: E731
    assert gradcheck(f, Value(0.4))
    assert locate_wrong_vjp(f, Value(0.4)).ok


def test_a_wrong_primitive_is_named_by_its_own_function_and_file():
    # The report names the primitive's function where it is defined (its `def` line), not
    # the engine's fast path or `_apply` that ran it, for Values and Tensors alike.
    def_line = half_square.fun.__code__.co_firstlineno + 1  # below its @primitive
    where = f"half_square() in tests/autograd_lite/test_gradcheck_local.py:{def_line}"
    for x in (Value(0.6), Tensor(np.array([0.6, -0.2]), requires_grad=True)):
        first = locate_wrong_vjp(lambda x: half_square(x.tanh() * 2.0), x).first
        assert first.op == "half_square" and first.function == where


def test_a_primitive_called_on_plain_numbers_is_not_taken_for_the_next_op():
    # The probe of half_square waits for a call with nodes among its arguments: the plain
    # call before it must not move y early, or the constant read from y.data would be moved
    # too, and the correct * after half_square would be blamed.
    def f(x):
        y = x.tanh()
        c = fused_softplus(0.3)  # a plain float: no node
        k = y.data  # a constant to backward()
        return half_square(y) * k * c

    report = locate_wrong_vjp(f, Value(0.7))
    assert [check.op for check in report.failures] == ["half_square"]


# ------------------------------- ops that make their node through the engine themselves
# The library's fused ops (the scalar `linear`, the tensor `cross_entropy`) hand their result
# to the engine's node constructor, `_result`, as engine code may; such an op can make nodes
# of its own first (a composite op). Users write primitives, which never do.


def composite_with_inner_parent(a: Value) -> Value:
    """A correct composite op: makes u = tanh(a) itself, then a * u with both as parents."""
    u = a.tanh()
    x, y = a.data, u.data
    return Value._result(x * y, (a, u), lambda g: (g * y, g * x), "a*tanh(a)")


def opaque_composite(a: Value) -> Value:
    """A composite op whose output depends on an inner node that is not a parent."""
    e = a.exp()
    return Value._result(math.log1p(e.data), (a,), lambda g: (g * 0.0,), "opaque")


def test_a_composite_op_is_checked_against_its_parents():
    f = lambda x: composite_with_inner_parent(x * 1.5)  # noqa: E731
    assert gradcheck(f, Value(0.4))
    report = locate_wrong_vjp(f, Value(0.4))
    assert report.ok and report.n_ops == 3  # *, tanh and the composite op itself


def test_an_op_whose_output_depends_on_nodes_outside_its_parents_is_not_checked():
    report = locate_wrong_vjp(lambda x: opaque_composite(x * 2.0), Value(0.4))
    assert report.ok and report.n_ops == 1  # the *, not the opaque op (its exp is off the graph)
    assert any("'opaque'" in note and "not among its parents" in note for note in report.notes)


def test_an_overflowing_forward_is_named_instead_of_blaming_correct_ops():
    import pytest

    from autograd_lite import GradcheckError, Value, gradcheck

    with pytest.raises(GradcheckError) as info:
        gradcheck(lambda x: (x.exp() + 1).log(), Value(729.0))
    message = str(info.value)
    assert "because of that overflow" in message
    assert "op #1 'exp'" in message and "autograd_lite/scalar_ops.py" in message
    assert "disagrees" not in message
