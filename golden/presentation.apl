section intro {
    message about "EtherIP tunnel and VLAN group that keep BIG-IP connections alive while VMware vMotion moves pool members between data centers. Every field is pre-filled for peer <peer>. Deploy on the first device only, in the order of IMPORT.md."
}
section deploy {
    choice stage display "medium" default "<d>" { "1: network and tunnel" => "network", "2: complete" => "complete", "3: removed (rollback)" => "removed" }
}
section site {
    string deployment required display "medium" default "<d>"
    string vm_subnet required display "medium" default "<d>"
    choice pair display "small" default "<d>" { "yes", "no" }
    choice platform display "medium" default "<d>" { "appliance", "vcmp-guest", "f5os-tenant" }
}
section devices {
    row first {
        string hostname required display "medium" default "<d>"
        string wan_self required display "medium" default "<d>"
        string vm_self required display "medium" default "<d>"
    }
    optional ( site.pair == "yes" ) {
        row second {
            string hostname display "medium" default "<d>"
        }
    }
}
section ha {
    optional ( site.pair == "yes" ) {
        string device_group display "medium" default "<d>"
        string wan_floating_self display "medium" default "<d>"
        string vm_floating_self display "medium" default "<d>"
    }
}
section wan {
    choice create display "small" default "<d>" { "yes", "no" }
    string vlan required display "medium" default "<d>"
    optional ( wan.create == "yes" ) {
        string interfaces display "large" default "<d>"
        string tag display "small" default "<d>"
        string mtu display "small" default "<d>"
        string allow_service display "medium" default "<d>"
    }
    optional ( wan.create == "no" ) {
        string endpoint_name display "medium" default "<d>"
        string endpoint_service display "medium" default "<d>"
    }
    string gateway display "medium" default "<d>"
}
section vm {
    choice create display "small" default "<d>" { "yes", "no" }
    string vlan required display "medium" default "<d>"
    optional ( vm.create == "yes" ) {
        string interfaces display "large" default "<d>"
        string tag display "small" default "<d>"
        string mtu display "small" default "<d>"
    }
    string allow_service display "medium" default "<d>"
}
section tunnel {
    string name required display "medium" default "<d>"
    string remote_peer required display "medium" default "<d>"
    string remote_address required display "medium" validator "IpAddress" default "<d>"
    string mtu required display "small" validator "NonNegativeNumber" default "<d>"
}
section vlan_group {
    string name required display "medium" default "<d>"
    string proxy_excludes display "large" default "<d>"
}
section pool {
    string name required display "medium" default "<d>"
    choice create display "small" default "<d>" { "yes", "no" }
    optional ( pool.create == "yes" ) {
        string members display "xlarge" default "<d>"
    }
    optional ( pool.create == "no" ) {
        string restore_monitor display "large" default "<d>"
        string restore_min_active_members display "small" default "<d>"
    }
    string also_monitor display "medium" default "<d>"
}
section monitor {
    string name required display "medium" default "<d>"
    string interval required display "small" validator "NonNegativeNumber" default "<d>"
    string timeout required display "small" validator "NonNegativeNumber" default "<d>"
}
section ipsec {
    choice enabled display "small" default "<d>" { "yes", "no" }
    optional ( ipsec.enabled == "yes" ) {
        choice ike_version display "small" default "<d>" { "v1", "v2" }
        choice version_property display "small" default "<d>" { "yes", "no" }
        choice auth display "medium" default "<d>" { "psk", "certificate" }
        choice mode display "medium" default "<d>" { "tunnel", "transport" }
        choice nat_traversal display "small" default "<d>" { "off", "on", "force" }
        choice phase1_encrypt display "small" default "<d>" { "aes", "aes128", "aes192", "aes256", "3des" }
        choice phase1_hash display "small" default "<d>" { "sha1", "sha256", "sha384", "sha512" }
        choice dh_group display "small" default "<d>" { "modp1024", "modp1536", "modp2048", "modp3072", "modp4096" }
        string phase1_lifetime display "small" validator "NonNegativeNumber" default "<d>"
        choice phase2_encrypt display "small" default "<d>" { "aes128", "aes256", "aes-gcm128", "aes-gcm256" }
        choice phase2_auth display "small" default "<d>" { "sha1", "sha256", "sha512", "aes-gcm128", "aes-gcm256" }
        choice pfs display "small" default "<d>" { "none", "modp1024", "modp1536", "modp2048", "modp3072", "modp4096" }
        string phase2_lifetime display "small" validator "NonNegativeNumber" default "<d>"
    }
    optional ( ipsec.enabled == "yes" && ipsec.auth == "certificate" ) {
        string cert display "medium" default "<d>"
        string key display "medium" default "<d>"
        string ca display "medium" default "<d>"
    }
}
text {
    intro "etherip <deployment>: EtherIP for vMotion, peer <peer>"
    intro.about "About" "Read the help (and IMPORT.md) before you deploy: which device first, and save and config-sync afterwards."
    deploy "Deployment stage" "On an HA pair the service runs in two stages with config-syncs and the second unit's tmsh steps between them (IMPORT.md)."
    deploy.stage "Stage" "network: this device's VLANs and WAN self IP, the floating WAN self IP, the route, the tunnel. complete: also the VLAN group, the VM self IPs, the pool and the monitor. removed: nothing; existing objects get their values from before the change back. Roll back as IMPORT.md says: network, removed, then delete the service."
    site "Site" "The deployment and the VM segment stretched across both data centers."
    site.deployment "Deployment name" "Used in object names and descriptions: a letter, then letters, digits, _ . - (at most 24)."
    site.vm_subnet "VM subnet" "Network and prefix of the VM segment, for example 10.10.10.0/24."
    site.pair "HA pair" "yes: two devices, a device group and floating self IPs. no: one standalone device."
    site.platform "Platform" "appliance (or VE): the service creates the VLANs marked create; vcmp-guest or f5os-tenant: the host made them, and the service only uses them."
    devices "Devices of this peer" "The implementation finds the device it runs on by its hostname in these rows."
    devices.first "First device" "The only device the service runs on; on a pair it must be the active unit."
    devices.first.hostname "Hostname" "Exactly as 'list sys global-settings hostname' shows it."
    devices.first.wan_self "WAN self IP" "This device's non-floating self IP on the WAN VLAN, with prefix."
    devices.first.vm_self "VM self IP" "This device's non-floating self IP on the VLAN group, with prefix, inside the VM subnet."
    devices.second "Second device" "The other unit of the pair: its VLANs, VLAN group and self IPs come from its own tmsh step files; the service refuses to run there."
    devices.second.hostname "Hostname" "Exactly as 'list sys global-settings hostname' shows it."
    ha "HA pair" "Device group and floating self IPs (traffic-group-1) of the pair."
    ha.device_group "Device group" "The sync-failover device group of this pair."
    ha.wan_floating_self "Floating WAN self IP" "The tunnel endpoint of the pair, with prefix; it moves with traffic-group-1."
    ha.vm_floating_self "Floating VM self IP" "The pair's floating self IP on the VLAN group, with prefix, inside the VM subnet."
    wan "WAN VLAN" "The VLAN that carries the EtherIP tunnel to the other data center."
    wan.create "Create the WAN VLAN" "no: the VLAN and its self IPs exist and are only referred to."
    wan.vlan "VLAN name" "At most 15 characters."
    wan.interfaces "Interfaces" "Space-separated interface:tagged or interface:untagged entries, for example 1.1:untagged; trunk names work too."
    wan.tag "Tag" "1-4094; needed with tagged interfaces; empty for auto-assignment."
    wan.mtu "MTU" "576-9198; empty for the default (1500)."
    wan.allow_service "Port lockdown" "none, default, all, or protocol:port entries such as tcp:4353 udp:1026. The tunnel's local self IP also admits IP protocol 97 (97:0)."
    wan.endpoint_name "Existing endpoint self IP" "Name of the existing self IP that is the tunnel's local address, when the site file names it (endpoint_self); empty otherwise."
    wan.endpoint_service "Its port lockdown today" "Its allow-service before the change: none, default, all, or protocol:port entries. The service adds 97:0 (EtherIP) unless it admits it already; stage removed puts this back."
    wan.gateway "Gateway" "Next hop to the other tunnel endpoint in this WAN subnet (a route is created), existing (a route is in place), or empty (the other endpoint is in this subnet)."
    vm "VM VLAN" "The VLAN of the VMs; the VLAN group bridges it with the tunnel."
    vm.create "Create the VM VLAN" "no: the VLAN exists and is only referred to."
    vm.vlan "VLAN name" "At most 15 characters."
    vm.interfaces "Interfaces" "Space-separated interface:tagged or interface:untagged entries, for example 1.2:tagged."
    vm.tag "Tag" "1-4094; needed with tagged interfaces; empty for auto-assignment."
    vm.mtu "MTU" "576-9198; empty for the default (1500)."
    vm.allow_service "Port lockdown" "Port lockdown of the self IPs on the VLAN group: none, default, all, or protocol:port entries."
    tunnel "EtherIP tunnel" "The tunnel to the other data center; its local address is this peer's WAN endpoint."
    tunnel.name "Tunnel name" "At most 15 characters."
    tunnel.remote_peer "Other data center" "The other peer's name, used in the description."
    tunnel.remote_address "Remote address" "The other data center's tunnel endpoint (its floating WAN self IP on a pair)."
    tunnel.mtu "Tunnel MTU" "The largest VM packet the tunnel carries (576-9198); the WAN VLAN and path must carry 36 bytes more (EtherIP)."
    vlan_group "VLAN group" "Bridges the VM VLAN and the tunnel, with migration-keepalive enabled."
    vlan_group.name "VLAN group name" "At most 15 characters."
    vlan_group.proxy_excludes "Shared gateways" "Gateway addresses both data centers answer on the VM subnet, separated by spaces: the VLAN group's proxy exclusion list. Empty for none."
    pool "Pool" "The pool of the VMs that vMotion moves."
    pool.name "Pool name" "A BIG-IP object name."
    pool.create "Create the pool" "no: the pool exists and only its monitor rule changes."
    pool.members "Members" "Space-separated address:port entries inside the VM subnet."
    pool.restore_monitor "Monitor rule before the change" "The pool keeps these monitors beside the new one; the network stage puts this rule back: none, or monitor names joined by ' and '."
    pool.restore_min_active_members "min-active-members before the change" "Put back by the network stage; the complete stage sets 1."
    pool.also_monitor "Also monitor" "Optional second monitor; the rule becomes 'virtual-location and this'."
    monitor "Virtual Location monitor" "Prefers local pool members once some have moved to the other data center."
    monitor.name "Monitor name" "Not the name of a built-in monitor."
    monitor.interval "Interval" "Seconds between checks."
    monitor.timeout "Timeout" "Seconds; greater than the interval (F5 recommends 3 x interval + 1)."
    ipsec "IPsec" "IPsec ESP protects the EtherIP tunnel (CHANGE.md, IPsec): the service creates the IPsec policy and the traffic selector with the tunnel, and with certificates the IKE peer. With a pre-shared key the IKE peer comes from the key step (IMPORT.md): the key is never an answer."
    ipsec.enabled "IPsec" "yes: protect EtherIP with IPsec; both data centers must answer the same."
    ipsec.ike_version "IKE version" "v1 (main mode), or v2 where the release has it."
    ipsec.version_property "Write the IKE version" "no where the release's IKE peer has no version property (v1 is then its default)."
    ipsec.auth "Authentication" "psk: a pre-shared key typed in the key step; certificate: the certificate, key and CA named below, already on the unit."
    ipsec.mode "ESP mode" "tunnel: a new IPv4 header between the tunnel endpoints; transport: 20 bytes less per packet."
    ipsec.nat_traversal "NAT traversal" "on or force also admits UDP 4500 on the tunnel endpoint."
    ipsec.phase1_encrypt "Phase-1 cipher" "aes where the release names no AES key length; else aes128, aes192 or aes256."
    ipsec.phase1_hash "Phase-1 hash" "Also the IKEv2 PRF."
    ipsec.dh_group "Diffie-Hellman group" "Phase 1."
    ipsec.phase1_lifetime "IKE SA lifetime" "Minutes, 1-10080."
    ipsec.phase2_encrypt "ESP cipher" "aes-gcm only where the release has it."
    ipsec.phase2_auth "ESP integrity" "With aes-gcm, the same aes-gcm name."
    ipsec.pfs "Perfect forward secrecy" "Phase 2; none or a Diffie-Hellman group."
    ipsec.phase2_lifetime "IPsec SA lifetime" "Minutes, 1-10080."
    ipsec.cert "Certificate" "The ssl-cert object of this side (without /Common/)."
    ipsec.key "Key" "Its ssl-key object."
    ipsec.ca "CA certificate" "The ssl-cert of the CA that signed the other side's certificate."
}
