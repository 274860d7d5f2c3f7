"""Chain-rule paths: the path products sum to the gradient, counting, caps, tables, pictures."""

from __future__ import annotations

import math
import re
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from autograd_lite import Value, engine
from autograd_lite.draw import PATH_COLOURS, draw_paths, render
from autograd_lite.explain import (
    TooManyPathsError,
    chain_rule_paths,
    count_paths,
    explain_gradient,
    factored_paths,
    subgraph,
)
from autograd_lite.testing import expressions, floats_in


def ladder(levels: int) -> tuple[Value, Value]:
    """x -> (2y, 3y) -> sum, `levels` times: 2**levels paths from x to the output."""
    x = Value(0.3, label="x")
    y = x
    for _ in range(levels):
        y = (y * 0.5).tanh() + y * 0.25
    y.label = "L"
    return x, y


def close(a: float, b: float, scale: float) -> bool:
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9 * (1.0 + scale))


@given(
    expressions(max_inputs=3, max_leaves=10), st.lists(floats_in("real"), min_size=3, max_size=3)
)
def test_path_products_sum_to_the_gradient(expr, xs):
    inputs = [Value(x, label=f"x{i}") for i, x in enumerate(xs[: expr.n_inputs])]
    out = expr(*inputs)
    out.backward()
    for w in inputs:
        n = count_paths(w, out)
        if n > 5_000:
            continue
        paths = chain_rule_paths(w, out, max_paths=5_000)
        assert len(paths) == n
        scale = sum(abs(p.product) for p in paths)
        total = math.fsum(p.product for p in paths)
        expected = w.grad if w is not out else 1.0
        assert close(total, expected, scale)
        hops = math.fsum(h.product for h in factored_paths(w, out))
        if w is not out:
            assert close(hops, w.grad, scale)
        for p in paths:
            assert p.nodes[0] is w and p.nodes[-1] is out
            assert len(p.derivatives) == len(p.nodes) - 1 == len(p.slots)
            assert p.product == math.prod(p.derivatives)


def test_a_times_a_is_two_paths():
    a = Value(3.0, label="a")
    b = a * a
    b.backward()
    paths = chain_rule_paths(a, b)
    assert [p.slots for p in paths] == [(0,), (1,)]
    assert [p.product for p in paths] == [3.0, 3.0]
    assert sum(p.product for p in paths) == a.grad == 6.0
    assert "a -> * (input 0)" in paths[0].text()


def test_neuron_weight_has_one_path_whose_product_is_its_gradient():
    x1, w1, b = Value(2.0, label="x1"), Value(-3.0, label="w1"), Value(6.5, label="b")
    o = (x1 * w1 + b).tanh()
    o.backward()
    (path,) = chain_rule_paths(w1, o)
    assert path.nodes[0] is w1 and path.nodes[-1] is o
    assert path.derivatives[0] == 2.0  # d(x1 w1)/dw1 = x1
    assert path.product == pytest.approx(w1.grad, rel=1e-12)


def test_long_paths_are_shortened_in_text():
    x = Value(0.1, label="x")
    y = x
    for _ in range(40):
        y = y.tanh()
    y.label = "L"
    y.backward()
    (path,) = chain_rule_paths(x, y)
    assert len(path.nodes) == 41
    assert "-> (31 more nodes) ->" in path.text() and "(30 more factors)" in str(path)
    assert "(31 more nodes)" in str(explain_gradient(x, y))


def test_unreachable_and_trivial_paths():
    a, b = Value(1.0, label="a"), Value(2.0, label="b")
    c = a * 2.0
    assert chain_rule_paths(b, c) == [] and count_paths(b, c) == 0 and factored_paths(b, c) == []
    (path,) = chain_rule_paths(c, c)
    assert path.nodes == (c,) and path.product == 1.0 and count_paths(c, c) == 1


def test_count_paths_matches_enumeration_and_scales_past_it():
    x, out = ladder(8)
    assert count_paths(x, out) == 2**8 == len(chain_rule_paths(x, out))
    x, out = ladder(60)
    assert count_paths(x, out) == 2**60  # exact, by dynamic programming


