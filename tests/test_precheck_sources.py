"""Saved configurations that are damaged, truncated, huge or hostile: each gives one
`unreadable` line and exit 1, never a traceback, never a file written, in bounded reads."""

from __future__ import annotations

import gzip
import io
import os
import struct
import tarfile
import zlib
from pathlib import Path

import pytest
from typer.testing import CliRunner

from generator.cli import app
from generator.proof.precheck import sources
from generator.proof.precheck.report import ERROR
from generator.proof.precheck.run import UnitInput, run_precheck
from generator.proof.precheck.sources import SavedConfigError, read_source
from tests.helpers import CASES_DIR, site
from tests.precheck.configs import clean, ucs_bytes

runner = CliRunner()
DC2 = clean("bigip-dc2")
GOOD = [("config/bigip_base.conf", DC2.base.encode()), ("config/bigip.conf", DC2.user.encode())]
HOSTILE = b"#TMSH-VERSION: 11.6.5\n\nnet vlan /Common/vm_vlan {\n    tag 200\n}\n"


def _link(name: str, kind: bytes, target: str = "") -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.type = kind
    info.linkname = target
    return info


def _unreadable(path: Path) -> str:
    """Run the unit through the pre-check; it must give exactly one `unreadable` error."""
    model = site("mixed")
    report = run_precheck(model, model.bigip_version, [UnitInput("bigip-dc2", path, str(path))], "mixed.yaml")
    mine = [f for f in report.findings if f.device == "bigip-dc2"]
    assert [(f.kind, f.severity) for f in mine] == [("unreadable", ERROR)], mine
    assert "\n" not in str(mine[0])
    return str(mine[0])


def _cli(path: Path) -> tuple[int, str]:
    result = runner.invoke(app, ["precheck", str(CASES_DIR / "mixed.yaml"), f"bigip-dc2={path}"])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output
    return result.exit_code, result.stdout


def test_traversal_names_are_ignored_and_never_written(tmp_path: Path) -> None:
    archive = tmp_path / "t.ucs"
    evil = [
        ("../config/bigip.conf", HOSTILE),
        ("/config/bigip_base.conf", HOSTILE),
        ("config/../../bigip.conf", HOSTILE),
        ("/bigip.conf", HOSTILE),
        ("../bigip_base.conf", HOSTILE),
        ("var/config/bigip.conf", HOSTILE),
    ]
    archive.write_bytes(ucs_bytes(evil + GOOD))
    before = sorted(tmp_path.rglob("*")), sorted(tmp_path.parent.iterdir())
    source = read_source(archive)
    assert [f.display for f in source.files] == [
        f"{archive}/config/bigip_base.conf",
        f"{archive}/config/bigip.conf",
    ]
    assert source.files[0].text == DC2.base
    code, out = _cli(archive)
    assert code == 0, out
    assert (sorted(tmp_path.rglob("*")), sorted(tmp_path.parent.iterdir())) == before

    only_evil = tmp_path / "evil.ucs"
    only_evil.write_bytes(ucs_bytes(evil))
    assert "archive holds neither config/bigip_base.conf nor config/bigip.conf" in _unreadable(only_evil)


@pytest.mark.parametrize(
    "member",
    [
        _link("config/bigip.conf", tarfile.SYMTYPE, "/etc/passwd"),
        _link("config/bigip.conf", tarfile.LNKTYPE, "etc/passwd"),
        _link("config/bigip.conf", tarfile.CHRTYPE),
        _link("config/bigip.conf", tarfile.FIFOTYPE),
        _link("config/bigip.conf", tarfile.DIRTYPE),
    ],
    ids=["symlink", "hardlink", "device", "fifo", "directory"],
)
def test_links_and_devices_are_never_followed(member: tarfile.TarInfo, tmp_path: Path) -> None:
    archive = tmp_path / "l.ucs"
    archive.write_bytes(ucs_bytes([GOOD[0]], extra=[member]))
    source = read_source(archive)
    assert [f.role for f in source.files] == ["base"]
    assert source.absent == ("bigip.conf",)
    assert not (tmp_path / "config").exists()


