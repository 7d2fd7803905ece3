"""Reading the IPsec key step (`NN-ike-peer.sh`) without running it, and every step file by kind.

The key step is a bash block the operator pastes once: it reads the pre-shared key twice with
`read -r -s` (nothing echoed), refuses a key outside a fixed character set, and only then runs
one `tmsh create net ipsec ike-peer … preshared-key "$EIP_PSK"`. This reader follows bash's
words (Python's shlex in POSIX mode: quotes removed, nothing expanded) and refuses what would
make the block unsafe:

- anything after the closing `}` (bash would read it as the key: pasted text is the terminal's
  input once `read` runs), or a block that is not one `{ … }` group after the comments;
- a key from anywhere but `read -r -s` (an assignment, an argument), or a `preshared-key` whose
  value is anything but the double-quoted variable;
- a key form that admits a character tmsh or Tcl give a meaning to (space, quotes, braces,
  brackets, backslash, `$`, `;`, `#` …): the key must reach tmsh as one plain word;
- the create before the key-form test, a tmsh command outside the emitted subset
  (generator/proof/tmsh/script.py), or the variables left set at the end.

The tmsh commands it finds are returned for the replay; the key is modelled as `$EIP_PSK`, a
value the operator typed (the same on both sides, as the runbook asks [I]).
"""

from __future__ import annotations

import re
import shlex

from generator.proof.tmsh.replay import TYPED_KEY
from generator.proof.tmsh.script import Command, ScriptError, parse_command, parse_script

KEY_VARIABLE = "EIP_PSK"
KEY_WORD = f"${KEY_VARIABLE}"  # how the key step writes it (bash expands it before tmsh runs)
# Characters that mean something to tmsh's command line or to Tcl, or that bash would split on.
UNSAFE = frozenset(" \t\n\r\"'{}[]\\$;#&|<>`()*?!~%^,:@")
_SEPARATORS = frozenset({";", "&&", "||", "|", "&"})
_STARTS = frozenset({"if", "elif", "then", "else", "!"})
_FORM = re.compile(r"EIP_KEY_FORM='\^\[([^\]]+)\]\{(\d+),(\d+)\}\$'")


def parse_step(path: str, text: str) -> list[Command]:
    """The commands of a step file: a key step read as bash, any other as tmsh. A tmsh file
    never holds a pre-shared key."""
    if path.endswith(".sh"):
        return parse_key_step(text)
    commands = parse_script(text)
    for cmd in commands:
        if "preshared-key" in cmd.props:
            raise ScriptError(cmd.line, "a pre-shared key in a tmsh file: only the key step may set one")
    return commands


def parse_key_step(text: str) -> list[Command]:
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    body_start = _block_start(lines)
    if not lines or lines[-1] != "}":
        raise ScriptError(
            len(lines), "the key step must end with the line '}': anything after it is read as the key"
        )
    _check_form(lines)
    commands, read_twice = _body_commands(lines, body_start)
    if read_twice != 2:
        raise ScriptError(body_start, "the key step reads the key twice with `read -r -s` (no echo)")
    if not any(c.verb == "create" for c in commands):
        raise ScriptError(body_start, "the key step creates nothing")
    if not re.search(rf"^unset {KEY_VARIABLE} ", text, re.MULTILINE):
        raise ScriptError(len(lines), f"the key step leaves {KEY_VARIABLE} set")
    return commands


def _body_commands(lines: list[str], body_start: int) -> tuple[list[Command], int]:
    """The tmsh commands of the block's lines, and how many `read -r -s` lines it has."""
    commands: list[Command] = []
    tested = False
    reads = 0
    for number, line in enumerate(lines[body_start : len(lines) - 1], start=body_start + 1):
        if KEY_VARIABLE in line and re.search(rf"\b{KEY_VARIABLE}=", line):
            raise ScriptError(number, f"{KEY_VARIABLE} is assigned: only `read -r -s` may set the key")
        tokens = _tokens(number, line)
        if tokens[:3] == ["read", "-r", "-s"]:
            reads += 1
            continue
        tested = tested or ("=~" in tokens and KEY_WORD in tokens)
        for cmd_words in _tmsh_commands(tokens):
            if "preshared-key" in cmd_words:
                _check_key_use(number, line, cmd_words, tested)
            # bash hands tmsh the typed key, a word of the tested form: the model holds TYPED_KEY
            words = [TYPED_KEY if w == KEY_WORD else w for w in cmd_words]
            commands.append(parse_command(number, " ".join(words)))
        _check_key_mentions(number, line, tokens)
    return commands, reads


