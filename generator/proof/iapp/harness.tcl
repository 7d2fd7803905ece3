# etherip offline iApp harness (runs in stock Tcl 8.6, on the machine that checks the output).
# Each case runs the implementation in a Tcl *safe* interpreter (interp create -safe) that looks
# like the BIG-IP's, reset between cases to its first state (global variables and commands;
# rebuilt when anything else changed). A safe interpreter has no file, exec, open, socket, load,
# source, cd, glob, exit or encoding system and no channels: the implementation is text from a
# file and never gets any power over the checking machine. On top of that, `interp` is hidden
# too, and each of those names answers "... is not available to this implementation". Tcl 8.5+
# commands are removed, incr fails on an unset variable as in 8.4, tmsh:: commands are stubs
# that record each call as one command line, tmsh::get_config answers the hostname of a fake
# device, puts is captured, and each case runs under a time limit. The recording stubs are
# aliases into this (the master) interpreter, so the implementation cannot rewrite what was
# recorded; anything the implementation breaks in its box (a renamed command, a deleted stub)
# makes the harness build a fresh box for the next case.
# The answers are set as ::section__field variables, exactly the ones a GUI would send.
#
# argv_words: the implementation's text, the cases, seconds per case (passed as words, no
# files). The cases are Tcl lists separated by \x00, one per case:
#   {name hostname {var value var value ...}}
# Result per case: status \x01 message \x01 recorded lines joined by \x03, ended by \x02.

# Seconds one case may run before the harness stops it (an endless loop is a finding, not a
# hang): the third argument.
set case_seconds [lindex $argv_words 2]
set recorded {}
set output {}
set hostname ""

proc record {verb args} {
    lappend ::recorded "$verb [join $args { }]"
    return
}

proc capture_puts {args} {
    lappend ::output [lindex $args end]
    return
}

proc get_config {args} {
    if {[join $args " "] ne "sys global-settings hostname"} {
        error "01020036:3: The requested object ([join $args " "]) was not found."
    }
    return [list [list sys global-settings]]
}

proc get_field_value {object field} {
    if {$field ne "hostname"} {
        error "no field $field"
    }
    return $::hostname
}

proc refuse {what args} {
    error $what
}

proc new_box {} {
    set c [interp create -safe]
    # A safe interpreter already hides file, exec, open, socket, load, source, cd, glob, exit,
    # encoding and fconfigure; interp goes too. Only the master can reach hidden commands.
    $c hide interp
    foreach cmd {dict lassign lmap apply try throw lrepeat lreverse chan tailcall coroutine yield yieldto zlib} {
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
        namespace eval ::tmsh {
            variable app_name etherip_offline
            variable app_template_name etherip_offline
        }
        proc ::tmsh::log {args} {}
        proc ::tmsh::pwd {} { return /Common/etherip_offline.app }
        proc ::tmsh::cd {args} {}
        rename puts {}
    }
    foreach verb {create modify delete} {
        $c alias ::tmsh::$verb record $verb
    }
    $c alias ::tmsh::get_config get_config
    $c alias ::tmsh::get_field_value get_field_value
    $c alias ::tmsh::save refuse "the implementation must not save"
    $c alias ::tmsh::run refuse "the implementation must not run commands"
    $c alias ::puts capture_puts
    # after, vwait and update wait outside the time limit's reach: refused too.
    foreach cmd {after vwait update} {
        $c hide $cmd
    }
    foreach cmd {exec open socket source load unload file glob cd pwd exit interp encoding fconfigure after vwait update} {
        $c alias ::$cmd refuse "$cmd is not available to this implementation"
    }
    return $c
}

# What a fresh box holds: its global variables, commands (with alias targets) and procs.
proc box_state {c} {
    set procs {}
    foreach name [lsort [concat [$c eval {info procs ::*}] [$c eval {info procs ::tmsh::*}]]] {
        lappend procs $name [$c eval [list info args $name]] [$c eval [list info body $name]]
    }
    set aliases {}
    foreach name [lsort [$c aliases]] {
        lappend aliases $name [$c alias $name]
    }
    return [list [lsort [$c eval {info globals}]] [lsort [$c eval {info commands ::*}]] \
        [lsort [$c eval {info commands ::tmsh::*}]] [lsort [$c eval {namespace children ::}]] $procs \
        $aliases [lsort [$c hidden]]]
}

# Back to the first state; false when that cannot be proven (the caller then builds a new box).
proc reset_box {c clean} {
    if {[catch {
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
        set state [box_state $c]
    }]} {
        return 0
    }
    return [expr {$state eq $clean}]
}

proc run_case {c impl answers} {
    set ::recorded {}
    set ::output {}
    foreach {var value} $answers {
        $c eval [list set ::$var $value]
    }
    $c limit time -seconds [expr {[clock seconds] + $::case_seconds}]
    set status [catch {$c eval $impl} message]
    $c limit time -seconds {}
    if {$status == 1 && [string match "time limit exceeded*" $message]} {
        set message "the implementation ran longer than $::case_seconds s: $message"
    }
    # The separators are escaped: text the implementation chose can never fake another result.
    set sep {\x01 \\x01 \x02 \\x02 \x03 \\x03}
    set lines {}
    foreach line $::recorded {
        lappend lines [string map $sep $line]
    }
    return "$status\x01[string map $sep $message]\x01[join $lines \x03]\x02"
}

set impl [lindex $argv_words 0]
set out ""
set box [new_box]
set clean [box_state $box]
foreach case [split [lindex $argv_words 1] \x00] {
    if {$case eq ""} {
        continue
    }
    foreach {name host answers} $case break
    if {![reset_box $box $clean]} {
        interp delete $box
        set box [new_box]
    }
    set hostname $host
    append out [run_case $box $impl $answers]
}
interp delete $box
set out
