"""The package stays readable: small modules, small functions, imports that flow one way.

The import direction and the absence of cycles are checked by `lint-imports` (the
contract in pyproject.toml, run by `make lint` and `make test`); this file checks the
sizes, which no linter here does, and that the contract itself still names every stage.
"""

from __future__ import annotations

import ast
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


def test_every_subpackage_says_what_it_owns_and_is_a_layer_of_the_contract() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    contracts = {c["id"]: c for c in config["tool"]["importlinter"]["contracts"]}
    layers = " | ".join(contracts["stages"]["layers"])
    for folder in sorted(p for p in PACKAGE.iterdir() if (p / "__init__.py").is_file()):
        doc = ast.get_docstring(ast.parse((folder / "__init__.py").read_text(encoding="utf-8")))
        assert doc and len(doc) > 100, f"{folder.name}/__init__.py needs a docstring"
        assert f"dlcli.{folder.name}" in layers, f"dlcli.{folder.name} is in no layer"
