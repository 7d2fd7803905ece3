"""The one place Jinja environments are built, and rendering one template to text.

Compiled templates are kept in a bytecode cache in the user's cache folder
(`$ETHERIP_CACHE_DIR`, else `$XDG_CACHE_HOME/etherip`, else `~/.cache/etherip`), one folder per
Jinja version and template style, so a cold run loads them instead of compiling all of them.
Jinja checks each entry against the template's source and the Python version, so an edited
template is compiled again. A cache that cannot be created, read or written, or whose folder
others may write to, is skipped: rendering never depends on it. `ETHERIP_CACHE_DIR=` (empty)
turns it off.

`etherip check` never reads that cache: inside `compiled_from_source()` every template is
compiled from the installed source by an environment without a bytecode cache. A cache entry
cannot be trusted by a proof: Jinja's `Bucket.load_bytecode` (pallets/jinja,
src/jinja2/bccache.py) reads an entry with `pickle.load` before it compares the checksum, so a
crafted entry runs code as it is read, and the checksum covers only the template's source, not
the code stored beside it nor the environment's settings, so an entry with other code (or
compiled with other delimiters) and the right checksum is used as it is.
"""

from __future__ import annotations

import contextlib
import os
import pickle
from collections.abc import Iterator
from contextvars import ContextVar
from enum import StrEnum
from functools import cache
from pathlib import Path

import jinja2
from jinja2.bccache import Bucket, FileSystemBytecodeCache

from generator.errors import TemplateError
from generator.resources import templates_root

# iApp text (APL, the .tmpl skeleton) is full of braces, so it is rendered with delimiters that
# never occur there; the Tcl implementation is never rendered at all (see generator/iapp/).
IAPP_DELIMITERS = {
    "block_start_string": "<%",
    "block_end_string": "%>",
    "variable_start_string": "<<",
    "variable_end_string": ">>",
    "comment_start_string": "<#",
    "comment_end_string": "#>",
}


class Style(StrEnum):
    TEXT = "text"  # tmsh, Markdown, SVG
    IAPP = "iapp"  # APL and the .tmpl skeleton: other delimiters


class _QuietCache(FileSystemBytecodeCache):
    """Jinja's file cache, but a broken or unwritable cache only costs a compile."""

    def load_bytecode(self, bucket: Bucket) -> None:
        try:
            super().load_bytecode(bucket)
        except (OSError, ValueError, EOFError, TypeError, pickle.UnpicklingError):
            bucket.reset()

    def dump_bytecode(self, bucket: Bucket) -> None:
        with contextlib.suppress(OSError):
            super().dump_bytecode(bucket)


def cache_dir() -> Path | None:
    """The bytecode cache's base folder, or None when turned off."""
    chosen = os.environ.get("ETHERIP_CACHE_DIR")
    if chosen is not None:
        return Path(chosen) if chosen else None
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "etherip"


def _bytecode_cache(style: Style) -> jinja2.BytecodeCache | None:
    base = cache_dir()
    if base is None:
        return None
    folder = base / f"jinja-{jinja2.__version__}-{style.value}"
    try:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        st = folder.stat()
    except OSError:
        return None
    if st.st_uid != os.getuid() or st.st_mode & 0o022:
        return None  # compiled code is loaded from here: only from a folder no one else may write
    return _QuietCache(str(folder), "%s.cache")


_FROM_SOURCE: ContextVar[bool] = ContextVar("etherip_templates_from_source", default=False)


@contextlib.contextmanager
def compiled_from_source() -> Iterator[None]:
    """Within: templates are compiled from the installed source, no bytecode cache is read or
    written (the reference render of `etherip check`, which no cache entry may change)."""
    token = _FROM_SOURCE.set(True)
    try:
        yield
    finally:
        _FROM_SOURCE.reset(token)


@cache
def environment(style: Style = Style.TEXT, from_source: bool = False) -> jinja2.Environment:
    """`text` for tmsh, Markdown and SVG; `iapp` (other delimiters) for the iApp files.
    StrictUndefined everywhere; templates under templates/common/. `from_source`: no
    bytecode cache (see `compiled_from_source`)."""
    root = templates_root()
    delimiters = IAPP_DELIMITERS if style is Style.IAPP else {}
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(root / "common")),
        bytecode_cache=None if from_source else _bytecode_cache(style),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        autoescape=False,
        auto_reload=False,  # templates never change while a process runs: no stat() per lookup
        **delimiters,  # type: ignore[arg-type]
    )


def raw_template(name: str) -> str:
    """A file from the templates folder, verbatim (the iApp's static Tcl)."""
    env = environment(Style.TEXT, _FROM_SOURCE.get())
    assert env.loader is not None
    try:
        source, _, _ = env.loader.get_source(env, name)
    except jinja2.TemplateNotFound:
        raise TemplateError(f"templates/common/{name}: missing; the install is broken") from None
    return source


def render_template(template: str, style: Style = Style.TEXT, /, **values: object) -> str:
    try:
        return environment(style, _FROM_SOURCE.get()).get_template(template).render(**values)
    except jinja2.TemplateError as exc:
        where = getattr(exc, "filename", None) or template
        line = getattr(exc, "lineno", None)
        raise TemplateError(f"templates/common/{where.split('common/')[-1]}:{line or 0}: {exc}") from None
