"""``autograd-lite export MODEL --onnx FILE``: a saved model as ONNX, or in the other format.

    autograd-lite train --dataset mnist --save model.safetensors
    autograd-lite export model.safetensors --onnx model.onnx --npz model.npz

The model is rebuilt from its file alone with `nn.load_model` (``train --save`` and
``Module.save`` record the architecture of a `Sequential` of the supported layers). Exit
status 2 for a mistake in the command line, found before any work: a missing model file, an
unknown suffix, an output that cannot be written, a package a format needs that is not
installed, no output at all, an input shape the model does not take. Status 1 for a failure
while working: a file saved without an architecture or damaged, a full disk.
"""

from __future__ import annotations

import argparse
from typing import Any

import numpy as np

import nn
from autograd_lite import no_grad
from nn.cli.args import HelpFormatter, checked, expect, fail, input_file, output_file, shape
from nn.export import ONNX_OPSET
from nn.module import FORMATS

__all__ = ["add_export_command", "input_shape", "run_export"]

# Layers whose output has their input's shape: the first layer of any other kind decides
# the shape a model takes.
_SAME_SHAPE = ("ReLU", "Tanh", "Sigmoid", "LeakyReLU", "Softmax", "LogSoftmax", "Dropout")


def add_export_command(commands: Any) -> None:
    """Register ``export``: a saved model as ONNX, ``.safetensors`` or ``.npz``."""
    export = commands.add_parser(
        "export",
        help="convert a saved model to ONNX, .safetensors or .npz",
        description="Rebuild a model saved by 'autograd-lite train --save' or Module.save "
        "(.npz or .safetensors: its architecture is in the file) and write it as ONNX, for "
        "ONNX Runtime and Netron, or as weights in the other format, for PyTorch "
        "(safetensors.torch.load_file) and nn.load_model. Prints one line per file written.",
        formatter_class=HelpFormatter,
    )
    export.add_argument(
        "model",
        metavar="MODEL",
        type=input_file(lambda: FORMATS),
        help="the saved model (.npz or .safetensors)",
    )
    export.add_argument(
        "--onnx",
        metavar="FILE.onnx",
        type=output_file(lambda: {".onnx"}),
        help=f"write an ONNX model (opset {ONNX_OPSET}, any batch size; Dropout left out)",
    )
    export.add_argument(
        "--safetensors",
        metavar="FILE.safetensors",
        type=output_file(lambda: {".safetensors"}),
        help="write the weights and architecture as .safetensors",
    )
    export.add_argument(
        "--npz",
        metavar="FILE.npz",
        type=output_file(lambda: {".npz"}),
        help="write the weights and architecture as .npz",
    )
    export.add_argument(
        "--input-shape",
        metavar="SHAPE",
        type=shape,
        help="the shape of one input, without the batch axis, for --onnx: e.g. 28,28 for a "
        "model that starts with Flatten (default: the input size of the first Linear layer)",
    )
    export.set_defaults(func=run_export, command_parser=export)


def run_export(args: argparse.Namespace) -> int:
    """Load the model, check the input shape, write each output; the exit status."""
    parser = args.command_parser
    some = any([args.onnx, args.safetensors, args.npz])
    checked(parser, "--onnx/--safetensors/--npz", expect, some, "at least one output file", "none")
    try:
        model = nn.load_model(args.model)
    except (OSError, ValueError, ImportError) as error:
        return fail("export", str(error))
    model.eval()  # the files are for inference: ONNX leaves Dropout out either way
    example = None
    if args.onnx:
        dims = args.input_shape or checked(parser, "--input-shape", input_shape, model)
        checked(parser, "--input-shape", _runs_on, model, dims)
        example = np.zeros((1, *dims), dtype=np.float32)
    try:
        if example is not None:
            nn.export_onnx(model, args.onnx, example)
            batch = ", ".join(["batch", *map(str, example.shape[1:])])
            print(f"wrote {args.onnx} (ONNX opset {ONNX_OPSET}, input of shape ({batch}))")
        for path in (args.safetensors, args.npz):
            if path:
                model.save(path)
                print(f"wrote {path} (weights and architecture)")
    except OSError as error:
        return fail("export", f"cannot write {error.filename or 'a file'}: {error}")
    except (ValueError, TypeError, ImportError) as error:
        return fail("export", str(error))
    return 0


def input_shape(model: nn.Module) -> tuple[int, ...]:
    """The shape of one input `model` takes, from its first Linear layer: ``(in_features,)``.

    A usage error (`expect`) when a layer that changes shapes (Flatten) comes first, or
    there is no Linear layer: then only the user knows the shape.
    """
    changing = (m for m in model.modules() if type(m).__name__ not in ("Sequential", *_SAME_SHAPE))
    first = next(changing, None)  # modules() is depth first, in order: Sequentials unrolled
    if type(first).__name__ == "Linear":
        return (first.in_features,)
    what = "without a Linear layer" if first is None else f"that starts with {type(first).__name__}"
    expect(False, f"--input-shape SHAPE for a model {what}", "none")
    raise AssertionError("unreachable: expect raises")


def _runs_on(model: nn.Module, dims: tuple[int, ...]) -> None:
    """A usage error unless `model` runs on one input of shape `dims`."""
    text = ",".join(map(str, dims))
    try:
        with no_grad():
            model(np.zeros((1, *dims), dtype=np.float32))
    except (ValueError, TypeError) as error:
        expect(False, "the shape of one input the model takes", f"{text} ({error})")
