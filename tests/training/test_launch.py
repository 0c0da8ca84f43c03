"""What a local worker is told crosses a process boundary as JSON: it reads back whole."""

from __future__ import annotations

from pathlib import Path

from dlcli.runtime.backend import Job
from dlcli.training.launch import WorkerTask
from dlcli.training.request import Output, TrainRequest


def test_a_worker_reads_back_the_request_it_was_given():
    request = TrainRequest(
        runs_dir=Path("/data/runs"), name="mlp", resume=None, output=Output("lines", verbose=True)
    )
    job = Job("127.0.0.1:5000", 2, 0)
    task = WorkerTask.from_json(WorkerTask.of(Path("c.yaml"), ["train.epochs=2"], request, job)
                                .to_json())  # fmt: skip
    assert task.config == "c.yaml" and task.overrides == ["train.epochs=2"]
    again = task.request(stream=None)
    assert again.runs_dir == request.runs_dir and again.name == "mlp" and again.resume is None
    assert again.job == job and again.output.progress == "lines" and again.output.verbose


def test_only_process_zero_shows_progress_and_never_a_live_bar():
    request = TrainRequest(output=Output("bar"))
    first = WorkerTask.of(None, [], request, Job("127.0.0.1:5000", 2, 0))
    second = WorkerTask.of(None, [], request, Job("127.0.0.1:5000", 2, 1))
    assert (first.progress, second.progress) == ("lines", "none")
