"""What `from x import *` of a library binds that the scan reads by name.

The rules read a call by the name it is made through: `pickle.loads(...)` is judged as a loader,
`open(...)` as a file opened by path (whose pickle the parent reads itself), `os.system(...)` as process
control. A star import binds such names bare: `from pickle import *` then `loads(text)` ran a pickle built
from text with no flag, and `from gzip import *` made `open` gzip's, which reads a stream held in memory,
still read as the builtin opener. So a bare name no scope of the file binds is read as the star-imported
library's (`Source._star_bound`, the last such import first, as Python binds them) when that library's name
is one a rule reads: a runner, a loader or an opener (grader/flags/runners.py), an exact name of
runtime.NAMES, or `open` of a module that exports one (OPEN_EXPORTERS). Never imported: the exports are known
by name only, so only names a rule knows are read this way (`len` stays the builtin after `from os import
*`).
"""

from __future__ import annotations

from collections.abc import Sequence

# The standard modules whose star import binds `open` (their __all__, or public names, name it), Python 3.11
# (tests/flags/test_star_imports.py reads them again from the library)
OPEN_EXPORTERS = frozenset(
    {
        "aifc", "builtins", "bz2", "codecs", "dbm", "gzip", "io", "lzma", "os", "ossaudiodev", "posix",
        "shelve", "sunau", "tarfile", "wave", "webbrowser",
    }
)  # fmt: skip


def bound(modules: Sequence[str], name: str) -> str | None:
    """The dotted name a star import of one of `modules` (in the file's order) binds `name` to, when a rule
    reads it; None otherwise."""
    for module in reversed(modules):
        dotted = f"{module}.{name}"
        if _read_by_a_rule(dotted) or (name == "open" and module in OPEN_EXPORTERS):
            return dotted
    return None


def _read_by_a_rule(dotted: str) -> bool:
    from grader.flags import runners, runtime  # both read Source, whose resolution calls this

    return (
        runners.judged(dotted)
        or dotted in runners.OPENERS
        or dotted in runners.NUMPY_LOADS
        or dotted in runtime.EXACT_NAMES
    )
