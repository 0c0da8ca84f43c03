"""`dlcli train ARGS...` exactly as the command runs it, plus an epoch timer.

The timer is appended to dlcli's progress callbacks (epoch hooks only, so it adds
nothing per batch); the epoch times go to the JSON file named by $DLCLI_BENCH_RESULT.

    python benchmarks/dlcli_child.py train CONFIG --set ... --runs-dir DIR
"""

import json
import os
import sys
import time

from dlcli.training import runner

epoch_seconds: list[float] = []
_progress_callbacks = runner.progress_callbacks


def _with_timer(output, prefix=""):
    import keras

    class EpochTimer(keras.callbacks.Callback):
        def on_epoch_begin(self, epoch, logs=None):
            self.started = time.perf_counter()

        def on_epoch_end(self, epoch, logs=None):
            epoch_seconds.append(time.perf_counter() - self.started)

    return [*_progress_callbacks(output, prefix), EpochTimer()]


runner.progress_callbacks = _with_timer

from dlcli.cli.app import main  # noqa: E402

sys.argv = ["dlcli", *sys.argv[1:]]
try:
    main()
    code = 0
except SystemExit as exit_:
    code = exit_.code or 0
with open(os.environ["DLCLI_BENCH_RESULT"], "w", encoding="utf-8") as out:
    json.dump({"epoch_seconds": epoch_seconds}, out)
sys.exit(code)
