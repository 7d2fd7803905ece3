"""Saved configurations of the units once a site's change is done, for `precheck --after` and
`init --from`: per unit one file as `save sys config file` writes it (#TMSH-VERSION first), with
the unit's hostname, what existed before the change (the site file's create: false objects:
VLANs, self IPs, the pool with what the change set on it, the monitors its rule names) and the
unit's expected-state.conf stanzas (the objects the change created)."""

from __future__ import annotations

from generator import bigip
from generator.bigip import BUILTIN_MONITORS
from generator.context import build_context
from generator.lifecycle.state import unit_states
from generator.model import Site
from generator.operations import ConfigObject, entries
from generator.versions import BigIpVersion, release


def saved_files(site: Site, version: BigIpVersion) -> dict[str, bytes]:
    ctx = build_context(site, version)
    states = unit_states(ctx)
    out = {}
    for peer in ctx.peers:
        model = site.peers[peer.name]
        for device in peer.devices:
            stanzas = [f"#TMSH-VERSION: {release(version).tmsh_version}", "", _global(device.hostname)]
            existing = {o.path: o for o in _existing(site, peer.name, device.hostname)}
            for o in states[(peer.name, device.index)].objects.values():
                if not o.created:  # what the change set on an existing object
                    before = dict(existing[o.path].values) if o.path in existing else dict(o.restore)
                    existing[o.path] = ConfigObject(
                        o.kind, o.path, tuple({**before, **dict(o.values)}.items())
                    )
            stanzas += [o.stanza for o in existing.values()]
            stanzas += [o.stanza for o in device.expected]
            if model.is_ha:
                stanzas.append(_device_group(model.device_group or "", list(model.devices)))
            out[device.hostname] = ("\n".join(stanzas) + "\n").encode()
    return out


def _global(hostname: str) -> str:
    return f"sys global-settings {{\n    hostname {hostname}\n}}"


def _device_group(name: str, hosts: list[str]) -> str:
    devices = "".join(f"        /Common/{h} {{ }}\n" for h in hosts)
    return f"cm device-group /Common/{name} {{\n    devices {{\n{devices}    }}\n    type sync-failover\n}}"


def _existing(site: Site, peer_name: str, host: str) -> list[ConfigObject]:
    """The objects a site file says exist before its change (create: false)."""
    peer = site.peers[peer_name]
    out = []
    for vlan in (peer.wan, peer.vm):
        if not vlan.create:
            values = (("mtu", str(vlan.mtu)),) if vlan.mtu else ()
            out.append(ConfigObject(bigip.VLAN, bigip.path(vlan.vlan), values))
    if not peer.wan.create:
        index = list(peer.devices).index(host)
        named = peer.wan.endpoint_self
        floating = peer.wan.floating_self is not None
        own = named.name if named and not floating else f"existing_wan_self_{index}"
        out.append(_self(own, str(peer.devices[host].wan_self), peer.wan.vlan, bigip.TG_LOCAL))
        if floating:
            out.append(
                _self(
                    named.name if named else "existing_wan_float",
                    str(peer.wan.floating_self),
                    peer.wan.vlan,
                    bigip.TG_FLOATING,
                )
            )
    monitors = [
        *(site.pool.restore_monitor or ()),
        *([site.pool.also_monitor] if site.pool.also_monitor else []),
    ]
    for name in dict.fromkeys(monitors):
        if name not in BUILTIN_MONITORS:
            out.append(ConfigObject(_HTTP_MONITOR, bigip.path(name), (("defaults-from", "/Common/http"),)))
    return out


def _self(name: str, address: str, vlan: str, group: str) -> ConfigObject:
    return ConfigObject(
        bigip.SELF_IP,
        bigip.path(name),
        (
            ("address", address),
            ("vlan", bigip.path(vlan)),
            ("traffic-group", group),
            ("allow-service", entries("add", ())),
        ),
    )


_HTTP_MONITOR = bigip.Kind(("ltm", "monitor", "http"), ("defaults-from",), bigip.Scope.SYNCED)
