"""``python -m nn.cli``: the same as the ``autograd-lite`` command."""

from __future__ import annotations

import sys

from nn.cli import main

sys.exit(main())
