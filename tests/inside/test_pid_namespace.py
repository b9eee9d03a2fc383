"""A student process's pid says nothing of the threads and processes forked before it (pid_namespace.py)."""

from __future__ import annotations

import os
import signal
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from grader.inside import confine, pid_namespace, privileges

THREADS = 20


def _read_all(r: int) -> str:
    chunks = []
    while chunk := os.read(r, 4096):
        chunks.append(chunk)
    os.close(r)
    return b"".join(chunks).decode()


def _in_child(work: Callable[[], str], maker: pid_namespace.Maker | None = None) -> str:
    """What `work` returns in a child: a plain fork, or one forked by `maker` as the worker forks a student
    process (its init ended once it is reaped)."""
    r, w = os.pipe()
    pid, init = maker.fork() if maker else (os.fork(), -1)
    if pid == 0:
        said = ""
        try:
            os.close(r)
            said = work()
        finally:
            os.write(w, said.encode())
            os._exit(0)
    os.close(w)
    said = _read_all(r)
    os.waitpid(pid, 0)
    if init >= 0:
        pid_namespace.end(init)
    return said


def _as_worker(work: Callable[[pid_namespace.Maker | None], str], own_user_namespace: bool = True) -> str:
    """`work` in a plain child with a maker of its own, started as the worker starts it (pytest's own process
    never joins a namespace: after that it could fork nothing else), in the worker's position even as root:
    not dumpable, in a user namespace of its own holding CAP_SYS_ADMIN alone (before, a dumpable root child
    holding CAP_SYS_PTRACE joined an init the maker never made dumpable all the same: review of s31-pidns).
    `own_user_namespace=False`: root's own position, for an outer namespace that only makes a count exact (a
    user namespace mapping no id can make no other inside it)."""

    def worker() -> str:
        confine.make_undumpable()  # as worker.main, before the maker's fork
        # an ordinary user's process holding CAP_SYS_ADMIN is in the worker's position already
        own = (own_user_namespace or os.geteuid() != 0) and not (os.geteuid() != 0 and _holds_sys_admin())
        maker = pid_namespace.start(own_user_namespace=own)
        try:
            return work(maker)
        finally:
            if maker is not None:
                maker.close()

    return _in_child(worker)


def _holds_sys_admin() -> bool:
    """Whether this process holds CAP_SYS_ADMIN. An ordinary user's process holds it only in a user
    namespace of a worker's own, which maps no id: the kernel makes no user namespace inside it (the
    caller's ids unmapped in the parent: EPERM), and the nested test below then forked plainly and read pids
    26 and 47 as uid 1001; such a process is in the worker's position already."""
    status = privileges.parse_status(Path("/proc/self/status").read_text())
    return bool(int(status["CapEff"], 16) & privileges.SYS_ADMIN)


def _spend_threads() -> str:
    """Start and join THREADS threads (each takes a pid); this process's pid."""
    for _ in range(THREADS):
        thread = threading.Thread(target=int)
        thread.start()
        thread.join()
    return str(os.getpid())


def _students(maker: pid_namespace.Maker | None) -> str:
    """Two student processes forked in turn, plainly and then by the maker: the first starts and joins THREADS
    threads, the second reads its pid. Plain ones first: once this process joined a namespace, a plain fork
    would land in it."""
    shared = f"{_in_child(_spend_threads)} {_in_child(lambda: str(os.getpid()))}"
    assert maker is not None, "no maker: the student processes below would be plain forks"
    own = f"{_in_child(_spend_threads, maker)} {_in_child(lambda: str(os.getpid()), maker)}"
    return f"{shared} {own}"


@pytest.fixture(scope="module", autouse=True)
def _namespaces() -> None:
    """Skipped only where user namespaces are refused to an ordinary user; as root (CI) a maker that does not
    work is a failure, never five skips."""
    works = _as_worker(lambda maker: str(bool(maker and maker.works()))) == "True"
    if not works and os.geteuid() != 0:
        pytest.skip("no PID namespace can be made here (user namespaces refused)")
    assert works, "no PID namespace made as root: the maker is broken"


def test_a_student_process_reads_pid_2_whatever_ran_before_it() -> None:
    """Forked as the worker forks them, each student process reads pid 2 (its init is 1), the second after a
    first that started 20 threads; plain forks (the negative control, before the fix) hand the second the
    first's pid plus one for each thread the first started, plus one: a channel from one student to the
    next. The whole runs as pid 2 of a namespace of its own, where only it takes pids: the control is
    exact."""

    def exact() -> str:
        return _as_worker(_students)

    said = _as_worker(lambda maker: _in_child(exact, maker), own_user_namespace=False)
    shared_first, shared_second, own_first, own_second = map(int, said.split())
    assert shared_second == shared_first + THREADS + 1, (shared_first, shared_second)
    assert own_first == own_second == pid_namespace.STUDENT_PID, (own_first, own_second)


def test_a_student_processes_threads_are_3_and_on() -> None:
    """Its threads take the pids after its own: 3, 4, ... in its namespace."""

    def tids() -> str:
        seen: list[int] = []
        for _ in range(3):
            thread = threading.Thread(target=lambda: seen.append(threading.get_native_id()))
            thread.start()
            thread.join()
        return " ".join(map(str, seen))

    assert _as_worker(lambda maker: _in_child(tids, maker)) == "3 4 5"


def _status(pid: int) -> dict[str, str]:
    return privileges.parse_status(Path(f"/proc/{pid}/status").read_text())


