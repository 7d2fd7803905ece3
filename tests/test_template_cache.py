"""The template bytecode cache: a second cold start loads every template without compiling it,
and a cache that cannot be used only costs a compile (generator/templating.py)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import jinja2
import pytest

from generator import templating
from generator.render import render_version
from generator.versions import BigIpVersion
from tests.helpers import CASES_DIR, site, tree

CASE, VERSION = "ipsec-psk", BigIpVersion.V11_6_5  # a pair with the IPsec key step: every template


@pytest.fixture
def fresh(monkeypatch: pytest.MonkeyPatch) -> Iterator[pytest.MonkeyPatch]:
    templating.environment.cache_clear()
    yield monkeypatch
    templating.environment.cache_clear()


def _render() -> dict[str, bytes]:
    return render_version(site(CASE), VERSION, (CASES_DIR / f"{CASE}.yaml").read_bytes()).files()


def _expected() -> dict[str, bytes]:
    return tree(CASE, VERSION).files()


def test_second_start_compiles_nothing(fresh: pytest.MonkeyPatch, tmp_path: Path) -> None:
    fresh.setenv("ETHERIP_CACHE_DIR", str(tmp_path))
    _render()
    entries = sorted(tmp_path.rglob("*.cache"))
    common = Path(__file__).resolve().parents[1] / "templates" / "common"
    # every template of a render, both styles (plan/ holds etherip plan's, which a render never uses)
    rendered = [p for p in common.rglob("*.j2") if p.relative_to(common).parts[0] != "plan"]
    assert len(entries) == len(rendered), entries
    templating.environment.cache_clear()  # a new process: new environments, same cache folder

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("compiled a template the cache holds")

    fresh.setattr(jinja2.Environment, "compile", refuse)
    assert _render() == _expected()


def test_edited_template_is_compiled_again(fresh: pytest.MonkeyPatch, tmp_path: Path) -> None:
    fresh.setenv("ETHERIP_CACHE_DIR", str(tmp_path / "cache"))
    folder = tmp_path / "templates"
    folder.mkdir()
    (folder / "t.j2").write_text("before {{ 1 + 1 }}\n")

    def render() -> str:
        cache = templating._bytecode_cache(templating.Style.TEXT)
        env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(folder)), bytecode_cache=cache)
        return env.get_template("t.j2").render()

    assert render() == "before 2"
    assert list((tmp_path / "cache").rglob("*.cache"))
    (folder / "t.j2").write_text("after {{ 2 + 2 }}\n")
    assert render() == "after 4"


@pytest.mark.parametrize("where", ["a-file", "corrupt"])
def test_unusable_cache_is_skipped(fresh: pytest.MonkeyPatch, tmp_path: Path, where: str) -> None:
    if where == "a-file":
        target = tmp_path / "not-a-folder"
        target.write_text("x")
    else:
        target = tmp_path / "cache"
        fresh.setenv("ETHERIP_CACHE_DIR", str(target))
        _render()
        for entry in target.rglob("*.cache"):
            entry.write_bytes(entry.read_bytes()[:20])  # truncated: Jinja's header, no code
        templating.environment.cache_clear()
    fresh.setenv("ETHERIP_CACHE_DIR", str(target))
    assert _render() == _expected()


def test_cache_off(fresh: pytest.MonkeyPatch) -> None:
    fresh.setenv("ETHERIP_CACHE_DIR", "")
    assert templating.cache_dir() is None
    assert templating.environment().bytecode_cache is None


def test_a_folder_others_may_write_is_not_used(fresh: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Compiled code is loaded from the cache: never from a folder another user could fill."""
    fresh.setenv("ETHERIP_CACHE_DIR", str(tmp_path))
    folder = tmp_path / f"jinja-{jinja2.__version__}-text"
    folder.mkdir(mode=0o700)
    folder.chmod(0o777)
    assert templating._bytecode_cache(templating.Style.TEXT) is None
    folder.chmod(0o700)
    assert templating._bytecode_cache(templating.Style.TEXT) is not None
    assert _render() == _expected()
