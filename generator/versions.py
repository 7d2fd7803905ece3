"""BIG-IP versions as data: an enum, a capability table and a known-issue table.

Nothing else in etherip compares version strings. Templates see named booleans and notes
prepared from these tables (`generator.context`).

Sources (short names as in the project reference, shared/reference/bigip-11.6-etherip.md §9):
- F5-EtherIP-11.6: the EtherIP chapter applies unchanged to 11.6.1-11.6.5 [C].
- Bug470715 / K16019: VLAN names of 16+ characters including `/Common/` and backplane MTU [C].
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import Enum, StrEnum


class BigIpVersion(StrEnum):
    V11_6_1 = "11.6.1"
    V11_6_2 = "11.6.2"
    V11_6_3 = "11.6.3"
    V11_6_4 = "11.6.4"
    V11_6_5 = "11.6.5"


ALL_VERSIONS: tuple[BigIpVersion, ...] = tuple(BigIpVersion)


class Capability(Enum):
    """What a release can do that the generated output relies on."""

    ETHERIP_TUNNEL_PROFILE = "built-in /Common/etherip tunnel profile"
    VLAN_GROUP_MIGRATION_KEEPALIVE = "vlan-group migration-keepalive property"
    VIRTUAL_LOCATION_MONITOR = "ltm monitor virtual-location"
    CLI_TRANSACTION = "create/submit cli transaction in interactive tmsh"
    BACKPLANE_MTU_DB_KEY = "sys db vlan.backplane.mtu (fix for Bug 470715)"


_ALL_CAPS = frozenset(Capability)

# The five maintenance releases document no difference for these objects (reference §5.1),
# so the rows are identical; the table still states it, and golden diffs confirm it.
CAPABILITIES: Mapping[BigIpVersion, frozenset[Capability]] = {v: _ALL_CAPS for v in ALL_VERSIONS}


@dataclass(frozen=True)
class KnownIssue:
    ident: str
    title: str
    affects: frozenset[BigIpVersion]
    applies_when: str  # a condition the view-model evaluates: see context.known_issue_applies
    advice: str
    source: str


KNOWN_ISSUES: tuple[KnownIssue, ...] = (
    KnownIssue(
        ident="Bug 470715",
        title="VLAN names of 16 or more characters including /Common/ fragment on the tmm backplane",
        affects=frozenset({BigIpVersion.V11_6_1, BigIpVersion.V11_6_2}),
        applies_when="long_vlan_name",
        advice=(
            "F5 lists 11.6.1 as fixed but also lists 11.6.1 HF1/HF2 and 11.6.2 HF1 as affected. "
            "Before this change, run 'list sys db vlan.backplane.mtu': if the key is missing, "
            "this build lacks the fix; shorten the VLAN names to 7 characters or upgrade."
        ),
        source="F5 bug tracker ID470715 / K16019 [C]; affected hotfix list ambiguous",
    ),
)


# iApp templates state the releases they load on. The minimum is the target release; no maximum,
# because how BIG-IP compares a maximum with hotfix versions (11.6.5.3) is unconfirmed [I].
IAPP_VERSION_BOUNDS: Mapping[BigIpVersion, tuple[str, str]] = {v: (v.value, "none") for v in ALL_VERSIONS}


def capabilities(version: BigIpVersion) -> frozenset[Capability]:
    return CAPABILITIES[version]


def known_issues(version: BigIpVersion) -> tuple[KnownIssue, ...]:
    return tuple(issue for issue in KNOWN_ISSUES if version in issue.affects)
