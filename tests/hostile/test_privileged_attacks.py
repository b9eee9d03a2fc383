"""The privileged attacks of the fallback mode run as root (issue 9: finding 3, the SysV part of 4): what the
generic containment test cannot see, and negative controls proving each sample does breach when unconfined.

Nothing here runs student code in this process: samples are graded through the sandbox, or run by a plain
`python` subprocess for the controls.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hostile_harness import (
    BREACH,
    HOSTILE_DIR,
    REPO,
    Bait,
    grade,
    honest_twin,
    remove_host_sysv_objects,
)

BAIT_SAMPLES = ("chmod_chown_marker.py", "unix_socket_service.py", "fanotify_watch.py")
root_only = pytest.mark.skipif(os.geteuid() != 0, reason="only root has the capabilities these samples probe")


@pytest.fixture
def clean_sysv() -> Iterator[None]:
    remove_host_sysv_objects()
    yield
    remove_host_sysv_objects()


def _breaches(text: str) -> list[str]:
    return [line for line in text.splitlines() if BREACH in line]


def test_bait_outside_the_sandbox_is_untouched(pool: Any, miniflow_plan: Any, bait: Bait) -> None:
    """After the marker, socket and file-watch samples: the marker keeps its mode, owner, xattrs and text,
    and the socket service was never connected to."""
    before = bait.marker_state()
    for name in BAIT_SAMPLES:
        graded = grade(pool, miniflow_plan, HOSTILE_DIR / name)
        assert not _breaches(graded.output), (name, graded.output[:600])
    assert bait.marker_state() == before
    assert bait.connections == 0


def test_sysv_objects_never_reach_the_next_student(
    pool: Any, miniflow_plan: Any, tmp_path: Path, clean_sysv: None
) -> None:
    """The SysV sample graded twice on the same worker: the second run finds nothing of the first (no breach
    line) and scores exactly what its honest twin scores."""
    _, second, twin = _twice_then_twin(pool, miniflow_plan, tmp_path, "sysv_ipc_share.py")
    assert second.report.score == twin.report.score < twin.report.max_score


def test_the_pid_counter_carries_no_bit_to_the_next_student(
    pool: Any, miniflow_plan: Any, tmp_path: Path
) -> None:
    """The pid-counter sample graded twice on the same worker: the first leaves a bit in the counter (threads
    until the next pid is a multiple of 50), the second scores correct math only if it reads it. Each student
    process is pid 2 of a namespace of its own: no breach line, and the second scores exactly its honest
    twin's starter score. (Without the fix, under bubblewrap: the second read pid 100 and scored 43 / 43;
    the exact control is tests/inside/test_pid_namespace.py's.)"""
    first, second, twin = _twice_then_twin(pool, miniflow_plan, tmp_path, "pid_counter_pair.py")
    assert first.report.score == second.report.score == twin.report.score < twin.report.max_score


def test_the_pid_counter_is_not_read_through_proc_either(
    pool: Any, miniflow_plan: Any, tmp_path: Path
) -> None:
    """The same bit read from the pid /proc/self names (the worker's namespace counts there, and Landlock
    guards no readlink or stat): graded twice on one worker, no breach line, and the second scores exactly
    its honest twin's starter score. (Before proc_view.hide, under bubblewrap: /proc/self read 9 in the
    first, and the second read the bit the first left.)"""
    first, second, twin = _twice_then_twin(pool, miniflow_plan, tmp_path, "proc_self_pid_counter.py")
    assert first.report.score == second.report.score == twin.report.score < twin.report.max_score


def test_the_inode_counter_carries_no_bit_to_the_next_student(
    pool: Any, miniflow_plan: Any, tmp_path: Path
) -> None:
    """The inode-counter sample graded twice on one worker: each run leaves its folder's next inode number
    500 past a multiple of 1,000 and scores correct math only if its first file's number is in 500..599.
    Contained: no breach line and the second scoring exactly its honest twin's starter score, each student
    process's folder being a tmpfs of its own (folder_mounts.make_mounted), numbered from 1. (On the worker's
    one shared scratch, before: the second read 1504, and each job's later phase read 504 from its earlier
    one.) In the root fallback's private root the worker mounts it in a mount namespace of its user namespace
    of its own (folder_mounts.own_mount_namespace; before, a strict xfail there), and so does an ordinary
    user's (rlimits-unprivileged, in proc_view.hide's; before, an xfail, strict where the host's temporary
    folder is a tmpfs: run as uid 1001 with TMPDIR=/dev/shm, the second run read the first's bit)."""
    first, second, twin = _twice_then_twin(pool, miniflow_plan, tmp_path, "inode_counter_pair.py")
    assert first.report.score == second.report.score == twin.report.score < twin.report.max_score


