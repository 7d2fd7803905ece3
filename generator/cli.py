"""The command line: the one boundary where errors become messages and exit codes.

Exit codes: 0 ok; 1 invalid input (nothing written), or `render --check` found drift; 2 usage
error; 3 output could not be written (the previous output is left as it was).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from typer._completion_classes import completion_init
from typer.core import TyperArgument

from generator.errors import EXIT_INVALID_INPUT, GeneratorError, Problem, SiteFileError
from generator.versions import ALL_VERSIONS, CAPABILITIES, KNOWN_ISSUES, BigIpVersion

if TYPE_CHECKING:
    from generator.model import Site

app = typer.Typer(
    name="etherip",
    help=(
        "EtherIP / vMotion change generator for F5 BIG-IP 11.6.1-11.6.5. One site file in; "
        "tmsh change scripts for every device of both data centers out.\n\n"
        "Exit codes: 0 ok, 1 invalid input (nothing written) or drift found by render --check, 2 usage error, "
        "3 output could not be written (previous output left as it was)."
    ),
    pretty_exceptions_enable=False,
    add_completion=False,  # our own --show-completion/--install-completion take the shell by name
    no_args_is_help=True,
    rich_markup_mode=None,  # plain help: no <bool> or <list[Path]> type labels
)


def _argument_type(self: TyperArgument, ctx: typer.Context) -> str | None:
    """Help shows an argument's METAVAR alone, as click does, not also `<path>` or `<list[Path]>`."""
    return None if self.metavar else TyperArgument.display_type(self, ctx)


TyperArgument.display_type_rich = _argument_type  # type: ignore[method-assign,assignment]
completion_init()  # typer registers the shells' completion classes only with add_completion=True
SHELLS = ("bash", "zsh", "fish", "powershell", "pwsh")


def _print_version(value: bool) -> None:
    if value:
        from importlib.metadata import PackageNotFoundError, version

        try:
            print(f"etherip {version('etherip')}")
        except PackageNotFoundError:
            print("etherip (not installed as a package)")
        raise typer.Exit()


def _completion(ctx: typer.Context, param: typer.CallbackParam, shell: str | None) -> None:
    if shell is None or ctx.resilient_parsing:
        return
    from typer._completion_shared import get_completion_script, install

    if shell not in SHELLS:
        raise typer.BadParameter(f"{shell!r}: use one of {', '.join(SHELLS)}", param_hint=param.opts[0])
    if param.name == "install_completion":
        installed, path = install(shell=shell, prog_name="etherip", complete_var="_ETHERIP_COMPLETE")
        print(f"{installed} completion installed in {path}; it takes effect in a new shell")
    else:
        print(get_completion_script(prog_name="etherip", complete_var="_ETHERIP_COMPLETE", shell=shell))
    raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_print_version, is_eager=True, help="Print etherip's version and exit."
        ),
    ] = False,
    show_completion: Annotated[
        str | None,
        typer.Option(
            metavar="SHELL",
            callback=_completion,
            is_eager=True,
            help="Print the completion script for SHELL (bash, zsh, fish, powershell).",
        ),
    ] = None,
    install_completion: Annotated[
        str | None,
        typer.Option(
            metavar="SHELL",
            callback=_completion,
            is_eager=True,
            help="Install completion for SHELL (bash, zsh, fish, powershell).",
        ),
    ] = None,
) -> None:
    """EtherIP / vMotion change generator for F5 BIG-IP 11.6.1-11.6.5."""


SiteArg = Annotated[
    Path | None,
    typer.Argument(
        metavar="SITE", help="Site file (YAML). Default: the bundled example.", show_default=False
    ),
]


def _fail(err: GeneratorError) -> typer.Exit:
    for line in err.lines():
        print(line, file=sys.stderr)
    return typer.Exit(err.exit_code)


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


