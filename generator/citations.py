"""F5 documents the generated files cite, by title. A release number here is part of a
document's title (the release its text was written for), never a release etherip targets:
targets live in generator/versions.py, and tests/test_versions.py keeps both apart."""

from __future__ import annotations

TUNNELS_HA = "F5 TMOS Tunneling and IPsec 12.1, 'Configuring Network Virtualization Tunnels'"
MIRRORING = "F5 BIG-IP Device Service Clustering 11.5, 'About connection and persistence mirroring'"
REST_HELP = "F5's help text in the 12.0 iControl REST schema"
IPSEC_CHAPTER = (
    "F5 TMOS Tunneling and IPsec, 'Securing EtherIP Tunnel Traffic with IPsec' (the 13.0 to 17.0 manuals)"
)
IPSEC_TSG = "F5's IPsec troubleshooting guide (clouddocs.f5.com, ipsec-tsg), 'High Availability Overview'"
IPSEC_TSG_SA = "F5's IPsec troubleshooting guide (clouddocs.f5.com, ipsec-tsg), 'View IPsec SA'"
IPSEC_MIRRORING_BUG = "F5 Bug ID 807453 (IPsec SA mirroring: IKEv2 only, from the release the bug names)"
IPSEC_OBJECTS = "F5's Ansible modules bigip_ike_peer, bigip_ipsec_policy and bigip_traffic_selector"
IPSEC_TSG_ISAKMP = "F5's IPsec troubleshooting guide (clouddocs.f5.com, ipsec-tsg), 'View ISAKMP SA'"
