"""`make bench`: start-up, throughput, compare and the model matrix; prints the tables,
writes JSON under benchmarks/results/ (git-ignored).

    python -m benchmarks [--reps 3] [--epochs 3] [--deterministic]
                         [--only startup,throughput,compare,matrix,serve,runs_table,
                                 image_folder_memory,scale_out] [--workloads cnn,lstm]

`--only example_cnn` (not in the default set: ~6 minutes more here) times
`dlcli train configs/mnist_cnn.yaml` against the plain CNN script doing the same work;
`scale_out` (JAX vs TensorFlow, 1 vs 2 processes) is opt-in too.
"""

from __future__ import annotations

import argparse
import time

from benchmarks import (
    compare,
    example_cnn,
    image_folder_memory,
    matrix,
    runs_table,
    serve_load,
    startup,
    throughput,
)
from benchmarks.common import machine, write_results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=3, help="throughput repetitions")
    parser.add_argument("--epochs", type=int, default=3, help="throughput epochs per run")
    parser.add_argument(
        "--only",
        default="startup,throughput,compare,matrix,serve,runs_table,image_folder_memory",
    )
    parser.add_argument("--workloads", default="", help="matrix: e.g. cnn,lstm (default: all)")
    parser.add_argument("--deterministic", action="store_true", help="throughput: add it")
    options = parser.parse_args()
    chosen = options.only.split(",")
    started = time.perf_counter()
    facts = machine()
    print(
        f"machine: {facts['nproc']} cores, {facts['cpu']}, {facts['memory_gib']} GiB; "
        f"load average at start {facts['load_average'][0]:.2f}",
        flush=True,
    )
    results: dict = {"machine": facts}
    tables = []
    if "startup" in chosen:
        results["startup"] = startup.measure(5)
        tables.append(startup.report(results["startup"]))
        print(tables[-1], flush=True)
    if "throughput" in chosen:
        results["throughput"] = throughput.measure(
            options.reps, options.epochs, options.deterministic
        )
        tables.append(throughput.report(results["throughput"]))
        print(tables[-1], flush=True)
    if "scale_out" in chosen:  # opt-in (--only ...,scale_out): JAX vs TF, 1 vs 2 processes
        from benchmarks import scale_out

        results["scale_out"] = scale_out.measure(2, options.epochs)
        tables.append(scale_out.report(results["scale_out"]))
        print(tables[-1], flush=True)
    if "compare" in chosen:
        results["compare"] = compare.measure()
        tables.append(compare.report(results["compare"]))
        print(tables[-1], flush=True)
    if "serve" in chosen:
        results["serve"] = serve_load.measure()
        tables.append(serve_load.report(results["serve"]))
    if "runs_table" in chosen:
        results["runs_table"] = runs_table.measure()
        tables.append(runs_table.report(results["runs_table"]))
    if "image_folder_memory" in chosen:
        results["image_folder_memory"] = image_folder_memory.measure()
        tables.append(image_folder_memory.report(results["image_folder_memory"]))
    if "matrix" in chosen:
        workloads = [name for name in options.workloads.split(",") if name]
        results["matrix"] = matrix.measure(options.reps, workloads)
        tables.append(matrix.report(results["matrix"]))
        print(tables[-1], flush=True)
    if "example_cnn" in chosen:
        results["example_cnn"] = example_cnn.measure(max(2, options.reps - 1))
        tables.append(example_cnn.report(results["example_cnn"]))
        print(tables[-1], flush=True)
    results["seconds"] = time.perf_counter() - started
    results["load_average_at_end"] = machine()["load_average"]
    path = write_results("bench", results)
    print("\n" + "\n\n".join(tables))
    print(f"\nbench took {results['seconds']:.0f} s; wrote {path}")


if __name__ == "__main__":
    main()
