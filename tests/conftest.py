from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers import GOLDEN


@pytest.fixture(scope="module")
def original_datadir() -> Path:
    """pytest-regressions reads and (with --regen-all) writes goldens under golden/."""
    return GOLDEN
