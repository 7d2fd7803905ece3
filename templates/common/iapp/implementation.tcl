# etherip iApp implementation: EtherIP tunnel for VMware vMotion (every BIG-IP release etherip lists).
# Static Tcl 8.4, what iApp implementations run on every release etherip lists (generator/versions.py): no dict, lassign, lmap, apply, try, in/ni, {*} or 8.5 options.
# Every answer is checked against a strict pattern before the first tmsh command runs, so no
# answer can reach tmsh that is not a plain name, address or number. It runs on the first
# device only (found by hostname) and creates the same objects with the same properties as
# etherip's tmsh scripts for that device, in stages (answer deploy__stage):
#   network   this device's VLANs and WAN self IP, the floating WAN self IP, the route, the
#             tunnel (with IPsec its policy and traffic selector, and with certificates the IKE
#             peer), an existing endpoint self IP admitting EtherIP (and an existing pool's
#             monitor rule as it was before the change);
#   complete  all of network, and the VLAN group, this device's VM self IP, the floating VM
#             self IP, the pool and the Virtual Location monitor attached to it;
#   removed   nothing: rollback reconfigures to it before deleting the service, so existing
#             objects (pool, endpoint self IP) get their earlier values back.
# On an HA pair the second unit's VLANs, VLAN group and self IPs come from its own tmsh step
# files, between the config-syncs of IMPORT.md. It never saves and never config-syncs.

# The range of every number answer, the longest length of every name answer and the words of
# every choice: etherip writes these arrays from its site model (generator/limits.py), the same
# limits its validation and JSON Schema use.
array set ::etherip_limits {}
array set ::etherip_choices {}

# An answer's limit from the arrays above; an answer with none is a defect of this template.
proc etherip_limit {var} {
    if {![info exists ::etherip_limits($var)]} {
        etherip_fail "$var: no limit is known for this field"
    }
    return $::etherip_limits($var)
}

proc etherip_fail {msg} {
    error "etherip: $msg"
}

# The value of an answer, or "" when the GUI did not send it (a field in a hidden optional block).
proc etherip_answer {var} {
    if {[info exists ::$var]} {
        return [string trim [set ::$var]]
    }
    return ""
}

# Answers are bounded well above what any valid site file produces (256 pool members of 21
# characters, 253-character hostnames, 16 monitors of 63 characters), so a valid site's own
# defaults always pass and a huge answer is refused before any pattern runs on it.
proc etherip_match {var value pattern what} {
    if {[string length $value] > 8192 || ![regexp -- $pattern $value]} {
        etherip_fail "$var: '[etherip_printable $value]' is not $what"
    }
    return $value
}

# Show a rejected answer without its control characters.
proc etherip_printable {value} {
    regsub -all {[^A-Za-z0-9_.:/ -]} [string range $value 0 40] "?" shown
    return $shown
}

proc etherip_name {var} {
    set max [etherip_limit $var]
    set value [etherip_answer $var]
    etherip_match $var $value {^[A-Za-z][A-Za-z0-9_.-]*$} "a BIG-IP object name (a letter, then letters, digits, _ . -)"
    if {[string length $value] > $max} {
        etherip_fail "$var: '$value' is longer than $max characters"
    }
    if {[lsearch -exact {none all default any add delete modify replace-all-with and min of common} [string tolower $value]] >= 0} {
        etherip_fail "$var: '$value' is a reserved word in tmsh"
    }
    return $value
}

proc etherip_number {var} {
    set value [etherip_answer $var]
    etherip_match $var $value {^(0|[1-9][0-9]{0,5})$} "a whole number without leading zeros"
    foreach {min max} [etherip_limit $var] break
    if {$value < $min || $value > $max} {
        etherip_fail "$var: $value is outside $min-$max"
    }
    return $value
}

# An optional number: "" when left empty, else a checked whole number.
proc etherip_optional_number {var} {
    if {[string equal [etherip_answer $var] ""]} {
        return ""
    }
    return [etherip_number $var]
}

# The tmsh line that creates a VLAN (tag and MTU only when given).
proc etherip_vlan_command {name ifaces tag mtu description} {
    set cmd "net vlan /Common/$name interfaces add \{ $ifaces\}"
    if {![string equal $tag ""]} {
        append cmd " tag $tag"
    }
    if {![string equal $mtu ""]} {
        append cmd " mtu $mtu"
    }
    return "$cmd description \"$description\""
}

