"""The `grader` entry point: a Ctrl-C at any moment of start-up is exit 130 and one line, no traceback."""

from __future__ import annotations

import importlib.abc
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from grader import cli, entry

REPO = Path(__file__).resolve().parents[1]


class _InterruptingFinder(importlib.abc.MetaPathFinder):
    """Raises KeyboardInterrupt when `grader.cli` is imported, as a Ctrl-C during its imports does."""

    def find_spec(self, fullname: str, path: Any, target: Any = None) -> None:
        if fullname == "grader.cli":
            raise KeyboardInterrupt
        return None


def test_ctrl_c_while_the_cli_is_imported_is_an_interrupt(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Before, `python -m grader batch ...` interrupted in its first half second printed a traceback through
    importlib (tests: session 19's known issue)."""
    monkeypatch.delitem(sys.modules, "grader.cli")
    monkeypatch.setattr(sys, "meta_path", [_InterruptingFinder(), *sys.meta_path])
    assert entry.main() == 130
    assert capsys.readouterr().err == "grader: interrupted\n"


def test_ctrl_c_while_the_parser_is_built_is_an_interrupt(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def interrupted(only: str | None = None) -> None:  # only: the command named first (cli._asked)
        raise KeyboardInterrupt

    monkeypatch.setattr(cli, "_parser", interrupted)
    assert cli.main(["batch", "miniflow", "x", "--out", "y"]) == 130
    assert capsys.readouterr().err == "grader: interrupted\n"


def test_the_entry_point_runs_the_cli(monkeypatch: pytest.MonkeyPatch) -> None:
    """Positive control: without an interrupt it is the cli's own main (bare `grader`: help, exit 2)."""
    monkeypatch.setattr(sys, "argv", ["grader"])
    assert entry.main() == cli.EXIT_USAGE == 2
    assert entry.EXIT_INTERRUPTED == cli.EXIT_INTERRUPTED


def test_python_m_grader_imports_nothing_from_the_working_directory(tmp_path: Path) -> None:
    """Session 24 (hunt2): `python -m grader` puts the working directory first on sys.path; run in a student's
    unpacked folder, it imported their `tomllib.py` (or `argparse.py`, ...) into the grader's own process,
    outside every sandbox. Here an `argparse.py` that would leave a marker: `grader assignments` runs and no
    marker is left. Control: `python -c 'import argparse'` in the same folder does import it."""
    marker = tmp_path / "imported"
    (tmp_path / "argparse.py").write_text(
        f"open({str(marker)!r}, 'w').close()\nraise ImportError('a student module')\n", encoding="utf-8"
    )
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    env.pop("PYTHONSAFEPATH", None)
    run = [sys.executable, "-m", "grader", "assignments"]
    done = subprocess.run(run, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "miniflow" in done.stdout
    assert not marker.exists()
    control = [sys.executable, "-c", "import argparse"]
    subprocess.run(control, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60)
    assert marker.exists()


def test_python_m_grader_from_its_own_checkout_keeps_the_checkout(tmp_path: Path) -> None:
    """Review of s24-hunt2: dropping the working directory broke a source checkout run from its root without
    install (`python -m grader grade ...` in the repository: 'No module named reference'). The working
    directory stays when the grader was imported from it; -S hides the editable install, so only the
    working directory can give `grader` and `reference` here."""
    import sysconfig

    env = {**os.environ, "PYTHONPATH": sysconfig.get_paths()["purelib"]}  # numpy, not the editable grader
    env.pop("PYTHONSAFEPATH", None)
    run = [sys.executable, "-S", "-m", "grader", "grade", "miniflow", "submissions/miniflow/correct.py"]
    run += ["--stage", "add", "--isolation", "rlimits", "--out", str(tmp_path / "out")]
    done = subprocess.run(run, cwd=REPO, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    assert (tmp_path / "out" / "report.json").exists()
