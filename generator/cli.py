"""The command line: the one boundary where errors become messages and exit codes.

Exit codes: 0 ok; 1 invalid input (nothing written), or `render --check` found drift, or
`check` found something; 2 usage error; 3 output could not be written (the output folder is
left exactly as it was; also: another render holds the folder, or standard output failed);
128 + signal number when interrupted (130 for Ctrl-C), nothing changed.

Every command runs inside `_boundary`: each `GeneratorError` (generator.errors, the one
hierarchy) becomes its lines on stderr and its exit code; Ctrl-C, SIGTERM and SIGHUP become
`Interrupted`. Everything printed goes through `printable`, so a newline or escape sequence in
a file name or value never splits a message or reaches the terminal raw.
"""

from __future__ import annotations

import functools
import os
import signal
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, ParamSpec, TypeVar

import typer
from typer.core import TyperArgument, TyperCommand

from generator.errors import (
    EXIT_INVALID_INPUT,
    EXIT_OUTPUT,
    GeneratorError,
    Interrupted,
    OutputError,
    Problem,
    Reported,
    SiteFileError,
    printable,
    stop_on_signals,
)
from generator.versions import ALL_VERSIONS, CHOICES, SUPPORTED, BigIpVersion, known_issues

if TYPE_CHECKING:
    from generator.model import Site

app = typer.Typer(
    name="etherip",
    help=(
        f"EtherIP / vMotion change generator for F5 BIG-IP {SUPPORTED}. One site file in; "
        "tmsh change scripts for every device of both data centers out.\n\n"
        "Exit codes: 0 ok, 1 invalid input (nothing written), drift found by render --check or findings of check, "
        "2 usage error, 3 output could not be written (nothing changed; also: another render holds the folder), "
        "128 + signal when interrupted (130: Ctrl-C)."
    ),
    pretty_exceptions_enable=False,
    add_completion=True,  # typer's --install-completion / --show-completion (the shell this runs in)
    no_args_is_help=True,
    rich_markup_mode=None,  # plain help
)


class _Command(TyperCommand):
    """Help shows an argument by its METAVAR alone, as click does: typer's plain help adds a
    Python type label (`SITE <list[Path]>`), replaced here by blanks so the columns stay."""

    def get_help(self, ctx: Any) -> str:  # click's Context, which typer exposes only as a subclass
        text = super().get_help(ctx)
        for param in self.params:
            if isinstance(param, TyperArgument) and param.metavar:
                label = param.display_type(ctx)
                text = text.replace(f"  {param.metavar} {label}", f"  {param.metavar} {' ' * len(label)}")
        return text


def _print_version(value: bool) -> None:
    if value:
        from generator.provenance import etherip_version

        found = etherip_version()
        print(f"etherip {found}" if found != "unknown" else "etherip (not installed as a package)")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_print_version, is_eager=True, help="Print etherip's version and exit."
        ),
    ] = False,
) -> None:
    """EtherIP / vMotion change generator for F5 BIG-IP (the versions: etherip versions)."""


SiteArg = Annotated[
    Path | None,
    typer.Argument(
        metavar="SITE",
        help="Site file (YAML). Default: the bundled example.",
        show_default=False,
        readable=False,  # etherip reports an unreadable file itself, as FILE:1:1 and exit 1
    ),
]


P = ParamSpec("P")
R = TypeVar("R")


def _say(line: str) -> None:
    """One line on stdout; a stdout that cannot be written is an OutputError (exit 3)."""
    if sys.stdout is None:
        raise OutputError("cannot write to standard output: it is closed")
    try:
        print(printable(line))
    except OSError as exc:
        raise OutputError(f"cannot write to standard output: {exc.strerror or exc}") from None


def _warn(line: str) -> None:
    """One line on stderr; if even that fails, the exit code still tells."""
    try:
        if sys.stderr is not None:
            print(printable(line), file=sys.stderr)
    except OSError:
        pass


