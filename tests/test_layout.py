"""The tests mirror the code: every module has `tests/<stage>/test_<module>.py`, or is on
the list below of modules whose behaviour is tested through another file (each entry
names that file and why). Shared helpers live in `tests/helpers/`; no test module imports
another test module."""

from __future__ import annotations

import ast
from pathlib import Path

import dlcli

PACKAGE = Path(dlcli.__file__).parent
ROOT = PACKAGE.parent
TESTS = ROOT / "tests"

# module (relative to dlcli/) -> the test file that exercises it, and why not its own.
TESTED_ELSEWHERE: dict[str, tuple[str, str]] = {
    # The API and the CLI are thin: their tests drive them as a user does.
    "api/finished.py": ("tests/test_api.py", "evaluate/predict/export/runs through the API"),
    "api/workflows.py": ("tests/test_api.py", "train/compare through the API"),
    "cli/display.py": ("tests/cli/test_app.py", "tables as the CLI prints them"),
    "cli/export_commands.py": ("tests/cli/test_deploy_commands.py", "export/serve commands"),
    "cli/serve_commands.py": ("tests/cli/test_deploy_commands.py", "export/serve commands"),
    "cli/options.py": ("tests/cli/test_app.py", "exit codes and messages of every command"),
    "cli/runs_commands.py": ("tests/runs/test_catalog.py", "runs/diff/report via the CLI"),
    "cli/scale_options.py": ("tests/training/test_distributed.py", "--processes, --coordinator"),
    "comparison/child.py": ("tests/comparison/test_members.py", "members in child processes"),
    "comparison/member_process.py": ("tests/comparison/test_members.py", "member processes"),
    "comparison/request.py": ("tests/comparison/test_members.py", "comparisons started"),
    # Schema sections: validated through the loader and the generated JSON Schema.
    "config/callbacks_schema.py": ("tests/config/test_schema.py", "callbacks: section"),
    "config/data_sources_schema.py": ("tests/config/test_schema.py", "per-source sections"),
    "config/layers/arguments.py": ("tests/config/test_model_schema.py", "layer arguments"),
    "config/layers/building.py": ("tests/config/layers/test_registry.py", "each layer built"),
    "config/layers/items.py": ("tests/config/test_model_schema.py", "layer items validated"),
    "config/layers/shapes.py": ("tests/config/layers/test_registry.py", "rules against Keras"),
    "config/schema_base.py": ("tests/config/test_field_docs.py", "shared field types"),
    "config/tracking_schema.py": ("tests/tracking/test_mlflow.py", "tracking: section"),
    "config/yaml_positions.py": ("tests/config/test_loader.py", "positions and YAML limits"),
    "data/dataset.py": ("tests/data/test_pipeline.py", "the Dataset the pipeline returns"),
    "data/seeding.py": ("tests/data/test_pipeline.py", "seeded shuffles and held-out splits"),
    # The data sources (one module each): loaded through load_dataset, each in the test file
    # of the module it delegates to; the interface by a toy source registered in a test.
    "data/sources/arrays.py": ("tests/data/test_pipeline.py", "the array sources' pipeline"),
    "data/sources/base.py": ("tests/data/test_sources.py", "a toy source trained end to end"),
    "data/sources/csv_table.py": ("tests/data/test_categorical.py", "csv with categories"),
    "data/sources/idx.py": ("tests/data/test_pipeline.py", "IDX folders"),
    "data/sources/image_folder.py": ("tests/data/test_evaluation_data.py", "image folders"),
    "data/sources/inline.py": ("tests/data/test_pipeline.py", "inline x and y"),
    "data/sources/keras_builtin.py": ("tests/data/test_keras_datasets.py", "local copies"),
    "data/sources/linear.py": ("tests/data/test_pipeline.py", "generated linear data"),
    "data/sources/npz.py": ("tests/data/test_pipeline.py", "npz files"),
    "data/sources/raw.py": ("tests/data/test_pipeline.py", "lengths checked, test held out"),
    "data/sources/text.py": ("tests/data/test_text.py", "text loaded, predicted, evaluated"),
    "data/sources/timeseries.py": ("tests/data/test_timeseries.py", "windows and forecasts"),
    "errors.py": ("tests/e2e/test_bad_inputs.py", "every error kind's message and exit code"),
    "export/diagnose.py": ("tests/export/test_exporter.py", "converter failures explained"),
    "export/formats.py": ("tests/export/test_exporter.py", "each format exported and checked"),
    # Model kinds: through the registry, and each kind built and trained for real.
    "models/gan/kind.py": ("tests/training/test_model_kinds.py", "a GAN trained and used"),
    "models/gan/network.py": ("tests/training/test_model_kinds.py", "a GAN built and trained"),
    "models/gan/samples.py": ("tests/training/test_model_kinds.py", "sample grids, predict N"),
    "models/graph.py": ("tests/training/test_model_kinds.py", "a graph trained and loaded"),
    "models/graph_builder.py": ("tests/training/test_model_kinds.py", "graph models built"),
    "models/kind.py": ("tests/models/test_kinds.py", "a toy kind on the defaults"),
    "models/label_checks.py": ("tests/models/test_checks.py", "labels against the model"),
    "models/sequential.py": ("tests/models/test_builder.py", "sequential models built"),
    "models/stack.py": ("tests/models/test_builder.py", "layer stacks built"),
    "runs/confusion.py": ("tests/runs/test_plots.py", "the confusion matrix plot"),
    "runs/crashpoints.py": ("tests/e2e/test_crash_points.py", "a crash at every write point"),
    "runs/folders.py": ("tests/export/test_export_safety.py", "export folders, links, leftovers"),
    "runtime/bootstrap.py": ("tests/e2e/test_backends.py", "both backends chosen and started"),
    "serving/app.py": ("tests/serving/test_server.py", "routes on a real server"),
    "serving/predictor.py": ("tests/serving/test_server.py", "answers on a real server"),
    "tracking/base.py": ("tests/tracking/test_mlflow.py", "trackers chosen from config"),
    "tracking/git.py": ("tests/tracking/test_mlflow.py", "the git commit logged"),
    "trained/inference.py": ("tests/test_api.py", "evaluate and inspect a trained run"),
    "trained/model_info.py": ("tests/export/test_exporter.py", "inputs/outputs of exports"),
    "trained/run_handle.py": ("tests/test_api.py", "the API's Run"),
    "training/checkpoint.py": ("tests/training/test_resume.py", "checkpoints and resume"),
    "runtime/interrupts.py": ("tests/training/test_resume.py", "Ctrl-C and SIGTERM"),  # and export
    "training/run_facts.py": ("tests/test_api.py", "env.json and summary records"),
    "training/runner.py": ("tests/test_api.py", "training end to end"),
    "training/scoring.py": ("tests/test_api.py", "final metrics of a trained run"),
    "training/tensorboard_logs.py": ("tests/training/test_observers.py", "logs read back"),
    "training/validation.py": ("tests/cli/test_app.py", "dlcli validate"),
}


