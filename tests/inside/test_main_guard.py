"""Which branch of an `if` runs on import (grader/inside/main_guard.py), with Python itself as the oracle."""

from __future__ import annotations

import ast

import pytest

from grader.inside.main_guard import import_branches, on_import

# tests whose value on import Python decides alone: evaluated below with `__name__` a module's name
DECIDED = [
    '__name__ == "__main__"',
    '"__main__" == __name__',
    '__name__ != "__main__"',
    "'__main__' != __name__",
    'not __name__ == "__main__"',
    'not (__name__ != "__main__")',
    'not not __name__ != "__main__"',
    '__name__ == "__main__" and DEBUG',
    'DEBUG or __name__ != "__main__"',
    '__name__ != "__main__" and not __name__ == "__main__"',
]
# tests that depend on something else: either branch may run
UNDECIDED = [
    '__name__ == "__main__" or DEBUG',
    'DEBUG and __name__ != "__main__"',
    "not DEBUG",
    '__name__ == "layers"',
    '__name__ < "__main__"',
    '__name__ == "__main__" == x',
    "len(__name__) == 8",
]


@pytest.mark.parametrize("test", DECIDED)
def test_a_test_decided_by_the_module_name_is_read_as_python_evaluates_it_on_import(test: str) -> None:
    """The value is what Python gives with `__name__` a module's name, whatever DEBUG is."""
    expr = ast.parse(test, mode="eval").body
    for debug in (True, False):
        python = bool(eval(test, {"__name__": "ch05.layers", "DEBUG": debug}))  # our own literals
        assert on_import(expr) is python, (test, debug)


@pytest.mark.parametrize("test", UNDECIDED)
def test_a_test_that_depends_on_anything_else_is_undecided(test: str) -> None:
    """None: the block and its `else` may both run. Control: the DECIDED tests above get a value."""
    assert on_import(ast.parse(test, mode="eval").body) is None


def _branches(source: str) -> tuple[list[str], list[str]]:
    node = ast.parse(source).body[0]
    assert isinstance(node, ast.If)
    split = import_branches(node)
    return [ast.unparse(s) for s in split.runs], [ast.unparse(s) for s in split.skipped]


def test_each_branch_is_the_one_import_runs_or_skips() -> None:
    """`==` skips its body and runs its `else`; `!=` runs its body and skips its `else` (an `elif` is in it);
    an undecided test runs both, body first."""
    assert _branches('if __name__ == "__main__":\n    a = 1\nelse:\n    b = 2\n') == (["b = 2"], ["a = 1"])
    assert _branches('if __name__ != "__main__":\n    a = 1\nelse:\n    b = 2\n') == (["a = 1"], ["b = 2"])
    runs, skipped = _branches('if not __name__ == "__main__":\n    a = 1\nelif x:\n    b = 2\n')
    assert runs == ["a = 1"] and skipped == ["if x:\n    b = 2"]
    assert _branches("if x:\n    a = 1\nelse:\n    b = 2\n") == (["a = 1", "b = 2"], [])
