"""Reading an iApp template back and running it offline: structure (tmpl.py), Tcl's word rules
(tclparse.py), APL (apl.py, conditions.py), Tcl 8.4 (tcl84.py), the harness in a safe
interpreter (harness.py, harness.tcl), hostile answers (hostile.py), and the lint any template
gets (lint.py)."""
