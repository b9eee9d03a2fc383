"""Every module of the standard library that runs text (calls the builtin `exec` or `eval`) is accounted for.

The scan's list of runners is a list: the review of s23-hunt found four more the student's process can import
and the scan did not name, each running a backward kept as text at full marks with no flag
(`pdb.Pdb().onecmd("!" + text)`, `breakpoint()` beside a `.pdbrc`, `distutils.core.run_setup(path)`,
`optparse.Values().read_file(path)`, `idlelib.calltip.get_entity(text)`; samples
miniflow/hidden_code_debugger.py, hidden_code_run_setup.py), and two evaluators no census of exec finds:
`breakpoint(text, ns)` with PYTHONBREAKPOINT naming `builtins.exec`, and an annotation string evaluated by
`functools.singledispatch`. dataclasses was reviewed "not proven to run code" here: a field name written into
`__annotations__` as `q=exec(S), *_` ran it (review of s23-hunt's fix, 2), so it is flagged now.
So the census below reads the installed standard library (the one the student's process runs) and fails on
any module that calls exec or eval and is not listed here: either with a snippet the scan must flag
`dynamic_code` (or the code named), or with why no text of the submission reaches its exec or eval. A new
Python brings new entries to review, not silent ones.

Not covered by the census: a module that runs text through another's exec (functools.singledispatch
evaluates annotations through typing.get_type_hints, inspect.signature with eval_str: grader/flags/
string_annotations.py and runtime.py's `__annotations__` writes; a module whose import runs such code), and
the test suites (`test`, `*.test`, `*.tests`, `idle_test`), whose exec and eval
run their own fixed text.
"""

from __future__ import annotations

import ast
import os
import re
import sysconfig
from pathlib import Path

import pytest

from grader.flags.scan import scan_submission

STDLIB = Path(sysconfig.get_paths()["stdlib"])
_CALLED = re.compile(rb"\b(exec|eval)\s*\(")  # `exec (src, context)` in unittest.mock too
_SKIPPED_DIRS = frozenset({"site-packages", "dist-packages", "__pycache__", "test", "tests", "idle_test"})

# module -> (snippet the scan flags, with its code) or a reason why text of the submission cannot reach it.
# An entry covers the module and every module below it.
FLAGGED: dict[str, tuple[str, str]] = {
    "bdb": ("import bdb\nbdb.Bdb().run(s)\n", "dynamic_code"),
    "cProfile": ("import cProfile\ncProfile.run(s)\n", "dynamic_code"),
    "code": ("import code\ncode.InteractiveInterpreter({}).runsource(s)\n", "dynamic_code"),
    # its exec of __init__ text takes field names from __annotations__ keys, which a class may write as any
    # string: `q=exec(S), *_` is a parameter default (review of s23-hunt's fix, 2): the write is flagged
    "dataclasses": (
        "import dataclasses\nclass C:\n    x: int = 1\n"
        "C.__annotations__[k] = int\nD = dataclasses.dataclass(C)\n",
        "dynamic_code",
    ),
    "distutils.core": ("from distutils.core import run_setup\nrun_setup('x.py')\n", "dynamic_code"),
    "doctest": ("import doctest\ndoctest.run_docstring_examples(s, {})\n", "dynamic_code"),
    "idlelib": ("from idlelib.calltip import get_entity\nget_entity(s)\n", "dynamic_code"),
    "importlib": ("import importlib\nm = importlib.import_module(n)\n", "import_machinery"),
    "logging.config": ("import logging.config\nlogging.config.fileConfig('x.ini')\n", "dynamic_code"),
    "multiprocessing": (
        "from multiprocessing import managers\nP = managers.MakeProxyType(n, m)\n",
        "process_control",
    ),
    "optparse": ("import optparse\noptparse.Values().read_file('x.py')\n", "dynamic_code"),
    "pdb": ("import pdb\npdb.set_trace()\n", "dynamic_code"),  # its .pdbrc, and every command
    "profile": ("import profile\nprofile.run(s)\n", "dynamic_code"),
    "pydoc": ("import pydoc\nm = pydoc.importfile('x.py')\n", "dynamic_code"),
    "runpy": ("import runpy\nrunpy.run_path('x.py')\n", "import_machinery"),
    "site": ("import site\nsite.addsitedir('.')\n", "dynamic_code"),
    "timeit": ("import timeit\ntimeit.timeit(s)\n", "dynamic_code"),
    "trace": ("import trace\ntrace.Trace().run(s)\n", "dynamic_code"),
    "typing": ("import typing\nh = typing.get_type_hints(C)\n", "dynamic_code"),
    "unittest.mock": ("from unittest import mock\nmock.patch(t, 1).start()\n", "dynamic_code"),
    "zipimport": ("import zipimport\nzipimport.zipimporter('x.zip').load_module('m')\n", "import_machinery"),
    "inspect": ("import inspect\na = inspect.get_annotations(f, eval_str=True)\n", "dynamic_code"),
}
REVIEWED: dict[str, str] = {
    "cgi": "cgi.test() execs a fixed string to show print_exception",
    "collections": "namedtuple evals text built from field names it checks are identifiers and not keywords",
    "gettext": "c2py evals a plural formula only after its tokenizer accepted n, numbers and C operators",
    "lib2to3": "pgen and conv eval string literals and bitsets of the grammar files Python ships",
    "rlcompleter": "evals a dotted name matched by \\w+(\\.\\w+)*: attribute reads, no call",
    "tkinter": (
        "Tk's readprofile execs ~/.<name>.py (the working folder without HOME) but a Tk or Tcl interpreter "
        "cannot start in the student's process (no init.tcl there: TclError, session 23)"
    ),
    "turtle": "evals the values of turtle.cfg; importing it in the student's process ran none (session 23)",
}


