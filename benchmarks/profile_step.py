"""Where the training step of benchmarks/mnist_mlp.yaml spends its time, measured.

Builds, compiles and fits the model with dlcli's own runner (runner.prepare_model,
speed_policy.decide_xla, speed.fit_options), warms each variant up for one epoch, then:
  1. times one-epoch fits of the defaults and of variants (batch size, steps per
     execution, XLA, shuffle), in turn for --reps rounds: medians of the epochs;
  2. traces one epoch (469 steps) of the defaults with TensorFlow's profiler and
     splits the step by XLA op (named after the TensorFlow ops in XLA's HLO dump)
     and, along the wall clock, by what either core was doing.

    python -m benchmarks.profile_step [--reps 3] [--profile-only]
"""

from __future__ import annotations

import argparse
import math
import os
import re
import shutil
import statistics
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

from benchmarks.common import REPO, machine, table, write_results
from benchmarks.throughput import FLOPS_PER_SAMPLE, matmul_gflops, matmul_peak_gflops, mnist_data

CONFIG = REPO / "benchmarks" / "mnist_mlp.yaml"
XLA_ON = "train.jit_compile=true"  # `auto` would turn XLA off for 3 epochs at batch >= 512
VARIANTS: dict[str, list[str]] = {
    "defaults (batch 128, 32 steps/exec, XLA)": [],
    "batch 512": ["train.batch_size=512", XLA_ON],
    "batch 1024": ["train.batch_size=1024", XLA_ON],
    "batch 1024, XLA off": ["train.batch_size=1024", "train.jit_compile=false"],
    "steps_per_execution 128": ["train.steps_per_execution=128"],
    "XLA off": ["train.jit_compile=false"],
    "shuffle off": ["train.shuffle=false"],
}
# Wall-clock categories, highest priority first: an instant where several threads are
# busy counts for the first. HLO op categories come from the op's TensorFlow name.
WALL = ["matmul (dot)", "optimizer update (RMSprop)", "ReLU, softmax, loss", "bias gradients"]
WALL += ["metrics (accuracy, loss mean)", "other XLA ops (copies, partial sums)"]
WALL += ["XLA runtime (launch, thunk dispatch)", "TF executor (while loop, get_next)"]
WALL += ["input pipeline (slice/gather/shuffle)", "Python between executions", "idle"]


def hlo_names(dump: Path) -> dict[str, tuple[str, str, float]]:
    """HLO instruction -> (TF op type, TF op name, FLOPs if a dot), from XLA's optimized
    train-step HLO."""
    names: dict[str, tuple[str, str, float]] = {}
    shape = re.compile(r"^\s*(?:ROOT )?%(\S+) = f32\[([\d,]*)\]")
    meta = re.compile(r'op_type="([^"]*)" op_name="([^"]*)"')
    dot = re.compile(r"dot\(%(\S+), .*lhs_contracting_dims=\{(\d+)\}")
    for path in dump.glob("*one_step_on_data*cpu_after_optimizations.txt"):
        dims: dict[str, list[int]] = {}
        for line in path.read_text(encoding="utf-8").splitlines():
            if not (match := shape.match(line)):
                continue
            dims[match[1]] = [int(d) for d in match[2].split(",") if d]
            flops = 0.0
            if (d := dot.search(line)) and d[1] in dims:
                flops = 2.0 * math.prod(dims[match[1]]) * dims[d[1]][int(d[2])]
            if m := meta.search(line):
                names[match[1]] = (m[1], m[2], flops)
    return names


def hlo_category(name: str, tf_op: tuple[str, str, float] | None, optimizer: set[str]) -> int:
    op_type, op_name, _ = tf_op or ("", "", 0.0)
    if op_type in ("MatMul", "BatchMatMulV2") or name.startswith(("dot", "MatMul")):
        return 0
    if op_name.split("/")[0] in optimizer:
        return 1
    if op_type in ("Relu", "ReluGrad", "Softmax") or "compile_loss" in op_name:
        return 2
    if op_type == "BiasAddGrad":
        return 3
    return 4 if tf_op else 5  # the rest with a TF op are the metrics' ops


