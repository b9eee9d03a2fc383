"""Loops at the top level of a submission's files: what runs at import and can keep the loading busy.

A submission stopped for time while loading was told "likely a training loop or demo at the top level of a
file", without saying which file or line: a notebook exported to a script has dozens of cells, and the TA had
to look for the loop. Read by the parent from the parsed source (never run), the module-level `for` and
`while` statements are named with their place (a notebook's by its code cell), so the message says where.
A loop under `if __name__ == "__main__":` does not run at import and is not one of them; one inside a
module-level `try:` (the training script's `try: for epoch ... except KeyboardInterrupt:`), `with` or other
`if` (`if __name__ != "__main__":` too) does, and is (grader/course_bases.py `module_level`).
"""

from __future__ import annotations

import ast
from collections.abc import Mapping

from grader import pyparse
from grader.course_bases import module_level
from grader.numpy_notes import place

MAX_LOOPS = 3  # the first ones say where to look
_SOURCE_CHARS = 60


def loops(files: Mapping[str, bytes]) -> tuple[str, ...]:
    """`hw.py line 230: \\`while True:\\``, for each module-level loop of the Python files, in path order."""
    found: list[str] = []
    for rel, data, tree in pyparse.python_trees(files):
        # Python's line breaks only, as `place` counts them (str.splitlines also breaks at \f and \x1c)
        text = data.decode("utf-8", "replace").replace("\r\n", "\n").replace("\r", "\n")
        lines = text.split("\n")
        for node in module_level(tree.body):
            if isinstance(node, (ast.For, ast.While, ast.AsyncFor)) and len(found) < MAX_LOOPS:
                line = lines[node.lineno - 1].strip() if node.lineno <= len(lines) else ""
                found.append(f"{place(rel, data, node.lineno)}: `{line[:_SOURCE_CHARS]}`")
    return tuple(found)
