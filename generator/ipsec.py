"""IPsec for the EtherIP tunnel: what a site's `ipsec` key resolves to on one release.

F5's chapter "Securing EtherIP Tunnel Traffic with IPsec" (TMOS Tunneling and IPsec 13.0, 13.1,
14.1-17.0) says one thing for certain: an IPsec traffic selector on each side, with the same
source and destination addresses as the EtherIP tunnel, in both data centers [C]. The values
of its later tasks (IKE version, algorithms, mode) were not found (docs/research/ipsec-issue-19.md
§1), so every default below is etherip's choice, stated and tagged:

- IKE version: v2 where the release mirrors IKEv2 security associations to the standby unit
  (Feature.IPSEC_SA_MIRRORING, from F5 Bug 807453 [C]; F5: "Only IKEv2 tunnels support HA
  failover" [C]), else v1 (a release without Feature.IKEV2 has IKEv1 only as far as is known
  [I]; the others take v2 when the site asks).
- Authentication: a pre-shared key, typed on the box and never written to a file.
- ESP in tunnel mode between the two tunnel endpoints (F5's two-BIG-IP chapters use tunnel mode
  with tunnel-local and tunnel-remote addresses [C]); it pins the ESP source to the floating
  endpoint [I]. transport saves 20 bytes a packet.
- Phase 1: aes256 (11.6: aes, the only AES name of the 12.0 schema [S]), sha256 (F5's default
  [C]), modp2048 (F5's default modp1024 is weak; etherip's choice [I]), 1440 minutes (F5's [C]).
- Phase 2: aes256 with sha256 (AES-CBC + HMAC-SHA-256, present in the 12.0 schema [S]), PFS
  modp2048 (F5's default is none [C]; etherip's choice), 1440 minutes (F5's [C]).
- Traffic selector: IP protocol 97 (EtherIP) only, from this endpoint /32 to the other /32,
  direction both [C for the addresses; I for protocol 97].
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from generator.citations import REST_HELP
from generator.versions import BigIpVersion, Feature, supports

if TYPE_CHECKING:
    from generator.model import Ipsec, Site

ESP_PROTOCOL = "50:0"  # IP protocol 50 as an allow-service entry (F5ChannelSE lab: `50:0` [S])
IKE_SERVICE = "udp:500"  # IKE (F5ChannelSE lab: `udp:500` [S]; "Only 500/4500 is supported" [S])
NAT_T_SERVICE = "udp:4500"  # IKE and ESP behind NAT, with nat_traversal on or force [S]
ETHERIP_PROTOCOL = 97  # RFC 3378 [C]
DIRECTION = "both"  # the selector protects both directions (F5's default [C])
MAIN_MODE = "main"  # IKEv1 phase-1 exchange (F5's default [C]); IKEv2 has none
PSK_METHOD = "pre-shared-key"
CERT_METHOD = "rsa-signature"
PSK_VARIABLE = '"$EIP_PSK"'  # the key step's shell variable: the key typed on the box, never a file
# The form the key step admits (a POSIX ERE, matched with LC_ALL=C): the base64 alphabet and . _ -.
# None of these characters means anything to tmsh or Tcl (no space, quote, brace, bracket,
# backslash, dollar, semicolon or #), so the key reaches tmsh as one word, whatever is typed.
KEY_FORM = "^[A-Za-z0-9][A-Za-z0-9+/=._-]{15,127}$"  # first a letter or digit: never a word like an option


@dataclass(frozen=True)
class IpsecSettings:
    """Every IPsec value of one deployment on one release, each stated (no BIG-IP default is
    relied on: F5's object defaults differ between the objects [S])."""

    ike_version: str  # v1 | v2
    auth: str  # psk | certificate
    mode: str  # tunnel | transport
    nat_traversal: str  # off | on | force
    phase1_encrypt: str
    phase1_hash: str
    dh_group: str
    phase1_lifetime: int
    phase2_encrypt: str
    phase2_auth: str  # the GCM name again with AES-GCM (F5's default-ipsec-policy does so [C])
    pfs: str
    phase2_lifetime: int
    writes_version: bool  # the release has ike-peer `version` (11.6: not known [I]; v1 is its default)
    mirrored: bool  # IKEv2 SAs are mirrored to the standby unit on this release

    @property
    def psk(self) -> bool:
        return self.auth == "psk"

    @property
    def gcm(self) -> bool:
        return self.phase2_encrypt.startswith("aes-gcm")

    @property
    def services(self) -> tuple[str, ...]:
        """The allow-service entries the tunnel endpoint needs for IKE and ESP."""
        nat = (NAT_T_SERVICE,) if self.nat_traversal != "off" else ()
        return (ESP_PROTOCOL, IKE_SERVICE, *nat)


def default_ike_version(version: BigIpVersion) -> str:
    return "v2" if supports(version, Feature.IPSEC_SA_MIRRORING) else "v1"


def default_phase1_encrypt(version: BigIpVersion) -> str:
    return "aes256" if supports(version, Feature.IKE_AES_KEY_LENGTHS) else "aes"


def resolve(site: Site, version: BigIpVersion) -> IpsecSettings | None:
    """The site's IPsec on `version`, every unset value at its documented default."""
    if site.ipsec is None:
        return None
    return settings(site.ipsec, version)


def settings(ipsec: Ipsec, version: BigIpVersion) -> IpsecSettings:
    encrypt = ipsec.phase2_encrypt
    gcm = encrypt.startswith("aes-gcm")
    return IpsecSettings(
        ike_version=ipsec.ike_version or default_ike_version(version),
        auth=ipsec.auth,
        mode=ipsec.mode,
        nat_traversal=ipsec.nat_traversal,
        phase1_encrypt=ipsec.phase1_encrypt or default_phase1_encrypt(version),
        phase1_hash=ipsec.phase1_hash,
        dh_group=ipsec.dh_group,
        phase1_lifetime=ipsec.phase1_lifetime,
        phase2_encrypt=encrypt,
        phase2_auth=encrypt if gcm else (ipsec.phase2_auth or "sha256"),
        pfs=ipsec.pfs,
        phase2_lifetime=ipsec.phase2_lifetime,
        writes_version=supports(version, Feature.IKEV2),
        mirrored=supports(version, Feature.IPSEC_SA_MIRRORING),
    )


def version_problems(ipsec: Ipsec, version: BigIpVersion) -> list[tuple[str, str]]:
    """(key, message) for each choice `version` does not take."""
    problems = []
    if ipsec.ike_version == "v2" and not supports(version, Feature.IKEV2):
        problems.append(
            (
                "ike_version",
                (
                    f"IKEv2 is not known on {version.value} (its IPsec is IKEv1, racoon, as far as is known): "
                    "remove ike_version or write v1"
                ),
            )
        )
    aes_lengths = supports(version, Feature.IKE_AES_KEY_LENGTHS)
    chosen = ipsec.phase1_encrypt
    if chosen in ("aes128", "aes192", "aes256") and not aes_lengths:
        problems.append(
            (
                "phase1_encrypt",
                f"{chosen} is not a phase-1 name on {version.value} ({REST_HELP} lists aes only): write aes or 3des",
            )
        )
    if chosen == "aes" and aes_lengths:
        problems.append(
            ("phase1_encrypt", f"{version.value} names AES by key length: write aes128, aes192 or aes256")
        )
    if ipsec.phase2_encrypt.startswith("aes-gcm") and not supports(version, Feature.IPSEC_AES_GCM):
        problems.append(
            (
                "phase2_encrypt",
                f"AES-GCM is not known on {version.value}: write aes128 or aes256 (with phase2_auth)",
            )
        )
    return problems
