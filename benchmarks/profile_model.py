"""Where the CNN's and the LSTM's training time goes, and what dlcli adds to it, measured.

For each workload (benchmarks/workloads.py; default cnn and lstm) the model is built
and compiled by dlcli's own runner (prepare_model, speed_policy.decide_xla), then:
  1. one-epoch fits, in turn for --reps rounds, of dlcli's fit (its callbacks: the
     per-batch NaN check, the per-epoch history + checkpoint, the epoch line) and of
     the same fit with each addition turned off, down to the plain script's fit
     (no callbacks, one step per execution): medians per variant;
  2. the once-per-run work timed directly: final evaluation at dlcli's batch and at
     Keras's default, the history plots, saving weights and model.keras;
  3. one epoch traced with TensorFlow's profiler: time per TensorFlow op type, summed
     over threads, and the FLOP rate against this machine's float32 matmul peak.

    python -m benchmarks.profile_model [--workloads cnn,lstm] [--reps 3]
"""

from __future__ import annotations

import argparse
import io
import statistics
import tempfile
import time
from collections import defaultdict
from functools import partial
from pathlib import Path
from typing import Any

import yaml

from benchmarks.common import machine, table, write_results
from benchmarks.throughput import matmul_peak_gflops
from benchmarks.workloads import WORKLOADS, write_data

VARIANTS = ["dlcli fit (all callbacks)", "no NaN check (per batch)",
            "no history + checkpoint (per epoch)", "no callbacks",
            "no callbacks, 1 step per execution (the plain script's fit)"]  # fmt: skip


def training_flops_per_sample(model) -> float:
    """Forward FLOPs of the Conv/Dense/recurrent layers x3 (forward, input and weight
    gradients), less the first layer's input gradient. Pooling, activations and the
    optimizer are left out (a few %)."""
    forward = []
    for layer in model.layers:
        kind, shape = type(layer).__name__, layer.output.shape
        if kind in ("Conv2D", "Conv1D"):
            kernel = layer.kernel.shape
            forward.append(2 * _prod(shape[1:-1]) * _prod(kernel))
        elif kind == "Dense":
            forward.append(2 * _prod(layer.kernel.shape))
        elif kind in ("LSTM", "GRU", "SimpleRNN"):
            steps = layer.input.shape[1]
            cell = layer.cell
            weights = _prod(cell.kernel.shape) + _prod(cell.recurrent_kernel.shape)
            forward.append(2 * steps * weights)
    return 3 * sum(forward) - (forward[0] if forward else 0)


def _prod(values) -> int:
    out = 1
    for v in values:
        out *= int(v)
    return out


def build(workload, scratch: Path, steps_per_execution: int | None = None):
    """The workload's model, data and config as `dlcli train` sets them up."""
    from dlcli.config.loader import load_config
    from dlcli.runtime.speed import xla_for_fit
    from dlcli.runtime.speed_policy import decide_xla
    from dlcli.training import runner
    from dlcli.training.request import Output

    data, _ = write_data(workload, scratch)
    path = scratch / f"{workload.name}.yaml"
    path.write_text(yaml.safe_dump(workload.config(data), sort_keys=False), encoding="utf-8")
    overrides = [] if steps_per_execution is None else [
        f"train.steps_per_execution={steps_per_execution}"]  # fmt: skip
    loaded = load_config(path, overrides)
    dataset = runner.load_checked_data(loaded)
    model, device = runner.prepare_model(loaded, Output(progress="none"))
    decision = decide_xla(loaded.config.train, loaded.config.model, device, len(dataset.x_train))
    xla_for_fit(model, decision)
    return model, dataset, loaded.config.train, decision


def callbacks_for(variant: str, run, model) -> list:
    from dlcli.training.callbacks import EpochLines, HistoryWriter, StopOnNaN
    from dlcli.training.checkpoint import save_checkpoint

    if variant.startswith("no callbacks"):
        return []
    out = [] if variant.startswith("no NaN") else [StopOnNaN()]
    if not variant.startswith("no history"):
        out.append(HistoryWriter(run, {}, partial(save_checkpoint, run)))
    return [*out, EpochLines(io.StringIO())]


def epoch_seconds(model, dataset, cfg, callbacks: list) -> float:
    import keras

    from dlcli.runtime.speed import fit_options

    marks: list[float] = []
    mark = keras.callbacks.LambdaCallback(
        on_epoch_begin=lambda *_: marks.append(time.perf_counter()),
        on_epoch_end=lambda *_: marks.append(time.perf_counter()),
    )
    options = {**fit_options(cfg), "epochs": 1}
    model.fit(dataset.x_train, dataset.y_train, **options, callbacks=[*callbacks, mark], verbose=0)
    return marks[-1] - marks[-2]


def timed(work, reps: int) -> float:
    seconds = []
    for _ in range(reps):
        started = time.perf_counter()
        work()
        seconds.append(time.perf_counter() - started)
    return statistics.median(seconds)


def once_per_run(model, dataset, cfg, run, reps: int) -> dict[str, float]:
    from dlcli.runs.plots import plot_history

    x, y = dataset.x_test, dataset.y_test
    history = {"loss": [0.5, 0.4, 0.3], "accuracy": [0.8, 0.85, 0.9]}
    return {
        f"final evaluation, batch {cfg.eval_batch_size} (dlcli)": timed(
            lambda: model.evaluate(x, y, batch_size=cfg.eval_batch_size, verbose=0), reps),
        "final evaluation, batch 32 (Keras's default)": timed(
            lambda: model.evaluate(x, y, verbose=0), reps),
        "history plots (plots/*.png)": timed(
            lambda: plot_history(history, run.file("plots"), title_prefix="x"), reps),
        "checkpoint (weights + optimizer, state.json)": timed(
            lambda: __import__("dlcli.training.checkpoint", fromlist=["x"]).save_checkpoint(
                run, model, 1, history), reps),
        "model.weights.h5 + model.keras": timed(
            lambda: (run.save_with("model.weights.h5", model.save_weights),
                     run.save_with("model.keras", model.save)), reps),
    }  # fmt: skip


