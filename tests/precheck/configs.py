"""Saved configurations written for these tests (BIG-IP 11.6 saved-config syntax), for the
units of tests/cases/mixed.yaml and existing-pool.yaml, and the three forms a unit's
configuration comes in: a UCS archive (gzip tar built here), a folder, or a single file."""

from __future__ import annotations

import io
import tarfile
from dataclasses import dataclass
from pathlib import Path

HEADER = "#TMSH-VERSION: {version}\n\n"


def _device(name: str, self_device: bool, version: str) -> str:
    return f"""cm device /Common/{name} {{
    active-modules {{ "BIG-IP, VE|ABCDEFG-HIJKLMN|Rate Shaping|Local Traffic Manager, VE" }}
    base-mac 00:50:56:aa:00:01
    build 0.0.3
    cert /Common/dtdi.crt
    chassis-id 420f5c3e-8a2b-1c1b-9ad3-2c2f3b1e0a11
    configsync-ip 192.168.1.11
    edition "Hotfix HF2"
    hostname {name}
    key /Common/dtdi.key
    management-ip 10.0.0.11
    marketing-name "BIG-IP Virtual Edition"
    platform-id Z100
    product BIG-IP
    self-device {"true" if self_device else "false"}
    time-zone Europe/Zurich
    unicast-address {{
        {{
            effective-ip 192.168.1.11
            effective-port 1026
            ip 192.168.1.11
        }}
    }}
    version {version}
}}
"""


def _interface(name: str) -> str:
    return f"""net interface {name} {{
    if-index {48 + int(name.split(".")[1]) * 16}
    mac-address 00:50:56:aa:01:{int(name.split(".")[1]):02x}
    media-active 10000T-FD
    media-max auto
    serial 00050565aa01
}}
"""


def dc1_base(host: str = "bigip-dc1-a", version: str = "11.6.5") -> str:
    """bigip_base.conf of a unit of the dc1 pair: existing WAN VLAN `external` with this unit's
    WAN self IP and the floating one, an internal VLAN, a trunk, device group dg_dc1."""
    letter = host[-1]
    own = {"a": "198.51.100.11", "b": "198.51.100.12"}[letter]
    return (
        HEADER.format(version=version)
        + """cli admin-partitions {
    update-partition Common
}
"""
        + _device("bigip-dc1-a", host == "bigip-dc1-a", version)
        + _device("bigip-dc1-b", host == "bigip-dc1-b", version)
        + """cm device-group /Common/dg_dc1 {
    devices {
        /Common/bigip-dc1-a { }
        /Common/bigip-dc1-b { }
    }
    network-failover enabled
    type sync-failover
}
cm device-group /Common/device_trust_group {
    auto-sync enabled
    devices {
        /Common/bigip-dc1-a { }
        /Common/bigip-dc1-b { }
    }
    hidden true
    network-failover enabled
}
cm traffic-group /Common/traffic-group-1 {
    unit-id 1
}
cm traffic-group /Common/traffic-group-local-only { }
cm trust-domain /Common/Root {
    ca-cert /Common/dtca.crt
    status standalone
}
"""
        + _interface("1.1")
        + _interface("1.2")
        + _interface("1.3")
        + _interface("1.4")
        + f"""net route-domain /Common/0 {{
    id 0
    vlans {{
        /Common/http-tunnel
        /Common/socks-tunnel
        /Common/external
        /Common/internal
    }}
}}
net self /Common/self_ext_{letter} {{
    address {own}/24
    traffic-group /Common/traffic-group-local-only
    vlan /Common/external
}}
net self /Common/self_ext_float {{
    address 198.51.100.10/24
    allow-service {{
        default
    }}
    traffic-group /Common/traffic-group-1
    vlan /Common/external
}}
net self /Common/self_int_{letter} {{
    address 10.1.20.{2 if letter == "a" else 3}/24
    allow-service {{
        tcp:443
        udp:1026
    }}
    traffic-group /Common/traffic-group-local-only
    vlan /Common/internal
}}
net self-allow {{
    defaults {{
        ospf:any
        tcp:161
        tcp:22
        tcp:4353
        tcp:443
        tcp:53
        udp:1026
        udp:161
        udp:4353
        udp:520
        udp:53
    }}
}}
net trunk trunk_lan {{
    interfaces {{
        1.3
        1.4
    }}
    lacp enabled
}}
net vlan /Common/external {{
    if-index 112
    interfaces {{
        1.1 {{ }}
    }}
    tag 4094
}}
net vlan /Common/internal {{
    if-index 128
    interfaces {{
        trunk_lan {{
            tagged
        }}
    }}
    tag 120
}}
net fdb tunnel /Common/http-tunnel {{ }}
net fdb tunnel /Common/socks-tunnel {{ }}
net tunnels tunnel /Common/http-tunnel {{
    description "Tunnel for http-explicit profile"
    profile /Common/tcp-forward
}}
net tunnels tunnel /Common/socks-tunnel {{
    description "Tunnel for socks profile"
    profile /Common/tcp-forward
}}
sys db iptunnel.configsync {{
    value "enable"
}}
sys db dhclient.mgmt {{
    value "disable"
}}
sys global-settings {{
    gui-setup disabled
    hostname {host}
    mgmt-dhcp disabled
}}
sys management-ip 10.0.0.1{1 if letter == "a" else 2}/24 {{ }}
"""
    )


