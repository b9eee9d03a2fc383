"""The fallback pools' scratch folders, named after the process that made them, and the sweep of those whose
process is gone.

A pool removes its scratch when it closes; a grader killed (kill -9, the machine's OOM killer, a CI time-out)
left /tmp/grader-sandbox-*/ behind, with its workers' folders, for good. The name says whose it is: the PID
namespace, the pid and the pid's start time (a pid alone is reused), so a later pool removes only folders of
its own user whose maker, in its own PID namespace, no longer runs; a pool of another PID namespace sharing
/tmp (a container's) is never taken for dead.
"""

from __future__ import annotations

import os
import re
import stat
import tempfile

from grader.inside import proc_stat, scratch

PREFIX = "grader-sandbox-"
_NAME = re.compile(rf"{PREFIX}(\d+)\.(\d+)\.(\d+)-")


def _start_time(pid: int) -> int | None:
    """The process's start time, None if it is gone."""
    return proc_stat.number(pid, proc_stat.START_TIME)


def _pid_namespace() -> int:
    return os.stat("/proc/self/ns/pid").st_ino


def owner_prefix() -> str:
    """The prefix of a scratch folder this process makes: PREFIX, then whose it is."""
    pid = os.getpid()
    return f"{PREFIX}{_pid_namespace()}.{pid}.{_start_time(pid)}-"


def remove_stale(directory: str | None = None) -> list[str]:
    """Remove every scratch folder of `directory` (the temporary one) named by owner_prefix() whose maker is
    gone, if this user's; the paths removed."""
    directory = directory or tempfile.gettempdir()
    try:
        namespace, names = _pid_namespace(), os.listdir(directory)
    except OSError:
        return []
    removed = []
    for name in names:
        found = _NAME.match(name)
        if found is None or int(found.group(1)) != namespace:
            continue
        pid, started = int(found.group(2)), int(found.group(3))
        if _start_time(pid) == started:
            continue  # its pool is running
        path = os.path.join(directory, name)
        try:
            st = os.lstat(path)
        except OSError:
            continue
        if stat.S_ISDIR(st.st_mode) and st.st_uid == os.geteuid():
            scratch.remove(path)  # without recursion: a killed job's student files may be a deep chain
            removed.append(path)
    return removed
