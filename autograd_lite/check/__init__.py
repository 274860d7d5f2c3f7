"""Trust: gradients checked against finite differences. `gradcheck` end to end (for Value
and Tensor functions, inside each op's domain, with kinks reported as such), the op-by-op
localiser `locate_wrong_vjp` that names the first op whose VJP is wrong (a user's own
`primitive` by its function and file), `gradgradcheck` for second derivatives, and the
ready-made properties that `autograd_lite.testing` re-exports. Depends on the engine core only.
"""

from __future__ import annotations

from autograd_lite.check.domain import DOMAINS, Domain
from autograd_lite.check.duality import check_jvp_matches_vjp
from autograd_lite.check.gradcheck import (
    GradcheckError,
    NonDifferentiableWarning,
    gradcheck,
    gradcheck_report,
)
from autograd_lite.check.gradgradcheck import gradgradcheck
from autograd_lite.check.local import locate_wrong_vjp
from autograd_lite.check.results import GradcheckResult, LocalCheck, LocalReport, Mismatch
from autograd_lite.check.trace import GraphChangedError

__all__ = [
    "DOMAINS",
    "Domain",
    "GradcheckError",
    "GradcheckResult",
    "GraphChangedError",
    "LocalCheck",
    "LocalReport",
    "Mismatch",
    "NonDifferentiableWarning",
    "check_jvp_matches_vjp",
    "gradcheck",
    "gradcheck_report",
    "gradgradcheck",
    "locate_wrong_vjp",
]
