"""The one place Jinja environments are built, and rendering one template to text."""

from __future__ import annotations

from enum import StrEnum
from functools import cache

import jinja2

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


@cache
def environment(style: Style = Style.TEXT) -> jinja2.Environment:
    """`text` for tmsh, Markdown and SVG; `iapp` (other delimiters) for the iApp files.
    StrictUndefined everywhere; templates under templates/common/."""
    root = templates_root()
    delimiters = IAPP_DELIMITERS if style is Style.IAPP else {}
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(root / "common")),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        autoescape=False,
        **delimiters,  # type: ignore[arg-type]
    )


def raw_template(name: str) -> str:
    """A file from the templates folder, verbatim (the iApp's static Tcl)."""
    env = environment(Style.TEXT)
    assert env.loader is not None
    try:
        source, _, _ = env.loader.get_source(env, name)
    except jinja2.TemplateNotFound:
        raise TemplateError(f"templates/common/{name}: missing; the install is broken") from None
    return source


def render_template(template: str, style: Style = Style.TEXT, /, **values: object) -> str:
    try:
        return environment(style).get_template(template).render(**values)
    except jinja2.TemplateError as exc:
        where = getattr(exc, "filename", None) or template
        line = getattr(exc, "lineno", None)
        raise TemplateError(f"templates/common/{where.split('common/')[-1]}:{line or 0}: {exc}") from None
