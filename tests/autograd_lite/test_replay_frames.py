"""Each frame of the backward replay shows a gradient only once it is complete, and every
number it shows is one reverse mode has computed by that step."""

from __future__ import annotations

import re

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from autograd_lite import Value
from autograd_lite.draw.replay import DONE, READY
from autograd_lite.engine import topological_order
from autograd_lite.explain import backward_steps
from autograd_lite.explain.labels import fmt, group_grad_text
from autograd_lite.testing import expressions, floats_in
from nn.scalar_layers import MLP

PARTIAL = re.compile(r"grad \? \(so far (.+?), (\d+) of (\d+) uses\)")


def frame(source: str) -> dict[int, tuple[str, str]]:
    """DOT record index (the node's place in topological order) -> (grad field, fill)."""
    rows = re.findall(r'^\s+n(\d+) \[label="(.*?)"(.*)$', source, flags=re.M)
    return {
        int(i): (label.split(" | ")[-1], re.search(r'fillcolor="([^"]+)"', attrs)[1])
        for i, label, attrs in rows
    }


def expected_after(root: Value, k: int) -> dict[Value, tuple[bool, int, int, float]]:
    """For each node after step k, worked out from the graph and the step order alone:
    (complete, shares arrived, shares in all, their sum). Needs ``root.backward()`` done."""
    step_of = {s.node: s.index for s in backward_steps(root)}
    shares: dict[Value, list[float]] = {n: [] for n in step_of}
    arrived: dict[Value, list[float]] = {n: [] for n in step_of}
    for child in step_of:
        for parent, local in zip(child.parents, child.vjp(1.0) if child.parents else ()):
            shares[parent].append(child.grad * local)
            if step_of[child] <= k:
                arrived[parent].append(child.grad * local)
    return {
        n: (len(arrived[n]) == len(shares[n]), len(arrived[n]), len(shares[n]), sum(arrived[n]))
        for n in step_of
    }


def check_frames(root: Value, exact_partials: bool = True) -> None:
    order = topological_order(root)
    replay = backward_steps(root)
    root.backward()
    for k in range(len(replay)):
        shown = frame(replay.draw(k).source)
        expected = expected_after(root, k)
        assert len(shown) == len(order)
        for i, (text, fill) in shown.items():
            node = order[i]
            complete, got, parts, total = expected[node]
            if complete:
                assert text == f"grad {fmt(node.grad)}", (k, text)  # the final gradient
                assert fill in (DONE, READY) or node is replay[k].node
            elif got == 0:
                assert text == "grad ?", (k, text)
            else:  # a partial sum, marked as one, with the shares that have arrived
                match = PARTIAL.fullmatch(text)
                assert match and (int(match[2]), int(match[3])) == (got, parts), (k, text)
                if exact_partials:
                    assert float(match[1]) == pytest.approx(total, rel=1e-3, abs=1e-12)
    assert replay.complete_after(-1) == replay.gradients  # the last frame: every gradient


def test_neuron_frames_show_only_complete_gradients():
    x1, x2 = Value(2.0, label="x1"), Value(0.0, label="x2")
    w1, w2, b = Value(-3.0, label="w1"), Value(1.0, label="w2"), Value(6.88, label="b")
    o = (x1 * w1 + x2 * w2 + b).tanh()
    check_frames(o)


def test_shared_nodes_show_partial_sums_until_the_last_share():
    a, b = Value(1.5, label="a"), Value(-0.5, label="b")
    c = a * b
    d = c.tanh() + c * a  # c and a are used twice; a's shares arrive at different steps
    e = d * d + a
    check_frames(e)
    replay = backward_steps(e)
    texts = [t for k in range(len(replay)) for t, _ in frame(replay.draw(k).source).values()]
    assert any(PARTIAL.fullmatch(t) for t in texts)


def test_a_leaf_shows_its_gradient_as_soon_as_it_is_complete():
    x, y = Value(3.0, label="x"), Value(4.0, label="y")
    out = (x * y).exp()
    out.label = "out"
    replay = backward_steps(out)
    src = replay.draw(1).source  # step 1 is x*y: it completes x and y, long before their turn
    for text in (
        f"x | data 3 | grad {fmt(4 * out.data)}",
        f"y | data 4 | grad {fmt(3 * out.data)}",
    ):
        assert f'"{text}" fillcolor="{READY}"' in src
    assert "grad ?" in replay.draw(0).source  # at step 0 nothing has reached them yet


