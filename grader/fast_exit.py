"""The command's process leaves without the cyclic collector's last walks over everything it imported.

When a `grader` command returns, the interpreter's finalisation runs full collections of the garbage
collector over every object still alive: numpy's and the grader's modules, the loaded assignments, the
parsed submission. They free nothing that reference counting and the modules' own clearing would not, and
cost a cold `grader check` 20 to 80 ms between its last line and its exit (measured at session 16, from
`main` returning to the process reaped: median 84 -> 23 ms on a loaded machine). Frozen objects are left out
of those walks; atexit handlers, weakref finalizers, stream flushes and module clearing still run. What is
frozen is never collected again, so this is done at exit only, when nothing else will run.

`leave` goes further for a command whose process has nothing left to do (`grader check`): its atexit handlers
run and its streams are flushed, then the process ends without the interpreter's finalisation (the clearing
of every module, numpy's among them, and the freeing of what they hold): a student's shell waits for it.
"""

from __future__ import annotations

import atexit
import gc
import os
import sys

_registered = False


def skip_final_collections() -> None:
    """Freeze every live object when the interpreter begins to exit (once per process)."""
    global _registered
    if not _registered:
        atexit.register(gc.freeze)
        _registered = True


def leave(code: int) -> int:
    """End the process now with `code`, after its atexit handlers and the flush of stdout and stderr. Where
    a stream cannot be flushed (a closed pipe), `code` is returned instead and the interpreter's own exit
    reports it as it always did."""
    threading = sys.modules.get("threading")
    if threading is not None:  # its threads joined and its own exit hooks run, as the interpreter's exit does
        threading._shutdown()
    atexit._run_exitfuncs()
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (OSError, ValueError):
        return code
    os._exit(code)