def dc1_user(version: str = "11.6.5") -> str:
    """bigip.conf of the dc1 pair: an unrelated pool, monitor, iRule and the default route."""
    return (
        HEADER.format(version=version)
        + """apm resource remote-desktop citrix-client-bundle /Common/default-citrix-client-bundle { }
ltm default-node-monitor {
    rule none
}
ltm monitor http /Common/app_http {
    defaults-from /Common/http
    destination *:*
    interval 5
    recv "200 OK"
    send "GET /health HTTP/1.1\\r\\nHost: app\\r\\nConnection: close\\r\\n\\r\\n"
    time-until-up 0
    timeout 16
}
ltm node /Common/10.1.20.50 {
    address 10.1.20.50
}
ltm pool /Common/app_pool {
    members {
        /Common/10.1.20.50:443 {
            address 10.1.20.50
        }
    }
    monitor /Common/app_http and /Common/tcp
}
ltm rule /Common/redirect_rule {
    when HTTP_REQUEST {
        if { [HTTP::host] eq "old.example.com" } {
            HTTP::redirect "https://new.example.com[HTTP::uri]"
        }
    }
}
net route /Common/default_gw {
    gw 198.51.100.1
    network default
}
sys file ssl-cert /Common/app.crt {
    cache-path /config/filestore/files_d/Common_d/certificate_d/:Common:app.crt_1
    revision 1
}
"""
    )


def dc2_base(host: str = "bigip-dc2", version: str = "11.6.5") -> str:
    """bigip_base.conf of the standalone dc2 unit: only an internal VLAN on 1.3; 1.1 and 1.2 free."""
    return (
        HEADER.format(version=version)
        + _device(host, True, version)
        + _interface("1.1")
        + _interface("1.2")
        + _interface("1.3")
        + f"""net self /Common/self_int {{
    address 10.2.20.2/24
    allow-service {{
        default
    }}
    traffic-group /Common/traffic-group-local-only
    vlan /Common/internal
}}
net vlan /Common/internal {{
    if-index 96
    interfaces {{
        1.3 {{ }}
    }}
    tag 4093
}}
sys global-settings {{
    gui-setup disabled
    hostname {host}
}}
"""
    )


def dc2_user(version: str = "11.6.5") -> str:
    return (
        HEADER.format(version=version)
        + """ltm pool /Common/legacy_pool {
    members {
        /Common/10.2.20.60:80 {
            address 10.2.20.60
        }
    }
    min-active-members 1
    monitor min 1 of { /Common/http /Common/tcp }
}
net route /Common/default_gw {
    gw 10.2.20.1
    network default
}
"""
    )