proc etherip_octets_ok {address} {
    foreach octet [split $address "."] {
        if {$octet > 255} {
            return 0
        }
    }
    return 1
}

# An IPv4 self IP with prefix, such as 10.10.10.2/24, that is neither network nor broadcast.
proc etherip_self {var} {
    set value [etherip_answer $var]
    set octet {(0|[1-9][0-9]{0,2})}
    etherip_match $var $value "^$octet\\.$octet\\.$octet\\.$octet/(\[89\]|\[12\]\[0-9\]|30)\$" "an IPv4 address with a prefix of /8 to /30"
    set address [lindex [split $value "/"] 0]
    if {![etherip_octets_ok $address]} {
        etherip_fail "$var: '$value' has an octet above 255"
    }
    set host [etherip_host_bits $value]
    set size [expr {wide(1) << (32 - [lindex [split $value "/"] 1])}]
    if {$host == 0 || $host == $size - 1} {
        etherip_fail "$var: '$value' is a network or broadcast address"
    }
    return $value
}

proc etherip_address {var} {
    set value [etherip_answer $var]
    set octet {(0|[1-9][0-9]{0,2})}
    etherip_match $var $value "^$octet\\.$octet\\.$octet\\.$octet\$" "an IPv4 address"
    if {![etherip_octets_ok $value]} {
        etherip_fail "$var: '$value' has an octet above 255"
    }
    return $value
}

proc etherip_to_int {address} {
    set n [expr {wide(0)}]
    foreach octet [split $address "."] {
        set n [expr {$n * 256 + $octet}]
    }
    return $n
}

proc etherip_host_bits {cidr} {
    set parts [split $cidr "/"]
    set size [expr {wide(1) << (32 - [lindex $parts 1])}]
    return [expr {[etherip_to_int [lindex $parts 0]] % $size}]
}

proc etherip_network {cidr} {
    set parts [split $cidr "/"]
    set size [expr {wide(1) << (32 - [lindex $parts 1])}]
    set n [etherip_to_int [lindex $parts 0]]
    return "[expr {$n - ($n % $size)}]/[lindex $parts 1]"
}

proc etherip_same_subnet {var cidr other what} {
    if {[etherip_network $cidr] != [etherip_network $other]} {
        etherip_fail "$var: '$cidr' is not in $what $other"
    }
}

# "1.2:tagged 1.10:untagged trunk_a:tagged" -> the tmsh interface list "1.2 \{ tagged \} ..."
proc etherip_interfaces {var} {
    set value [etherip_answer $var]
    etherip_match $var $value {^[A-Za-z0-9_./:-]+( [A-Za-z0-9_./:-]+)*$} "a list of interface:tagged or interface:untagged entries"
    set out ""
    foreach entry [split $value " "] {
        if {![regexp {^(([1-9][0-9]?/)?[1-9][0-9]?\.[1-9][0-9]?|[A-Za-z][A-Za-z0-9_.-]*):(tagged|untagged)$} $entry -> name slot mode]} {
            etherip_fail "$var: '[etherip_printable $entry]' is not interface:tagged or interface:untagged"
        }
        append out "$name \{ $mode \} "
    }
    return $out
}

# Port lockdown: none, default, all, or protocol:port entries (protocol by name or number).
proc etherip_lockdown_words {var} {
    set value [etherip_answer $var]
    if {[lsearch -exact {none default all} $value] >= 0} {
        return $value
    }
    set entry {([a-z][a-z0-9-]{0,15}|[0-9]{1,3}):(any|0|[1-9][0-9]{0,4})}
    etherip_match $var $value "^${entry}( ${entry})*\$" "none, default, all or protocol:port entries"
    return $value
}

proc etherip_lockdown_value {words} {
    if {[lsearch -exact {none default all} $words] >= 0} {
        return $words
    }
    return "replace-all-with \{ $words \}"
}

proc etherip_lockdown {var} {
    return [etherip_lockdown_value [etherip_lockdown_words $var]]
}