def _read_line(r: int) -> str:
    """One line from `r`, read without waiting for its end: the processes that inherited the pipe's write end
    hold it open until they leave, and the test is what makes them leave."""
    chunks = b""
    while not chunks.endswith(b"\n"):
        chunk = os.read(r, 4096)
        assert chunk, "the pipe ended before the line did"
        chunks += chunk
    os.close(r)
    return chunks.decode()


def _init_pid(pidfd: int) -> int:
    """An init's pid in this process's namespace, from its pidfd's fdinfo."""
    for line in Path(f"/proc/self/fdinfo/{pidfd}").read_text().splitlines():
        if line.startswith("Pid:"):
            return int(line.split()[1])
    raise AssertionError("no Pid line")


def _gone(pid: int) -> bool:
    """Whether `pid` is gone or is no longer the process it was (reaped: no zombie left)."""
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        try:
            _status(pid)
        except FileNotFoundError:
            return True
        time.sleep(0.01)
    return False


def test_an_init_holds_no_capability_or_descriptor_and_ends_unreaped_by_none() -> None:
    """Read from outside: an init holds no capability in any set but the bounding one and one descriptor (the
    maker's pipe); `end` kills it and the kernel reaps it (the maker ignores SIGCHLD): no zombie. Its student
    process is its worker's child, pid 2, and not the init (signals keep their meaning)."""

    def check(maker: pid_namespace.Maker | None) -> str:
        assert maker is not None
        pid, init = maker.fork()
        if pid == 0:
            time.sleep(30)
            os._exit(0)
        init_pid = _init_pid(init)
        deadline = time.monotonic() + 5
        while len(os.listdir(f"/proc/{init_pid}/fd")) != 1 and time.monotonic() < deadline:
            time.sleep(0.01)
        status, student = _status(init_pid), _status(pid)
        caps = [int(status[name], 16) for name in ("CapEff", "CapPrm", "CapInh", "CapAmb")]
        fds = len(os.listdir(f"/proc/{init_pid}/fd"))
        parents = (int(status["PPid"]), int(student["PPid"]))
        own = (status["NSpid"].split()[-1], student["NSpid"].split()[-1])
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        pid_namespace.end(init)
        return f"{caps} {fds} {parents == (maker.pid, os.getpid())} {own} {_gone(init_pid)}"

    assert _as_worker(check) == "[0, 0, 0, 0] 1 True ('1', '2') True"


def test_the_workers_death_ends_its_maker_inits_and_student_processes() -> None:
    """A worker killed mid-job: its maker sees its socket's end and leaves, the inits see the end of the
    maker's pipe and leave, and each namespace's end kills the student process in it, which no parent-death
    signal was set for here. Nothing is left."""
    r, w = os.pipe()
    worker = os.fork()
    if worker == 0:
        os.close(r)
        confine.make_undumpable()
        maker = pid_namespace.start(own_user_namespace=True)
        assert maker is not None
        pid, init = maker.fork()
        if pid == 0:
            time.sleep(60)
            os._exit(0)
        os.write(w, f"{maker.pid} {_init_pid(init)} {pid}\n".encode())
        time.sleep(60)
        os._exit(0)
    os.close(w)
    pids = list(map(int, _read_line(r).split()))
    os.kill(worker, signal.SIGKILL)
    os.waitpid(worker, 0)
    assert [_gone(pid) for pid in pids] == [True, True, True], pids


def test_a_maker_that_cannot_make_a_namespace_forks_nothing() -> None:
    """A maker without CAP_SYS_ADMIN (started after every capability was dropped, no user namespace of its
    own): `fork` raises Lost, and no process was forked (the worker then ends, and its job is graded again
    on a fresh worker: never the student's failure)."""

    def refused(_: pid_namespace.Maker | None) -> str:
        me = os.getpid()
        before = Path(f"/proc/{me}/task/{me}/children").read_text().split()
        privileges.drop_capabilities()
        maker = pid_namespace.start(own_user_namespace=False)
        assert maker is not None
        try:
            maker.fork()
        except pid_namespace.Lost as err:
            left = Path(f"/proc/{me}/task/{me}/children").read_text().split()
            return f"lost {left == [*before, str(maker.pid)]} {'Operation not permitted' in str(err)}"
        finally:
            maker.close()
        return "forked"

    assert _as_worker(refused) == "lost True True"


def test_a_user_namespace_whose_set_up_failed_leaves_the_worker_holding_nothing() -> None:
    """`own_user_namespace` refused after its unshare (here: the capget check made to disagree): no maker,
    and the worker, now in a user namespace where it began with every capability, holds none there: its ready
    message says no PID namespace, never a worker holding a capability it does not use (before the fix: CapEff
    and CapPrm CAP_SYS_ADMIN here, and every capability had the refusal come before the capset, while the
    read-back it sent said every set 0; review of s31-pidns, finding 3)."""

    def refused() -> str:
        privileges._capget = lambda: (0, 0, 0)  # type: ignore[assignment]  # this child's copy only
        before = os.readlink("/proc/self/ns/user")
        maker = pid_namespace.start(own_user_namespace=True)
        status = _status(os.getpid())
        new = os.readlink("/proc/self/ns/user") != before
        return f"{maker} {new} {int(status['CapEff'], 16)} {int(status['CapPrm'], 16)}"

    assert _in_child(refused) == "None True 0 0"
