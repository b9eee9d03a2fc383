"""The `grader` entry point: a Ctrl-C at any moment of start-up is exit 130 and one line, no traceback."""

from __future__ import annotations

import importlib.abc
import sys
from typing import Any

import pytest

from grader import cli, entry


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
    def interrupted() -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(cli, "_parser", interrupted)
    assert cli.main(["batch", "miniflow", "x", "--out", "y"]) == 130
    assert capsys.readouterr().err == "grader: interrupted\n"


def test_the_entry_point_runs_the_cli(monkeypatch: pytest.MonkeyPatch) -> None:
    """Positive control: without an interrupt it is the cli's own main (bare `grader`: help, exit 2)."""
    monkeypatch.setattr(sys, "argv", ["grader"])
    assert entry.main() == cli.EXIT_USAGE == 2
    assert entry.EXIT_INTERRUPTED == cli.EXIT_INTERRUPTED
