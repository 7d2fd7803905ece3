"""`etherip precheck`: the change against every unit's saved configuration, offline.

sources.py    read a UCS archive, a folder or a single file, bounded, into memory
stanzas.py    split a saved configuration into top-level stanzas, in one linear pass
properties.py the properties of one stanza as plain data
saved.py      the stanzas the checks read, normalised (names, forms)
plan.py       what the change creates and relies on, from the view-model
conflicts.py  one function per conflict kind
report.py     findings as text lines or JSON
run.py        which unit is which (DEVICE=PATH or hostname), and the report
"""