@contextmanager
def _boundary() -> Iterator[None]:
    """Errors to messages and exit codes, for every command."""
    try:
        try:
            yield
        except KeyboardInterrupt:
            raise Interrupted(signal.SIGINT) from None
        except MemoryError:  # a last resort: every reader bounds what it takes in
            raise GeneratorError("etherip: not enough memory for this input; nothing was changed") from None
        except RecursionError:  # a last resort: walks and parsers do not recurse on input depth
            raise GeneratorError("etherip: input nested too deeply; nothing was changed") from None
        except OSError as exc:  # not turned into a GeneratorError where it happened
            if exc.filename is None:  # print() to a full or closed stdout
                raise OutputError(f"cannot write to standard output: {exc.strerror or exc}") from None
            raise GeneratorError(f"etherip: {exc.filename}: {exc.strerror or exc}") from None
        try:
            if sys.stdout is not None:
                sys.stdout.flush()
        except OSError as exc:  # a full disk, a closed pipe
            raise OutputError(f"cannot write to standard output: {exc.strerror or exc}") from None
    except GeneratorError as err:
        for line in err.lines():
            _warn(line)
        raise typer.Exit(err.exit_code) from None


def _command(fn: Callable[P, R]) -> Callable[P, R]:
    """Register `fn` as a command that runs inside the error boundary."""

    @functools.wraps(fn)
    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        with _boundary():
            return fn(*args, **kwargs)

    app.command(cls=_Command)(run)
    return run


def _versions(option: str | None, default: BigIpVersion) -> list[BigIpVersion]:
    if option is None:
        return [default]
    if option == "all":
        return list(ALL_VERSIONS)
    try:
        return [BigIpVersion(option)]
    except ValueError:
        choices = ", ".join(v.value for v in ALL_VERSIONS)
        raise typer.BadParameter(
            f"{option!r} is not supported; use one of {choices} or all", param_hint="--version"
        ) from None


@_command
def render(
    site: SiteArg = None,
    version: Annotated[
        str | None,
        typer.Option(
            "--version",
            metavar="VERSION",
            help=f"{CHOICES}, or all. Default: the site file's bigip_version"
            " (with --check: also every version folder OUT has for this deployment).",
        ),
    ] = None,
    out: Annotated[
        Path, typer.Option("--out", metavar="OUT", help="Output folder; writes OUT/<deployment>/<version>/.")
    ] = Path("out"),
    check: Annotated[
        bool,
        typer.Option("--check", help="Write nothing; list the files that differ and exit 1 if OUT is stale."),
    ] = False,
    force: Annotated[
        bool,
        typer.Option(
            "--force", help="Replace version folders even if they hold files etherip did not write."
        ),
    ] = False,
) -> None:
    """Validate SITE and write the change package for every device: pre-check, apply steps,
    verification, rollback and expected state, plus CHANGE.md, topology.svg and manifest.json.
    One render at a time per deployment; every version folder is replaced, or none; a folder
    holding files its manifest does not list is left alone unless --force."""
    from generator.output import write_trees
    from generator.render import render_version
    from generator.resources import example_site
    from generator.validate import load_site_and_source

    path = site if site is not None else example_site()
    display = str(site) if site is not None else "example_site.yaml"
    named = _versions(version, ALL_VERSIONS[0]) if version is not None else []
    model, source = load_site_and_source(path, display, tuple(named))
    chosen = named or [model.bigip_version]
    if check:
        _check_drift(model, source, chosen if version is not None else None, out, display)
        return
    trees = [render_version(model, v, source) for v in chosen]
    if sys.stdout is None:  # known before anything is written: exit 3 still means nothing changed
        raise OutputError("cannot write to standard output: it is closed; nothing was written")
    written = write_trees(out, trees, force=force)
    try:
        for folder, tree in zip(written, trees, strict=True):
            _say(f"{folder}: {len(tree.artifacts)} files for BIG-IP {tree.version.value}")
        sys.stdout.flush()
    except (OutputError, OSError) as exc:
        strerror = exc.strerror if isinstance(exc, OSError) else str(exc).rsplit(": ", 1)[-1]
        raise OutputError(
            f"cannot write to standard output: {strerror}; the output under {out} was written"
        ) from None


