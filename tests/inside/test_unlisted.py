"""The runtime's modules leave sys.modules in a student process; nothing of the runtime needs them there."""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest

import grader.inside

INSIDE = Path(grader.inside.__file__).parent
# Processes that import runtime modules of their own later, never a student process: the harness (forked
# from the worker before any student process).
NEVER_STUDENT = frozenset({"harness_process.py"})
# worker.py is the worker's own process but for these functions, run in the student's process it forks: their
# late imports may only look up what the worker imported before forking (main's `from . import ...`).
STUDENT_SIDE = {"worker.py": frozenset({"_student_child"})}
# The runtime's own name, computed: `importlib.import_module(__name__.split(".")[0] + ".shipped")`
OWN_NAME = frozenset({"__name__", "__package__", "__spec__"})
IMPORTERS = frozenset({"import_module", "__import__", "reload"})
PROBE = """
import inspect, sys, typing
from types import ModuleType
sys.modules["rt"] = ModuleType("rt")
sys.modules["rt.shipped"] = ModuleType("rt.shipped")
sys.modules["rt.shipped"]._ROOTS = {"/work"}
sys.modules["rtx"] = ModuleType("rtx")
m = sys.modules["rt"]  # as the worker's bootstrap keeps the runtime's package
class Named:
    __module__ = "rt.shipped"
# Run from a function whose names are its own: unlist empties this script's namespace, as it does the
# bootstrap's (whose frame, like this one, is the bottom of the stack)
def run(mode, inspect=inspect, sys=sys, Named=Named):
    before = inspect.getmodule(Named)._ROOTS, hasattr(sys.modules["__main__"], "m")
    if mode == "unlist":
        from grader.inside.unlisted import unlist
        unlist("rt")
    import __main__
    bottom = sys._getframe()
    while bottom.f_back is not None:
        bottom = bottom.f_back
    print(before, inspect.getmodule(Named), sorted(n for n in sys.modules if n.startswith("rt")),
          hasattr(__main__, "m"), "m" in bottom.f_globals)
run(sys.argv[1])
"""


def _probe(mode: str) -> str:
    out = subprocess.run([sys.executable, "-c", PROBE, mode], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    return out.stdout.strip()


def test_unlist_takes_the_package_out_of_sys_modules_and_empties_main() -> None:
    """After unlist("rt"), a name resolver (inspect.getmodule) finds nothing of rt, another package of a
    longer name (rtx) stays, `import __main__` gives no bootstrap global and neither does the bottom frame of
    the stack (the bootstrap script's, review of s21-hostile: runtime_by_walk_stack.py); the negative
    control, without unlist, finds the runtime's state every way."""
    assert _probe("keep") == "({'/work'}, True) <module 'rt.shipped'> ['rt', 'rt.shipped', 'rtx'] True True"
    assert _probe("unlist") == "({'/work'}, True) None ['rtx'] False False"


def _runtime_name(node: ast.expr) -> bool:
    """A module name argument that is the runtime's: a constant `inside...`, or computed from the module's
    own name."""
    if isinstance(node, ast.Constant):
        return isinstance(node.value, str) and node.value.split(".")[0] == "inside"
    return any(isinstance(n, ast.Name) and n.id in OWN_NAME for n in ast.walk(node))


def _late_imports(fn: ast.AST) -> Iterator[tuple[int, list[str]]]:
    """(line, modules) of each import of the runtime's own modules inside `fn`: a relative or `inside...`
    import statement, or importlib.import_module / __import__ / reload handed the runtime's name."""
    for node in ast.walk(fn):
        if isinstance(node, ast.ImportFrom):
            if node.level or (node.module or "").startswith("inside"):
                yield node.lineno, [a.name for a in node.names] if node.level else [node.module or ""]
        elif isinstance(node, ast.Import):
            names = [a.name for a in node.names if a.name.startswith("inside")]
            if names:
                yield node.lineno, names
        elif isinstance(node, ast.Call):
            func = node.func
            name = (
                func.attr
                if isinstance(func, ast.Attribute)
                else func.id
                if isinstance(func, ast.Name)
                else ""
            )
            args = [*node.args, *(k.value for k in node.keywords)]
            if name in IMPORTERS and any(_runtime_name(a) for a in args):
                yield node.lineno, ["<computed>"]


def _functions(tree: ast.AST, only: frozenset[str] | None = None) -> list[ast.AST]:
    return [
        n
        for n in ast.walk(tree)
        if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef)) and (only is None or n.name in only)
    ]


