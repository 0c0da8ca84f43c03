"""Compare: train one config several ways, side by side, in one process.

A comparison varies one or more config keys (`--vary KEY=V1,V2`; compare-optimizers
varies the optimizer) over the cartesian product of their values, each with every
seed. Each (values, seed) is a *member*: an ordinary run directory inside
`runs/<name>-compare-<stamp>/`. The data is loaded and preprocessed once (per distinct
data section) and TensorFlow started once. Fairness comes from the runner: it seeds
Keras with the member's seed right before building the model, so members with the
same seed start from the same weights and see the same batches.

`compare.json` (the manifest) is written before the first member and atomically after
each one, so `--resume` re-runs exactly the members that did not complete; each update
re-reads it under the comparison's lock and changes only that member's record.
"""

from __future__ import annotations

import re
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

from dlcli.comparison.plan import (
    PENDING,
    Axis,
    Comparison,
    Member,
    Plan,
    load_plan,
    parse_target,
    plan_members,
    safe_name,
    save_plan,
)
from dlcli.comparison.request import ComparisonRequest
from dlcli.comparison.summary import write_comparison
from dlcli.config.loader import LoadedConfig, load_config
from dlcli.errors import DlcliError, Interrupted, RunDirError, UsageError
from dlcli.runs import rundir as files
from dlcli.runs.records import epochs_recorded
from dlcli.runs.rundir import RunDir
from dlcli.training.observers import notify, observed
from dlcli.training.request import Output, TrainRequest

# --- planning ---------------------------------------------------------------------


def run_comparison(
    config: Path | None,
    resume_dir: Path | None,
    make_axes,
    overrides: list[str],
    request: ComparisonRequest,
) -> Comparison:
    """The CLI's entry: a new comparison of CONFIG, or --resume of an earlier one.
    The request's observers follow the comparison and each member
    (dlcli.training.observers); with `processes` > 1 each member trains data-parallel."""
    if resume_dir is not None:
        if config is not None or overrides:
            raise UsageError("--resume continues a comparison as it was planned; "
                             "give no CONFIG and no --set with it")  # fmt: skip
        return resume(resume_dir, request)
    if config is None:
        raise UsageError("give a CONFIG file, or --resume COMPARE_DIR to continue a comparison")
    return start(config, overrides, make_axes(), request)


def start(
    config: str | Path, overrides: list[str], axes: list[Axis], request: ComparisonRequest
) -> Comparison:
    """Check every member's config and data, create the comparison directory, run them."""
    seeds, target = request.seeds, parse_target(request.target)
    if seeds < 1:
        raise UsageError("--seeds must be at least 1 (3 or more give a spread to judge)")
    base = load_config(config, overrides)
    groups, members = plan_members(axes, list(range(1, seeds + 1)))
    plan = Plan(
        str(config),
        list(overrides),
        [axis.key for axis in axes],
        groups,
        list(range(1, seeds + 1)),
        target,
        _command_line(),
        members,
    )
    prepared = prepare(config, list(overrides), plan)  # every mistake before any training
    _check_processes(prepared, request.processes)
    compare = RunDir.create(request.runs_dir, f"{base.config.name}-compare")
    with compare.locked("comparing"):  # for the comparison's life (dlcli.runs.lock)
        compare.write_text(files.CONFIG_FILE, base.resolved_yaml())
        save_plan(compare, plan)
        return _run_and_summarize(compare, plan, prepared, base, request)


def resume(compare_dir: str | Path, request: ComparisonRequest) -> Comparison:
    """Re-run the members of an earlier comparison that did not complete."""
    compare = _open_comparison(compare_dir)
    with compare.locked("comparing"):  # before reading the plan: one resume at a time
        plan = load_plan(compare)
        for member in plan.members:
            if member.state == files.COMPLETED and not _completed(compare, member):
                member.state = PENDING  # the manifest said done, but the run dir disagrees
            if member.state != files.COMPLETED:
                member.stale_run_dirs += _attempts(compare, member)
                member.run_dir = None
        prepared = prepare(compare.file(files.CONFIG_FILE), [], plan)
        _check_processes(prepared, request.processes)
        base = load_config(compare.file(files.CONFIG_FILE))
        return _run_and_summarize(compare, plan, prepared, base, request)


def _check_processes(prepared: dict, processes: int) -> None:
    if processes > 1:
        from dlcli.training.distributed import check_job_config

        for loaded, _ in prepared.values():
            check_job_config(loaded, processes)


def _run_and_summarize(
    compare: RunDir, plan: Plan, prepared: dict, base: LoadedConfig, request: ComparisonRequest
) -> Comparison:
    outcome = {"state": files.INTERRUPTED}  # until the members and the summary are done
    observers = list(request.observers)
    with observed(observers, compare.path, lambda: outcome["state"]) as final:
        notify(observers, "on_start", compare.path, base, {"members": len(plan.members)})
        run_members(compare, plan, prepared, request)
        _announce(request.output, "writing the comparison: statistics and plots")
        comparison = Comparison(compare.path, *write_comparison(compare))
        outcome["state"] = files.FAILED if comparison.failed else files.COMPLETED
        final.update(_ranked_finals(comparison.summary))
    return comparison


def _ranked_finals(summary: dict[str, Any]) -> dict[str, float]:
    """Per group, the mean final value of the ranked metric: `<group>.final_<metric>`."""
    metric = summary.get("ranked_by")
    finals = {}
    for label, group in summary["groups"].items():
        mean = (group.get("final", {}).get(metric) or {}).get("mean")
        if metric and mean is not None:
            finals[f"{safe_name(label)}.final_{metric}"] = mean
    return finals


