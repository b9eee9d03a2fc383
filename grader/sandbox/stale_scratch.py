"""The fallback pools' scratch folders, named after the process that made them, and the sweep of those whose
process is gone.

A pool removes its scratch when it closes; a grader killed (kill -9, the machine's OOM killer, a CI time-out)
left /tmp/grader-sandbox-*/ behind, with its workers' folders, for good. The name says whose it is: the PID
namespace, the pid and the pid's start time (a pid alone is reused), so a later pool removes only folders of
its own user whose maker, in its own PID namespace, no longer runs; a pool of another PID namespace sharing
/tmp (a container's) is never taken for dead.

Graders of older versions named the folder as tempfile.mkdtemp does (`grader-sandbox-` and 8 random
characters), which says nothing of its maker. Such a folder is taken for dead only when nothing shows it in
use: no process this one can see has its working directory, its root or an open file below it, or names it in
its arguments (a live pool's workers work in it, their argv names its pylib/), and nothing in it or at its top
changed for QUIET_SECONDS (a pool between two workers still starts jobs, each making a folder in its worker's
work*/). "Can see" must be every process: an idle pool of another PID namespace (a grader in a container
sharing /tmp) changes nothing for hours, and its processes are invisible from a sibling namespace, so its
live scratch was removed under it. Only a sweep from the initial PID namespace, which sees every process of
every namespace, takes such a folder for dead; a process is matched by the folder's own name in its paths,
which a process of another mount namespace shows as they are there.

A live pool also holds a shared flock on its scratch for its life (`hold`), which crosses PID namespaces:
the sweep takes the lock exclusively before it removes a folder, and never removes one whose lock is held.

Since session 38 whose it is goes in a file at its top (OWNER_FILE, `make`), not in its name: a student
process works in a folder below the scratch, and its path (`os.getcwd()`, a module's `__file__`) showed the
host's PID namespace inode, the grader's pid and its start time. The name is now PREFIX, "o" and 12 random
hex digits (scratch.make's); the file, the pool's user's alone (0600), sits beside folders no student process
may list (the scratch is 0710 as root; Landlock reads only pylib/ and the runtime below it), of one length
whatever its numbers. Folders named after their maker (graders of sessions 26 to 37) are swept as before.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import re
import stat
import tempfile
import time

from grader.inside import proc_stat, scratch

PREFIX = "grader-sandbox-"
OWNER_FILE = "owner"
_OWNED = re.compile(rf"{PREFIX}o[0-9a-f]{{12}}")  # `make`'s names: whose it is in OWNER_FILE
_OWNER = re.compile(rb"(\d{20})\.(\d{20})\.(\d{20})\n")  # fixed width: its size tells nothing
_NAME = re.compile(rf"{PREFIX}(\d+)\.(\d+)\.(\d+)-")  # named after its maker (sessions 26 to 37)
_OLD_NAME = re.compile(rf"{PREFIX}[a-z0-9_]{{8}}")  # tempfile.mkdtemp's names: its characters, 8 of them
QUIET_SECONDS = 3600
INITIAL_PID_NAMESPACE = 0xEFFFFFFC  # the kernel's PROC_PID_INIT_INO: the namespace every other one is under


def _start_time(pid: int) -> int | None:
    """The process's start time, None if it is gone."""
    return proc_stat.number(pid, proc_stat.START_TIME)


def _pid_namespace() -> int:
    return os.stat("/proc/self/ns/pid").st_ino


def _owner() -> tuple[int, int, int]:
    """This process: its PID namespace, its pid and the pid's start time."""
    pid = os.getpid()
    return _pid_namespace(), pid, _start_time(pid) or 0


def make(directory: str | None = None) -> str:
    """A new scratch folder in `directory` (the temporary one), this user's alone (0700), named at random,
    with whose it is in its OWNER_FILE (written before anything else is in it)."""
    directory = directory or tempfile.gettempdir()
    named = scratch.make(directory, f"{PREFIX}o")
    text = ".".join(f"{n:020d}" for n in _owner()) + "\n"
    fd = os.open(os.path.join(named, OWNER_FILE), os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o600)
    try:
        os.write(fd, text.encode())
    finally:
        os.close(fd)
    return named


