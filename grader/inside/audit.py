"""The student process's two decisions about code nobody scanned, taken in an audit hook that no Python object
of the process reaches: which files the import system (and `%run`) may read, and which names a pickle may
call.

shipped.py and pickles.py make those decisions in plain objects of the student's process, and the
submission reaches them: the check's frames on the traceback of its own ImportError
(`traceback.walk_tb(exc.__traceback__)` to `f_globals["_ROOTS"].clear()`, sample
submissions/hostile/runtime_by_traceback.py), the closure and globals of the notebook builtin
(`inspect.getclosurevars(get_ipython)`, runtime_by_closurevars.py) and of the pickle guard's `__init__`
(`_AS_BEFORE.add(u)`, pickle_guard_closurevars.py): each 43 / 43 in both modes before. Hiding one more name
only moves the attack to the next (a frame's `f_back`, a method's `__globals__`): every object of the runtime
leads to the others. An audit hook (PEP 578) is the one thing Python keeps out of that graph:

- `sys.addaudithook` has no inverse; the interpreter keeps its hooks in a list no Python object refers to.
- The hook is a closure over immutable values only (frozensets, tuples, strings, C functions and classes it
  calls or raises), refers to no global and no builtin by name (a student's `builtins.isinstance = ...` or a
  write to this module's globals, which its frame's `f_globals` reaches, changes nothing), and calls only C
  functions. Its frame stays on the traceback of every refusal, and that frame's `f_locals` shows every cell's
  value: a dict's bound `.get` there (the Python 2 name map, before the review of s22-walls) was a dict anyone
  could rewrite. It looks only at exact types among the caller's objects (`sys.audit` takes any object: a
  str subclass's `__add__` ran in here), so no method of the submission runs inside it.
- gc's three listings (`gc.get_objects`, `gc.get_referrers`, `gc.get_referents`) are refused (Refused, a
  RuntimeError): they are the one route from an object of the process to the hook function, whose
  `__closure__` cells are writable. `gc.freeze()` alone was undone by `gc.unfreeze()`, and the referents of
  the hook's own frame hold the function (review of s22-walls: its cells rewritten, 43 / 43;
  submissions/hostile/hook_cells_by_gc_objects.py, hook_cells_by_gc_referents.py). Nothing in the runtime
  calls them. A frame reaches no function otherwise (`f_back`, `tb_frame`, `sys._current_frames`,
  `inspect.stack` give frames; `f_code` is code, not the function).
- Tracers and profilers run: the interpreter calls an audit hook with tracing off unless the hook has a true
  `__cantrace__` (which only its function could be given), so no trace or profile function ever gets the
  hook's frame, whose locals a trace call writes back (tests/inside/test_audit.py shows it, and the control
  with `__cantrace__`). Refusing them (session 22) protected nothing and cost honest files: cProfile at a
  module's top lost 43 of 43, doctest.testmod() stopped the load.

The decisions, fixed before the submission's first line runs:

- a read by the import system (importlib's and zipimport's frozen frames, and shipped.read, through which
  the runtime's own import hook and `%run` read) of a file that is neither one handed in (shipped.py's keys:
  device, inode, size, change time) nor changed before the student process started (change time older than
  the snapshot) is refused with shipped.NotShipped; data reads (any other frame, and a file importlib's
  FileLoader.get_data reads that no import runs: pkgutil.get_data of a package's `weights.bin`) are untouched.
  The change time is the kernel's and no call the sandbox allows sets it back (shipped.py).
- code is refused alike when the file it names is such a file: a compile (`compile` event: the file name a
  compile is given, importlib's and a loader's of the submission's own alike), code run by `exec`/`eval`, code
  made a function (`function.__new__`: `types.FunctionType(code, ns)`, which raises no exec event) or
  assigned to a function's `__code__`. Relative names are the working directory's (`runpy.run_path("_gen.py")`
  was let through, 43 / 43). With the runtime's reader replaced (`shipped.read = plain_read`, reached the same
  ways) the read is a data read, but the compile still names the file (runtime_bars_all_off.py).
- a code object made from data (`code.__new__`: types.CodeType(...), code.replace(...)) is refused, whoever
  calls it and with no Python frame at all: it keeps any file name it is given, a handed-in one included, so
  no check by file can judge it (bytecode_code_replace.py). No caller is exempt: the calling frame is only
  the last Python frame, and any C callable handed to an exempt file ran under that file's frame (review of
  s23-hunt: `types.coroutine(code.replace)(**parts)`, a property's C getter read by the stand-in registry,
  a thread started on a C callable, each 43 / 43 or 62 / 62). The standard library's one maker at import,
  asyncio's `@types.coroutine` (asyncio/tasks.py, imported by torch too), ran before the hook: this module
  imports asyncio, in the worker before it forks. The stand-in registry compares codes by a key that
  ignores the lazy-annotations flag instead of making a reflagged copy (standins.code_key).
- a name a pickle resolves (`pickle.find_class`, the C unpickler's and the pure-Python one's alike, the C
  one under the checking subclass reached by `__mro__` included) must be data (pickles.DATA, NumPy's ufuncs
  and random generators' reconstructors) or a name a `class`/`def` statement of the submission's own module
  defines and nothing else binds or names as text, a class plain when called (the parent's reading,
  grader/pickle_defs.py, sent with the job: `_run = exec` in a handed-in file made `miniflow._run` exec,
  43 / 43, sample own_attribute_exec_pickle.py) that every file of the module name defines, as
  written (protocol 3 and up) and as the C unpickler maps a Python 2 name (`_compat_pickle`: `commands` is
  subprocess; a handed-in commands.py made `commands.getoutput` own). The own modules are own_modules': the
  names the runtime and the import system can give a handed-in file, never a taken one (a util/builtins.py
  made `builtins.exec` own, 43 / 43). Whatever the stream: the hook cannot see it, and a pickle held in
  memory (flagged `dynamic_code`) calls `exec` no more than one read from a file. pickles.py's finer rule (an
  own name must be a plain class, no `__new__` gadget) stays in front as the bar it was. A class or def whose
  own code calls exec is let through: it is exec in plain code by another path (flagged `dynamic_code`), which
  no reading of names contains.

What stays open, beyond native code (docs/SANDBOX.md):

- text the submission compiles itself (`exec`, `compile` under a name that is no file, or code compiled before
  its file is written and run by `exec`: `dynamic_code`), or compiles through the runtime's own compile step
  under another file's name (reached as above, `runtime_introspection`): the hook sees the name a compile is
  given, not where its text came from.
- an own name rebound by a computed name (`globals()[k] = exec`, `setattr(m, k, ...)`) or a module swapped
  (`sys.modules["miniflow"] = ns`): the hook sees names, and the parent's reading sees constant names only
  (flagged: `dynamic_code` where exec is named, `computed_attribute`, `module_patching`,
  `runtime_introspection`).
- a subclass of an Unpickler overriding `find_class` raises no event (its own code resolves the name:
  `dynamic_code`, `import_machinery`).

Not a wall against native code: ctypes (flagged `native_code`) writes any memory, the hook list included;
only the process boundary or the kernel is beyond that. An extension module written at run time is loaded
by `dlopen`, which raises no audit event (shipped.py's check still reads it). A thread renaming a file over a
handed-in one between the hook's `stat` and the kernel's `open` (microseconds) races the check; shipped.py
reads first and checks after, and both would have to be off.

Costs one Python call per audit event of the process (an open, an import, an exec: measured with timeit,
0.2 to 0.5 us an event the hook passes, an empty call 0.2 us; NumPy imported and 2,000 array ops raise
1,634 events), one `stat` per file the import system opens (~11 us, the machine shared), one `stat` per
compile, exec or code made a function (~1 us when the name is no file, `<string>`; ~4 us for a file),
own_names' lookups at install (a PathFinder search per top-level name of the submission) and one
`gc.freeze()` (a list splice) per student process.
"""

