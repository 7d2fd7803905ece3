"""The proof: everything that reads etherip's output back and proves it, offline.

Generation (the rest of `generator/`) never imports this package; only the CLI does. The proof
imports the generator's public names (the site model, the view-model, the vocabulary) and never
runs, sources or parses as code anything from a folder it checks.

check.py      etherip check: re-render, compare bytes, then every proof below on the render
tcl.py        a real Tcl interpreter (tkinter or tclsh) for the checks that need one
tmsh/         reading tmsh back (words, commands) and the device model it is replayed on
iapp/         reading an iApp template back (structure, APL, Tcl 8.4), the offline harness, lint
precheck/     etherip precheck: the change against saved configurations of the real units
"""
