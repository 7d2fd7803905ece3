"""The step plans: which scripts each device runs, in which order, for apply and rollback.

Apply follows the HA command order of the project reference (bigip-11.6-etherip.md §3): device-local objects on every unit,
synced objects once on the first unit followed by config-sync, save on every unit.
Rollback walks the same plan backwards with the same device and sync discipline.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from enum import StrEnum
from functools import cache

from generator.citations import TUNNELS_HA

PRECHECK_FILE = "00-precheck.tmsh"  # read-only, on every device before the first step


class Phase(StrEnum):
    APPLY = "apply"
    ROLLBACK = "rollback"


@dataclass(frozen=True, kw_only=True)
class PhaseWords:
    """How a step file's header names its phase (header.tmsh.j2 reads these, never the phase)."""

    heading: str  # "Step 2 of 5"
    step_prefix: str  # "rollback " in "rollback step 1 (pool-monitor)"
    before_intro: tuple[str, ...]  # the lines that introduce the "Before:" list of earlier steps
    before_first: str  # the "Before:" line of the phase's first step on a device
    on_failed_submit: str  # what to do when the transaction's submit fails
    folder: str  # where the phase's files live in a device folder


WORDS: dict[Phase, PhaseWords] = {
    Phase.APPLY: PhaseWords(
        heading="Step",
        step_prefix="",
        before_intro=("these steps are done, each without an error:",),
        before_first=f"the pre-checks ({PRECHECK_FILE}) passed on every device of both data centers.",
        on_failed_submit="follow CHANGE.md's rollback trigger",
        folder="",
    ),
    Phase.ROLLBACK: PhaseWords(
        heading="Rollback step",
        step_prefix="rollback ",
        before_intro=(
            "these rollback steps are done, each without an error, on every device where the",
            '  apply step it undoes ran (one that never ran there is skipped; CHANGE.md, "Rollback", names',
            "  the first rollback file for where the change stopped):",
        ),
        before_first='the change is being backed out (CHANGE.md, "Rollback": it names the first rollback file for where the change stopped).',
        on_failed_submit="ask for help",
        folder="rollback/",
    ),
}


@dataclass(frozen=True, kw_only=True)
class Step:
    number: int
    slug: str
    title: str  # the plan's words; a device's copy of a transaction step is titled from its operations
    synced: bool  # runs on the first device only, then config-sync (HA)
    transaction: bool  # its configuration commands run in one cli transaction
    template: str
    undoes: int | None = None  # rollback steps: the apply step this one reverses
    expect: str = "the prompt returns after submit with no error"
    expect_pair: str = ""  # what an HA pair shows in addition (config-sync, sync status)
    inferred: tuple[str, ...] = ()  # [I]/[S] facts from the reference this step relies on
    # facts that hold only where this device's copy of the step creates the tunnel's endpoint
    # self IP (a standalone device's WAN self IP); stated after `inferred`
    inferred_for_endpoint: tuple[str, ...] = ()
    inferred_pair: tuple[str, ...] = ()  # facts about config-sync: stated only on an HA pair
    shell: bool = False  # runs in bash, not tmsh (the IPsec key step: the key is typed there)

    @property
    def suffix(self) -> str:
        return "sh" if self.shell else "tmsh"


_NOT_SYNCED = "VLANs, VLAN groups and non-floating self IPs are not config-synced, so every unit changes its own (F5 BIG-IP Device Service Clustering, list of objects config-sync does not synchronize [S])."
_TUNNEL_SYNCED = f"A tunnel whose local address is a floating self IP is config-synced ({TUNNELS_HA}: by default the system synchronizes all existing tunnel objects [S])."

_ETHERIP_LOCKDOWN = "The tunnel's local self IP admits IP protocol 97 as allow-service entry 97:0: the protocol:0 form is F5's for protocols without ports [C], 97 itself is not shown in any source [I]; if tmsh refuses it, use allow-service all on that self IP."
_SYNC_EXPECT = "no error after submit"
_SYNC_EXPECT_PAIR = "the config-sync returns with no error"
_SAVE = Step(
    number=5,
    slug="save",
    title="save the configuration",
    synced=False,
    transaction=False,
    template="save.tmsh.j2",
    expect="'Saving running configuration...', no error",
    expect_pair="then In Sync",
)

