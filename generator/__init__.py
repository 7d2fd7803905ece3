"""etherip: EtherIP / vMotion change generator for F5 BIG-IP 11.6.1-11.6.5."""
