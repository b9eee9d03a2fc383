"""A submission's own module named like a standard one the runtime imported: the student's, as Python has it.

A student keeps helpers beside miniflow.py in `copy.py`, `json.py` or `shlex.py` and writes `from copy import
sigmoid`. Run as `python nn.py`, the script's folder comes first on sys.path and that file is the module
`copy`. In a student process the worker had imported the standard `copy` (for itself, through dataclasses),
so the import found it in sys.modules: "'copy' has no sigmoid", every case an import error, 0 of 43 for a
correct file. `release` takes such a name out of sys.modules before the submission's first line, and the
import finds the student's file.

Names Python itself would never give a file of the submission keep the standard module: a module built
into the interpreter or frozen in it (its finders come before sys.path) and one the interpreter loads before
any script runs (`encodings`). So, a known limit where Python would give the student's file, does one
numpy's modules hold (`pickle`, `inspect`, `ctypes`, `platform`, `tokenize`, `linecache`, `math`): under
`python nn.py` numpy imports the student's pickle.py, but here numpy was imported before the submission, with
the standard one, and releasing the name would split the process between the two (numpy holding one, the
standard library's lazy imports, such as `warnings.filterwarnings`' `import re`, finding the other). A helper
pickle.py imported for its own names still fails, and its failure says why in one line (`clash`: "your
pickle.py has the name of a standard module the grader's numpy needs; rename it ..."), never "'pickle' has no
sigmoid" (sample miniflow/helper_named_pickle); so is a helper kept for the grader itself (typing.py, os.py:
"... a standard module the grader needs ..."); the sample miniflow/stdlib_named_decoy keeps the standard
pickle. Numpy's modules are found by what numpy's modules hold, followed through the modules they reach, read
once in the worker before it forks (`remember`): the same in every child, and reading them in a child
cost ~45 ms and ~1,575 copy-on-write page faults (review of s25-realmf).

A name the runtime decides by is never released, whatever numpy holds: a module a pickle may name as data
(pickles.DATA: `copyreg._reconstructor`, `collections.OrderedDict`; audit.py's hook takes the same names, and
maps old protocols' names with `_compat_pickle`), and one newer_stdlib defines names on (`typing`).

The runtime is untouched: each of its modules holds the standard module it imported by reference, and none
of it imports a library module but numpy (never released) after the student's code starts
(tests/inside/test_stdlib_shadows.py).

Standard library and the runtime's own modules only (runs in the student's process, before the submission's
first line).
"""

from __future__ import annotations

import _imp
import sys
from collections.abc import Iterable, Mapping
from types import ModuleType

from . import newer_stdlib, pickles
from .address import key as _key

_STARTUP = ("encodings",)  # loaded by the interpreter before sys.path holds the script's folder
# The modules whose names the runtime's decisions read (see the docstring): the standard ones, always.
RUNTIME_NAMED = frozenset(
    {name.split(".", 1)[0] for name in pickles.DATA}
    | {module.split(".", 1)[0] for module, _ in newer_stdlib.ADDED}
    | {"_compat_pickle"}
)
_NUMPY_HELD: list[frozenset[str]] = []  # _held_by_numpy(), by the worker before it forks (remember)
# The names release() kept from the student this process, each with the submission's file so named and who
# needs the standard module: numpy, or the grader (a name its runtime decides by, or one Python itself keeps)
_KEPT: dict[str, tuple[str, str]] = {}
CLASH = (
    "your {file} has the name of a standard module {needs} needs; rename it, e.g. {renamed}, and import that"
)
NUMPY_NEEDS, GRADER_NEEDS = "the grader's numpy", "the grader"


def _names_of(relpaths: Iterable[str]) -> dict[str, str]:
    """The top-level names a file of the submission can be imported by from a folder on sys.path (each
    file's stem, and the name of the folder that directly holds an `__init__.py`), each with the first file
    so named in path order."""
    names: dict[str, str] = {}
    for rel in sorted(relpaths):
        if not rel.endswith(".py"):
            continue
        parts = rel[:-3].split("/")
        names.setdefault(parts[-2] if parts[-1] == "__init__" and len(parts) > 1 else parts[-1], rel)
    return names


