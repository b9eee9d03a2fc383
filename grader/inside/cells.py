"""Notebook line numbers: a line of the module built from a notebook's code cells, as its cell and line.

The parent's loader (grader/loaders.py) writes a notebook's code cells into one module, each cell after a
marker line; messages then cite "hw.ipynb, code cell 3 line 2" instead of a line of a file the student never
saw. A student could write such markers into a .py file by hand: that would only renumber their own
messages, so the markers are read without trust and nothing else depends on them.
"""

from __future__ import annotations

import linecache

HEADER = "# grader: the code cells of "  # + notebook name; the module's first line
CELL = "# grader: code cell "  # + number; the line before each cell's first line
_MAX_NAME = 200
_MAX_SCAN = 20_000


def header(notebook: str) -> str:
    return HEADER + notebook.replace("\n", " ")


def marker(number: int) -> str:
    return f"{CELL}{number}"


def locate(filename: str, line: int) -> tuple[str, int] | None:
    """("hw.ipynb, code cell 3", line in the cell) for a line of a module built from a notebook, else None."""
    lines = linecache.getlines(filename)
    if not lines or not lines[0].startswith(HEADER) or not 0 < line <= len(lines):
        return None
    name = lines[0][len(HEADER) :].strip()[:_MAX_NAME]
    for at in range(line - 1, max(0, line - 1 - _MAX_SCAN), -1):
        text = lines[at - 1]
        number = text[len(CELL) :].strip()
        if text.startswith(CELL) and number.isdigit():
            return f"{name}, code cell {int(number)}", line - at
    return None
