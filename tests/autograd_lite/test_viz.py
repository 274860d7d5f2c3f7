"""Pictures: DOT content, roles, caps, focus, modules, text trees, and real rendering."""

from __future__ import annotations

import re
from pathlib import Path

import graphviz
import numpy as np
import pytest

from autograd_lite import Value
from autograd_lite.draw import Picture, draw_graph, render
from autograd_lite.draw.labels import ROLE_COLOURS
from autograd_lite.explain import graph_text
from nn.scalar_layers import MLP


def neuron() -> tuple[Value, dict[str, Value]]:
    """micrograd's neuron, after backward."""
    v = {
        "x1": Value(2.0, label="x1"),
        "x2": Value(0.0, label="x2"),
        "w1": Value(-3.0, label="w1"),
        "w2": Value(1.0, label="w2"),
        "b": Value(6.8813735870195432, label="b"),
    }
    n = v["x1"] * v["w1"] + v["x2"] * v["w2"] + v["b"]
    n.label = "n"
    o = n.tanh()
    o.label = "o"
    o.backward()
    return o, v


def data_nodes(source: str) -> list[str]:
    return re.findall(r"^\t(n\d+) \[", source, flags=re.M)


def op_nodes(source: str) -> list[str]:
    return re.findall(r"^\t(n\d+_op) \[", source, flags=re.M)


def edges(source: str) -> list[tuple[str, str]]:
    return re.findall(r"^\t(\w+) -> (\w+)", source, flags=re.M)


def node_line(source: str, text: str) -> str:
    return next(line for line in source.splitlines() if text in line)


def test_neuron_has_one_record_per_value_one_ellipse_per_op_and_one_edge_per_use():
    o, _ = neuron()
    src = draw_graph(o).source
    assert len(data_nodes(src)) == 10  # 5 leaves, 2 products, 2 sums, tanh
    assert len(op_nodes(src)) == 5
    assert len(edges(src)) == 5 + 2 * 4 + 1  # op -> result, plus one per input
    assert '"o | data 0.7071 | grad 1"' in src  # fields stacked: no braces in LR
    assert '"b | data 6.881 | grad 0.5"' in src  # %.4g
    assert re.search(r"n\d+_op \[label=tanh", src)


def test_a_times_a_draws_two_edges():
    a = Value(3.0, label="a")
    src = draw_graph(a * a).source
    assert edges(src).count(("n0", "n1_op")) == 2


def test_same_graph_gives_the_same_dot_text():
    assert draw_graph(neuron()[0]).source == draw_graph(neuron()[0]).source


def test_roles_are_coloured_and_parameters_can_be_named():
    o, v = neuron()
    src = draw_graph(o, parameters=[v["w1"], v["w2"], v["b"]]).source
    assert ROLE_COLOURS["parameter"] in node_line(src, '"w1 |')
    assert ROLE_COLOURS["input"] in node_line(src, '"x1 |')
    assert ROLE_COLOURS["output"] in node_line(src, '"o |')
    c = Value(2.0) * Value(3.0)
    assert ROLE_COLOURS["constant"] in node_line(draw_graph(c).source, '"data 2 |')


def test_show_grad_false_hides_gradients_and_tb_layout_stacks_fields_with_braces():
    o, _ = neuron()
    src = draw_graph(o, show_grad=False, rankdir="TB").source
    assert "grad" not in src
    assert '"{ o | data 0.7071 }"' in src


def test_edge_derivatives_are_local_derivatives():
    o, _ = neuron()
    src = draw_graph(o, edge_derivatives=True).source
    labels = re.findall(r"-> n\d+_op \[label=(\S+)\]", src)
    # x1 -> * is d(x1 w1)/dx1 = w1 = -3; w1 -> * is x1 = 2; n -> tanh is 1 - 0.7071^2 = 0.5.
    assert labels[:2] == ["-3", "2"]
    assert labels[-1] == "0.5"


def test_labels_with_record_characters_are_escaped_and_render(tmp_path):
    x = Value(1.0, label='a{b}|<c> "d" \\e')
    y = x * 2.0
    path = render(draw_graph(y), tmp_path / "odd.svg")
    assert "a{b}|&lt;c&gt;" in Path(path).read_text(encoding="utf-8")


def test_tensor_nodes_show_shape_dtype_and_summary():
    from autograd_lite.tensor import Tensor

    w = Tensor(np.arange(6, dtype=np.float64).reshape(2, 3), requires_grad=True, label="W")
    x = Tensor(np.ones((3,), dtype=np.float64), label="x")
    y = (w * x).sum()
    src = draw_graph(y, edge_derivatives=True).source
    assert "(2, 3) float64" in node_line(src, '"W |')
    assert "min 0 mean 2.5 max 5" in src
    assert ROLE_COLOURS["parameter"] in node_line(src, '"W |')
    assert ROLE_COLOURS["input"] in node_line(src, '"x |')
    assert 'label="grad (2, 3)"' in src and 'label="no grad"' in src
    y.backward()
    assert "grad ‖·‖ " in node_line(draw_graph(y).source, '"W |')