# Every way tmsh may show an allow-service entry the tunnel endpoint needs (by number or name,
# :0 or :any for a protocol), so an entry the answer has in another form is not added twice.
proc etherip_forms {entry} {
    switch -- $entry {
        97:0 { return {97:0 97:any etherip:0 etherip:any} }
        50:0 { return {50:0 50:any esp:0 esp:any} }
        udp:500 { return {udp:500 udp:isakmp} }
        udp:4500 { return {udp:4500 udp:ipsec-nat-t} }
    }
    return [list $entry]
}

# A lockdown that admits what the tunnel needs: EtherIP (97:0) and, with IPsec, ESP and IKE
# (ipsec_entries). all stays all; an entry already there in any form is kept; each missing one
# is added (to default or the entries; none is dropped once something is added).
proc etherip_admit {words} {
    global ipsec_entries
    if {[string equal $words "all"]} {
        return "all"
    }
    set kept {}
    foreach word [split $words " "] {
        if {![string equal $word "none"]} {
            lappend kept $word
        }
    }
    set missing {}
    foreach entry [concat {97:0} $ipsec_entries] {
        set found 0
        foreach form [etherip_forms $entry] {
            if {[lsearch -exact $kept $form] >= 0} {
                set found 1
            }
        }
        if {!$found} {
            lappend missing $entry
        }
    }
    if {[llength $missing] == 0} {
        return [etherip_lockdown_value $words]
    }
    return "replace-all-with \{ [join [concat $kept $missing] " "] \}"
}

# The tunnel's local self IP admits what the tunnel needs, whatever the answer asks.
proc etherip_endpoint_lockdown {var} {
    return [etherip_admit [etherip_lockdown_words $var]]
}

# One of a fixed set of words.
proc etherip_choice {var} {
    if {![info exists ::etherip_choices($var)]} {
        etherip_fail "$var: no choices are known for this field"
    }
    set choices $::etherip_choices($var)
    set value [etherip_answer $var]
    if {[lsearch -exact $choices $value] < 0} {
        etherip_fail "$var: '[etherip_printable $value]' is not one of $choices"
    }
    return $value
}

proc etherip_members {var subnet} {
    set value [etherip_answer $var]
    set octet {(0|[1-9][0-9]{0,2})}
    set member "$octet\\.$octet\\.$octet\\.$octet:(\[1-9\]\[0-9\]{0,4})"
    etherip_match $var $value "^${member}( ${member})*\$" "a list of address:port pool members"
    set out ""
    foreach entry [split $value " "] {
        set parts [split $entry ":"]
        set address [lindex $parts 0]
        if {![etherip_octets_ok $address] || [lindex $parts 1] > 65535} {
            etherip_fail "$var: '$entry' is not a valid address:port"
        }
        etherip_same_subnet $var "$address/[lindex [split $subnet /] 1]" $subnet "vm_subnet"
        append out "/Common/$entry \{ address $address \} "
    }
    return $out
}

proc etherip_monitor_rule {var} {
    set value [etherip_answer $var]
    if {[string equal $value "none"]} {
        return "none"
    }
    etherip_match $var $value {^[A-Za-z][A-Za-z0-9_.-]*( and [A-Za-z][A-Za-z0-9_.-]*)*$} "none, or monitor names joined by ' and '"
    set rule ""
    foreach name [split [string map {" and " " "} $value] " "] {
        if {![string equal $rule ""]} {
            append rule " and "
        }
        append rule "/Common/$name"
    }
    return $rule
}

proc etherip_yesno {var} {
    set value [etherip_answer $var]
    if {![string equal $value "yes"] && ![string equal $value "no"]} {
        etherip_fail "$var: '[etherip_printable $value]' is not yes or no"
    }
    return $value
}

proc etherip_hostname {var} {
    set value [etherip_answer $var]
    etherip_match $var $value {^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$} "a hostname"
    return $value
}

# The hostname of the device this implementation runs on.
proc etherip_this_device {} {
    set objects [tmsh::get_config sys global-settings hostname]
    return [tmsh::get_field_value [lindex $objects 0] hostname]
}

# ---------------------------------------------------------------------------------------------
# 1. Read and check every answer. Nothing is created until all of them passed.

set dep [etherip_name site__deployment]
set subnet [etherip_answer site__vm_subnet]

set octet {(0|[1-9][0-9]{0,2})}
etherip_match site__vm_subnet $subnet "^$octet\\.$octet\\.$octet\\.$octet/(\[89\]|\[12\]\[0-9\]|30)\$" "an IPv4 network with a prefix of /8 to /30"
if {[etherip_host_bits $subnet] != 0} {
    etherip_fail "site__vm_subnet: '$subnet' has host bits set"
}