from __future__ import annotations

import _compat_pickle
import asyncio  # noqa: F401  (its @types.coroutine makes code objects: at import, before the hook; see above)
import gc
import importlib.machinery
import os
import pickle
import sys
import time
import types
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from . import loading, pickles, shipped

# Where the import system reads a file of code: Python's own finders and loaders (frozen), the zip importer,
# and shipped.read (the runtime's import hook and the notebook kernel's %run read through it).
_FROZEN_READERS = (
    "<frozen importlib._bootstrap_external>",
    "<frozen importlib._bootstrap>",
    "<frozen zipimport>",
)
# What the frozen readers open as code (FileLoader.get_data also reads a package's data files for
# pkgutil.get_data and importlib.resources: those are data reads)
_CODE_SUFFIXES = (*importlib.machinery.all_suffixes(), ".pyc", ".pyw", ".pth")
# A file changed this long before the snapshot is older than the student process (a coarse clock stamps a
# change to the tick before it: 4 ms at HZ=250)
_TICK_NS = 20_000_000
# gc's three listings are the one route from an object of the process to the hook function (a frame's
# referents hold its function; gc.unfreeze puts the frozen hook back in gc.get_objects): refused.
_REFUSED_EVENTS = frozenset({"gc.get_objects", "gc.get_referrers", "gc.get_referents"})
# Events whose args[0] is a code object about to run or become a function's code (types.FunctionType)
_CODE_EVENTS = frozenset({"exec", "function.__new__"})