def _late_runtime_imports(path: Path, source: str | None = None) -> list[str]:
    """Imports of the runtime's own modules made inside a function of `path` (run after unlist). In the
    functions of STUDENT_SIDE, only a module the worker's main imported before forking may be looked up."""
    tree = ast.parse(source if source is not None else path.read_text(encoding="utf-8"))
    only = STUDENT_SIDE.get(path.name)
    preloaded: set[str] = set()
    if only is not None:
        preloaded = {
            m for fn in _functions(tree, frozenset({"main"})) for _, ms in _late_imports(fn) for m in ms
        }
    found = []
    for fn in _functions(tree, only):
        for line, modules in _late_imports(fn):
            if not set(modules) <= preloaded:
                found.append(f"{path.relative_to(INSIDE)} line {line}: {modules}")
    return found


def test_no_module_a_student_process_runs_imports_the_runtime_late() -> None:
    """Every import of the runtime's own modules is at a module's top, but in the harness and in the worker's
    own process: a late one would load a fresh copy after unlist, with none of the state the process set up.
    The worker's function run in the student's process may only look up what the worker imported before
    forking."""
    late = [
        hit
        for p in sorted(INSIDE.rglob("*.py"))
        if p.name not in NEVER_STUDENT
        for hit in _late_runtime_imports(p)
    ]
    assert late == []


@pytest.mark.parametrize(
    "source",
    [
        "def f():\n    from . import shipped\n",
        "def f():\n    import inside.shipped\n",
        "import importlib\ndef f():\n    importlib.import_module(__name__.split('.')[0] + '.shipped')\n",
        "def f():\n    __import__('inside.pickles')\n",
        "import importlib\ndef f():\n    importlib.import_module('.shipped', package=__package__)\n",
    ],
)
def test_a_late_import_of_the_runtime_is_seen(source: str) -> None:
    """The negative controls: each form of a late import of the runtime is found, in any module; in the
    worker's student-side function, one the worker's main did not import first."""
    assert _late_runtime_imports(INSIDE / "student.py", source)
    worker = "def main():\n    from . import server\n" + source.replace("def f", "def _student_child")
    assert _late_runtime_imports(INSIDE / "worker.py", worker)
    looked_up = "def main():\n    from . import server\ndef _student_child():\n    from . import server\n"
    assert _late_runtime_imports(INSIDE / "worker.py", looked_up) == []


FORKED = r"""
import gc, json, os, resource, sys
from types import ModuleType
from grader.inside import student, unlisted

root = os.path.realpath(sys.argv[1])
for i in range(4000):  # the worker's modules: long names, so that reading them costs pages of their own
    sys.modules[f"held_{i:05d}_" + "x" * 4000] = ModuleType("held")
sys.modules["rt"] = ModuleType("rt")
sys.modules["rt.shipped"] = ModuleType("rt.shipped")
student.remember_preloaded()
if sys.argv[2] == "remember":
    unlisted.remember("rt")
sys.modules["rt.late"] = ModuleType("rt.late")  # imported by the worker after it listed the runtime's names
gc.freeze()


def faults(resource=resource):
    return resource.getrusage(resource.RUSAGE_SELF).ru_minflt


# unlist empties this script's namespace (the bootstrap's stand-in): what the child uses is bound here
def child(mode, faults=faults, os=os, sys=sys, ModuleType=ModuleType, student=student, unlisted=unlisted,
          root=root, sorted=sorted):
    before = faults()
    if mode == "keys":  # the reference: one pass over every name the worker held
        names = list(sys.modules)
    else:
        unlisted.unlist("rt")
        mine = ModuleType("mine")
        mine.__file__ = os.path.join(root, "mine.py")
        sys.modules["mine"] = mine
        names = sorted(student.imported_files(root))
    spent = faults() - before
    runtime = sorted(n for n in sys.modules if n.split(".")[0] == "rt")
    return {"faults": spent, "runtime": runtime, "found": names if mode != "keys" else []}


out = {}
for mode in ("keys", "load"):
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        try:
            os.write(w, json.dumps(child(mode)).encode())
        finally:
            os._exit(0)
    os.close(w)
    os.waitpid(pid, 0)
    out[mode] = json.loads(os.read(r, 1 << 16))
print(json.dumps(out))
"""


