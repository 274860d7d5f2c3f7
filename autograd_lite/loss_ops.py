"""The fused losses, now `autograd_lite.tensor_ops.losses`: this name stays for old imports."""

from autograd_lite.tensor_ops.losses import binary_cross_entropy_with_logits, cross_entropy

__all__ = ["binary_cross_entropy_with_logits", "cross_entropy"]
