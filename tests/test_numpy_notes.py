"""The parent's note on NumPy names a submission uses that NumPy removed: where, and what to write instead."""

from __future__ import annotations

import json

from grader import numpy_notes
from grader.loaders import notebook_files


def _note(files: dict[str, str]) -> str:
    (note,) = numpy_notes.notes({rel: text.encode() for rel, text in files.items()})
    return note


def test_each_removed_name_is_cited_at_its_first_line_with_the_count_and_advice() -> None:
    """Lines counted by hand in the source below; the advice is NumPy's own (float, np.float64, x.item())."""
    source = (
        "import numpy as np\n"  # 1
        "a = np.zeros(3, dtype=np.float)\n"  # 2
        "b = a.astype(np.float)\n"  # 3
        "c = np.float_(1)\n"  # 4
        "d = np.asscalar(np.array([1.0]))\n"  # 5
    )
    note = _note({"hw/miniflow.py": source})
    assert note.startswith("note: the code uses names that NumPy has removed")
    assert "float for np.float (hw/miniflow.py line 2 and 1 more place)" in note
    assert "np.float64 for np.float_ (hw/miniflow.py line 4)" in note
    assert "x.item() for np.asscalar (hw/miniflow.py line 5)" in note
    assert "not an error" in note


def test_the_advice_names_numpy_as_the_code_does() -> None:
    """`import numpy` and `from numpy import NaN as nan` are read as numpy; the advice uses that name."""
    note = _note({"a.py": "import numpy\nx = numpy.float_(2)\n", "b.py": "from numpy import NaN as nan\n"})
    assert "numpy.float64 for numpy.float_ (a.py line 2)" in note
    assert "numpy.nan for numpy.NaN (b.py line 1)" in note


def test_no_note_where_nothing_removed_is_used() -> None:
    """Negative controls: the names in a comment or a string, on another module (torch.float, x.int), a
    living NumPy name (np.float64), and a name bound to something else than numpy: no note."""
    source = (
        "import numpy as np\nimport torch as np2\n"
        "# np.float was removed\n"
        "s = 'np.float'\n"
        "t = np2.float\n"
        "u = np.float64(1)\n"
        "class X:\n    int = 1\nx = X()\ny = x.int\n"
    )
    assert numpy_notes.notes({"m.py": source.encode()}) == ()
    assert numpy_notes.notes({"m.py": b"def f(:\n  np.float\n"}) == ()  # a file Python cannot compile


def test_a_notebook_cell_is_cited_by_cell_and_line() -> None:
    """A module made from a notebook cites `hw.ipynb, code cell 2 line 2`, as the student's notebook shows."""
    cells = [["import numpy as np\n"], ["x = 1\n", "y = np.int(x)\n"]]
    book = {
        "cells": [{"cell_type": "code", "metadata": {}, "outputs": [], "source": c} for c in cells],
        "metadata": {},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    files = notebook_files(json.dumps(book).encode(), "hw.ipynb")
    (note,) = numpy_notes.notes(files)
    assert "int for np.int (hw.ipynb, code cell 2 line 2)" in note


def test_many_names_are_counted_past_the_cap() -> None:
    """Past MAX_NAMES names the note counts the rest, so it stays a line or two."""
    names = ["float", "int", "complex", "object", "str", "float_", "NaN", "Inf", "infty"]
    source = "import numpy as np\n" + "".join(f"v{i} = np.{n}\n" for i, n in enumerate(names))
    note = _note({"m.py": source})
    assert note.endswith(f"; {len(names) - numpy_notes.MAX_NAMES} more")
    assert note.count(" for np.") == numpy_notes.MAX_NAMES
