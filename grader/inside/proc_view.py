"""/proc out of the sight of every process a bubblewrap worker forks; the worker keeps a descriptor of it.

bubblewrap mounts a fresh /proc for the worker's PID namespace. Landlock keeps a student process from opening
anything there, but it guards no `readlink` and no `stat`: `os.readlink("/proc/self")` named the student
process's pid in the worker's namespace, which counts every process and thread the students graded before it
on that worker started (the pid counter its own PID namespace was made to close: sample
proc_self_pid_counter.py read 302 after a first student left the bit, docs/SANDBOX.md "The pid counter"),
and `stat` of /proc/N told which pids exist. So the worker, before it forks anything, opens /proc, enters a
mount namespace of its own (its CAP_SYS_ADMIN in bubblewrap's innermost user namespace owns it) and mounts an
empty, read-only tmpfs over /proc there: its harness and student processes find nothing at that path, and no
process of theirs may mount, unmount or reach the worker's descriptor (seccomp; every child closes it). The
worker reads its children's /proc/PID/stat through the descriptor (grader/inside/proc_stat.py).

The fallback run by an ordinary user (rlimits-unprivileged) shows its children the host's /proc, where
/proc/self names a student process's pid in the host's namespace (a counter every process of the machine
moves, and an earlier student too): hidden the same way, the mount namespace owned by the user namespace of
the worker's own (privileges.own_user_namespace, made by pid_namespace.start), where it holds CAP_SYS_ADMIN.
The root fallback's private root has no /proc. Where the mount cannot be had, the worker carries a note
saying so (as where no PID namespace can be made) instead of refusing to grade.
"""

from __future__ import annotations

import os

from . import proc_stat
from .libc import MS_NODEV, MS_NOEXEC, MS_NOSUID, MS_RDONLY, ConfineError, call, own_mount_namespace

PROC = "/proc"


def hide() -> str | None:
    """Keep a descriptor of /proc for proc_stat, then hide the path from every process forked after this.
    None when done; else the note saying why not (no mount namespace or mount to be had: /proc/self then
    names a student process's pid here, the channel left open where no PID namespace can be made)."""
    fd = os.open(PROC, os.O_PATH | os.O_DIRECTORY | os.O_CLOEXEC)
    try:
        # private first: a mount over a shared /proc would show in every namespace of its peer group
        own_mount_namespace(PROC.encode())
        flags = MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC
        call("mount", b"none", PROC.encode(), b"tmpfs", flags, b"size=4k,nr_inodes=1,mode=0")
    except ConfineError as err:
        os.close(fd)
        return (
            f"{PROC} is not hidden from student processes ({err}): its /proc/self names a student "
            "process's pid in its worker's namespace, a channel between students (docs/SANDBOX.md)"
        )
    proc_stat.use_dir(fd)
    return None
