"""What vulture (scripts/deadcode.py) cannot see is used; each line says why. Names used only in
templates/ need no line here: scripts/deadcode.py reads them from the templates."""

# ruff: noqa
# mypy: ignore-errors
_ = object()

# typer registers these commands by decorator; nothing calls them by name
_.precheck  # generator/cli.py
_.init  # generator/cli.py
# pydantic reads these by name
_.model_config  # generator/model.py
_._cross_object_rules  # generator/model.py (model_validator)
# the Tcl 8.4 checker dispatches on "cmd_" + the command's name
_.cmd_proc
_.cmd_if
_.cmd_while
_.cmd_for
_.cmd_foreach
_.cmd_time
_.cmd_eval
_.cmd_uplevel
_.cmd_namespace
_.cmd_expr
_.cmd_switch
# zipfile and tarfile read these attributes
_.create_system  # generator/iapp/bundle.py
_.linkname  # tests/test_precheck_sources.py
# ruamel.yaml reads it
_.allow_duplicate_keys  # tests/test_invalid_sites.py
# pytest-regressions asks for this fixture by name
_.original_datadir  # tests/conftest.py
# the support statuses K5903 names; no row is at this one today
_.END_OF_SOFTWARE_DEVELOPMENT
# dead, in files issue 18 owns (generator/proof/**): to remove there
_.is_none  # generator/proof/precheck/saved.py MonitorRule.is_none
_.in_network  # generator/proof/precheck/saved.py
# dead, in files the lead owns (issue 21 items 2/8): to remove there
_.profile  # generator/views.py TunnelView.profile (set by context.py, read by nothing)
# shlex reads these lexer settings (generator/proof/tmsh/keystep.py)
_.whitespace_split
_.commenters
# pytest calls this hook by name
_.pytest_generate_tests  # tests/test_golden.py
# tests/test_integrity.py reads it in the child processes it starts (code in a string)
_.HAS_EXCHANGE  # generator/output.py
