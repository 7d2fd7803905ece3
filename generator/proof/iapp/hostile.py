"""Check 6: answers that must never reach tmsh. Each is tried in every field the GUI sends."""

from __future__ import annotations

HOSTILE_ANSWERS: tuple[tuple[str, str], ...] = (
    ("close-brace", "x } ; delete net vlan all {"),
    ("command-substitution", "[exec reboot]"),
    ("variable", "$::env(HOME)"),
    ("semicolon", "vm_vlan; delete sys folder /Common"),
    ("double-quote", 'vm"vlan'),
    ("backslash", "vm\\vlan"),
    ("newline", "vm_vlan\ndelete net vlan all"),
    ("tab", "vm_vlan\tx"),
    ("open-brace", "{"),
    ("hash", "#vm_vlan"),
    ("non-ascii", "vm_vlän"),
    ("over-long", "a" * 10_000),
)
