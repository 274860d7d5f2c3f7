"""`autograd_lite.bridge`, the path README and notebook 07 use: `autograd_lite.explain.bridge`."""

from autograd_lite.explain.bridge import *  # noqa: F403
from autograd_lite.explain.bridge import __all__  # noqa: F401
