"""Which branch of a module-level `if` runs on import (grader/branch_taken.py), Python itself the oracle."""

from __future__ import annotations

import ast
import sys

import pytest

from grader.branch_taken import taken

DECIDED = [
    "True",
    "0",
    "not False",
    "sys.version_info >= (3, 0)",
    "sys.version_info < (3,)",
    "sys.version_info[0] == 2",
    "sys.version_info.major >= 3",
    "sys.version_info.minor != 0 and True",
    '__name__ != "__main__"',
    'sys.version_info[0] == 3 or __name__ == "__main__"',
]
UNDECIDED = [
    "USE_GPU",
    "not USE_GPU",
    "sys.version_info >= LIMIT",
    "len(sys.argv) > 1",
    "sys.platform == 'linux'",
]


@pytest.mark.parametrize("test", DECIDED)
def test_a_test_the_source_decides_is_read_as_python_evaluates_it(test: str) -> None:
    """The value is what Python gives on import, under a module's name, in this interpreter."""
    python = bool(eval(test, {"sys": sys, "__name__": "step09"}))  # our own literals
    assert taken(ast.parse(test, mode="eval").body) is python


@pytest.mark.parametrize("test", UNDECIDED)
def test_a_test_that_depends_on_anything_else_is_undecided(test: str) -> None:
    """None: either branch may run. Control: the DECIDED tests above get a value."""
    assert taken(ast.parse(test, mode="eval").body) is None
