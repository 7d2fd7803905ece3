# etherip offline iApp harness (runs in stock Tcl 8.6, on the machine that checks the output).
# Each case runs the implementation in a child interpreter that looks like the BIG-IP's, reset
# between cases to its first state (global variables and commands; rebuilt when anything else
# changed): Tcl 8.5+ commands removed, incr failing on an unset variable as in 8.4, tmsh::
# commands replaced by stubs that record each call as one command line, tmsh::get_config
# answering the hostname of a fake device, exec/open/socket refused, puts captured. The
# answers are set as ::section__field variables, exactly the ones a GUI would send.
#
# argv_words: implementation file, cases file. The cases file holds one Tcl list per case:
#   {name hostname {var value var value ...}}
# Result per case: status \x01 message \x01 recorded lines joined by \x03, ended by \x02.

proc read_file {path} {
    set fh [open $path r]
    fconfigure $fh -encoding utf-8
    set data [read $fh]
    close $fh
    return $data
}

proc new_box {hostname} {
    set c [interp create]
    foreach cmd {dict lassign lmap apply try throw lrepeat lreverse chan tailcall coroutine yield zlib} {
        catch {$c eval [list rename $cmd {}]}
    }
    $c eval {
        rename incr ::etherip_real_incr
        proc incr {name {by 1}} {
            upvar 1 $name value
            if {![info exists value]} {
                error "can't read \"$name\": no such variable"
            }
            ::etherip_real_incr value $by
        }
        set ::etherip_recorded {}
        set ::etherip_output {}
        namespace eval ::tmsh {
            variable app_name etherip_offline
            variable app_template_name etherip_offline
        }
        foreach verb {create modify delete} {
            proc ::tmsh::$verb {args} "::lappend ::etherip_recorded \"$verb \[::join \$args { }\]\""
        }
        proc ::tmsh::get_config {args} {
            if {[::join $args " "] ne "sys global-settings hostname"} {
                ::error "01020036:3: The requested object ([::join $args " "]) was not found."
            }
            return [::list [::list sys global-settings]]
        }
        proc ::tmsh::get_field_value {object field} {
            if {$field ne "hostname"} {
                ::error "no field $field"
            }
            return $::etherip_hostname
        }
        proc ::tmsh::log {args} {}
        proc ::tmsh::pwd {} { return /Common/etherip_offline.app }
        proc ::tmsh::cd {args} {}
        proc ::tmsh::save {args} { ::error "the implementation must not save" }
        proc ::tmsh::run {args} { ::error "the implementation must not run commands: [::join $args { }]" }
        foreach cmd {exec open socket source load} {
            proc ::$cmd {args} "::error \"$cmd is not available to this implementation\""
        }
        rename puts ::etherip_real_puts
        proc puts {args} { ::lappend ::etherip_output [::lindex $args end] }
    }
    $c eval [list set ::etherip_hostname $hostname]
    return $c
}

# What a fresh box holds: its global variables and its commands.
proc box_state {c} {
    set procs {}
    foreach name [lsort [concat [$c eval {info procs ::*}] [$c eval {info procs ::tmsh::*}]]] {
        lappend procs $name [$c eval [list info args $name]] [$c eval [list info body $name]]
    }
    return [list [lsort [$c eval {info globals}]] [lsort [$c eval {info commands ::*}]] \
        [lsort [$c eval {info commands ::tmsh::*}]] [lsort [$c eval {namespace children ::}]] $procs]
}

proc reset_box {c hostname clean} {
    foreach var [$c eval {info globals}] {
        if {[lsearch -exact [lindex $clean 0] $var] < 0} {
            $c eval [list unset -nocomplain ::$var]
        }
    }
    foreach cmd [$c eval {info commands ::*}] {
        if {[lsearch -exact [lindex $clean 1] $cmd] < 0} {
            $c eval [list rename $cmd {}]
        }
    }
    $c eval {set ::etherip_recorded {}; set ::etherip_output {}}
    $c eval [list set ::etherip_hostname $hostname]
    return [expr {[box_state $c] eq $clean}]
}

proc run_case {c impl answers} {
    foreach {var value} $answers {
        $c eval [list set ::$var $value]
    }
    set status [catch {$c eval $impl} message]
    set recorded [$c eval {set ::etherip_recorded}]
    return "$status\x01$message\x01[join $recorded \x03]\x02"
}

set impl [read_file [lindex $argv_words 0]]
set out ""
set box [new_box ""]
set clean [box_state $box]
foreach case [split [read_file [lindex $argv_words 1]] \x00] {
    if {$case eq ""} {
        continue
    }
    foreach {name hostname answers} $case break
    if {![reset_box $box $hostname $clean]} {
        interp delete $box
        set box [new_box $hostname]
    }
    append out [run_case $box $impl $answers]
}
interp delete $box
set out