def test_deep_chain_is_capped_without_recursion():
    x = Value(0.1, label="x")
    y = x
    for _ in range(100_000 - 1):
        y = y.tanh()
    src = draw_graph(y, max_nodes=50).source
    text = graph_text(y, max_lines=20)
    assert len(data_nodes(src)) == 50
    assert "99,950 more nodes" in src
    assert ("n99950_more", "n99950_op") in edges(src)  # the cut-off part joins its user
    assert "more nodes not shown" in text and len(text.splitlines()) == 21


def test_wide_graph_cap_keeps_the_nodes_nearest_the_output():
    xs = [Value(float(i), label=f"x{i}") for i in range(300)]
    total = sum(xs[1:], xs[0])
    src = draw_graph(total, max_nodes=10).source
    assert len(data_nodes(src)) == 10
    assert f"n{len(xs) * 2 - 2} [" in src  # the output is always drawn
    assert "more nodes" in src


def test_focus_draws_only_the_nodes_on_paths_from_w_to_L():
    o, v = neuron()
    src = draw_graph(o, focus=(v["w1"], o)).source
    assert len(data_nodes(src)) == 5  # w1, x1*w1, the two sums, o
    assert "x1 |" not in src and "b |" not in src
    lonely = Value(1.0, label="lonely")
    assert "lonely does not reach o" in draw_graph(o, focus=(lonely, o)).source


def test_module_parameters_collapse_into_one_node_per_neuron_or_a_cluster():
    model = MLP(2, [3, 1], rng=0)
    loss = model([Value(1.0, label="u"), Value(-1.0, label="v")]) ** 2
    loss.backward()
    full = draw_graph(loss, max_nodes=None).source
    summary = draw_graph(loss, module=model).source
    assert "layers.0.neurons.2 (Neuron) | 3 parameters | grad ‖·‖" in summary
    assert len(data_nodes(summary)) == len(data_nodes(full)) - 13  # 9 + 4 parameters folded
    assert len(re.findall(r"^\tm\d+ \[", summary, flags=re.M)) == 4
    cluster = draw_graph(loss, module=model, collapse="cluster").source
    assert cluster.count("subgraph cluster_") == 4 and '"w0 |' in cluster
    layers = draw_graph(loss, module=model, module_depth=1).source
    assert "layers.0 (Layer) | 9 parameters" in layers


def test_render_writes_svg_and_png_with_dot(tmp_path):
    o, _ = neuron()
    g = draw_graph(o, edge_derivatives=True)
    svg = render(g, tmp_path / "neuron.svg")
    assert "<svg" in Path(svg).read_text(encoding="utf-8")
    png = render(g, tmp_path / "neuron.png")
    assert Path(png).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    dot = render(g, tmp_path / "neuron.gv")
    assert Path(dot).read_text(encoding="utf-8") == g.source
    assert sorted(p.name for p in tmp_path.iterdir()) == ["neuron.gv", "neuron.png", "neuron.svg"]
    assert "image/svg+xml" in g._repr_mimebundle_()


def test_missing_dot_still_builds_dot_and_says_how_to_install(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))  # an empty folder: no `dot` anywhere
    o, _ = neuron()
    g = draw_graph(o)
    assert isinstance(g, graphviz.Digraph) and "digraph" in g.source
    with pytest.raises(RuntimeError, match="apt-get install graphviz") as info:
        render(g, tmp_path / "neuron.svg")
    assert "brew install graphviz" in str(info.value) and "conda" in str(info.value)
    bundle = Picture._repr_mimebundle_(g)
    assert "apt-get install graphviz" in bundle["text/plain"]


def test_bad_arguments_are_clear_errors(tmp_path):
    o, _ = neuron()
    with pytest.raises(TypeError, match="expected a Value or Tensor"):
        draw_graph(1.0)
    with pytest.raises(ValueError, match="expected rankdir"):
        draw_graph(o, rankdir="sideways")
    with pytest.raises(ValueError, match="expected max_nodes"):
        draw_graph(o, max_nodes=0)
    with pytest.raises(ValueError, match="expected a Graphviz format"):
        render(draw_graph(o), tmp_path / "x.nope")


def test_pictures_change_no_gradient():
    o, v = neuron()
    before = {k: x.grad for k, x in v.items()}
    draw_graph(o, edge_derivatives=True)
    graph_text(o, edge_derivatives=True)
    assert {k: x.grad for k, x in v.items()} == before


def test_graph_text_prints_each_node_once_and_references_repeats():
    a = Value(2.0, label="a")
    b = a * a
    c = b + a
    c.label = "c"
    text = graph_text(c, show_grad=False)
    assert text.splitlines() == [
        "c = 6  (+)",
        "├── (*) = 4",
        "│   ├── #1 a = 2  [parameter]",
        "│   └── a  -> see #1",
        "└── a  -> see #1",
    ]
    o, _ = neuron()
    assert "[∂ 0.5] n = 0.8814  grad 0.5  (+)" in graph_text(o, edge_derivatives=True)
