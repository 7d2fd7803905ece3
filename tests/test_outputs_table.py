"""The kinds of file a version folder holds are one table (generator.render OUTPUTS): every
rendered file is one row's, at the row's path, with the row's manifest kind and scope."""

from __future__ import annotations

import re

from generator.artifacts import ArtifactKind
from generator.render import OUTPUTS, OutputScope, Source
from tests.helpers import ROOT, all_trees


def test_one_row_per_kind_and_each_template_exists() -> None:
    assert [row.kind for row in OUTPUTS] == list(dict.fromkeys(row.kind for row in OUTPUTS))
    shell = {row.shell_kind for row in OUTPUTS if row.shell_kind is not None}
    assert {row.kind for row in OUTPUTS} | shell == set(ArtifactKind)
    assert shell == {ArtifactKind.SHELL_APPLY}
    for row in OUTPUTS:
        assert (row.template is None) == (
            row.source in (Source.INPUT, Source.MANIFEST) or row.kind == "iapp-zip"
        )
        if row.template and row.template != "{template}":
            assert (ROOT / "templates" / "common" / row.template).is_file(), row


def _pattern(path: str) -> re.Pattern[str]:
    parts = re.split(r"(\{\w+\})", path)
    return re.compile(
        "".join(
            "[^/]+(?:/[^/]+)?" if p == "{file}" else "[^/]+" if p.startswith("{") else re.escape(p)
            for p in parts
        )
    )


def test_every_file_follows_its_row() -> None:
    rows = {row.kind: row for row in OUTPUTS} | {row.shell_kind: row for row in OUTPUTS if row.shell_kind}
    for case, version, tree in all_trees():
        kinds_seen = set()
        for art in tree.artifacts:
            row = rows[art.kind]
            kinds_seen.add(art.kind)
            assert _pattern(row.path).fullmatch(art.path), (case, version, art.path, row.path)
            assert (art.peer is None) == (row.scope is OutputScope.SITE), art.path
            assert (art.device is None) == (row.scope in (OutputScope.SITE, OutputScope.PEER)), art.path
            if row.after_apply:  # the step after the last apply step of this site's plan
                steps = [a.step for a in tree.artifacts if a.kind in ("tmsh-apply", "shell-apply")]
                assert art.step == max(s for s in steps if s is not None) + 1, art.path
            elif row.scope in (OutputScope.SITE, OutputScope.PEER, OutputScope.DEVICE):
                assert art.step == row.step, art.path
            else:
                assert art.step is not None
        key_step = any(a.path.endswith(".sh") for a in tree.artifacts)  # an IPsec pre-shared key
        assert kinds_seen == set(ArtifactKind) - (set() if key_step else {ArtifactKind.SHELL_APPLY}), (
            case,
            version,
        )
        order = [
            next(i for i, r in enumerate(OUTPUTS) if r.kind == a.kind)
            for a in tree.artifacts
            if a.peer is None
        ]
        assert order == sorted(order), "site files in table order"


def test_step_files_are_named_by_the_step_plan() -> None:
    """Each device's step files, and every file the iApp flows paste, are named by
    generator/steps.py (step_file_name): the one place a step's file name comes from."""
    from generator.context import build_context
    from generator.iapp.flow import apply_flow, rollback_flow
    from generator.steps import Phase, plan, step_file_name
    from tests.helpers import CASES, site

    for case in CASES:
        s = site(case)
        ctx = build_context(s, s.bigip_version)
        for peer in ctx.peers:
            for device in peer.devices:
                for ds in (*device.steps, *device.rollback):
                    assert ds.filename == step_file_name(ds.step, ds.phase), (case, ds.filename)
        named = {
            f"{p}/{h}/{step_file_name(step, phase)}"
            for p, peer in s.peers.items()
            for h in peer.devices
            for phase in Phase
            for step in plan(phase, key_step=s.ipsec is not None and s.ipsec.auth == "psk")
        }
        for p in s.peers:
            for op in apply_flow(s, p) + rollback_flow(s, p):
                assert op.action != "tmsh" or op.file in named, (case, op.file)
