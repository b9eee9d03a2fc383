"""A measuring process that reaps what its children leave unreaped, so that their CPU reaches its rusage.

`getrusage(RUSAGE_CHILDREN)` holds the CPU of the children a process waited for, each with what those had
waited for in turn. Bubblewrap's outer process exits without waiting for the PID namespace's init it cloned
(its exit code comes by a pipe; strace of a worker's bwrap: the init's `exit_group`, then the outer one's, no
`wait4` between them), so the init, whose children's CPU holds the sandbox worker's and all it reaped, went to
the machine's init and the batch's sandbox total read 0.14 to 0.33 ms a submission under `--isolation bwrap`
until session 33. A child subreaper (prctl, Linux 3.4) is handed such orphans instead, and reaps them.
"""

from __future__ import annotations

import ctypes
import os
import time

PR_SET_CHILD_SUBREAPER = 36


def become_subreaper() -> None:
    """Orphaned descendants of this process are handed to it, not to the machine's init (Linux only)."""
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_CHILD_SUBREAPER)")


def reap_orphans(grace_seconds: float = 5.0) -> int:
    """Wait for every child left, the orphans handed over included; call it once the children this process
    started are waited for (it would take their statuses from `subprocess`). Returns how many it reaped. An
    orphan still running after `grace_seconds` is left (its CPU then is not in the rusage)."""
    reaped, deadline = 0, time.monotonic() + grace_seconds
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return reaped
        if pid:
            reaped += 1
        elif time.monotonic() > deadline:
            return reaped
        else:
            time.sleep(0.01)
