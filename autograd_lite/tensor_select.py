"""The select ops, now `autograd_lite.tensor_ops.select`: this name stays for old imports."""

from autograd_lite.tensor_ops.select import clip, maximum, minimum, where

__all__ = ["clip", "maximum", "minimum", "where"]
