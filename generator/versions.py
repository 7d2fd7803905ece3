"""BIG-IP versions as data: one row per release, features queried by name, known issues that
say what they affect.

The shape is black's `TargetVersion` + `Feature` + `supports_feature`: the rest of etherip asks
"does this release support X?" or "which known issues hit these names?", never "is the version
>= N?". Every version string etherip writes or accepts (the `#TMSH-VERSION` line, the iApp's
`requires-bigip-version-min/max`, the `.tmpl` reader's accepted floor) comes from a `Release`
row. A new release is a new enum member and a new row (issue 13: 12.1-17.5, see
docs/research/versions-issue-13.md).

Sources (short names as in the project reference, shared/reference/bigip-11.6-etherip.md §9):
- F5-EtherIP-11.6: the EtherIP chapter applies unchanged to 11.6.1-11.6.5 [C].
- Bug470715 / K16019: VLAN names of 16+ characters including `/Common/` and backplane MTU [C].
- K5903 (via endoflife-date/release-data): 11.6 end of technical support 2022-05-10 [S].
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import Enum, StrEnum


class BigIpVersion(StrEnum):
    V11_6_1 = "11.6.1"
    V11_6_2 = "11.6.2"
    V11_6_3 = "11.6.3"
    V11_6_4 = "11.6.4"
    V11_6_5 = "11.6.5"


ALL_VERSIONS: tuple[BigIpVersion, ...] = tuple(BigIpVersion)


class Feature(Enum):
    """What a release can do that the generated output relies on."""

    ETHERIP_TUNNEL_PROFILE = "built-in /Common/etherip tunnel profile"
    VLAN_GROUP_MIGRATION_KEEPALIVE = "vlan-group migration-keepalive property"
    VIRTUAL_LOCATION_MONITOR = "ltm monitor virtual-location"
    CLI_TRANSACTION = "create/submit cli transaction in interactive tmsh"
    BACKPLANE_MTU_DB_KEY = "sys db vlan.backplane.mtu (fix for Bug 470715)"


Capability = Feature  # the name the project reference uses


class Support(StrEnum):
    SUPPORTED = "supported"
    END_OF_SOFTWARE_DEVELOPMENT = "end of software development"
    END_OF_TECHNICAL_SUPPORT = "end of technical support"


@dataclass(frozen=True)
class Release:
    """One row of the version table: everything etherip writes or checks about a release."""

    version: BigIpVersion
    branch: str  # the release line texts name ("not confirmed on 11.6")
    tmsh_version: str  # the `#TMSH-VERSION:` line of generated configuration files
    iapp_min: str  # the iApp template's requires-bigip-version-min
    iapp_max: str  # requires-bigip-version-max ("none": how BIG-IP compares hotfixes is unconfirmed [I])
    support: Support
    features: frozenset[Feature]


_ALL_11_6 = frozenset(Feature)


def _row_11_6(version: BigIpVersion) -> Release:
    # The five maintenance releases document no difference for these objects (reference §5.1).
    return Release(
        version=version,
        branch="11.6",
        tmsh_version=version.value,
        iapp_min=version.value,
        iapp_max="none",
        support=Support.END_OF_TECHNICAL_SUPPORT,
        features=_ALL_11_6,
    )


RELEASES: Mapping[BigIpVersion, Release] = {v: _row_11_6(v) for v in ALL_VERSIONS}
CAPABILITIES: Mapping[BigIpVersion, frozenset[Feature]] = {v: r.features for v, r in RELEASES.items()}


# How help texts name the supported releases ("11.6.1-11.6.5"), from the table.
SUPPORTED = f"{ALL_VERSIONS[0].value}-{ALL_VERSIONS[-1].value}"
CHOICES = f"{ALL_VERSIONS[0].value} ... {ALL_VERSIONS[-1].value}"


def release(version: BigIpVersion) -> Release:
    return RELEASES[version]


def supports(version: BigIpVersion, feature: Feature) -> bool:
    return feature in RELEASES[version].features


def capabilities(version: BigIpVersion) -> frozenset[Feature]:
    return RELEASES[version].features


def behaviour(version: BigIpVersion) -> tuple[frozenset[Feature], tuple[str, ...]]:
    """What makes two releases' output differ beyond the strings of their rows: their features
    and their known issues. Releases with equal behaviour render the same files but for those
    strings (tests/test_versions.py proves it), so the goldens pin one release per behaviour."""
    return RELEASES[version].features, tuple(i.ident for i in known_issues(version))


def pinned_versions() -> tuple[BigIpVersion, ...]:
    """One release per distinct behaviour: the newest of each group, in table order."""
    newest: dict[tuple[frozenset[Feature], tuple[str, ...]], BigIpVersion] = {}
    for version in ALL_VERSIONS:
        newest[behaviour(version)] = version
    return tuple(v for v in ALL_VERSIONS if v in newest.values())


def pinned_for(version: BigIpVersion) -> BigIpVersion:
    """The pinned release whose output `version`'s output equals but for its row's strings."""
    return next(v for v in pinned_versions() if behaviour(v) == behaviour(version))


def row_texts(version: BigIpVersion) -> dict[str, str]:
    """Every text the row puts into the output: all that may differ between same-behaviour releases."""
    row = RELEASES[version]
    return {
        "version": row.version.value,
        "branch": row.branch,
        "tmsh_version": row.tmsh_version,
        "iapp_min": row.iapp_min,
        "iapp_max": row.iapp_max,
    }


def iapp_min_versions() -> frozenset[str]:
    """Every `requires-bigip-version-min` an etherip template may carry (the .tmpl reader's check)."""
    return frozenset(r.iapp_min for r in RELEASES.values())


@dataclass(frozen=True)
class LongVlanNames:
    """A known issue that hits created VLANs whose full path (with `/Common/`) is this long."""

    min_length: int

    def hits(self, vlan_paths: Iterable[str]) -> tuple[str, ...]:
        return tuple(p for p in vlan_paths if len(p) >= self.min_length)


class Precheck(Enum):
    """A read-only check the pre-check script adds when a known issue applies."""

    BACKPLANE_MTU_KEY = "list sys db vlan.backplane.mtu"


@dataclass(frozen=True)
class KnownIssue:
    ident: str
    title: str
    versions: frozenset[BigIpVersion]  # the releases it is listed for
    affects: LongVlanNames  # what in a site it hits; it applies only where this finds something
    prechecks: frozenset[Precheck]  # what the pre-check adds where it applies
    advice: str
    source: str


KNOWN_ISSUES: tuple[KnownIssue, ...] = (
    KnownIssue(
        ident="Bug 470715",
        title="VLAN names of 16 or more characters including /Common/ fragment on the tmm backplane",
        versions=frozenset({BigIpVersion.V11_6_1, BigIpVersion.V11_6_2}),
        affects=LongVlanNames(16),
        prechecks=frozenset({Precheck.BACKPLANE_MTU_KEY}),
        advice=(
            "F5 lists 11.6.1 as fixed but also lists 11.6.1 HF1/HF2 and 11.6.2 HF1 as affected. "
            "Before this change, run 'list sys db vlan.backplane.mtu': if the key is missing, "
            "this build lacks the fix; shorten the VLAN names to 7 characters or upgrade."
        ),
        source="F5 bug tracker ID470715 / K16019 [C]; affected hotfix list ambiguous",
    ),
)


def known_issues(version: BigIpVersion) -> tuple[KnownIssue, ...]:
    return tuple(issue for issue in KNOWN_ISSUES if version in issue.versions)