def hold(path: str) -> int | None:
    """A descriptor holding a shared lock on the folder `path` (a live pool's scratch) until it is closed: a
    sweep of any PID namespace leaves the folder alone (not inherited by the workers: os.open's default).
    None where the file system has no locks (NFS mounted `nolock`: ENOLCK): the folder's name, whose maker
    runs, still keeps it from the sweeps of its own PID namespace; the pool runs as before the lock."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    except OSError:
        return None
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except OSError:
        os.close(fd)
        return None
    return fd


def _sees_every_process() -> bool:
    return _pid_namespace() == INITIAL_PID_NAMESPACE


def remove_stale(directory: str | None = None) -> list[str]:
    """Remove every scratch folder of `directory` (the temporary one), if this user's, whose maker is gone:
    named by owner_prefix() after a process that no longer runs, or of the older unnamed form and unused
    (module docstring); the paths removed."""
    directory = directory or tempfile.gettempdir()
    try:
        namespace, names = _pid_namespace(), os.listdir(directory)
    except OSError:
        return []
    owned = _own_folders(directory, list(filter(_OWNED.fullmatch, names)))
    makers = {path: _maker_of(path) for path in owned}
    dead = [path for path, maker in makers.items() if maker is not None and _is_gone(maker, namespace)]
    dead += _own_folders(directory, [name for name in names if _maker_is_gone(name, namespace)])
    # the older unnamed form, and a folder of `make`'s whose owner cannot be read (its pool killed between
    # the folder and the file): unused and quiet
    unowned = [path for path, maker in makers.items() if maker is None]
    old_form = _own_folders(directory, list(filter(_OLD_NAME.fullmatch, names))) + unowned
    old_form = [p for p in old_form if _quiet(p)]
    if old_form and _sees_every_process():
        uses = _visible_uses()
        for path in old_form:
            # its name as a component of a process's path: however TMPDIR or the process's root names it
            mention = f"/{os.path.basename(path)}"
            if not any(mention in f"{use}/" for use in uses):
                dead.append(path)
    return [path for path in dead if _removed_unlocked(path)]


def _removed_unlocked(path: str) -> bool:
    """Remove `path` unless a live pool holds its lock (hold), holding the lock exclusively meanwhile."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW)
    except OSError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:  # a live pool's, of whatever PID namespace
        os.close(fd)
        return False
    try:
        return scratch.remove(path)  # without recursion: a killed job's student files may be a deep chain
    finally:
        os.close(fd)


def _maker_of(path: str) -> tuple[int, int, int] | None:
    """Whose a folder of `make`'s is (PID namespace, pid, start time), from its OWNER_FILE; None unread."""
    try:
        fd = os.open(os.path.join(path, OWNER_FILE), os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
    except OSError:
        return None
    try:
        found = _OWNER.fullmatch(os.read(fd, 128))
    except OSError:
        return None
    finally:
        os.close(fd)
    return None if found is None else (int(found.group(1)), int(found.group(2)), int(found.group(3)))


def _is_gone(maker: tuple[int, int, int], namespace: int) -> bool:
    their_namespace, pid, start = maker
    return their_namespace == namespace and _start_time(pid) != start  # not its pool, if running


def _maker_is_gone(name: str, namespace: int) -> bool:
    found = _NAME.match(name)
    if found is None:
        return False
    return _is_gone((int(found.group(1)), int(found.group(2)), int(found.group(3))), namespace)


def _own_folders(directory: str, names: list[str]) -> list[str]:
    """The paths of `names` that are directories (never a symlink) of this user's."""
    paths = []
    for name in names:
        path = os.path.join(directory, name)
        try:
            st = os.lstat(path)
        except OSError:
            continue
        if stat.S_ISDIR(st.st_mode) and st.st_uid == os.geteuid():
            paths.append(path)
    return paths


def _quiet(path: str) -> bool:
    """Nothing at the top of `path` or in it changed for QUIET_SECONDS."""
    newest = 0.0
    try:
        newest = os.lstat(path).st_mtime
        with os.scandir(path) as entries:
            for entry in entries:
                newest = max(newest, entry.stat(follow_symlinks=False).st_mtime)
    except OSError:
        return False
    return time.time() - newest > QUIET_SECONDS


def _visible_uses() -> list[str]:
    """Every path a process seen in /proc works in, is rooted at, holds open or names in its arguments."""
    uses = []
    for pid in filter(str.isdigit, _listdir("/proc")):
        proc = f"/proc/{pid}"
        links = [f"{proc}/cwd", f"{proc}/root", *(f"{proc}/fd/{fd}" for fd in _listdir(f"{proc}/fd"))]
        for link in links:
            with contextlib.suppress(OSError):
                uses.append(os.readlink(link))
        with contextlib.suppress(OSError), open(f"{proc}/cmdline", "rb") as f:
            uses += f.read().decode(errors="replace").split("\0")
    return uses


def _listdir(path: str) -> list[str]:
    try:
        return os.listdir(path)
    except OSError:
        return []
