"""A unit's saved configuration, read stanza by stanza and normalised for the checks.

Reading is in two steps, both etherip's own and independent of the tmsh reader that proves
etherip's output (generator/proof/tmsh/): `stanzas.split` finds every top-level stanza in one
linear pass by the format's rules (iRule bodies are one Tcl braced word, never read as
configuration) and keeps the header line of each; only the stanza kinds the checks read
(KINDS) are kept, and their properties are parsed (`properties.parse_body`) when a check first
looks at them. This module then normalises: object names with and without `/Common/`,
route-domain suffixes (`%0`), VLAN interface forms (`1.1 { }`, `1.1 { tagged }`, `1.1 {
untagged }`), `allow-service` as a word or a list, and pool monitor rules (`a and b`,
`min 1 of { a b }`). A kind and name saved twice is a note; the later stanza is the one read.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from ipaddress import IPv4Address, IPv4Interface, IPv4Network
from typing import Any

from generator import bigip
from generator.proof.precheck.properties import PropertyError, parse_body
from generator.proof.precheck.sources import SavedConfigError, SavedFile, SavedSource
from generator.proof.precheck.stanzas import RawStanza, StanzaError, split

PARTITION = bigip.PARTITION
# The stanza kinds the checks read, as header words (with `sys global-settings`: 19 kinds).
KINDS = (
    "net ipsec traffic-selector",
    "net ipsec ipsec-policy",
    "net ipsec ike-peer",
    "net tunnels tunnel",
    "sys file ssl-cert",
    "sys file ssl-key",
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
_KIND_WORDS = {tuple(k.split()): k for k in (*KINDS, GLOBAL_SETTINGS)}
# The two parts of a saved configuration; findings about a missing object name the part they need.
BASE, USER = ("base",), ("user",)  # bigip_base.conf (network, device), bigip.conf (ltm, routes)
_BASE_KINDS = frozenset(
    {("net", "interface"), ("net", "vlan"), ("net", "self"), ("cm", "device"), ("sys", "global-settings")}
)


@dataclass(frozen=True)
class Where:
    file: str
    line: int | None

    def __str__(self) -> str:
        return f"{self.file}:{self.line}" if self.line else self.file


class Stanza:
    """One saved stanza of a checked kind. Its properties are parsed when first asked for;
    `problem` then says why they could not be read (the body is then empty)."""

    __slots__ = ("_body", "_file", "_raw", "kind", "name", "problem", "subtype")

    def __init__(self, kind: str, name: str, subtype: str, file: SavedFile, raw: RawStanza) -> None:
        self.kind, self.name, self.subtype = kind, name, subtype
        self._file, self._raw = file, raw
        self._body: Mapping[str, Any] | None = None
        self.problem: str | None = None

    @property
    def where(self) -> Where:
        return Where(self._file.display, self._raw.line)

    @property
    def body(self) -> Mapping[str, Any]:
        if self._body is None:
            text = self._file.data[self._raw.start : self._raw.end].decode("utf-8", errors="replace")
            try:
                self._body = parse_body(text, one_line=self._raw.one_line)
            except (PropertyError, RecursionError) as exc:
                self._body, self.problem = {}, str(exc)
        return self._body

    @property
    def readable(self) -> bool:
        self.body  # noqa: B018  (parses it)
        return self.problem is None

    @property
    def parsed(self) -> bool:
        return self._body is not None


@dataclass(frozen=True)
class Unread:
    """Something of a checked kind that could not be read, or a note about the file's stanzas."""

    what: str
    where: Where
    reason: str


@dataclass(frozen=True)
class VersionLine:
    version: str
    where: Where


@dataclass
class SavedConfig:
    """A unit's stanzas of the checked kinds. They are kept as found until a check asks for a
    kind (`of`) or an object (`get`): a kind is indexed by name when first asked for (a name
    saved twice is a duplicate; the later stanza counts), and a `Stanza` is made for what is
    looked at, so the thousands of pools of a large unit cost one index entry each."""

    source: SavedSource
    versions: list[VersionLine] = field(default_factory=list)
    unread: list[Unread] = field(default_factory=list)
    parts: set[str] = field(default_factory=set)  # "base", "user": which parts the files hold
    memo: dict[str, Any] = field(default_factory=dict)  # views the checks compute once
    found: dict[str, list[tuple[RawStanza, SavedFile]]] = field(default_factory=dict)
    _index: dict[str, dict[str, tuple[RawStanza, SavedFile, str]]] = field(default_factory=dict)
    _made: dict[tuple[str, str], Stanza] = field(default_factory=dict)
    _duplicates: list[Unread] = field(default_factory=list)

    def of(self, kind: str) -> dict[str, Stanza]:
        return {name: self._make(kind, name, entry) for name, entry in self._indexed(kind).items()}

    def get(self, kind: str, name: str) -> Stanza | None:
        entry = self._indexed(kind).get(name)
        return None if entry is None else self._make(kind, name, entry)

    @property
    def duplicates(self) -> list[Unread]:
        for kind in self.found:
            self._indexed(kind)
        return self._duplicates

    def unreadable_bodies(self) -> Iterator[Stanza]:
        """The stanzas a check looked at whose properties could not be read."""
        return (s for s in self._made.values() if s.parsed and s.problem is not None)

    def _indexed(self, kind: str) -> dict[str, tuple[RawStanza, SavedFile, str]]:
        index = self._index.get(kind)
        if index is None:
            index = self._index[kind] = {}
            for raw, saved in self.found.get(kind, ()):
                name, subtype = _name(kind, raw.words)
                earlier = index.get(name)
                if earlier is not None:
                    where, before = Where(saved.display, raw.line), Where(earlier[1].display, earlier[0].line)
                    self._duplicates.append(
                        Unread(
                            " ".join(raw.words),
                            where,
                            f"saved twice (also at {before}); the later one is read",
                        )
                    )
                index[name] = (raw, saved, subtype)
        return index

    def _make(self, kind: str, name: str, entry: tuple[RawStanza, SavedFile, str]) -> Stanza:
        stanza = self._made.get((kind, name))
        if stanza is None:
            raw, saved, subtype = entry
            stanza = self._made[(kind, name)] = Stanza(kind, name, subtype, saved, raw)
        return stanza


