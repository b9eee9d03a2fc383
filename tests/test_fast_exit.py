"""A `grader` command's process exits without the collector's final walks over what is alive
(grader/fast_exit.py): a reference cycle still alive at exit is left to the operating system."""

from __future__ import annotations

import subprocess
import sys

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