def analyse(trace: Path, names: dict[str, tuple[str, str, float]], steps: int) -> dict:
    """Per-op time, the wall-clock split and busy threads of one traced epoch."""
    from tensorflow.tsl.profiler.protobuf import xplane_pb2

    space = xplane_pb2.XSpace()
    space.ParseFromString(next(trace.glob("**/*.xplane.pb")).read_bytes())
    plane = next(p for p in space.planes if p.name == "/host:CPU")
    hlo_op = {k for k, v in plane.stat_metadata.items() if v.name == "hlo_op"}
    # The optimizer's name scope: where the variables are assigned to (metrics add).
    optimizer = {o.split("/")[0] for t, o, _ in names.values() if t == "AssignSubVariableOp"}
    spans: list[tuple[int, int, int]] = []  # (start ps, end ps, category)
    per_op: dict[str, list[float]] = defaultdict(lambda: [0, 0.0, 0.0])  # calls, ps, FLOPs
    busy: dict[str, list[tuple[int, int, int]]] = defaultdict(list)  # per thread
    executions, python = [], []
    for line in plane.lines:
        for event in line.events:
            name = plane.event_metadata[event.metadata_id].name
            start = line.timestamp_ns * 1000 + event.offset_ps
            span = (start, start + event.duration_ps)
            if event.duration_ps == 0 or name.startswith(("end: ", "Threadpool")):
                continue
            busy[line.name].append((*span, 0))
            if line.name == "python":
                (executions if name == "multi_step_on_iterator" else python).append(span)
            elif any(s.metadata_id in hlo_op for s in event.stats):
                tf_op = names.get(name)
                op = per_op[name]
                op[0], op[1] = op[0] + 1, op[1] + event.duration_ps
                op[2] += tf_op[2] if tf_op else 0.0
                spans.append((*span, hlo_category(name, tf_op, optimizer)))
            elif name.startswith(("CpuExecutable", "ThunkExecutor", "BlockUntilReady")):
                spans.append((*span, 6))
            elif line.name.startswith(("tf_data", "tf_Compute")):
                spans.append((*span, 8 if line.name.startswith("tf_data") else 7))
    first, last = min(s for s, _ in executions), max(e for _, e in executions)
    spans += [(*p, 9) for p in python if not any(s <= p[0] < e for s, e in executions)]
    wall, window, ms = sweep(spans, first, last), last - first, 1e9 * steps
    kinds: dict[str, float] = defaultdict(float)  # busy time (any event open) per thread kind
    for thread, events in busy.items():
        kinds[re.sub(r"[/_-]+-?\d+$", "", thread)] += sweep(events, first, last)[0] / ms

    def op(name: str, calls: float, ps: float, flops: float) -> dict[str, Any]:
        gflops = flops / ps * 1e3 if flops else None
        return {
            "ms_per_step": ps / ms,
            "calls": calls,
            "gflops": gflops,
            "tf_op": names.get(name, ("", ""))[1],
        }

    dots = [v for n, v in per_op.items() if hlo_category(n, names.get(n), optimizer) == 0]
    return {
        "profiled_steps": steps,
        "profiled_step_ms": window / ms,
        "wall_ms_per_step": {WALL[c]: ps / ms for c, ps in enumerate(wall)},
        "wall_share": {WALL[c]: ps / window for c, ps in enumerate(wall)},
        "busy_ms_per_step_by_thread_kind": dict(kinds),
        "matmul_ms_per_step": sum(v[1] for v in dots) / ms,
        "matmul_gflops_in_xla": sum(v[2] for v in dots) / sum(v[1] for v in dots) * 1e3,
        "ops": {n: op(n, *v) for n, v in sorted(per_op.items(), key=lambda kv: -kv[1][1])},
    }


def sweep(spans: list[tuple[int, int, int]], first: int, last: int) -> list[float]:
    """Picoseconds of [first, last] per category: at each instant, the highest priority
    among the spans open on any thread; nothing open is `idle`."""
    live = [(max(s, first), min(e, last), c) for s, e, c in spans if e > first and s < last]
    edges = sorted([(s, 1, c) for s, _, c in live] + [(e, -1, c) for _, e, c in live])
    open_, totals, now = [0] * len(WALL), [0.0] * len(WALL), first
    for t, delta, c in edges:
        top = next((i for i, n in enumerate(open_) if n), len(WALL) - 1)
        totals[top] += t - now
        now = t
        open_[c] += delta
    totals[-1] += last - now
    return totals


def trainer(overrides: list[str], data_set: list[str], dataset=None):
    """A compiled model plus a one-epoch fit, exactly as dlcli's runner sets them up."""
    import keras

    from dlcli.config.loader import load_config
    from dlcli.runtime.speed import fit_options, xla_for_fit
    from dlcli.runtime.speed_policy import decide_xla
    from dlcli.training import runner
    from dlcli.training.request import Output

    loaded = load_config(CONFIG, [*data_set, *overrides])
    dataset = dataset or runner.load_checked_data(loaded)
    model, _ = runner.prepare_model(loaded, Output(progress="none"))
    cfg = loaded.config.train
    model_cfg = loaded.config.model
    xla_for_fit(model, decide_xla(cfg, model_cfg, "cpu", len(dataset.x_train)))
    marks: list[float] = []  # epoch begin and end: fit()'s own setup is not timed
    mark = keras.callbacks.LambdaCallback(
        on_epoch_begin=lambda *_: marks.append(time.perf_counter()),
        on_epoch_end=lambda *_: marks.append(time.perf_counter()),
    )

    def epoch() -> float:
        options = {**fit_options(cfg), "epochs": 1}
        model.fit(dataset.x_train, dataset.y_train, **options, callbacks=[mark], verbose=0)
        return marks[-1] - marks[-2]

    return model, epoch, dataset, cfg


