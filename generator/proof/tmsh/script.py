"""A tmsh script as a list of parsed commands (the subset etherip emits).

`parse_script` splits a file into commands (a command may continue over lines while braces
are open), skips comments and blank lines, and parses each command into verb, object kind,
object path and properties. Anything outside the subset is an error naming its line.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from generator.bigip import CONFIG_KINDS, PARTITION
from generator.proof.tmsh.words import Block, Word, WordError, is_complete, parse_block, split_words

# Object kinds we emit, with the properties each may carry (generator/bigip.py; 11.6 only).
KINDS: dict[tuple[str, ...], frozenset[str]] = {k.words: k.all_properties for k in CONFIG_KINDS}
LIST_OPS = frozenset({"add", "replace-all-with", "delete"})
CONFIG_VERBS = frozenset({"create", "modify", "delete"})
OTHER_COMMANDS = {
    ("create", "cli", "transaction"): "begin",
    ("submit", "cli", "transaction"): "submit",
    ("save", "sys", "config"): "save",
}
PAGER_OFF = ("modify", "cli", "preference", "pager", "disabled", "display-threshold", "0")
BACKUP = ("save", "sys", "ucs")  # save sys ucs <name>: a backup, no configuration change
READ_VERBS = frozenset({"show", "list"})  # tmsh's display verbs: they never change the configuration
# `run util <name>` runs a program on the box; only these are known to change nothing. `bash`,
# `tmsh`, `imish` and every other utility are refused (a step file never needs them).
READ_ONLY_UTILITIES = frozenset({"ping"})


class ScriptError(ValueError):
    def __init__(self, line: int, message: str) -> None:
        super().__init__(f"line {line}: {message}")
        self.line = line


@dataclass(frozen=True)
class ListValue:
    op: str  # add | replace-all-with | delete
    items: Block


Value = str | ListValue | tuple[str, ...]


@dataclass(frozen=True)
class Command:
    line: int
    text: str
    verb: str  # create | modify | delete | begin | submit | save | sync | read | preference
    kind: tuple[str, ...] = ()
    name: str = ""
    props: dict[str, Value] = field(default_factory=dict)
    target: str = ""  # config-sync: the device group

    @property
    def key(self) -> tuple[tuple[str, ...], str]:
        return self.kind, self.name


def split_commands(text: str) -> list[tuple[int, str]]:
    """(first line number, command text) for each command; comments and blanks dropped."""
    commands: list[tuple[int, str]] = []
    buf: list[str] = []
    start = 0
    for number, line in enumerate(text.split("\n"), start=1):
        if not buf and (not line.strip() or line.lstrip().startswith("#")):
            continue
        if not buf:
            start = number
        buf.append(line)
        joined = "\n".join(buf)
        if is_complete(joined):
            commands.append((start, joined))
            buf = []
    if buf:
        raise ScriptError(start, "command is not complete at end of file (unbalanced brace or quote)")
    return commands


def parse_script(text: str) -> list[Command]:
    return [parse_command(line, cmd) for line, cmd in split_commands(text)]


def parse_command(line: int, text: str) -> Command:
    try:
        words = split_words(text)
    except WordError as exc:
        raise ScriptError(line, str(exc)) from None
    plain = tuple(w.text for w in words[:3])
    if plain in OTHER_COMMANDS:
        if len(words) != 3:
            raise ScriptError(line, f"unexpected words after {' '.join(plain)}")
        return Command(line, text, OTHER_COMMANDS[plain])
    if plain[:3] == ("run", "cm", "config-sync"):
        return _parse_sync(line, text, words)
    if tuple(w.text for w in words) == PAGER_OFF:
        return Command(line, text, "preference")
    if plain == BACKUP and len(words) == 4:
        return Command(line, text, "backup", target=words[3].text)
    if words and (words[0].text in READ_VERBS or plain[:2] == ("run", "util")):
        return _parse_read(line, text, words)
    if not words or words[0].text not in CONFIG_VERBS:
        raise ScriptError(line, f"command outside the emitted subset: {text.strip()[:60]!r}")
    return _parse_config(line, text, words)


def _parse_read(line: int, text: str, words: list[Word]) -> Command:
    """Only commands known to change nothing are reads: `show`/`list` (no pipe to anything
    else) and `run util` with a utility on READ_ONLY_UTILITIES."""
    if words[0].text == "run":
        utility = words[2].text if len(words) > 2 else ""
        if utility not in READ_ONLY_UTILITIES or words[2].braced or words[2].quoted:
            known = ", ".join(sorted(READ_ONLY_UTILITIES))
            raise ScriptError(
                line,
                f"run util {utility[:20]!r} is not a known read-only utility (only {known}): {text.strip()[:60]!r}",
            )
    elif any(w.text == "|" and not (w.braced or w.quoted) for w in words):
        raise ScriptError(line, f"a pipe in a read command is not read-only: {text.strip()[:60]!r}")
    return Command(line, text, "read")


def _parse_sync(line: int, text: str, words: list[Word]) -> Command:
    rest = [w.text for w in words[3:]]
    if len(rest) != 2 or rest[0] != "to-group":
        raise ScriptError(line, "expected: run cm config-sync to-group <device-group>")
    return Command(line, text, "sync", target=rest[1])


def _parse_config(line: int, text: str, words: list[Word]) -> Command:
    verb = words[0].text
    for kind, allowed in KINDS.items():
        n = len(kind)
        if tuple(w.text for w in words[1 : 1 + n]) == kind and len(words) > 1 + n:
            name = words[1 + n].text
            if not name.startswith(f"{PARTITION}/"):
                raise ScriptError(line, f"object {name!r} is not a full {PARTITION}/ path")
            props = _parse_props(line, words[2 + n :], allowed)
            if verb == "delete" and props:
                raise ScriptError(line, "delete takes no properties")
            return Command(line, text, verb, kind, name, props)
    raise ScriptError(line, f"unknown object kind in {text.strip()[:60]!r}")


def _parse_props(line: int, words: list[Word], allowed: frozenset[str]) -> dict[str, Value]:
    props: dict[str, Value] = {}
    i = 0
    try:
        while i < len(words):
            key = words[i].text
            if words[i].braced or words[i].quoted or key not in allowed:
                raise ScriptError(line, f"property {key!r} is not one etherip emits for this object")
            if key in props:
                raise ScriptError(line, f"property {key!r} given twice")
            value, i = _parse_value(key, words, i + 1)
            props[key] = value
    except (IndexError, WordError) as exc:
        raise ScriptError(line, f"malformed property list: {exc}") from None
    return props


def _parse_value(key: str, words: list[Word], i: int) -> tuple[Value, int]:
    word = words[i]
    if not word.braced and word.text in LIST_OPS and i + 1 < len(words) and words[i + 1].braced:
        return ListValue(word.text, parse_block(words[i + 1].text)), i + 2
    if word.braced:
        raise WordError(f"braced value for {key!r} without add/replace-all-with/delete")
    if key == "monitor":  # a rule: name [and name ...]
        names = [word.text]
        i += 1
        while i + 1 < len(words) and words[i].text == "and" and not words[i].braced:
            names.append(words[i + 1].text)
            i += 2
        return tuple(names), i
    return word.text, i + 1
