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
- The hook is a closure over immutable values only (frozensets, strings, C functions), refers to no global
  and no builtin by name (a student's `builtins.isinstance = ...` or a write to this module's globals, which
  its frame's `f_globals` reaches, changes nothing), and calls only C functions (no Python frame of its
  callees has it as `f_back`).
- `gc.freeze()` right after it is added moves it, its cells and the hook list out of what `gc.get_objects()`
  and `gc.get_referrers()` search: nothing leads to the function, whose `__closure__` cells are the one
  mutable thing about it. Its frame, on the traceback of a refusal, holds only the immutable values.
- `sys.settrace`/`sys.setprofile` (and `threading.settrace`, which calls it) are refused: a tracer is the one
  pure-Python way to write a running frame's locals (3.11 writes `f_locals` back after each trace call),
  the hook's arguments included. No sample, honest or not, traces (the scan flags it, runtime_introspection).

The decisions, fixed before the submission's first line runs:

- a read by the import system (importlib's and zipimport's frozen frames, and shipped.read, through which
  the runtime's own import hook and `%run` read) of a file that is neither one handed in (shipped.py's
  keys: device, inode, size, change time) nor changed before the student process started (change time
  older than the snapshot) is refused with shipped.NotShipped; data reads (any other frame) are untouched.
  The change time is the kernel's and no call the sandbox allows sets it back (shipped.py).
- the code a module runs (the `exec` event: importlib's, the runtime's loader, `%run`) is refused alike when
  the file it was compiled from (`co_filename`, an absolute path) is such a file: with the runtime's reader
  replaced by the submission's (`shipped.read = plain_read`, reached the same ways), the read is a data read,
  but the compile still names the file (sample submissions/hostile/runtime_bars_all_off.py).
- a name a pickle resolves (`pickle.find_class`, the C unpickler's and the pure-Python one's alike, the C
  one under the checking subclass reached by `__mro__` included) must be data (pickles.DATA) or a plain
  name of the submission's own modules. Whatever the stream: the hook cannot see it, and a pickle held in
  memory (flagged `dynamic_code`) calls `exec` no more than one read from a file (before, it loaded as
  before and the staff judged: miniflow/hidden_code_pickle_stream.py, stdlib_named_decoy). pickles.py's
  finer rule (an own name must be a plain class, no `__new__` gadget) stays in front as the bar it was.

What stays open, beyond native code: text the submission compiles itself (`exec`, `compile`, a name that
is no file: `dynamic_code`), or compiles through the runtime's own compile step under another file's name
(reached as above, `runtime_introspection`): the hook sees the name a compile is given, not where its text
came from.

Not a wall against native code: ctypes (flagged `native_code`) writes any memory, the hook list included;
only the process boundary or the kernel is beyond that. An extension module written at run time is loaded
by `dlopen`, which raises no audit event (shipped.py's check still reads it). A thread renaming a file over a
handed-in one between the hook's `stat` and the kernel's `open` (microseconds) races the check; shipped.py
reads first and checks after, and both would have to be off.

Costs one Python call per audit event of the process (an open, an import, an exec: measured with timeit,
0.2 to 0.5 us an event the hook passes, an empty call 0.2 us; NumPy imported and 2,000 array ops raise
1,634 events), one `stat` per file the import system opens (~11 us, the machine shared), and one
`gc.freeze()` (a list splice) per student process.
"""

from __future__ import annotations

import gc
import os
import pickle
import sys
import time
from collections.abc import Callable, Iterable
from typing import Any

from . import pickles, shipped

# Where the import system reads a file of code: Python's own finders and loaders (frozen), the zip importer,
# and shipped.read (the runtime's import hook and the notebook kernel's %run read through it).
_FROZEN_READERS = (
    "<frozen importlib._bootstrap_external>",
    "<frozen importlib._bootstrap>",
    "<frozen zipimport>",
)
# A file changed this long before the snapshot is older than the student process (a coarse clock stamps a
# change to the tick before it: 4 ms at HZ=250)
_TICK_NS = 20_000_000
_REFUSED_EVENTS = frozenset({"sys.settrace", "sys.setprofile"})


def _hook(
    keys: frozenset[tuple[int, int, int, int]],
    older_than: int,
    readers: frozenset[str],
    own: frozenset[str],
    data: frozenset[str],
    py2: tuple[tuple[str, str], ...],
) -> Callable[[str, tuple[Any, ...]], None]:
    """The hook: every name it uses is a cell of this closure (no global, no builtin looked up by name)."""
    stat, getframe, str_, bytes_, type_, oserror, valueerror, getattr_ = (
        os.stat,
        sys._getframe,
        str,
        bytes,
        type,
        OSError,
        ValueError,
        getattr,
    )
    not_shipped, unpickling_error, refused_events = (
        shipped.NotShipped,
        pickle.UnpicklingError,
        _REFUSED_EVENTS,
    )
    py2_map = dict(py2).get

    def hook(event: str, args: tuple[Any, ...]) -> None:
        if event == "open":
            path = args[0]
            kind = type_(path)
            if kind is not str_ and kind is not bytes_:
                return
            try:
                reader = getframe(1).f_code.co_filename in readers
            except valueerror:  # no Python frame: not the import system
                return
            if reader:
                try:
                    st = stat(path)
                except oserror:
                    return  # the open fails too
                if (st.st_dev, st.st_ino, st.st_size, st.st_ctime_ns) in keys or st.st_ctime_ns < older_than:
                    return
                raise not_shipped(
                    f"{path!s} was changed or created while the submission ran; only files as handed in are "
                    "imported or run"
                )
        elif event == "exec":
            # The code a module's import runs, named by the file it was compiled from: whoever read it (the
            # runtime's reader replaced, a loader of the submission's own), the compile names the file.
            filename: Any = getattr_(args[0], "co_filename", None)
            if type_(filename) is not str_ or not filename.startswith("/"):
                return  # text compiled by a call in the submission's own file: flagged dynamic_code
            try:
                st = stat(filename)
            except oserror:
                return
            if (st.st_dev, st.st_ino, st.st_size, st.st_ctime_ns) in keys or st.st_ctime_ns < older_than:
                return
            raise not_shipped(
                f"{filename} was changed or created while the submission ran; only files as handed in are "
                "imported or run"
            )
        elif event == "pickle.find_class":
            module, name = args
            module = py2_map(module, module)
            if module + "." + name in data or (module in own and "." not in name):
                return
            raise unpickling_error(
                "a pickle read while your code is graded may only hold arrays, numbers, containers and "
                f"classes from your own files; {module}.{name} is not one"
            )
        elif event in refused_events:
            raise not_shipped(f"{event} is refused while a submission is graded")

    return hook


_installed: list[bool] = []


def install(own_modules: Iterable[str]) -> None:
    """Add the hook, once per student process, after shipped.snapshot and before the submission's code."""
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
        frozenset(own_modules),
        pickles.DATA,
        tuple(pickles._PY2.items()),
    )
    sys.addaudithook(hook)
    del hook
    gc.freeze()  # the hook, its cells and the interpreter's hook list: out of gc.get_objects/get_referrers
