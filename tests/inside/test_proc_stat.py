"""/proc/PID/stat read past a command name that holds spaces and parentheses: one reader for the worker's
thread count and the scratch sweep's start time."""

from __future__ import annotations

import os
import subprocess
import sys

from grader.inside import proc_stat, worker
from grader.sandbox import stale_scratch

# The child reads its own stat while its name is still plain (the naive whitespace split is right then),
# starts two threads, renames itself `a) (b`, and reports: start time (field 22) and its thread count.
CHILD = """
import os, sys, threading
plain = open("/proc/self/stat").read().split()
stop = threading.Event()
for _ in range(2):
    threading.Thread(target=stop.wait, daemon=True).start()
with open("/proc/self/comm", "w") as f:
    f.write("a) (b")
print(plain[21], threading.active_count(), flush=True)
sys.stdin.read()
"""


def test_a_name_with_spaces_and_parentheses_is_read_past() -> None:
    """A line whose name is `a) (b` yields the fields after the name; control: cutting at the first ")"
    leaves ` (b)` among the fields and shifts every position."""
    line = b"4242 (a) (b) S " + b" ".join(str(n).encode() for n in range(4, 53))  # field n holds n
    fields = proc_stat.after_name(line)
    assert fields[0] == b"S" and fields[proc_stat.THREADS] == b"20" and fields[proc_stat.START_TIME] == b"22"
    first_paren = line[line.index(b")") + 2 :].split()
    assert first_paren[proc_stat.START_TIME] != b"22"


def test_the_worker_and_the_sweep_read_a_live_process_so_named() -> None:
    """A live process named `a) (b` with three threads: the worker counts 3, the sweep reads the start time
    the process read itself before its renaming."""
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    try:
        assert child.stdout is not None
        started, threads = child.stdout.readline().split()
        with open(f"/proc/{child.pid}/comm") as f:
            assert f.read() == "a) (b\n"
        assert worker._thread_count(child.pid) == int(threads) == 3
        assert stale_scratch._start_time(child.pid) == int(started)
    finally:
        child.kill()
        child.communicate()
    assert proc_stat.number(child.pid, proc_stat.START_TIME) is None


def test_once_given_a_directory_the_reader_reads_through_it_not_the_path(tmp_path, monkeypatch) -> None:
    """After `use_dir` (the bubblewrap worker hides /proc's path from its children, proc_view.py), the
    worker's reads go through the descriptor: a directory holding a made-up `PID/stat` is what is read,
    and the real /proc through its descriptor reads what its path reads."""
    fake = tmp_path / str(os.getpid())
    fake.mkdir()
    (fake / "stat").write_bytes(b"1 (x) S " + b" ".join(b"7" for _ in range(50)))
    fd = os.open(tmp_path, os.O_PATH | os.O_DIRECTORY)
    monkeypatch.setattr(proc_stat, "_dir_fd", None)
    try:
        proc_stat.use_dir(fd)
        assert proc_stat.number(os.getpid(), proc_stat.THREADS) == 7
    finally:
        os.close(fd)
    monkeypatch.setattr(proc_stat, "_dir_fd", None)
    by_path = proc_stat.number(os.getpid(), proc_stat.THREADS)
    real = os.open("/proc", os.O_PATH | os.O_DIRECTORY)
    try:
        proc_stat.use_dir(real)
        assert proc_stat.number(os.getpid(), proc_stat.THREADS) == by_path != 7
    finally:
        os.close(real)