@pytest.mark.parametrize("mode", ["remember", "unremembered"])
def test_a_student_process_does_not_read_the_names_the_worker_held(tmp_path: Path, mode: str) -> None:
    """A forked child's `unlist` and the load's scan of sys.modules (student.imported_files) read only the
    names added since the fork: a pass over every inherited name writes each name's reference count, a
    copy-on-write page fault (session 23: ~270 of a student process's ~1,650 faults). Measured against one
    pass over the 4,000 long names a worker-like process holds: under half its faults (main's unlist and
    scan: more than the pass). The runtime's names are gone either way, the one the worker imported after
    listing them too; the negative control, the names not listed by the worker (`unremembered`), reads them
    all."""
    out = subprocess.run(
        [sys.executable, "-c", FORKED, str(tmp_path), mode], capture_output=True, text=True, timeout=120
    )
    assert out.returncode == 0, out.stderr
    got = json.loads(out.stdout)
    assert got["load"]["runtime"] == [] and got["keys"]["runtime"] == ["rt", "rt.late", "rt.shipped"]
    assert got["load"]["found"] == [os.path.join(os.path.realpath(tmp_path), "mine.py")]
    keys = got["keys"]["faults"]
    assert keys > 100, got  # the reference pass did cost pages: the measure can tell
    if mode == "remember":
        assert got["load"]["faults"] < keys / 2, got
    else:
        assert got["load"]["faults"] > keys, got


def test_a_runtime_name_added_late_is_taken_out_even_when_the_last_name_moved(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """`unlist` reads only the names after the worker's last one; a name deleted or the last one put back at
    the end would hide a runtime module imported after the listing (review of s24-ssand: `rt.late` stayed
    listed). The length the worker saw checks it, and every name is read then."""
    from grader.inside import unlisted

    modules = dict.fromkeys(["a", "rt", "rt.shipped", "z"], ModuleType("m"))
    monkeypatch.setattr(unlisted, "_REMEMBERED", None)  # restored after the test
    monkeypatch.setattr(sys, "modules", modules)
    unlisted.remember("rt")
    modules["rt.late"] = ModuleType("rt.late")
    modules["z"] = modules.pop("z")  # the worker's last name, put back at the end
    assert sorted(unlisted._runtime_names("rt")) == ["rt", "rt.late", "rt.shipped"]
    del modules["a"]  # a name deleted: the length tells too
    modules["rt.later"] = ModuleType("rt.later")
    assert "rt.later" in unlisted._runtime_names("rt")


def test_a_sys_modules_whose_items_cannot_be_reversed_is_read_whole(monkeypatch: pytest.MonkeyPatch) -> None:
    """A student's mapping put as sys.modules (`sys.modules = D(sys.modules)`, D.items() an iterator) stopped
    the load's scan with TypeError, every case an error (review of s24-ssand): it is read whole instead."""
    from grader.inside import student

    class Mapping(dict):  # type: ignore[type-arg]
        def items(self):  # type: ignore[no-untyped-def]
            return iter(list(dict.items(self)))

    mine = ModuleType("mine")
    monkeypatch.setattr(sys, "modules", Mapping({**sys.modules, "mine": mine}))
    assert ("mine", mine) in student._added_since_fork()
