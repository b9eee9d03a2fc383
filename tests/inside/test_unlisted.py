"""The runtime's modules leave sys.modules in a student process; nothing of the runtime needs them there."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import grader.inside

INSIDE = Path(grader.inside.__file__).parent
# Processes that import runtime modules of their own later, never a student process: the worker (before it
# forks one, or in its own process) and the harness (forked from the worker before any student process).
NEVER_STUDENT = frozenset({"worker.py", "harness_process.py"})

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
before = inspect.getmodule(Named)._ROOTS, hasattr(sys.modules["__main__"], "m")
if sys.argv[1] == "unlist":
    from grader.inside.unlisted import unlist
    unlist("rt")
import __main__
print(before, inspect.getmodule(Named), sorted(n for n in sys.modules if n.startswith("rt")),
      hasattr(__main__, "m"))
"""


def _probe(mode: str) -> str:
    out = subprocess.run([sys.executable, "-c", PROBE, mode], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    return out.stdout.strip()


def test_unlist_takes_the_package_out_of_sys_modules_and_empties_main() -> None:
    """After unlist("rt"), a name resolver (inspect.getmodule) finds nothing of rt, another package of a
    longer name (rtx) stays, and `import __main__` gives no bootstrap global; the negative control, without
    unlist, finds the runtime's state both ways."""
    assert _probe("keep") == "({'/work'}, True) <module 'rt.shipped'> ['rt', 'rt.shipped', 'rtx'] True"
    assert _probe("unlist") == "({'/work'}, True) None ['rtx'] False"


def _late_runtime_imports(path: Path) -> list[str]:
    """Imports of the runtime's own modules made inside a function of `path` (run after unlist)."""
    found = []
    for fn in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        for node in ast.walk(fn):
            if isinstance(node, ast.ImportFrom):
                names = [] if node.level else [node.module or ""]
                late = bool(node.level) or names[0].startswith("inside")
            else:
                late = isinstance(node, ast.Import) and any(a.name.startswith("inside") for a in node.names)
            if late:
                found.append(f"{path.relative_to(INSIDE)} line {getattr(node, 'lineno', 0)}")
    return found


def test_no_module_a_student_process_runs_imports_the_runtime_late() -> None:
    """Every import of the runtime's own modules is at a module's top, but in the worker and the harness:
    a late one would load a fresh copy after unlist, with none of the state the process set up."""
    late = [
        hit
        for p in sorted(INSIDE.rglob("*.py"))
        if p.name not in NEVER_STUDENT
        for hit in _late_runtime_imports(p)
    ]
    assert late == []
    assert _late_runtime_imports(INSIDE / "worker.py")  # the negative control: the worker's are seen
