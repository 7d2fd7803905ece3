"""The check's readers follow the languages they read, not only what etherip writes: F5's APL
grammar, the .tmpl file as the loader reads it, Tcl's brace and comment rules, and the Tcl 8.5
constructs a stock 8.6 would accept but the box's 8.4.6 would not. Every fixture under
tests/fixtures/iapp/ was written for these tests (public templates were read, not copied)."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from generator.cli import app
from generator.proof.iapp import apl
from generator.proof.iapp.lint import lint_text
from generator.proof.iapp.tcl84 import scan
from generator.proof.iapp.tclparse import TclSyntaxError, parse
from generator.proof.iapp.tmpl import TmplError, brace_policy, brace_problems, parse_template, read_template
from generator.versions import pinned_versions
from tests.helpers import CASES, ROOT, tree

FIXTURES = ROOT / "tests" / "fixtures" / "iapp"
PRESENTATIONS = sorted((FIXTURES / "apl").glob("*.apl"))


# --- APL -------------------------------------------------------------------------------------


def test_there_are_enough_presentation_shapes() -> None:
    assert len(PRESENTATIONS) >= 11


@pytest.mark.parametrize("path", PRESENTATIONS, ids=lambda p: p.stem)
def test_each_presentation_parses_and_is_grammar_clean(path: Path) -> None:
    presentation = apl.parse_apl(path.read_text())
    assert presentation.fields
    assert apl.grammar_lint(presentation) == []


def _fields(text: str) -> dict[str, apl.Field]:
    return {".".join(f.path): f for f in apl.parse_apl(text).fields}


def test_choice_tcl_body_is_raw_tcl() -> None:
    f = _fields((FIXTURES / "apl" / "01-choice-tcl-body.apl").read_text())
    assert f["pool.existing"].choices_tcl is not None
    assert "lappend names [tmsh::get_name $p]" in f["pool.existing"].choices_tcl
    assert f[
        "pool.member_address"
    ].choices_tcl == ' \n        return "10.0.0.1\\n10.0.0.2\\n\\"quoted\\""\n    '.replace(" \n", "\n", 1)
    assert f["pool.monitors"].kind == "multichoice"


def test_top_level_optional_wraps_sections() -> None:
    p = apl.parse_apl((FIXTURES / "apl" / "02-top-level-optional-section.apl").read_text())
    f = {".".join(x.path): x for x in p.fields}
    assert p.sections == ["general", "hidden", "tuning", "logging"]
    assert f["hidden.provisioned"].conditions == ('"HIDE" == "THIS"',)
    assert f["tuning.nagle"].conditions == ('general.mode == "advanced"',)
    assert f["hidden.version"].default_tcl is not None and "tmsh::version" in f["hidden.version"].default_tcl


def test_included_macros_are_element_kinds() -> None:
    f = _fields((FIXTURES / "apl" / "03-include-macros.apl").read_text())
    assert f["ssl.offload"].macro == "noyes"
    assert f["ssl.algorithm"].macro == "lb_method"
    with pytest.raises(apl.AplError, match=r"unknown element 'noyes'.*macro"):
        apl.parse_apl("section s {\n    noyes offload\n}\n")


def test_defined_macros_carry_their_attributes_and_choices() -> None:
    f = _fields((FIXTURES / "apl" / "04-define-macro.apl").read_text())
    enabled = f["backup.enabled"]
    assert (enabled.kind, enabled.macro, enabled.display, enabled.default) == (
        "choice",
        "yes_no",
        "small",
        "no",
    )
    assert enabled.choices == ("yes", "no")
    assert f["backup.weekday"].choices[-1] == "Sunday"
    bad = 'define choice yes_no { "yes", "no" }\nsection s {\n    yes_no x default "maybe"\n}\n'
    assert apl.grammar_lint(apl.parse_apl(bad)) == [(3, "s.x: default 'maybe' is not one of its choices")]
    inside = _fields((FIXTURES / "apl" / "11-define-in-section-and-trailing-commas.apl").read_text())
    assert inside["vs.logging"].choices == ("on", "off")
    assert inside["vs.persistence"].choices == ("cookie", "source_addr")


def test_list_defaults() -> None:
    f = _fields((FIXTURES / "apl" / "05-multichoice-list-default.apl").read_text())
    assert f["schedule.days"].default_list == ("Sunday",)
    assert f["schedule.hours"].default_list == ("01", "13")
    assert f["schedule.protocols"].default_list == ()
    bad = 'section s {\n    multichoice d default {"Sunday", "Funday"} { "Sunday", "Monday" }\n}\n'
    assert apl.grammar_lint(apl.parse_apl(bad)) == [(2, "s.d: default 'Funday' is not one of its choices")]


def test_tables_rows_and_their_variables() -> None:
    p = apl.parse_apl((FIXTURES / "apl" / "06-table-and-rows.apl").read_text())
    assert ("pool", "members") in p.tables
    assert "pool__members" in p.variables() and "pool__members__port" not in p.variables()
    assert "pool__monitor__interval" in p.variables()
    nested = "section s {\n    table a {\n        table b {\n            string c\n        }\n    }\n}\n"
    assert apl.grammar_lint(apl.parse_apl(nested)) == [(3, "s.a.b: tables cannot nest")]


def test_validators_display_sizes_and_ipaddress_star() -> None:
    p = apl.parse_apl((FIXTURES / "apl" / "07-validators-and-sizes.apl").read_text())
    assert apl.grammar_lint(p) == []  # "*" is a valid IpAddress default, validator names any case
    bad = 'section s {\n    string a validator "IPv4"\n    string b display "huge"\n    string c validator "Number" default "x"\n}\n'
    assert [m for _, m in apl.grammar_lint(apl.parse_apl(bad))] == [
        "s.a: unknown validator 'IPv4'",
        "s.b: unknown display size 'huge'",
        "s.c: default 'x' fails its validator Number",
    ]


def test_comments_passwords_messages_and_language_tag() -> None:
    f = _fields((FIXTURES / "apl" / "08-password-message-comments.apl").read_text())
    assert f["credentials.secret"].kind == "password" and f["credentials.secret"].required
    p = apl.parse_apl((FIXTURES / "apl" / "09-localized-text.apl").read_text())
    assert p.text["site.size"] == ("Size of the site", "Pick the size that fits.")


def test_optional_expressions_follow_the_grammar() -> None:
    f = _fields((FIXTURES / "apl" / "10-compound-conditions.apl").read_text())
    assert f["net.floating_mask"].conditions == (
        'ha == "yes" && ( family == "ipv4" || net.family == "ipv6" )',
        'family != "ipv6"',
    )
    for broken in ('( ha = "yes" )', '( ha == "yes" && )', '( ha == "yes"', '( == "x" )'):
        with pytest.raises(apl.AplError):
            apl.parse_apl(
                f'section s {{\n    choice ha {{ "yes" }}\n    optional {broken} {{\n        string x\n    }}\n}}\n'
            )
    unknown = 'section s {\n    optional ( nothere == "x" ) {\n        string x\n    }\n}\n'
    assert apl.grammar_lint(apl.parse_apl(unknown)) == [
        (3, "s.x: optional ( nothere == \"x\" ) names unknown field 'nothere'")
    ]


def test_tcl_bodies_keep_quotes_escapes_and_braces() -> None:
    p = apl.parse_apl((FIXTURES / "apl" / "12-escaped-strings-and-tcl-quotes.apl").read_text())
    f = {".".join(x.path): x for x in p.fields}
    assert f["irule.pattern"].default == "^/api/\\{v[0-9]+\\}/"
    assert (
        f["irule.status"].choices_tcl is not None
        and 'Service \\"Unavailable\\"' in f["irule.status"].choices_tcl
    )
    assert len(p.tcl_bodies) == 1
    with pytest.raises(apl.AplError, match="never closed") as exc:
        apl.parse_apl("section s {\n    choice c tcl { return {a\n}\n")
    assert exc.value.line == 2


def test_apl_errors_carry_a_line() -> None:
    with pytest.raises(apl.AplError) as exc:
        apl.parse_apl("section s {\n    string a\n    bogus b\n}\n")
    assert exc.value.line == 3


def test_etherip_policy_stays_out_of_the_grammar_lint() -> None:
    text = 'section s {\n    string a required default ""\n}\n'
    p = apl.parse_apl(text)
    assert apl.grammar_lint(p) == []
    assert "s.a: required, but its default is empty" in apl.lint(p)
    assert "s: no entry in the text table" in apl.lint(p)


def test_group_macros_anonymous_messages_and_include_directive() -> None:
    text = (
        '#include "f5.apl_common"\n'
        "define row addr_port {\n"
        '    string addr validator "IpAddress"\n'
        '    string port validator "PortNumber" default "80"\n'
        "}\n"
        "define section notes_section {\n"
        '    message "Free text below."\n'
        "    string note\n"
        "}\n"
        "section vs {\n"
        "    addr_port listen\n"
        "    noyes redirect\n"
        "}\n"
        "notes_section notes\n"
    )
    p = apl.parse_apl(text)
    assert [".".join(f.path) for f in p.fields] == [
        "vs.listen.addr",
        "vs.listen.port",
        "vs.redirect",
        "notes.note",
    ]
    assert p.sections == ["vs", "notes"] and p.includes == ['"f5.apl_common"'[1:-1]]
    assert {f.variable for f in p.fields} >= {"vs__listen__addr", "notes__note"}
    assert apl.grammar_lint(p) == []


def test_unqualified_names_resolve_in_the_same_row_first() -> None:
    text = (
        "section s {\n"
        "    row r {\n"
        '        choice on { "Yes", "No" }\n'
        '        optional ( on == "Yes" ) {\n'
        "            string detail\n"
        "        }\n"
        "    }\n"
        "}\n"
    )
    assert apl.grammar_lint(apl.parse_apl(text)) == []
    assert apl.grammar_lint(apl.parse_apl(text.replace('== "Yes" )', '== "Si" )'))) == [
        (5, "s.r.detail: optional ( on == \"Si\" ) compares with 'Si', not a choice of s.r.on")
    ]


# --- the .tmpl file --------------------------------------------------------------------------


def test_other_objects_before_and_after_the_template() -> None:
    text = (FIXTURES / "tmpl" / "clean-f5-style.tmpl").read_text()
    tmpl = read_template(text)
    assert tmpl.name == "/Common/web_app.v1.2"
    assert [o.words for o in tmpl.objects] == [
        ("cli", "script", "/Common/lib_util.v1"),
        ("cli", "script", "/Common/lib_after.v1"),
    ]
    assert "proc monitor_names" in tmpl.objects[0].body
    lines = text.split("\n")
    assert lines[tmpl.section_lines["implementation"] - 1].endswith("implementation {")
    assert lines[tmpl.section_lines["implementation"]].startswith("tmsh::include")
    with pytest.raises(TmplError, match="unexpected top-level object"):
        parse_template(text)  # etherip's own templates hold nothing but cli admin-partitions


def test_escaped_brace_inside_a_quoted_string_follows_tcl() -> None:
    section = 'set open "\\{"\nputs "$open"\n'
    assert brace_problems("implementation", section) == []  # Tcl: an escaped brace does not count
    assert brace_policy("implementation", section) != []  # etherip's own rule is stricter
    quoted = 'set x "{"\nputs $x\n'  # Tcl counts a brace inside quotes within braces
    assert brace_problems("implementation", quoted) == [
        "implementation: line 1: '{' never closed (1 open at the end)"
    ]
    assert brace_problems("implementation", "# }\nputs {\n") != []


def test_tmsh_text_has_no_tcl_substitution() -> None:
    text = (FIXTURES / "tmpl" / "clean-f5-style.tmpl").read_text()
    text = text.replace('description "A web application', 'description "A web app [see $HOME')
    assert read_template(text).attributes["description"].startswith("A web app [see $HOME")


def test_tmpl_errors_carry_a_line() -> None:
    with pytest.raises(TmplError) as exc:
        read_template(
            "sys application template /Common/x {\n    actions {\n        definition {\n            presentation { }\n        }\n    }\n}\n"
        )
    assert "no implementation" in str(exc.value) and exc.value.line == 3
    with pytest.raises(TmplError) as exc2:
        read_template("sys application template /Common/x {\n    bogus 1\n}\n")
    assert exc2.value.line == 2


# --- Tcl 8.4 scan ------------------------------------------------------------------------------

NOT_85 = {
    "max( in a braced string": "set msg {use max(a,b) here}\nputs $msg\n",
    "words in a comment": "# dict lassign try {*} $x in $l max(\nputs hi\n",
    "comment after a semicolon": "set a 1 ;# dict create x\n",
    "8.5 words in a quoted string": 'puts "max(1,2) dict lassign in ni"\n',
    "in as a list element": "foreach w {in ni} { puts $w }\n",
    "a braced proc body string": "set help {\n    lsearch -nocase is 8.5\n}\n",
    "8.4 options": "lsearch -exact -all $l x\nlsort -unique -dictionary $l\nclock format [clock seconds]\n",
    "string is integer": "string is integer -strict $x\n",
    "info exists": "info exists ::x\n",
    "dict as a value": "set kind dict\ntmsh::create ltm pool $kind\n",
}

IS_85 = {
    "lsearch -nocase": ("lsearch -nocase $l x\n", "lsearch -nocase"),
    "lsort -nocase": ("set x [lsort -nocase $l]\n", "lsort -nocase"),
    "clock milliseconds": ("set t [clock milliseconds]\n", "clock milliseconds"),
    "clock microseconds": ("set t [clock microseconds]\n", "clock microseconds"),
    "string is list": ("if {[string is list $x]} { puts y }\n", "string is list"),
    "info frame": ("proc p {} {\n    return [info frame]\n}\n", "info frame"),
    "lsearch -bisect": ("lsearch -bisect $l 3\n", "lsearch -bisect"),
    "lsort -stride": ("lsort -stride 2 $l\n", "lsort -stride"),
    "lsearch -index": ("lsearch -index 0 $l x\n", "lsearch -index"),
    "dict": ("proc p {} {\n    dict create a b\n}\n", "(dict)"),
    "lassign": ("foreach x $l {\n    lassign $x a b\n}\n", "(lassign)"),
    "lrepeat": ("set l [lrepeat 3 x]\n", "(lrepeat)"),
    "lreverse": ("set l [lreverse $l]\n", "(lreverse)"),
    "lmap": ("lmap x $l {set x}\n", "(lmap)"),
    "apply": ("apply {x {set x}} 1\n", "(apply)"),
    "try": ("try {\n    puts a\n} finally {\n    puts b\n}\n", "(try)"),
    "throw": ("if {$x} { throw ERR oops }\n", "(throw)"),
    "chan": ("catch {chan names}\n", "(chan)"),
    "expansion": ("tmsh::create {*}$args\n", "{*}"),
    "in": ("if {$x in $l} { puts y }\n", "in operator"),
    "ni": ("while {$x ni $l} { break }\n", "ni operator"),
    "min(": ("set y [expr {min($a, 1)}]\n", "min()"),
    "max( in a condition": ("if {max($a,$b) > 1} { puts y }\n", "max()"),
    "**": ("set y [expr {2 ** 8}]\n", "**"),
    "0b literal": ("set y [expr {0b101 + 1}]\n", "0b binary"),
    "return -options": ("proc p {} {\n    return -options {} x\n}\n", "return -options"),
    "switch -matchvar": ("switch -regexp -matchvar m -- $x {\n    a { puts $m }\n}\n", "switch -matchvar"),
    "8.5 in a switch body": ("switch -- $x {\n    a { lassign $l q r }\n    default {}\n}\n", "(lassign)"),
    "8.5 in a flat switch": ("switch -exact $x a { puts a } b {\n    lassign $l q r\n}\n", "(lassign)"),
    "string reverse": ("set r [string reverse $s]\n", "string reverse"),
    "clock add": ("set t [clock add $t 1 day]\n", "clock add"),
    "8.5 in a quoted substitution": ('puts "[dict get $d a]"\n', "(dict)"),
    "else at the start of a line": ("if {1} {\n    puts a\n}\nelse {\n    puts b\n}\n", "else/elseif"),
    "}{": ("if {1}{puts a}\n", "'}{'"),
    "F5 expr word": ('if {$uri starts_with "/api"} { puts y }\n', "starts_with"),
}


@pytest.mark.parametrize("name", sorted(NOT_85))
def test_no_false_positive(name: str) -> None:
    assert scan(NOT_85[name]) == []


@pytest.mark.parametrize("name", sorted(IS_85))
def test_catches_85_constructs(name: str) -> None:
    code, phrase = IS_85[name]
    found = scan(code)
    assert len(found) == 1 and phrase in found[0], found


def test_scan_reports_the_line() -> None:
    (finding,) = scan("set a 1\n# lassign in a comment\nproc p {} {\n    puts ok\n    lassign {1 2} x y\n}\n")
    assert finding.startswith("implementation line 5: an 8.5+ command (lassign)")


def test_parser_follows_the_dodekalogue() -> None:
    script = parse('set a {x "y} ;# c\nputs "a;b [list 1 \\] 2]" ; # not code\nset b c\\\n d\n')
    assert [[w.text for w in c.words] for c in script.commands] == [
        ["set", "a", 'x "y'],
        ["puts", "a;b [list 1 \\] 2]"],
        ["set", "b", "c", "d"],
    ]
    assert len(script.comments) == 2
    for bad in ('puts "a"b', "puts {a}b", "puts [list a", 'puts "a', "puts {a"):
        with pytest.raises(TclSyntaxError):
            parse(bad)


# --- etherip check FILE.tmpl ----------------------------------------------------------------


def test_lint_clean_f5_style_template() -> None:
    assert lint_text((FIXTURES / "tmpl" / "clean-f5-style.tmpl").read_text()) == []


def test_lint_uses_the_apl_script_in_the_same_file() -> None:
    text = (FIXTURES / "tmpl" / "apl-script-library.tmpl").read_text()
    assert read_template(text).objects[0].words == (
        "sys",
        "application",
        "apl-script",
        "/Common/site_apl_common",
    )
    assert lint_text(text) == []
    broken = text.replace('default "No"\n    ssl_row', 'default "Maybe"\n    ssl_row').replace(
        'display "large"', 'display "huge"'
    )
    assert [(f.line, f.message) for f in lint_text(broken)] == [
        (12, "general.logging: default 'Maybe' is not one of its choices"),
        (
            36,
            "sys application apl-script /Common/site_apl_common: define ssl_section.note: unknown display size 'huge'",
        ),
    ]


def test_lint_findings_are_located() -> None:
    found = [
        (f.line, f.check, f.message.split(":")[0])
        for f in lint_text((FIXTURES / "tmpl" / "findings.tmpl").read_text())
    ]
    assert found == [
        (3, "tcl84", "cli script /Common/lib_bad"),
        (11, "tcl84", "implementation"),
        (12, "tcl84", "implementation"),
        (15, "tcl84", "implementation"),
        (19, "apl", "main.hosts"),
        (20, "apl", "main.port"),
        (21, "apl", "main.mode"),
        (22, "tcl84", "presentation tcl body"),
        (24, "apl", "main.extra"),
    ]


def test_cli_check_tmpl(tmp_path: Path) -> None:
    runner = CliRunner()
    clean = runner.invoke(app, ["check", str(FIXTURES / "tmpl" / "clean-f5-style.tmpl")])
    assert clean.exit_code == 0, clean.stderr
    dirty = runner.invoke(app, ["check", str(FIXTURES / "tmpl" / "findings.tmpl")])
    assert dirty.exit_code == 1
    lines = dirty.stderr.strip().split("\n")
    assert len(lines) == 9
    assert lines[1] == (
        f"{FIXTURES / 'tmpl' / 'findings.tmpl'}:11: error: tcl84: implementation: an 8.5+ option (lsort -nocase): "
        "set hosts [lsort -nocase $::main__hosts]"
    )
    missing = runner.invoke(app, ["check", str(tmp_path / "none.tmpl")])
    assert missing.exit_code == 2 and "no such file" in missing.stderr
    broken = tmp_path / "broken.tmpl"
    broken.write_bytes(b"sys application template /Common/x {\n    actions {\n\x1b[2J\n")
    out = runner.invoke(app, ["check", str(broken)])
    assert out.exit_code == 1 and "\x1b" not in out.stderr
    assert out.stderr.startswith(f"{broken}:1: error: structure: ")
    latin = tmp_path / "latin.tmpl"
    latin.write_bytes(b"# caf\xe9\n")
    assert runner.invoke(app, ["check", str(latin)]).exit_code == 1


def test_every_pinned_template_lints_clean() -> None:
    """The templates of every pinned version, whole (golden/ shows their Tcl once)."""
    templates = [
        (f"{v.value}/{case}/{a.path}", a.content.decode())
        for v in pinned_versions()
        for case in CASES
        for a in tree(case, v).artifacts
        if a.kind == "iapp-template"
    ]
    assert templates
    for where, text in templates:
        assert lint_text(text) == [], where


def test_deep_nesting_is_a_finding_not_a_crash() -> None:
    assert scan("if {1} {" * 3000 + "}" * 3000) == [
        "implementation line 1: scripts nested too deeply to check: "
    ]
    with pytest.raises(apl.AplError, match="nested too deeply"):
        apl.parse_apl("section s {" + 'optional ( a == "b" ) {' * 3000 + "}" * 3001)


# --- F5's own template styles (issue 18) -----------------------------------------------------


def test_choices_from_the_text_table() -> None:
    text = (FIXTURES / "apl" / "15-choices-from-text-and-hidden-fields.apl").read_text()
    fields = _fields(text)
    assert fields["pool.lb_method"].choices == ("round-robin", "least-connections-member")
    assert fields["pool.monitors"].choices == ("http", "tcp", "gateway_icmp")
    assert fields["pool.lb_method"].choices_from_text
    wrong = text.replace('choice lb_method default "round-robin"', 'choice lb_method default "ratio"')
    assert apl.grammar_lint(apl.parse_apl(wrong)) == [
        (11, "pool.lb_method: default 'ratio' is not one of its choices")
    ]
    none = 'section s {\n    choice c\n}\ntext {\n    s "S"\n    s.c "C"\n}\n'
    assert apl.grammar_lint(apl.parse_apl(none)) == [
        (2, "s.c: a choice with no choices: none inline, no tcl { ... }, none in the text table")
    ]


def test_conditions_may_name_a_message_or_a_section() -> None:
    text = (FIXTURES / "apl" / "15-choices-from-text-and-hidden-fields.apl").read_text()
    assert apl.grammar_lint(apl.parse_apl(text)) == []
    typo = text.replace('optional ( hello == "NEVER_SHOW_THIS" )', 'optional ( helo == "NEVER_SHOW_THIS" )')
    assert apl.grammar_lint(apl.parse_apl(typo)) == [
        (7, "intro.hidden_note: optional ( helo == \"NEVER_SHOW_THIS\" ) names unknown field 'helo'")
    ]


def test_the_tcl_scan_goes_on_after_a_syntax_error() -> None:
    found = [
        (f.line, f.severity, f.message.split(": ")[1])
        for f in lint_text((FIXTURES / "tmpl" / "recovers.tmpl").read_text())
    ]
    assert found == [
        (8, "warning", "'}{' with no space (F5 accepts it, stock Tcl does not)"),
        (13, "error", "Tcl syntax error"),
        (14, "error", "an 8.5+ command (lassign)"),
        (15, "error", "an 8.5+ subcommand (clock milliseconds)"),
    ]


@pytest.mark.parametrize("name", ["f5.style.tmpl", "exported.iapp", "template.tmpl.tcl", "no-extension"])
def test_any_file_named_is_a_template_and_only_errors_fail(name: str, tmp_path: Path) -> None:
    runner = CliRunner()
    warned = tmp_path / name
    warned.write_text(
        (FIXTURES / "tmpl" / "clean-f5-style.tmpl").read_text().replace('"Yes"} {', '"Yes"}{', 1)
    )
    result = runner.invoke(app, ["check", str(warned)])
    assert result.exit_code == 0, result.stderr
    assert ": warning: tcl84: " in result.stderr and "1 warning(s)" in result.stdout
    assert runner.invoke(app, ["check", "--strict", str(warned)]).exit_code == 1
    failing = tmp_path / f"bad-{name}"
    failing.write_text((FIXTURES / "tmpl" / "recovers.tmpl").read_text())
    result = runner.invoke(app, ["check", str(failing)])
    assert result.exit_code == 1 and "3 error(s), 1 warning(s)" in result.stdout
