"""The HTML player in a real browser (headless Chromium): it loads offline with no console
error, every control moves it, each frame shows its caption and highlights its node, and the
last frame shows every gradient equal to ``.grad``."""

from __future__ import annotations

import itertools
import re
import time
from pathlib import Path

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait

from autograd_lite import Value, backward_steps, path_steps
from autograd_lite.draw import player_frames
from autograd_lite.engine import topological_order
from autograd_lite.explain.labels import fmt, group_grad_text
from nn.cli.examples import EXAMPLES

# What the visible frame shows: its counter, caption, arithmetic, highlighted node and the
# text of every node of its SVG (DOT id -> the lines of its box).
STATE = """
const frame = document.querySelector("#stage > figure:not([hidden])");
const nodes = {};
for (const g of frame.querySelectorAll("g.node")) {
  nodes[g.querySelector("title").textContent] =
    Array.from(g.querySelectorAll("text"), (t) => t.textContent);
}
const current = frame.querySelectorAll("g.node.current title");
return {
  id: frame.id,
  shown: document.querySelectorAll("#stage > figure:not([hidden])").length,
  counter: document.getElementById("counter").textContent,
  caption: document.getElementById("caption").textContent,
  arithmetic: document.getElementById("arithmetic").textContent,
  current: Array.from(current, (t) => t.textContent),
  nodes: nodes,
};
"""


def neuron() -> Value:
    return EXAMPLES["neuron"]().root  # after backward(): .grad holds the final gradients


def open_player(browser, path: Path) -> dict:
    browser.get(path.resolve().as_uri())
    return state(browser)


def state(browser) -> dict:
    return browser.execute_script(STATE)


def press(browser, key: str) -> dict:
    browser.find_element(By.TAG_NAME, "body").send_keys(key)
    return state(browser)


def errors(browser) -> list[dict]:
    return [entry for entry in browser.get_log("browser") if entry["level"] == "SEVERE"]


def test_the_page_is_standalone_and_loads_offline_without_console_errors(browser, tmp_path):
    root = neuron()
    path = tmp_path / "replay.html"
    backward_steps(root).to_html(path)
    text = path.read_text(encoding="utf-8")
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:|//)""", text, flags=re.I)
    assert "<script src" not in text and "<link" not in text and "@import" not in text
    browser.get_log("browser")  # drop what earlier pages logged
    first = open_player(browser, path)
    assert errors(browser) == []
    # Nothing was fetched: every frame is inline, the script too.
    assert browser.execute_script("return performance.getEntriesByType('resource').length") == 0
    n = len(topological_order(root))
    n_forward = sum(1 for node in topological_order(root) if node.parents) + 1
    assert len(browser.find_elements(By.CSS_SELECTOR, "#stage > figure")) == n_forward + n
    assert first["shown"] == 1 and first["counter"] == f"frame 1 of {n_forward + n}"
    assert first["caption"].startswith("forward, step 0")


def test_next_walks_every_frame_changing_the_caption_and_the_highlighted_node(browser, tmp_path):
    root = neuron()
    replay = backward_steps(root)
    frames = player_frames(replay)
    path = Path(replay.to_html(tmp_path / "replay.html"))
    seen = [open_player(browser, path)]
    button = browser.find_element(By.ID, "next")
    for _ in range(len(frames) - 1):
        button.click()
        seen.append(state(browser))
    for k, (shown, frame) in enumerate(zip(seen, frames)):
        assert shown["id"] == f"frame-{k}" and shown["shown"] == 1
        assert shown["caption"] == frame.caption and shown["arithmetic"] == frame.arithmetic
        assert shown["current"] == ([frame.node_id] if frame.node_id else [])
    for before, after in itertools.pairwise(seen):
        assert after["caption"] != before["caption"]
    changed = [a["current"] != b["current"] for b, a in itertools.pairwise(seen)]
    # Every click moves the highlight, except from the last forward frame (the output is
    # computed) to the first backward one (the output starts the backward pass).
    assert changed.count(False) == 1 and not changed[len(replay.forward) - 1]
    button.click()  # past the end: the last frame stays
    assert state(browser)["id"] == f"frame-{len(frames) - 1}"
    assert errors(browser) == []


def test_the_last_frame_shows_every_gradient_equal_to_grad(browser, tmp_path):
    for name in ("neuron", "mlp"):
        ex = EXAMPLES[name]()
        path = Path(backward_steps(ex.root).to_html(tmp_path / f"{name}.html"))
        open_player(browser, path)
        last = press(browser, Keys.END)
        order = topological_order(ex.root)
        records = {k: v for k, v in last["nodes"].items() if re.fullmatch(r"n\d+", k)}
        assert len(records) == len(order)
        for dot_id, lines in records.items():
            node = order[int(dot_id[1:])]
            assert lines[-1] == f"grad {fmt(node.grad)}", (name, dot_id, lines)


