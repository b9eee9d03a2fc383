"""A `grader` command's process exits without the collector's final walks over what is alive
(grader/fast_exit.py): a reference cycle still alive at exit is left to the operating system."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from batch.students import MINIFLOW_CORRECT

CHECKOUT = Path(__file__).resolve().parents[1]

# A cycle with a finalizer, alive until the interpreter exits: only a final collection could run its __del__.
_CYCLE = """
class Cycle:
    def __del__(self):
        print("collected at exit", flush=True)

cycle = Cycle()
cycle.me = cycle
"""


def _run(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)


def test_without_it_the_final_collections_reach_a_cycle_alive_at_exit() -> None:
    """The negative control: a plain interpreter collects the cycle while it exits."""
    done = _run(_CYCLE)
    assert done.returncode == 0, done.stderr
    assert "collected at exit" in done.stdout


def test_a_command_exits_without_collecting_what_is_alive() -> None:
    """`main` registers the freeze: the cycle alive when `grader --version` exits is never walked."""
    command = "import sys\nsys.argv = ['grader', '--version']\nfrom grader.cli import main\nmain()\n"
    done = _run(_CYCLE + command)
    assert done.returncode == 0, done.stderr
    assert "backprop-grader" in done.stdout
    assert "collected at exit" not in done.stdout


def test_it_registers_once_however_often_it_is_called() -> None:
    """In-process callers (the tests) may call `main` many times: one freeze at exit, no pile of handlers."""
    code = "import atexit\nfrom grader.fast_exit import skip_final_collections\n"
    code += "before = atexit._ncallbacks()\nfor _ in range(3):\n    skip_final_collections()\n"
    code += "print(atexit._ncallbacks() - before)\n"
    done = _run(code)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "1"


# A module global whose finalizer says when the interpreter's finalisation clears the modules, and an atexit
# handler: `grader check`, run as the process's entry, leaves before the one and after the other.
_CLEARED = """
import atexit, functools, os, sys

class Cleared:  # os.write bound now: while the modules are cleared, `os` may already be None here
    __del__ = staticmethod(functools.partial(os.write, 1, b"modules cleared at exit\\n"))

kept = Cleared()
atexit.register(lambda: os.write(1, b"atexit ran\\n"))
sys.argv = ["grader", "check", "--seed", "1", sys.argv[1]]
"""
_ENTRY = "from grader.entry import main\nsys.exit(main())\n"
_IN_PROCESS = "from grader.cli import main\nsys.exit(main(sys.argv[1:]))\n"


@pytest.mark.parametrize(
    ("caller", "cleared"), [(_ENTRY, False), (_IN_PROCESS, True)], ids=["entry", "control-in-process"]
)
def test_check_leaves_without_the_finalisation(tmp_path: Path, caller: str, cleared: bool) -> None:
    """`grader check` run as the process's entry point ends once it returns: its output whole, its exit code,
    its atexit handlers run, and the modules never cleared (fast_exit.leave). Control: `cli.main` called in
    process (as the tests do) returns, and the interpreter's finalisation clears the modules."""
    student = tmp_path / "miniflow.py"
    student.write_text(MINIFLOW_CORRECT, encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-c", _CLEARED + caller, str(student)],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(CHECKOUT)},
    )
    assert done.returncode == 0, done.stderr[-2000:]
    lines = done.stdout.splitlines()
    assert "all visible cases pass" in lines and "atexit ran" in lines
    assert ("modules cleared at exit" in done.stdout) is cleared
