# Two commands set everything up on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
CONFIG ?= configs/mnist_mlp.yaml

.PHONY: run test test-slow lint bench bench-gpu clean-venv

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Re-install only when pyproject.toml changes (the stamp files record it).
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[mlflow]"
	touch $@

# dev includes the jax extra, so `make test` runs the tests of both backends.
$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[dev,mlflow,export,serve,jax,tune]"
	touch $@ $(VENV)/.installed

# The same data-directory default as `make test`: MNIST is read from ../shared/data
# when it is there, so `make run` works on a machine without internet. The run is also
# logged to the embedded MLflow store runs/mlflow.db (docs/tracking.md); RUN_ARGS= (empty)
# trains without it.
RUN_ARGS ?= --mlflow
run: $(VENV)/.installed
	DLCLI_DATA_DIR="$${DLCLI_DATA_DIR:-$(abspath ../shared/data)}" $(BIN)/dlcli train $(CONFIG) $(RUN_ARGS)

# Tests that need real MNIST read it from DLCLI_DATA_DIR (default: ../shared/data
# beside the checkout) and skip, saying why, where it is absent. Two pytest-xdist
# workers, each test file kept in one worker (module fixtures train once): 214 s instead
# of 399 s for the default suite on this 2-core machine. PYTEST_WORKERS=0 runs serially.
PYTEST_WORKERS ?= 2
test: $(VENV)/.installed-dev
	$(BIN)/lint-imports --no-cache
	DLCLI_DATA_DIR="$${DLCLI_DATA_DIR:-$(abspath ../shared/data)}" $(BIN)/python -m pytest \
		-n $(PYTEST_WORKERS) --dist loadfile

test-slow: $(VENV)/.installed-dev
	DLCLI_DATA_DIR="$${DLCLI_DATA_DIR:-$(abspath ../shared/data)}" $(BIN)/python -m pytest -m slow

# Start-up, training throughput vs a plain Keras script, compare-optimizers vs separate
# runs, the model matrix (MLP, CNN, LSTM, Embedding, tabular: plain Keras vs dlcli,
# XLA on/off, JAX where installed), the prediction server, `dlcli runs` over 1,000 runs and
# an image folder's memory: prints the tables and writes benchmarks/results/bench-*.json
# (docs/performance-matrix.md).
# BENCH_ARGS=--deterministic adds deterministic mode to the throughput table (+3 runs);
# BENCH_ARGS="--only matrix --workloads cnn,lstm" runs part of it.
bench: $(VENV)/.installed-dev
	DLCLI_DATA_DIR="$${DLCLI_DATA_DIR:-$(abspath ../shared/data)}" $(BIN)/python -m benchmarks $(BENCH_ARGS)

# dlcli on the first GPU: MNIST MLP and CNN, TensorFlow and JAX, float32 against mixed
# float16/bfloat16, mirrored on two GPUs where there are several; writes
# benchmarks/results/gpu-*.json and .md (docs/scaling-out.md). Where nvidia-smi lists a GPU
# the venv gets TensorFlow's and JAX's CUDA wheels (the gpu and gpu-jax extras); where it
# lists none, the benchmark runs its dry run on the CPU (tiny cases, under 2 minutes) in
# the venv of `make test`, with no CUDA wheels. BENCH_GPU_ARGS="--out DIR" also writes
# gpu.json and gpu.md there.
$(VENV)/.installed-gpu: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[jax,gpu,gpu-jax]"
	touch $@

GPUS_SEEN := $(shell nvidia-smi -L 2>/dev/null | grep -c '^GPU')
bench-gpu: $(VENV)/.installed-$(if $(filter-out 0,$(GPUS_SEEN)),gpu,dev)
	DLCLI_DATA_DIR="$${DLCLI_DATA_DIR:-$(abspath ../shared/data)}" $(BIN)/python -m benchmarks.gpu $(BENCH_GPU_ARGS)

# ruff, and the import contract in pyproject.toml [tool.importlinter] (stages import downwards, no cycles).
lint: $(VENV)/.installed-dev
	$(BIN)/ruff check dlcli tests benchmarks
	$(BIN)/lint-imports --no-cache

clean-venv:
	rm -rf $(VENV)