@pytest.mark.parametrize("depth", [None, 1])  # one node per neuron, or per layer
def test_module_nodes_show_a_norm_only_when_every_parameter_is_complete(depth):
    model = MLP(2, [3, 1], rng=0)
    loss = model([Value(1.0, label="u"), Value(-1.0, label="v")]) ** 2
    replay = backward_steps(loss)
    loss.backward()
    named = dict(model.named_parameters())
    group = re.compile(r'^\tm\d+ \[label="(\S+) \(\w+\) \| (\d+) parameters \| (.*?)"', re.M)
    texts = []
    for k in range(len(replay)):
        complete = replay.complete_after(k)
        source = replay.draw(k, module=model, module_depth=depth).source
        for prefix, n, text in group.findall(source):
            # The current node is drawn on its own, outside its module's node.
            members = [p for name, p in named.items() if name.startswith(prefix + ".")]
            members = [p for p in members if p is not replay[k].node]
            ready = sum(p in complete for p in members)
            assert len(members) == int(n)
            if ready == len(members):
                assert text == group_grad_text(members)  # the norm of their final .grad
            else:
                assert text == f"grad ? ({ready} of {n} complete)"
            texts.append(text)
    assert len(texts) >= len(replay) and any(t.startswith("grad ? (0 of") for t in texts)
    if depth == 1:  # a layer's neurons complete one after another
        assert any(re.fullmatch(r"grad \? \([1-9]\d* of \d+ complete\)", t) for t in texts)


@given(
    expressions(max_inputs=3, max_leaves=10), st.lists(floats_in("real"), min_size=3, max_size=3)
)
def test_random_graphs_frames_show_only_complete_gradients(expr, xs):
    out = expr(*[Value(x) for x in xs[: expr.n_inputs]])
    check_frames(out, exact_partials=False)  # sums of random numbers: only counts checked


def test_tensor_frames_show_norms_once_complete_and_no_grad_where_none_flows():
    from autograd_lite import tensor_ops
    from autograd_lite.tensor import Tensor

    rng = np.random.default_rng(0)
    x = Tensor(rng.standard_normal((4, 3)), label="x")
    w = Tensor(rng.standard_normal((2, 3)), requires_grad=True, label="W")
    h = tensor_ops.linear(x, w).tanh()
    loss = (h * h + h).mean()  # h is used three times
    replay = backward_steps(loss)
    loss.backward(retain_graph=True)
    order = topological_order(loss)
    w_at = order.index(w)
    for k in range(len(replay)):
        shown = frame(replay.draw(k).source)
        assert shown[order.index(x)][0] == "no grad"
        w_text = shown[w_at][0]
        if w in replay.complete_after(k):
            assert w_text == f"grad ‖·‖ {fmt(np.linalg.norm(w.grad))}"
        else:
            assert w_text == "grad ?"
    texts = {t for k in range(len(replay)) for t, _ in frame(replay.draw(k).source).values()}
    assert any(PARTIAL.fullmatch(t) for t in texts)  # h, between its first and last share
    assert "so its gradient is their sum, ‖·‖ " in str(replay[3])  # norms do not add up


@pytest.mark.parametrize(
    "options",
    [
        {},
        {"module": "model", "collapse": "cluster"},
        {"max_nodes": 30},
    ],
    ids=["plain", "clusters", "capped"],  # module boxes: see the test above
)
def test_no_parameter_box_shows_its_gradient_before_the_step_completing_it(options):
    from nn.cli.examples import EXAMPLES

    ex = EXAMPLES["mlp"]()  # after backward(): every .grad already holds its final value
    if options.get("module") == "model":
        options = {**options, "module": ex.module}
    replay = backward_steps(ex.root)
    early = 0
    for k in range(len(replay)):
        complete = replay.complete_after(k)
        shown = frame(replay.draw(k, parameters=ex.parameters, **options).source)
        for i, (text, _) in shown.items():
            node = replay.order[i]
            if node in ex.parameters:
                assert (text == f"grad {fmt(node.grad)}") == (node in complete), (k, text)
                early += node not in complete
    assert early > 0  # the parameters were drawn before their gradients were complete
