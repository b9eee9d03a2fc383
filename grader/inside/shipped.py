"""The submission's files as the worker wrote them: the only files the student's process imports or %runs.

The parent's static scan (grader/flags/) reads the files of the job, and staff read what it flags; a file the
submission writes while it runs was never scanned. A module built from base64 text at run time, written
into the submission's folder and imported (or %run by a notebook, or put on sys.path as a zip, or compiled
into the loader's own pyc cache beside a harmless source) ran code nobody saw: full marks and no flag
(sample submissions/hostile/runtime_written_module.py). So, before any of the submission's code runs, the
student's process notes every file under its folder (the submission's, the assignment's support files, the
parent's pycs) by inode, size and change time; a file imported or %run later must still be that file. A
write, a rename over it or a new file changes the change time, which no call the sandbox allows can set
back (utime is refused, and the kernel sets ctime itself). That a rewrite right after the snapshot gets a
later ctime rests on the kernel's multigrain timestamps (Linux 6.13 on, tmpfs among others: a change after
a stat that read the time is stamped finely; measured here, kernel 6.18, 0 of 2,000 rewrites straight
after a stat kept it); an older kernel stamps to the jiffy, and a same-size rewrite within one tick of the
snapshot would pass (not covered there). Files are read first and checked after, so a thread that
rewrites one while it is read is caught too. Reading, writing and loading data files is untouched: only
code is refused.

The state here is the student process's (reachable from a traceback or a closure: a bar); audit.py freezes
the keys into an audit hook that makes the same decision out of that process's reach.

Costs one `stat` per file of the job when the load starts (a walk of a handful of files), then per file
imported or run one `fstat` of the file opened and a set lookup (a file as handed in is known by its key:
device and inode name one file, and its size and change time say it is unchanged; no path is resolved).
Only a file whose key is not in the set is resolved (`realpath`) to tell one outside every root (not ours
to judge) from one written under it. Measured (timeit, a 4-byte module 4 folders below /tmp): `read` 23 us
and `check` 17 us with a realpath each (twice per import: the source and the pyc beside it), 7.5 us and
2 us now. Standard library only (runs in the student's process, before the submission's code).
"""

from __future__ import annotations

import contextlib
import os

# (device, inode, size, change time in ns) of each file under a root at the snapshot
_KEYS: set[tuple[int, int, int, int]] = set()
_ROOTS: set[str] = set()


class NotShipped(ImportError):
    """A file imported or run that was written (or changed) after the submission was handed in."""


def _key(st: os.stat_result) -> tuple[int, int, int, int]:
    return (st.st_dev, st.st_ino, st.st_size, st.st_ctime_ns)


def handed_in(st: os.stat_result) -> bool:
    """The file `st` describes is one of a root's as handed in (unchanged since the snapshot)."""
    return _key(st) in _KEYS


def snapshot(root: str) -> None:
    """Note every file under `root` as handed in; once per root (the first call, before student code)."""
    root = os.path.realpath(root)
    if root in _ROOTS:
        return
    _ROOTS.add(root)
    for dirpath, _dirs, filenames in os.walk(root):
        for name in filenames:
            path = os.path.join(dirpath, name)
            try:
                st = os.stat(path, follow_symlinks=False)
            except OSError:
                continue
            _KEYS.add(_key(st))


def grant(path: str) -> None:
    """Note one file the grader wrote outside every root as it is now (the job's served stand-in files,
    read-only to the student process: standins.serve), before student code."""
    with contextlib.suppress(OSError):
        _KEYS.add(_key(os.stat(path, follow_symlinks=False)))


def _watched(path: str) -> str | None:
    """`path` resolved, when it lies under a root snapshotted (else None: not the submission's)."""
    full = os.path.realpath(path)
    return full if any(full.startswith(root + os.sep) for root in _ROOTS) else None


def _refused(full: str) -> NotShipped:
    root = next(r for r in _ROOTS if full.startswith(r + os.sep))
    rel = os.path.relpath(full, root)
    return NotShipped(
        f"{rel} was changed or created while the submission ran; only files as handed in are imported or run",
        path=full,
    )


def unchanged(path: str) -> bool:
    """Whether `path` is a file as handed in (True for a path outside every root: not ours to judge)."""
    try:
        if _key(os.stat(path)) in _KEYS:
            return True
    except OSError:
        pass
    return _watched(path) is None


def read(path: str) -> bytes:
    """The bytes of `path`, raising NotShipped when it is under a root and not as handed in (read first,
    checked after: a rewrite during the read changes the change time)."""
    with open(path, "rb") as fh:
        data = fh.read()
        if _key(os.fstat(fh.fileno())) in _KEYS:
            return data
    full = _watched(path)
    if full is not None:
        raise _refused(full)
    return data


def check(path: str) -> None:
    """Raise NotShipped unless `path` is as handed in (or outside every root)."""
    if not unchanged(path):
        raise _refused(os.path.realpath(path))
