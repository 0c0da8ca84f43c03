"""The README and docs/: every relative link and image resolves (anchors to a heading), and
the README's Python API example runs as written."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers.processes import offline_env

REPO = Path(__file__).resolve().parent.parent
PAGES = [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]
LINK = re.compile(r"!?\[(?:[^\[\]]|\[[^\]]*\])*\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)")
FENCE = re.compile(r"^(```|~~~).*?^\1\s*$", re.S | re.M)


def prose(page: Path) -> str:
    """The page without its fenced code blocks (a link inside code is not a link)."""
    return FENCE.sub("", page.read_text(encoding="utf-8"))


def anchors(page: Path) -> set[str]:
    """GitHub's heading ids: lower case, punctuation dropped, spaces to hyphens."""
    headings = re.findall(r"^#{1,6}\s+(.+?)\s*#*\s*$", prose(page), re.M)
    return {re.sub(r"[^\w\- ]", "", h.strip().lower()).replace(" ", "-") for h in headings}


def links(page: Path) -> list[str]:
    return [t for t in LINK.findall(prose(page)) if not re.match(r"[a-z]+:", t)]


def test_the_docs_have_pages_and_links_to_check():
    assert len(PAGES) >= 10
    assert sum(len(links(page)) for page in PAGES) >= 20
    assert "compare_dropout_l2_loss.png" in " ".join(links(REPO / "docs" / "comparing.md"))


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_every_relative_link_resolves(page: Path):
    broken = []
    for target in links(page):
        path, _, anchor = target.partition("#")
        resolved = (page.parent / path).resolve() if path else page
        if not resolved.exists():
            broken.append(f"{target}: no such file")
        elif anchor and resolved.suffix == ".md" and anchor not in anchors(resolved):
            broken.append(f"{target}: no heading #{anchor} in {resolved.name}")
    assert not broken, f"{page.name}: {broken}"


def test_the_readme_stays_a_front_door():
    lines = (REPO / "README.md").read_text(encoding="utf-8").count("\n")
    assert lines < 400, f"README.md has {lines} lines; move the detail into docs/"


def python_api_example() -> str:
    """The ```python blocks under the README's "Python API" heading, joined."""
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme.split("\n## Python API\n", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"^```python\n(.*?)^```", section, re.S | re.M)
    assert blocks, "the README's Python API section has no ```python block"
    return "\n".join(blocks)


@pytest.mark.slow  # ~35 s of CPU (TensorFlow, 100 + 4 x 40 epochs): over the default budget
def test_readme_python_api_example_runs_as_written(tmp_path: Path):
    """From a copy of configs/ in an empty folder, offline, as a user would from the repo."""
    shutil.copytree(REPO / "configs", tmp_path / "configs")
    (tmp_path / "example.py").write_text(python_api_example(), encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "example.py"], cwd=tmp_path, env=offline_env(tmp_path),
        capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    out = result.stdout
    assert "xor_mlp: 2 layers, adam, 100 epochs" in out
    assert re.search(r"over 100 epochs; final accuracy 1\.00", out), out
    assert re.search(r"xor_inputs\.csv:row 2 -> class 1", out), out
    assert "evaluated on the test split (4 rows)" in out
    assert re.search(r"#1 layers#2: accuracy 1\.00 \(n=2\)", out), out
    assert "Welch's t-test n = [2, 2] p = 0." in out
    assert "ConfigError:" in out and "did you mean 'epochs'" in out
    assert len(list((tmp_path / "runs").glob("xor_mlp-2*"))) == 1  # the trained run
    assert len(list((tmp_path / "runs").glob("xor_mlp-compare-*"))) == 1


# Reference pages state what is true and the command that reproduces a figure, not how it
# was found: no ticket numbers, no one who measured, no other load on the machine, no diary
# dates or clock times. Checked in prose without code (a config key or a command's output is
# not prose); an upstream reference such as `keras-team/keras#20585` is an address, not a
# ticket of this project, so `#<n>` counts only where it does not follow a name.
DIARY = {
    "a ticket or issue number": r"\b(?:issues?|tickets?)\s+#?\d+|(?<![\w/.-])#\d+\b",
    "who measured": (
        r"\b(?:[Ww]e|[Oo]ur|us)\b|\bI (?:ran|reran|measured|could|cannot|did|had|saw|timed)\b"
        r"|\bthe time I had\b|\bmy own\b|\bthis session\b|\bhelpers?\b(?!\s*(?:function|module))"
    ),
    "the machine's load": r"\bload(?: average)?\s+(?:of\s+)?\d|\bunder load\b|\bloaded machine\b"
    r"|\b(?:idle|quiet|quieter|busy|busier|shared)\s+(?:machine|cores?|rerun|run)\b"
    r"|\bshared with\b|\bother (?:jobs|helpers|tests|test suites|processes) (?:ran|were)\b"
    r"|\b(?:was|were) running\b|\bwhile other\b",
    "a diary date or time": r"\b20\d\d-\d\d-\d\d\b|\b\d{1,2}:\d\d\s*[–-]\s*\d{1,2}:\d\d\b",
}
INLINE_CODE = re.compile(r"`[^`\n]+`")


def diary(page: Path) -> list[str]:
    text = INLINE_CODE.sub("", prose(page))
    found = []
    for line in text.splitlines():
        for what, pattern in DIARY.items():
            for match in re.finditer(pattern, line, re.I if what != "who measured" else 0):
                found.append(f"{what}: {match.group(0)!r} in {line.strip()[:100]!r}")
    return found


def test_the_diary_check_flags_diary_and_spares_reference_text(tmp_path: Path):
    page = tmp_path / "page.md"
    flagged = [
        "issue 15's runs",
        "see #12",
        "a helper measured it",
        "this session",
        "we saw",
        "Our runs",
        "at load 15-22",
        "on an idle machine",
        "while other tests ran",
        "under load",
        "on 2026-11-23",
        "15:40–15:45",
        "2 CPU cores shared with other jobs",
        "I ran it twice",
    ]
    for text in flagged:
        page.write_text(text + "\n", encoding="utf-8")
        assert diary(page), text
    spared = (
        "Every bomb is a 413 and every image a 200. An idle connection holds no slot.\n"
        "Set `train.eval_batch_size: 1024`; labels read `layers#1`; see keras-team/keras#20585.\n"
        "Run `make bench` on 2 Xeon cores. The loader reads IDX files. What did I try?\n"
        "```\nwe ran this at load 5 on 2026-11-23, #1\n```\n"
    )
    page.write_text(spared, encoding="utf-8")
    assert not diary(page), diary(page)


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_no_page_tells_the_history_of_a_figure(page: Path):
    found = diary(page)
    assert not found, f"{page.name}: {found}"