class Refused(RuntimeError):
    """A call the grader refuses while the submission runs (not an import failure: an ImportError was told
    "importing '?' failed")."""


def _hook(
    keys: frozenset[tuple[int, int, int, int]],
    older_than: int,
    readers: frozenset[str],
    code_suffixes: tuple[str, ...],
    own: frozenset[str],
    defined: frozenset[str],
    data: frozenset[str],
    py2: tuple[tuple[str, ...], tuple[tuple[str, str], ...], tuple[str, ...], tuple[str, ...]],
) -> Callable[[str, tuple[Any, ...]], None]:
    """The hook: every name it uses is a cell of this closure (no global, no builtin looked up by name), and
    every cell an immutable value: its frame's `f_locals` (a traceback of any refusal reaches it) shows them
    all, so a dict's bound `.get` there was a dict anyone could rewrite."""
    stat, getframe, str_, bytes_, type_, code_type = os.stat, sys._getframe, str, bytes, type, types.CodeType
    issubclass_, concat = issubclass, str.__add__
    oserror, valueerror, not_shipped, refused, unpickling_error = (
        OSError,
        ValueError,
        shipped.NotShipped,
        Refused,
        pickle.UnpicklingError,
    )
    refused_events, code_events, external = _REFUSED_EVENTS, _CODE_EVENTS, _FROZEN_READERS[0]
    # _compat_pickle's maps as tuples (a tuple's `index` compares exact strings in C)
    name_keys, name_values, import_keys, import_values = py2
    name_set, import_set = frozenset(name_keys), frozenset(import_keys)

    def hook(event: str, args: tuple[Any, ...]) -> None:
        # `event` is a str the interpreter made; `args` are the caller's objects (sys.audit takes any): only
        # exact types are looked at, so no method of the submission runs in here
        if event == "open":
            path = args[0]
            kind = type_(path)
            if kind is not str_ and kind is not bytes_:
                return
            try:
                caller = getframe(1).f_code.co_filename
            except valueerror:  # no Python frame: not the import system
                return
            reader = type_(caller) is str_ and caller in readers
            if not reader:
                return
            if kind is bytes_:
                path = path.decode("utf-8", "surrogateescape")
            if caller == external and not path.endswith(code_suffixes):
                return  # a package's data file through FileLoader.get_data (pkgutil.get_data): a data read
            filename: Any = path
        elif event in code_events or event == "compile" or event == "object.__setattr__":
            # The code a module runs, or that becomes a function's code, named by the file it was compiled
            # from: whoever read it (the runtime's reader replaced, a loader of the submission's own), the
            # compile names the file; relative names are the working directory's
            if event == "compile":
                filename = args[1]
            else:
                if event == "object.__setattr__":
                    if type_(args[1]) is not str_ or args[1] != "__code__":
                        return
                    code = args[2]
                else:
                    code = args[0]
                if type_(code) is not code_type:
                    return  # no code runs (the call raises TypeError)
                filename = code.co_filename
            kind = type_(filename)
            if kind is bytes_:
                filename = filename.decode("utf-8", "surrogateescape")
            elif kind is not str_:
                if not issubclass_(kind, str_):
                    return  # no file named (the interpreter compiles some text under None)
                filename = concat("", filename)  # a str subclass's text, none of its methods called
        elif event == "pickle.find_class":
            module, name = args
            if type_(module) is not str_ or type_(name) is not str_:
                raise unpickling_error("a pickle's module and name must be plain strings")
            # As the C unpickler maps a protocol 0-2 name (fix_imports) after this event; at protocol 3 and
            # up it resolves the name as written: both must be data or own
            mapped_module, mapped_name = module, name
            key = module + "\n" + name
            if key in name_set:
                mapped_module, mapped_name = name_values[name_keys.index(key)]
            elif module in import_set:
                mapped_module = import_values[import_keys.index(module)]
            # An own module's name only if a `class`/`def` statement of its source defines it and nothing else
            # binds it (`defined`: "module\nname", the parent's reading, grader/pickle_defs.py): never an
            # object the submission bound to a name (`_run = exec`, an imported name)
            mapped_key = mapped_module + "\n" + mapped_name
            if (mapped_module + "." + mapped_name in data or mapped_key in defined) and (
                module + "." + name in data
                or key in defined
                or (module not in own and module in import_set)
                or (module not in own and key in name_set)
            ):
                return
            raise unpickling_error(
                "a pickle read while your code is graded may only hold arrays, numbers, containers and "
                f"classes from your own files; {module}.{name} is not one (a class or def of yours counts "
                "only if no other line of your files binds it, names it in a string, decorates it or changes "
                "how it is called)"
            )
        elif event in refused_events:
            raise refused(f"{event} is refused while your code is graded: it lists the grader's objects too")
        elif event == "code.__new__":
            # Made from data (types.CodeType(...), code.replace(...), types.coroutine on a generator): refused
            # whoever the last Python frame is, and with none (a thread started on a C callable). No frame is
            # exempt: a C callable handed to an exempt file runs under that file's frame (review of s23-hunt).
            raise refused(
                "making a code object (types.CodeType, code.replace, types.coroutine) is refused while your "
                "code is graded: only code compiled from the files you handed in runs"
            )
        else:
            return
        try:
            st = stat(filename)
        except (oserror, valueerror):
            return  # no such file: text the submission compiled itself (flagged dynamic_code)
        if (st.st_dev, st.st_ino, st.st_size, st.st_ctime_ns) in keys or st.st_ctime_ns < older_than:
            return
        raise not_shipped(
            f"{filename} was changed or created while the submission ran; only files as handed in are "
            "imported or run"
        )

    return hook


