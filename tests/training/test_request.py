"""The train request: built once, asked rather than threaded."""

from __future__ import annotations

from pathlib import Path

from dlcli.runtime.backend import SOLO, Job
from dlcli.training.request import Output, TrainRequest


def test_a_request_in_one_process_has_a_job_of_one():
    request = TrainRequest()
    assert request.job is SOLO and request.job.num_processes == 1 and request.job.writes
    assert not request.distributed and not request.job.joined


def test_a_request_is_distributed_when_it_launches_or_joins_a_job():
    assert TrainRequest(processes=2).distributed
    assert TrainRequest(job=Job("127.0.0.1:7777", 2, 1)).distributed


def test_a_changed_copy_keeps_the_rest_and_leaves_the_original():
    request = TrainRequest(runs_dir=Path("runs"), name="a", output=Output("bar", verbose=True))
    copy = request.but(runs_dir=Path("/tmp/scratch"), output=request.output.quiet())
    assert copy.name == "a" and copy.runs_dir == Path("/tmp/scratch")
    assert copy.output.progress == "none" and copy.output.verbose
    assert request.output.progress == "bar" and request.runs_dir == Path("runs")
