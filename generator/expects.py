"""What the operator must see: the `# Expect:` of every read-only line, as data.

Each read-only line of a pre-check, a sync gate, a save or a verify file is a `Probe`: the tmsh
command and one `Expect`. An Expect is a claim about the device at that moment (an object is
absent, listed, has these values; the sync status; the failover state …) with one fixed
sentence form per kind, built from the view-model. `etherip check` and tests/test_words.py
read these sentences back from the rendered files (generator/proof/expects.py), run the
command on the device model of that unit at that point, and require the claim to hold.

How tmsh prints (docs/research/tmsh-output-forms-issue-16.md): names relative to the current
folder (`vlan erp`, not `/Common/erp`, when tmsh runs in /Common) [S]; a property named on the
command line prints even at its default [C: F5 Agility lab, `list net self external
allow-service` → `allow-service none`]; ports and protocols by name or by number depending on
`cli global-settings service` [S]. So Expect lines name objects without /Common/, list
commands name the properties they check, and service entries say which forms are the same.
"""

from __future__ import annotations

from dataclasses import dataclass

from generator.bigip import PARTITION

# How one allow-service entry may print: by number (saved form) or by name (tmsh list with
# `cli global-settings service name`, the default) [S]; protocols without ports as :0 or :any.
# No source shows protocol 97 listed [I]: etherip is its name in IANA's protocol registry.
PROTOCOL_NAMES = {
    "97": "etherip",
    "50": "esp",
    "51": "ah",
    "47": "gre",
    "2": "igmp",
    "89": "ospf",
    "103": "pim",
}
PORT_NAMES = {
    "tcp:22": "ssh",
    "tcp:53": "domain",
    "udp:53": "domain",
    "tcp:80": "http",
    "tcp:161": "snmp",
    "udp:161": "snmp",
    "tcp:443": "https",
    "tcp:4353": "f5-iquery",
    "udp:4353": "f5-iquery",
    "udp:1026": "cap",
    "udp:500": "isakmp",
    "udp:4500": "ipsec-nat-t",
}
ETHERIP_FORMS = ("97:0", "97:any", "etherip:0", "etherip:any")


def short(name: str) -> str:
    """An object name as tmsh lists it from /Common: without the folder."""
    prefix = f"{PARTITION}/"
    return name.removeprefix(prefix)


def service_forms(entry: str) -> tuple[str, ...]:
    """Every way tmsh may print one allow-service entry, the written form first."""
    proto, _, port = entry.partition(":")
    if port in ("0", "any"):
        names = (proto, PROTOCOL_NAMES[proto]) if proto in PROTOCOL_NAMES else (proto,)
        return tuple(dict.fromkeys(f"{p}:{q}" for p in names for q in ("0", "any")))
    named = PORT_NAMES.get(entry)
    return (entry, f"{proto}:{named}") if named else (entry,)


@dataclass(frozen=True)
class Expect:
    """A claim with its sentence. `lines[0]` starts with "Expect: "; more lines continue it."""

    lines: tuple[str, ...]


def _lines(first: str, *more: str) -> tuple[str, ...]:
    return (f"Expect: {first}", *more)


def absent() -> Expect:
    return Expect(_lines('"was not found": the change creates this object.'))


def gone() -> Expect:
    """An object a later change (etherip plan) deleted or renamed."""
    return Expect(_lines('"was not found": the change deleted it.'))


def listed() -> Expect:
    return Expect(_lines('listed (not "was not found").'))


def arrived(host: str) -> Expect:
    """A sync gate: the object reaches this unit by config-sync from `host`."""
    return Expect(
        _lines(
            f'listed (not "was not found"): it arrives by config-sync from {host}.',
            '  While it says "was not found", the sync is not done: wait a minute and paste this line',
            "  again; do not go on until it is listed (this is not a reason to roll back).",
        )
    )


def removed(host: str) -> Expect:
    """A rollback sync gate: config-sync from `host` removes the object from this unit."""
    return Expect(
        _lines(
            f'"was not found": config-sync from {host} removed it.',
            "  While it is still listed, the sync is not done: wait a minute and paste this line again;",
            "  do not go on until it says it was not found.",
        )
    )


def values(pairs: tuple[tuple[str, str], ...], note: str = "") -> Expect:
    """Properties as the command lists them: `name value, name value.`"""
    text = ", ".join(f"{k} {v}" for k, v in pairs)
    more = []
    services = [v for k, v in pairs if k == "allow-service" and v.startswith("{")]
    if services:
        entries = services[0].strip("{} ").split()
        alike = [" = ".join(forms) for forms in map(service_forms, entries) if len(forms) > 1]
        if alike:
            more.append(f"  (in any order; the same entries may print by name: {'; '.join(alike)})")
    if note:
        more.append(f"  {note}")
    return Expect(_lines(f"{text}.", *more))


def version(text: str) -> Expect:
    return Expect(
        _lines(f'Version {text} or {text}.<n> in the "Sys::Version" listing (Build and Edition may differ).')
    )


def sync_status(status: str, group: str) -> Expect:
    return Expect(
        _lines(
            f"Status {status} (device group {group}).",
            "  Any other status (Changes Pending, Awaiting Initial Sync, Not All Devices Synced,",
            "  Disconnected, Sync Failure) means the pair is not ready: stop.",
        )
    )


def failover(state: str, why: str) -> Expect:
    return Expect(_lines(f"Failover {state}: {why}."))


