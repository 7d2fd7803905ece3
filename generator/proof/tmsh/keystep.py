"""Reading the IPsec key step (`NN-ike-peer.sh`) without running it, and every step file by kind.

The key step is a bash subshell the operator pastes once: it reads the pre-shared key twice with
`IFS= read -r -s` (nothing echoed, nothing stripped), refuses a key outside a fixed character
set, refuses to run twice (the peer exists), and only then runs one `tmsh create net ipsec
ike-peer … preshared-key "$EIP_PSK"`; it removes the tmsh history lines naming preshared-key and
counts the audit lines holding the key. Being a subshell, whatever stops it (Ctrl-C included),
the key dies with it. This reader follows bash's words (Python's shlex in POSIX mode: quotes
removed, nothing expanded) and refuses what would make the block unsafe:

- anything after the closing `)` (bash would read it as the key: pasted text is the terminal's
  input once `read` runs), or a block that is not one `( … )` subshell after the comments;
- a line naming the key that is not one of the five known forms (the comparison of the two
  entries, the negated form test in the C locale, the create with the double-quoted variable
  once, the same test guarding the audit count, the count itself with the key on a pipe): so
  never an echo, a second argument, an assignment or a redirection of it;
- tracing, export or declare anywhere; no history clean-up;
- a key form that admits a character tmsh or Tcl give a meaning to (space, quotes, braces,
  brackets, backslash, `$`, `;`, `#` …) or a leading sign: the key reaches tmsh as one plain word;
- the create before the key-form test, or a tmsh command outside the emitted subset
  (generator/proof/tmsh/script.py).

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
_FORM = re.compile(r"EIP_KEY_FORM='\^\[([^\]]+)\]\[([^\]]+)\]\{(\d+),(\d+)\}\$'")


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
    if not lines or lines[-1] != ")":
        raise ScriptError(
            len(lines), "the key step must end with the line ')': anything after it is read as the key"
        )
    _check_form(lines)
    body = lines[body_start : len(lines) - 1]
    for offset, line in enumerate(body):
        if _FORBIDDEN.search(line):
            raise ScriptError(
                body_start + offset + 1, "the key step may not trace, export or declare variables"
            )
    commands, reads = _body_commands(lines, body_start)
    if reads != 2:
        raise ScriptError(body_start, "the key step reads the key twice with `IFS= read -r -s` (no echo)")
    if not any(c.verb == "create" for c in commands):
        raise ScriptError(body_start, "the key step creates nothing")
    if not any(_HISTORY.fullmatch(line.strip()) for line in body):
        raise ScriptError(
            len(lines), "the key step does not remove the tmsh history lines naming preshared-key"
        )
    return commands


# The lines that may name the key, whole (after their indentation): the comparison of the two
# entries, the form test (negated, in the C locale) before the create, the same test guarding the
# audit count, the create itself (tmsh, the key double-quoted, once), and the count of audit lines
# holding it (the key given to grep on a pipe, never on a command line).
_COMPARE = re.compile(r'if \[ "\$EIP_PSK" != "\$EIP_PSK_AGAIN" \]; then')
_TEST = re.compile(r"elif ! \(LC_ALL=C; \[\[ \$EIP_PSK =~ \$EIP_KEY_FORM \]\]\); then")
_GUARD = re.compile(r"if \(LC_ALL=C; \[\[ \$EIP_PSK =~ \$EIP_KEY_FORM \]\]\); then")
_CREATE = re.compile(
    r'elif tmsh create net ipsec ike-peer /Common/[A-Za-z][\w.-]* [^$;&|<>`]* preshared-key "\$EIP_PSK"; then'
)
_AUDIT = re.compile(
    r"EIP_AUDIT=\$\(grep -c -F -f <\(printf '%s\\n' \"\$EIP_PSK\"\) /var/log/audit 2>/dev/null\)"
)
_READ = re.compile(r"IFS= read -r -s -p '[^'$]*' (EIP_PSK|EIP_PSK_AGAIN); echo")
_HISTORY = re.compile(r"sed -i '/preshared-key/d' ~/\.tmsh-history-\"\$\(id -un\)\" 2>/dev/null")
_FORBIDDEN = re.compile(
    r"\bset -[a-z]*x|\bset -o xtrace|\bexport\b|\bdeclare\b|\btypeset\b|\bBASH_XTRACEFD\b"
)
_REDIRECT = re.compile(r"\d?>/dev/null")


def _body_commands(lines: list[str], body_start: int) -> tuple[list[Command], int]:
    """The tmsh commands of the block's lines, and how many `IFS= read -r -s` lines it has."""
    commands: list[Command] = []
    tested = False
    reads = 0
    for number, line in enumerate(lines[body_start : len(lines) - 1], start=body_start + 1):
        text = line.strip()
        if _READ.fullmatch(text):
            reads += 1
            continue
        if KEY_VARIABLE in text:
            if _TEST.fullmatch(text):
                tested = True
            elif _CREATE.fullmatch(text):
                if not tested:
                    raise ScriptError(number, "the key is used before its form is tested")
            elif not (_COMPARE.fullmatch(text) or _GUARD.fullmatch(text) or _AUDIT.fullmatch(text)):
                raise ScriptError(
                    number,
                    "the key is named outside the comparison, the form test, the tmsh create and the audit count",
                )
        tokens = _tokens(number, line)
        for cmd_words in _tmsh_commands(tokens):
            if "preshared-key" in cmd_words and not _CREATE.fullmatch(text):
                raise ScriptError(
                    number, f'preshared-key must be "{KEY_WORD}" (the key read from the terminal)'
                )
            # bash hands tmsh the typed key, a word of the tested form: the model holds TYPED_KEY;
            # redirections to /dev/null are bash's, not tmsh's
            words = [TYPED_KEY if w == KEY_WORD else w for w in cmd_words if not _REDIRECT.fullmatch(w)]
            commands.append(parse_command(number, " ".join(words)))
    return commands, reads


def _block_start(lines: list[str]) -> int:
    """The index of the first line after `(`: only comments and blank lines may come before it."""
    for i, line in enumerate(lines):
        if not line.strip() or line.startswith("#"):
            continue
        if line != "(":
            raise ScriptError(i + 1, "the key step is one `( … )` subshell after its comments")
        return i + 1
    raise ScriptError(len(lines), "the key step has no `( … )` subshell")


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


def _check_form(lines: list[str]) -> None:
    """The key form is a first character that is a letter or digit, then a bracket of safe
    characters with bounds: nothing in it means anything to tmsh, and no key looks like an option."""
    for number, line in enumerate(lines, start=1):
        if line.startswith("EIP_KEY_FORM="):
            m = _FORM.fullmatch(line)
            if m is None:
                raise ScriptError(number, "the key form is not ^[first][rest]{min,max}$")
            first, rest = _expand(m.group(1)), _expand(m.group(2))
            bad = sorted((first | rest) & UNSAFE)
            if bad or not first <= _ALNUM or 1 + int(m.group(3)) < 16:
                raise ScriptError(
                    number, f"the key form admits {bad or 'keys under 16 characters or a leading sign'}"
                )
            return
    raise ScriptError(1, "the key step has no key form (EIP_KEY_FORM)")


_ALNUM = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")


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
