"""Resource limits on what a user hands dlcli: one place, each one documented.

A config is small (the largest in configs/ is a few KiB and a few hundred values), so
these limits sit far above any real one and far below what would exhaust the machine.
docs/reliability-limits.md lists them for users; tests/config/test_limits.py checks
each one is enforced with a message naming it.
"""

from __future__ import annotations

# --- the YAML file --------------------------------------------------------------------
MAX_CONFIG_BYTES = 1_048_576  # 1 MiB: a config larger than this is refused before parsing
MAX_CONFIG_DEPTH = 64  # nesting of mappings/lists; deeper would exhaust Python's stack
MAX_CONFIG_VALUES = 200_000  # values after YAML aliases (`*name`) are expanded: stops
# "billion laughs" (an alias bomb) before it is expanded in memory

# --- run names (dlcli.config.names.run_name_problem) ----------------------------------
MAX_RUN_NAME = 200  # characters: the directory adds "-compare-YYYYmmdd-HHMMSS-N" and a
# file name holds at most 255 bytes

# --- numbers in the schema (dlcli.config.schema, dlcli.config.layers) ------------------
MAX_EPOCHS = 100_000
MAX_BATCH_SIZE = 1_048_576  # 2**20 samples per batch
MAX_STEPS_PER_EXECUTION = 100_000
MAX_WIDTH = 1_048_576  # units, filters, embedding size and vocabulary (2**20)
MAX_KERNEL = 1_024  # kernel, stride and pool sizes
MAX_DIMENSION = 1_048_576  # one dimension of model.input_shape or data.reshape
MAX_SAMPLES = 1_000_000_000  # counts with no tighter limit (train_samples, test_samples)
MAX_GENERATED_SAMPLES = 10_000_000  # dataset: linear draws at most this many samples

# --- the model's memory (dlcli.models.capacity) --------------------------------------
MEMORY_SHARE = 0.9  # a model whose estimate exceeds this share of available memory is refused
