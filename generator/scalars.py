"""Scalar types of the site file, parsed from the exact text the user wrote.

Each parser takes the composed text (see `generator.load`) and either returns a typed value
or raises ValueError with a message that says how to write the value correctly. Pydantic
wraps them as annotated types, so the model stays declarative.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from ipaddress import IPv4Address, IPv4Interface, IPv4Network
from typing import Annotated, Any

from pydantic import BeforeValidator

from generator.bigip import RESERVED_WORDS

# BIG-IP object names: letter first, then letters, digits, `_ . -` (project reference bigip-11.6-etherip.md §4 [I]).
_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_.-]*\Z")
RESERVED_NAMES = RESERVED_WORDS  # generator/bigip.py
NET_NAME_MAX = 15  # Linux interface names; Bug 470715 (K16019)
OBJECT_NAME_MAX = 63
MAX_RULE_MONITORS = 16  # monitors in one pool rule; bounds the iApp's answer
DEPLOYMENT_NAME_MAX = 24  # derived self IP names add up to 12 characters
_INTERFACE = re.compile(r"(?:[1-9][0-9]?/)?[1-9][0-9]?\.[1-9][0-9]?\Z")  # 1.2, 2.10, 1/1.1
_HOSTNAME_LABEL = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\Z")
_MAX_DIGITS = 18  # every number of a site file is far smaller; int() of thousands of digits is slow
_DECIMAL = re.compile(r"(?:0|[1-9][0-9]*)\Z")
_IPV4 = r"(?:[0-9]{1,3}\.){3}[0-9]{1,3}"
_SERVICE = re.compile(r"([a-z][a-z0-9-]{0,15}|[0-9]{1,3}):(any|0|[1-9][0-9]{0,4})\Z")
PORT_MAX = 65535
# Protocol names port lockdown entries may use: the ones F5's Ansible module passes to tmsh
# (bigip_selfip `allowed_protocols` [C]); any other protocol by its number.
LOCKDOWN_PROTOCOLS = frozenset(
    {"eigrp", "egp", "gre", "icmp", "igmp", "igp", "ipip", "l2tp", "ospf", "pim", "tcp", "udp"}
)
PORTED_PROTOCOLS = frozenset({"tcp", "udp", "6", "17"})
# Addresses no self IP, gateway or pool member may use: "this network" 0.0.0.0/8, loopback,
# multicast and class E (RFC 1122 §3.2.1.3, RFC 5771, RFC 1112 §4).
_UNUSABLE = (
    (IPv4Network("0.0.0.0/8"), "in 0.0.0.0/8 (this network)"),
    (IPv4Network("127.0.0.0/8"), "a loopback address"),
    (IPv4Network("224.0.0.0/4"), "a multicast address"),
    (IPv4Network("240.0.0.0/4"), "a class E (reserved) address"),
)
_LOCKDOWN_WORDS = ("none", "default", "all")
# Booleans as YAML 1.2 (and so the JSON Schema, and every YAML 1.1 tool) reads them unquoted.
_TRUE_FALSE = {"true": True, "True": True, "TRUE": True, "false": False, "False": False, "FALSE": False}
_YAML11_BOOLS = frozenset(
    {"yes", "no", "on", "off", "y", "n", "Yes", "No", "On", "Off", "YES", "NO", "ON", "OFF"}
)


class Quoted(str):
    """A scalar the site file wrote in quotes: text, never a number or a boolean. The JSON
    Schema sees the same, so `tag: "3001"` is refused by both (generator.validate marks these)."""

    __slots__ = ()


class Empty(str):
    """A key written with no value (`tag:`, `~`, `null`): refused, never taken as "absent"."""

    __slots__ = ()


def show(text: str, limit: int = 40) -> str:
    """A user value for an error message: quoted, escaped, and cut to `limit` characters."""
    if len(text) > limit:
        return repr(text[:limit]) + f"... ({len(text)} characters)"
    return repr(text)


def _scalar(value: Any, what: str) -> str:
    if value is None or isinstance(value, Empty):
        raise ValueError(f"missing value: write {what}")
    if not isinstance(value, str):
        kind = "list" if isinstance(value, list) else "mapping"
        raise ValueError(f"expected {what}, not a {kind}")  # noqa: TRY004 - pydantic reports ValueError
    return value


def _text(value: Any, what: str) -> str:
    """A text value. Unquoted `true`/`false` is a boolean to YAML and the JSON Schema: refused."""
    text = _scalar(value, what)
    if not isinstance(value, Quoted) and text in _TRUE_FALSE:
        raise ValueError(
            f"{text} without quotes is a boolean in YAML; expected {what} (quote it if you mean the text)"
        )
    return text


def _unquoted(value: Any, text: str, what: str) -> None:
    if isinstance(value, Quoted):
        raise ValueError(  # noqa: TRY004 - pydantic reports ValueError
            f"{show(text)} is in quotes, which makes it text; {what} is written without quotes"
        )


def parse_name(value: Any, max_len: int = OBJECT_NAME_MAX, what: str = "a name") -> str:
    text = _text(value, what)
    if not _NAME.match(text):
        raise ValueError(
            f"{show(text)} is not a valid BIG-IP object name: start with a letter, then use only letters, digits, '_', '.' and '-'"
        )
    if text.lower() in RESERVED_NAMES:
        raise ValueError(f"{show(text)} is a reserved word in tmsh; choose another name")
    if len(text) > max_len:
        raise ValueError(f"{show(text)} is {len(text)} characters; at most {max_len} allowed here")
    return text


def parse_net_name(value: Any) -> str:
    """VLAN, VLAN-group and tunnel names: at most 15 characters (Linux interface names)."""
    return parse_name(value, NET_NAME_MAX, "a VLAN, VLAN-group or tunnel name")


def parse_deployment(value: Any) -> str:
    return parse_name(value, DEPLOYMENT_NAME_MAX, "the deployment name")


def parse_hostname(value: Any) -> str:
    text = _text(value, "a device hostname")
    labels = text.split(".")
    if len(text) > 253 or not all(_HOSTNAME_LABEL.match(label) for label in labels):
        raise ValueError(
            f"{show(text)} is not a valid hostname: letters, digits and '-' in dot-separated labels, up to 253 characters"
        )
    return text


def is_physical_interface(name: str) -> bool:
    """slot.port (or blade/slot.port) rather than a trunk name."""
    return bool(_INTERFACE.match(name))


def parse_interface(value: Any) -> str:
    """A physical interface (`1.2`, `2.10`, `1/1.1` on VIPRION) or a trunk name."""
    text = _text(value, 'an interface such as "1.2" or a trunk name')
    if _INTERFACE.match(text):
        return text
    if re.fullmatch(r"[0-9./]+", text):
        raise ValueError(
            f'{show(text)} is not an interface name: write slot.port such as "1.2" or "2.10" (quote it)'
        )
    if text == "mgmt":
        raise ValueError(
            "'mgmt' is the management port: it cannot be a member of a VLAN; name a TMM interface such as \"1.1\" or a trunk"
        )
    return parse_name(value, OBJECT_NAME_MAX, "a trunk name")


def parse_tagging(value: Any) -> str:
    text = _text(value, "tagged or untagged")
    if text not in ("tagged", "untagged"):
        raise ValueError(f"{show(text)}: write tagged or untagged")
    return text


RETURN_PATHS = ("snat", "bigip_gateway")
PLATFORMS = ("appliance", "vcmp-guest", "f5os-tenant")
# IPsec choices (generator/ipsec.py says what each means and which releases take it).
IKE_VERSIONS = ("v1", "v2")
IPSEC_AUTH = ("psk", "certificate")
IPSEC_MODES = ("tunnel", "transport")
NAT_TRAVERSAL = ("off", "on", "force")
PHASE1_ENCRYPT = ("aes", "aes128", "aes192", "aes256", "3des")
PHASE1_HASH = ("sha1", "sha256", "sha384", "sha512")
DH_GROUPS = ("modp1024", "modp1536", "modp2048", "modp3072", "modp4096")
PFS_GROUPS = ("none", *DH_GROUPS)
PHASE2_ENCRYPT = ("aes128", "aes256", "aes-gcm128", "aes-gcm256")
PHASE2_AUTH = ("sha1", "sha256", "sha512")


@dataclass(frozen=True)
class Choice:
    """The parser of a field that takes one of `choices`; readers of the model (the JSON Schema,
    the iApp's limits: generator/limits.py) list the choices from here."""

    choices: tuple[str, ...]
    what: str

    def __call__(self, value: Any) -> str:
        choices = self.choices
        text = _text(value, " or ".join(choices))
        if text not in choices:
            raise ValueError(f"{show(text)}: write {', '.join(choices[:-1])} or {choices[-1]} ({self.what})")
        return text


def _choice(choices: tuple[str, ...], what: str) -> Choice:
    return Choice(choices, what)


def parse_bool(value: Any) -> bool:
    text = _scalar(value, "true or false")
    _unquoted(value, text, "true or false")
    if text in _TRUE_FALSE:
        return _TRUE_FALSE[text]
    if text in _YAML11_BOOLS:
        raise ValueError(f"{show(text)} is ambiguous in YAML; write true or false")
    raise ValueError(f"{show(text)}: write true or false")


def parse_int(value: Any) -> int:
    text = _scalar(value, "a whole number")
    _unquoted(value, text, "a number")
    if len(text) > _MAX_DIGITS and text.isdigit():
        raise ValueError(
            f"{show(text, 12)}: a number of {len(text)} digits is far above any value a site file takes"
        )
    if _DECIMAL.match(text):
        return int(text)
    if re.fullmatch(r"0[0-9]+", text):
        raise ValueError(f"{show(text)} has a leading zero (YAML may read it as octal); write {int(text)}")
    raise ValueError(f"{show(text)} is not a whole number")


def _check_octets(text: str) -> None:
    for octet in text.split("/")[0].split("."):
        if len(octet) > 1 and octet.startswith("0"):
            raise ValueError(f"{show(text)}: an address octet has a leading zero; write it without")
        if int(octet) > 255:
            raise ValueError(f"{show(text)}: address octet {octet} is above 255")


def _check_usable(text: str, address: IPv4Address) -> None:
    for network, what in _UNUSABLE:
        if address in network:
            raise ValueError(f"{show(text)} is {what}; a BIG-IP cannot use it here")


def _check_cidr(text: str, what: str) -> None:
    """address/prefix with valid octets and a prefix of /8 to /30."""
    if not re.fullmatch(_IPV4 + r"/[0-9]{1,2}", text):
        raise ValueError(f"{show(text)} is not {what}")
    _check_octets(text)
    prefix = int(text.split("/")[1])
    if prefix < 8 or prefix > 30:
        raise ValueError(f"{show(text)}: the prefix must be between /8 and /30")


def parse_self_address(value: Any) -> IPv4Interface:
    """A self IP: IPv4 address with prefix, e.g. 10.10.10.2/24."""
    text = _text(value, "an IPv4 address with prefix such as 10.10.10.2/24")
    if "%" in text:
        raise ValueError(
            f"{show(text)}: route-domain suffixes (%id) are not supported yet; use route domain 0"
        )
    _check_cidr(text, "an IPv4 address with prefix such as 10.10.10.2/24")
    iface = IPv4Interface(text)
    _check_usable(text, iface.ip)
    if iface.ip == iface.network.network_address:
        raise ValueError(
            f"{show(text)} is the network address of {iface.network}; a self IP needs a host address"
        )
    if iface.ip == iface.network.broadcast_address:
        raise ValueError(
            f"{show(text)} is the broadcast address of {iface.network}; a self IP needs a host address"
        )
    return iface


def parse_network(value: Any) -> IPv4Network:
    text = _text(value, "an IPv4 network such as 10.10.10.0/24")
    _check_cidr(text, "an IPv4 network such as 10.10.10.0/24")
    try:
        return IPv4Network(text)
    except ValueError:
        fixed = IPv4Network(text, strict=False)
        raise ValueError(f"{show(text)} has host bits set; did you mean {fixed}?") from None


def parse_member(value: Any) -> tuple[IPv4Address, int]:
    """A pool member: address:port, e.g. 10.10.10.21:80."""
    text = _text(value, "a pool member such as 10.10.10.21:80")
    match = re.fullmatch(f"({_IPV4}):([0-9]+)", text)
    if not match:
        raise ValueError(f"{show(text)} is not a pool member: write address:port such as 10.10.10.21:80")
    _check_octets(match.group(1))
    _check_usable(text, IPv4Address(match.group(1)))
    port = parse_int(match.group(2))
    if not 1 <= port <= 65535:
        raise ValueError(f"{show(text)}: port {port} is outside 1-65535")
    return IPv4Address(match.group(1)), port


def parse_lockdown(value: Any) -> tuple[str, ...]:
    """Port lockdown: none, default, all, or a list of protocol:port entries."""
    if isinstance(value, list):
        services: list[str] = []
        for item in value:
            text = _text(item, "protocol:port such as tcp:443")
            match = _SERVICE.match(text)
            if not match:
                raise ValueError(f"{show(text)} is not protocol:port such as tcp:443 or gre:0")
            proto, port = match.groups()
            if proto.isdigit() and int(proto) > 255:
                raise ValueError(f"{show(text)}: IP protocol {proto} is outside 0-255")
            if not proto.isdigit() and proto not in LOCKDOWN_PROTOCOLS:
                raise ValueError(
                    f"{show(text)}: unknown protocol {proto!r}; write one of {', '.join(sorted(LOCKDOWN_PROTOCOLS))} or the protocol number (97:0 for EtherIP)"
                )
            if proto not in PORTED_PROTOCOLS and port not in ("0", "any"):
                raise ValueError(f"{show(text)}: {proto} has no ports; write {proto}:0")
            if match.group(2) != "any" and int(match.group(2)) > PORT_MAX:
                raise ValueError(f"{show(text)}: port {match.group(2)} is outside 0-{PORT_MAX}")
            services.append(text)
        if not services or len(set(services)) != len(services):
            raise ValueError("list the protocol:port entries once each, at least one")
        return tuple(services)
    text = _text(value, "none, default, all or a list of protocol:port")
    if text not in _LOCKDOWN_WORDS:
        raise ValueError(f"{show(text)}: write none, default, all or a list of protocol:port entries")
    return (text,)


def parse_gateway(value: Any) -> IPv4Address | str:
    """The WAN gateway towards the other data center: an IPv4 address, or `existing`."""
    text = _text(value, "the WAN gateway's IPv4 address, or existing")
    if text == "existing":
        return text
    if not re.fullmatch(_IPV4, text):
        raise ValueError(
            f"{show(text)} is not a gateway: write the next hop's IPv4 address without a prefix (such as 203.0.113.1), or existing"
        )
    _check_octets(text)
    address = IPv4Address(text)
    _check_usable(text, address)
    return address


def parse_monitor_rule(value: Any) -> tuple[str, ...]:
    """A pool monitor rule to restore on rollback: `none`, or monitors joined with ' and '."""
    text = _text(value, "a monitor rule such as http, 'http and tcp' or none")
    if text == "none":
        return ()
    names = [part.strip() for part in text.split(" and ")]
    if len(names) > MAX_RULE_MONITORS:
        raise ValueError(f"{show(text)} names {len(names)} monitors; at most {MAX_RULE_MONITORS}")
    refs = tuple(_monitor_ref(n) for n in names)
    twice = sorted({r for r in refs if refs.count(r) > 1})
    if twice:
        raise ValueError(f"{show(text)} names {', '.join(twice)} twice; name each monitor once")
    return refs


def _monitor_ref(text: str) -> str:
    bare = text.removeprefix("/Common/")
    if not _NAME.match(bare) or bare.lower() in RESERVED_NAMES or len(bare) > OBJECT_NAME_MAX:
        raise ValueError(
            f"{show(text)} is not a monitor name (a letter, then letters, digits, _ . -; at most "
            f"{OBJECT_NAME_MAX}); write names joined with ' and ', or none"
        )
    return bare


def parse_monitor_ref(value: Any) -> str:
    text = _text(value, "a monitor name such as http")
    if " and " in text:
        raise ValueError(f"{show(text)}: name one monitor here (the pool's rule joins it with ' and ')")
    return _monitor_ref(text)


Name = Annotated[str, BeforeValidator(parse_name)]
NetName = Annotated[str, BeforeValidator(parse_net_name)]
DeploymentName = Annotated[str, BeforeValidator(parse_deployment)]
Hostname = Annotated[str, BeforeValidator(parse_hostname)]
Interface = Annotated[str, BeforeValidator(parse_interface)]
Tagging = Annotated[str, BeforeValidator(parse_tagging)]
ReturnPath = Annotated[
    str, BeforeValidator(_choice(RETURN_PATHS, "how replies of a moved VM come back through this BIG-IP"))
]
Platform = Annotated[str, BeforeValidator(_choice(PLATFORMS, "what the unit runs on"))]
IkeVersion = Annotated[str, BeforeValidator(_choice(IKE_VERSIONS, "the IKE version"))]
IpsecAuth = Annotated[str, BeforeValidator(_choice(IPSEC_AUTH, "how the IKE peers authenticate"))]
IpsecMode = Annotated[str, BeforeValidator(_choice(IPSEC_MODES, "the ESP mode"))]
NatTraversal = Annotated[str, BeforeValidator(_choice(NAT_TRAVERSAL, "IKE NAT traversal"))]
Phase1Encrypt = Annotated[str, BeforeValidator(_choice(PHASE1_ENCRYPT, "the IKE phase-1 cipher"))]
Phase1Hash = Annotated[str, BeforeValidator(_choice(PHASE1_HASH, "the IKE phase-1 hash"))]
DhGroup = Annotated[str, BeforeValidator(_choice(DH_GROUPS, "the IKE phase-1 Diffie-Hellman group"))]
PfsGroup = Annotated[str, BeforeValidator(_choice(PFS_GROUPS, "phase-2 perfect forward secrecy"))]
Phase2Encrypt = Annotated[str, BeforeValidator(_choice(PHASE2_ENCRYPT, "the ESP cipher"))]
Phase2Auth = Annotated[str, BeforeValidator(_choice(PHASE2_AUTH, "the ESP integrity algorithm"))]
Flag = Annotated[bool, BeforeValidator(parse_bool)]
Int = Annotated[int, BeforeValidator(parse_int)]
SelfAddress = Annotated[IPv4Interface, BeforeValidator(parse_self_address)]
Network = Annotated[IPv4Network, BeforeValidator(parse_network)]
Member = Annotated[tuple[IPv4Address, int], BeforeValidator(parse_member)]
Lockdown = Annotated[tuple[str, ...], BeforeValidator(parse_lockdown)]
MonitorRule = Annotated[tuple[str, ...], BeforeValidator(parse_monitor_rule)]
MonitorRef = Annotated[str, BeforeValidator(parse_monitor_ref)]
Gateway = Annotated[IPv4Address | str, BeforeValidator(parse_gateway)]