def _check_drift(
    model: Site, source: bytes, chosen: list[BigIpVersion] | None, out: Path, display: str
) -> None:
    """Compare the chosen versions, or (no --version) the site's default version and every
    version folder OUT already has for this deployment."""
    from generator.output import drift, stray_folders, versions_on_disk
    from generator.render import render_version

    deployment = out / model.deployment
    if not os.path.lexists(deployment):
        _say(
            f"{deployment}: no rendered output for {model.deployment} here; run etherip render {display} --out {out}"
        )
        raise Reported(EXIT_INVALID_INPUT)
    if chosen is None:
        wanted = {model.bigip_version.value, *versions_on_disk(out, model.deployment)}
        chosen = [v for v in ALL_VERSIONS if v.value in wanted]
        differences = stray_folders(out, model.deployment)
    else:
        differences = []
    for v in chosen:
        differences += drift(out, render_version(model, v, source))
    for line in differences:
        _say(line)
    if differences:
        raise Reported(EXIT_INVALID_INPUT)
    names = ", ".join(v.value for v in chosen)
    _say(f"{out}/{model.deployment}: {names} up to date with {display}")


@_command
def check(
    out: Annotated[
        Path,
        typer.Argument(
            metavar="OUT",
            help="A rendered output folder (any level above manifest.json), or an iApp template file.",
            readable=False,
        ),
    ] = Path("out"),
    strict: Annotated[
        bool, typer.Option("--strict", help="With a template file: warnings fail too (exit 1).")
    ] = False,
) -> None:
    """Prove rendered output offline: each version folder is exactly etherip's render of its
    own site.yaml (every byte, manifest included: missing, changed and extra files are
    findings), and that render passes the proofs: Tcl word lists of every tmsh command, and
    for each iApp its structure, APL, Tcl 8.4 compatibility, a run per device against
    recording tmsh stubs compared with the tmsh scripts, and refusal of hostile answers.
    Never runs anything read from the folder. Needs Tcl (tkinter or tclsh). Given a file
    (any name: .tmpl, .iapp, .tmpl.tcl), lints it as an iApp template instead (structure, APL
    grammar, Tcl 8.4; never runs it): FILE:LINE: SEVERITY: check: message; exit 0 no error,
    1 an error (with --strict, a warning too)."""
    if not out.is_dir() and (os.path.lexists(out) or out.suffix == ".tmpl"):
        from generator.proof.iapp.lint import lint_file

        raise typer.Exit(lint_file(out, strict))
    from generator.proof.check import check_tree

    failed = False
    for folder, report in check_tree(out):
        for finding in report.findings:
            _warn(str(finding))
        failed = failed or bool(report.findings)
        state = f"{len(report.findings)} finding(s)" if report.findings else "ok"
        _say(
            f"{folder}: {state}; {report.cases_run} iApp runs, {len(report.recorded)} stage runs replayed in the iApp flows"
        )
    if failed:
        raise Reported(EXIT_INVALID_INPUT)


@_command
def validate(
    sites: Annotated[
        list[Path],
        typer.Argument(
            metavar="SITE", help="Site files (YAML) to check.", show_default=False, readable=False
        ),
    ],
) -> None:
    """Check each SITE and report every problem as FILE:LINE:COL: key.path: message.
    Also the pre-commit hook (.pre-commit-hooks.yaml)."""
    from generator.validate import load_site

    failed: GeneratorError | None = None
    for site in sites:
        try:
            model = load_site(site, str(site))
        except SiteFileError as err:  # report it, and go on with the next file
            for line in err.lines():
                _warn(line)
            failed = err
            continue
        devices = sum(len(p.devices) for p in model.peers.values())
        _say(f"{site}: valid: deployment {model.deployment}, {len(model.peers)} peers, {devices} devices")
    if failed is not None:
        raise Reported(failed.exit_code)