set stage [etherip_answer deploy__stage]
if {[lsearch -exact {network complete removed} $stage] < 0} {
    etherip_fail "deploy__stage: '[etherip_printable $stage]' is not network, complete or removed"
}
set ha [string equal [etherip_yesno site__pair] "yes"]
set platform [etherip_answer site__platform]
if {[lsearch -exact {appliance vcmp-guest f5os-tenant} $platform] < 0} {
    etherip_fail "site__platform: '[etherip_printable $platform]' is not appliance, vcmp-guest or f5os-tenant"
}
set first_host [etherip_hostname devices__first__hostname]
set wan_self [etherip_self devices__first__wan_self]
set vm_self [etherip_self devices__first__vm_self]
etherip_same_subnet devices__first__vm_self $vm_self $subnet "vm_subnet"
if {$ha} {
    set second_host [etherip_hostname devices__second__hostname]
    if {[string equal $first_host $second_host]} {
        etherip_fail "devices__second__hostname: '$second_host' is also the first device"
    }
}

# IPsec (a site with IPsec has its own section in CHANGE.md): the policy and the traffic
# selector are created with the tunnel, and the IKE peer too with certificates (with a
# pre-shared key the key step creates it: the key is never an answer). The tunnel endpoint then
# admits ESP and IKE as well.
set ipsec [string equal [etherip_yesno ipsec__enabled] "yes"]
set ipsec_entries {}
if {$ipsec} {
    set ike_version [etherip_choice ipsec__ike_version]
    set version_property [etherip_yesno ipsec__version_property]
    if {[string equal $ike_version "v2"] && [string equal $version_property "no"]} {
        etherip_fail "ipsec__ike_version: v2 needs the IKE peer's version property (ipsec__version_property yes)"
    }
    set ipsec_auth [etherip_choice ipsec__auth]
    set ipsec_mode [etherip_choice ipsec__mode]
    set nat [etherip_choice ipsec__nat_traversal]
    set p1_encrypt [etherip_choice ipsec__phase1_encrypt]
    set p1_hash [etherip_choice ipsec__phase1_hash]
    set dh_group [etherip_choice ipsec__dh_group]
    set p1_life [etherip_number ipsec__phase1_lifetime]
    set p2_encrypt [etherip_choice ipsec__phase2_encrypt]
    set p2_auth [etherip_choice ipsec__phase2_auth]
    if {[string match "aes-gcm*" $p2_encrypt] != [string equal $p2_auth $p2_encrypt]} {
        etherip_fail "ipsec__phase2_auth: '$p2_auth' with '$p2_encrypt': AES-GCM names itself in both, AES-CBC takes sha1, sha256 or sha512"
    }
    set pfs [etherip_choice ipsec__pfs]
    set p2_life [etherip_number ipsec__phase2_lifetime]
    if {[string equal $ipsec_auth "certificate"]} {
        set ipsec_cert [etherip_name ipsec__cert]
        set ipsec_key [etherip_name ipsec__key]
        set ipsec_ca [etherip_name ipsec__ca]
    }
    set ipsec_entries {50:0 udp:500}
    if {![string equal $nat "off"]} {
        lappend ipsec_entries "udp:4500"
    }
}

set wan_create [etherip_yesno wan__create]
set wan_vlan [etherip_name wan__vlan]
if {[string equal $wan_create "yes"]} {
    set wan_ifaces [etherip_interfaces wan__interfaces]
    set wan_tag [etherip_optional_number wan__tag]
    set wan_mtu [etherip_optional_number wan__mtu]
    set wan_lock [etherip_lockdown wan__allow_service]
    set endpoint_lock [etherip_endpoint_lockdown wan__allow_service]
}
# An existing endpoint self IP the site file names: its lockdown today, and with EtherIP admitted.
set endpoint_name ""
if {[string equal $wan_create "no"]} {
    set endpoint_name [etherip_answer wan__endpoint_name]
    if {[string equal $endpoint_name ""] && ![string equal [etherip_answer wan__endpoint_service] ""]} {
        etherip_fail "wan__endpoint_service: given without wan__endpoint_name"
    }
    if {![string equal $endpoint_name ""]} {
        set endpoint_name [etherip_name wan__endpoint_name]
        set endpoint_before [etherip_lockdown wan__endpoint_service]
        set endpoint_after [etherip_admit [etherip_lockdown_words wan__endpoint_service]]
    }
}
set vm_create [etherip_yesno vm__create]
set vm_vlan [etherip_name vm__vlan]
if {[string equal $vm_create "yes"]} {
    set vm_ifaces [etherip_interfaces vm__interfaces]
    set vm_tag [etherip_optional_number vm__tag]
    set vm_mtu [etherip_optional_number vm__mtu]
}
set vm_lock [etherip_lockdown vm__allow_service]

