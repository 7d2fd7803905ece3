"""BIG-IP versions as data: one row per release, and what makes one release's output differ
from another's, each with its source.

Output differs by release in three ways, all asked of this table by the view-model, never by
comparing version numbers: the row's strings (`#TMSH-VERSION`, the iApp's
`requires-bigip-version-min/max`, the support status and procedure source: `row_texts`), the
known issues that apply to a site (`known_issues`: what they affect and which read-only checks
they add) and the version notes a document prints (`notes_for`). Every version string etherip
writes or accepts comes from a `Release` row. A new release is a new enum member and a new row
(issue 13 added 13.1-17.5 and 21.1 from docs/research/versions-issue-13.md; 12.1 is left out:
Bug 470715's tracker lists 12.1 hotfixes as affected, and 21.0 ended its support before this
table).

Every EtherIP object and property etherip emits exists unchanged on every release listed
(research §2), so no feature names them (issue 21 item 3 removed a table that listed them all
everywhere). IPsec is where releases differ: `Feature` names what only some rows carry
(IKEv2, AES key-length names, AES-GCM, IKEv2 SA mirroring), and generator/ipsec.py asks
`supports(version, Feature.X)`; `behaviour` includes the features, so the goldens pin them.

Sources (short names as in the project reference, shared/reference/bigip-11.6-etherip.md §9):
- F5-EtherIP-11.6: the EtherIP chapter applies unchanged to 11.6.1-11.6.5 [C].
- Bug470715 / K16019: VLAN names of 16+ characters including `/Common/` and backplane MTU [C].
- K5903 (via endoflife-date/release-data `releases/big-ip.json`): end of technical support per
  branch [S].
- Issue 13's rows (13.1-17.5) rest on docs/research/versions-issue-13.md; each row and note names
  its source and confidence there ("research row N").
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
    # Later release lines by branch name (research §2: `<branch>.0` in generated headers).
    V13_1 = "13.1"
    V14_1 = "14.1"
    V15_1 = "15.1"
    V16_1 = "16.1"
    V17_1 = "17.1"
    V17_5 = "17.5"
    V21_1 = "21.1"


ALL_VERSIONS: tuple[BigIpVersion, ...] = tuple(BigIpVersion)
FORMER_DEFAULT = BigIpVersion.V11_6_5  # what etherip 0.1 rendered for a site file naming no version


class Feature(Enum):
    """What only some releases can do, asked where the output differs (generator/ipsec.py).
    11.6's IPsec objects are known only through the 12.0 schema [S]: what came after is not
    offered there (docs/research/ipsec-issue-19.md)."""

    IKEV2 = "net ipsec ike-peer version v2 (IKEv2 in tmm; show net ipsec ike-sa)"
    IKE_AES_KEY_LENGTHS = "phase-1 encryption named aes128/aes192/aes256 (the 12.0 schema: aes)"
    IPSEC_AES_GCM = "phase-2 AES-GCM (ike-phase2-encrypt-algorithm aes-gcm128/aes-gcm256)"
    IPSEC_SA_MIRRORING = "IKEv2 security associations mirrored to the standby unit (F5 Bug 807453 [C])"


_AFTER_11_6 = frozenset({Feature.IKEV2, Feature.IKE_AES_KEY_LENGTHS, Feature.IPSEC_AES_GCM})
_MIRRORING = _AFTER_11_6 | {Feature.IPSEC_SA_MIRRORING}  # 16.1.0 and later (Bug 807453 [C])


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
    support_ends: str  # end of technical support (K5903 via endoflife.date [S])
    procedure: str  # where the EtherIP procedure for this branch comes from, with its confidence
    features: frozenset[Feature] = frozenset()  # what this release has that others lack

    @property
    def support_text(self) -> str:
        """The support status as the runbook states it (as of the research date, 2026-12-01)."""
        if self.support is Support.SUPPORTED:
            return f"supported; end of technical support {self.support_ends} (F5 K5903 [S])"
        return f"{self.support.value} since {self.support_ends} (F5 K5903 [S])"


_11_6 = (
    BigIpVersion.V11_6_1,
    BigIpVersion.V11_6_2,
    BigIpVersion.V11_6_3,
    BigIpVersion.V11_6_4,
    BigIpVersion.V11_6_5,
)


def _row_11_6(version: BigIpVersion) -> Release:
    # The five maintenance releases document no difference for these objects (project reference bigip-11.6-etherip.md §5.1).
    return Release(
        version=version,
        branch="11.6",
        tmsh_version=version.value,
        iapp_min=version.value,
        iapp_max="none",
        support=Support.END_OF_TECHNICAL_SUPPORT,
        support_ends="2022-05-10",
        procedure="F5 TMOS Tunneling and IPsec 11.6, EtherIP chapter [C]",
    )


# 13.1 onward: the objects and commands etherip emits exist unchanged (research §2 and rows
# 6-9, 19-22, 24 [C/S]). New properties (VLAN-group virtual-wire mode,
# vwire-propagate-linkstatus) are never emitted.
# Research rows 1 and 2 (the texts reach CHANGE.md, so they name F5's documents, not the research file).
_PROCEDURE_14_1 = (
    "F5 TMOS Tunneling and IPsec 14.1.0, 'Configuring an EtherIP Tunnel' (one page for 14.1.0 to 17.0.0) [C]"
)
_PROCEDURE_INFERRED = (
    "no F5 EtherIP chapter found for this release line; the 14.1-17.0 procedure is assumed unchanged [I]"
)


def _later_row(
    version: BigIpVersion,
    support: Support,
    ends: str,
    procedure: str,
    features: frozenset[Feature] = _MIRRORING,
) -> Release:
    # `#TMSH-VERSION` and requires-bigip-version-min: the branch's .0 release (research rows 17-18 [S]).
    return Release(
        version=version,
        branch=version.value,
        tmsh_version=f"{version.value}.0",
        iapp_min=f"{version.value}.0",
        iapp_max="none",
        support=support,
        support_ends=ends,
        procedure=procedure,
        features=features,
    )


_EOTS, _SUPPORTED = Support.END_OF_TECHNICAL_SUPPORT, Support.SUPPORTED
RELEASES: Mapping[BigIpVersion, Release] = {
    **{v: _row_11_6(v) for v in _11_6},
    # 13.1: EtherIP objects confirmed on 13.1+ by F5's DO schema and VLAN-group field list
    # (research rows 6, 8) [C]; the chapter itself was not found for 13.1 [I].
    BigIpVersion.V13_1: _later_row(
        BigIpVersion.V13_1,
        _EOTS,
        "2023-12-31",
        "no F5 EtherIP chapter found for this release line; the tunnel and VLAN-group properties "
        "used are in F5's Declarative Onboarding schema and field lists for 13.1 and later [C], "
        "the 14.1-17.0 procedure is assumed unchanged [I]",
        _AFTER_11_6,
    ),
    BigIpVersion.V14_1: _later_row(BigIpVersion.V14_1, _EOTS, "2023-12-31", _PROCEDURE_14_1, _AFTER_11_6),
    # 15.1's end of support: release-data says 2024-12-31, products/big-ip.md 2025-12-31; past either way.
    BigIpVersion.V15_1: _later_row(BigIpVersion.V15_1, _EOTS, "2024-12-31", _PROCEDURE_14_1, _AFTER_11_6),
    BigIpVersion.V16_1: _later_row(BigIpVersion.V16_1, _EOTS, "2025-07-31", _PROCEDURE_14_1),
    BigIpVersion.V17_1: _later_row(BigIpVersion.V17_1, _SUPPORTED, "2027-03-31", _PROCEDURE_INFERRED),
    BigIpVersion.V17_5: _later_row(BigIpVersion.V17_5, _SUPPORTED, "2029-01-01", _PROCEDURE_INFERRED),
    # 21.1 (LTS; 21.0 ended 2026-08-06 and is not listed): its iApp runtime is measured (tmsh cli
    # script and iApp implementations on 21.1.0.1 run Tcl 8.4.6 [C], research row 15), which is
    # more than 17.1/17.5 have; the procedure is as inferred there.
    BigIpVersion.V21_1: _later_row(BigIpVersion.V21_1, _SUPPORTED, "2029-05-05", _PROCEDURE_INFERRED),
}
assert tuple(RELEASES) == ALL_VERSIONS, "one row per version, in version order"


def _named_ranges() -> str:
    """The releases as help texts name them: a branch of several rows as a range, others by name."""
    by_branch: dict[str, list[BigIpVersion]] = {}
    for v in ALL_VERSIONS:
        by_branch.setdefault(RELEASES[v].branch, []).append(v)
    return ", ".join(
        f"{vs[0].value}-{vs[-1].value}" if len(vs) > 1 else vs[0].value for vs in by_branch.values()
    )


# How help texts name the supported releases ("11.6.1-11.6.5, 13.1, ..."), from the table.
SUPPORTED = _named_ranges()
CHOICES = f"{ALL_VERSIONS[0].value} ... {ALL_VERSIONS[-1].value}"


def release(version: BigIpVersion) -> Release:
    return RELEASES[version]


def behaviour(version: BigIpVersion) -> tuple[str, ...]:
    """What makes two releases' output differ beyond the strings of their rows: their features,
    their known issues and the version notes the output prints. Releases with equal behaviour
    render the same files but for those strings (tests/test_versions.py proves it), so the
    goldens pin one release per behaviour."""
    shown = tuple(n.ident for n in version_notes(version) if n.shown_in)
    features = tuple(sorted(f.name for f in RELEASES[version].features))
    return features + tuple(i.ident for i in known_issues(version)) + shown


def supports(version: BigIpVersion, feature: Feature) -> bool:
    return feature in RELEASES[version].features


def pinned_versions() -> tuple[BigIpVersion, ...]:
    """One release per distinct behaviour: the newest of each group, in table order."""
    newest: dict[tuple[str, ...], BigIpVersion] = {}
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
        "support": row.support_text,
        "procedure": row.procedure,
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


class Doc(StrEnum):
    """Where a version note is printed."""

    CHANGE = "CHANGE.md"
    IMPORT = "IMPORT.md"


@dataclass(frozen=True)
class VersionNote:
    """A difference of a release line that the output does not rely on: printed in the
    documents named by `shown_in` (none: only `etherip versions` lists it), with its source."""

    ident: str
    versions: frozenset[BigIpVersion]
    shown_in: frozenset[Doc]
    text: str
    source: str


_FROM_13_1 = frozenset(v for v in ALL_VERSIONS if v not in _11_6)

VERSION_NOTES: tuple[VersionNote, ...] = (
    VersionNote(
        ident="iApps and FAST",
        versions=_FROM_13_1,
        shown_in=frozenset({Doc.CHANGE, Doc.IMPORT}),
        text=(
            "F5 calls FAST (Application Services Templates, TMOS 13.1 and later) the successor of iApp "
            "templates; iApp templates are deprecated but are not removed or disabled, and still "
            "import and run. FAST renders AS3 declarations, and neither AS3 nor Declarative "
            "Onboarding can express this change: DO's Tunnel class takes only tcp-forward (no "
            "EtherIP), DO has no VLAN group, and AS3 has no network objects and no Virtual Location "
            "monitor type (the last inferred). tmsh and this iApp remain the way to make it."
        ),
        source=(
            "F5Networks/f5-appsvcs-templates docs/userguide/faq.rst and K13422 [C]; "
            "F5Networks/f5-declarative-onboarding network.schema.json and issue #222 [C]; "
            "AS3 monitor types [I] (research rows 10-13)"
        ),
    ),
    VersionNote(
        ident="F5OS tenant VLANs",
        versions=_FROM_13_1,
        shown_in=frozenset({Doc.CHANGE}),
        text=(
            "If this BIG-IP is a tenant on VELOS or rSeries (F5OS), its VLANs come from the F5OS "
            "platform layer and reach the tenant by tag: a VLAN created only inside the tenant may "
            "not carry traffic. Create the VLANs of this change on F5OS first, with the same tags, and "
            "assign them to the tenant; how step 1 then meets them in the tenant is not confirmed "
            "(inferred). Appliances and VE are not affected."
        ),
        source=(
            "F5 clouddocs F5OS-A 1.0.0 System resource provisioning [C]; "
            "f5devcentral/f5-rseries-training [S] (research rows 26, 31)"
        ),
    ),
    VersionNote(
        ident="iSession/AAM",
        versions=frozenset({BigIpVersion.V16_1, BigIpVersion.V17_1, BigIpVersion.V17_5, BigIpVersion.V21_1}),
        shown_in=frozenset(),
        text=(
            "iSession WAN optimisation (AAM) is gone from 16.0 on; the EtherIP procedure calls it "
            "optional and this change never uses it."
        ),
        source="F5 TMOS Tunneling and IPsec 14.1.0 EtherIP page, Applies-To: AAM up to 15.1.9 [C] (research row 3)",
    ),
    VersionNote(
        ident="virtual-wire",
        versions=_FROM_13_1,
        shown_in=frozenset(),
        text=(
            "VLAN groups gain a virtual-wire mode (and vwire-propagate-linkstatus); this change "
            "states its mode explicitly and never uses them."
        ),
        source=(
            "F5 TMOS Routing Administration 13.1.0, Virtual Wires [C]; "
            "F5Networks/f5-declarative-onboarding issue #222 [C] (research rows 5-6)"
        ),
    ),
    VersionNote(
        ident="Tcl 8.4",
        versions=_FROM_13_1,
        shown_in=frozenset(),
        text=(
            "iApp implementations run Tcl 8.4 (8.4.6 measured on 21.1); the implementation stays "
            "8.4-only on every release line."
        ),
        source="bitwisecook/tcl-lsp docs/design/bigip-irule-parser-measurements.md [C for 21.1, I between] (research rows 15-16)",
    ),
)


def version_notes(version: BigIpVersion) -> tuple[VersionNote, ...]:
    return tuple(note for note in VERSION_NOTES if version in note.versions)


def notes_for(version: BigIpVersion, doc: Doc) -> tuple[str, ...]:
    """The note texts `doc` prints for `version`."""
    return tuple(n.text for n in version_notes(version) if doc in n.shown_in)
