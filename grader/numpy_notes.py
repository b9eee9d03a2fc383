"""Notes for the student on NumPy names their code uses that today's NumPy removed (np.float, np.asscalar).

The student process defines them again (grader/inside/numpy_removed.py), so such code is graded on what it
computes; the parent, which trusts only its own reading of the source, says where the code uses one and what
to write instead. Read from the parsed source (never run): `np.float` through any name the file binds to
numpy (`import numpy as np`, `import numpy`), and `from numpy import float as f`. A file is parsed only when
its text mentions one of the names after a dot or imports from numpy, so most cost a regex search.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Mapping

from grader import untrusted
from grader.flags.source import sources
from grader.inside import cells
from grader.inside.numpy_removed import REMOVED

MAX_NAMES = 6  # removed names the note gives advice for; the rest are counted
# What makes a file worth parsing: `.float` and the like, or `from numpy import`. Each pattern starts with a
# literal, which the regex engine scans for quickly (a leading \b or a top-level alternation made it try
# every position: 0.25 ms an 8 KB file), and none has an unbounded repeat that backtracks (an `import ...
# name` pattern was quadratic on a long hostile line). A false hit only costs a parse.
_DOTTED = re.compile(rb"\.(?:" + b"|".join(re.escape(n.encode()) for n in REMOVED) + rb")\b")
_FROM_NUMPY = re.compile(rb"from[ \t]+numpy[ \t]+import\b")


def _mentions(data: bytes) -> bool:
    return _DOTTED.search(data) is not None or _FROM_NUMPY.search(data) is not None


def notes(files: Mapping[str, bytes]) -> tuple[str, ...]:
    """One note naming each removed name the submission's Python uses, its first place and what to write."""
    first: dict[str, tuple[str, str]] = {}  # name -> (its first place, as the code spells it)
    uses: dict[str, int] = {}
    for rel, data, source in sources(files, _mentions):
        for line, name, text in _uses(source.nodes, source.modules):
            uses[name] = uses.get(name, 0) + 1
            if name not in first:  # placed once a name: placing decodes the file
                first[name] = (place(rel, data, line), text)
    if not first:
        return ()
    advice = [_advice(name, *first[name], uses[name]) for name in first]
    if len(advice) > MAX_NAMES:
        advice = [*advice[:MAX_NAMES], f"{len(advice) - MAX_NAMES} more"]
    return (
        "note: the code uses names that NumPy has removed since it was written, each graded as what it "
        f"stood for (not an error); for today's NumPy write {'; '.join(advice)}",
    )


def _uses(nodes: tuple[ast.AST, ...], modules: Mapping[str, str]) -> list[tuple[int, str, str]]:
    """(line, removed name, as the code spells it) for each use, in line order."""
    numpy_names = {alias for alias, module in modules.items() if module == "numpy"}
    found: list[tuple[int, int, str, str]] = []
    for node in nodes:
        if isinstance(node, ast.Attribute):
            value = node.value
            if node.attr in REMOVED and isinstance(value, ast.Name) and value.id in numpy_names:
                found.append((node.lineno, node.col_offset, node.attr, f"{value.id}.{node.attr}"))
        elif isinstance(node, ast.ImportFrom) and node.module == "numpy" and not node.level:
            for alias in node.names:
                if alias.name in REMOVED:
                    found.append((node.lineno, node.col_offset, alias.name, f"numpy.{alias.name}"))
    return [(line, name, text) for line, _, name, text in sorted(found)]


def place(rel: str, data: bytes, line: int) -> str:
    """`miniflow.py line 132`, or `hw.ipynb, code cell 3 line 2` in a module made from a notebook."""
    text = data.decode("utf-8", "replace")
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")  # Python's line breaks, as cells.parts
    where, number = cells.locate_in(lines, line) or (rel, line)
    return f"{untrusted.name(where)} line {number}"


def _advice(name: str, place: str, spelt: str, uses: int) -> str:
    """`float for np.float (hw.py line 152 and 2 more places)`, in the code's own name for numpy."""
    instead = REMOVED[name].instead.replace("np.", spelt.rsplit(".", 1)[0] + ".")
    more = f" and {uses - 1} more place{'s' if uses > 2 else ''}" if uses > 1 else ""
    return f"{instead} for {spelt} ({place}{more})"