def _bomb(decompressed: int) -> bytes:
    """A gzip tar whose first member is `decompressed` bytes of zeros: a few hundred KiB on disk.
    Built in a blink: after a full flush deflate compresses the same MiB of zeros to the same
    bytes, so they are compressed once and repeated; the gzip frame is written here."""
    header = tarfile.TarInfo("var/tmp/zeros")
    header.size = decompressed
    block = header.tobuf(format=tarfile.GNU_FORMAT)
    chunk = bytes(1 << 20)
    count = decompressed // len(chunk)
    comp = zlib.compressobj(9, zlib.DEFLATED, -15)  # raw deflate
    head = comp.compress(block) + comp.flush(zlib.Z_FULL_FLUSH)
    one = comp.compress(chunk) + comp.flush(zlib.Z_FULL_FLUSH)
    tail = comp.flush(zlib.Z_FINISH)
    crc = zlib.crc32(block)
    for _ in range(count):
        crc = zlib.crc32(chunk, crc)
    size = (len(block) + count * len(chunk)) & 0xFFFFFFFF
    frame = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03"  # gzip, deflate, no name, mtime 0, Unix
    return frame + head + one * count + tail + struct.pack("<II", crc, size)


def test_gzip_bomb_stops_at_the_default_budget(tmp_path: Path) -> None:
    archive = tmp_path / "bomb.ucs"
    archive.write_bytes(_bomb(sources.MAX_TOTAL_BYTES + (16 << 20)))
    assert archive.stat().st_size < 2 << 20
    assert "more than 1024 MiB decompressed" in _unreadable(archive)


def test_archive_budget_is_what_stops_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    archive = tmp_path / "bomb.ucs"
    archive.write_bytes(_bomb(8 << 20))
    monkeypatch.setattr(sources, "MAX_TOTAL_BYTES", 4 << 20)
    assert "more than 4 MiB decompressed" in _unreadable(archive)
    monkeypatch.setattr(sources, "MAX_TOTAL_BYTES", 64 << 20)
    assert "archive holds neither" in _unreadable(archive)  # read through: nothing wanted in it


def test_oversized_member_and_file_are_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sources, "MAX_FILE_BYTES", 1024)
    archive = tmp_path / "big.ucs"
    archive.write_bytes(ucs_bytes(GOOD))
    assert "config/bigip_base.conf: larger than 1024 bytes; refused" in _unreadable(archive)
    single = tmp_path / "bigip_base.conf"
    single.write_text(DC2.base)
    assert "larger than 1024 bytes; refused" in _unreadable(single)


