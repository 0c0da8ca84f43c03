"""Stage 5, the command line: the Typer app and how results look on a terminal.

Owns the commands (`app`), which only parse options, call the Python API (`dlcli.api`)
and show what comes back (`display`, `outputs`). This is the only place that turns a
`DlcliError` into a message and an exit code.
"""