def test_module_boxes_of_the_last_frame_show_the_norm_of_their_grads(browser, tmp_path):
    ex = EXAMPLES["mlp"]()
    path = backward_steps(ex.root).to_html(tmp_path / "mlp.html", module=ex.module)
    open_player(browser, Path(path))
    last = press(browser, Keys.END)
    order = topological_order(ex.root)
    # The current node (the last parameter reached) is drawn on its own, out of its box.
    drawn = {order[int(k[1:])] for k in last["nodes"] if re.fullmatch(r"n\d+", k)}
    groups = [v for k, v in last["nodes"].items() if re.fullmatch(r"m\d+", k)]
    assert len(groups) == 7  # one box per neuron
    for name, count, grad in groups:
        prefix = name.split(" (")[0] + "."
        members = [p for n, p in ex.module.named_parameters() if n.startswith(prefix)]
        members = [p for p in members if p not in drawn]
        assert count == f"{len(members)} parameters" and grad == group_grad_text(members)


def test_keys_slider_and_play_move_the_player(browser, tmp_path):
    path = Path(backward_steps(neuron()).to_html(tmp_path / "replay.html"))
    open_player(browser, path)
    assert press(browser, Keys.ARROW_RIGHT)["id"] == "frame-1"
    assert press(browser, Keys.ARROW_RIGHT)["id"] == "frame-2"
    assert press(browser, Keys.ARROW_LEFT)["id"] == "frame-1"
    assert press(browser, Keys.END)["id"] == "frame-15"
    assert press(browser, Keys.HOME)["id"] == "frame-0"
    slider = browser.find_element(By.ID, "slider")
    slider.send_keys(Keys.ARROW_RIGHT)  # the slider's own keys move it by one frame
    assert state(browser)["id"] == "frame-1"
    browser.find_element(By.ID, "last").click()
    assert state(browser)["id"] == "frame-15"
    browser.get(path.resolve().as_uri() + "#7")  # a link to frame 7 (counted from 1)
    assert state(browser)["id"] == "frame-6"
    browser.find_element(By.ID, "first").click()
    browser.find_element(By.ID, "play").click()
    WebDriverWait(browser, 10).until(lambda b: state(b)["id"] == "frame-2")
    browser.find_element(By.ID, "play").click()  # pause
    paused = state(browser)["id"]
    time.sleep(2.5)  # more than two ticks of the player's clock
    assert state(browser)["id"] == paused
    assert errors(browser) == []


def test_forward_frames_show_values_as_they_are_computed_and_no_gradient(browser, tmp_path):
    root = neuron()
    replay = backward_steps(root)
    path = Path(replay.to_html(tmp_path / "replay.html"))
    order = topological_order(root)
    shown = open_player(browser, path)
    for step in replay.forward:
        assert shown["caption"] == step.caption
        for dot_id, lines in shown["nodes"].items():
            if re.fullmatch(r"n\d+", dot_id):
                node = order[int(dot_id[1:])]
                assert not any(line.startswith("grad") for line in lines)
                assert lines[-1] == (f"data {fmt(node.data)}" if step.known(node) else "data ?")
        shown = press(browser, Keys.ARROW_RIGHT)
    assert shown["caption"].startswith("backward, step 0")


def test_the_path_player_sums_the_paths_up_to_w_grad(browser, tmp_path):
    ex = EXAMPLES["mlp"]()  # 4 paths from w0 to the loss, through two examples
    steps = path_steps(ex.weight, ex.root)
    path = Path(steps.to_html(tmp_path / "paths.html"))
    shown = open_player(browser, path)
    assert shown["caption"].startswith(f"chain rule, path 1 of {len(steps) - 1}")
    last = press(browser, Keys.END)
    assert last["caption"].endswith(f"add up to dloss/d{ex.weight.label}")
    assert last["arithmetic"].endswith(f"(w0.grad) {fmt(ex.weight.grad)}")
    assert fmt(ex.weight.grad) == fmt(steps[-1].running)
    assert errors(browser) == []


@pytest.mark.parametrize("example", sorted(EXAMPLES))
def test_the_cli_writes_a_player_that_plays_to_the_end(browser, tmp_path, example):
    from nn.cli import main

    path = tmp_path / f"{example}.html"
    assert main(["draw", example, "--html", str(path)]) == 0
    first = open_player(browser, path)
    total = int(first["counter"].split(" of ")[1])
    last = press(browser, Keys.END)
    assert last["id"] == f"frame-{total - 1}" and last["caption"].startswith("backward")
    assert errors(browser) == []