def _held_by_numpy() -> set[str]:
    """The names of the modules numpy's modules reach, through the modules and the classes and functions
    their namespaces hold (`from copy import deepcopy` leaves a function, not the module)."""
    seen: set[str] = set()
    stack = [n for n in list(sys.modules) if n == "numpy" or n.startswith("numpy.")]
    while stack:
        name = stack.pop()
        module = sys.modules.get(name)
        if name in seen or not isinstance(module, ModuleType):
            continue
        seen.add(name)
        for value in list(vars(module).values()):
            try:
                held = value.__name__ if isinstance(value, ModuleType) else getattr(value, "__module__", None)
            except Exception:  # an object whose attribute lookup raises something else: nothing held
                continue
            if isinstance(held, str) and held not in seen:
                stack += [held, held.split(".", 1)[0]]
    return seen


def remember() -> None:
    """Called by the worker before it forks any student process, numpy imported: what numpy holds is read
    once, not in each child."""
    _NUMPY_HELD[:] = [frozenset(_held_by_numpy())]


def _numpy_held() -> frozenset[str]:
    return _NUMPY_HELD[0] if _NUMPY_HELD else frozenset(_held_by_numpy())


def _python_keeps(name: str) -> bool:
    return (
        name in RUNTIME_NAMED
        or name in sys.builtin_module_names
        or _imp.is_frozen(name)
        or any(name == s or name.startswith(s + ".") for s in _STARTUP)
    )


def release(relpaths: Iterable[str], preloaded: Mapping[int, ModuleType]) -> list[str]:
    """Take out of sys.modules each standard module the worker imported (`preloaded`: its modules by key)
    whose name a file of the submission has and Python would have given that file; returns the names
    released."""
    files = _names_of(relpaths)
    shadowed = sorted(
        name
        for name in files
        if name in sys.stdlib_module_names
        and (held := sys.modules.get(name)) is not None
        and preloaded.get(_key(held)) is held
    )
    candidates = [name for name in shadowed if not _python_keeps(name)]
    # a helper typing.py or collections/ is kept as surely as pickle.py: its failing import says so too
    _KEPT.update({name: (files[name], GRADER_NEEDS) for name in shadowed if _python_keeps(name)})
    if not candidates:
        return []
    numpy_held = _numpy_held()
    released = [name for name in candidates if name not in numpy_held]
    _KEPT.update({name: (files[name], NUMPY_NEEDS) for name in candidates if name in numpy_held})
    # A package's submodules the worker imported go too: `from json.decoder import sigmoid` of the student's
    # json/decoder.py found the standard json.decoder (review of s25-realmf).
    # (sys.modules' names read only then: reading them all cost a child ~210 copy-on-write page faults)
    below = tuple(name + "." for name in released if hasattr(sys.modules[name], "__path__"))
    for name in released:
        sys.modules.pop(name, None)
    for name in [n for n in list(sys.modules) if n.startswith(below)] if below else ():
        sys.modules.pop(name, None)
    return released


def kept() -> list[str]:
    """The names of the submission's files that stayed the standard modules (release), sorted."""
    return sorted(_KEPT)


def clash(module: str) -> str | None:
    """What to tell a student whose import of `module` failed where it is the standard module kept (for numpy,
    or for the grader) though a file of theirs has its name (release): rename their file; None for any
    other module."""
    name = module.split(".", 1)[0]
    kept = _KEPT.get(name)
    if kept is None:
        return None
    file, needs = kept
    if file.endswith("__init__.py"):  # a package: its folder is what is named
        return CLASH.format(file=file.removesuffix("__init__.py"), needs=needs, renamed=f"my_{name}/")
    return CLASH.format(file=file, needs=needs, renamed=f"my_{name}.py")