def test_too_many_paths_is_an_error_that_points_to_the_factored_view():
    x, out = ladder(20)
    out.backward()
    with pytest.raises(TooManyPathsError, match="got 1,048,576") as info:
        chain_rule_paths(x, out)
    assert isinstance(info.value, ValueError) and "factored_paths" in str(info.value)
    hops = factored_paths(x, out)
    assert [h.n_paths for h in hops] == [2**19, 2**19]
    assert math.fsum(h.product for h in hops) == pytest.approx(x.grad, rel=1e-9)


def test_explain_gradient_table(capsys):
    a = Value(0.5, label="a")
    b = Value(-1.2, label="b")
    out = (a * a).tanh() * a + b * a
    out.label = "L"
    out.backward()
    result = explain_gradient(a, out, show=True)
    printed = capsys.readouterr().out
    assert printed.strip() == str(result)
    assert "dL/da by the chain rule: 4 paths from a to L" in printed
    assert "a -> *#1 (input 0) -> tanh -> *#2 -> L" in printed
    assert "sum of path products" in printed and "a.grad (from backward)" in printed
    assert result.total == pytest.approx(a.grad) and abs(result.residual) < 1e-12
    factored = str(explain_gradient(a, out, max_paths=2))
    assert "grouped by their first edge" in factored and "sum over first edges" in factored


def test_explain_gradient_sorts_the_graph_once_and_agrees_with_backward(monkeypatch):
    # One walk of the engine gives the order and dL/dnode: counting, listing, the factored
    # view and the names all read it, so a big graph is sorted once, not once per question.
    sorts = []
    sort = engine.topological_order

    def counting(root):
        sorts.append(root)
        return sort(root)

    monkeypatch.setattr(engine, "topological_order", counting)
    monkeypatch.setattr(subgraph, "topological_order", counting)
    x, out = ladder(12)
    out.backward()
    for max_paths in (10, 10_000):
        sorts.clear()
        result = explain_gradient(x, out, max_paths=max_paths)
        assert len(sorts) == 1 and result.n_paths == 2**12
        assert result.total == pytest.approx(x.grad, rel=1e-12)
        assert (result.paths is None) == (max_paths == 10)


def test_explain_gradient_notes_accumulated_gradients():
    a = Value(0.5, label="a")
    out = a * a
    out.backward()
    out.backward()  # leaf gradients accumulate: a.grad is now twice da/da
    result = explain_gradient(a, out)
    assert result.residual == pytest.approx(1.0)
    assert "accumulate" in str(result)


def test_draw_paths_colours_each_path_and_shows_the_sum(tmp_path):
    a = Value(0.5, label="a")
    out = (a * a).tanh() * a
    out.label = "L"
    out.backward()
    g = draw_paths(a, out)
    src = g.source
    assert f"{PATH_COLOURS[0]}:{PATH_COLOURS[1]}" in src  # the shared edge carries two strands
    assert "3 chain-rule paths from a to L" in src and "sum of path products" in src
    assert "<svg" in Path(render(g, tmp_path / "paths.svg")).read_text(encoding="utf-8")


def test_draw_paths_with_many_paths_weighs_edges_and_factors(tmp_path):
    x, out = ladder(12)
    out.backward()
    g = draw_paths(x, out)
    assert "4,096 chain-rule paths" in g.source and "sum over first edges" in g.source
    widths = [float(w) for w in re.findall(r"penwidth=([\d.]+)", g.source)]
    assert max(widths) > 4.0  # the first and last edges carry half of the paths each
    render(g, tmp_path / "many.svg")


def test_tensor_graphs_count_paths_but_have_no_scalar_paths():
    from autograd_lite.tensor import Tensor

    w = Tensor(np.ones((2, 2)), requires_grad=True)
    loss = (w * w).sum()
    assert count_paths(w, loss) == 2
    with pytest.raises(TypeError, match="draw_gradient_flow"):
        chain_rule_paths(w, loss)
