# etherip iApp implementation: EtherIP tunnel for VMware vMotion, BIG-IP 11.6.
# Static Tcl 8.4: no dict, lassign, lmap, apply, try, in/ni, {*} or 8.5 options.
# Every answer is checked against a strict pattern before the first tmsh command runs, so no
# answer can reach tmsh that is not a plain name, address or number. It creates, on the device
# it runs on (found by hostname in the device rows), the same objects with the same properties
# as etherip's tmsh scripts for that device. It never saves and never config-syncs.

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

proc etherip_match {var value pattern what {longest 253}} {
    if {[string length $value] > $longest || ![regexp -- $pattern $value]} {
        etherip_fail "$var: '[etherip_printable $value]' is not $what"
    }
    return $value
}

# Show a rejected answer without its control characters.
proc etherip_printable {value} {
    regsub -all {[^A-Za-z0-9_.:/ -]} [string range $value 0 40] "?" shown
    return $shown
}

proc etherip_name {var max} {
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

proc etherip_number {var min max} {
    set value [etherip_answer $var]
    etherip_match $var $value {^(0|[1-9][0-9]{0,5})$} "a whole number without leading zeros"
    if {$value < $min || $value > $max} {
        etherip_fail "$var: $value is outside $min-$max"
    }
    return $value
}

# An optional number: "" when left empty, else a checked whole number.
proc etherip_optional_number {var min max} {
    if {[etherip_answer $var] == ""} {
        return ""
    }
    return [etherip_number $var $min $max]
}

# The tmsh line that creates a VLAN (tag and MTU only when given).
proc etherip_vlan_command {name ifaces tag mtu description} {
    set cmd "net vlan /Common/$name interfaces add \{ $ifaces\}"
    if {$tag != ""} {
        append cmd " tag $tag"
    }
    if {$mtu != ""} {
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

proc etherip_lockdown {var} {
    set value [etherip_answer $var]
    if {[lsearch -exact {none default all} $value] >= 0} {
        return $value
    }
    etherip_match $var $value {^[a-z][a-z0-9-]{0,15}:(any|0|[1-9][0-9]{0,4})( [a-z][a-z0-9-]{0,15}:(any|0|[1-9][0-9]{0,4}))*$} "none, default, all or protocol:port entries"
    return "replace-all-with \{ $value \}"
}

proc etherip_members {var subnet} {
    set value [etherip_answer $var]
    set octet {(0|[1-9][0-9]{0,2})}
    set member "$octet\\.$octet\\.$octet\\.$octet:(\[1-9\]\[0-9\]{0,4})"
    etherip_match $var $value "^${member}( ${member})*\$" "a list of address:port pool members" 65536
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
    if {$value == "none"} {
        return "none"
    }
    etherip_match $var $value {^[A-Za-z][A-Za-z0-9_.-]*( and [A-Za-z][A-Za-z0-9_.-]*)*$} "none, or monitor names joined by ' and '"
    set rule ""
    foreach name [split [string map {" and " " "} $value] " "] {
        if {$rule != ""} {
            append rule " and "
        }
        append rule "/Common/$name"
    }
    return $rule
}

proc etherip_yesno {var} {
    set value [etherip_answer $var]
    if {$value != "yes" && $value != "no"} {
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

set dep [etherip_name site__deployment 24]
set subnet [etherip_answer site__vm_subnet]
set octet {(0|[1-9][0-9]{0,2})}
etherip_match site__vm_subnet $subnet "^$octet\\.$octet\\.$octet\\.$octet/(\[89\]|\[12\]\[0-9\]|30)\$" "an IPv4 network with a prefix of /8 to /30"
if {[etherip_host_bits $subnet] != 0} {
    etherip_fail "site__vm_subnet: '$subnet' has host bits set"
}

set ha [expr {[etherip_yesno site__pair] == "yes"}]
set host(first) [etherip_hostname devices__first__hostname]
set wan_self(first) [etherip_self devices__first__wan_self]
set vm_self(first) [etherip_self devices__first__vm_self]
set rows {first}
if {$ha} {
    set host(second) [etherip_hostname devices__second__hostname]
    set wan_self(second) [etherip_self devices__second__wan_self]
    set vm_self(second) [etherip_self devices__second__vm_self]
    lappend rows second
    if {$host(first) == $host(second)} {
        etherip_fail "devices__second__hostname: '$host(second)' is also the first device"
    }
}
foreach row $rows {
    etherip_same_subnet "vm_self of $host($row)" $vm_self($row) $subnet "vm_subnet"
}

set wan_create [etherip_yesno wan__create]
set wan_vlan [etherip_name wan__vlan 15]
if {$wan_create == "yes"} {
    set wan_ifaces [etherip_interfaces wan__interfaces]
    set wan_tag [etherip_optional_number wan__tag 1 4094]
    set wan_mtu [etherip_optional_number wan__mtu 576 9198]
    set wan_lock [etherip_lockdown wan__allow_service]
}
set vm_create [etherip_yesno vm__create]
set vm_vlan [etherip_name vm__vlan 15]
if {$vm_create == "yes"} {
    set vm_ifaces [etherip_interfaces vm__interfaces]
    set vm_tag [etherip_optional_number vm__tag 1 4094]
    set vm_mtu [etherip_optional_number vm__mtu 576 9198]
}
set vm_lock [etherip_lockdown vm__allow_service]

if {$ha} {
    set device_group [etherip_name ha__device_group 63]
    set wan_float [etherip_self ha__wan_floating_self]
    set vm_float [etherip_self ha__vm_floating_self]
    etherip_same_subnet ha__vm_floating_self $vm_float $subnet "vm_subnet"
    set local_address [lindex [split $wan_float "/"] 0]
} else {
    set local_address [lindex [split $wan_self(first) "/"] 0]
}

set tunnel [etherip_name tunnel__name 15]
set remote_peer [etherip_name tunnel__remote_peer 63]
set remote_address [etherip_address tunnel__remote_address]
if {$remote_address == $local_address} {
    etherip_fail "tunnel__remote_address: $remote_address is this peer's own endpoint"
}
set group [etherip_name vlan_group__name 15]

set pool [etherip_name pool__name 63]
set pool_create [etherip_yesno pool__create]
if {$pool_create == "yes"} {
    set members [etherip_members pool__members $subnet]
} else {
    set restore [etherip_monitor_rule pool__restore_monitor]
}
set monitor [etherip_name monitor__name 63]
set interval [etherip_number monitor__interval 1 86400]
set timeout [etherip_number monitor__timeout 2 86400]
if {$timeout <= $interval} {
    etherip_fail "monitor__timeout: $timeout must be greater than the interval $interval"
}
set rule "/Common/$monitor"
set also [etherip_answer pool__also_monitor]
if {$also != ""} {
    append rule " and /Common/[etherip_name pool__also_monitor 63]"
}

# ---------------------------------------------------------------------------------------------
# 2. Find this device in the device rows.

set me [etherip_this_device]
set row ""
foreach candidate $rows {
    if {$host($candidate) == $me} {
        set row $candidate
    }
}
if {$row == ""} {
    etherip_fail "this device's hostname '[etherip_printable $me]' is not in the device rows; deploy on one of the listed devices"
}
set suffix ""
if {$ha} {
    if {$row == "first"} {
        set suffix "_a"
    } else {
        set suffix "_b"
    }
}

# ---------------------------------------------------------------------------------------------
# 3. Create, in dependency order, with full /Common/ paths. Synced objects are created on
#    every device too, with the same values, so a reconfigure on the second unit keeps them.

if {$vm_create == "yes"} {
    tmsh::create [etherip_vlan_command $vm_vlan $vm_ifaces $vm_tag $vm_mtu "etherip $dep VM VLAN"]
}
if {$wan_create == "yes"} {
    tmsh::create [etherip_vlan_command $wan_vlan $wan_ifaces $wan_tag $wan_mtu "etherip $dep WAN VLAN"]
    tmsh::create "net self /Common/${dep}_wan_self$suffix address $wan_self($row) vlan /Common/$wan_vlan traffic-group /Common/traffic-group-local-only allow-service $wan_lock"
    if {$ha} {
        tmsh::create "net self /Common/${dep}_wan_float address $wan_float vlan /Common/$wan_vlan traffic-group /Common/traffic-group-1 allow-service $wan_lock"
    }
}
tmsh::create "net tunnels tunnel /Common/$tunnel profile /Common/etherip local-address $local_address remote-address $remote_address description \"etherip $dep to $remote_peer\""
tmsh::create "net vlan-group /Common/$group members add \{ /Common/$vm_vlan /Common/$tunnel \} mode translucent bridge-in-standby disabled migration-keepalive enabled description \"etherip $dep VM bridge\""
tmsh::create "net self /Common/${dep}_vm_self$suffix address $vm_self($row) vlan /Common/$group traffic-group /Common/traffic-group-local-only allow-service $vm_lock"
if {$ha} {
    tmsh::create "net self /Common/${dep}_vm_float address $vm_float vlan /Common/$group traffic-group /Common/traffic-group-1 allow-service $vm_lock"
}
if {$pool_create == "yes"} {
    tmsh::create "ltm pool /Common/$pool members add \{ $members\} min-active-members 1 description \"etherip $dep VM pool\""
}
tmsh::create "ltm monitor virtual-location /Common/$monitor defaults-from /Common/virtual_location pool /Common/$pool interval $interval timeout $timeout"
tmsh::modify "ltm pool /Common/$pool monitor $rule"