def test_truncated_gzip(tmp_path: Path) -> None:
    data = ucs_bytes(GOOD)
    archive = tmp_path / "cut.ucs"
    archive.write_bytes(data[: len(data) // 2])
    message = _unreadable(archive)
    assert "truncated" in message or "damaged" in message
    code, out = _cli(archive)
    assert code == 1 and "unreadable" in out


@pytest.mark.parametrize(
    ("name", "data", "expect"),
    [
        ("text.gz", gzip.compress(b"just some text\n" * 100, mtime=0), "damaged or not a tar archive"),
        ("empty.gz", gzip.compress(b"", mtime=0), "damaged or not a tar archive: empty file"),
        ("junk.ucs", b"\x1f\x8b" + os.urandom(600), "damaged or not a tar archive"),
        ("binary.conf", b"\x7fELF\x02\x01\x01\x00" + bytes(100), "not a text configuration file"),
        ("empty.conf", b"", "no configuration stanzas found"),
        (
            "open.conf",
            b"#TMSH-VERSION: 11.6.5\nnet vlan /Common/x {\n    interfaces {\n",
            "open.conf:2: net vlan /Common/x: never closed",
        ),
        ("stray.conf", b"#TMSH-VERSION: 11.6.5\n}\n", "no configuration stanzas found"),
    ],
)
def test_damaged_inputs(name: str, data: bytes, expect: str, tmp_path: Path) -> None:
    path = tmp_path / name
    path.write_bytes(data)
    assert expect in _unreadable(path)


def test_duplicate_member_is_refused(tmp_path: Path) -> None:
    archive = tmp_path / "dup.ucs"
    archive.write_bytes(ucs_bytes([GOOD[1], ("./config/bigip.conf", HOSTILE), GOOD[0]]))
    assert "appears twice in the archive" in _unreadable(archive)


@pytest.mark.parametrize(("prefix", "shown"), [("./config/", "config/"), ("", ""), ("config/../", None)])
def test_plain_tar_and_other_names_of_the_two_files(prefix: str, shown: str | None, tmp_path: Path) -> None:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tar:
        for name, data in GOOD:
            info = tarfile.TarInfo(prefix + name.removeprefix("config/"))
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    archive = tmp_path / "plain.tar"
    archive.write_bytes(buf.getvalue())
    if shown is None:
        assert "archive holds neither" in _unreadable(archive)
        return
    source = read_source(archive)
    assert [f.role for f in source.files] == ["base", "user"]
    assert source.files[0].display == f"{archive}/{shown}bigip_base.conf"


def test_unpacked_ucs_folder_is_read(tmp_path: Path) -> None:
    (tmp_path / "config").mkdir()
    (tmp_path / "config" / "bigip_base.conf").write_text(DC2.base)
    (tmp_path / "config" / "bigip.conf").write_text(DC2.user)
    source = read_source(tmp_path, "unpacked")
    assert [f.display for f in source.files] == [
        "unpacked/config/bigip_base.conf",
        "unpacked/config/bigip.conf",
    ]
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(SavedConfigError, match="folder holds neither"):
        read_source(empty, "x")


def test_a_pipe_is_never_read(tmp_path: Path) -> None:
    fifo = tmp_path / "unit.fifo"
    os.mkfifo(fifo)
    assert "unit.fifo: a FIFO, not a regular file; never read" in _unreadable(fifo)


@pytest.mark.parametrize("kind", ["fifo", "device-symlink", "symlink-to-a-file", "folder"])
@pytest.mark.parametrize("layout", ["top", "config"])
def test_a_special_bigip_base_conf_is_unreadable_never_absent(kind: str, layout: str, tmp_path: Path) -> None:
    """A bigip_base.conf that is a FIFO, a device symlink, any symlink or a folder makes the
    unit unreadable (exit 1): it is never read, followed or taken for "not given"."""
    unit = tmp_path / "unit"
    folder = unit / "config" if layout == "config" else unit
    folder.mkdir(parents=True)
    (folder / "bigip.conf").write_text(DC2.user)
    target = folder / "bigip_base.conf"
    outside = tmp_path / "outside.conf"
    outside.write_text(DC2.base)
    {
        "fifo": lambda: os.mkfifo(target),
        "device-symlink": lambda: target.symlink_to("/dev/zero"),
        "symlink-to-a-file": lambda: target.symlink_to(outside),
        "folder": lambda: target.mkdir(),
    }[kind]()
    message = _unreadable(unit)
    assert "bigip_base.conf: " in message
    assert {
        "fifo": "a FIFO",
        "device-symlink": "a symlink",
        "symlink-to-a-file": "a symlink",
        "folder": "a folder",
    }[kind] in message
    code, out = _cli(unit)
    assert code == 1 and "unreadable" in out


def test_a_folder_has_a_total_read_limit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    unit = tmp_path / "unit"
    unit.mkdir()
    (unit / "bigip_base.conf").write_text(DC2.base)
    (unit / "bigip.conf").write_text(DC2.user)
    monkeypatch.setattr(sources, "MAX_TOTAL_BYTES", len(DC2.base) + len(DC2.user) - 1)
    assert "its files together are larger than" in _unreadable(unit)
    monkeypatch.setattr(sources, "MAX_TOTAL_BYTES", len(DC2.base) + len(DC2.user))
    assert read_source(unit).files[1].text == DC2.user


def test_partition_files_share_the_total_and_specials_are_noted(tmp_path: Path) -> None:
    unit = tmp_path / "unit"
    (unit / "partitions" / "P1").mkdir(parents=True)
    (unit / "bigip_base.conf").write_text(DC2.base)
    (unit / "bigip.conf").write_text(DC2.user)
    os.mkfifo(unit / "partitions" / "P1" / "bigip.conf")
    source = read_source(unit, "u")
    assert [f.role for f in source.files] == ["base", "user"]
    assert source.notes == ("u/partitions/P1/bigip.conf: a FIFO, not a regular file; never read",)


def _gnu_long_name_stream(size: int, kind: bytes = tarfile.GNUTYPE_LONGNAME) -> bytes:
    """A tar whose first header announces a GNU long name (or pax header) of `size` bytes; only
    a little of it follows: a reader that believed the size would allocate it."""
    info = tarfile.TarInfo("././@LongLink")
    info.type = kind
    info.size = size
    return gzip.compress(info.tobuf(format=tarfile.GNU_FORMAT) + b"x" * 4096)


@pytest.mark.parametrize("kind", [tarfile.GNUTYPE_LONGNAME, tarfile.GNUTYPE_LONGLINK, tarfile.XHDTYPE])
def test_a_huge_long_name_header_is_refused_before_it_is_read(kind: bytes, tmp_path: Path) -> None:
    archive = tmp_path / "long.ucs"
    archive.write_bytes(_gnu_long_name_stream(400 << 20, kind))
    message = _unreadable(archive)
    assert f"a long-name or pax header of {400 << 20} bytes" in message, message


def test_long_names_of_normal_size_still_work(tmp_path: Path) -> None:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz", format=tarfile.GNU_FORMAT) as tar:
        deep = "var/" + "d" * 300 + "/x"
        for name, data in [(deep, b"x"), *GOOD]:
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    archive = tmp_path / "names.ucs"
    archive.write_bytes(buf.getvalue())
    assert [f.role for f in read_source(archive).files] == ["base", "user"]
