"""The op-by-op gradient check: it names exactly the op whose VJP is wrong, never a correct
op of the library, and costs nothing outside a check."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import find

from autograd_lite import GradcheckError, Tensor, Value, gradcheck
from autograd_lite.check import GraphChangedError, locate_wrong_vjp
from autograd_lite.scalar import as_value
from autograd_lite.testing import DOMAINS, Domain
from nn import MLP
from tests.op_table import LOSS_OPS, OPS, TENSOR_OPS

# ------------------------------------------------------------------ planted wrong VJPs


def half_square(a: Value) -> Value:
    """A planted bug: the VJP of a * a forgets the factor 2."""
    a = as_value(a, "half_square")
    x = a.data

    def vjp(g: float) -> tuple[float]:
        return (g * x,)

    return Value._result(x * x, (a,), vjp, "half_square")


def scaled_mul(a: Tensor, b: Tensor) -> Tensor:
    """A planted bug: a * b (with broadcasting) whose gradient for b is halved."""
    ad, bd = a.data, b.data

    def vjp(g: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return g * bd, 0.5 * g * ad

    return Tensor._result(ad * bd, (a, b), vjp, "scaled_mul")


def wrong_self_product(a: Value) -> Value:
    """A planted bug with one parent in two slots: d(a*a) sends the gradient of one slot only."""
    x = a.data
    return Value._result(x * x, (a, a), lambda g: (g * x, 0.0), "self_product")


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
    # Zero cost in normal use: outside a check, ops call the engines' own `_result`.
    before = (vars(Value)["_result"], vars(Tensor)["_result"])

    def fails(x):
        x.tanh()
        raise ZeroDivisionError

    with pytest.raises(ZeroDivisionError):
        locate_wrong_vjp(fails, Value(1.0))
    locate_wrong_vjp(half_square, Value(1.0))
    assert (vars(Value)["_result"], vars(Tensor)["_result"]) == before


def test_an_op_that_raises_when_perturbed_is_noted_not_blamed():
    # An error that is not about a domain (a bug of the op's own) is noted, not blamed; the
    # planted op is still found. (Domain errors: test_gradcheck_domain.)
    def fragile(a: Value) -> Value:
        if a.data != 0.5:
            raise RuntimeError("fragile: moved")
        return Value._result(a.data, (a,), lambda g: (g,), "fragile")

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
    x = rng.uniform(max(d.low, -3.0), min(d.high, 3.0), size=shape)
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


def fused_softplus(a: Value) -> Value:
    """A correct custom op computed from floats: log(1 + exp(a)); d/da = sigmoid(a)."""
    e = math.exp(a.data)
    return Value._result(math.log1p(e), (a,), lambda g: (g * e / (1 + e),), "softplus")


def composite_with_inner_parent(a: Value) -> Value:
    """A correct composite op: makes u = tanh(a) itself, then a * u with both as parents."""
    u = a.tanh()
    x, y = a.data, u.data
    return Value._result(x * y, (a, u), lambda g: (g * y, g * x), "a*tanh(a)")


def opaque_composite(a: Value) -> Value:
    """A composite op whose output depends on an inner node that is not a parent."""
    e = a.exp()
    return Value._result(math.log1p(e.data), (a,), lambda g: (g * 0.0,), "opaque")


def test_correct_custom_ops_are_not_blamed():
    f = lambda x: composite_with_inner_parent(fused_softplus(x) * x)  # noqa: E731
    assert gradcheck(f, Value(0.4))
    assert locate_wrong_vjp(f, Value(0.4)).ok


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