def _modules() -> list[str]:
    return sorted(
        str(p.relative_to(PACKAGE))
        for p in PACKAGE.rglob("*.py")
        if p.name not in ("__init__.py", "__main__.py")
    )


def _mirror(module: str) -> Path:
    path = Path(module)
    return TESTS / path.parent / f"test_{path.name}"


def test_every_module_has_its_test_file_or_says_where_it_is_tested() -> None:
    untested = [m for m in _modules() if not _mirror(m).is_file() and m not in TESTED_ELSEWHERE]
    assert untested == [], "add tests/<stage>/test_<module>.py or a TESTED_ELSEWHERE entry"


def test_the_tested_elsewhere_list_is_current() -> None:
    modules = set(_modules())
    stale = [m for m in TESTED_ELSEWHERE if m not in modules or _mirror(m).is_file()]
    assert stale == [], "these entries name a module that is gone or has its own test file"
    missing = {m: f for m, (f, _) in TESTED_ELSEWHERE.items() if not (ROOT / f).is_file()}
    assert missing == {}, "these entries name a test file that does not exist"


def _imported_test_modules(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        names = []
        if isinstance(node, ast.ImportFrom) and node.module:
            names = [node.module]
        elif isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        found += [n for n in names if n.startswith("tests") and not n.startswith("tests.helpers")]
    return found


def test_test_modules_share_helpers_only_through_tests_helpers() -> None:
    crossing = {
        str(p.relative_to(ROOT)): names
        for p in sorted(TESTS.rglob("*.py"))
        if "helpers" not in p.parts and (names := _imported_test_modules(p))
    }
    assert crossing == {}, "move shared helpers into tests/helpers/"