def _runs_text(path: Path) -> bool:
    data = path.read_bytes()
    if not _CALLED.search(data):  # most of the library: no parse
        return False
    try:
        tree = ast.parse(data)
    except (SyntaxError, ValueError):  # lib2to3's test data, Python 2 files
        return False
    return any(
        isinstance(n, ast.Call) and isinstance(n.func, ast.Name) and n.func.id in ("exec", "eval")
        for n in ast.walk(tree)
    )


def _census() -> set[str]:
    found: set[str] = set()
    for folder, dirs, files in os.walk(STDLIB):
        dirs[:] = [d for d in dirs if d not in _SKIPPED_DIRS]
        for name in files:
            path = Path(folder, name)
            if name.endswith(".py") and _runs_text(path):
                module = ".".join(path.relative_to(STDLIB).with_suffix("").parts)
                found.add(module.removesuffix(".__init__"))
    return found


def _entry(module: str) -> str | None:
    parts = module.split(".")
    for i in range(len(parts), 0, -1):
        prefix = ".".join(parts[:i])
        if prefix in FLAGGED or prefix in REVIEWED:
            return prefix
    return None


@pytest.fixture(scope="module")
def census() -> set[str]:
    return _census()


def test_every_standard_module_that_runs_text_is_accounted_for(census: set[str]) -> None:
    """A module of the installed standard library calling exec or eval is flagged or reviewed here."""
    assert "code" in census and "pdb" in census, "the census no longer finds the runners it is built on"
    missing = sorted(m for m in census if _entry(m) is None)
    assert not missing, f"standard modules that run text, neither flagged by the scan nor reviewed: {missing}"


def test_every_entry_still_names_a_runner(census: set[str]) -> None:
    """No stale entry: each one covers a module the census finds (a Python that dropped one says so)."""
    used = {_entry(m) for m in census}
    stale = sorted(k for k in (*FLAGGED, *REVIEWED) if k not in used)
    assert not stale, f"entries that name no module of the census: {stale}"


@pytest.mark.parametrize("module", sorted(FLAGGED))
def test_the_scan_flags_each_runner(module: str) -> None:
    """Each flagged runner's snippet raises its code (at the import, for a module flagged whole)."""
    snippet, code = FLAGGED[module]
    flags = scan_submission({"sub.py": snippet.encode()})
    assert code in {f.code for f in flags}, (module, flags)
