"""The notebook kernel's `%run FILE.py`: a notebook that runs a file of the submission, as Jupyter does.

A chapter-5 notebook opens with `%run layers.py` (or `%run ../common/layers.py`) and its next cell's
TwoLayerNet builds that file's Affine. The loader writes the line as IPython's own translation,
`get_ipython().run_line_magic('run', 'layers.py')` (nbconvert's, for a notebook exported to .py), and this
kernel answers it: the file runs as a program (`__name__ == "__main__"`, `sys.argv` its arguments) and the
names it defined are copied into the notebook, as IPython's %run does; with `-i` it runs in the notebook's own
namespace. Made inert, every such name was a NameError and the notebook's TwoLayerNet lost its cases
(sample submissions/layers/notebook_run_magic/). A .py file (or notebook) the line names that is not a file of
the submission (left out of the hand-in, or outside its folder) is not run, and the student is told which
file to hand in: the NameErrors that follow would not say it (sample notebook_run_magic_file_missing.ipynb).
Every other magic, and a %run of a module (-m), still does nothing.

Runs in the student's process (standard library only): what it executes is the submission's own code.
"""

from __future__ import annotations

import builtins
import os
import shlex
import sys
from collections.abc import Callable
from types import FrameType
from typing import Any

from .. import cells, lazy_annotations, shipped
from .inert import Inert


class Kernel(Inert):
    """`get_ipython()`: inert, but for `run_line_magic('run', ...)` on a file of the submission. `note`
    takes a sentence for the student (a %run whose file raised: Jupyter shows it, grading would not);
    `inert` is called when the kernel is asked for anything it does not do (the report's warning that the
    kernel's magics do nothing: not said of a notebook whose only magic is a %run that ran)."""

    def __init__(self, root: str, note: Callable[[str], None], inert: Callable[[], None]) -> None:
        self._root = root
        self._note = note
        self._inert = inert

    def __getattr__(self, name: str) -> Any:
        self._inert()
        return super().__getattr__(name)

    def run_line_magic(self, magic: str, line: str = "", *args: Any, **kwargs: Any) -> Any:
        if magic == "run" and isinstance(line, str) and self._run(sys._getframe(1), line):
            return None
        self._inert()
        return Inert()

    def magic(self, line: str = "", *args: Any, **kwargs: Any) -> Any:
        """IPython's old spelling, `get_ipython().magic('run layers.py')`."""
        name, _, rest = line.lstrip("%").partition(" ") if isinstance(line, str) else ("", "", "")
        if name == "run" and self._run(sys._getframe(1), rest):
            return None
        self._inert()
        return Inert()

    def _run(self, caller: FrameType, line: str) -> bool:
        filename = caller.f_code.co_filename
        if not under_root(self._root, filename):
            return False  # asked from no file of the submission (the grader's server, a stand-in): inert
        here = os.path.dirname(os.path.abspath(filename))
        ran, raised = run_file(self._root, here, line, caller.f_globals)
        missing = None if ran else file_not_handed_in(self._root, here, line)
        if raised is None and missing is None:
            return ran
        where, at = cells.locate(filename, caller.f_lineno) or (os.path.basename(filename), caller.f_lineno)
        if missing is not None:
            self._note(
                f"{where} line {at}: `%run {line.strip()}`: {missing} is not among the files you handed in, "
                "so it was not run and the names it defines are missing in the cells below; hand it in with "
                "the notebook"
            )
            return True  # said precisely: not also the kernel's warning that its magics do nothing
        self._note(
            f"{where} line {at}: `%run {line.strip()}` raised {raised}; the names the file defined "
            "before that were kept and the notebook went on, as in Jupyter"
        )
        return ran


def under_root(root: str, path: str) -> bool:
    """Whether `path`, links resolved, lies under the submission's root: only the submission's own code runs a
    %run, in its own namespace (review of session 18: called through the server, it ran in the grader's),
    and only its own files are run or imported as its notebooks."""
    return os.path.realpath(path).startswith(os.path.realpath(root) + os.sep)


def _words(line: str) -> list[str]:
    try:
        return shlex.split(line)
    except ValueError:  # an unclosed quote: IPython's own parser would refuse it too; read it plainly
        return line.split()


def _target(root: str, here: str, given: str) -> str | None:
    """The .py file `given` names, from the notebook's folder first, then the root; None outside the root.
    A notebook (`%run helpers.ipynb`) is the module the loader made of it beside it (helpers.py)."""
    if given.endswith(".ipynb"):
        given = given[: -len(".ipynb")] + ".py"
    if not given.endswith(".py"):
        return None
    for base in (here, root):
        path = os.path.realpath(os.path.join(base, given))
        if under_root(root, path) and os.path.isfile(path):
            return path
    return None


def file_not_handed_in(root: str, here: str, line: str) -> str | None:
    """The file `%run LINE` names, as written, when it is a .py file or notebook that is not a file of the
    submission (left out of the hand-in, or outside its folder); None when the line names a file of the
    submission or no file (a module by -m, a script of another kind: those stay the inert kernel's)."""
    options, rest = _split(line)
    if not rest or "-m" in options or not rest[0].endswith((".py", ".ipynb")):
        return None
    return rest[0] if _target(root, here, rest[0]) is None else None


def _split(line: str) -> tuple[list[str], list[str]]:
    """%run's options (the words before the file) and the rest (the file and its arguments)."""
    words = _words(line)
    first = next((i for i, w in enumerate(words) if not w.startswith("-")), len(words))
    return words[:first], words[first:]


_RUNNING: set[str] = set()  # the files a %run is running now


def run_file(root: str, here: str, line: str, namespace: dict[str, Any]) -> tuple[bool, str | None]:
    """IPython's %run LINE in `namespace`: (whether it named a .py file of the submission, which ran; the
    exception the file raised, as "TypeError: ...", which IPython shows before the cell goes on, or None)."""
    options, rest = _split(line)
    if not rest or "-m" in options:
        return False, None
    path = _target(root, here, rest[0])
    if path is None:
        return False, None
    if path in _RUNNING:  # a notebook that runs itself (or a file a %run of it runs): IPython recurses
        return True, "RecursionError: the file runs itself through %run; it was not run again"
    interactive = "-i" in options
    name = "__main__" if "-n" not in options else os.path.splitext(os.path.basename(path))[0]
    program: dict[str, Any] = (
        namespace if interactive else {"__name__": name, "__file__": path, "__builtins__": builtins}
    )
    argv = sys.argv
    sys.argv = [rest[0], *rest[1:]]
    _RUNNING.add(path)
    try:
        # only a file as handed in (one written while the notebook ran was never scanned), compiled as the
        # loader compiles it: Python 3.12's syntax read too
        code = lazy_annotations.compile_source(shipped.read(path), path)
        exec(code, program)  # the submission's own file, in its own process
    except shipped.NotShipped as exc:
        return True, f"ImportError: {exc}"
    except SystemExit as exc:  # sys.exit() in the file: IPython's %run stops the file, not the notebook
        return True, None if exc.code in (None, 0) else f"SystemExit: {str(exc.code)[:200]}"
    except Exception as exc:  # not BaseException: the load's time budget still stops it
        return True, f"{type(exc).__name__}: {str(exc)[:200]}"
    finally:
        _RUNNING.discard(path)
        sys.argv = argv
        if not interactive:
            namespace.update(
                {k: v for k, v in program.items() if not (k.startswith("__") and k.endswith("__"))}
            )
    return True, None
