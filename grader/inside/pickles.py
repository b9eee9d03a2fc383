"""Pickles read from a file the parent never read load data only: arrays, numbers, containers, the
submission's own classes; never a callable such as `builtins.exec`.

The parent's static scan (grader/flags/runners.py) leaves `pickle.load(f)` of a file opened by its path
unflagged, since it reads that file itself when it was handed in (grader/flags/pickled.py flags a pickle
that imports code). A file the submission writes while it runs was never read: correct backward passes
kept as text, written as a pickle of `builtins.exec` of that text and read back by path (`pickle.load`,
`pickle.Unpickler(f).load()`, `np.load(..., allow_pickle=True)` of an object array), scored full marks with
no flag (sample submissions/hostile/runtime_written_pickle.py). So is a pickle the submission reads from a
file handed in but from another place than its start (the tail of a text file, after `f.seek`), where the
scan, which reads a pickle from a file's first byte, saw text.

So, in the student's process, an unpickler reading a file (`type(f)` exactly a file object of io, gzip, bz2
or lzma: what `open(path)` and the compressed openers return) other than one as handed in
(grader/inside/shipped.py) from its first byte resolves only DATA names and classes of the submission's own
handed-in modules; any other name (a callable, the runtime's, another library's) raises UnpicklingError
naming it. Saved weights (a dict of arrays, `params.pkl` written by `pickle.dump` and read back) load as
before. Anything else handed to an unpickler (`io.BytesIO`, an object with `read` and `readline`) the scan
flags `dynamic_code`, and it loads as before: the grader judges what runs (sample
submissions/miniflow/hidden_code_pickle_stream.py). A bar in-process like shipped.py's, not a wall: the
submission's own code could undo it, through what the scan flags (`runtime_introspection`, a subclass of
Unpickler: `dynamic_code`). Costs a few attribute writes per student process and, per load, one `tell` and
one `fstat` (and one `fstat` per name a pickle handed in imports: another file dup2'ed onto its descriptor
after the check is caught).
"""

from __future__ import annotations

import _pickle
import os
import pickle
import sys
from typing import Any

from . import shipped

# What the parent reads as saved data, not code (grader/flags/pickled.py SAFE_LOADS: NumPy's arrays and
# scalars, OrderedDict, _codecs.encode of protocols 0 to 2), and what protocols 0 to 3 name for the
# built-in containers and numbers, collections' containers and an old protocol's plain instance.
DATA = frozenset(
    {
        *(f"numpy.{core}.multiarray.{f}" for core in ("core", "_core") for f in ("_reconstruct", "scalar")),
        *(f"numpy.{core}.numeric._frombuffer" for core in ("core", "_core")),
        "numpy.ndarray",
        "numpy.dtype",
        "collections.OrderedDict",
        "_codecs.encode",
        *(
            f"builtins.{t}"
            for t in (
                "set", "frozenset", "bytearray", "complex", "list", "dict", "tuple", "object", "int",
                "float", "str", "bytes", "bool", "slice", "range",
            )
        ),
        *(f"collections.{t}" for t in ("defaultdict", "deque", "Counter")),
        "copyreg._reconstructor",
    }
)  # fmt: skip
_PY2 = {"__builtin__": "builtins", "copy_reg": "copyreg"}  # as find_class maps them (fix_imports)


def _own_class(module: str, name: str) -> bool:
    """`module.name` is a class the submission's handed-in module `module` defines (already imported: never
    imported here)."""
    found = sys.modules.get(module)
    try:
        path = getattr(found, "__file__", None)
        obj = getattr(found, name, None)
        if not isinstance(path, str) or not isinstance(obj, type) or obj.__module__ != module:
            return False
        return shipped.handed_in(os.stat(path))
    except Exception:  # a student's object in sys.modules: anything may raise
        return False


def allowed(module: str, name: str) -> bool:
    """What a pickle the parent never read may name."""
    module = _PY2.get(module, module)
    return f"{module}.{name}" in DATA or _own_class(module, name)


def _file_types() -> tuple[type, ...]:
    """The file objects whose descriptor is the file they read (a compressed one: the parent reads it
    decompressed, from the start)."""
    import io

    found: list[type] = [io.BufferedReader, io.BufferedRandom, io.FileIO]
    for module, cls in (("gzip", "GzipFile"), ("bz2", "BZ2File"), ("lzma", "LZMAFile")):
        loaded = sys.modules.get(module)  # imported by the submission or not at all: never imported here
        if loaded is not None and isinstance(getattr(loaded, cls, None), type):
            found.append(getattr(loaded, cls))
    return tuple(found)


