"""Confinement primitives, each exercised in a throwaway subprocess (never in the pytest process)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

import pytest

from grader.inside import confine

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))


def _run(body: str, tmp_path) -> dict:
    script = "import json, os, sys\nfrom grader.inside import confine\n" + textwrap.dedent(body)
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=tmp_path, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


FORK_AND_SIGNAL = """
def attempt(f):
    try:
        f()
        return "ok"
    except OSError as e:
        return e.errno
def fork():
    pid = os.fork()
    if pid == 0:
        os._exit(0)
    os.waitpid(pid, 0)
def unshare():
    import ctypes
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.unshare(0x10000000) != 0:
        raise OSError(ctypes.get_errno(), "unshare")
import socket
out = {}
{apply}
out["fork"] = attempt(fork)
out["kill_parent"] = attempt(lambda: os.kill(os.getppid(), 0))
out["kill_self"] = attempt(lambda: os.kill(os.getpid(), 0))
out["inet"] = attempt(lambda: socket.socket(socket.AF_INET6).close())
out["unix"] = attempt(lambda: socket.socket(socket.AF_UNIX).close())
out["unshare"] = attempt(unshare)
import threading
box = []
t = threading.Thread(target=lambda: box.append(1)); t.start(); t.join()
out["thread"] = box == [1]
print(json.dumps(out))
"""


@pytest.mark.skipif(not confine.seccomp_supported(), reason="no seccomp table for this architecture")
def test_seccomp_blocks_fork_signals_inet_but_not_threads(tmp_path) -> None:
    """With the filter: fork, kill(parent), AF_INET6, unshare get EPERM; threads, self-kill, AF_UNIX work."""
    out = _run(FORK_AND_SIGNAL.replace("{apply}", "confine.apply_seccomp(os.getpid())"), tmp_path)
    assert out == {"fork": 1, "kill_parent": 1, "kill_self": "ok", "inet": 1, "unix": "ok", "unshare": 1,
                   "thread": True}  # fmt: skip


def test_without_seccomp_the_same_probes_succeed(tmp_path) -> None:
    """Negative control: without the filter, fork, kill(parent, 0) and AF_INET6 all work."""
    out = _run(FORK_AND_SIGNAL.replace("{apply}", ""), tmp_path)
    assert out["fork"] == "ok" and out["kill_parent"] == "ok" and out["inet"] == "ok"


def test_seccomp_program_checks_the_architecture() -> None:
    """The filter starts by loading the audit arch and kills on a mismatch (first jump's false branch)."""
    program = confine.seccomp_program(1234, "x86_64")
    assert len(program) % 8 == 0
    first_load = int.from_bytes(program[4:8], "little")
    assert program[0] == 0x20 and first_load == 4  # BPF_LD|W|ABS of seccomp_data.arch


LANDLOCK = """
confine.apply_landlock(confine.landlock_abi(), confine.runtime_read_paths(), [os.getcwd()])
def attempt(f):
    try:
        f()
        return "ok"
    except OSError as e:
        return e.errno
def write_here():
    open("here.txt", "w").write("x")
out = {
    "repo": attempt(lambda: os.listdir(REPO)),
    "etc_passwd": attempt(lambda: open("/etc/passwd").read()),
    "write_here": attempt(write_here),
    "write_tmp": attempt(lambda: open("/tmp/landlock-escape", "w")),
    "stdlib": attempt(lambda: __import__("fractions")),
}
print(json.dumps(out))
"""


@pytest.mark.skipif(confine.landlock_abi() == 0, reason="Landlock is not available in this kernel")
def test_landlock_leaves_only_runtime_and_own_dir(tmp_path) -> None:
    """Under Landlock the repo and /etc/passwd are unreadable, /tmp unwritable; own dir and stdlib work."""
    out = _run(f"REPO = {REPO!r}\n" + LANDLOCK, tmp_path)
    assert out == {"repo": 13, "etc_passwd": 13, "write_here": "ok", "write_tmp": 13, "stdlib": "ok"}


def test_rlimits_are_set(tmp_path) -> None:
    """set_rlimits puts CPU soft/hard at limit/limit+1, AS at memory_mib, CORE at 0."""
    out = _run(
        """
        import resource
        confine.set_rlimits({"cpu_seconds": 3, "memory_mib": 300, "output_kib": 4})
        print(json.dumps({n: resource.getrlimit(getattr(resource, n)) for n in ("RLIMIT_CPU", "RLIMIT_AS",
              "RLIMIT_CORE", "RLIMIT_NOFILE")}))
        """,
        tmp_path,
    )
    assert out == {"RLIMIT_CPU": [3, 4], "RLIMIT_AS": [300 << 20, 300 << 20], "RLIMIT_CORE": [0, 0],
                   "RLIMIT_NOFILE": [confine.NOFILE_LIMIT, confine.NOFILE_LIMIT]}  # fmt: skip


@pytest.mark.parametrize("bad", ["/etc/passwd", "../up.py", "a//b.py", "", "a/./b.py"])
def test_unsafe_relative_paths_are_refused(bad: str) -> None:
    """File names that could leave the child's directory are refused before anything is written."""
    with pytest.raises(confine.ConfineError):
        confine.safe_relpath(bad)


def test_safe_relative_path_is_kept() -> None:
    """Negative control: an ordinary nested path passes."""
    assert confine.safe_relpath("common/functions.py") == os.path.join("common", "functions.py")
