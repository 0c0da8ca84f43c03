"""Stage 2b, the run directory: one folder per training, never overwritten.

Owns the folder's layout and every file name in it (`rundir`: the constants, atomic
writes with explicit modes, status and JSON helpers) and the plots drawn into it
(`plots`). It depends on `dlcli.config` only; the trainer and the comparisons write
through it, and `runs`, `diff`, `report` and `evaluate` read through it.
"""
