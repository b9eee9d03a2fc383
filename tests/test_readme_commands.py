"""README's table of commands against each command's --help: a user who reads the table learns every option a
command takes, and every option the table shows exists (session 29's journey found `check`'s --seed, `batch`'s
--scheduler and `gradescope-kit`'s --wheel in no row of the table)."""

from __future__ import annotations

import argparse
import re
from pathlib import Path

import pytest

from grader import cli

README = Path(__file__).resolve().parents[1] / "README.md"


def _rows() -> dict[str, str]:
    """The README's table of commands: the command's name (`grader NAME ...`) to its first cell."""
    rows = {}
    for line in README.read_text(encoding="utf-8").splitlines():
        found = re.match(r"\| `grader ([a-z-]+)([^|]*(?:\\\|[^|]*)*)` \|", line)
        if found:
            rows[found.group(1)] = found.group(2)
    return rows


def _commands() -> dict[str, argparse.ArgumentParser]:
    parser = cli._parser()
    action = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return dict(action.choices)


def _options(parser: argparse.ArgumentParser) -> set[str]:
    return {
        opt
        for a in parser._actions
        if not isinstance(a, argparse._HelpAction)
        for opt in a.option_strings
        if opt.startswith("--")
    }


def test_the_table_has_a_row_for_every_command() -> None:
    assert set(_rows()) == set(_commands())


@pytest.mark.parametrize("name", sorted(_commands()))
def test_every_option_of_a_command_is_in_its_row(name: str) -> None:
    row = _rows().get(name, "")
    # `--seed` must stand alone: `--seed-secret` in the row does not document it
    alone = r"(?![\w-])"
    missing = sorted(o for o in _options(_commands()[name]) if not re.search(re.escape(o) + alone, row))
    assert not missing, f"README's row for `grader {name}` lacks {missing}"


@pytest.mark.parametrize("name", sorted(_commands()))
def test_every_option_in_a_row_exists(name: str) -> None:
    shown = set(re.findall(r"--[a-z][a-z-]*", _rows().get(name, "")))
    assert shown <= _options(_commands()[name]), shown - _options(_commands()[name])
