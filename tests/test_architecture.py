"""The package stays readable: small modules, small functions, imports that flow one way.

The import direction and the absence of cycles are checked by `lint-imports` (the
contract in pyproject.toml, run by `make lint` and `make test`); this file checks the
sizes, which no linter here does, and that the contract itself still names every stage.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import tomllib  # Python 3.11+; the test suite runs on the project's 3.11 venv

import dlcli

PACKAGE = Path(dlcli.__file__).parent
ROOT = PACKAGE.parent
MAX_MODULE_LINES = 300
MAX_FUNCTION_LINES = 50


def _modules() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def test_no_module_is_longer_than_the_limit() -> None:
    long = {
        str(p.relative_to(ROOT)): n
        for p in _modules()
        if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_MODULE_LINES
    }
    assert long == {}, f"modules over {MAX_MODULE_LINES} lines: split them by what they own"


def test_no_function_is_longer_than_the_limit() -> None:
    long = {}
    for path in _modules():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                length = node.end_lineno - node.lineno + 1
                if length > MAX_FUNCTION_LINES:
                    long[f"{path.relative_to(ROOT)}:{node.lineno} {node.name}"] = length
    assert long == {}, f"functions over {MAX_FUNCTION_LINES} lines"


MAX_PARAMETERS = 8


def _parameters(node: ast.FunctionDef | ast.AsyncFunctionDef) -> int:
    args = node.args
    names = [*args.posonlyargs, *args.args, *args.kwonlyargs]
    count = len(names) + bool(args.vararg) + bool(args.kwarg)
    return count - bool(names and names[0].arg in ("self", "cls"))


def _typed_by_users(path: Path, node) -> bool:
    """The CLI's commands and the public API functions: their keyword options are what a
    user types, so they may have as many as the command has options."""
    stage = path.relative_to(PACKAGE).parts[0]
    return stage == "cli" or (stage == "api" and not node.name.startswith("_"))


def test_no_internal_function_takes_more_than_the_limit_of_parameters() -> None:
    many = {}
    for path in _modules():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            function = isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
            if function and _parameters(node) > MAX_PARAMETERS and not _typed_by_users(path, node):
                many[f"{path.relative_to(ROOT)}:{node.lineno} {node.name}"] = _parameters(node)
    assert many == {}, f"more than {MAX_PARAMETERS} parameters: carry a settings object"


def test_every_subpackage_says_what_it_owns_and_is_a_layer_of_the_contract() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    contracts = {c["id"]: c for c in config["tool"]["importlinter"]["contracts"]}
    layers = " | ".join(contracts["stages"]["layers"])
    for folder in sorted(p for p in PACKAGE.iterdir() if (p / "__init__.py").is_file()):
        doc = ast.get_docstring(ast.parse((folder / "__init__.py").read_text(encoding="utf-8")))
        assert doc and len(doc) > 100, f"{folder.name}/__init__.py needs a docstring"
        assert f"dlcli.{folder.name}" in layers, f"dlcli.{folder.name} is in no layer"


IMPORT_EVERY_MODULE = """
import importlib, pkgutil, sys
import dlcli
for found in pkgutil.walk_packages(dlcli.__path__, "dlcli."):
    if not found.name.endswith("__main__"):
        importlib.import_module(found.name)
print(sorted({m.split(".")[0] for m in sys.modules} & {"keras", "tensorflow", "jax"}))
"""


def test_no_module_starts_keras_tensorflow_or_jax_when_it_is_imported() -> None:
    """Keras and the backends are imported inside the functions that train, evaluate,
    predict or export, so any module (and --help, validate, runs, schema) loads light."""
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-c", IMPORT_EVERY_MODULE], capture_output=True,
                          text=True, timeout=120, cwd=ROOT)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


ARCHITECTURE = ROOT / "docs" / "architecture.md"
NAMED_PATH = re.compile(r"\b(dlcli/[\w/]+(?:\.py)?)")
NAMED_MODULE = re.compile(r"\bdlcli(?:\.\w+)+")


def _module_exists(dotted: str) -> bool:
    """`dlcli.a.b` is a module or package, or a name defined in one (`dlcli.a.b.NAME`)."""
    parts = dotted.split(".")
    for cut in (len(parts), len(parts) - 1):
        path = ROOT.joinpath(*parts[:cut])
        if path.with_suffix(".py").is_file() or (path / "__init__.py").is_file():
            return True
    return False


def test_the_architecture_page_names_only_modules_that_exist() -> None:
    text = ARCHITECTURE.read_text(encoding="utf-8")
    paths = sorted({p.rstrip("/") for p in NAMED_PATH.findall(text) if not (ROOT / p).exists()})
    assert paths == [], "docs/architecture.md names files or folders that are gone"
    modules = sorted({m for m in NAMED_MODULE.findall(text) if not _module_exists(m)})
    assert modules == [], "docs/architecture.md names modules that are gone"


def test_the_architecture_page_describes_every_stage_and_draws_the_contract() -> None:
    text = ARCHITECTURE.read_text(encoding="utf-8")
    stages = sorted(p.name for p in PACKAGE.iterdir() if (p / "__init__.py").is_file())
    undescribed = [s for s in stages if f"**`dlcli/{s}/`**" not in text]
    assert undescribed == [], "each stage needs its paragraph, headed **`dlcli/<stage>/`**"
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    contracts = {c["id"]: c for c in config["tool"]["importlinter"]["contracts"]}
    drawn = " ".join(contracts["stages"]["layers"])
    undrawn = [s for s in stages if f'{s}["dlcli.{s}' not in text]
    assert undrawn == [] and all(f"dlcli.{s}" in drawn for s in stages)
