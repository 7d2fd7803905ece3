"""BIG-IP vocabulary: the object kinds etherip writes, their tmsh paths, property order, sync
scope and defaults, and the built-in names of /Common. One place for every word of tmsh that
the view-model, the templates and the replay model share.

What stays independent of this module on purpose is listed in CONTRIBUTING.md ("What the
checker does not take from the generator").

Sources: project reference bigip-11.6-etherip.md §2 (object properties) and §3 (sync scope).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import Enum

PARTITION = "/Common"
TG_LOCAL = f"{PARTITION}/traffic-group-local-only"  # device-local self IPs [C]
TG_FLOATING = f"{PARTITION}/traffic-group-1"  # the default floating traffic group of a pair [C]
TRAFFIC_GROUPS = frozenset({TG_LOCAL, TG_FLOATING})
ETHERIP_PROFILE = f"{PARTITION}/etherip"  # built-in tunnel profile [C]
VLOC_PARENT = f"{PARTITION}/virtual_location"  # built-in Virtual Location monitor [C]
BUILTIN_PROFILES = frozenset({ETHERIP_PROFILE})
# Tunnels every BIG-IP has in /Common; VLANs, VLAN groups and tunnels share one namespace.
BUILTIN_NET_NAMES = frozenset({"http-tunnel", "socks-tunnel"})

# Words tmsh reads as keywords where a name may stand (project reference bigip-11.6-etherip.md §4 [I]). The iApp Tcl keeps its
# own copy (checked equal by tests/test_vocabulary.py): it runs on the box, outside Python.
RESERVED_WORDS = frozenset(
    {
        "none",
        "all",
        "default",
        "any",
        "add",
        "delete",
        "modify",
        "replace-all-with",
        "and",
        "min",
        "of",
        "common",
    }
)

# Monitors that ship with BIG-IP 11.6 (/Common): our monitor must not take one of these names.
# The list of built-in monitor types of the LTM monitors reference (F5-MON-11.6) [S].
BUILTIN_MONITORS = frozenset(
    {
        "diameter",
        "dns",
        "external",
        "firepass",
        "ftp",
        "gateway_icmp",
        "http",
        "http_head_f5",
        "https",
        "https_443",
        "https_head_f5",
        "icmp",
        "imap",
        "inband",
        "ldap",
        "module_score",
        "mssql",
        "mysql",
        "nntp",
        "none",
        "oracle",
        "pop3",
        "postgresql",
        "radius",
        "radius_accounting",
        "real_server",
        "rpc",
        "sasp",
        "scripted",
        "sip",
        "smb",
        "smtp",
        "snmp_dca",
        "snmp_dca_base",
        "soap",
        "tcp",
        "tcp_echo",
        "tcp_half_open",
        "udp",
        "virtual_location",
        "wap",
        "wmi",
    }
)


def path(name: str) -> str:
    """The full path of an object etherip names (every object lives in /Common)."""
    return f"{PARTITION}/{name}"


class Scope(Enum):
    DEVICE_LOCAL = "device-local: every unit changes its own"
    SYNCED = "synced: created once, config-sync carries it"
    BY_TRAFFIC_GROUP = "synced when in a floating traffic group, device-local in traffic-group-local-only"


@dataclass(frozen=True)
class Kind:
    """One tmsh object kind: `words` is its tmsh path (`net tunnels tunnel`)."""

    words: tuple[str, ...]
    properties: tuple[str, ...]  # in the order etherip writes them on create
    scope: Scope
    modified_later: tuple[str, ...] = ()  # set by a later `modify` (a pool's monitor rule)
    defaults: Mapping[str, str] = field(default_factory=dict)  # what a unit holds when unset
    # Written only from a value typed on the box; never listed, saved in our files or expected
    # (the unit shows it encrypted, as preshared-key-encrypted [S]).
    secret: tuple[str, ...] = ()

    @property
    def tmsh(self) -> str:
        return " ".join(self.words)

    @property
    def all_properties(self) -> frozenset[str]:
        return frozenset(self.properties + self.modified_later)


VLAN = Kind(("net", "vlan"), ("interfaces", "tag", "mtu", "description"), Scope.DEVICE_LOCAL)
SELF_IP = Kind(
    ("net", "self"),
    ("address", "vlan", "traffic-group", "allow-service"),
    Scope.BY_TRAFFIC_GROUP,
    defaults={"traffic-group": TG_LOCAL, "allow-service": "none"},
)
TUNNEL = Kind(
    ("net", "tunnels", "tunnel"),
    ("profile", "local-address", "remote-address", "mtu", "description"),
    Scope.SYNCED,  # its local address is a floating self IP on a pair (project reference bigip-11.6-etherip.md §2.3 [S])
)
VLAN_GROUP = Kind(
    ("net", "vlan-group"),
    ("members", "mode", "bridge-in-standby", "migration-keepalive", "proxy-excludes", "description"),
    Scope.DEVICE_LOCAL,
    defaults={"mode": "translucent"},  # the 11.6 default [S]
)
# Routes in /Common sync: F5's own templates put a per-unit route in a /LOCAL_ONLY folder
# (device-group none) precisely to keep it from syncing (F5Networks/f5-aws-cloudformation) [C].
ROUTE = Kind(("net", "route"), ("network", "gw", "description"), Scope.SYNCED)
POOL = Kind(
    ("ltm", "pool"),
    ("members", "min-active-members", "description"),
    Scope.SYNCED,
    modified_later=("monitor",),
)
MONITOR = Kind(
    ("ltm", "monitor", "virtual-location"),
    ("defaults-from", "pool", "interval", "timeout"),
    Scope.SYNCED,
    defaults={"defaults-from": VLOC_PARENT},
)
SERVICE = Kind(("sys", "application", "service"), ("template", "variables"), Scope.SYNCED)

# IPsec (site key ipsec). Property names: F5's 12.0 schema help texts and F5's Ansible modules
# (bigip_ike_peer, bigip_ipsec_policy, bigip_traffic_selector) [S]; the nesting and list forms
# (`version replace-all-with { v2 }`, `traffic-selector replace-all-with { … }`) F5 channel-SE
# labs [S]. F5's list of what config-sync leaves out does not name them, so they sync [S/I]; the
# IKE peer has no traffic-group property (absent from every schema found [S]).
IPSEC_POLICY = Kind(
    ("net", "ipsec", "ipsec-policy"),
    (
        "protocol",
        "mode",
        "tunnel-local-address",
        "tunnel-remote-address",
        "ike-phase2-encrypt-algorithm",
        "ike-phase2-auth-algorithm",
        "ike-phase2-perfect-forward-secrecy",
        "ike-phase2-lifetime",
    ),
    Scope.SYNCED,
)
TRAFFIC_SELECTOR = Kind(
    ("net", "ipsec", "traffic-selector"),
    ("source-address", "destination-address", "ip-protocol", "direction", "ipsec-policy"),
    Scope.SYNCED,
    defaults={"ipsec-policy": f"{PARTITION}/default-ipsec-policy"},  # [S]: never left to it
)
IKE_PEER = Kind(
    ("net", "ipsec", "ike-peer"),
    (
        "remote-address",
        "version",
        "mode",
        "phase1-auth-method",
        "phase1-encrypt-algorithm",
        "phase1-hash-algorithm",
        "phase1-perfect-forward-secrecy",
        "prf",
        "lifetime",
        "my-id-type",
        "my-id-value",
        "peers-id-type",
        "peers-id-value",
        "my-cert-file",
        "my-cert-key-file",
        "ca-cert-file",
        "verify-cert",
        "nat-traversal",
        "traffic-selector",
        "preshared-key",
    ),
    Scope.SYNCED,
    secret=("preshared-key",),
)
# Certificates and keys an IKE peer names: existing objects, never created by etherip.
SSL_CERT = Kind(("sys", "file", "ssl-cert"), (), Scope.SYNCED)
SSL_KEY = Kind(("sys", "file", "ssl-key"), (), Scope.SYNCED)
# The kinds a change script creates, modifies or deletes (the iApp service is the iApp's own).
CONFIG_KINDS: tuple[Kind, ...] = (
    VLAN,
    SELF_IP,
    TUNNEL,
    VLAN_GROUP,
    ROUTE,
    POOL,
    MONITOR,
    IPSEC_POLICY,
    TRAFFIC_SELECTOR,
    IKE_PEER,
)
BY_WORDS: Mapping[tuple[str, ...], Kind] = {k.words: k for k in (*CONFIG_KINDS, SERVICE, SSL_CERT, SSL_KEY)}


def is_synced(words: tuple[str, ...], traffic_group: str | None) -> bool:
    """Whether config-sync carries an object of this kind (and, for a self IP, traffic group)."""
    kind = BY_WORDS.get(words)
    if kind is None:
        return False
    if kind.scope is Scope.BY_TRAFFIC_GROUP:
        return (traffic_group or TG_LOCAL) != TG_LOCAL
    return kind.scope is Scope.SYNCED


def quoted(text: str) -> str:
    """A tmsh string value in double quotes (descriptions; the model admits no quote in them)."""
    return f'"{text}"'
