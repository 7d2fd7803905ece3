from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

from tests.helpers import GOLDEN, scaled

# Hypothesis, for every property test: the normal suite is derandomized (the same examples every
# run, so CI is repeatable); HYPOTHESIS_PROFILE=long explores new ones each time.
_QUIET = [HealthCheck.too_slow, HealthCheck.large_base_example, HealthCheck.data_too_large]
settings.register_profile(
    "default",
    max_examples=scaled(150, 40),  # tests/helpers.py: fewer unless ETHERIP_FULL_MATRIX=1 (CI)
    deadline=None,
    suppress_health_check=_QUIET,
    derandomize=True,
    database=None,
)
settings.register_profile("long", max_examples=3000, deadline=None, suppress_health_check=_QUIET)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))

# The suite never writes the user's template cache; tests/test_template_cache.py turns it on.
os.environ["ETHERIP_CACHE_DIR"] = ""

# The commands the suite runs in child processes (as a user runs them) share compiled modules
# in a folder of this run, outside the source tree: with PYTHONDONTWRITEBYTECODE=1 in the
# environment every child would compile etherip from source again.
_PYCACHE = tempfile.mkdtemp(prefix="etherip-test-pyc-")
atexit.register(shutil.rmtree, _PYCACHE, True)
os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
os.environ["PYTHONPYCACHEPREFIX"] = _PYCACHE


@pytest.fixture(scope="module")
def original_datadir() -> Path:
    """pytest-regressions reads and (with --regen-all) writes goldens under golden/."""
    return GOLDEN
