"""Output is written all or nothing, byte-identical run to run, and never disturbs other folders."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from generator import output
from generator.errors import Interrupted, OutputError, signals_held
from generator.output import read_tree, write_trees, write_whole
from generator.versions import BigIpVersion
from tests.helpers import ROOT, tree


def test_render_twice_same_bytes(tmp_path: Path) -> None:
    t = tree("mixed", BigIpVersion.V11_6_5)
    first = write_trees(tmp_path / "a", [t])[0]
    second = write_trees(tmp_path / "b", [t])[0]
    assert read_tree(first) == read_tree(second) == t.files()


def test_rerender_replaces_version_folder_and_keeps_others(tmp_path: Path) -> None:
    out = tmp_path / "out"
    other = out / "another_deployment" / "11.6.5"
    other.mkdir(parents=True)
    (other / "keep.txt").write_text("untouched")
    write_trees(out, [tree("mixed", BigIpVersion.V11_6_4)])
    (out / "vmotion" / "11.6.5").mkdir()
    (out / "vmotion" / "11.6.5" / "stale.tmsh").write_text("old")
    with pytest.raises(OutputError, match="etherip did not write"):
        write_trees(out, [tree("mixed", BigIpVersion.V11_6_5)])
    assert (out / "vmotion" / "11.6.5" / "stale.tmsh").read_text() == "old"
    write_trees(out, [tree("mixed", BigIpVersion.V11_6_5)], force=True)
    assert (other / "keep.txt").read_text() == "untouched"
    assert read_tree(out / "vmotion" / "11.6.5") == tree("mixed", BigIpVersion.V11_6_5).files()
    assert (out / "vmotion" / "11.6.4" / "manifest.json").exists()
    assert sorted(p.name for p in (out / "vmotion").iterdir()) == ["11.6.4", "11.6.5"]


def test_an_unchanged_version_folder_is_left_alone(tmp_path: Path) -> None:
    """A folder that already holds the render byte for byte is not swapped (same inode, same
    file times); in the same render a folder whose bytes change is replaced."""
    out = tmp_path / "out"
    same, changed = tree("mixed", BigIpVersion.V11_6_5), tree("mixed", BigIpVersion.V11_6_4)
    kept, replaced = write_trees(out, [same, changed])
    before = {p: (p.stat().st_ino, (p / "CHANGE.md").stat().st_mtime_ns) for p in (kept, replaced)}
    (replaced / "CHANGE.md").write_bytes(b"another render")
    (replaced / "manifest.json").write_bytes(b"{}")  # not etherip's manifest: replaced with --force
    assert write_trees(out, [same, changed], force=True) == [kept, replaced]
    assert (kept.stat().st_ino, (kept / "CHANGE.md").stat().st_mtime_ns) == before[kept]
    assert replaced.stat().st_ino != before[replaced][0]
    assert read_tree(kept) == same.files() and read_tree(replaced) == changed.files()
    assert sorted(p.name for p in out.joinpath("vmotion").iterdir()) == ["11.6.4", "11.6.5"]


def test_a_folder_with_one_extra_file_is_not_unchanged(tmp_path: Path) -> None:
    out = tmp_path / "out"
    t = tree("mixed", BigIpVersion.V11_6_5)
    (folder,) = write_trees(out, [t])
    (folder / "dc1" / "mine.txt").write_text("mine")
    with pytest.raises(OutputError, match="etherip did not write"):
        write_trees(out, [t])
    write_trees(out, [t], force=True)
    assert read_tree(folder) == t.files()


def test_each_folder_is_created_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    made: list[str] = []
    real = os.mkdir

    def mkdir(path: object, *args: object, **kwargs: object) -> None:
        made.append(str(path))
        real(path, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "mkdir", mkdir)
    t = tree("ha-both", BigIpVersion.V11_6_5)
    (folder,) = write_trees(tmp_path / "out", [t])
    staging = str(folder.parent / ".11.6.5.new-etherip-")
    below = [m for m in made if m.startswith(staging) and "/" in m[len(staging) :]]  # not itself
    expected = {str(p) for rel in t.files() for p in Path(rel).parents} - {"."}
    assert len(below) == len(set(below)) == len(expected)


def test_write_whole_creates_replaces_or_leaves_as_it_was(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "site.yaml"
    write_whole(target, b"first", replace=False)
    with pytest.raises(FileExistsError):
        write_whole(target, b"second", replace=False)
    assert target.read_bytes() == b"first"
    write_whole(target, b"third")
    assert target.read_bytes() == b"third"
    assert (target.stat().st_mode & 0o777) == 0o666 & ~_umask()

    def full(_a: object, _b: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(output.MOVES, "rename", full)
    with pytest.raises(OSError, match="No space"):
        write_whole(target, b"fourth")
    assert target.read_bytes() == b"third"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site.yaml"]


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def test_a_held_signal_waits_for_the_checkpoint() -> None:
    before = signal.getsignal(signal.SIGHUP)
    with signals_held() as checkpoint:
        checkpoint()
        os.kill(os.getpid(), signal.SIGHUP)  # recorded, not acted on
        with pytest.raises(Interrupted, match="SIGHUP") as caught:
            checkpoint()
    assert caught.value.exit_code == 128 + signal.SIGHUP
    assert signal.getsignal(signal.SIGHUP) == before  # the previous handler is back


def test_failed_write_leaves_previous_output(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "out"
    good = write_trees(out, [tree("mixed", BigIpVersion.V11_6_5)])[0]
    before = read_tree(good)

    def broken(root: Path, files: dict[str, bytes]) -> None:
        (root / "partial.tmsh").write_text("half")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("generator.output._write_files", broken)
    with pytest.raises(OutputError, match="No space left"):
        write_trees(out, [tree("ha-both", BigIpVersion.V11_6_5)])
    assert read_tree(good) == before
    assert sorted(p.name for p in good.parent.iterdir()) == ["11.6.5"]


def test_killed_render_leaves_previous_output(tmp_path: Path) -> None:
    """A render killed while writing (SIGKILL: no cleanup runs) leaves the old folder intact,
    and the next render clears what the killed one left behind."""
    out = tmp_path / "out"
    good = write_trees(out, [tree("mixed", BigIpVersion.V11_6_5)])[0]
    before = read_tree(good)
    child = textwrap.dedent(
        f"""
        import os, sys, time
        sys.path.insert(0, {str(ROOT)!r})
        import generator.output as output
        from tests.helpers import tree
        from generator.versions import BigIpVersion
        real = output._write_files
        def slow(root, files):
            real(root, dict(list(files.items())[:3]))
            print("writing", flush=True)
            time.sleep(60)
        output._write_files = slow
        output.write_trees(__import__("pathlib").Path({str(out)!r}), [tree("ha-both", BigIpVersion.V11_6_5)])
        """
    )
    proc = subprocess.Popen([sys.executable, "-c", child], stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    assert proc.stdout.readline().strip() == "writing"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    proc.stdout.close()
    assert read_tree(good) == before
    leftovers = [p.name for p in good.parent.iterdir() if p.name != "11.6.5"]
    assert leftovers and all(name.startswith(".11.6.5.new-etherip-") for name in leftovers)
    write_trees(out, [tree("mixed", BigIpVersion.V11_6_5)])
    assert sorted(p.name for p in good.parent.iterdir()) == ["11.6.5"]


def test_interrupted_swap_is_recovered(tmp_path: Path) -> None:
    """If a render died between moving the old folder aside and moving the new one in,
    the next render puts the old one back before it starts."""
    out = tmp_path / "out"
    good = write_trees(out, [tree("mixed", BigIpVersion.V11_6_5)])[0]
    before = read_tree(good)
    good.rename(good.parent / ".11.6.5.old-etherip-x")
    write_trees(out, [tree("mixed", BigIpVersion.V11_6_4)])  # another version: recovery is per folder
    write_trees(out, [tree("mixed", BigIpVersion.V11_6_5)])
    assert read_tree(good) == before
    assert sorted(p.name for p in good.parent.iterdir()) == ["11.6.4", "11.6.5"]


def test_output_independent_of_cwd_hashseed_tz_locale(tmp_path: Path) -> None:
    results = []
    for i, env in enumerate(
        [
            {"PYTHONHASHSEED": "1", "TZ": "UTC", "LC_ALL": "C"},
            {"PYTHONHASHSEED": "4242", "TZ": "Asia/Kolkata", "LC_ALL": "C.UTF-8"},
        ]
    ):
        cwd = tmp_path / f"cwd{i}"
        cwd.mkdir()
        subprocess.run(
            [sys.executable, "-m", "generator", "render", "--version", "all", "--out", "o"],
            cwd=cwd,
            env={**os.environ, **env},
            check=True,
            capture_output=True,
        )
        results.append(read_tree(cwd / "o"))
    assert results[0] == results[1]
    assert len(results[0]) == len(BigIpVersion) * len(tree("mixed", BigIpVersion.V11_6_5).artifacts)