def _block_start(lines: list[str]) -> int:
    """The index of the first line after `{`: only comments and blank lines may come before it."""
    for i, line in enumerate(lines):
        if not line.strip() or line.startswith("#"):
            continue
        if line != "{":
            raise ScriptError(i + 1, "the key step is one `{ … }` block after its comments")
        return i + 1
    raise ScriptError(len(lines), "the key step has no `{ … }` block")


def _tokens(number: int, line: str) -> list[str]:
    lexer = shlex.shlex(line, posix=True, punctuation_chars=";&|")
    lexer.whitespace_split = True
    lexer.commenters = ""
    try:
        return list(lexer)
    except ValueError as exc:  # an unclosed quote
        raise ScriptError(number, f"not one bash line: {exc}") from None


def _tmsh_commands(tokens: list[str]) -> list[list[str]]:
    """The words of each `tmsh …` command on a line: `tmsh` at the start of a simple command."""
    found = []
    i = 0
    at_start = True
    while i < len(tokens):
        token = tokens[i]
        if token in _SEPARATORS:
            at_start = True
        elif at_start and token in _STARTS:
            pass
        elif at_start and token == "tmsh":
            j = i + 1
            while j < len(tokens) and tokens[j] not in _SEPARATORS:
                j += 1
            found.append(tokens[i + 1 : j])
            i = j
            continue
        else:
            at_start = False
        i += 1
    return found


def _check_key_mentions(number: int, line: str, tokens: list[str]) -> None:
    """The key goes nowhere but the comparison of the two entries, the form test and tmsh."""
    if f"${KEY_VARIABLE}" not in line and f"${{{KEY_VARIABLE}" not in line:
        return
    compared = tokens[:2] == ["if", "["] and "!=" in tokens
    tested = "=~" in tokens
    used = "preshared-key" in tokens and tokens[0] in ("elif", "if", "tmsh")
    if not (compared or tested or used):
        raise ScriptError(
            number, "the key is used outside the comparison, the form test and the tmsh command"
        )


def _check_key_use(number: int, line: str, words: list[str], tested: bool) -> None:
    at = words.index("preshared-key")
    if words[at + 1 : at + 2] != [KEY_WORD] or f'preshared-key "{KEY_WORD}"' not in line:
        raise ScriptError(number, f'preshared-key must be "{KEY_WORD}" (the key read from the terminal)')
    if not tested:
        raise ScriptError(number, "the key is used before its form is tested")


def _check_form(lines: list[str]) -> None:
    """The key form is a bracket of safe characters with bounds: nothing in it means anything to tmsh."""
    for number, line in enumerate(lines, start=1):
        if line.startswith("EIP_KEY_FORM="):
            m = _FORM.fullmatch(line)
            if m is None:
                raise ScriptError(number, "the key form is not ^[…]{min,max}$")
            admitted = _expand(m.group(1))
            bad = sorted(admitted & UNSAFE)
            if bad or int(m.group(2)) < 16:
                raise ScriptError(number, f"the key form admits {bad or 'keys under 16 characters'}")
            return
    raise ScriptError(1, "the key step has no key form (EIP_KEY_FORM)")


def _expand(bracket: str) -> frozenset[str]:
    """The characters a POSIX bracket expression (ranges, literals, a trailing -) admits in the C locale."""
    out: set[str] = set()
    i = 0
    while i < len(bracket):
        if i + 2 < len(bracket) and bracket[i + 1] == "-":
            out |= {chr(c) for c in range(ord(bracket[i]), ord(bracket[i + 2]) + 1)}
            i += 3
        else:
            out.add(bracket[i])
            i += 1
    return frozenset(out)