if {$ha} {
    set device_group [etherip_name ha__device_group]
    set wan_float [etherip_self ha__wan_floating_self]
    set vm_float [etherip_self ha__vm_floating_self]
    etherip_same_subnet ha__vm_floating_self $vm_float $subnet "vm_subnet"
    set local_address [lindex [split $wan_float "/"] 0]
} else {
    set local_address [lindex [split $wan_self "/"] 0]
}

set tunnel [etherip_name tunnel__name]
set tunnel_mtu [etherip_number tunnel__mtu]
set remote_peer [etherip_name tunnel__remote_peer]
set remote_address [etherip_address tunnel__remote_address]
if {[string equal $remote_address $local_address]} {
    etherip_fail "tunnel__remote_address: $remote_address is this peer's own endpoint"
}
set group [etherip_name vlan_group__name]
# Gateway addresses both data centers answer: the VLAN group's proxy exclusion list.
set excludes ""
set excluded [etherip_answer vlan_group__proxy_excludes]
if {![string equal $excluded ""]} {
    set one {(0|[1-9][0-9]{0,2})\.(0|[1-9][0-9]{0,2})\.(0|[1-9][0-9]{0,2})\.(0|[1-9][0-9]{0,2})}
    etherip_match vlan_group__proxy_excludes $excluded "^${one}( ${one})*\$" "IPv4 addresses separated by spaces"
    foreach address [split $excluded " "] {
        if {![etherip_octets_ok $address]} {
            etherip_fail "vlan_group__proxy_excludes: '$address' has an octet above 255"
        }
    }
    set excludes " proxy-excludes add \{ $excluded \}"
}
set gateway [etherip_answer wan__gateway]
if {![string equal $gateway ""] && ![string equal $gateway "existing"]} {
    set gateway [etherip_address wan__gateway]
    etherip_same_subnet wan__gateway "$gateway/[lindex [split $wan_self /] 1]" $wan_self "this device's WAN subnet"
}

set pool [etherip_name pool__name]
set pool_create [etherip_yesno pool__create]
if {[string equal $pool_create "yes"]} {
    set members [etherip_members pool__members $subnet]
} else {
    set restore [etherip_monitor_rule pool__restore_monitor]
    set restore_min [etherip_number pool__restore_min_active_members]
}
set monitor [etherip_name monitor__name]
set interval [etherip_number monitor__interval]
set timeout [etherip_number monitor__timeout]
if {$timeout <= $interval} {
    etherip_fail "monitor__timeout: $timeout must be greater than the interval $interval"
}
# The new rule: the Virtual Location monitor, every monitor an existing pool has today (it keeps
# its health checks), and the also_monitor answer; each once.
set rule_names [list "/Common/$monitor"]
if {[string equal $pool_create "no"] && ![string equal $restore "none"]} {
    foreach name [split [string map {" and " " "} $restore] " "] {
        if {[lsearch -exact $rule_names $name] < 0} {
            lappend rule_names $name
        }
    }
}
set also [etherip_answer pool__also_monitor]
if {![string equal $also ""]} {
    set name "/Common/[etherip_name pool__also_monitor]"
    if {[lsearch -exact $rule_names $name] < 0} {
        lappend rule_names $name
    }
}
set rule [join $rule_names " and "]

# ---------------------------------------------------------------------------------------------
# 2. Run on the first device only.

set me [etherip_this_device]
if {$ha && [string equal $me $second_host]} {
    etherip_fail "this is $second_host, the second unit: deploy and reconfigure on $first_host only; this unit gets its VLANs, VLAN group and self IPs from its own tmsh step files (IMPORT.md)"
}
if {![string equal $me $first_host]} {
    etherip_fail "this device's hostname '[etherip_printable $me]' is not $first_host; deploy on the first device"
}
set suffix ""
if {$ha} {
    set suffix "_a"
}

