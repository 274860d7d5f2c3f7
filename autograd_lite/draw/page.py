"""One standalone HTML page that plays frames: every frame inline SVG, plain JavaScript, a
slider, buttons (first, previous, play/pause, next, last) and the keyboard (arrows, Home,
End, space). Nothing is loaded from the network: the file opens offline in any browser.

``page.html#K`` opens on frame K (counted from 1). The page's elements have stable ids
(``caption``, ``arithmetic``, ``next``, ``slider``...), and the node a frame is about gets
the class ``current`` in its SVG, which the browser tests read.
"""

from __future__ import annotations

import html
import re
from typing import Any

__all__ = ["html_page"]

_STYLE = """
body { font-family: Helvetica, Arial, sans-serif; margin: 1em 1.5em; color: #222; }
h1 { font-size: 1.3em; margin: 0 0 .5em; }
#controls { display: flex; flex-wrap: wrap; gap: .4em; align-items: center; }
#controls button { font-size: 1em; padding: .25em .7em; cursor: pointer; }
#slider { flex: 1 1 16em; min-width: 10em; }
#counter { font-variant-numeric: tabular-nums; min-width: 9em; }
#caption { font-weight: bold; margin: .7em 0 .2em; }
#arithmetic { font-family: Menlo, Consolas, monospace; font-size: .9em; margin: 0 0 .7em;
  white-space: pre-wrap; }
#stage { overflow: auto; border-top: 1px solid #ddd; padding-top: .5em; }
#stage.fit svg { max-width: 100%; height: auto; }
g.node.current > polygon, g.node.current > path, g.node.current > ellipse {
  stroke: #d6604d; stroke-width: 4px; }
kbd { border: 1px solid #bbb; border-radius: 3px; padding: 0 .3em; font-size: .85em; }
.help { color: #666; font-size: .85em; }
"""

# Plain JavaScript, no library: show one frame at a time and keep the controls in step.
_SCRIPT = """
(function () {
  "use strict";
  var frames = Array.prototype.slice.call(document.querySelectorAll("#stage > figure"));
  var slider = document.getElementById("slider");
  var playButton = document.getElementById("play");
  var byId = function (id) { return document.getElementById(id); };
  var current = -1;
  var timer = null;

  function show(k) {
    k = Math.max(0, Math.min(frames.length - 1, k));
    if (current >= 0) { frames[current].hidden = true; }
    current = k;
    var frame = frames[k];
    frame.hidden = false;
    slider.value = String(k);
    byId("counter").textContent = "frame " + (k + 1) + " of " + frames.length;
    byId("caption").textContent = frame.dataset.caption;
    byId("arithmetic").textContent = frame.dataset.arithmetic;
    var nodes = frame.querySelectorAll("g.node");
    for (var i = 0; i < nodes.length; i++) {
      var title = nodes[i].querySelector("title");
      var here = Boolean(frame.dataset.node) && title && title.textContent === frame.dataset.node;
      nodes[i].classList.toggle("current", Boolean(here));
    }
  }
  function stop() {
    if (timer !== null) { clearInterval(timer); timer = null; }
    playButton.textContent = "\\u25B6 play";
  }
  function play() {
    if (timer !== null) { stop(); return; }
    if (current === frames.length - 1) { show(0); }
    playButton.textContent = "\\u23F8 pause";
    timer = setInterval(function () {
      if (current >= frames.length - 1) { stop(); } else { show(current + 1); }
    }, 1000);
  }
  function step(delta) { stop(); show(current + delta); }

  byId("first").addEventListener("click", function () { stop(); show(0); });
  byId("previous").addEventListener("click", function () { step(-1); });
  byId("next").addEventListener("click", function () { step(1); });
  byId("last").addEventListener("click", function () { stop(); show(frames.length - 1); });
  playButton.addEventListener("click", play);
  slider.addEventListener("input", function () { stop(); show(Number(slider.value)); });
  byId("fit").addEventListener("change", function (event) {
    byId("stage").classList.toggle("fit", event.target.checked);
  });
  document.addEventListener("keydown", function (event) {
    if (event.target === slider) { return; }  // the slider moves itself with the arrows
    var keys = { ArrowRight: 1, ArrowDown: 1, ArrowLeft: -1, ArrowUp: -1 };
    if (event.key in keys) { step(keys[event.key]); }
    else if (event.key === "Home") { stop(); show(0); }
    else if (event.key === "End") { stop(); show(frames.length - 1); }
    else if (event.key === " " && event.target.tagName !== "BUTTON") { play(); }
    else { return; }
    event.preventDefault();
  });
  // page.html#12 opens on frame 12 (a link to one step).
  function fromHash() {
    var match = /^#([0-9]+)$/.exec(window.location.hash);
    return match ? Number(match[1]) - 1 : 0;
  }
  window.addEventListener("hashchange", function () { stop(); show(fromHash()); });
  show(fromHash());
}());
"""


def html_page(frames: Any) -> str:
    """The page playing `frames` (a `Frames`: captions, arithmetic and SVG per frame)."""
    figures = "\n".join(_figure(frames, k) for k in range(len(frames)))
    title = html.escape(frames.title)
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title} · autograd-lite</title>
<style>{_STYLE}</style>
</head>
<body>
<h1>{title}</h1>
<div id="controls">
<button id="first" type="button" title="first frame (Home)">&laquo; first</button>
<button id="previous" type="button" title="previous frame (left arrow)">&#x25C0; previous</button>
<button id="play" type="button" title="play or pause (space)">&#x25B6; play</button>
<button id="next" type="button" title="next frame (right arrow)">next &#x25B6;</button>
<button id="last" type="button" title="last frame (End)">last &raquo;</button>
<input id="slider" type="range" min="0" max="{len(frames) - 1}" value="0" aria-label="frame">
<span id="counter"></span>
<label class="help"><input id="fit" type="checkbox" checked> fit to the window</label>
</div>
<p id="caption"></p>
<p id="arithmetic"></p>
<div id="stage" class="fit">
{figures}
</div>
<p class="help"><kbd>&larr;</kbd> <kbd>&rarr;</kbd> previous / next, <kbd>Home</kbd>
<kbd>End</kbd> first / last, <kbd>space</kbd> play or pause. Made by autograd-lite.</p>
<script>{_SCRIPT}</script>
</body>
</html>
"""


def _figure(frames: Any, k: int) -> str:
    frame = frames[k]
    attrs = {
        "id": f"frame-{k}",
        "data-phase": frame.phase,
        "data-caption": frame.caption,
        "data-arithmetic": frame.arithmetic,
        "data-node": frame.node_id or "",
    }
    text = " ".join(f'{name}="{html.escape(value, quote=True)}"' for name, value in attrs.items())
    return f"<figure {text} hidden>\n{_unique_ids(frames.svg(k), f'f{k}-')}\n</figure>"


def _unique_ids(svg: str, prefix: str) -> str:
    """Prefix the SVG's element ids (Graphviz numbers them alike in every frame)."""
    svg = re.sub(r'\bid="', f'id="{prefix}', svg)
    return re.sub(r"url\(#", f"url(#{prefix}", svg)