def handed_in_at_start(file: Any) -> int | None:
    """The descriptor of `file` when it is a file as handed in, read from its first byte (which the parent's
    scan read), else None."""
    try:
        fd = file.fileno()
        return fd if file.tell() == 0 and shipped.handed_in(os.fstat(fd)) else None
    except Exception:  # closed, or no descriptor: nothing the parent read
        return None


def refused(module: str, name: str) -> pickle.UnpicklingError:
    return pickle.UnpicklingError(
        f"{module}.{name}: a pickle read from a file the submission wrote while it ran (or from the middle "
        "of a file) may hold arrays, numbers, containers and your own classes only, not code; hand in the "
        "data file itself"
    )


_PERSISTENT = _pickle.Unpickler.__dict__["persistent_load"]  # a getset descriptor


class Unpickler(_pickle.Unpickler):
    """pickle.Unpickler, loading data only from what the parent never read. No instance attributes
    (`__slots__`): `u.find_class = ...` cannot replace the check."""

    __slots__ = ("_data_only", "_fd")

    def __init__(self, file: Any, *args: Any, **kwargs: Any) -> None:
        super().__init__(file, *args, **kwargs)
        is_file = type(file) in _file_types()  # exactly: a subclass is no file the scan saw opened
        self._fd = handed_in_at_start(file) if is_file else None
        self._data_only = is_file and self._fd is None

    def find_class(self, module: str, name: str) -> Any:
        if (self._data_only or self._swapped()) and not allowed(module, name):
            raise refused(module, name)
        return super().find_class(module, name)

    def _swapped(self) -> bool:
        """The descriptor of a file handed in no longer is that file (dup2 of another file onto it, from a
        thread, after the check)."""
        if self._fd is None:
            return False
        try:
            return not shipped.handed_in(os.fstat(self._fd))
        except OSError:
            return True

    # A persistent id resolves to whatever `persistent_load` returns: a callable REDUCE would call. The
    # C type's own attribute, set through this property only where the file is one the parent read.
    @property
    def persistent_load(self) -> Any:
        return _PERSISTENT.__get__(self, type(self))

    @persistent_load.setter
    def persistent_load(self, value: Any) -> None:
        if getattr(self, "_data_only", True):
            raise pickle.UnpicklingError(
                "persistent_load for a pickle read from a file the submission wrote while it ran (or from "
                "the middle of a file) is refused: such a pickle may hold data only"
            )
        _PERSISTENT.__set__(self, value)


Unpickler.__module__ = "pickle"
Unpickler.__qualname__ = "Unpickler"


class _Scope(dict):
    """The locals `load` runs the unpickler in: its own names (the unpickler, the file, the keywords), and
    for every other name the caller's own locals (read and written through)."""

    def __init__(self, outer: Any, own: dict[str, Any]) -> None:
        super().__init__()
        self.outer = outer
        self.own = own

    def __getitem__(self, key: Any) -> Any:
        return self.own[key] if key in self.own else self.outer[key]

    def __setitem__(self, key: Any, value: Any) -> None:
        self.outer[key] = value

    def __delitem__(self, key: Any) -> None:
        del self.outer[key]


# No Python frame between this code and the unpickler's load (a lambda's would hold exec's definitions)
_CALL = compile("__grader_unpickler__(__grader_file__, **__grader_kwargs__).load()", "<pickle.load>", "eval")


def load(file: Any, **kwargs: Any) -> Any:
    """pickle.load(file, ...), through Unpickler, in the caller's globals and locals: `builtins.exec` of one
    argument, called by an unpickler, runs in the globals and locals of the innermost Python frame, which
    under the C pickle.load was the caller's (a submission's module; numpy's for np.load), and must stay so
    where the pickle loads as before (sample submissions/miniflow/hidden_code_pickle_stream.py: the flagged
    stream's exec defines the module's classes)."""
    caller = sys._getframe(1)
    own = {"__grader_unpickler__": Unpickler, "__grader_file__": file, "__grader_kwargs__": kwargs}
    scope = _Scope(caller.f_locals, own)
    return eval(_CALL, caller.f_globals, scope)


_installed: list[bool] = []


def install() -> None:
    """Put the checking Unpickler and load where the standard library's are (pickle and _pickle, each name
    `FILE_LOADERS` of grader/flags/runners.py leaves unflagged); once per process, before student code."""
    if _installed:
        return
    _installed.append(True)
    # pickle's pure-Python _Unpickler and _load too: the scan leaves them unflagged alike
    for module, names in ((pickle, ("Unpickler", "_Unpickler")), (_pickle, ("Unpickler",))):
        for name in names:
            setattr(module, name, Unpickler)
    for module, names in ((pickle, ("load", "_load")), (_pickle, ("load",))):
        for name in names:
            setattr(module, name, load)
