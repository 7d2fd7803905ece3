"""A unit's saved configuration, parsed by tmconfpy and normalised for the checks.

The parsing is tmconfpy's (PyPI `tmconfpy`, pinned in pyproject.toml; it gives a dict keyed by
stanza header, every value a string, nested blocks as dicts, `key { a b }` as lists). This module
only normalises its output: object names with and without `/Common/`, route-domain suffixes
(`%0`), VLAN interface forms (`1.1 { }`, `1.1 { tagged }`, `1.1 { untagged }`), `allow-service`
as a word or a list, and pool monitor rules (`a and b`, `min 1 of { a b }`).

tmconfpy gives no line numbers. Each stanza's line is found by one pass over the file that
indexes its top-level header lines (`net vlan /Common/x {`); findings cite that line.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from ipaddress import IPv4Address, IPv4Interface, IPv4Network
from typing import Any

from generator import bigip
from generator.proof.precheck.sources import SavedConfigError, SavedFile, SavedSource

PARTITION = bigip.PARTITION
MAX_INDENT = 256  # leading characters on a line; bounds tmconfpy's nesting work (64 levels)
# The stanza kinds the checks read, longest first so "net vlan-group" wins over "net vlan".
KINDS = (
    "net tunnels tunnel",
    "cm device-group",
    "net vlan-group",
    "net interface",
    "ltm monitor",
    "cm device",
    "net route",
    "net trunk",
    "net self",
    "net vlan",
    "ltm pool",
    "sys db",
)
GLOBAL_SETTINGS = "sys global-settings"
# The two parts of a saved configuration; findings about a missing object name the part they need.
BASE, USER = ("base",), ("user",)  # bigip_base.conf (network, device), bigip.conf (ltm, routes)
_BASE_KINDS = frozenset({"net interface", "net vlan", "net self", "cm device", GLOBAL_SETTINGS})
_VERSION = re.compile(r"#TMSH-VERSION:\s*(\S+)")
# A one-line stanza whose body is exactly one `key value` pair (`sys db x { value "enable" }`).
# tmconfpy reads only the multi-line form; this one case is unambiguous, so it is put on its own
# line first. Longer one-line bodies are not split (that would need a grammar): see `Unread`.
_ONE_PAIR = re.compile(
    r'^(\S[^{}"]*?) \{ ((?:"[^"\n]*"|[^\s{}"]+) (?:"[^"\n]*"|[^\s{}"]+)) \}[ \t]*$', re.MULTILINE
)
_PARSER_LOGGER = "tmconfpy.parser"


@dataclass(frozen=True)
class Where:
    file: str
    line: int | None

    def __str__(self) -> str:
        return f"{self.file}:{self.line}" if self.line else self.file


@dataclass(frozen=True)
class Stanza:
    kind: str  # one of KINDS or GLOBAL_SETTINGS
    name: str  # normalised: /Common/x for partitioned objects; bare for interfaces, trunks, db keys
    subtype: str  # the monitor type of `ltm monitor <type> <name>`, else ""
    body: Mapping[str, Any]
    where: Where
    readable: bool  # False: a one-line stanza whose body tmconfpy cannot read


@dataclass(frozen=True)
class Unread:
    """Something of a checked kind that the parser could not read."""

    what: str
    where: Where
    reason: str


@dataclass(frozen=True)
class VersionLine:
    version: str
    where: Where


@dataclass
class SavedConfig:
    source: SavedSource
    stanzas: dict[str, dict[str, Stanza]] = field(default_factory=dict)
    versions: list[VersionLine] = field(default_factory=list)
    unread: list[Unread] = field(default_factory=list)
    parts: set[str] = field(default_factory=set)  # "base", "user": which parts the files hold

    def of(self, kind: str) -> dict[str, Stanza]:
        return self.stanzas.get(kind, {})

    def get(self, kind: str, name: str) -> Stanza | None:
        return self.of(kind).get(name)


def object_path(name: str) -> str:
    """`external`, `/Common/external` and `"/Common/external"` → `/Common/external`."""
    name = name.strip().strip('"')
    return name if name.startswith("/") else f"{PARTITION}/{name}"


def bare_name(name: str) -> str:
    """Interfaces and trunks have no partition: `/Common/trunk_wan` → `trunk_wan`."""
    name = name.strip().strip('"')
    return name[len(PARTITION) + 1 :] if name.startswith(f"{PARTITION}/") else name


def unquote(value: Any) -> str:
    return value.strip().strip('"') if isinstance(value, str) else ""


def parse_saved(source: SavedSource) -> SavedConfig:
    config = SavedConfig(source)
    for saved in source.files:
        _add_file(config, saved)
    for note in source.notes:
        config.unread.append(Unread("archive", Where(source.display, None), note))
    return config


def _add_file(config: SavedConfig, saved: SavedFile) -> None:
    lines = saved.text.split("\n")
    headers = _header_lines(lines, saved.display)
    first = next((i for i, line in enumerate(lines, start=1) if line.strip()), None)
    match = _VERSION.match(lines[first - 1].strip()) if first else None
    if match:
        config.versions.append(VersionLine(match.group(1), Where(saved.display, first)))
    parsed, warnings = _parse(saved)
    if not parsed and saved.role == "partition":
        return  # an empty partition (only the #TMSH-VERSION line) is normal
    if not parsed:
        raise SavedConfigError(saved.display, "no configuration stanzas found")
    config.parts.update(_parts(saved, parsed))
    for key, body in parsed.items():
        header = key.split(" {", 1)[0].strip()
        where = Where(saved.display, headers.get(header))
        stanza = _stanza(header, body, where, readable=" {" not in key)
        if stanza is None:
            continue
        config.stanzas.setdefault(stanza.kind, {})[stanza.name] = stanza
        if not stanza.readable:
            reason = "one-line stanza: tmconfpy reads only the saved multi-line form; its body is not checked"
            config.unread.append(Unread(header, where, reason))
    for header, line in warnings:
        if _kind_of(header) is not None:
            config.unread.append(
                Unread(header, Where(saved.display, headers.get(header)), f"line not read: {line}")
            )


def _parts(saved: SavedFile, parsed: dict[str, Any]) -> set[str]:
    """Which parts a file holds: by its name, or for a single saved file by what it holds.
    Partition files add objects but never stand in for /Common's bigip_base.conf or bigip.conf."""
    if saved.role == "partition":
        return set()
    if saved.role != "full":
        return {saved.role}
    held: set[str] = set()
    if any(_kind_of(k.split(" {", 1)[0].strip()) in _BASE_KINDS for k in parsed):
        held.update(BASE)
    if any(k.startswith("ltm ") for k in parsed):
        held.update(USER)
    return held


