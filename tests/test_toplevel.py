"""The parent's reading of loops at the top level of a submission's files (named after a timeout)."""

from __future__ import annotations

import json

from grader import toplevel
from grader.loaders import notebook_files


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
