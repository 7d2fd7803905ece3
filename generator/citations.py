"""F5 documents the generated files cite, by title. A release number here is part of a
document's title (the release its text was written for), never a release etherip targets:
targets live in generator/versions.py, and tests/test_versions.py keeps both apart."""

from __future__ import annotations

TUNNELS_HA = "F5 TMOS Tunneling and IPsec 12.1, 'Configuring Network Virtualization Tunnels'"
MIRRORING = "F5 BIG-IP Device Service Clustering 11.5, 'About connection and persistence mirroring'"
REST_HELP = "F5's help text in the 12.0 iControl REST schema"
