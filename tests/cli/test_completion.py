"""Shell completion: command names and options (Typer), config files and run folders."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from dlcli.cli.completion import complete_config_path, complete_run_dir

REPO = Path(__file__).resolve().parents[2]


def test_config_paths_complete_to_folders_and_yaml_files(tmp_path: Path, monkeypatch) -> None:
    (tmp_path / "configs" / "more").mkdir(parents=True)
    for name in ("mnist_mlp.yaml", "mnist_cnn.yml", "notes.txt", ".hidden.yaml"):
        (tmp_path / "configs" / name).write_text("")
    monkeypatch.chdir(tmp_path)
    assert complete_config_path("") == ["configs/"]
    assert complete_config_path("configs/") == [
        "configs/mnist_cnn.yml", "configs/mnist_mlp.yaml", "configs/more/"]  # fmt: skip
    assert complete_config_path("configs/mnist_m") == ["configs/mnist_mlp.yaml"]
    assert complete_config_path("configs/.h") == ["configs/.hidden.yaml"]  # asked for: shown
    absolute = str(tmp_path / "configs" / "mnist_c")
    assert complete_config_path(absolute) == [f"{absolute}nn.yml"]
    assert complete_config_path("nowhere/x") == []
    assert complete_run_dir("configs/") == ["configs/more/"]


def _complete(words: str) -> list[str]:
    """What bash asks `dlcli` for, as the script `dlcli --install-completion` installs does."""
    env = {**os.environ, "_DLCLI_COMPLETE": "complete_bash", "COMP_WORDS": words,
           "COMP_CWORD": str(len(words.split()) - (0 if words.endswith(" ") else 1))}  # fmt: skip
    dlcli = str(Path(sys.executable).parent / "dlcli")  # the console script users run
    done = subprocess.run([dlcli], env=env, cwd=REPO,
                          capture_output=True, text=True, timeout=60)  # fmt: skip
    return done.stdout.split()


def test_the_shell_gets_commands_options_and_config_files() -> None:
    assert {"runs", "report"} <= set(_complete("dlcli r"))
    assert "--mlflow" in _complete("dlcli train configs/mnist_mlp.yaml --m")
    assert "configs/mnist_mlp.yaml" in _complete("dlcli train configs/mnist_m")