@app.command()
def render(
    site: SiteArg = None,
    version: Annotated[
        str | None,
        typer.Option(
            "--version",
            metavar="VERSION",
            help="11.6.1 ... 11.6.5, or all. Default: the site file's bigip_version"
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
) -> None:
    """Validate SITE and write the change package for every device: pre-check, apply steps,
    verification, rollback and expected state, plus CHANGE.md, topology.svg and manifest.json."""
    from generator.output import write_trees
    from generator.render import render_version
    from generator.resources import example_site
    from generator.validate import load_site_and_source

    path = site if site is not None else example_site()
    display = str(site) if site is not None else "example_site.yaml"
    try:
        model, source = load_site_and_source(path, display)
        chosen = _versions(version, model.bigip_version)
        if check:
            _check_drift(model, source, chosen if version is not None else None, out, display)
            return
        trees = [render_version(model, v, source) for v in chosen]
        written = write_trees(out, trees)
    except GeneratorError as err:
        raise _fail(err) from None
    for folder, tree in zip(written, trees, strict=True):
        print(f"{folder}: {len(tree.artifacts)} files for BIG-IP {tree.version.value}")


def _check_drift(
    model: Site, source: bytes, chosen: list[BigIpVersion] | None, out: Path, display: str
) -> None:
    """Compare the chosen versions, or (no --version) the site's default version and every
    version folder OUT already has for this deployment."""
    from generator.output import drift, stray_folders, versions_on_disk
    from generator.render import render_version

    if chosen is None:
        wanted = {model.bigip_version.value, *versions_on_disk(out, model.deployment)}
        chosen = [v for v in ALL_VERSIONS if v.value in wanted]
        differences = stray_folders(out, model.deployment)
    else:
        differences = []
    for v in chosen:
        differences += drift(out, render_version(model, v, source))
    for line in differences:
        print(line)
    if differences:
        raise typer.Exit(EXIT_INVALID_INPUT)
    names = ", ".join(v.value for v in chosen)
    print(f"{out}/{model.deployment}: {names} up to date with {display}")


@app.command()
def check(
    out: Annotated[
        Path,
        typer.Argument(
            metavar="OUT", help="A rendered output folder (any level above manifest.json), or FILE.tmpl."
        ),
    ] = Path("out"),
) -> None:
    """Prove rendered output offline: manifest checksums, Tcl word lists of every tmsh command,
    and for each iApp its structure, APL, Tcl 8.4 compatibility, a run per device against
    recording tmsh stubs compared with the tmsh scripts, and refusal of hostile answers.
    Needs Tcl (tkinter or tclsh). Given FILE.tmpl, lints any iApp template instead (structure,
    APL grammar, Tcl 8.4; never runs it): FILE:LINE: check: message, exit 0 clean, 1 findings."""
    if out.suffix == ".tmpl" and not out.is_dir():
        from generator.iapp.lint import lint_file

        raise typer.Exit(lint_file(out))
    from generator.check import check_tree

    try:
        reports = check_tree(out)
    except GeneratorError as err:
        raise _fail(err) from None
    failed = False
    for folder, report in reports:
        for finding in report.findings:
            print(finding, file=sys.stderr)
        failed = failed or bool(report.findings)
        state = f"{len(report.findings)} finding(s)" if report.findings else "ok"
        print(
            f"{folder}: {state}; {report.cases_run} iApp runs, {len(report.recorded)} stage runs replayed in the iApp flows"
        )
    if failed:
        raise typer.Exit(EXIT_INVALID_INPUT)


@app.command()
def validate(
    sites: Annotated[
        list[Path], typer.Argument(metavar="SITE", help="Site files (YAML) to check.", show_default=False)
    ],
) -> None:
    """Check each SITE and report every problem as FILE:LINE:COL: key.path: message.
    Also the pre-commit hook (.pre-commit-hooks.yaml)."""
    from generator.validate import load_site

    failed: GeneratorError | None = None
    for site in sites:
        try:
            model = load_site(site, str(site))
        except GeneratorError as err:
            for line in err.lines():
                print(line, file=sys.stderr)
            failed = err
            continue
        devices = sum(len(p.devices) for p in model.peers.values())
        print(f"{site}: valid: deployment {model.deployment}, {len(model.peers)} peers, {devices} devices")
    if failed is not None:
        raise typer.Exit(failed.exit_code)


@app.command()
def precheck(
    site: Annotated[Path, typer.Argument(help="Site file (YAML).", show_default=False, metavar="SITE")],
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
        typer.Option("--version", help="11.6.1 ... 11.6.5. Default: the site file's bigip_version."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the findings as JSON.")] = False,
) -> None:
    """Check the change against each unit's saved configuration, offline, before the window:
    objects that already exist or are missing, VLAN tags, interfaces, addresses, hostname, device
    group, version, routes. One line per finding: DEVICE: kind: object(s): message (FILE:LINE).
    Exit 0 no conflict, 1 a conflict or an input that could not be checked, 2 usage error."""
    from generator.precheck.run import parse_inputs, run_precheck
    from generator.validate import load_site

    try:
        model = load_site(site, str(site))
        if version == "all":
            raise typer.BadParameter("precheck compares with one version", param_hint="--version")
        (target,) = _versions(version, model.bigip_version)
        report = run_precheck(model, target, parse_inputs(units), str(site))
    except GeneratorError as err:
        raise _fail(err) from None
    print(report.as_json() if as_json else "\n".join([*report.text_lines(), report.summary()]))
    if report.failed:
        raise typer.Exit(EXIT_INVALID_INPUT)


@app.command()
def schema() -> None:
    """Print the JSON Schema of the site file (for VS Code's YAML extension and linters)."""
    import json

    from generator.schema import site_schema

    print(json.dumps(site_schema(), indent=2))


SCHEMA_FILE = "etherip.schema.json"


@app.command()
def init(
    path: Annotated[
        Path, typer.Argument(metavar="PATH", help="Where to write the example site file.")
    ] = Path("site.yaml"),
) -> None:
    """Write the commented example site file to start from, and etherip.schema.json beside it
    (the site file's first line points VS Code's YAML extension at it). Never overwrites a site
    file; an existing etherip.schema.json is reused when identical, else refreshed."""
    import json

    from generator.resources import example_site
    from generator.schema import site_schema

    if path.exists():
        problem = Problem(str(path), 1, 1, "", "already exists; etherip init never overwrites a site file")
        raise _fail(SiteFileError([problem]))
    schema_path = path.parent / SCHEMA_FILE
    schema_text = (json.dumps(site_schema(), indent=2) + "\n").encode()
    header = f"# yaml-language-server: $schema=./{SCHEMA_FILE}\n".encode()
    try:
        schema_state = _put_schema(schema_path, schema_text)
        _create_whole(path, header + example_site().read_bytes())
    except FileExistsError:
        problem = Problem(str(path), 1, 1, "", "already exists; etherip init never overwrites a site file")
        raise _fail(SiteFileError([problem])) from None
    except OSError as exc:
        print(f"{exc.filename or path}: cannot write: {exc.strerror}", file=sys.stderr)
        raise typer.Exit(EXIT_INVALID_INPUT) from None
    print(f"{schema_path}: {schema_state}")
    print(f"{path}: written; edit it, then run: etherip validate {path}")


def _put_schema(target: Path, content: bytes) -> str:
    """Write the schema unless an identical file is there; say which."""
    if target.is_file() and target.read_bytes() == content:
        return "already there and identical; reused"
    existed = target.exists()
    _replace_whole(target, content)
    return "refreshed (it differed from this etherip's schema)" if existed else "written, for editors"


def _staged(target: Path, content: bytes) -> Path:
    """`content` complete in a hidden file beside `target`, with the permissions open() would give."""
    import os
    import tempfile

    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    umask = os.umask(0)
    os.umask(umask)
    try:
        os.fchmod(fd, 0o666 & ~umask)
        with open(fd, "wb") as fh:
            fh.write(content)
    except OSError:
        Path(tmp).unlink(missing_ok=True)
        raise
    return Path(tmp)


def _create_whole(target: Path, content: bytes) -> None:
    """Create `target` complete or not at all; FileExistsError if it exists (never replaced)."""
    import os

    tmp = _staged(target, content)
    try:
        os.link(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)


def _replace_whole(target: Path, content: bytes) -> None:
    import os

    tmp = _staged(target, content)
    try:
        os.replace(tmp, target)
    except OSError:
        tmp.unlink(missing_ok=True)
        raise


@app.command()
def versions() -> None:
    """List the supported BIG-IP versions, the features etherip relies on, and known issues."""
    from generator.versions import Capability

    print("Capabilities: the BIG-IP features the generated output relies on:")
    for cap in Capability:
        print(f"    {cap.name.lower().replace('_', '-')}: {cap.value}")
    print()
    for v in ALL_VERSIONS:
        have = CAPABILITIES[v]
        caps = f"{len(have)} of {len(Capability)}" + (
            " (all of the above)"
            if len(have) == len(Capability)
            else f", missing {', '.join(c.name.lower() for c in Capability if c not in have)}"
        )
        issues = [k for k in KNOWN_ISSUES if v in k.affects]
        print(f"{v.value}  capabilities: {caps}  known issues: {len(issues)}")
        for issue in issues:
            print(f"    {issue.ident}: {issue.title}")
            print(f"        {issue.advice}")
            print(f"        source: {issue.source}")


def main() -> None:
    app()
