"""Every rendered byte is pinned: golden/<version>/<case>/<peer>/<device>/<file>; so are the
commands each iApp records when run offline (<peer>/iapp-recorded/<device>.<stage>.tmsh).

Regenerate with `make golden` (pytest tests/test_golden.py --regen-all), then read the diff.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from pytest_regressions.common import check_text_files
from pytest_regressions.file_regression import FileRegressionFixture

from tests.helpers import GOLDEN, REGEN_HINT, all_trees, recorded_files

RENDERED = {
    f"{v.value}/{case}/{rel}": content
    for case, v, t in all_trees()
    for rel, content in {**t.files(), **recorded_files(t)}.items()
}


def check_exact(obtained: Path, expected: Path) -> None:
    """A readable line diff first, then a byte-for-byte comparison (CRLF, final newline)."""
    check_text_files(obtained, expected, encoding="utf-8")
    if obtained.read_bytes() != expected.read_bytes():
        raise AssertionError(
            f"{expected}: same lines, different bytes (line endings or final newline); {REGEN_HINT}"
        )


def check_bytes(obtained: Path, expected: Path) -> None:
    if obtained.read_bytes() != expected.read_bytes():
        raise AssertionError(f"{expected}: binary golden differs; {REGEN_HINT}")


@pytest.mark.parametrize("rel", sorted(RENDERED))
def test_golden(rel: str, file_regression: FileRegressionFixture) -> None:
    stem, dot, ext = rel.rpartition(".")
    if ext == "zip":
        file_regression.check(
            RENDERED[rel], binary=True, basename=stem, extension=".zip", check_fn=check_bytes
        )
        return
    file_regression.check(
        RENDERED[rel].decode("utf-8"),
        basename=stem,
        extension=f"{dot}{ext}",
        newline="\n",
        check_fn=check_exact,
    )


def test_no_orphan_or_missing_goldens() -> None:
    on_disk = {p.relative_to(GOLDEN).as_posix() for p in GOLDEN.rglob("*") if p.is_file()}
    orphans = sorted(on_disk - set(RENDERED))
    missing = sorted(set(RENDERED) - on_disk)
    assert not orphans, f"golden files no case renders (delete them): {orphans}"
    assert not missing, f"rendered files without a golden: {missing}; {REGEN_HINT}"
