"""etherip: EtherIP / vMotion change generator for F5 BIG-IP (versions: generator/versions.py)."""
