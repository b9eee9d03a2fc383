"""/proc hidden from every process a bubblewrap worker forks, read by the worker through its descriptor
(grader/inside/proc_view.py); and a note, not a crash, where the mount cannot be had. Each runs in a
subprocess: the mount namespace is that process's own, its /proc made private before the mount."""

from __future__ import annotations

import ast
import os
import subprocess
import sys

import pytest

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
# Hides /proc, forks a child that names its own pid through /proc/self and sleeps; the parent reads the
# child's thread count through the kept descriptor and by path, then prints the note, what the child read
# and the two counts.
SCRIPT = """
import os, sys, time
from grader.inside import proc_stat, proc_view
if sys.argv[1:] == ["nobody"]:  # the control: no capability left to make a mount namespace with
    os.setgroups([])
    os.setresgid(65534, 65534, 65534)
    os.setresuid(65534, 65534, 65534)
note = proc_view.hide()
r, w = os.pipe()
pid = os.fork()
if pid == 0:
    try:
        said = os.readlink("/proc/self")
    except OSError as err:
        said = type(err).__name__
    os.write(w, said.encode())
    time.sleep(5)
    os._exit(0)
said = os.read(r, 100).decode()
through_fd = proc_stat.number(pid, proc_stat.THREADS)
try:
    by_path = open(f"/proc/{pid}/stat").read() and "read"
except OSError as err:
    by_path = type(err).__name__
os.kill(pid, 9)
os.waitpid(pid, 0)
print(repr((note, said, through_fd, by_path)))
"""


def _run(as_nobody: bool, script: str = SCRIPT) -> tuple[object, ...]:
    out = subprocess.run(
        [sys.executable, "-c", script, *(["nobody"] if as_nobody else [])],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": REPO},
    )
    assert out.returncode == 0, out.stderr
    return ast.literal_eval(out.stdout)


@pytest.mark.skipif(os.geteuid() != 0, reason="mounting in a mount namespace of its own needs CAP_SYS_ADMIN")
def test_a_child_finds_nothing_at_proc_and_the_worker_still_reads_its_stat() -> None:
    """Hidden: the child's readlink of /proc/self names no pid (root passes the empty mount's mode 0 and
    finds nothing; a student process is refused), the parent's path read fails too, and the parent's read
    through the descriptor gives the child's one thread."""
    note, said, through_fd, by_path = _run(as_nobody=False)
    assert note is None
    assert said in ("FileNotFoundError", "PermissionError") and by_path in (
        "FileNotFoundError",
        "PermissionError",
    )
    assert through_fd == 1


@pytest.mark.skipif(os.geteuid() != 0, reason="the control drops from root to nobody")
def test_where_no_mount_can_be_had_a_note_says_so_and_proc_stays() -> None:
    """Control: without CAP_SYS_ADMIN hide() returns a note naming /proc, and the child names its pid through
    /proc/self as before (what the worker's note warns of)."""
    note, said, through_fd, by_path = _run(as_nobody=True)
    assert isinstance(note, str) and "/proc is not hidden" in note
    assert said.isdigit() and by_path == "read" and through_fd == 1


# Makes a mount namespace of its own whose mounts are shared (as a systemd host's /), forks a child that
# hides /proc, then prints whether this process still reads its own /proc/self.
SHARED_SCRIPT = """
import os
from grader.inside import libc, proc_view
MS_SHARED = 1 << 20
libc.call("unshare", libc.CLONE_NEWNS)
libc.call("mount", b"none", b"/", None, libc.MS_REC | MS_SHARED, None)
pid = os.fork()
if pid == 0:
    os._exit(0 if proc_view.hide() is None else 3)
_, status = os.waitpid(pid, 0)
print(repr((os.waitstatus_to_exitcode(status), os.path.exists("/proc/self/stat"))))
"""


@pytest.mark.skipif(os.geteuid() != 0, reason="making a shared mount namespace needs CAP_SYS_ADMIN")
def test_on_a_shared_root_the_mount_over_proc_stays_in_the_worker_namespace() -> None:
    """Where /proc is a shared mount (a systemd host, a test run as root there), the worker's tmpfs over
    /proc must not propagate to the namespace it came from: hide() makes /proc private first, so the
    parent (standing for the host) still reads its /proc/self. (Without that step the child's mount covered
    the parent's /proc too.)"""
    assert _run(as_nobody=False, script=SHARED_SCRIPT) == (0, True)
