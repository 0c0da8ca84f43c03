"""Options of `train`, `compare` and `compare-optimizers` that choose the backend and
spread training over processes (docs/scaling-out.md). The job options also read the
environment, so a cluster scheduler can set them for every host."""

from __future__ import annotations

from typing import Annotated

import typer

BackendOpt = Annotated[
    str | None,
    typer.Option(
        help="tensorflow or jax: the library Keras computes with (sets train.backend; "
        'jax needs pip install "dlcli[jax]").'
    ),
]
ProcessesOpt = Annotated[
    int,
    typer.Option(
        min=1,
        help="Train data-parallel in N processes on this host (jax backend); the config's "
        "batch_size is the global batch.",
    ),
]
CoordinatorOpt = Annotated[
    str | None,
    typer.Option(
        envvar="DLCLI_COORDINATOR",
        help="HOST:PORT of process 0: join a job spanning hosts (with --num-processes, "
        "--process-id; the same command on every host).",
    ),
]
NumProcessesOpt = Annotated[
    int | None,
    typer.Option(envvar="DLCLI_NUM_PROCESSES", help="Processes in the whole job."),
]
ProcessIdOpt = Annotated[
    int | None,
    typer.Option(envvar="DLCLI_PROCESS_ID", help="This process's place in the job: 0..N-1."),
]