def own_names(root: str, relpaths: Iterable[str]) -> frozenset[str]:
    """Every name of own_modules."""
    return frozenset(n for names in own_modules(root, relpaths).values() for n in names)


def defined_names(
    own: Mapping[str, Iterable[str]], definitions: Mapping[str, Iterable[str]]
) -> frozenset[str]:
    """Each name `definitions` (the parent's grader/pickle_defs.py, by relative path) gives a file, as
    "module\nname" under each of the file's own module names (`own`: own_modules), only if every file that
    can have that module name defines it: pkg/miniflow.py is `miniflow` too, and its `class _run` let
    "miniflow\n_run" through where the root miniflow.py bound `_run = exec` (review of s23-walls)."""
    files_of: dict[str, list[str]] = {}
    for rel, modules in own.items():
        for module in modules:
            files_of.setdefault(module, []).append(rel)
    names_of = {
        rel: {n for n in names if isinstance(n, str) and n.isidentifier()}
        for rel, names in definitions.items()
    }
    keys: set[str] = set()
    for module, rels in files_of.items():
        common = set.intersection(*(names_of.get(rel, set()) for rel in rels))
        keys.update(f"{module}\n{name}" for name in common)
    return frozenset(keys)


def own_modules(root: str, relpaths: Iterable[str]) -> dict[str, frozenset[str]]:
    """The names the runtime and the import system may give a handed-in module (student._spec_for): dotted
    from the root and from every folder below it (a folder on sys.path, a src layout, a nested support
    package), a package's name for its __init__.py, and the private alias of a file whose name is no
    identifier. Never a name that is taken (the standard library's, a module imported before the
    submission) or found outside the submission (an installed package): such a name imports that module,
    not the student's file (a util/builtins.py made `builtins.exec` "own": 43 / 43)."""
    of_file: dict[str, set[str]] = {}
    for rel in relpaths:
        if not rel.endswith(".py"):
            continue
        mine = of_file.setdefault(rel, {loading.alias(rel)})
        parts = rel[:-3].split("/")
        if parts[-1] == "__init__":
            parts = parts[:-1]
        for i in range(len(parts)):
            if all(p.isidentifier() for p in parts[i:]):
                mine.add(".".join(parts[i:]))
    names = {n for mine in of_file.values() for n in mine}
    outside = [p for p in sys.path if p and not _resolved(p).startswith(root + os.sep) and p != root]
    installed: set[str] = set()  # every top-level name an entry of sys.path outside the submission holds
    for entry in outside if names else ():
        installed.update(_LISTED[entry] if entry in _LISTED and _listable(entry) else _top_names(entry))
    taken: dict[str, bool] = {}

    def free(name: str) -> bool:
        top = name.split(".", 1)[0]
        if top not in taken:
            module = sys.modules.get(top)
            file = getattr(module, "__file__", None) if module is not None else None
            taken[top] = (
                top in sys.stdlib_module_names
                or top in sys.builtin_module_names
                or (module is not None and not (isinstance(file, str) and file.startswith(root + os.sep)))
                # an installed package of that name: found before a folder's file of the same bare name, and
                # instead of the root's once the submission reorders sys.path (a listdir an entry the worker
                # did not list)
                or top in installed
            )
        return not taken[top]

    return {rel: frozenset(n for n in mine if free(n)) for rel, mine in of_file.items()}


