"""Every pickle the student's process reads loads data only: arrays, numbers, containers, classes of the
submission's own handed-in files; never a callable such as `builtins.exec`. Only a stream held in memory
(`io.BytesIO`), which the parent's scan flags `dynamic_code` wherever it is handed to an unpickler
(grader/flags/runners.py), loads as before: the grader judges what runs there (sample
submissions/miniflow/hidden_code_pickle_stream.py).

Why every file: a pickle of `builtins.exec` of correct backward passes, written while the submission runs
and read back by path, scored full marks with no flag (sample submissions/hostile/runtime_written_pickle.py).
A first guard trusted a file "as handed in, read from its first byte" (the parent's scan reads such a file
itself, grader/flags/pickled.py, and flags one that imports code `opaque_module`); review of s20-hostile
beat it five ways, each 43/43 with no flag: `seek` after `Unpickler(f)`, `super().__init__(other)` swapping
the file under a checked unpickler, an `.npz` written at run time (numpy hands a zipfile.ZipExtFile),
a multi-member gzip, gzip over a seeked file. So nothing about a file is trusted: data only, whatever it is.
A handed-in pickle that imports code is the parent's to flag; here it is refused too.

An own class loads only if its metaclass is `type` and no class of its MRO outside builtins defines
`__new__`: a `__new__` returning `getattr(obj, name)` is a gadget reaching any callable through the pickle's
REDUCE and NEWOBJ (review finding 7). Its `__init__`/`__setstate__` run: the student's own code, in the
student's own process, as importing it does.

The names are decided again by the audit hook (audit.py), which nothing of the process reaches; what is here
is the bar in front of it, with the finer rules (an own name must be a plain class) the hook, seeing names
only, cannot apply. A bar in-process like shipped.py's, not a wall: the submission's own code could undo it,
through what the scan flags (`runtime_introspection` to reach this module or the C Unpickler, a subclass of
Unpickler: `dynamic_code`). Which unpicklers load as before is kept here (a WeakSet), not on the unpickler,
where `u._data_only = False` would undo it. Costs a few attribute writes per student process and one set
lookup per name a pickle names.
"""

from __future__ import annotations

import _pickle
import io
import os
import pickle
import sys
import weakref
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


def numpy_data() -> frozenset[str]:
    """NumPy's ufuncs (pickled by name: `numpy.tanh`) and its random generators' reconstructors, which call
    only what the pickle names itself (a bit generator by name or by a class let through, a SeedSequence's
    state): a trained network holding np.tanh or a RandomState. NumPy is imported by then (the server's)."""
    numpy = sys.modules.get("numpy")
    ufunc = getattr(numpy, "ufunc", None)
    if numpy is None or not isinstance(ufunc, type):
        return frozenset()
    names = {f"numpy.{n}" for n, v in vars(numpy).items() if isinstance(v, ufunc)}
    names.update(f"numpy.random._pickle.__{f}_ctor" for f in ("randomstate", "generator", "bit_generator"))
    names.update(f"numpy.random.bit_generator.{n}" for n in ("SeedSequence", "__pyx_unpickle_SeedSequence"))
    names.update(
        f"numpy.random._{m}.{c}"
        for m, c in (("mt19937", "MT19937"), ("pcg64", "PCG64"), ("pcg64", "PCG64DXSM"), ("philox", "Philox"),
                     ("sfc64", "SFC64"))
    )  # fmt: skip
    return frozenset(names)


_NUMPY: list[frozenset[str]] = [frozenset()]  # numpy_data(), by the worker before it forks (or at install)
_NUMPY_FOUND: list[bool] = []


def remember_numpy() -> None:
    """Called by the worker before it forks any student process, NumPy imported: numpy_data() read once.
    In a child, reading every attribute of numpy writes each value's reference count, a copy-on-write page
    fault per page of them (measured: ~165 faults, ~0.85 ms of CPU a student process); the worker's numpy
    is the one every child inherits, and no student code has run in the worker."""
    _NUMPY[0] = numpy_data()
    _NUMPY_FOUND.append(True)