def prepare(config: str | Path, base: list[str], plan: Plan) -> dict[str, tuple[Any, Any]]:
    """Member name -> (its config, its data), for every unfinished member, all checked
    before the first one trains. The data is loaded once per distinct data section, with
    the base config's seed, so every member sees the same split whatever its own seed."""
    from dlcli.models.checks import check_fit
    from dlcli.training.runner import load_data

    datasets: dict[str, Any] = {}
    prepared = {}
    seed = load_config(config, base).config.seed  # of every member's data split
    for member in plan.members:
        if member.state == files.COMPLETED:
            continue
        loaded = load_config(config, [*base, *member.overrides])
        key = loaded.config.data.model_dump_json()
        if key not in datasets:  # the member's group differs from it only by the seed
            group = replace(loaded, config=loaded.config.model_copy(update={"seed": seed}))
            datasets[key] = load_data(group)
        dataset = datasets[key]
        check_fit(
            loaded, dataset.x_train, dataset.y_train, dataset.num_classes,
            has_validation=dataset.x_val is not None,
        )  # fmt: skip
        prepared[member.name] = (loaded, dataset)
    return prepared


def run_members(compare: RunDir, plan: Plan, prepared: dict, request: ComparisonRequest) -> None:
    """Train each prepared member, in order, recording each outcome in the manifest.
    Members of several backends, or of several processes each, train in child
    processes (dlcli.comparison.child); the others here, Keras started once for all."""
    from dlcli.comparison.child import needs_children, train_in_child
    from dlcli.runtime.bootstrap import choose_backend, import_keras

    output, observers, processes = request.output, request.observers, request.processes
    children = needs_children(prepared, processes)
    if prepared and not children:
        choose_backend(next(iter(prepared.values()))[0].config.train.backend)
        import_keras(output.verbose)  # once, so no member's time includes the import
    for member in plan.members:
        if member.name not in prepared:
            continue
        loaded, dataset = prepared[member.name]
        position = f"{plan.members.index(member) + 1} of {len(plan.members)}"
        _announce(output, f"{member.group}, seed {member.seed} — {position}")
        prefix = f"[{position.replace(' of ', '/')} {member.group} s{member.seed}] "
        member_output = Output(
            output.progress, output.stream, output.verbose, prefix,
            resume_hint=f"dlcli compare --resume {compare.path}",
        )  # fmt: skip
        if children:  # trackers follow the comparison, not members in other processes
            train_in_child(compare, plan, member, member_output, processes)
        else:
            followers = [o.member(member.name, member.group, member.seed) for o in observers]
            _train_member(compare, plan, member, loaded, dataset, member_output, followers)


def _train_member(
    compare: RunDir, plan: Plan, member: Member, loaded: LoadedConfig, dataset, output: Output,
    observers: list | None = None,
) -> None:
    """Train one member; a failure is recorded and the comparison goes on, Ctrl-C stops it."""
    from dlcli.training.runner import train_on

    before = set(compare.path.iterdir())
    member.state, member.reason = files.RUNNING, None
    save_plan(compare, plan, member)
    try:
        request = TrainRequest(runs_dir=compare.path, name=member.name, output=output,
                               trackers=tuple(observers or ()))  # fmt: skip
        result = train_on(loaded, dataset, request)
    except (Interrupted, KeyboardInterrupt):
        _record_failure(compare, plan, member, before, files.INTERRUPTED, "interrupted")
        raise Interrupted(
            f"interrupted during {member.name}; to continue: dlcli compare --resume {compare.path}"
        ) from None
    except DlcliError as error:  # one member failing (e.g. a NaN loss) is itself a result
        _record_failure(compare, plan, member, before, files.FAILED, str(error))
        _announce(output, f"{member.name} failed: {error}")
        return
    member.state, member.run_dir = files.COMPLETED, result.path.name
    member.seconds, member.epochs = round(result.seconds, 3), epochs_recorded(result.history) or 0
    save_plan(compare, plan, member)


def _record_failure(
    compare: RunDir, plan: Plan, member: Member, before: set[Path], state: str, reason: str
) -> None:
    """The member's state, and the run directory its attempt created (if it got that far)."""
    created = sorted(p.name for p in set(compare.path.iterdir()) - before if p.is_dir())
    member.state, member.reason = state, reason
    member.run_dir = created[-1] if created else None
    save_plan(compare, plan, member)


def _attempts(compare: RunDir, member: Member) -> list[str]:
    """Run directories of the member's unfinished attempts not yet noted (a killed process
    never got to record the one it was writing)."""
    pattern = re.compile(rf"{re.escape(member.name)}-\d{{8}}-\d{{6}}(-\d+)?")
    found = sorted(p.name for p in compare.path.iterdir() if pattern.fullmatch(p.name))
    return [name for name in found if name not in member.stale_run_dirs]


def _completed(compare: RunDir, member: Member) -> bool:
    if not member.run_dir or not compare.file(member.run_dir).is_dir():
        return False
    try:
        return RunDir.open(compare.file(member.run_dir)).status().get("state") == files.COMPLETED
    except RunDirError:
        return False


def _open_comparison(path: str | Path) -> RunDir:
    path = Path(path)
    if (
        not (path / files.COMPARE_MANIFEST_FILE).is_file()
        or not (path / files.CONFIG_FILE).is_file()
    ):
        raise RunDirError(
            f"{path}: not a comparison directory (it has no {files.COMPARE_MANIFEST_FILE} and "
            f"{files.CONFIG_FILE}); give a runs/<name>-compare-<stamp> directory"
        )
    return RunDir(path)


def _announce(output: Output, text: str) -> None:
    if output.progress != "none":
        print(text, file=output.stream or sys.stdout, flush=True)


def _command_line() -> str:
    return " ".join(["dlcli", *sys.argv[1:]]) if sys.argv else "dlcli"
