"""IPsec for the EtherIP tunnel (issue 19): what the two sides hold is derived here from the site
file alone (not from the view-model) and compared with the replayed scripts; the ESP arithmetic
against the RFC sums; no file holds a key; the key step is bash that bash itself parses, and its
reader refuses every way of making it unsafe; the replay refuses IPsec that would not come up."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from generator.ipsec import settings
from generator.model import Ipsec, Site
from generator.mtu import wan_packet
from generator.proof.precheck.run import UnitInput, run_precheck
from generator.proof.tmsh.keystep import parse_key_step, parse_step
from generator.proof.tmsh.replay import Cluster, runbook_order, starting_cluster, tunnel_problems
from generator.proof.tmsh.script import ScriptError
from generator.render import VersionTree, render_version
from generator.validate import load_site_text
from generator.versions import BigIpVersion, pinned_versions
from tests.helpers import CASES_DIR, manifest, site, tree
from tests.precheck.configs import clean, write_form

PSK, CERT = "ipsec-psk", "ipsec-cert"
POLICY, SELECTOR, PEER = (
    ("net", "ipsec", "ipsec-policy"),
    ("net", "ipsec", "traffic-selector"),
    ("net", "ipsec", "ike-peer"),
)
SELF = ("net", "self")


def _replay(s: Site, t: VersionTree, files: dict[str, bytes] | None = None) -> dict[str, Cluster]:
    files = files if files is not None else t.files()
    clusters = {}
    for name in s.peers:
        cluster = starting_cluster(s, name)
        for art in runbook_order(s, name, manifest(t)["artifacts"]):  # type: ignore[arg-type]
            path = str(art["path"])
            cluster.run(str(art["device"]), parse_step(path, files[path].decode()), path)
        clusters[name] = cluster
    return clusters


# ---- the RFC sums -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("encrypt", "auth", "mode", "nat", "wan"),
    [
        # tunnel 1500 + EtherIP 36 = 1536-byte EtherIP packet, 1516 bytes after its IPv4 header
        ("aes256", "sha256", "transport", "off", 20 + 8 + 16 + 1520 + 16),  # 1518 -> 1520 (16)
        ("aes256", "sha1", "transport", "off", 20 + 8 + 16 + 1520 + 12),
        ("aes-gcm128", None, "transport", "off", 20 + 8 + 8 + 1520 + 16),  # 1518 -> 1520 (4)
        ("aes256", "sha256", "tunnel", "off", 20 + 8 + 16 + 1552 + 16),  # 1538 -> 1552 (16)
        ("aes-gcm256", None, "tunnel", "off", 20 + 8 + 8 + 1540 + 16),  # 1538 -> 1540 (4)
        ("aes128", "sha512", "tunnel", "on", 20 + 8 + 8 + 16 + 1552 + 32),  # NAT-T's UDP 8
    ],
)
def test_esp_bytes_are_the_rfc_sums(encrypt: str, auth: str | None, mode: str, nat: str, wan: int) -> None:
    ipsec = Ipsec(phase2_encrypt=encrypt, phase2_auth=auth, mode=mode, nat_traversal=nat)
    assert wan_packet(1500, settings(ipsec, BigIpVersion.V17_1)) == wan
    assert wan_packet(1500, None) == 1536


# ---- both sides, from the site file -------------------------------------------------------


@pytest.mark.parametrize("case", [PSK, CERT])
@pytest.mark.parametrize("version", pinned_versions())
def test_the_two_sides_mirror(case: str, version: BigIpVersion) -> None:
    s = site(case)
    clusters = _replay(s, tree(case, version))
    assert list(tunnel_problems(s, clusters)) == []
    prefix = f"/Common/{s.deployment}"
    for name, peer in s.peers.items():
        _, other = s.remote(name)
        mine, theirs = str(peer.endpoint), str(other.endpoint)
        for host, device in clusters[name].devices.items():
            selector = device.objects[(SELECTOR, f"{prefix}_ts")]
            assert (selector["source-address"], selector["destination-address"]) == (
                f"{mine}/32",
                f"{theirs}/32",
            ), host
            assert selector["ip-protocol"] == "97" and selector["ipsec-policy"] == f"{prefix}_ipsec"
            ike = device.objects[(PEER, f"{prefix}_ike")]
            assert ike["remote-address"] == theirs
            policy = device.objects[(POLICY, f"{prefix}_ipsec")]
            if (s.ipsec or Ipsec()).mode == "tunnel":
                assert (policy["tunnel-local-address"], policy["tunnel-remote-address"]) == (mine, theirs)
            endpoint = next(
                p
                for (k, _), p in device.objects.items()
                if k == SELF and str(p["address"]).startswith(f"{mine}/")
            )
            admitted = set(endpoint["allow-service"])  # type: ignore[arg-type]
            wanted = {"97:0", "50:0", "udp:500"} | (
                {"udp:4500"} if (s.ipsec or Ipsec()).nat_traversal != "off" else set()
            )
            assert wanted <= admitted, (host, admitted)


@pytest.mark.parametrize("case", [PSK, CERT])
def test_rollback_deletes_every_ipsec_object(case: str) -> None:
    s, t = site(case), tree(case, BigIpVersion.V11_6_5)
    clusters = _replay(s, t)
    files = t.files()
    for name, cluster in clusters.items():
        start = starting_cluster(s, name)
        for art in runbook_order(s, name, manifest(t)["artifacts"], kind="tmsh-rollback"):  # type: ignore[arg-type]
            path = str(art["path"])
            cluster.run(str(art["device"]), parse_step(path, files[path].decode()), path)
        for host, device in cluster.devices.items():
            assert not [k for k in device.objects if k[0][:2] == ("net", "ipsec")], host
            assert device.objects == start.devices[host].objects


def test_ike_version_and_names_by_release() -> None:
    """11.6: IKEv1, `version` not written (its default); 15.1: IKEv1 written; 16.1 and later:
    IKEv2 by default (SA mirroring), the peer naming its selector."""
    s = site(PSK)
    expected = {
        BigIpVersion.V11_6_5: None,
        BigIpVersion.V15_1: {"v1": None},
        BigIpVersion.V21_1: {"v2": None},
    }
    for version, wanted in expected.items():
        device = _replay(s, tree(PSK, version))["backup"].devices["bigip-bak-1"]
        peer = device.objects[(PEER, "/Common/secure_ike")]
        assert peer.get("version") == wanted, version
        assert ("traffic-selector" in peer) == (wanted == {"v2": None}), version
        assert peer["phase1-encrypt-algorithm"] == ("aes" if version is BigIpVersion.V11_6_5 else "aes256")


def test_certificates_need_no_key_step() -> None:
    files = tree(CERT, BigIpVersion.V11_6_5).files()
    assert not [p for p in files if p.endswith(".sh")]
    step2 = files["north/bigip-north/02-tunnel.tmsh"].decode()
    assert "create net ipsec ike-peer /Common/certs_ike " in step2
    assert "my-cert-file /Common/north-ipsec.crt" in step2 and "verify-cert true" in step2


# ---- no key in any file ---------------------------------------------------------------------

_KEY_LINES = (
    re.compile(r'elif tmsh create net ipsec ike-peer /Common/\S+ .* preshared-key "\$EIP_PSK"; then'),
    re.compile(r"sed -i '/preshared-key/d' ~/\.tmsh-history-\"\$\(id -un\)\" 2>/dev/null"),
)


@pytest.mark.parametrize("case", [PSK, CERT])
@pytest.mark.parametrize("version", pinned_versions())
def test_no_file_holds_a_key(case: str, version: BigIpVersion) -> None:
    """`preshared-key` appears only in comments and prose, and in the key step's three lines
    (the variable read from the terminal, the history clean-up, the audit count)."""
    for path, content in tree(case, version).files().items():
        if path.endswith(".zip"):
            continue
        for line in content.decode().splitlines():
            if "preshared-key" not in line or line.startswith("#") or path.endswith(".md"):
                continue
            assert path.endswith(".sh") and any(p.fullmatch(line.strip()) for p in _KEY_LINES), (path, line)


def test_a_key_cannot_be_written_in_the_site_file() -> None:
    text = (CASES_DIR / f"{PSK}.yaml").read_text().replace("ipsec: {}", "ipsec: {psk: hunter2hunter2hunter2}")
    with pytest.raises(Exception, match="unknown key 'psk'"):
        load_site_text(text, "site.yaml")


# ---- the key step ---------------------------------------------------------------------------


def _key_step() -> tuple[str, str]:
    files = tree(PSK, BigIpVersion.V17_1).files()
    path = "primary/bigip-pri-1/03-ike-peer.sh"
    return path, files[path].decode()


def test_key_step_parses_in_bash(tmp_path: Path) -> None:
    bash = shutil.which("bash")
    assert bash is not None, "bash is part of the base system the README assumes"
    for version in pinned_versions():
        for path, content in tree(PSK, version).files().items():
            if path.endswith(".sh"):
                script = tmp_path / "step.sh"
                script.write_bytes(content)
                result = subprocess.run(
                    [bash, "-n", str(script)], capture_output=True, text=True, check=False
                )
                assert result.returncode == 0, (path, result.stderr)  # -n: read, never run


def test_key_step_gives_the_replay_one_create_and_the_sync() -> None:
    _, text = _key_step()
    commands = parse_key_step(text)
    assert [c.verb for c in commands] == ["read", "create", "sync", "read"]  # exists?, create, sync, list
    assert commands[1].props["preshared-key"] == "typed-on-the-unit"


MUTATIONS = {
    "a line after the subshell": lambda t: t + "echo done\n",
    "a literal key": lambda t: t.replace('preshared-key "$EIP_PSK"', 'preshared-key "s3cretkey0123456789"'),
    "the key unquoted": lambda t: t.replace('preshared-key "$EIP_PSK"', "preshared-key $EIP_PSK"),
    "the key twice on the create line": lambda t: t.replace(
        '"$EIP_PSK"; then', '"$EIP_PSK" && echo "$EIP_PSK"; then'
    ),
    "a form admitting a space": lambda t: t.replace("[A-Za-z0-9+/=._-]", "[A-Za-z0-9+/=._ -]"),
    "a form admitting a brace": lambda t: t.replace("[A-Za-z0-9+/=._-]", "[A-Za-z0-9+/=._{}-]"),
    "a form admitting a leading dash": lambda t: t.replace("^[A-Za-z0-9][", "^[A-Za-z0-9-]["),
    "a short key": lambda t: t.replace("{15,127}", "{1,127}"),
    "no form test": lambda t: re.sub(r"elif ! \(LC_ALL=C.*\n.*\n", "", t),
    "the form test not negated": lambda t: t.replace("elif ! (LC_ALL=C;", "elif (LC_ALL=C;"),
    "the form test in the user's locale": lambda t: t.replace("elif ! (LC_ALL=C; [[", "elif ! ([["),
    "the key echoed": lambda t: t.replace("fi\nsed -i", 'echo "$EIP_PSK"\nfi\nsed -i'),
    "the key echoed on the read line": lambda t: t.replace(
        "EIP_PSK; echo\n", 'EIP_PSK; echo "$EIP_PSK"\n', 1
    ),
    "the key assigned": lambda t: t.replace("(\nIFS=", "(\nEIP_PSK=abcdefabcdefabcdef\nIFS=", 1),
    "read with echo": lambda t: t.replace("IFS= read -r -s -p 'The same", "IFS= read -r -p 'The same"),
    "read that strips spaces": lambda t: t.replace("IFS= read -r -s -p 'The same", "read -r -s -p 'The same"),
    "tracing": lambda t: t.replace("(\nIFS=", "(\nset -x\nIFS=", 1),
    "exported": lambda t: t.replace("(\nIFS=", "(\nexport EIP_PSK\nIFS=", 1),
    "no history clean-up": lambda t: re.sub(r"sed -i '/preshared-key/d'.*\n", "", t),
    "not a subshell": lambda t: t.replace("\n(\n", "\n{\n").removesuffix(")\n") + "}\n",
}


@pytest.mark.parametrize("name", sorted(MUTATIONS))
def test_key_step_reader_refuses(name: str) -> None:
    _, text = _key_step()
    broken = MUTATIONS[name](text)
    assert broken != text, name
    with pytest.raises(ScriptError):
        parse_key_step(broken)


def test_a_key_in_a_tmsh_file_is_refused() -> None:
    text = "create cli transaction\ncreate net ipsec ike-peer /Common/x remote-address 192.0.2.1 preshared-key abcdefabcdefabcdef\nsubmit cli transaction\n"
    with pytest.raises(ScriptError, match="pre-shared key in a tmsh file"):
        parse_step("a/b/02-tunnel.tmsh", text)


# ---- the replay refuses IPsec that would not come up --------------------------------------

BREAKS = {
    "one side without its selector": (
        "backup/bigip-bak-1/02-tunnel.tmsh",
        r"create net ipsec traffic-selector .*\n",
        "",
        "sends EtherIP in clear",
    ),
    "phase-2 algorithms differ": (
        "backup/bigip-bak-1/02-tunnel.tmsh",
        r"ike-phase2-encrypt-algorithm aes256",
        "ike-phase2-encrypt-algorithm aes128",
        "ike-phase2-encrypt-algorithm differs",
    ),
    "the selectors do not mirror": (
        "backup/bigip-bak-1/02-tunnel.tmsh",
        r"destination-address 203\.0\.113\.10/32",
        "destination-address 203.0.113.0/28",
        "do not mirror",
    ),
    "the selectors differ in protocol": (
        "backup/bigip-bak-1/02-tunnel.tmsh",
        r"ip-protocol 97",
        "ip-protocol 255",
        "ip-protocol differs",
    ),
    "the selectors differ in direction": (
        "backup/bigip-bak-1/02-tunnel.tmsh",
        r"direction both",
        "direction out",
        "direction differs",
    ),
    "a policy that does not encrypt": (
        "backup/bigip-bak-1/02-tunnel.tmsh",
        r"protocol esp",
        "protocol ah",
        "does not encrypt",
    ),
    "the IKE id types differ": (
        "backup/bigip-bak-1/03-ike-peer.sh",
        r"my-id-type address",
        "my-id-type fqdn",
        "id type",
    ),
    "lockdown drops ESP": (
        "backup/bigip-bak-1/01-local-network.tmsh",
        r"97:0 50:0 udp:500",
        "97:0 udp:500",
        "drops ESP",
    ),
}


@pytest.mark.parametrize("name", sorted(BREAKS))
def test_replay_finds_ipsec_that_would_not_come_up(name: str) -> None:
    path, pattern, new, said = BREAKS[name]
    s, t = site(PSK), tree(PSK, BigIpVersion.V11_6_5)  # IKEv1: the peer names no selector
    files = dict(t.files())
    text = files[path].decode()
    assert re.search(pattern, text), (path, pattern)
    files[path] = re.sub(pattern, new, text, count=1).encode()
    problems = list(tunnel_problems(s, _replay(s, t, files)))
    assert any(said in p for p in problems), problems


# ---- a held-out site ---------------------------------------------------------------------


def test_held_out_site_with_ipsec_passes_check() -> None:
    """mixed.yaml (never written with IPsec) with `ipsec: {}` added: etherip check proves it."""
    from generator.proof.check import check_folder

    text = (CASES_DIR / "mixed.yaml").read_text().replace("vm_subnet:", "ipsec: {}\nvm_subnet:", 1)
    s = load_site_text(text, "site.yaml")
    for version in (BigIpVersion.V11_6_5, BigIpVersion.V17_1):
        report = check_folder(render_version(s, version, text.encode()).files(), "held-out")
        assert report.findings == [], [str(f) for f in report.findings[:5]]


# ---- the offline pre-check ------------------------------------------------------------------


def test_offline_precheck_finds_a_competing_ike_peer(tmp_path: Path) -> None:
    text = (CASES_DIR / "mixed.yaml").read_text().replace("vm_subnet:", "ipsec: {}\nvm_subnet:", 1)
    model = load_site_text(text, "site.yaml")
    unit = clean("bigip-dc1-a")
    planted = "net ipsec ike-peer /Common/legacy_peer {\n    remote-address 203.0.113.20\n}\n"
    unit = type(unit)(unit.base, unit.user + planted)
    path, _, _ = write_form(unit, "file", tmp_path, "bigip-dc1-a")
    report = run_precheck(model, model.bigip_version, [UnitInput(None, path, str(path))], "site.yaml")
    found = [f for f in report.findings if f.kind == "ipsec-peer"]
    assert len(found) == 1 and found[0].objects == ("/Common/vmotion_ike", "/Common/legacy_peer"), (
        report.findings
    )
    line = (path.read_text().split("\n").index("net ipsec ike-peer /Common/legacy_peer {")) + 1
    assert found[0].where.endswith(f":{line}"), found[0].where


def test_check_tells_releases_apart_that_differ_only_in_the_key_step() -> None:
    """15.1 (IKEv1) and 16.1 (IKEv2) differ in the IKE peer, which only the key step creates: a
    check of both in one process must not reuse 15.1's replay for 16.1 (the key step is part of
    what the replay's memo is keyed by)."""
    from generator.proof.check import check_folder

    for version in (BigIpVersion.V15_1, BigIpVersion.V16_1):
        report = check_folder(tree(PSK, version).files(), f"{PSK}/{version.value}")
        assert report.findings == [], [str(f)[:300] for f in report.findings[:3]]


def test_replay_finds_ikev2_peers_that_name_no_selector() -> None:
    """Both sides' IKEv2 peers without their traffic-selector list agree with each other, and
    still would not protect EtherIP: the replay says so."""
    s, t = site(PSK), tree(PSK, BigIpVersion.V17_1)
    files = dict(t.files())
    for path in ("primary/bigip-pri-1/03-ike-peer.sh", "backup/bigip-bak-1/03-ike-peer.sh"):
        text = files[path].decode()
        assert " traffic-selector replace-all-with { /Common/secure_ts }" in text
        files[path] = text.replace(" traffic-selector replace-all-with { /Common/secure_ts }", "").encode()
    problems = list(tunnel_problems(s, _replay(s, t, files)))
    assert any("does not name the traffic selector" in p for p in problems), problems
