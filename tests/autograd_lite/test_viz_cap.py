"""A capped picture stays connected, and its elision nodes account for every node cut."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from autograd_lite import Value
from autograd_lite.draw import draw_graph
from autograd_lite.engine import topological_order
from autograd_lite.explain import backward_steps
from autograd_lite.testing import expressions
from nn.scalar_layers import MLP

MORE = re.compile(r"^… ([\d,]+) more nodes?$")


def parse(source: str) -> tuple[dict[str, str], list[tuple[str, str]]]:
    """(node id -> label, edges) of a DOT source (labels without escaped quotes)."""
    nodes = dict(re.findall(r'^\t(\w+) \[label="?(.*?)"? [a-z]+=', source, flags=re.M))
    edges = re.findall(r"^\t(\w+) -> (\w+)", source, flags=re.M)
    return nodes, edges


def weakly_connected(nodes: dict[str, str], edges: list[tuple[str, str]]) -> bool:
    neighbours: dict[str, set[str]] = {n: set() for n in nodes}
    for a, b in edges:
        neighbours[a].add(b)
        neighbours[b].add(a)
    start = next(iter(nodes))
    seen, todo = {start}, [start]
    while todo:
        for m in neighbours[todo.pop()] - seen:
            seen.add(m)
            todo.append(m)
    return seen == set(nodes)


def check_capped(source: str, size: int) -> dict[str, int]:
    """Assert the picture is connected and its counts add up to `size`; the elisions."""
    nodes, edges = parse(source)
    assert weakly_connected(nodes, edges)
    records = [n for n in nodes if re.fullmatch(r"n\d+", n)]
    groups = [int(re.search(r"\| (\d+) parameters", nodes[n])[1]) for n in nodes if n[0] == "m"]
    elisions = {n: nodes[n] for n in nodes if n.endswith("_more")}
    counts = {}
    for n, label in elisions.items():
        match = MORE.match(label)
        assert match, label  # every elision says how many nodes it stands for
        counts[n] = int(match[1].replace(",", ""))
        assert (n, n.removesuffix("_more") + "_op") in edges  # joined to the node it feeds
    assert len(records) + sum(groups) + sum(counts.values()) == size
    return counts


def mlp_loss() -> tuple[Value, MLP]:
    model = MLP(2, [3, 3, 1], activation="tanh", rng=0)
    errors = []
    for k, (x, target) in enumerate([([1.0, -0.5], 1.0), ([-0.3, 0.8], -1.0)]):
        errors.append(
            (model([Value(v, label=f"x{k}[{j}]") for j, v in enumerate(x)]) - target) ** 2
        )
    loss = (errors[0] + errors[1]) * 0.5
    loss.backward()
    return loss, model


def test_every_cap_of_the_cli_mlp_is_connected_with_or_without_modules():
    loss, model = mlp_loss()
    size = len(topological_order(loss))
    for cap in range(1, size + 1):
        plain = draw_graph(loss, max_nodes=cap).source
        assert len([n for n in parse(plain)[0] if re.fullmatch(r"n\d+", n)]) == cap
        check_capped(plain, size)
        check_capped(draw_graph(loss, max_nodes=cap, module=model).source, size)
    assert check_capped(draw_graph(loss, max_nodes=None).source, size) == {}


def test_three_nodes_of_the_mlp_leave_one_elision_behind_the_last_sum():
    loss, model = mlp_loss()
    src = draw_graph(loss, max_nodes=3, module=model).source
    counts = check_capped(src, len(topological_order(loss)))
    assert len(counts) == 1 and "max_nodes=3" in src
    assert not re.search(r"^\tm\d+ \[", src, flags=re.M)  # no module node floats alone


def test_a_node_shared_by_two_kept_nodes_joins_both():
    x = Value(0.5, label="x")
    h = (x * 2.0).tanh()  # deep enough to be cut
    u, v = h.exp(), h.tanh()
    root = u + v
    src = draw_graph(root, max_nodes=3).source
    nodes, edges = parse(src)
    (elision,) = [n for n in nodes if n.endswith("_more")]
    assert sum(a == elision for a, _ in edges) == 2  # into the ops of both u and v
    check_capped(src, len(topological_order(root)))


def test_the_replay_keeps_the_current_node_and_its_path_when_capped():
    loss, model = mlp_loss()
    replay = backward_steps(loss)
    size = len(topological_order(loss))
    for k in (0, 20, 40, len(replay) - 1):
        src = replay.draw(k, max_nodes=4, module=model).source
        check_capped(src, size)
        assert re.search(r"penwidth=3 shape=record", src)  # the current node is drawn


@given(expressions(max_inputs=3, max_leaves=12), st.integers(1, 12), st.booleans())
def test_random_graphs_stay_connected_under_any_cap(expr, cap, focus):
    inputs = [Value(0.3 * (i + 1), label=f"x{i}") for i in range(expr.n_inputs)]
    out = expr(*inputs)
    if focus and out is not inputs[0]:
        src = draw_graph(out, max_nodes=cap, focus=(inputs[0], out)).source
        if "does not reach" not in src:
            from autograd_lite.explain import nodes_between

            check_capped(src, len(nodes_between(inputs[0], out)))
        return
    check_capped(draw_graph(out, max_nodes=cap).source, len(topological_order(out)))