# ---------------------------------------------------------------------------------------------
# 3. The objects, one proc per group, each in dependency order with full /Common/ paths.

# On a vCMP guest or F5OS tenant the host made the VLANs: the service only uses them.
proc etherip_create_vlans {} {
    global dep platform vm_create vm_vlan vm_ifaces vm_tag vm_mtu wan_create wan_vlan wan_ifaces wan_tag wan_mtu
    if {![string equal $platform "appliance"]} {
        return
    }
    if {[string equal $vm_create "yes"]} {
        tmsh::create [etherip_vlan_command $vm_vlan $vm_ifaces $vm_tag $vm_mtu "etherip $dep VM VLAN"]
    }
    if {[string equal $wan_create "yes"]} {
        tmsh::create [etherip_vlan_command $wan_vlan $wan_ifaces $wan_tag $wan_mtu "etherip $dep WAN VLAN"]
    }
}

# This device's WAN self IP and the pair's floating WAN self IP, on a WAN VLAN etherip creates.
# The tunnel's local address (the floating self IP of a pair, else this device's) admits EtherIP.
proc etherip_create_wan_selfs {} {
    global dep ha suffix wan_create wan_vlan wan_self wan_float wan_lock endpoint_lock
    if {![string equal $wan_create "yes"]} {
        return
    }
    set own_lock $endpoint_lock
    if {$ha} {
        set own_lock $wan_lock
    }
    tmsh::create "net self /Common/${dep}_wan_self$suffix address $wan_self vlan /Common/$wan_vlan traffic-group /Common/traffic-group-local-only allow-service $own_lock"
    if {$ha} {
        tmsh::create "net self /Common/${dep}_wan_float address $wan_float vlan /Common/$wan_vlan traffic-group /Common/traffic-group-1 allow-service $endpoint_lock"
    }
}

# The route to the other endpoint through the WAN gateway (synced, like the tunnel), the existing
# endpoint self IP's lockdown admitting EtherIP (when the site names it), then the tunnel.
proc etherip_create_tunnel {} {
    global dep tunnel tunnel_mtu local_address remote_address remote_peer gateway endpoint_name endpoint_after
    if {![string equal $gateway ""] && ![string equal $gateway "existing"]} {
        tmsh::create "net route /Common/${dep}_wan_route network $remote_address/32 gw $gateway description \"etherip $dep to the other tunnel endpoint\""
    }
    if {![string equal $endpoint_name ""]} {
        tmsh::modify "net self /Common/$endpoint_name allow-service $endpoint_after"
    }
    etherip_create_ipsec
    tmsh::create "net tunnels tunnel /Common/$tunnel profile /Common/etherip local-address $local_address remote-address $remote_address mtu $tunnel_mtu description \"etherip $dep to $remote_peer\""
}

# The IPsec policy (ESP between the endpoints), the traffic selector for EtherIP from this
# endpoint to the other, and with certificates the IKE peer (with a pre-shared key the key step
# creates it).
proc etherip_create_ipsec {} {
    global ipsec dep local_address remote_address ipsec_mode p2_encrypt p2_auth pfs p2_life ipsec_auth
    if {!$ipsec} {
        return
    }
    set policy "net ipsec ipsec-policy /Common/${dep}_ipsec protocol esp mode $ipsec_mode"
    if {[string equal $ipsec_mode "tunnel"]} {
        append policy " tunnel-local-address $local_address tunnel-remote-address $remote_address"
    }
    append policy " ike-phase2-encrypt-algorithm $p2_encrypt ike-phase2-auth-algorithm $p2_auth"
    append policy " ike-phase2-perfect-forward-secrecy $pfs ike-phase2-lifetime $p2_life"
    tmsh::create $policy
    tmsh::create "net ipsec traffic-selector /Common/${dep}_ts source-address $local_address/32 destination-address $remote_address/32 ip-protocol 97 direction both ipsec-policy /Common/${dep}_ipsec"
    if {[string equal $ipsec_auth "certificate"]} {
        tmsh::create [etherip_ike_peer]
    }
}