APPLY: tuple[Step, ...] = (
    Step(
        number=1,
        slug="local-network",
        title="VLANs and this device's WAN self IP",
        synced=False,
        transaction=True,
        template="step.tmsh.j2",
        inferred_pair=(_NOT_SYNCED,),
        inferred_for_endpoint=(_ETHERIP_LOCKDOWN,),
    ),
    Step(
        number=2,
        slug="tunnel",
        title="EtherIP tunnel to the other data center (and, where this peer has them, the floating WAN self IP and the route through the WAN gateway)",
        synced=True,
        transaction=True,
        template="step.tmsh.j2",
        expect=_SYNC_EXPECT,
        expect_pair=_SYNC_EXPECT_PAIR,
        inferred_pair=(_TUNNEL_SYNCED,),
        inferred=(_ETHERIP_LOCKDOWN,),
    ),
    Step(
        number=0,  # numbered by plan(): only a site with an IPsec pre-shared key has it
        slug="ike-peer",
        title="IKE peer, with the pre-shared key typed on the unit",
        synced=True,
        transaction=False,
        template="ike_peer.sh.j2",
        expect="'etherip: IKE peer created.', no error",
        expect_pair="then the config-sync returns with no error",
        inferred=(
            "tmsh writes the commands it runs to ~/.tmsh-history-<user>, also when bash runs it (project notes on 21.x [S]); this step deletes the lines naming preshared-key from that file; F5's qkview collects /root/.tmsh-history-root unless excluded [C].",
            "While the one tmsh command runs (about a second), the key is in its command line, visible to `ps` on this unit [I]; whether /var/log/audit records it masked is not known [I]: the step counts the audit lines naming preshared-key.",
        ),
        inferred_pair=(
            "The IKE peer is config-synced like the other IPsec objects (F5's list of objects config-sync leaves out does not name it [S]); its key travels encrypted with the device group's master key [I].",
        ),
        shell=True,
    ),
    Step(
        number=3,
        slug="vlan-group",
        title="VLAN group bridging the VM VLAN and the tunnel, and this device's VM self IP",
        synced=False,
        transaction=True,
        template="step.tmsh.j2",
        inferred=(
            "migration-keepalive enabled is the vMotion setting (F5's help text for the VLAN group: keepalives for existing connections when a node moves from one member to another [S]); its default and F5's recommended mode are unconfirmed [I].",
        ),
    ),
    Step(
        number=4,
        slug="pool-monitor",
        title="pool and Virtual Location monitor",
        synced=True,
        transaction=True,
        template="step.tmsh.j2",
        expect=_SYNC_EXPECT,
        expect_pair=_SYNC_EXPECT_PAIR,
        inferred=(
            "The Virtual Location monitor prefers local members only with priority-group activation (min-active-members 1) (F5: the monitor adjusts each member's priority so local members are preferred [S]; the effect needs priority-group activation [I]); an existing pool gets min-active-members 1 too, and rollback puts its old value back.",
            "Whether one cli transaction may create the monitor and attach it to the pool is unconfirmed [I].",
        ),
    ),
    _SAVE,
)

ROLLBACK: tuple[Step, ...] = (
    Step(
        number=1,
        slug="pool-monitor",
        title="detach and delete the Virtual Location monitor, restore or delete the pool",
        synced=True,
        transaction=True,
        template="step.tmsh.j2",
        undoes=4,
        expect=_SYNC_EXPECT,
        expect_pair=_SYNC_EXPECT_PAIR,
        inferred_pair=(
            "Config-sync removes synced objects deleted on the first unit from the other unit [I].",
        ),
    ),
    Step(
        number=2,
        slug="vlan-group",
        title="delete this device's VM self IP and the VLAN group",
        synced=False,
        transaction=True,
        template="step.tmsh.j2",
        undoes=3,
        inferred_pair=(_NOT_SYNCED,),
    ),
    Step(
        number=0,
        slug="ike-peer",
        title="delete the IKE peer",
        synced=True,
        transaction=True,
        template="step.tmsh.j2",
        undoes=0,
        expect=_SYNC_EXPECT,
        expect_pair=_SYNC_EXPECT_PAIR,
    ),
    Step(
        number=3,
        slug="tunnel",
        title="delete the EtherIP tunnel (and the route)",
        synced=True,
        transaction=True,
        template="step.tmsh.j2",
        undoes=2,
        expect=_SYNC_EXPECT,
        expect_pair=_SYNC_EXPECT_PAIR,
        inferred_pair=(_TUNNEL_SYNCED,),
    ),
    Step(
        number=4,
        slug="local-network",
        title="delete this device's WAN self IP and the VLANs etherip created",
        synced=False,
        transaction=True,
        template="step.tmsh.j2",
        undoes=1,
        inferred_pair=(_NOT_SYNCED,),
    ),
    _SAVE,
)


KEY_STEP = "ike-peer"


@cache
def plan(phase: Phase, *, key_step: bool = False) -> tuple[Step, ...]:
    """The steps of `phase`, numbered in order. `key_step`: the site's IPsec uses a pre-shared
    key, so an apply step creates the IKE peer where the key is typed (and a rollback step
    deletes it); otherwise there is no such step and the others keep their numbers."""
    apply = _numbered(s for s in APPLY if key_step or s.slug != KEY_STEP)
    if phase == Phase.APPLY:  # ==, not is: the cache takes "apply" and Phase.APPLY as one key
        return apply
    numbers = {s.slug: s.number for s in apply}
    steps = _numbered(s for s in ROLLBACK if key_step or s.slug != KEY_STEP)
    return tuple(replace(s, undoes=numbers[s.slug]) if s.undoes is not None else s for s in steps)


def _numbered(steps: Iterable[Step]) -> tuple[Step, ...]:
    return tuple(replace(s, number=n) for n, s in enumerate(steps, start=1))


def step_file_name(step: Step, phase: Phase) -> str:
    """The file a device runs for `step` of `phase`, relative to its device folder
    (`01-local-network.tmsh`, `rollback/02-vlan-group.tmsh`, `03-ike-peer.sh`): the one place
    step files are named."""
    return f"{WORDS[phase].folder}{step.number:02d}-{step.slug}.{step.suffix}"


def step_file(phase: Phase, slug: str, *, key_step: bool = False) -> str:
    """The file of the step named `slug` in `phase`'s plan (KeyError if the plan has none)."""
    for step in plan(phase, key_step=key_step):
        if step.slug == slug:
            return step_file_name(step, phase)
    raise KeyError(f"no {phase.value} step {slug!r}")


def verify_file(step_count: int) -> str:
    """The verification file, read-only, on every device after the last apply step (06, or 07
    with the IPsec key step)."""
    return f"{step_count + 1:02d}-verify.tmsh"


def applies(step: Step, *, first_device: bool, has_operations: bool) -> bool:
    """A synced step runs on the first device only; a transaction with nothing in it on that
    device is no step there (step 1 where every VLAN and self IP of it exists)."""
    if step.synced and not first_device:
        return False
    return has_operations or not step.transaction
