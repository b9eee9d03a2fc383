"""`python -m grader`: the working directory leaves the import path before anything else is imported.

`-m` puts the working directory first on sys.path, ahead of the standard library and numpy: a TA running
`python -m grader grade miniflow ../kim.zip` in kim/, a student's unpacked hand-in, imported kim's
`tomllib.py` (read for ./grader.toml) into the grader's own process, outside every sandbox (session 24,
hunt2). `grader` itself was found there first, which nothing here can change (a student's `grader/` folder
or `grader.py` runs instead): the installed `grader` command, whose path starts with its own folder, or
`python -P -m grader`, never looks in the working directory (docs/INSTRUCTORS.md)."""

import os
import sys


def _working_directory_entry() -> bool:
    """sys.path[0] is the working directory `-m` put there, and the grader was not imported from it: a
    source checkout run from its root without install (`python -m grader` in /work/main) needs it for its
    top-level `reference` package, and there the working directory is the grader's own (review of
    s24-hunt2: 'No module named reference'). A deleted working directory is not on the path to drop."""
    if sys.flags.safe_path or not sys.path:  # `-P` (PYTHONSAFEPATH) puts nothing there: PYTHONPATH's, kept
        return False
    try:
        cwd = os.getcwd()
    except OSError:
        return False
    if sys.path[0] not in ("", cwd):
        return False
    package = sys.modules[__package__ or "grader"].__file__ or ""
    return os.path.dirname(os.path.dirname(os.path.abspath(package))) != os.path.abspath(cwd)


if _working_directory_entry():
    del sys.path[0]

from grader.entry import main  # noqa: E402 (after the working directory left the import path)

sys.exit(main())