# The IKE peer at the other endpoint, authenticated by certificates already on the unit.
proc etherip_ike_peer {} {
    global dep local_address remote_address ike_version version_property p1_encrypt p1_hash dh_group p1_life nat ipsec_cert ipsec_key ipsec_ca
    set cmd "net ipsec ike-peer /Common/${dep}_ike remote-address $remote_address"
    if {[string equal $version_property "yes"]} {
        append cmd " version replace-all-with \{ $ike_version \}"
    }
    if {[string equal $ike_version "v1"]} {
        append cmd " mode main"
    }
    append cmd " phase1-auth-method rsa-signature phase1-encrypt-algorithm $p1_encrypt phase1-hash-algorithm $p1_hash"
    append cmd " phase1-perfect-forward-secrecy $dh_group"
    if {[string equal $ike_version "v2"]} {
        append cmd " prf $p1_hash"
    }
    append cmd " lifetime $p1_life my-id-type asn1dn peers-id-type asn1dn my-cert-file /Common/$ipsec_cert"
    append cmd " my-cert-key-file /Common/$ipsec_key ca-cert-file /Common/$ipsec_ca verify-cert true nat-traversal $nat"
    if {[string equal $ike_version "v2"]} {
        append cmd " traffic-selector replace-all-with \{ /Common/${dep}_ts \}"
    }
    return $cmd
}

# The VLAN group and this device's VM self IP on it.
proc etherip_create_vlan_group {} {
    global dep group vm_vlan tunnel suffix vm_self vm_lock excludes
    tmsh::create "net vlan-group /Common/$group members add \{ /Common/$vm_vlan /Common/$tunnel \} mode translucent bridge-in-standby disabled migration-keepalive enabled$excludes description \"etherip $dep VM bridge\""
    tmsh::create "net self /Common/${dep}_vm_self$suffix address $vm_self vlan /Common/$group traffic-group /Common/traffic-group-local-only allow-service $vm_lock"
}

proc etherip_create_vm_float {} {
    global dep ha group vm_float vm_lock
    if {$ha} {
        tmsh::create "net self /Common/${dep}_vm_float address $vm_float vlan /Common/$group traffic-group /Common/traffic-group-1 allow-service $vm_lock"
    }
}

# The pool (unless it exists), the Virtual Location monitor, and the pool's new monitor rule.
proc etherip_create_pool_monitor {} {
    global dep pool pool_create members monitor interval timeout rule
    if {[string equal $pool_create "yes"]} {
        tmsh::create "ltm pool /Common/$pool members add \{ $members\} min-active-members 1 description \"etherip $dep VM pool\""
    }
    tmsh::create "ltm monitor virtual-location /Common/$monitor defaults-from /Common/virtual_location pool /Common/$pool interval $interval timeout $timeout"
    if {[string equal $pool_create "no"]} {
        tmsh::modify "ltm pool /Common/$pool min-active-members 1"
    }
    tmsh::modify "ltm pool /Common/$pool monitor $rule"
}

# An existing pool is not owned by the service: the network stage gives it back the monitor
# rule it had before the change, so reconfiguring to this stage undoes the complete stage
# before the framework deletes the monitor (deleting the service runs no code).
proc etherip_restore_existing_pool {} {
    global pool pool_create restore restore_min
    if {[string equal $pool_create "no"]} {
        tmsh::modify "ltm pool /Common/$pool monitor $restore"
        tmsh::modify "ltm pool /Common/$pool min-active-members $restore_min"
    }
}

# An existing endpoint self IP gets back the lockdown it had before the change (stage removed).
proc etherip_restore_endpoint {} {
    global endpoint_name endpoint_before
    if {![string equal $endpoint_name ""]} {
        tmsh::modify "net self /Common/$endpoint_name allow-service $endpoint_before"
    }
}

# ---------------------------------------------------------------------------------------------
# 4. Create the objects of the chosen stage. Stage removed creates nothing: the framework then
# deletes every object the service owns, and existing objects get their earlier values back.

if {[string equal $stage "removed"]} {
    etherip_restore_existing_pool
    etherip_restore_endpoint
} else {
    etherip_create_vlans
    etherip_create_wan_selfs
    etherip_create_tunnel
    if {[string equal $stage "network"]} {
        etherip_restore_existing_pool
    } else {
        etherip_create_vlan_group
        etherip_create_vm_float
        etherip_create_pool_monitor
    }
}