@_command
def precheck(
    site: Annotated[
        Path, typer.Argument(help="Site file (YAML).", show_default=False, metavar="SITE", readable=False)
    ],
    units: Annotated[
        list[str],
        typer.Argument(
            help="[DEVICE=]PATH per unit: a UCS archive, a folder with bigip_base.conf and bigip.conf, "
            "or one configuration file. Without DEVICE= the unit is found by its saved hostname.",
            show_default=False,
            metavar="[DEVICE=]PATH",
        ),
    ],
    version: Annotated[
        str | None,
        typer.Option(
            "--version", metavar="VERSION", help=f"{CHOICES}. Default: the site file's bigip_version."
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the findings as JSON.")] = False,
    after: Annotated[
        bool,
        typer.Option(
            "--after",
            help="Evidence after the change: each saved configuration must hold exactly what SITE's change "
            "leaves on that unit (missing, extra or different objects and properties are findings).",
        ),
    ] = False,
) -> None:
    """Check the change against each unit's saved configuration, offline, before the window:
    objects that already exist or are missing, VLAN tags, interfaces, addresses, hostname, device
    group, version, routes. One line per finding: DEVICE: kind: object(s): message (FILE:LINE).
    Exit 0 no conflict, 1 a conflict or an input that could not be checked, 2 usage error."""
    from generator.proof.precheck.report import PrecheckReport
    from generator.proof.precheck.run import parse_inputs, run_precheck
    from generator.validate import load_site

    model = load_site(site, str(site))
    if version == "all":
        raise typer.BadParameter("precheck compares with one version", param_hint="--version")
    (target,) = _versions(version, model.bigip_version)
    report: PrecheckReport
    if after:
        from generator.proof.precheck.after import run_after

        report = run_after(model, target, parse_inputs(units), str(site))
    else:
        report = run_precheck(model, target, parse_inputs(units), str(site))
    for line in (
        report.as_json() if as_json else "\n".join([*report.text_lines(), report.summary()])
    ).splitlines():
        _say(line)
    if report.failed:
        raise Reported(EXIT_INVALID_INPUT)


@_command
def plan(
    old: Annotated[
        Path,
        typer.Argument(metavar="OLD", help="The site file the deployment was rendered from.", readable=False),
    ],
    new: Annotated[
        Path, typer.Argument(metavar="NEW", help="The site file it is to become.", readable=False)
    ],
    version: Annotated[
        str | None,
        typer.Option(
            "--version", metavar="VERSION", help=f"{CHOICES}, or all. Default: NEW's bigip_version."
        ),
    ] = None,
    out: Annotated[
        Path,
        typer.Option(
            "--out",
            metavar="OUT",
            help="Output folder; writes OUT/<deployment>/changes/<old>-<new>/<version>/.",
        ),
    ] = Path("out"),
) -> None:
    """Plan a later change of a deployment: print, per unit, one line per object that changes
    (+ create, ~ modify, - delete, -/+ replace with its reason), and write the change package
    (pre-check of OLD's state, apply steps in dependency and HA order, verification of NEW's
    state, rollback to OLD's, CHANGE.md, the iApp path). Identical sites: "no changes", nothing
    written. Two different deployments are refused: render NEW and roll back OLD."""
    from generator.lifecycle.command import run_plan

    run_plan(old, new, lambda default: _versions(version, default), out, _say)


@_command
def schema() -> None:
    """Print the JSON Schema of the site file (for VS Code's YAML extension and linters)."""
    from generator.schema import schema_text

    for line in schema_text().splitlines():
        _say(line)


SCHEMA_FILE = "etherip.schema.json"


@_command
def init(
    path: Annotated[
        Path, typer.Argument(metavar="PATH", help="Where to write the example site file.")
    ] = Path("site.yaml"),
    adopt_from: Annotated[
        list[str] | None,
        typer.Option(
            "--from",
            metavar="DEVICE=PATH",
            help="Adopt a deployment that exists: one per unit (a UCS archive, a folder or a saved file); "
            "writes its site file instead of the example, every guessed value a comment at its line.",
        ),
    ] = None,
) -> None:
    """Write the commented example site file to start from (with --from: the site file of a
    deployment that exists, read from each unit's saved configuration), and etherip.schema.json beside it
    (the site file's first line points VS Code's YAML extension at it). Never overwrites a site
    file; an existing etherip.schema.json is reused when identical, else refreshed."""
    from generator.output import write_whole
    from generator.resources import example_site
    from generator.schema import schema_text

    if os.path.lexists(path):
        problem = Problem(str(path), 1, 1, "", "already exists; etherip init never overwrites a site file")
        raise SiteFileError([problem])
    body = example_site().read_bytes()
    if adopt_from:
        from generator.proof.precheck.adopt import adopt, checked
        from generator.proof.precheck.run import parse_inputs

        body = checked(adopt(parse_inputs(adopt_from)), str(path)).encode()
    schema_path = path.parent / SCHEMA_FILE
    schema_bytes = schema_text().encode()
    header = (
        f"# yaml-language-server: $schema=./{SCHEMA_FILE}\n"
        f"# bigip_version takes one of: {SUPPORTED} (etherip versions)\n"
    ).encode()
    try:
        schema_state = _put_schema(schema_path, schema_bytes)
        write_whole(path, header + body, replace=False)
    except FileExistsError:
        problem = Problem(str(path), 1, 1, "", "already exists; etherip init never overwrites a site file")
        raise SiteFileError([problem]) from None
    except OSError as exc:
        raise OutputError(
            f"{exc.filename or path}: cannot write: {exc.strerror or exc}; no site file was written"
        ) from None
    _say(f"{schema_path}: {schema_state}")
    _say(f"{path}: written; edit it, then run: etherip validate {path}")


def _put_schema(target: Path, content: bytes) -> str:
    """Write the schema unless an identical file is there; say which."""
    if target.is_file() and target.read_bytes() == content:
        return "already there and identical; reused"
    from generator.output import write_whole

    existed = target.exists()
    write_whole(target, content)
    return "refreshed (it differed from this etherip's schema)" if existed else "written, for editors"


@_command
def versions() -> None:
    """List the supported BIG-IP versions: per version its support status, what its output
    differs by (#TMSH-VERSION, iApp floor, IPsec features, known issues, version notes) and the
    sources."""
    from generator.versions import RELEASES, Feature, version_notes

    for v in ALL_VERSIONS:
        row = RELEASES[v]
        issues = known_issues(v)
        _say(f"{v.value}  known issues: {len(issues)}")
        _say(f"    support: {row.support_text}")
        _say(f"    #TMSH-VERSION {row.tmsh_version}; iApp requires-bigip-version-min {row.iapp_min}")
        _say(f"    procedure: {row.procedure}")
        lacks = [f.value for f in Feature if f not in row.features]
        if lacks:
            _say(f"    IPsec: not offered (not known on this release): {'; '.join(lacks)}")
        for issue in issues:
            _say(f"    {issue.ident}: {issue.title}")
            _say(f"        {issue.advice}")
            _say(f"        source: {issue.source}")
        for note in version_notes(v):
            where = ", ".join(sorted(note.shown_in)) or "no output difference"
            _say(f"    note {note.ident} ({where}): {note.text}")
            _say(f"        source: {note.source}")


def main() -> None:
    """The console command: SIGINT, SIGTERM and SIGHUP stop the command through the boundary
    (a word on stderr, exit 128 + signal); whatever typer prints itself (help, usage errors)
    to a stdout that cannot be written ends with exit 3, never a traceback."""
    stop_on_signals()
    code = 0
    try:
        app()
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    except GeneratorError as err:  # an interrupt outside any command (while typer parses)
        for line in err.lines():
            _warn(line)
        code = err.exit_code
    except OSError as exc:
        _warn(f"etherip: cannot write to standard output: {exc.strerror or exc}")
        code = EXIT_OUTPUT
    try:
        if sys.stdout is not None:
            sys.stdout.flush()
    except OSError as exc:
        _warn(f"etherip: cannot write to standard output: {exc.strerror or exc}")
        code = code or EXIT_OUTPUT
    if code == EXIT_OUTPUT and sys.stdout is not None:
        try:  # drop what could not be written, so the exit does not try again
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
        except (OSError, ValueError):
            pass
    sys.exit(code)
