"""The grading path (`grader check`, `grade`, `batch`) never imports torch (DESIGN.md rule 5).

The real command runs under `python -X importtime`, which logs every module the process imports, first to
last (exit included), on stderr; torch must not be among them.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from batch.students import MINIFLOW_BROKEN, MINIFLOW_CORRECT, write_class


def _imported(argv: list[str], cwd: Path) -> tuple[set[str], subprocess.CompletedProcess[str]]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GRADER_")}
    done = subprocess.run(
        [sys.executable, "-X", "importtime", *argv],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=cwd,
        env=env,
    )
    modules = set()
    for line in done.stderr.splitlines():
        if line.startswith("import time:") and line.count("|") == 2:
            modules.add(line.rsplit("|", 1)[1].strip())
    return modules, done


def _torch_modules(modules: set[str]) -> set[str]:
    return {m for m in modules if m == "torch" or m.startswith("torch.")}


@pytest.mark.parametrize("command", ["check", "grade", "batch"])
def test_the_grading_commands_never_import_torch(tmp_path: Path, command: str) -> None:
    """check, grade and batch run to completion without importing torch or any torch submodule, while
    importing what the grading path does need (numpy, the pipeline): the log is complete."""
    directory = write_class(
        tmp_path / "class", {"ann": MINIFLOW_CORRECT, "bob": MINIFLOW_BROKEN["mse_sign_flipped"]}
    )
    argv = {
        "check": ["-m", "grader", "check", str(directory / "ann.py")],
        "grade": [
            "-m",
            "grader",
            "grade",
            "miniflow",
            str(directory / "bob.py"),
            "--out",
            str(tmp_path / "g"),
            "--format",
            "json,gradescope,junit",
        ],
        "batch": [
            "-m",
            "grader",
            "batch",
            "miniflow",
            str(directory),
            "--out",
            str(tmp_path / "b"),
            "--jobs",
            "2",
        ],
    }[command]
    modules, done = _imported(argv, tmp_path)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    assert {"numpy", "grader.pipeline", "grader.judge"} <= modules
    assert _torch_modules(modules) == set()


@pytest.mark.torch
def test_the_import_log_does_see_torch_when_it_is_imported(tmp_path: Path) -> None:
    """Negative control: the same log, on a process that imports torch, shows it."""
    modules, done = _imported(["-c", "import torch"], tmp_path)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "torch" in _torch_modules(modules)