def _header_lines(lines: list[str], display: str) -> dict[str, int]:
    """Top-level stanza header → its line number (first occurrence), in one pass."""
    index: dict[str, int] = {}
    for number, line in enumerate(lines, start=1):
        stripped = line.lstrip()
        if len(line) - len(stripped) > MAX_INDENT:
            raise SavedConfigError(
                f"{display}:{number}", f"nested deeper than {MAX_INDENT // 4} levels; refused"
            )
        if line[:1] in ("", " ", "\t", "#", "}") or "{" not in line:
            continue
        index.setdefault(line.split(" {", 1)[0].split("{", 1)[0].strip(), number)
    return index


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.items: list[tuple[str, str]] = []

    def emit(self, record: logging.LogRecord) -> None:
        args = record.args if isinstance(record.args, tuple) else ()
        if len(args) == 2 and "UNRECOGNIZED" in str(record.msg):
            self.items.append((str(args[0]), " ".join(str(args[1]).split())[:120]))


def _parse(saved: SavedFile) -> tuple[dict[str, Any], list[tuple[str, str]]]:
    from tmconfpy import Parser  # type: ignore[import-untyped]  # no type hints shipped

    logger = logging.getLogger(_PARSER_LOGGER)
    collect = _Collect()
    logger.addHandler(collect)
    propagate, logger.propagate = logger.propagate, False
    try:
        parsed = Parser(_ONE_PAIR.sub("\\1 {\n    \\2\n}", saved.text)).dict
    except (ValueError, IndexError, KeyError, AttributeError, TypeError, RecursionError) as exc:
        detail = " ".join(str(exc).split())[:160] or type(exc).__name__
        raise SavedConfigError(saved.display, f"tmconfpy could not parse it: {detail}") from None
    finally:
        logger.removeHandler(collect)
        logger.propagate = propagate
    if not isinstance(parsed, dict):
        raise SavedConfigError(saved.display, "tmconfpy returned no stanzas")
    return parsed, collect.items


def _kind_of(header: str) -> str | None:
    if header == GLOBAL_SETTINGS:
        return GLOBAL_SETTINGS
    return next((k for k in KINDS if header.startswith(k + " ")), None)


def _stanza(header: str, body: Any, where: Where, readable: bool) -> Stanza | None:
    kind = _kind_of(header)
    if kind is None:
        return None
    rest = header[len(kind) :].strip()
    subtype = ""
    if kind == "ltm monitor":
        subtype, _, rest = rest.partition(" ")
    if kind in ("net interface", "net trunk", "sys db"):
        name = bare_name(rest)
    elif kind == GLOBAL_SETTINGS:
        name = ""
    else:
        name = object_path(rest)
    return Stanza(kind, name, subtype, body if isinstance(body, dict) else {}, where, readable)


# --- normalised views of the stanzas the checks read ---------------------------------------


@dataclass(frozen=True)
class SavedAddress:
    interface: IPv4Interface
    route_domain: int