def measure(reps: int, profile_only: bool = False) -> dict[str, Any]:
    os.environ.setdefault("DLCLI_DATA_DIR", str(REPO.parent / "shared" / "data"))
    scratch = Path(tempfile.mkdtemp(prefix="dlcli-profile-"))
    dump = scratch / "hlo"
    flags = f"--xla_dump_to={dump} --xla_dump_hlo_as_text --xla_dump_hlo_module_re=one_step_on_data"
    os.environ["XLA_FLAGS"] = f"{os.environ.get('XLA_FLAGS', '')} {flags}".strip()
    _, data_kind, dlcli_set = mnist_data(scratch)
    data_set = dlcli_set[1::2]
    peak = float("nan") if profile_only else matmul_peak_gflops()
    shapes = {} if profile_only else {b: matmul_gflops(b, 784, 512) for b in (128, 512, 1024)}
    fits, dataset, names = {}, None, {}
    for name, overrides in list(VARIANTS.items())[: 1 if profile_only else None]:
        model, epoch, dataset, cfg = trainer(overrides, data_set, dataset)
        fits[name] = (model, epoch, cfg)
        epoch()  # warm-up: XLA compile, first tf.data pass
        names = names or hlo_names(dump)  # the defaults' modules only: they come first
    n = len(dataset.x_train)
    times: dict[str, list[float]] = {name: [] for name in fits}
    for _ in range(reps):  # in turn, so load from elsewhere hits every variant alike
        for name, (_, epoch, _) in fits.items():
            times[name].append(epoch())
    variants = {}
    for name, (model, _, cfg) in fits.items():
        seconds = statistics.median(times[name])
        gflops = n * FLOPS_PER_SAMPLE / seconds / 1e9
        variants[name] = {"epoch_seconds": times[name], "xla": bool(model.jit_compile)}
        variants[name] |= {"batch_size": cfg.batch_size, "samples_per_s": n / seconds}
        steps = -(-n // cfg.batch_size)
        variants[name] |= {"step_ms": 1000 * seconds / steps, "gflops": gflops}
        variants[name]["fraction_of_peak"] = gflops / peak
    model, epoch, cfg = fits[next(iter(VARIANTS))]
    import tensorflow as tf

    tf.profiler.experimental.start(str(scratch / "trace"))
    traced = epoch()
    tf.profiler.experimental.stop()
    profile = {**analyse(scratch / "trace", names, -(-n // cfg.batch_size)), "epoch_s": traced}
    shutil.rmtree(scratch, ignore_errors=True)  # the HLO dump and the trace: ~20 MB
    hardware = {"machine": machine(), "matmul_peak_gflops": peak, "matmul_bx784x512_gflops": shapes}
    return {"data": data_kind, "reps": reps, **hardware, "variants": variants, "profile": profile}


def report(r: dict[str, Any]) -> str:
    p, pct = r["profile"], lambda x: f"{100 * x:.1f} %"
    steady = r["variants"][next(iter(VARIANTS))]["step_ms"]
    wall = [[k, v, pct(p["wall_share"][k])] for k, v in p["wall_ms_per_step"].items()]
    ops = [[n, o["tf_op"][:52], o["ms_per_step"], o["gflops"] or ""] for n, o in p["ops"].items()]
    busy = ", ".join(f"{k} {v:.2f}" for k, v in p["busy_ms_per_step_by_thread_kind"].items())
    rows = []
    for n, v in r["variants"].items():
        rows.append([n, v["batch_size"], "on" if v["xla"] else "off", v["samples_per_s"]])
        rows[-1] += [v["step_ms"], v["gflops"], pct(v["fraction_of_peak"])]
    shapes = ", ".join(f"{b}x784x512 {g:.0f}" for b, g in r["matmul_bx784x512_gflops"].items())
    title = f"profile: one traced epoch, {p['profiled_steps']} steps of"
    title += f" {p['profiled_step_ms']:.2f} ms (untraced median {steady:.2f} ms); wall clock"
    text = [table(title, ["where", "ms/step", "share"], wall)]
    title = f"XLA ops, summed over threads: the matmuls take {p['matmul_ms_per_step']:.2f} ms/"
    title += f"step, {p['matmul_gflops_in_xla']:.0f} GFLOP/s"
    text += [table(title, ["HLO op", "TensorFlow op", "ms/step", "GFLOP/s"], ops[:14])]
    text += [f"busy ms/step per thread kind (traced): {busy}"]
    title = f"experiments: {r['data']}, median of {r['reps']} epochs each, in turn; float32 "
    title += f"matmul peak {r['matmul_peak_gflops']:.0f} GFLOP/s (NumPy: {shapes})"
    header = ["", "batch", "XLA", "samples/s", "ms/step", "GFLOP/s", "of peak"]
    return "\n\n".join([*text, table(title, header, rows)])


def main() -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--profile-only", action="store_true", help="no variants, no peak")
    options = parser.parse_args()
    results = measure(options.reps, options.profile_only)
    print(report(results))
    print(f"results: {write_results('profile_step', results)}")
    return results


if __name__ == "__main__":
    main()