def op_profile(model, dataset, cfg, scratch: Path) -> dict[str, Any]:
    """Trace one epoch; ms per step by TensorFlow op type, summed over threads."""
    import tensorflow as tf
    from tensorflow.tsl.profiler.protobuf import xplane_pb2

    scratch = scratch / f"trace-{time.monotonic_ns()}"  # one folder per trace
    tf.profiler.experimental.start(str(scratch))
    wall = epoch_seconds(model, dataset, cfg, [])
    tf.profiler.experimental.stop()
    space = xplane_pb2.XSpace()
    space.ParseFromString(next(scratch.glob("**/*.xplane.pb")).read_bytes())
    plane = next(p for p in space.planes if p.name == "/host:CPU")
    per_type: dict[str, float] = defaultdict(float)
    for line in plane.lines:
        for event in line.events:
            name = plane.event_metadata[event.metadata_id].name
            if ":" in name and "::" not in name and " " not in name:  # "op_name:OpType"
                per_type[name.rsplit(":", 1)[1]] += event.duration_ps / 1e9  # ms
    steps = -(-len(dataset.x_train) // cfg.batch_size)
    ranked = sorted(per_type.items(), key=lambda kv: -kv[1])
    return {"epoch_s": wall, "steps": steps,
            "ms_per_step_by_op_type": {k: v / steps for k, v in ranked},
            "op_ms_per_step": sum(per_type.values()) / steps}  # fmt: skip


def measure_workload(workload, reps: int, scratch: Path, peak: float) -> dict[str, Any]:
    from dlcli.runs.rundir import RunDir

    model, dataset, cfg, decision = build(workload, scratch)
    single, *_ = build(workload, scratch, steps_per_execution=1)
    single.jit_compile = model.jit_compile
    run = RunDir.create(scratch / "runs", workload.name)
    fits = {v: (single if "1 step" in v else model) for v in VARIANTS}
    for variant, m in fits.items():  # warm-up: tracing, first tf.data pass
        epoch_seconds(m, dataset, cfg, callbacks_for(variant, run, m))
    times: dict[str, list[float]] = {v: [] for v in VARIANTS}
    for _ in range(reps):  # in turn, so load from elsewhere hits every variant alike
        for variant, m in fits.items():
            times[variant].append(epoch_seconds(m, dataset, cfg, callbacks_for(variant, run, m)))
    n, flops = len(dataset.x_train), training_flops_per_sample(model)
    variants = {}
    for variant, seconds in times.items():
        epoch = statistics.median(seconds)
        variants[variant] = {"epoch_s": epoch, "epoch_seconds": seconds,
                             "samples_per_s": n / epoch, "gflops": n * flops / epoch / 1e9,
                             "fraction_of_peak": n * flops / epoch / 1e9 / peak}  # fmt: skip
    return {"what": workload.what, "samples": n, "xla": decision.reason,
            "training_flops_per_sample": flops, "variants": variants,
            "once_per_run_s": once_per_run(model, dataset, cfg, run, reps),
            "profile": op_profile(model, dataset, cfg, scratch)}  # fmt: skip


def measure(names: list[str], reps: int) -> dict[str, Any]:
    peak = matmul_peak_gflops()
    out: dict[str, Any] = {"machine": machine(), "matmul_peak_gflops": peak, "reps": reps}
    with tempfile.TemporaryDirectory(prefix="dlcli-profile-model-") as folder:
        for workload in (w for w in WORKLOADS if w.name in names):
            out[workload.name] = measure_workload(workload, reps, Path(folder), peak)
    return out


def report(results: dict[str, Any]) -> str:
    text = []
    for name, r in results.items():
        if not isinstance(r, dict) or "variants" not in r:
            continue
        base = r["variants"][VARIANTS[0]]["epoch_s"]
        rows = [[v, s["epoch_s"], f"{100 * (base - s['epoch_s']) / base:+.1f} %",
                 s["samples_per_s"], f"{s['gflops']:.1f} ({100 * s['fraction_of_peak']:.0f} %)"]
                for v, s in r["variants"].items()]  # fmt: skip
        title = (f"{name}: {r['what']}; {r['samples']} samples, median of {results['reps']} "
                 f"epochs each, in turn; {r['xla']}; matmul peak "
                 f"{results['matmul_peak_gflops']:.0f} GFLOP/s")  # fmt: skip
        header = ["fit variant", "epoch s", "saved vs dlcli", "samples/s", "GFLOP/s (of peak)"]
        text.append(table(title, header, rows))
        once = [[k, v] for k, v in r["once_per_run_s"].items()]
        text.append(table(f"{name}: once per run (or per epoch)", ["", "s"], once))
        p = r["profile"]
        ops = [[k, v] for k, v in list(p["ms_per_step_by_op_type"].items())[:10]]
        title = (f"{name}: traced epoch {p['epoch_s']:.2f} s, {p['steps']} steps; TF ops "
                 f"{p['op_ms_per_step']:.2f} ms/step summed over threads")  # fmt: skip
        text.append(table(title, ["op type", "ms/step"], ops))
    return "\n\n".join(text)


def main() -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workloads", default="cnn,lstm")
    parser.add_argument("--reps", type=int, default=3)
    options = parser.parse_args()
    results = measure(options.workloads.split(","), options.reps)
    print(report(results))
    print(f"results: {write_results('profile_model', results)}")
    return results


if __name__ == "__main__":
    main()
