"""A submission's file named like a standard module the runtime imported is the student's module, as Python
gives it; the names Python never gives a file, and numpy's, stay the standard ones."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import grader.inside
from grader.inside import stdlib_shadows

REPO = Path(__file__).resolve().parents[2]
INSIDE = Path(next(iter(grader.inside.__path__)))

# A process standing for a worker: numpy, then modules only the runtime imports (json, copy, shlex), each
# held; then the submission's files are named and `release` decides.
_CHILD = r"""
import json, sys
import numpy
import copy, shlex, string
from grader.inside import stdlib_shadows
from grader.inside.address import key
held = {key(m): m for m in list(sys.modules.values())}
before = dict(sys.modules)
files = sys.argv[1].split(",")
released = stdlib_shadows.release(files, held)
kept = sorted(n for n in before if n in sys.modules and sys.modules[n] is before[n])
print(json.dumps({"released": released, "kept": kept}))
"""


def _run(script: str, *args: str) -> Any:
    """What `script` prints as JSON, run in a fresh interpreter that imports this checkout's grader."""
    head = f"import sys; sys.path.insert(0, {str(REPO)!r})\n"
    out = subprocess.run(
        [sys.executable, "-I", "-c", head + script, *args], capture_output=True, text=True, check=True
    )
    return json.loads(out.stdout)


def _release(files: list[str]) -> dict[str, list[str]]:
    return _run(_CHILD, ",".join(files))  # type: ignore[no-any-return]


def test_a_helper_named_like_a_module_only_the_runtime_imported_is_released() -> None:
    """copy.py, json.py, a package shlex/ and sub/string.py: each name the worker held is released, so the
    submission's import finds its file; the module objects are untouched (the runtime holds them)."""
    got = _release(["miniflow.py", "copy.py", "json.py", "shlex/__init__.py", "sub/string.py", "nn.py"])
    assert got["released"] == ["copy", "json", "shlex", "string"]
    assert not {"copy", "json", "shlex", "string"} & set(got["kept"])


def test_a_released_packages_submodules_are_released_too() -> None:
    """json/__init__.py and json/decoder.py: `from json.decoder import sigmoid` must find the student's
    json/decoder.py, not the standard json.decoder the worker imported with json (review of s25-realmf)."""
    got = _release(["miniflow.py", "json/__init__.py", "json/decoder.py"])
    assert got["released"] == ["json"]
    assert not {"json", "json.decoder", "json.encoder", "json.scanner"} & set(got["kept"])


def test_names_python_never_gives_a_file_and_numpys_modules_are_kept() -> None:
    """The negative control: sys (built in), os and io (frozen), encodings (loaded at start-up), math (a
    lib-dynload extension), pickle and inspect (numpy's modules hold them: kept by the grader's choice, a
    known limit, where `python nn.py` would give numpy the student's pickle.py; docs/LOADING.md), typing
    (newer_stdlib's), numpy itself and a name the worker never imported (csv) are not released."""
    files = ["math.py", "sys.py", "os.py", "io.py", "encodings.py", "pickle.py", "inspect.py", "typing.py"]
    got = _release([*files, "numpy.py", "csv.py", "miniflow.py"])
    assert got["released"] == []
    assert {"math", "sys", "os", "io", "encodings", "pickle", "inspect", "typing", "numpy"} <= set(
        got["kept"]
    )


def test_the_names_newer_stdlib_defines_on_are_never_released() -> None:
    """newer_stdlib.install imports its modules by name in the student's process: each must stay the
    standard module whatever files the submission has."""
    from grader.inside import newer_stdlib

    modules = sorted({m for m, _ in newer_stdlib.ADDED})
    got = _release([f"{m}.py" for m in modules])
    assert got["released"] == []


def _late_library_imports(source: str) -> list[tuple[int, str]]:
    """(line, module) of each import of an absolute module but numpy (never released: numpy's own) made
    inside a function: run after a name may be released. An `importlib.import_module("json")` or
    `__import__("json")` of a literal standard module's name counts too.

    The limit: only the runtime's own source is read. A name computed at run time is not seen, nor a lazy
    import inside the standard library or numpy (traceback._display_width imports unicodedata,
    Counter.most_common heapq, numpy's C deepcopy of object arrays takes copy from sys.modules): a student's
    file of such a name would be run there, as `python nn.py` would run it."""
    found = []
    for fn in ast.walk(ast.parse(source)):
        if not isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        for node in ast.walk(fn):
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and not node.level:
                names = [node.module or ""]
            elif (literal := _imported_by_call(node)) is not None:
                names = [literal] if literal.split(".")[0] in sys.stdlib_module_names else []
            else:
                continue
            found += [(node.lineno, n) for n in names if n.split(".")[0] != "numpy"]
    return found


def _imported_by_call(node: ast.AST) -> str | None:
    """The literal name `import_module("x")` (a name or an attribute) or `__import__("x")` imports."""
    if not isinstance(node, ast.Call) or not node.args:
        return None
    func = node.func
    called = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
    first = node.args[0]
    if called in ("import_module", "__import__") and isinstance(first, ast.Constant):
        return first.value if isinstance(first.value, str) else None
    return None


def test_the_runtime_imports_no_library_module_late() -> None:
    """Every runtime module imports the standard modules it uses at its top, so it holds them by reference
    before a student's json.py takes the name `json` (numpy, imported late in places, is never released)."""
    late = [
        f"{p.relative_to(INSIDE)} line {line}: {name}"
        for p in sorted(INSIDE.rglob("*.py"))
        for line, name in _late_library_imports(p.read_text(encoding="utf-8"))
    ]
    assert late == []