@dataclass(frozen=True)
class Unit:
    base: str
    user: str


def clean(host: str, version: str = "11.6.5") -> Unit:
    if host == "bigip-dc2":
        return Unit(dc2_base(version=version), dc2_user(version))
    return Unit(dc1_base(host, version), dc1_user(version))


FORMS = ("ucs", "folder", "file")


def ucs_bytes(members: list[tuple[str, bytes]], extra: list[tarfile.TarInfo] | None = None) -> bytes:
    """A gzip tar like a UCS: the given regular files, plus any raw headers in `extra`."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tar:
        for info in extra or []:
            tar.addfile(info)
        for name, data in members:
            info = tarfile.TarInfo(name)
            info.size = len(data)
            info.mode = 0o644
            tar.addfile(info, io.BytesIO(data))
    return buf.getvalue()


def write_form(unit: Unit, form: str, where: Path, name: str = "unit") -> tuple[Path, str, str]:
    """Write `unit` in `form` under `where`. Returns the PATH to pass and the display names of
    its base and user files (how findings cite them)."""
    where.mkdir(parents=True, exist_ok=True)
    if form == "ucs":
        path = where / f"{name}.ucs"
        path.write_bytes(
            ucs_bytes(
                [
                    ("config/BigDB.dat", b"[Basic]\n"),
                    ("config/bigip_base.conf", unit.base.encode()),
                    ("config/bigip.conf", unit.user.encode()),
                    ("var/local/ucs/ucs_version", b"11.6.5\n"),
                ]
            )
        )
        return path, f"{path}/config/bigip_base.conf", f"{path}/config/bigip.conf"
    if form == "folder":
        path = where / name
        path.mkdir()
        (path / "bigip_base.conf").write_text(unit.base)
        (path / "bigip.conf").write_text(unit.user)
        return path, f"{path}/bigip_base.conf", f"{path}/bigip.conf"
    path = where / f"{name}.scf"
    user_body = unit.user.split("\n", 2)[2]  # one file from `save sys config file`: one header
    path.write_text(unit.base + user_body)
    return path, str(path), str(path)


def legacy_base(version: str = "11.6.3") -> str:
    """bigip_base.conf of f5-main-1 (tests/cases/existing-pool.yaml): existing VLANs `external`
    (WAN, with this unit's and the floating self IP) and `erp` (VM)."""
    return (
        HEADER.format(version=version)
        + _device("f5-main-1", True, version)
        + _device("f5-main-2", False, version)
        + """cm device-group /Common/dg_main {
    devices {
        /Common/f5-main-1 { }
        /Common/f5-main-2 { }
    }
    type sync-failover
}
"""
        + _interface("1.1")
        + _interface("1.2")
        + """net self /Common/ext_self_1 {
    address 203.0.113.101/25
    traffic-group /Common/traffic-group-local-only
    vlan /Common/external
}
net self /Common/ext_float {
    address 203.0.113.100/25
    traffic-group /Common/traffic-group-1
    vlan /Common/external
}
net vlan /Common/erp {
    interfaces {
        1.2 {
            tagged
        }
    }
    tag 30
}
net vlan /Common/external {
    interfaces {
        1.1 { }
    }
    tag 4094
}
sys global-settings {
    hostname f5-main-1
}
"""
    )


def legacy_user(version: str = "11.6.3") -> str:
    return (
        HEADER.format(version=version)
        + """ltm monitor http /Common/erp_health {
    defaults-from /Common/http
    recv "UP"
    send "GET /erp/health HTTP/1.0\\r\\n\\r\\n"
}
ltm pool /Common/erp_pool {
    members {
        /Common/10.30.30.40:8443 {
            address 10.30.30.40
        }
        /Common/10.30.30.41:8443 {
            address 10.30.30.41
        }
    }
    min-active-members 2
    monitor /Common/http and /Common/tcp_half_open
}
net route /Common/default_gw {
    gw 203.0.113.1
    network default
}
"""
    )
