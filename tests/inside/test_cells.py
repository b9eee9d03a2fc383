"""A line of the module built from a notebook maps back to its code cell and the line in that cell."""

from __future__ import annotations

import json
from pathlib import Path

from grader.inside import cells
from grader.loaders import notebook_files


def test_lines_map_to_cells(tmp_path: Path) -> None:
    """Line 2 of code cell 2 (markdown cells are not counted) is reported as such; a plain file is not."""
    nb = {
        "cells": [
            {"cell_type": "code", "source": "import numpy as np\n%matplotlib inline\nx = 1"},
            {"cell_type": "markdown", "source": "text"},
            {"cell_type": "code", "source": "%%time\ny = 2\nz = 3"},
        ]
    }
    files = notebook_files(json.dumps(nb).encode(), "hw.ipynb")
    path = tmp_path / "hw.py"
    path.write_bytes(files["hw.py"])
    lines = path.read_text().splitlines()
    assert cells.locate(str(path), lines.index("z = 3") + 1) == ("hw.ipynb, code cell 2", 3)
    assert cells.locate(str(path), lines.index("x = 1") + 1) == ("hw.ipynb, code cell 1", 3)
    plain = tmp_path / "plain.py"
    plain.write_text("x = 1\n")
    assert cells.locate(str(plain), 1) is None


def test_an_exported_script_splits_at_its_in_markers_keeping_line_numbers() -> None:
    """nbconvert's `# In[3]:` and `# In[ ]:` lines start cells (the lines above the first one a cell of
    their own), each compiling to the file's own line numbers, CR LF read as Python reads it; one marker
    is a comment, not an export, and `# In[3]: x` with text after it is no marker."""
    text = "# coding: utf-8\r\n# In[1]:\r\nx = 1\r\n\r\n# In[ ]:\r\ny = x\r\n# In[2]: not a marker\r\n"
    found = cells.exported(text)
    assert [n for n, _ in found] == [0, 1, 2]
    sources = [source for _, source in found]
    assert sources[1].split("\n")[2] == "x = 1" and sources[2].split("\n")[5] == "y = x"
    assert sources[2].rstrip("\n").endswith("# In[2]: not a marker")
    assert cells.exported("# In[1]:\nx = 1\n") == []


def test_markers_with_spaces_around_the_number_and_a_marker_line_of_spaces() -> None:
    """`# In[ 3 ]:`, `# In[  ]:` and `# In[]:` are markers, `# In[1 2]:` is not; a line `# In[` and n spaces
    (sample hostile/cells_marker_spaces.py has 60,000) was n * n steps of the marker pattern, in the parent
    (every reader of the file) and in the student's process: 2,000,000 take a linear pattern a tenth of a
    second and a quadratic one hours (a work bound: a regression never ends, where 200,000 passed in 30 s)."""
    text = "# In[ 3 ]:\nx = 1\n# In[  ]:\ny = 2\n# In[]:\nz = 3\n# In[1 2]:\n"
    assert [start for _, start, _ in cells.exported_parts(text)] == [0, 2, 4]
    assert cells.exported_parts("# In[" + " " * 2_000_000 + "\n" + "# In[1]:\n") == []  # one marker: no cells