def self_ips(entries: tuple[tuple[str, str, str, str], ...], note: str) -> Expect:
    """Device-local view of the self IPs: (address, vlan, traffic-group, allow-service claim).

    The allow-service claim is "" (not checked), an exact value, or `admits IP protocol 97`."""
    parts = []
    for address, vlan, group, service in entries:
        extra = f", allow-service {service}" if service and not service.startswith("admits") else ""
        admits = f", {service}" if service.startswith("admits") else ""
        parts.append(f"address {address} (vlan {vlan}, traffic-group {group}{extra}{admits})")
    return Expect(
        _lines(f"among the self IPs listed: {'; '.join(parts)}.", *(f"  {n}" for n in note.split("\n") if n))
    )


ADMITS_97 = "admits IP protocol 97"
ADMITS_97_FORMS = f"all, or an entry {', '.join(ETHERIP_FORMS[:-1])} or {ETHERIP_FORMS[-1]}"


def admits(extra: tuple[str, ...]) -> str:
    """The self IP claim: it admits EtherIP, and `extra` entries (IPsec's ESP and IKE)."""
    if not extra:
        return ADMITS_97
    return (
        f"{ADMITS_97}, {', '.join(extra[:-1])} and {extra[-1]}"
        if len(extra) > 1
        else f"{ADMITS_97} and {extra[0]}"
    )


def admits_forms(extra: tuple[str, ...]) -> str:
    """How each admitted entry may show, for the note under a self IP claim."""
    more = "".join(f"; {' = '.join(service_forms(x))}" for x in extra)
    return f"{ADMITS_97_FORMS}{more}"


def no_route(network: str) -> Expect:
    return Expect(_lines(f"no route with network {network} (the change creates one; a second one fails)."))


def route_covers(address: str, vlan: str) -> Expect:
    return Expect(
        _lines(
            f"a route whose network covers {address} (or network default), its gw in the subnet",
            f"  of a self IP on vlan {vlan}.",
        )
    )


def no_tag(tags: tuple[int, ...]) -> Expect:
    words = " or ".join(str(t) for t in tags)
    return Expect(_lines(f"no VLAN listed with tag {words} (the new VLANs need them)."))


def replies(address: str, via: str = "") -> Expect:
    return Expect(_lines(f"0% packet loss: replies from {address}{via}."))


def routable(address: str) -> Expect:
    return Expect(
        _lines(
            f"replies from {address}; no reply alone is not conclusive (it may not answer ping),",
            '  a routing error such as "Network is unreachable" is: stop.',
        )
    )


def pool_members(timeout: int) -> Expect:
    return Expect(
        _lines(
            'every member listed, with Availability "available" once the monitors have run',
            f"  (about {timeout} seconds).",
        )
    )


def tunnel_traffic() -> Expect:
    return Expect(
        _lines(
            '"HC Incoming Octets" and "HC Outgoing Octets" above 0 after the pings above, and growing',
            "  when you paste this line again; both at 0 mean EtherIP does not pass.",
        )
    )


def ucs_saved(name: str) -> Expect:
    return Expect(_lines(f'"Saving active configuration..." then "/var/local/ucs/{name}.ucs is saved."'))


def no_output() -> Expect:
    return Expect(_lines("no output."))


def monitors_listed(names: tuple[str, ...]) -> Expect:
    words = ", ".join(names)
    return Expect(
        _lines(
            f"monitors named {words} listed (each as ltm monitor <type> <name>, any type).",
            "  One missing: stop; the pool's rule would name a monitor the unit does not have.",
        )
    )


def snat_on_every_virtual(pool: str) -> Expect:
    return Expect(
        _lines(
            f"every virtual server listed whose pool is {pool} has source-address-translation type automap or snat.",
            "  One with none (or no source-address-translation line): stop; a moved VM's replies would not come",
            "  back through this BIG-IP (return_path: snat in the site file).",
        )
    )


def not_bridged(vlan: str) -> Expect:
    return Expect(
        _lines(
            f"no VLAN group listed has {vlan} among its members.",
            "  One that has: stop; the VM VLAN is bridged already, and a second bridge makes a loop.",
        )
    )


def no_self_in(vlan: str, subnet: str) -> Expect:
    return Expect(
        _lines(
            f"no self IP listed on vlan {vlan} has an address in {subnet}.",
            "  One that has: stop; the VM subnet would be on the VLAN and on the VLAN group at once",
            '  (CHANGE.md, "Self IPs on an existing VM VLAN").',
        )
    )


def no_ike_peer_for(remote: str) -> Expect:
    return Expect(
        _lines(
            f"no IKE peer listed with remote-address {remote}.",
            "  One that has: stop; two IKE peers for one address compete, and which one answers is not defined.",
        )
    )


def ipsec_sas(selector: str) -> Expect:
    """`show net ipsec ipsec-sa traffic-selector …`: one SA each way, mature [C: F5's IPsec
    troubleshooting guide shows `Direction: in/out` and `State: mature` per SA]."""
    return Expect(
        _lines(
            f"IPsec security associations for traffic selector {short(selector)}: at least one with Direction in and one with Direction out, each State mature.",
            "  None listed: IKE has not completed; paste the tunnel pings above again and this line after them. Still",
            '  none: stop (CHANGE.md, "IPsec"; the IKE log is /var/log/ipsec.log, IKEv1 /var/log/racoon.log).',
        )
    )


def ike_sa(remote: str) -> Expect:
    return Expect(
        _lines(
            f"an IKE security association with {remote} listed.",
            "  None: IKE has not completed; see the line above.",
        )
    )


def noted(what: str) -> Expect:
    """A value the operator writes down for later (not a go/no-go)."""
    return Expect(_lines(f"listed; write down {what}."))


@dataclass(frozen=True)
class Probe:
    """One read-only line with its Expect, and optional comment lines before it."""

    command: str
    expect: Expect
    before: tuple[str, ...] = ()  # comment lines (a heading) printed before the Expect

    @property
    def comment_lines(self) -> tuple[str, ...]:
        return (*self.before, *self.expect.lines)
