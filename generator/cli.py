"""The command line: the one boundary where errors become messages and exit codes.

Exit codes: 0 ok; 1 invalid input (nothing written), or `render --check` found drift; 2 usage
error; 3 output could not be written (the previous output is left as it was).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from generator.errors import EXIT_INVALID_INPUT, GeneratorError, Problem, SiteFileError
from generator.versions import ALL_VERSIONS, CAPABILITIES, BigIpVersion, known_issues

app = typer.Typer(
    name="etherip",
    help=(
        "EtherIP / vMotion change generator for F5 BIG-IP 11.6.1-11.6.5. One site file in; "
        "tmsh change scripts for every device of both data centers out.\n\n"
        "Exit codes: 0 ok, 1 invalid input (nothing written) or drift found by render --check, 2 usage error, "
        "3 output could not be written (previous output left as it was)."
    ),
    pretty_exceptions_enable=False,
    add_completion=True,
    no_args_is_help=True,
)

SiteArg = Annotated[
    Path | None, typer.Argument(help="Site file (YAML). Default: the bundled example.", show_default=False)
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
        typer.Option("--version", help="11.6.1 ... 11.6.5, or all. Default: the site file's bigip_version."),
    ] = None,
    out: Annotated[
        Path, typer.Option("--out", help="Output folder; writes OUT/<deployment>/<version>/.")
    ] = Path("out"),
    check: Annotated[
        bool,
        typer.Option("--check", help="Write nothing; list the files that differ and exit 1 if OUT is stale."),
    ] = False,
) -> None:
    """Validate SITE and write the change package for every device: pre-check, apply steps,
    verification, rollback and expected state, plus CHANGE.md, topology.svg and manifest.json."""
    from generator.output import drift, write_trees
    from generator.render import render_version
    from generator.resources import example_site
    from generator.validate import load_site_and_source

    path = site if site is not None else example_site()
    display = str(site) if site is not None else "example_site.yaml"
    try:
        model, source = load_site_and_source(path, display)
        trees = [render_version(model, v, source) for v in _versions(version, model.bigip_version)]
        if check:
            _report_drift([line for tree in trees for line in drift(out, tree)], out, display)
            return
        written = write_trees(out, trees)
    except GeneratorError as err:
        raise _fail(err) from None
    for folder, tree in zip(written, trees, strict=True):
        print(f"{folder}: {len(tree.artifacts)} files for BIG-IP {tree.version.value}")


def _report_drift(differences: list[str], out: Path, display: str) -> None:
    for line in differences:
        print(line)
    if differences:
        raise typer.Exit(EXIT_INVALID_INPUT)
    print(f"{out}: up to date with {display}")


@app.command()
def check(
    out: Annotated[
        Path, typer.Argument(help="A rendered output folder (any level above manifest.json), or FILE.tmpl.")
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
    sites: Annotated[list[Path], typer.Argument(help="Site files (YAML) to check.", show_default=False)],
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
    path: Annotated[Path, typer.Argument(help="Where to write the example site file.")] = Path("site.yaml"),
) -> None:
    """Write the commented example site file to start from, and etherip.schema.json beside it
    (the site file's first line points VS Code's YAML extension at it). Never overwrites."""
    import json

    from generator.resources import example_site
    from generator.schema import site_schema

    schema_path = path.parent / SCHEMA_FILE
    for target in (path, schema_path):
        if target.exists():
            problem = Problem(str(target), 1, 1, "", "already exists; etherip init never overwrites a file")
            raise _fail(SiteFileError([problem]))
    header = f"# yaml-language-server: $schema=./{SCHEMA_FILE}\n".encode()
    try:
        with open(path, "xb") as fh:
            fh.write(header + example_site().read_bytes())
        with open(schema_path, "x", encoding="utf-8", newline="\n") as fh:
            fh.write(json.dumps(site_schema(), indent=2) + "\n")
    except OSError as exc:
        print(f"{path}: cannot write: {exc.strerror}", file=sys.stderr)
        raise typer.Exit(EXIT_INVALID_INPUT) from None
    print(f"{path}: written, with {schema_path} for editors; edit it, then run: etherip validate {path}")


@app.command()
def versions() -> None:
    """List the supported BIG-IP versions and their known issues."""
    for v in ALL_VERSIONS:
        caps = len(CAPABILITIES[v])
        issues = known_issues(v)
        print(f"{v.value}  capabilities: {caps}  known issues: {len(issues)}")
        for issue in issues:
            print(f"    {issue.ident}: {issue.title}")
            print(f"        {issue.advice}")
            print(f"        source: {issue.source}")


def main() -> None:
    app()
