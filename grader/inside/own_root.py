"""The private root of a worker started by an ordinary user (rlimits-unprivileged): rootfs.py's, the one the
root fallback builds, here in a mount namespace of the worker's user namespace of its own (where it holds
CAP_SYS_ADMIN and maps its own ids: privileges.own_user_namespace).

Landlock keeps a student process from opening or listing what it was not granted, but it guards no `stat`:
on the host's file system a student process could tell whether any path exists, its size and its write time
(sample stat_host_marker.py: another student's report in a TA's batch, or their submission, wherever its path
can be guessed). In the private root such a path is simply absent (ENOENT): the system's folders, the
runtime read-only, the worker's size-capped scratch (its owner's alone) and nothing else; no /proc either,
of which the worker keeps a descriptor (proc_stat.py), as proc_view.hide does.
"""

from __future__ import annotations

import os
from collections.abc import Iterable

from . import proc_stat, rootfs
from .libc import CLONE_NEWNS, ConfineError, call

NO_PRIVATE_ROOT = (
    "no private root here ({}): a student process may stat any path of the host (Landlock guards no stat), "
    "which tells whether another student's file exists, its size and its write time (docs/SANDBOX.md, \"A "
    "private root for an ordinary user's worker\")"
)


def enter(keep: Iterable[str], scratch: str, quota_mib: int | None) -> str | None:
    """Make rootfs.plan's root this worker's `/` (`keep`: the paths it must still read; `scratch`: its
    scratch, made a tmpfs of `quota_mib` MiB, the pool's, else rootfs.SCRATCH_QUOTA_MIB). None when done;
    else the note saying why not (nothing changed for the worker but a mount namespace of its own: today's
    view of the host). A failure after the switch raises ConfineError, as rootfs.enter does: the worker
    must not start."""
    try:
        call("unshare", CLONE_NEWNS)
        proc = os.open("/proc", os.O_PATH | os.O_DIRECTORY | os.O_CLOEXEC)  # none mounted: no private root
    except (ConfineError, OSError) as err:
        return NO_PRIVATE_ROOT.format(err)
    owner, group = os.getuid(), os.getgid()  # mapped to themselves in this user namespace (or not: refused)
    try:
        mib = quota_mib or rootfs.SCRATCH_QUOTA_MIB
        rootfs.enter(rootfs.plan(keep, scratch, mib, owner=owner, group=group), scratch)
    except BaseException as err:
        os.close(proc)
        if isinstance(err, rootfs.RootNotBuilt):
            return NO_PRIVATE_ROOT.format(err)
        raise
    proc_stat.use_dir(proc)
    return None
