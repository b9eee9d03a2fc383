"""The command's process leaves without the cyclic collector's last walks over everything it imported.

When a `grader` command returns, the interpreter's finalisation runs full collections of the garbage
collector over every object still alive: numpy's and the grader's modules, the loaded assignments, the
parsed submission. They free nothing that reference counting and the modules' own clearing would not, and
cost a cold `grader check` 20 to 80 ms between its last line and its exit (measured at session 16, from
`main` returning to the process reaped: median 84 -> 23 ms on a loaded machine). Frozen objects are left out
of those walks; atexit handlers, weakref finalizers, stream flushes and module clearing still run. What is
frozen is never collected again, so this is done at exit only, when nothing else will run.
"""

from __future__ import annotations

import atexit
import gc

_registered = False


def skip_final_collections() -> None:
    """Freeze every live object when the interpreter begins to exit (once per process)."""
    global _registered
    if not _registered:
        atexit.register(gc.freeze)
        _registered = True
