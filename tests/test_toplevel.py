"""The parent's reading of loops at the top level of a submission's files (named after a timeout)."""

from __future__ import annotations

import json
from pathlib import Path

from grader import toplevel
from grader.loaders import SubmissionFiles, notebook_files
from grader.model import CaseOutput, Failure, LoadInfo, RunResult
from grader.pipeline import _loops
from grader.sandbox.result import AT_IMPORT


def test_module_level_loops_are_named_with_file_line_and_source() -> None:
    """`for` and `while` at the top level, by file and line; a loop in a function or under the main guard
    does not run at import and is not named."""
    source = (
        "import numpy as np\n"  # 1
        "def train():\n"  # 2
        "    while True:\n"  # 3
        "        pass\n"  # 4
        "for epoch in range(10000):\n"  # 5
        "    train()\n"  # 6
        "if __name__ == '__main__':\n"  # 7
        "    while True:\n"  # 8
        "        pass\n"  # 9
        "while True:\n"  # 10
        "    pass\n"  # 11
    )
    assert toplevel.loops({"hw/layers.py": source.encode(), "notes.txt": b"while True:\n"}) == (
        "hw/layers.py line 5: `for epoch in range(10000):`",
        "hw/layers.py line 10: `while True:`",
    )
    assert toplevel.loops({"ok.py": b"class A:\n    pass\n"}) == ()


def test_a_notebook_loop_is_placed_in_its_cell() -> None:
    """A notebook's top-level loop is cited by code cell and line in it."""
    nb = {
        "cells": [
            {"cell_type": "code", "source": "import numpy as np\n", "metadata": {}, "outputs": []},
            {"cell_type": "code", "source": "x = 1\nwhile x:\n    x += 1\n", "metadata": {}, "outputs": []},
        ],
        "metadata": {}, "nbformat": 4, "nbformat_minor": 5,
    }  # fmt: skip
    assert toplevel.loops(notebook_files(json.dumps(nb).encode(), "hw.ipynb")) == (
        "hw.ipynb, code cell 2 line 2: `while x:`",
    )


def test_a_loop_in_a_module_level_try_with_or_negated_main_guard_is_named() -> None:
    """The training script's `try: for epoch ... except KeyboardInterrupt:` and a loop under `if __name__ !=
    "__main__":` run at import, and were not named (only the module's own statements were read); the loop in
    that guard's `else` never runs at import (control)."""
    source = (
        "try:\n"  # 1
        "    for epoch in range(100000):\n"  # 2
        "        pass\n"  # 3
        "except KeyboardInterrupt:\n"  # 4
        "    pass\n"  # 5
        "if __name__ != '__main__':\n"  # 6
        "    while True:\n"  # 7
        "        pass\n"  # 8
        "else:\n"  # 9
        "    while 1:\n"  # 10
        "        pass\n"  # 11
    )
    assert toplevel.loops({"train.py": source.encode()}) == (
        "train.py line 2: `for epoch in range(100000):`",
        "train.py line 7: `while True:`",
    )


def test_the_loops_are_read_only_when_a_phase_ran_out_of_time_importing() -> None:
    """Session 35 left the loops read after any timeout, one case's included, for a note only a timeout at
    import shows (source_notes.place_loops). A case's timeout and a phase's after the load read nothing; a
    phase stopped importing (result.AT_IMPORT) names the loop."""
    files = SubmissionFiles("s", Path("s"), "folder", {"hw.py": b"while True:\n    pass\n"}, "0" * 64)
    load = LoadInfo({}, {}, ("Variable",), {})

    def run(phase: Failure | None = None, case: Failure | None = None) -> RunResult:
        outputs = {"c": CaseOutput("c", "error", {}, failure=case)} if case else {}
        return RunResult("bwrap", load, outputs, phase, "", "", 1.0)

    assert _loops(files, run(case=Failure("timeout", "Stopped after 10 s ... a loop that never ends"))) == ()
    assert _loops(files, run(Failure("timeout", "Stopped after 10 s ... a loop that never ends"))) == ()
    importing = run(Failure("timeout", f"Stopped after 10 s ... Likely a training loop or demo {AT_IMPORT}"))
    assert _loops(files, importing) == ("hw.py line 1: `while True:`",)
    assert _loops(None, importing) == ()