def parse_address(text: str) -> SavedAddress | None:
    """`10.1.1.1/24`, `10.1.1.1%0/24`, `10.1.1.1%2/24` → address and route domain; else None."""
    value = unquote(text)
    domain = 0
    if "%" in value:
        host, _, tail = value.partition("%")
        rd, _, prefix = tail.partition("/")
        if not rd.isdigit():
            return None
        domain, value = int(rd), f"{host}/{prefix}" if prefix else host
    try:
        return SavedAddress(IPv4Interface(value), domain)
    except ValueError:
        return None


def parse_network(text: str) -> tuple[IPv4Network, int] | None:
    """A `net route` network: `default`, `default-inet`, `10.0.0.0/8`, `10.0.0.0%1/8`."""
    value = unquote(text)
    if value in ("default", "default-inet"):
        return IPv4Network("0.0.0.0/0"), 0
    address = parse_address(value)
    return (address.interface.network, address.route_domain) if address else None


def vlan_interfaces(body: Mapping[str, Any]) -> dict[str, bool]:
    """VLAN interfaces → tagged? `1.1 { }`, `1.1 { untagged }` and a bare `1.1` are untagged."""
    raw = body.get("interfaces")
    out: dict[str, bool] = {}
    if isinstance(raw, dict):
        for name, value in raw.items():
            out[bare_name(name)] = _flags(value).__contains__("tagged")
    elif isinstance(raw, list):  # `interfaces { 1.1 1.2 }` read as a list
        out.update((bare_name(n), False) for n in raw if n)
    return out


def _flags(value: Any) -> set[str]:
    if isinstance(value, dict):
        return set(value)
    if isinstance(value, list):
        return {str(v) for v in value}
    return set(str(value).split()) if isinstance(value, str) else set()


def vlan_tag(body: Mapping[str, Any]) -> int | None:
    text = unquote(body.get("tag"))
    return int(text) if text.isdigit() else None


def allow_service(body: Mapping[str, Any]) -> tuple[str, ...]:
    """`allow-service none|all|default` or a list (`{ default tcp:443 }`); absent means none."""
    raw = body.get("allow-service")
    if isinstance(raw, dict):
        return tuple(sorted(raw))
    if isinstance(raw, list):
        return tuple(sorted(str(v) for v in raw if v))
    return (unquote(raw),) if unquote(raw) else ("none",)


def names(raw: Any) -> tuple[str, ...]:
    """A block of names (`devices { /Common/a { } }`, `members { a b }`) → normalised paths."""
    if isinstance(raw, dict):
        return tuple(object_path(n) for n in raw)
    if isinstance(raw, list):
        return tuple(object_path(n) for n in raw if n)
    return ()


@dataclass(frozen=True)
class MonitorRule:
    """A pool's monitor rule: `a and b` (quorum 0 = all) or `min N of { a b }`."""

    monitors: frozenset[str]
    quorum: int  # 0: every monitor ("and"); N: min N of
    text: str

    @property
    def is_none(self) -> bool:
        return not self.monitors


def monitor_rule(body: Mapping[str, Any]) -> MonitorRule:
    for key, value in body.items():
        match = re.fullmatch(r"monitor min (\d+) of", key)
        if match:
            listed = frozenset(object_path(n) for n in _flags(value) if n)
            text = f"min {match.group(1)} of {{ {' '.join(sorted(listed))} }}"
            return MonitorRule(listed, int(match.group(1)), text)
    text = " ".join(unquote(body.get("monitor")).split())
    words = [w for w in text.split(" and ") if w and w != "none"]
    return MonitorRule(frozenset(object_path(w) for w in words), 0, text or "none")


def pool_min_active(body: Mapping[str, Any]) -> int:
    text = unquote(body.get("min-active-members"))
    return int(text) if text.isdigit() else 0  # absent: the default, 0


def hostnames(config: SavedConfig) -> Iterator[tuple[str, Where]]:
    """The saved hostname: `sys global-settings` first, then the `cm device` with self-device true."""
    settings = config.get(GLOBAL_SETTINGS, "")
    if settings is not None and unquote(settings.body.get("hostname")):
        yield unquote(settings.body.get("hostname")), settings.where
    for device in config.of("cm device").values():
        if unquote(device.body.get("self-device")) == "true" and unquote(device.body.get("hostname")):
            yield unquote(device.body.get("hostname")), device.where


def self_device(config: SavedConfig) -> Stanza | None:
    return next(
        (d for d in config.of("cm device").values() if unquote(d.body.get("self-device")) == "true"), None
    )


def db_value(config: SavedConfig, key: str) -> tuple[str, Where] | None:
    stanza = config.get("sys db", key)
    if stanza is None:
        return None
    return unquote(stanza.body.get("value")), stanza.where


def address_of(stanza: Stanza) -> SavedAddress | None:
    return parse_address(unquote(stanza.body.get("address")))


def in_network(address: str, network: IPv4Network) -> bool:
    return IPv4Address(address) in network
