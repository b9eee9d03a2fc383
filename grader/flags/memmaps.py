"""NumPy's memory maps opened writable: a file rewritten in place, its stat key unchanged.

`np.memmap(path, mode="r+")` (and `"w+"`, `"readwrite"`, `"write"`; `"r+"` is np.memmap's default) writes
into the file's pages: on tmpfs the file keeps its device, inode, size and ctime, the key shipped.py's
import check (grader/inside/shipped.py) compares, so a module handed in and rewritten this way imported
as handed in (review of s20-hostile, j_memmap_import/: miniflow.py memmap-rewrote helpers.py with correct
backward passes, then `import helpers`: 43 / 43 and no flag). `import mmap` was flagged `native_code`;
np.memmap was not. Comparing content would cost a read of every module imported; a writable map is rare
in a student's backprop file and plain in its source, so it is flagged `native_code` where it is made:

- a call of `numpy.memmap` (any path numpy exports it under) or `numpy.lib.format.open_memmap` whose mode
  (keyword or position) is not a constant read-only mode (`"r"`, `"c"`, `"readonly"`, `"copyonwrite"`);
- `numpy.load(..., mmap_mode=...)` with a writable constant mode, or one that cannot be read;
- either memmap name used without being called (`m = np.memmap`): its mode cannot be read.
"""

from __future__ import annotations

import ast
import fnmatch
import functools
from collections.abc import Collection, Iterator

from grader.flags.model import Hit
from grader.flags.source import Source

CODE = "native_code"
READ_ONLY = frozenset({"r", "c", "readonly", "copyonwrite"})
# dotted pattern -> (the mode's keyword, its position, the default mode: None for read-only)
MAKERS: dict[str, tuple[str, int, str | None]] = {
    "numpy.memmap": ("mode", 2, "r+"),
    "numpy.*memmap.memmap": ("mode", 2, "r+"),
    "numpy.lib.format.open_memmap": ("mode", 1, "r+"),
    "numpy.load": ("mmap_mode", 1, None),
    "numpy.lib.npyio.load": ("mmap_mode", 1, None),
}
_WHY = "maps a file writable: rewrites it in place, unseen by the check of the files handed in"


def _maker(src: Source, node: ast.AST) -> tuple[str, tuple[str, int, str | None]] | None:
    dotted = src.library_name(node)
    if dotted is None:
        return None
    rule = _maker_rule(dotted)
    return (dotted, rule) if rule is not None else None


# A function of the name alone, asked of every library name a file reads (np.dot, np.zeros_like ...: ~80 a
# lesson file, five patterns matched each time): kept by the name, a bounded number of them.
@functools.lru_cache(maxsize=4096)
def _maker_rule(dotted: str) -> tuple[str, int, str | None] | None:
    for pattern, rule in MAKERS.items():
        if fnmatch.fnmatchcase(dotted, pattern):
            return rule
    return None


def _writable(call: ast.Call, keyword: str, position: int, default: str | None) -> bool:
    given: ast.AST | None = next((k.value for k in call.keywords if k.arg == keyword), None)
    if given is None and len(call.args) > position:
        given = call.args[position]
    if given is None:
        if any(k.arg is None for k in call.keywords) or any(isinstance(a, ast.Starred) for a in call.args):
            return True  # **kwargs / *args: the mode cannot be read
        return default is not None and default not in READ_ONLY
    return not (isinstance(given, ast.Constant) and (given.value is None or given.value in READ_ONLY))


def hits(src: Source, node: ast.AST, called: Collection[int]) -> Iterator[Hit]:
    """The flag of one node: a writable map made by a call, or a memmap maker used uncalled."""
    if isinstance(node, ast.Call):
        found = _maker(src, node.func)
        if found and _writable(node, *found[1]):
            yield Hit(CODE, node.lineno, f"{found[0]} with a writable mode: {_WHY}")
    elif isinstance(node, (ast.Name, ast.Attribute)) and id(node) not in called:
        found = _maker(src, node)
        if found and found[1][2] is not None:
            yield Hit(CODE, node.lineno, f"uses {found[0]} uncalled: {_WHY}")
