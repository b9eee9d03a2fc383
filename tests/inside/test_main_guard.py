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


# Modules that rebind their own `__name__` before the guard, each spelling Python honours (session 38), and
# a control that does not: the guard's body runs on import in the first, never in the control.
REBINDINGS = {
    "assigned": '__name__ = "__main__"\n',
    "globals": 'globals()["__name__"] = "__main__"\n',
    "vars": 'vars()["__name__"] = "__main__"\n',
    "module attribute": 'import sys\nsys.modules[__name__].__name__ = "__main__"\n',
    "setattr": 'import sys\nsetattr(sys.modules[__name__], "__name__", "__main__")\n',
    "loop target": 'for __name__ in ["__main__"]:\n    pass\n',
    "walrus": '(__name__ := "__main__")\n',
    "tuple target": '__name__, _other = "__main__", 1\n',
    "global in a function": 'def _f():\n    global __name__\n    __name__ = "__main__"\n_f()\n',
    "import as": "from _fake_main import NAME as __name__\n",
    # the module held by a variable (review of s38-trust: not read as a rebinding)
    "module in a variable": 'import sys\nm = sys.modules[__name__]\nm.__name__ = "__main__"\n',
    "setattr on a variable": 'import sys\nm = sys.modules[__name__]\nsetattr(m, "__name__", "__main__")\n',
}
GUARDED = """
if __name__ {op} "__main__":
    class Sigmoid:
        pass
    print("BODY")
else:
    class Relu:
        pass
    print("ELSE")
"""


def _python_runs(tmp_path, source: str) -> str:
    """What Python prints importing `source` as module `m` (the oracle): BODY, ELSE or both."""
    import subprocess
    import sys

    (tmp_path / "m.py").write_text(source)
    (tmp_path / "_fake_main.py").write_text('NAME = "__main__"\n')
    done = subprocess.run(
        [sys.executable, "-I", "-c", "import sys; sys.path.insert(0, '.'); import m"],
        cwd=tmp_path, capture_output=True, text=True, check=True,
    )  # fmt: skip
    return done.stdout.strip()


@pytest.mark.parametrize("op", ["==", "!="])
@pytest.mark.parametrize("spelling", [*REBINDINGS, "control"])
def test_a_module_that_rebinds_its_name_runs_what_python_runs(tmp_path, spelling: str, op: str) -> None:
    """Whatever block Python runs importing a module that set its own `__name__` to "__main__" before the
    guard, the readers count as run: the tree's branches (import_branches) and the line reader
    (choice.nested_defs) alike; they read the guard as decided before (the `==` body skipped, the `!=` else
    skipped). Control: without the rebinding the guard is decided as Python decides it, the other block
    skipped."""
    from grader.inside import astparse, choice

    source = REBINDINGS.get(spelling, "") + GUARDED.format(op=op)
    ran = _python_runs(tmp_path, source)
    node = next(n for n in astparse.parse(source).body if isinstance(n, ast.If))
    branches = import_branches(node)
    classes = {n.name for n in branches.runs if isinstance(n, ast.ClassDef)}
    defs = choice.nested_defs(source.splitlines(keepends=True))
    expected_runs = {"BODY": "Sigmoid", "ELSE": "Relu"}[ran]
    assert expected_runs in classes and expected_runs in defs, (ran, classes, defs)
    if spelling == "control":  # decided: the block Python skips is skipped by both readers
        skipped = {"Sigmoid", "Relu"} - {expected_runs}
        assert not skipped & classes and not skipped & set(defs), (classes, defs)
    else:
        assert ran == ("BODY" if op == "==" else "ELSE")  # the oracle: the rebinding took effect


def test_a_module_with_no_line_shaped_as_a_rebinding_is_never_walked(monkeypatch: pytest.MonkeyPatch) -> None:
    """The walk costs about a parse: a module whose lines hold no rebinding's shape (only a guard) is not
    walked, and its guard decides. Control: with `__name__ = ...` on a line, it is walked."""
    from grader.inside import astparse, main_guard

    walked: list[object] = []
    monkeypatch.setattr(main_guard, "rebinds", lambda tree: walked.append(tree) or False)
    tree = astparse.parse('import os\nif __name__ == "__main__":\n    print(os.sep)\n')
    assert walked == [] and on_import(tree.body[1].test) is False
    astparse.parse('__name__ = "__main__"\nif __name__ == "__main__":\n    pass\n')
    assert len(walked) == 1


# Honest code that binds a `__name__` that is not the module's (review of s38-trust): a class attribute, a
# property, a helper's local, a decorator's `setattr(wrapper, "__name__", ...)` and `wrapper.__name__ = ...`.
NOT_THE_MODULES = {
    "class attribute": 'class Add:\n    __name__ = "Add"\n',
    "property": 'class Add:\n    @property\n    def __name__(self):\n        return "Add"\n',
    "helper's local": "def label(f):\n    __name__ = f.__name__\n    return __name__\n",
    "setattr on a wrapper": (
        "def named(f):\n    def wrapper(*a):\n        return f(*a)\n"
        '    setattr(wrapper, "__name__", f.__name__)\n    return wrapper\n'
    ),
    "wrapper attribute": (
        "def named(f):\n    def wrapper(*a):\n        return f(*a)\n"
        "    wrapper.__name__ = f.__name__\n    return wrapper\n"
    ),
}


@pytest.mark.parametrize("op", ["==", "!="])
@pytest.mark.parametrize("spelling", sorted(NOT_THE_MODULES))
def test_a_name_bound_in_a_function_or_class_leaves_the_guard_decided(
    tmp_path, spelling: str, op: str
) -> None:
    """A `__name__` bound inside a class or function body (or set on a function object) is not the module's:
    Python skips the guard's other block, and so do both readers. Before, any of the first four made the
    module's guards undecided, so a class of the file's `if __name__ == "__main__":` tests counted as defined
    on import. The rebindings that do reach the module (REBINDINGS, `global` among them) stay undecided."""
    from grader.inside import astparse, choice

    source = NOT_THE_MODULES[spelling] + GUARDED.format(op=op)
    ran = _python_runs(tmp_path, source)
    assert ran == ("ELSE" if op == "==" else "BODY")  # the oracle: the module's __name__ was not rebound
    node = next(n for n in astparse.parse(source).body if isinstance(n, ast.If))
    classes = {n.name for n in import_branches(node).runs if isinstance(n, ast.ClassDef)}
    defs = set(choice.nested_defs(source.splitlines(keepends=True)))
    expected = {"BODY": "Sigmoid", "ELSE": "Relu"}[ran]
    assert classes & {"Sigmoid", "Relu"} == {expected} and defs & {"Sigmoid", "Relu"} == {expected}, (
        classes,
        defs,
    )