def object_path(name: str) -> str:
    """`external`, `/Common/external` and `"/Common/external"` → `/Common/external`."""
    name = name.strip().strip('"')
    return name if name.startswith("/") else f"{PARTITION}/{name}"


def bare_name(name: str) -> str:
    """Interfaces and trunks have no partition: `/Common/trunk_wan` → `trunk_wan`."""
    name = name.strip().strip('"')
    return name[len(PARTITION) + 1 :] if name.startswith(f"{PARTITION}/") else name


def unquote(value: Any) -> str:
    """A property's text: a quoted string without its quotes and backslash escapes."""
    if not isinstance(value, str):
        return ""
    text = value.strip()
    if len(text) >= 2 and text[0] == '"' and text[-1] == '"':
        return re.sub(r"\\(.)", r"\1", text[1:-1], flags=re.DOTALL)
    return text


def parse_saved(source: SavedSource) -> SavedConfig:
    config = SavedConfig(source)
    for saved in source.files:
        _add_file(config, saved)
    for note in source.notes:
        config.unread.append(Unread("archive", Where(source.display, None), note))
    return config


_WANTED_PAIRS = frozenset((words[0], words[1]) for words in _KIND_WORDS)


def _add_file(config: SavedConfig, saved: SavedFile) -> None:
    try:
        found = split(saved.data, _WANTED_PAIRS)
    except StanzaError as exc:
        raise SavedConfigError(f"{saved.display}:{exc.line}", str(exc)) from None
    if found.version is not None:
        config.versions.append(VersionLine(found.version[0], Where(saved.display, found.version[1])))
    if not found.kinds:
        if saved.role == "partition":
            return  # an empty partition (only the #TMSH-VERSION line) is normal
        raise SavedConfigError(saved.display, "no configuration stanzas found")
    config.parts.update(_parts(saved, found.kinds))
    for raw in found.stanzas:
        kind = _kind_of(raw.words)
        if kind is not None:
            config.found.setdefault(kind, []).append((raw, saved))
    if found.stray_count:
        lines = ", ".join(str(n) for n in found.strays)
        more = (
            f" and {found.stray_count - len(found.strays)} more"
            if found.stray_count > len(found.strays)
            else ""
        )
        config.unread.append(
            Unread(
                "lines",
                Where(saved.display, found.strays[0]),
                f"line(s) {lines}{more} outside any stanza (not a header, comment or blank line); not read",
            )
        )


_BARE_KINDS = frozenset({"net interface", "net trunk", "sys db"})
_COMMON = f"{PARTITION}/"


def _name(kind: str, header: tuple[str, ...]) -> tuple[str, str]:
    """The normalised name and (monitors) type of a stanza, from its header words."""
    words = header[_KIND_SIZE[kind] :]
    subtype = ""
    if kind == "ltm monitor" and words:
        subtype, words = words[0], words[1:]
    text = words[0] if len(words) == 1 else " ".join(words)
    if kind in _BARE_KINDS:
        return bare_name(text), subtype
    if kind == GLOBAL_SETTINGS:
        return "", subtype
    return (text if text.startswith(_COMMON) else object_path(text)), subtype


_KIND_SIZE = {kind: len(kind.split()) for kind in (*KINDS, GLOBAL_SETTINGS)}


def _parts(saved: SavedFile, kinds: set[tuple[str, ...]]) -> set[str]:
    """Which parts a file holds: by its name, or for a single saved file by what it holds.
    Partition files add objects but never stand in for /Common's bigip_base.conf or bigip.conf."""
    if saved.role == "partition":
        return set()
    if saved.role != "full":
        return {saved.role}
    held: set[str] = set()
    if kinds & _BASE_KINDS:
        held.update(BASE)
    if any(k[:1] == ("ltm",) for k in kinds):
        held.update(USER)
    return held


def _kind_of(words: tuple[str, ...]) -> str | None:
    for size in (3, 2):
        kind = _KIND_WORDS.get(words[:size])
        if kind is not None and (len(words) > size or kind == GLOBAL_SETTINGS):
            return kind
    return None


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