def test_a_late_library_import_is_seen() -> None:
    """The negative control of the check above."""
    source = (
        "def f():\n    import json\n    import numpy\n    from copy import deepcopy\n    from . import x\n"
        "    importlib.import_module('shlex')\n    __import__('string')\n    import_module(name)\n"
        "    importlib.import_module('grader.inside.x')\n"
    )
    assert _late_library_imports(source) == [(2, "json"), (4, "copy"), (6, "shlex"), (7, "string")]


def test_the_names_of_a_submission() -> None:
    """A file's stem and a package's top folder, never a notebook or a data file."""
    got = stdlib_shadows._names_of(
        ["a/b/copy.py", "shlex/__init__.py", "json.ipynb", "string.txt", "copy.py"]
    )
    assert got == {"copy": "a/b/copy.py", "shlex": "shlex/__init__.py"}  # the first so named in path order


# A worker-like process where numpy is taken to hold nothing: only the runtime's own rule keeps a name.
_NUMPY_HOLDS_NOTHING = r"""
import json, sys
import numpy
import collections, copyreg, copy
from grader.inside import stdlib_shadows
from grader.inside.address import key
stdlib_shadows._held_by_numpy = lambda: set()
held = {key(m): m for m in list(sys.modules.values())}
print(json.dumps(stdlib_shadows.release(sys.argv[1].split(","), held)))
"""


def test_a_name_the_runtime_decides_by_is_never_released() -> None:
    """pickles.DATA names copyreg._reconstructor and collections.OrderedDict as data: the standard modules
    stay even where numpy would not reach them (before, they stayed only because it did); copy is the
    control."""
    files = ["copyreg.py", "collections/__init__.py", "typing.py", "_compat_pickle.py", "copy.py"]
    assert _run(_NUMPY_HOLDS_NOTHING, ",".join(files)) == ["copy"]
    assert {"copyreg", "collections", "_compat_pickle", "typing"} <= stdlib_shadows.RUNTIME_NAMED


# The worker reads what numpy holds before it forks; a child then reads none of numpy's modules.
_REMEMBERED = r"""
import json, sys
import numpy
import copy
from grader.inside import stdlib_shadows, student
student.remember_preloaded()
def _read_in_child():
    raise AssertionError("numpy's modules read in the student process")
stdlib_shadows._held_by_numpy = _read_in_child
print(json.dumps(stdlib_shadows.release(["copy.py", "inspect.py"], student._PRELOADED)))
"""


def test_what_numpy_holds_is_read_once_in_the_worker() -> None:
    """remember_preloaded reads numpy's modules once (~45 ms and ~1,575 page faults a student process when
    each child read them); release in the child uses that, and still keeps inspect (numpy's)."""
    assert _run(_REMEMBERED) == ["copy"]


_CLASH = _CHILD.replace(
    'print(json.dumps({"released": released, "kept": kept}))',
    'print(json.dumps({m: stdlib_shadows.clash(m) for m in sys.argv[2].split(",")}))',
)


def test_a_helper_kept_from_the_student_for_numpy_is_named_in_one_line() -> None:
    """pickle.py and a package inspect/ beside copy.py: an import of pickle (or below it) or inspect that
    fails is told the clash and the rename, naming the student's file; copy (released: the student's own),
    csv (no file of theirs) and a name of no module are told nothing. Control: copy.py, a name released,
    gets no such line."""
    files = "miniflow.py,pickle.py,inspect/__init__.py,copy.py"
    got = _run(_CLASH, files, "pickle,pickle.helpers,inspect,copy,csv,nosuch")
    assert (
        got["pickle"]
        == got["pickle.helpers"]
        == (
            "your pickle.py has the name of a standard module the grader's numpy needs; rename it, e.g. "
            "my_pickle.py, and import that"
        )
    )
    assert got["inspect"] is not None and got["inspect"].startswith("your inspect/ has the name")
    assert "rename it, e.g. my_inspect/, and import that" in got["inspect"]
    assert got["copy"] is None and got["csv"] is None and got["nosuch"] is None


_CLASH_RUNTIME_KEPT = _NUMPY_HOLDS_NOTHING.replace(
    "import collections, copyreg, copy", "import collections, typing, copy"
).replace(
    'print(json.dumps(stdlib_shadows.release(sys.argv[1].split(","), held)))',
    'stdlib_shadows.release(sys.argv[1].split(","), held)\n'
    'print(json.dumps({m: stdlib_shadows.clash(m) for m in sys.argv[2].split(",")}))',
)


def test_a_helper_kept_for_the_grader_itself_is_named_in_one_line_too() -> None:
    """typing.py and a package collections/ (names the runtime decides by: never released, whatever numpy
    holds) are told the clash and the rename like pickle.py, naming the grader, not numpy, as what needs
    them; copy.py (released) is told nothing. Control: before, only names kept for numpy were told, and a
    `from typing import sigmoid` said "'typing' has no sigmoid; only numpy, the standard library ... are
    available" (review of s26-left)."""
    got = _run(
        _CLASH_RUNTIME_KEPT,
        "miniflow.py,typing.py,collections/__init__.py,copy.py",
        "typing,collections,copy",
    )
    assert got["typing"] == (
        "your typing.py has the name of a standard module the grader needs; rename it, e.g. my_typing.py, "
        "and import that"
    )
    assert got["collections"] == (
        "your collections/ has the name of a standard module the grader needs; rename it, e.g. "
        "my_collections/, and import that"
    )
    assert got["copy"] is None
