from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.helpers import GOLDEN

# The suite never writes the user's template cache; tests/test_template_cache.py turns it on.
os.environ["ETHERIP_CACHE_DIR"] = ""


@pytest.fixture(scope="module")
def original_datadir() -> Path:
    """pytest-regressions reads and (with --regen-all) writes goldens under golden/."""
    return GOLDEN