def data_names() -> frozenset[str]:
    """Every name a pickle may call as data, NumPy's as the worker found them before the fork
    (remember_numpy; install reads them again only in a process the worker did not prepare); audit.py's hook
    takes the same."""
    return DATA | _NUMPY[0]


def _plain_class(cls: type) -> bool:
    """A class made by `type`, whose instances come from object's or a builtin's `__new__`: unpickling it
    runs no `__new__` of the submission (a `__new__` returning `getattr(obj, name)` reaches any callable)."""
    try:
        return type(cls) is type and all(
            "__new__" not in vars(c) or c.__module__ == "builtins" for c in cls.__mro__
        )
    except Exception:  # a student's class: anything may raise
        return False


def _own_class(module: str, name: str) -> bool:
    """`module.name` is a plain class the submission's handed-in module `module` defines (already imported:
    never imported here)."""
    found = sys.modules.get(module)
    try:
        path = getattr(found, "__file__", None)
        obj = getattr(found, name, None)
        if not isinstance(path, str) or not isinstance(obj, type) or obj.__module__ != module:
            return False
        return _plain_class(obj) and shipped.handed_in(os.stat(path))
    except Exception:  # a student's object in sys.modules: anything may raise
        return False


def allowed(module: str, name: str) -> bool:
    """What a pickle read in the student's process may name."""
    module = _PY2.get(module, module)
    return f"{module}.{name}" in DATA or f"{module}.{name}" in _NUMPY[0] or _own_class(module, name)


def refused(module: str, name: str) -> pickle.UnpicklingError:
    return pickle.UnpicklingError(
        "a pickle read while your code is graded may only hold arrays, numbers, containers and classes "
        f"from your own files; {module}.{name} is not one"
    )


_PERSISTENT = _pickle.Unpickler.__dict__["persistent_load"]  # a getset descriptor
# The unpicklers that load as before (made on a stream in memory, which the scan flags): kept here, out of
# the unpickler's reach; any other unpickler is data only.
_AS_BEFORE: weakref.WeakSet[Any] = weakref.WeakSet()


def in_memory(file: Any) -> bool:
    """`file` is a stream held in memory, which the scan flags wherever it is handed to an unpickler.
    Exactly io.BytesIO: a subclass may read a file."""
    return type(file) is io.BytesIO


class Unpickler(_pickle.Unpickler):
    """pickle.Unpickler, loading data only from all but a stream in memory. No instance attributes
    (`__slots__`): `u.find_class = ...` cannot replace the check."""

    __slots__ = ("__weakref__",)

    def __init__(self, file: Any, *args: Any, **kwargs: Any) -> None:
        super().__init__(file, *args, **kwargs)
        if in_memory(file):
            _AS_BEFORE.add(self)
        else:  # made on a stream once, re-made on a file: data only from then on
            _AS_BEFORE.discard(self)

    def find_class(self, module: str, name: str) -> Any:
        if self not in _AS_BEFORE and not allowed(module, name):
            raise refused(module, name)
        return super().find_class(module, name)

    # A persistent id resolves to whatever `persistent_load` returns: a callable REDUCE would call. The
    # C type's own attribute, set through this property only on an unpickler that loads as before.
    @property
    def persistent_load(self) -> Any:
        return _PERSISTENT.__get__(self, type(self))

    @persistent_load.setter
    def persistent_load(self, value: Any) -> None:
        if self not in _AS_BEFORE:
            raise pickle.UnpicklingError(
                "persistent_load is refused: a pickle read while your code is graded may only hold arrays, "
                "numbers, containers and classes from your own files"
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
    if not _NUMPY_FOUND:  # a process the worker did not prepare (tests, `grader` run in-process)
        _NUMPY[0] = numpy_data()
    # pickle's pure-Python _Unpickler and _load too: the scan leaves them unflagged alike
    for module, names in ((pickle, ("Unpickler", "_Unpickler")), (_pickle, ("Unpickler",))):
        for name in names:
            setattr(module, name, Unpickler)
    for module, names in ((pickle, ("load", "_load")), (_pickle, ("load",))):
        for name in names:
            setattr(module, name, load)
