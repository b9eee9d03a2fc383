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


@pytest.mark.parametrize(("test", "decides"), [(t, True) for t in DECIDED] + [(t, False) for t in UNDECIDED])
def test_a_test_is_read_as_python_evaluates_it_or_left_undecided(test: str, decides: bool) -> None:
    """A test the source decides has the value Python gives on import, under a module's name, in this
    interpreter; one that depends on anything else is None (either branch may run)."""
    expr = ast.parse(test, mode="eval").body
    python = bool(eval(test, {"sys": sys, "__name__": "step09"})) if decides else None  # our own literals
    assert taken(expr) is python


def test_the_version_read_here_is_the_student_processs() -> None:
    """branch_taken decides `sys.version_info` checks with the parent's own version: right only while the
    sandbox runs the same interpreter. It does: host_layout's python, asked, says this version (control:
    the same question with a version that is not this one is answered otherwise)."""
    import subprocess

    from grader.sandbox.layout import host_layout

    said = subprocess.run(
        [str(host_layout().python), "-c", "import sys; print(tuple(sys.version_info[:3]))"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    assert said == str(tuple(sys.version_info[:3])), said
    assert taken(ast.parse(f"sys.version_info >= {tuple(sys.version_info[:2])}", mode="eval").body) is True
    later = (sys.version_info.major, sys.version_info.minor + 1)
    assert taken(ast.parse(f"sys.version_info >= {later}", mode="eval").body) is False
