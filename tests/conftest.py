"""Test-suite settings: hypothesis profiles, chosen by HYPOTHESIS_PROFILE.

- ``dev`` (default on a laptop): quick, a few dozen examples per property;
- ``ci`` (default when CI is set): more examples, derandomized so a run is reproducible;
- ``thorough``: many examples, for a long local run before a release.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

_common = {"deadline": None, "suppress_health_check": [HealthCheck.too_slow]}
settings.register_profile("dev", max_examples=30, **_common)
settings.register_profile("ci", max_examples=100, derandomize=True, print_blob=True, **_common)
settings.register_profile("thorough", max_examples=2000, **_common)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci" if os.environ.get("CI") else "dev"))
