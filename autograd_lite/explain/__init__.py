"""The chain rule as data, with no graphviz: the paths from a leaf to an output with their
local derivatives and products (`chain_rule_paths`, `count_paths`, `factored_paths`,
`explain_gradient`, and stepped one path at a time by `path_steps`), the forward pass
(`forward_steps`) and reverse mode (`backward_steps`) replayed step by step, the gradient
flow of tensor graphs (`gradient_flow`, `gradient_norms`), the graph as a text tree
(`graph_text`), and the bridge from a tensor expression to one `Value` per element
(`to_values`). Everything is read from the engine's walk and node protocol, on the side.

`autograd_lite.draw` turns any of it into pictures.
"""

from __future__ import annotations

from autograd_lite.explain.bridge import Bridged, ValueArray, to_values
from autograd_lite.explain.explanation import GradientExplanation, explain_gradient
from autograd_lite.explain.flow import GradientFlow, gradient_flow, gradient_norms
from autograd_lite.explain.forward import ForwardStep, forward_steps
from autograd_lite.explain.path_steps import PathReplay, PathStep, path_steps
from autograd_lite.explain.paths import (
    ChainPath,
    FirstHop,
    TooManyPathsError,
    chain_rule_paths,
    count_paths,
    factored_paths,
    path_names,
)
from autograd_lite.explain.replay import BackwardReplay, Contribution, Step, backward_steps
from autograd_lite.explain.subgraph import nodes_between, path_counts
from autograd_lite.explain.text import graph_text

__all__ = [
    "BackwardReplay",
    "Bridged",
    "ChainPath",
    "Contribution",
    "FirstHop",
    "ForwardStep",
    "GradientExplanation",
    "GradientFlow",
    "PathReplay",
    "PathStep",
    "Step",
    "TooManyPathsError",
    "ValueArray",
    "backward_steps",
    "chain_rule_paths",
    "count_paths",
    "explain_gradient",
    "factored_paths",
    "forward_steps",
    "gradient_flow",
    "gradient_norms",
    "graph_text",
    "nodes_between",
    "path_counts",
    "path_names",
    "path_steps",
    "to_values",
]