def _top_names(entry: str) -> frozenset[str]:
    """The top-level names a folder of sys.path holds (none for a zip, the standard library's, whose names
    are sys.stdlib_module_names, or a missing folder)."""
    try:
        return frozenset(n.split(".", 1)[0] for n in os.listdir(entry))
    except OSError:
        return frozenset()


# The worker's sys.path entries, resolved and listed by the worker before it forks (remember_paths): the
# runtime's folders, the same in every child, none of them writable by a confined student process (with
# isolation none, where a student process runs as the worker's user and may write them, the worker remembers
# nothing and each child lists for itself). An entry added after the fork (the submission's folders) is
# resolved and listed by the child.
_REAL: dict[str, str] = {}
_LISTED: dict[str, frozenset[str]] = {}


def _listable(entry: str) -> bool:
    """The child may list `entry` itself: confined, it may not (Landlock's READ_DIR, a folder's modes: the
    worker's pylib), and then its names are none, as a listdir in the child found. One open, not a listdir
    and a split of every name."""
    try:
        os.close(os.open(entry, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC))
    except OSError:
        return False
    return True


def _resolved(path: str) -> str:
    return _REAL[path] if path in _REAL else os.path.realpath(path)


def remember_paths() -> None:
    """Called by the worker before it forks any student process (a listdir of the runtime's folders, the
    standard library's and lib-dynload: the worker runs -S, no site-packages; ~0.35 ms, and their
    resolution, once a worker instead of once a child)."""
    for entry in sys.path:
        if type(entry) is str and os.path.isabs(entry):
            _REAL[entry] = os.path.realpath(entry)
            try:  # only a folder the worker could list: one it could not is listed (or not) by the child
                _LISTED[entry] = frozenset(n.split(".", 1)[0] for n in os.listdir(entry))
            except OSError:
                continue


def _py2_maps() -> tuple[tuple[str, ...], tuple[tuple[str, str], ...], tuple[str, ...], tuple[str, ...]]:
    """_compat_pickle's NAME_MAPPING and IMPORT_MAPPING, which the C unpickler applies after the event."""
    names = sorted(_compat_pickle.NAME_MAPPING.items())
    imports = sorted(_compat_pickle.IMPORT_MAPPING.items())
    return (
        tuple(f"{m}\n{n}" for (m, n), _ in names),
        tuple((m, n) for _, (m, n) in names),
        tuple(m for m, _ in imports),
        tuple(v for _, v in imports),
    )


# Built when the worker imports this module, before it forks: a child only reads the tuples
_PY2_MAPS = _py2_maps()
_installed: list[bool] = []


def install(own: frozenset[str], defined: frozenset[str] = frozenset()) -> None:
    """Add the hook, once per student process, after shipped.snapshot and before the submission's code;
    `own`: own_names of the handed-in files; `defined`: defined_names, what a pickle may name in them."""
    if _installed:
        return
    _installed.append(True)
    readers = frozenset((*_FROZEN_READERS, shipped.read.__code__.co_filename))
    keys = frozenset(shipped._KEYS)
    older_than = time.time_ns() - _TICK_NS
    hook = _hook(
        keys,
        older_than,
        readers,
        _CODE_SUFFIXES,
        frozenset(own),
        frozenset(defined),
        pickles.data_names(),  # numpy's as the worker found them (pickles.remember_numpy), before the fork
        _PY2_MAPS,
    )
    sys.addaudithook(hook)
    del hook
    gc.freeze()  # defence in depth: gc's listings are refused by the hook itself
