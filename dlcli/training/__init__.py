"""Stage: the fit loop. A checked config and its data become a trained, saved run.

Owns the runner that trains into a run directory (`runner`, with `run_facts` and
`scoring`), checkpoints and `--resume` (`checkpoint`, `resume`), the callbacks, TensorBoard
logs and diagnostics, the tracker hooks (`observers`), Ctrl-C handling (`interrupts`),
data-parallel jobs (`distributed`, `launch`) and what `dlcli validate` adds to the schema
(`validation`). Building the model is `dlcli.models`, the backend and speed settings
`dlcli.runtime`, using a finished run `dlcli.trained`. Keras and TensorFlow are imported
only inside the functions that need them.
"""
