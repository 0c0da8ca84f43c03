"""Stage 3, training: a checked config and its data become a trained, saved model.

Owns building the Keras model (`builder`), checking that model and data fit before
TensorFlow starts (`checks`), the runner that trains into a run directory (`runner`),
checkpoints and `--resume` (`checkpoint`, `resume`), the callbacks and diagnostics,
Ctrl-C handling (`interrupts`), device and speed settings (`device`, `speed`), and using a
finished run again (`inference`: evaluate, predict, inspect). Keras and TensorFlow are
imported only inside the functions that need them.
"""
