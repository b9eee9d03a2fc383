"""Notebook line numbers and cells: the module built from a notebook's code cells, cell by cell.

The parent's loader (grader/loaders.py) writes a notebook's code cells into one module, each cell after a
marker line; messages then cite "hw.ipynb, code cell 3 line 2" instead of a line of a file the student never
saw. `split` gives the cells back, so that the module can be run as Jupyter runs a notebook, each cell
compiled and run on its own (a cell with a syntax error or an exception does not stop the others), and read
the same way by the parent. A student could write such markers into a .py file by hand: that would only
renumber their own messages and split their own file, so the markers are read without trust.
"""

from __future__ import annotations

import itertools
import linecache
import re
from collections.abc import Sequence

HEADER = "# grader: the code cells of "  # + notebook name; the module's first line
CELL = "# grader: code cell "  # + number; the line before each cell's first line
_MAX_NAME = 200
_MAX_SCAN = 20_000
_IN_CELL = ", code cell "  # a place `locate` gives: "hw.ipynb, code cell 3"


def header(notebook: str) -> str:
    return HEADER + notebook.replace("\n", " ")


def marker(number: int) -> str:
    return f"{CELL}{number}"


def locate(filename: str, line: int) -> tuple[str, int] | None:
    """("hw.ipynb, code cell 3", line in the cell) for a line of a module built from a notebook, else None."""
    return locate_in(linecache.getlines(filename), line)


def locate_in(lines: Sequence[str], line: int) -> tuple[str, int] | None:
    """`locate` over the module's lines (the parent holds the module's text, not a file)."""
    if not lines or not lines[0].startswith(HEADER) or not 0 < line <= len(lines):
        return None
    name = lines[0][len(HEADER) :].strip()[:_MAX_NAME]
    for at in range(line - 1, max(0, line - 1 - _MAX_SCAN), -1):
        text = lines[at - 1]
        number = text[len(CELL) :].strip()
        if text.startswith(CELL) and number.isdigit():
            return f"{name}{_IN_CELL}{int(number)}", line - at
    return None


def split_place(place: str) -> tuple[str, str]:
    """("hw.ipynb", "3") for a place `locate` gives, "hw.ipynb, code cell 3"; (place, "") for another."""
    book, found, number = place.rpartition(_IN_CELL)
    return (book, number) if found else (place, "")


def is_notebook(text: str) -> bool:
    return text.startswith(HEADER)


def parts(text: str) -> list[tuple[int, int, str]]:
    """(cell number, the module line just above the cell, its source) for each code cell of a module built
    from a notebook; [] for any other text. Line breaks are read as the student's process reads the file
    (universal newlines: CR LF and a lone CR are line breaks), so the parent finds the same cells."""
    if not is_notebook(text):
        return []
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    out: list[tuple[int, list[str], int]] = []
    for at, line in enumerate(lines):
        number = line[len(CELL) :].strip()
        if line.startswith(CELL) and number.isdigit():
            out.append((int(number), [], at + 1))
        elif out:
            out[-1][1].append(line)
    return [(number, start, "\n".join(body) + "\n") for number, body, start in out]


def split(text: str) -> list[tuple[int, str]]:
    """(cell number, its source) for each code cell of a module built from a notebook, the source padded
    with blank lines so that it compiles to the module's own line numbers; [] for any other text."""
    return _padded(parts(text))


def _padded(found: list[tuple[int, int, str]]) -> list[tuple[int, str]]:
    return [(number, "\n" * start + source) for number, start, source in found]


# `jupyter nbconvert --to script` writes each code cell after a line `# In[3]:` (`# In[ ]:` for a cell never
# run), markdown cells as comments between them. The spaces after the number are read only after a number:
# written ` *\d* *`, a line `# In[` and n spaces was n * n steps (the two runs of spaces share them out every
# way), 60,000 spaces 2.6 s per reading, in the parent (grader/pyparse.py) and the student's process.
_EXPORTED_CELL = re.compile(r"# In\[ *(?:\d+ *)?\]:[ \t]*")
_MIN_EXPORTED_CELLS = 2  # one such line may be a comment; two are the exporter's


def exported_parts(text: str) -> list[tuple[int, int, str]]:
    """(code cell number, the file line just above the cell, its source) for each cell of a script exported
    from a notebook, the lines above the first marker a cell of their own; [] for a file with fewer than two
    markers. The same reading of a notebook as `parts`: a cell that stops (for want of a data set the
    student's machine has) costs that cell alone."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    starts = [at for at, line in enumerate(lines) if _EXPORTED_CELL.fullmatch(line)]
    if len(starts) < _MIN_EXPORTED_CELLS:
        return []
    bounds = [0, *starts, len(lines)]
    return [
        (number, start, "\n".join(lines[start:end]) + "\n")
        for number, (start, end) in enumerate(itertools.pairwise(bounds))
        if end > start
    ]


def exported(text: str) -> list[tuple[int, str]]:
    """`exported_parts`, each cell padded with blank lines so that it compiles to the file's own line numbers
    (the student's process runs them so). The parent reads `exported_parts` and moves the line numbers
    instead: padding every cell is quadratic in the number of cells (20,000 one-line cells, 0.5 MB, were
    500 MiB and 20 s in the parent)."""
    return _padded(exported_parts(text))