def _twice_then_twin(pool: Any, plan: Any, tmp_path: Path, name: str) -> tuple[Any, Any, Any]:
    """The sample graded twice in turn on the same worker (neither printing a breach line), then its honest
    twin: the three graded runs."""
    first = grade(pool, plan, HOSTILE_DIR / name)
    second = grade(pool, plan, HOSTILE_DIR / name)
    assert not _breaches(first.output) and not _breaches(second.output), second.output[:600]
    twin_path = tmp_path / f"twin_{name}"
    twin_path.write_text(honest_twin((HOSTILE_DIR / name).read_text()))
    return first, second, grade(pool, plan, twin_path)


SYS_ADMIN = 1 << 21  # the one capability a worker and its maker keep (grader/inside/pid_namespace.py)
SETTLED_CAP_SETS = ("CapInh", "CapPrm", "CapEff", "CapAmb")


def _descendants(roots: set[int]) -> dict[int, dict[str, str]]:
    """The `roots` (the pool's worker processes: bubblewrap, or the worker itself) and every descendant of
    theirs, each with its /proc status and its count of open descriptors, read from outside. Only the pool's:
    a whole test session leaves other processes of its own beside it (a multiprocessing resource tracker, a
    Dask nanny, another module's pool), running as root in CI with every capability. Run by an ordinary
    user, the descriptors of a process that is not dumpable cannot be listed: its count reads "?"."""
    children: dict[int, list[int]] = {}
    statuses: dict[int, dict[str, str]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                text = Path(f"/proc/{entry}/status").read_text()
            except OSError:
                continue
            try:
                fds = str(len(os.listdir(f"/proc/{entry}/fd")))
            except OSError:
                fds = "?"
            status = {**dict(line.split(":\t", 1) for line in text.splitlines() if ":\t" in line), "fds": fds}
            statuses[int(entry)] = status
            children.setdefault(int(status["PPid"]), []).append(int(entry))
    found = {pid: statuses[pid] for pid in roots if pid in statuses}
    stack = list(found)
    while stack:
        for child in children.get(stack.pop(), []):
            found[child] = statuses[child]
            stack.append(child)
    return found


def _roles(seen: dict[int, dict[str, str]]) -> dict[str, list[dict[str, str]]]:
    """The pool's python processes by role, each in its settled state: the worker (its parent is no python
    of the pool), the harness and the student processes once filtered (seccomp 2; a student process is pid 2
    of a namespace of its own), the inits once they closed every descriptor but the maker's pipe (pid 1), and
    the PID namespaces' maker (the worker's unfiltered child that is no init)."""
    pythons = {pid: s for pid, s in seen.items() if s["Name"].startswith("python")}
    names = ("worker", "harness", "student", "init", "maker")
    roles: dict[str, list[dict[str, str]]] = {name: [] for name in names}
    workers = {pid for pid, s in pythons.items() if int(s["PPid"]) not in pythons}
    for pid, s in pythons.items():
        own_pid = s["NSpid"].split()[-1]
        if pid in workers:
            roles["worker"].append(s)
        elif s["Seccomp"] == "2":
            roles["student" if own_pid == "2" else "harness"].append(s)
        elif own_pid == "1" and s["fds"] == "1":
            roles["init"].append(s)
        elif own_pid != "1" and int(s["PPid"]) in workers:
            roles["maker"].append(s)
    return roles


def test_no_process_of_a_job_but_the_worker_and_its_maker_holds_a_capability(
    pool: Any, miniflow_plan: Any, tmp_path: Path
) -> None:
    """Read from outside while a job runs, in both modes: the harness, every student process and every
    PID namespace's init hold no capability in any set but the bounding one; the worker and the PID
    namespaces' maker hold none but CAP_SYS_ADMIN, effective and permitted (bubblewrap's, or in the worker's
    user namespace of its own). Each role is seen at least once, so the test cannot pass by seeing nothing.
    In the rlimits modes the bounding set is empty in every process (privileges.own_user_namespace); under
    bubblewrap it names CAP_SYS_ADMIN at most. Run by an ordinary user too (rlimits-unprivileged, whose
    worker maps its own ids in that namespace and mounts each student process's folder there): every
    process is that user to the kernel, never root. (Controls: without `drop_capabilities` in
    confine_harness, the bwrap harness keeps CAP_SYS_ADMIN, effective and permitted; without it in the
    student process's set-up, the student process does.)"""
    sleeper = tmp_path / "sleeper.py"
    sleeper.write_text("import time\ntime.sleep(3)\n")
    graded: list[Any] = []
    # The pool's one worker, idle between jobs: the job below runs on it (a pool of one).
    roots = {worker.proc.pid for worker in pool._idle}
    assert roots, "the pool has no idle worker to watch"
    runner = threading.Thread(target=lambda: graded.append(grade(pool, miniflow_plan, sleeper)))
    runner.start()
    seen: dict[tuple[str, str], dict[str, str]] = {}
    while runner.is_alive():
        for role, states in _roles(_descendants(roots)).items():
            for s in states:
                seen[(role, s["Pid"])] = s
        time.sleep(0.02)
    runner.join()
    assert graded, "the job never ended"
    roles = {role for role, _ in seen}
    assert roles == {"worker", "harness", "student", "init", "maker"}, sorted(roles)
    for (role, pid), s in seen.items():
        caps = {name: int(s[name], 16) for name in SETTLED_CAP_SETS}
        allowed = SYS_ADMIN if role in ("worker", "maker") else 0
        assert caps["CapInh"] == caps["CapAmb"] == 0, (role, pid, caps)
        assert caps["CapEff"] | allowed == allowed and caps["CapPrm"] | allowed == allowed, (role, pid, caps)
        bounding = SYS_ADMIN if pool.isolation == "bwrap" else 0
        assert int(s["CapBnd"], 16) | bounding == bounding, (role, pid, s["CapBnd"])
        if os.geteuid() != 0:
            assert {int(x) for x in s["Uid"].split()} == {os.geteuid()}, (role, pid, s["Uid"])


def _unconfined(name: str, cwd: Path, bait_root: Path) -> str:
    """The sample run by a plain interpreter, outside any sandbox: the negative control of its detector."""
    env = {**os.environ, "HOSTILE_BAIT_ROOT": str(bait_root)}
    argv = [sys.executable, str(HOSTILE_DIR / name)]
    done = subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.fixture
def private_bait(tmp_path: Path) -> Iterator[Bait]:
    """Bait of the control's own, so that an unconfined sample never touches the session's."""
    planted = Bait(tmp_path)
    yield planted
    planted.close()


def test_unconfined_marker_and_socket_samples_do_breach(tmp_path: Path, private_bait: Bait) -> None:
    """Negative control: unconfined, the marker sample changes the marker (it owns it, or is root) and the
    socket sample gets the service's answer."""
    before = private_bait.marker_state()
    assert _breaches(_unconfined("chmod_chown_marker.py", tmp_path, tmp_path))
    assert private_bait.marker_state() != before
    answered = _breaches(_unconfined("unix_socket_service.py", tmp_path, tmp_path))
    assert any("it said b'bait-token" in line for line in answered), answered
    assert private_bait.connections == 1


def test_unconfined_sysv_sample_reads_what_its_earlier_run_left(tmp_path: Path, clean_sysv: None) -> None:
    """Negative control: two unconfined runs share the host's SysV objects; the second reads the first's."""
    _unconfined("sysv_ipc_share.py", tmp_path, tmp_path)
    second = _breaches(_unconfined("sysv_ipc_share.py", tmp_path, tmp_path))
    assert any("another student's" in line for line in second), second


@root_only
@pytest.mark.parametrize(
    "name", ["capabilities.py", "fanotify_watch.py", "kernel_log.py", "mknod_devices.py"]
)
def test_unconfined_privileged_samples_do_breach_as_root(name: str, tmp_path: Path) -> None:
    """Negative control: run unconfined as root, each capability probe reports its breach (read-only probes:
    nothing outside the control's own directory changes)."""
    assert _breaches(_unconfined(name, tmp_path, tmp_path))


def test_unconfined_signals_pending_flood_sample_does_breach(tmp_path: Path) -> None:
    """Negative control: unconfined, with the sandbox's one BLAS thread (a BLAS thread not blocking the signal
    would take it and die of it), the sample queues its 20,000 real-time signals: the inherited
    RLIMIT_SIGPENDING allows them, no privilege needed."""
    env = {**os.environ, "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"}
    argv = [sys.executable, str(HOSTILE_DIR / "signals_pending_flood.py")]
    done = subprocess.run(argv, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "20000 real-time signals pending" in " ".join(_breaches(done.stdout)), done.stdout


def test_unconfined_rare_kernel_paths_sample_does_breach(tmp_path: Path) -> None:
    """Negative control: unconfined, with a socket at fd 3 as in the sandbox, the sample sends and asks for
    out-of-band data and takes a priority-inheritance futex (no privilege needed: any process can)."""
    ours, theirs = socket.socketpair()
    run = "import os, runpy, sys; os.dup2(int(sys.argv[1]), 3); runpy.run_path(sys.argv[2])"
    argv = [sys.executable, "-c", run, str(theirs.fileno()), str(HOSTILE_DIR / "rare_kernel_paths.py")]
    with ours, theirs:
        done = subprocess.run(
            argv, cwd=tmp_path, pass_fds=(theirs.fileno(),), capture_output=True, text=True, timeout=60
        )
    assert done.returncode == 0, done.stderr
    found = " ".join(_breaches(done.stdout))
    assert "MSG_OOB) on fd 3" in found and "recvfrom(MSG_OOB)" in found and "FUTEX_LOCK_PI" in found, found


def test_other_processes_stay_out_of_sight(pool: Any, miniflow_plan: Any, tmp_path: Path) -> None:
    """In either mode, no pid but the student's own answers sched_getaffinity and no other pid's CPU-time
    clock can be read or waited on: the sample reports no breach and scores exactly its starter twin (it
    scored 43 / 43 in both modes while the allow-list took any pid and any clock)."""
    hostile = grade(pool, miniflow_plan, HOSTILE_DIR / "other_process_clocks.py")
    assert not _breaches(hostile.output), hostile.output[:600]
    assert "sched_getaffinity of another pid refused: errno 1" in hostile.output, hostile.output[:600]
    twin_path = tmp_path / "clocks_twin.py"
    twin_path.write_text(honest_twin((HOSTILE_DIR / "other_process_clocks.py").read_text()))
    twin = grade(pool, miniflow_plan, twin_path)
    assert hostile.report.score == twin.report.score < twin.report.max_score


def test_unconfined_other_process_clocks_sample_does_breach(tmp_path: Path) -> None:
    """Negative control: unconfined, as any user, the sample finds other pids (its parent at least) and reads
    its parent's CPU-time clock."""
    found = " ".join(_breaches(_unconfined("other_process_clocks.py", tmp_path, tmp_path)))
    assert "sched_getaffinity found" in found and f"clock_gettime of pid {os.getpid()}'s" in found, found


# A correct solution that times its forward pass on its thread's CPU clock, as the Python docs show
# time.pthread_getcpuclockid (the id names the calling thread by its tid: ((~tid) << 3) | 6), and its
# process's by pid, as C code asks glibc's clock_getcpuclockid(getpid()).
_PROFILED = """
    # Forward pass, timed on this thread's and this process's CPU clocks
    clock = time.pthread_getcpuclockid(threading.get_ident())
    process = ctypes.c_int()
    if ctypes.CDLL(None).clock_getcpuclockid(os.getpid(), ctypes.byref(process)) != 0:
        raise OSError("clock_getcpuclockid(getpid()) failed")
    start = time.clock_gettime(clock), time.clock_gettime(process.value)
    for n in graph:
        n.forward()
    PROFILE.append((time.clock_gettime(clock) - start[0], time.clock_gettime(process.value) - start[1]))
"""


def test_a_correct_solution_may_read_its_own_cpu_clocks(
    pool: Any, miniflow_plan: Any, tmp_path: Path
) -> None:
    """The clock calls name the caller's own threads by tid (time.pthread_getcpuclockid) and its process by
    pid (clock_getcpuclockid(getpid())): a correct solution that times itself so scores full marks in either
    mode (18 / 43 while the filter took only the pid-0 forms: its graph cases were PermissionError)."""
    source = (REPO / "submissions/miniflow/correct.py").read_text()
    forward = "    # Forward pass\n    for n in graph:\n        n.forward()\n"
    assert source.count(forward) == 1
    source = source.replace(forward, _PROFILED).replace(
        "import numpy as np",
        "import ctypes\nimport os\nimport threading\nimport time\n\nimport numpy as np",
        1,
    )
    path = tmp_path / "profiled_correct.py"
    path.write_text(source + "\nPROFILE = []\n")
    graded = grade(pool, miniflow_plan, path)
    assert graded.report.score == graded.report.max_score, graded.output[:600]
