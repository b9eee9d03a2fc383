"""The in-sandbox fork server: the harness process, and the fresh confined student processes it asks for.

Processes (all inside the sandbox; docs/SANDBOX.md):
- the worker (this module's `main`): talks to the parent, forks the harness once at start and a student
  process whenever the harness asks for one, supervises the student processes (output, time, exit);
- the harness (harness_process.py): imports the adapters and runs the cases, through a socket to each
  student process; it writes the result frames, which the worker forwards to the parent;
- a student process: the submission and server.py's small server, nothing else; it is forked from the
  worker, which imported only what that server needs and never holds case data when it forks.

Control protocol with the parent (blobs: 4-byte big-endian length + bytes, on the worker's stdin/stdout):
- at start: JSON {"ready": true, "pid", "capabilities", "privileges"} or
  {"ready": false, "error", "detail", "refused"};
- a job: JSON header {"job_id", "limits", "phases", "standins"?: the served stand-in files, written once a
  worker: Worker.served_folder}, the student part (JSON: files, support_files and the
  parent's bytecode of both, grader/bytecode.py: parsed only by the student process) and the harness part
  (JSON: cases...: never parsed here, handed to the harness and wiped before any student process is forked);
- the reply: JSON meta {"job_id", "phases": [per student process], "result_truncated", "harness_lost",
  "scratch_ok"}, the result frames, then stdout and stderr of each student process in the order of
  meta["phases"] (each entry: the process's label, the first phase it ran, and "serves", the phases it ran).
"""

from __future__ import annotations

import contextlib
import dataclasses
import fcntl
import gc
import json
import math
import os
import select
import signal
import socket
import sys
import time
import traceback
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from . import (
    channel,
    confine,
    folder_mounts,
    folder_usage,
    frames,
    limits,
    own_root,
    pid_namespace,
    privileges,
    proc_stat,
    proc_view,
    read_only_view,
    scratch,
)

MAX_HEADER_BYTES = 64 << 10
MAX_JOB_BYTES = 256 << 20
RESULT_CAP_BYTES = 32 << 20
MAX_HARNESS_MESSAGE = 16 << 20
MAX_GRADER_ERROR_CHARS = 8000
OUTPUT_HARD_CAP_FACTOR = 64
HARNESS_MARGIN_SECONDS = 5.0
MAX_PHASES = 8
END_GRACE_SECONDS = 0.5
# How often the worker looks at its scratch's inode count (scratch.MAX_INODES) and, under bubblewrap, at the
# running student process's thread count (limits.NPROC_LIMIT) while a student process runs: in that time a
# student process makes at most ~10,000 files or starts ~400 threads (measured: 1,500 in 0.18 s).
WATCH_SECONDS = 0.05
# The same where a student process's folder is on the host's disk and counted (folder_usage.py): one statvfs a
# look, and a process writes some 20 MiB in that time (measured on tmpfs, loaded machine: 180 MB/s).
COUNT_WATCH_SECONDS = 0.01
GONE_SECONDS = 1.0
HARNESS_EXIT_SECONDS = 2.0
_CHUNK = 64 << 10
_CONTROL_FD_MIN = 10
_STUDENT_FD = 3
_DRAIN = 64  # messages from the harness read in one turn of the supervision loop (a job has ~29)


class _Buffers:
    """The worker's capture buffers, kept for its whole life and reused by every student process.

    Each is private memory of this process, allocated whole (never reallocated, so no stale copy is left
    behind) and all zeros whenever it is free: a stream writes only its first `kept` bytes, and giving it
    back zeroes exactly those. So the next student process, which inherits this process's memory, finds
    nothing of another's output, and a job costs no fresh 256 KiB buffers (their page faults and their
    whole-buffer wipes were about a millisecond of every job).
    """

    def __init__(self) -> None:
        self._free: dict[int, list[bytearray]] = {}

    def take(self, cap: int) -> bytearray:
        free = self._free.get(cap)
        return free.pop() if free else bytearray(cap)

    def give(self, buf: bytearray, used: int) -> None:
        buf[:used] = bytes(used)
        self._free.setdefault(len(buf), []).append(buf)


@dataclass
class _Stream:
    """One capture pipe: the first `cap` bytes are kept (in a buffer from _Buffers), the rest only counted.

    The student process never shares a writable mapping with the buffer (a MAP_SHARED buffer made before
    the fork could be rewritten by the child): it is this process's memory, filled from the pipe.
    """

    fd: int
    buf: bytearray
    kept: int = 0
    total: int = 0

    @property
    def cap(self) -> int:
        return len(self.buf)

    def take(self, chunk: memoryview) -> None:
        n = min(self.cap - self.kept, len(chunk))
        if n > 0:
            self.buf[self.kept : self.kept + n] = chunk[:n]
            self.kept += n
        self.total += len(chunk)

    @property
    def view(self) -> memoryview:
        return memoryview(self.buf)[: self.kept]


@dataclass
class _Student:
    """One student process of the current job."""

    phase: str
    pid: int
    pidfd: int | None
    workdir: str
    started: float
    deadline: float
    streams: dict[str, _Stream]
    open_fds: dict[int, str]
    init: int = -1  # a pidfd of its PID namespace's init (pid_namespace.end), or -1
    mark: folder_usage.Mark | None = None  # the host's disk when it started, where its folder is counted
    status: dict[str, Any] = field(default_factory=dict)
    exited: bool = False
    reaped: bool = False
    ended_by_harness: bool = False
    timed_out: bool = False
    output_exceeded: bool = False
    files_exceeded: bool = False
    bytes_exceeded: int = 0  # the quota its folder passed, in MiB (counted folders only: folder_usage.py)
    depth_exceeded: bool = False
    threads_exceeded: bool = False
    end_reason: str = ""
    killed_after_end: bool = False
    serves: list[str] = field(default_factory=list)  # the phases it ran (the harness says so at the end)


def _has_exited(pid: int) -> bool:
    """Whether the child has exited, without reaping it (its status is read once, by wait4, at the end)."""
    return os.waitid(os.P_PID, pid, os.WEXITED | os.WNOHANG | os.WNOWAIT) is not None


def _gone(s: _Student, wait: float = GONE_SECONDS) -> bool:
    """Whether the student process has exited (killed a moment ago, it may take that moment)."""
    deadline = time.monotonic() + wait
    while True:
        try:
            if _has_exited(s.pid):
                return True
        except ChildProcessError:  # reaped already
            return True
        if time.monotonic() >= deadline:
            return False
        if s.pidfd is not None:
            select.select([s.pidfd], [], [], max(0.0, deadline - time.monotonic()))
        else:
            time.sleep(0.005)


def _thread_count(pid: int) -> int:
    """The threads of a process (readable for a process that is not dumpable too); 0 when it cannot be
    read (gone, or no /proc)."""
    return proc_stat.number(pid, proc_stat.THREADS) or 0


def _kill_group(pid: int) -> None:
    for kill in (os.killpg, os.kill):
        with contextlib.suppress(ProcessLookupError, PermissionError):
            kill(pid, signal.SIGKILL)


class Worker:
    def __init__(self, scratch_dir: str, caps: confine.Capabilities, read_paths: list[str], ctrl_in: int,
                 ctrl_out: int, harness: socket.socket, harness_pid: int,
                 watch_files: bool = False, watch_threads: bool = False,
                 book_root: str | None = None, namespaces: pid_namespace.Maker | None = None,
                 folder_bytes: int = 0, counted_bytes: int = 0) -> None:  # fmt: skip
        self.scratch = scratch_dir
        # The size of the tmpfs of its own each student process's folder gets (folder_mounts.make_mounted),
        # the worker's scratch's; 0: folders on the scratch itself, sharing its inode counter
        # (docs/SANDBOX.md).
        self.folder_bytes = folder_bytes
        # Where the scratch is a folder of the host's disk (no file system of its own, no folder mounted): the
        # bytes a student process's folder may hold, counted by this worker (folder_usage.py); 0: not counted.
        self.counted_bytes = counted_bytes
        # What gives each student process a PID namespace of its own (pid_namespace.py; None: it shares ours).
        self.namespaces = namespaces
        # The served stand-in files (grader/served_standins.py): one read-only folder, the current text's,
        # written once a run (a run serves one text to every job), outside the scratch the jobs empty.
        self.book_root = book_root
        self.served_folders: dict[tuple[tuple[str, int, int], ...], str] = {}
        self.served: str | None = None  # the current job's folder
        # The current folder's paths and modification times (confine.unread), and the job's: none without one.
        self.folder_times: tuple[tuple[str, int], ...] = ()
        self.served_times: tuple[tuple[str, int], ...] = ()
        # Whether the scratch is a file system of this worker's own (bubblewrap's /tmp, the private root's
        # tmpfs) or each student process's folder is (folder_bytes), whose inode count is the job's, or the
        # folders are counted (counted_bytes): then a student process that fills it is stopped.
        self.watch_files = watch_files
        # Whether RLIMIT_NPROC may go unenforced (bubblewrap started by root maps the sandbox's uid to root,
        # which the kernel exempts): then this worker counts the running student process's threads itself,
        # in the /proc bubblewrap mounts.
        self.watch_threads = watch_threads
        self.caps = caps
        # Opened here, after the harness was forked: only student processes inherit them.
        self.reads = confine.ReadRules.open(0 if caps.unconfined else caps.landlock_abi, read_paths)
        self.ctrl_in, self.ctrl_out = ctrl_in, ctrl_out
        self.harness, self.harness_pid = harness, harness_pid
        self.chunk = bytearray(_CHUNK)
        self.buffers = _Buffers()
        self.healthy = True

    # ------------------------------------------------------------ the job loop
    def serve(self) -> None:
        while self.healthy:
            header = frames.read_blob(self.ctrl_in, MAX_HEADER_BYTES)
            if header is None:
                return
            student_part = frames.read_blob(self.ctrl_in, MAX_JOB_BYTES)
            harness_part = frames.read_blob(self.ctrl_in, MAX_JOB_BYTES)
            if student_part is None or harness_part is None:
                return
            meta = json.loads(header)
            # Written to its folder and dropped before any student process is forked: the worker keeps no
            # stand-in text, which a later job's process (another stage's: its own text has no math for the
            # layers it grades) could otherwise read in its copy of this memory (worker._scrub's reason).
            self.served = self.served_folder(meta.pop("standins", None))
            frames.wipe(header)
            try:
                self._job(str(meta["job_id"]), meta.get("limits", {}), int(meta.get("phases", 3)),
                          student_part, harness_part)  # fmt: skip
            finally:
                frames.wipe(student_part)
                frames.wipe(harness_part)
                frames.wipe(self.chunk)
                del student_part, harness_part

    def served_folder(self, files: Any) -> str | None:
        """The read-only folder holding the job's served stand-in files (relative file -> base64, from the
        parent: never student data), written when this worker first sees them. Per student process this
        costs one Landlock rule instead of a folder written and removed (~0.6 ms measured on tmpfs).

        Only the current text's folder exists (another stage's text, whose math this job's graded layers
        must not find, is removed first), and `book_root` is 0o111 between writes: a student process, the
        worker's uid, can neither list it nor rename or add an entry there. Without Landlock that is what
        keeps one student from reading an earlier run's text or replacing the folder the next one runs
        (review of s23-standin: 46 / 62 read across stages, a replaced SoftmaxWithLoss 16 -> 8.6)."""
        if not isinstance(files, dict) or not files or self.book_root is None:
            self.served_times = ()
            return None
        # Known by the texts' hashes and lengths, never the texts (see serve): they come from the parent
        # alone, so a 64-bit hash tells them apart.
        key = tuple(sorted((str(k), hash(str(v)), len(str(v))) for k, v in files.items()))
        folder = self.served_folders.get(key)
        if folder is None:
            os.chmod(self.book_root, 0o700)
            for old in self.served_folders.values():
                scratch.remove(old)
            self.served_folders.clear()
            folder = scratch.make(self.book_root, "served-")
            confine.write_files(folder, {str(k): str(v) for k, v in files.items()})
            confine.seal(folder)
            os.chmod(self.book_root, 0o111)
            self.served_folders[key] = folder
            self.folder_times = confine.modification_times(folder)  # the one folder there is
        self.served_times = self.folder_times
        return folder

    def _job(self, job_id: str, limits: Mapping[str, Any], n_phases: int, student_part: bytearray,
             harness_part: bytearray) -> None:  # fmt: skip
        started = time.monotonic()
        lost = False
        try:
            channel.send_blob(self.harness, json.dumps({"job": job_id}).encode())
            channel.send_blob(self.harness, harness_part)
        except OSError:
            lost = True
        frames.wipe(harness_part)  # before any student process is forked: it must find no case in our memory
        job = _Job(
            self, limits, student_part, started + max(n_phases, 1) * float(limits.get("wall_seconds", 10.0))
        )
        if not lost:
            lost = not job.supervise()
        # A harness that ended its job and then died (or died between jobs) would fail the next student on
        # this worker: whoever sees it gone retires the worker, and a job it never finished is lost.
        retire = not self.harness_alive()
        job.finish()
        removed = all(self.remove_folder(s.workdir) for s in job.students)
        scratch_ok = removed and scratch.is_clean(self.scratch)
        meta = {
            "job_id": job_id,
            "phases": [_phase_meta(s) for s in job.students],
            "result_truncated": job.result_truncated,
            "harness_lost": lost,
            "scratch_ok": scratch_ok,
            "retire": retire,
            **({"grader_error": job.grader_error} if job.grader_error else {}),
        }
        try:
            # One message, written whole: the parent's reader is woken once, not once per field.
            parts = [*frames.blob_parts(json.dumps(meta).encode()), job.result_size.to_bytes(4, "big")]
            for piece in job.result:
                parts += frames.blob_parts(piece)
            for s in job.students:
                parts += frames.blob_parts(s.streams["stdout"].view)
                parts += frames.blob_parts(s.streams["stderr"].view)
            frames.write_parts(self.ctrl_out, parts)
        finally:
            job.wipe()
        if lost or retire or not scratch_ok:
            self.healthy = False  # the parent replaces a worker whose harness died or whose scratch is dirty

    def harness_alive(self) -> bool:
        """Whether the harness process still runs and its socket is open (asked without waiting: an exited
        harness is reaped later, by _end_harness)."""
        try:
            if os.waitid(os.P_PID, self.harness_pid, os.WEXITED | os.WNOHANG | os.WNOWAIT) is not None:
                return False
            ready, _, _ = select.select([self.harness], [], [], 0)
            return not ready or self.harness.recv(1, socket.MSG_PEEK | socket.MSG_DONTWAIT) != b""
        except (ChildProcessError, BlockingIOError):
            return True  # nothing to read: open
        except OSError:
            return False

    # ------------------------------------------------------------ student processes
    def fork_student(
        self,
        phase: str,
        limits: Mapping[str, Any],
        student_part: bytearray,
        inherited: Sequence[tuple[bytearray, int]] = (),
    ) -> _Student:
        """A student process; `inherited`: what this process holds of the job's earlier ones (buffers and
        the length of each that was written), which the child overwrites in its copy before it runs any
        student code."""
        out_cap = int(limits.get("output_kib", 256)) << 10
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        pipes = {"stdout": os.pipe(), "stderr": os.pipe(), "setup": os.pipe()}
        if self.folder_bytes:
            workdir = folder_mounts.make_mounted(self.scratch, "job-", self.folder_bytes)
        else:
            workdir = scratch.make(self.scratch, "job-")
        # the host's disk as this process finds it: only what it loses afterwards can be this process's
        mark = folder_usage.Mark.of(self.scratch) if self.counted_bytes else None
        confine.unread(self.served_times)  # no read of an earlier process's left for this one to see
        started = time.monotonic()
        # Everything alive now moves to the collector's permanent generation: the child's collections never
        # walk (and so never copy-on-write) the pages of numpy and the server it inherits. Measured: a full
        # collection in a child costs ~15 ms of CPU unfrozen, ~2 ms frozen.
        gc.freeze()
        pid, init = self.namespaces.fork() if self.namespaces else (os.fork(), -1)
        if pid == 0:
            try:
                _scrub(inherited)  # `chunk` is zeroed after every read (_read_output)
                ours.close()
            except BaseException:  # never unwound into the worker's own loop, a second worker unconfined
                os._exit(confine.CONFINE_FAILED_EXIT)
            ends = {name: w for name, (_, w) in pipes.items()}
            self._student_child(workdir, limits, student_part, ends, theirs.fileno())
        theirs.close()
        streams = {}
        for name, (r, w) in pipes.items():
            os.close(w)
            streams[name] = _Stream(r, self.buffers.take(out_cap if name != "setup" else 1))
        try:
            pidfd: int | None = os.pidfd_open(pid)
        except (AttributeError, OSError):
            pidfd = None
        deadline = started + float(limits.get("wall_seconds", 10.0))
        fds = {s.fd: n for n, s in streams.items()}
        student = _Student(phase, pid, pidfd, workdir, started, deadline, streams, fds, init, mark)
        try:
            channel.send_blob(
                self.harness, json.dumps({"spawned": phase, "pid": pid}).encode(), [ours.fileno()]
            )
        finally:
            ours.close()
        return student

    def remove_folder(self, workdir: str) -> bool:
        """A student process's folder removed, its own tmpfs let go first where it has one: True when gone."""
        return (folder_mounts.remove if self.folder_bytes else scratch.remove)(workdir)

    def _student_child(self, workdir: str, limits: Mapping[str, Any], student_part: bytearray,
                       ends: Mapping[str, int], sock: int) -> None:  # fmt: skip
        worker_pid = 0 if self.namespaces else os.getppid()  # outside its own PID namespace: read as 0
        try:
            if not self.caps.unconfined:
                privileges.drop_capabilities()  # the worker's CAP_SYS_ADMIN (pid_namespace.py), first of all
            os.setsid()
            confine.die_with_worker(worker_pid)
            confine.setup_fds(ends["stdout"], ends["stderr"], sock, ends["setup"], keep=self.reads.fds)
            job = json.loads(student_part)
            os.chdir(workdir)
            confine.write_files(workdir, job.get("support_files") or {}, job.get("files") or {})
            confine.write_bytecode(workdir, job.get("bytecode") or {})
            # The book's common/layers.py as this job may see it (the graded classes without their math:
            # grader/served_standins.py), read-only; never a file of the runtime (docs/LOADING.md, stand-ins).
            from . import standins  # imported at start by main() (through student): only a lookup

            standins.serve(self.served)
            confine.confine(self.caps, workdir, limits, self.reads, [self.served] if self.served else [])
            for stream in (sys.stdout, sys.stderr):
                stream.reconfigure(write_through=True)  # type: ignore[union-attr]
            confine.report_setup_done()
        except BaseException:
            os.write(2, f"grader sandbox: confinement failed\n{traceback.format_exc()}".encode())
            os._exit(confine.CONFINE_FAILED_EXIT)
        from . import server, unlisted  # imported at start by main(): this is only a lookup

        unlisted.unlist(__name__.split(".", 1)[0])  # the runtime's names out of the student's reach
        code = 0
        try:
            server.serve(_STUDENT_FD, workdir)
        except BaseException:
            code = 1  # contexts.CHANNEL_FAILED_EXIT: the channel failed, as the parent's _no_result says
        for stream in (sys.stdout, sys.stderr):
            with contextlib.suppress(BaseException):  # the student may have closed or replaced them
                stream.flush()
        os._exit(code)


_ZEROS = bytes(_CHUNK)
_ZERO_VIEW = memoryview(_ZEROS)


def _scrub(held: Sequence[tuple[bytearray, int]]) -> None:
    """Overwrite the first `n` bytes of each buffer, in a forked child's copy of the worker's memory: a later
    student process of a job inherited what the earlier ones printed and the harness's frames of their
    phases, and read them from the worker's stack frames (`_Job` is `self` there): an after-published
    process quoted the after-due-date inputs, shown before the due date (sample
    worker_memory_earlier_output.py). The buffers are the only holders: pipes are read into `chunk`, then
    copied into a stream's buffer and `chunk` zeroed at once by the worker; frames are received into fresh
    bytearrays and kept whole."""
    for buf, n in held:
        view = memoryview(buf)
        for start in range(0, min(n, len(buf)), _CHUNK):
            stop = min(start + _CHUNK, n, len(buf))
            view[start:stop] = _ZEROS[: stop - start]


class _Job:
    """Supervises one job: the harness's requests and frames, and every student process it asked for."""

    def __init__(
        self, worker: Worker, limits: Mapping[str, Any], student_part: bytearray, deadline: float
    ) -> None:
        self.w = worker
        self.limits = limits
        self.student_part = student_part
        self.deadline = deadline + HARNESS_MARGIN_SECONDS
        self.students: list[_Student] = []
        self.next_watch = -math.inf  # when check_files and check_threads look next: at once, then each tick
        self.grader_error = ""  # the harness's own failure on this job (its traceback), if it had one
        self.result: list[bytearray] = []  # the harness's frames, as received (wiped after the reply)
        self.result_size = 0
        self.result_truncated = False
        out_cap = int(limits.get("output_kib", 256)) << 10
        self.hard_output = OUTPUT_HARD_CAP_FACTOR * out_cap

    def supervise(self) -> bool:
        """Run until the harness says the job is done; False when the harness was lost."""
        hfd = self.w.harness.fileno()
        while True:
            now = time.monotonic()
            backstop = self.backstop()
            if now > backstop:
                return False
            live = [s for s in self.students if not s.reaped]
            timeout = min([backstop - now, *(s.deadline - now for s in live if not s.exited)])
            watch = [hfd]
            for s in live:
                watch += list(s.open_fds)
                if s.pidfd is not None and not s.exited:
                    watch.append(s.pidfd)
            running = [s for s in live if not s.exited]
            ticks = [0.05] if any(s.pidfd is None for s in live) else []
            watching = self.w.watch_files or self.w.watch_threads
            if running and watching:
                ticks.append(self.next_watch - now)
            ready, _, _ = select.select(watch, [], [], max(0.0, min([timeout, *ticks])))
            for s in live:
                self._poll_exit(s, ready)
                self._read_output(s, ready)
                if not s.exited and time.monotonic() > s.deadline:
                    s.timed_out = True
                    _kill_group(s.pid)
            # every WATCH_SECONDS, not at each turn: a turn is each message of the harness or a student
            # process (~69 a job; the scratch's statfs was 36 system calls a job until session 33)
            if running and watching and time.monotonic() >= self.next_watch:
                self.next_watch = time.monotonic() + (
                    COUNT_WATCH_SECONDS if self.w.counted_bytes else WATCH_SECONDS
                )
                if self.w.watch_files:
                    self.check_files(running)
                if self.w.watch_threads:
                    self.check_threads(running)
            if hfd in ready:
                done = self._from_harness()
                if done is not None:
                    return done

    def _from_harness(self) -> bool | None:
        """Every message the harness has written by now, one after another: it writes a phase's frames and
        its request at once (~29 messages a job in ~6 writes), and a turn of the loop above for each cost a
        `select` over every pipe. At most _DRAIN messages a turn: the loop's deadlines are checked between
        turns. True: the job is done; False: the harness is lost; None: go on."""
        for _ in range(_DRAIN):
            try:
                message, _ = channel.recv_blob(self.w.harness, MAX_HARNESS_MESSAGE)
            except (OSError, frames.BlobError):
                return False
            if message is None:
                return False
            if self._harness_message(message):
                return True
            if not select.select([self.w.harness], [], [], 0)[0]:
                return None
        return None

    def backstop(self) -> float:
        """When the harness counts as lost: the margin past the job's wall budget, or past the deadline of
        its latest student process if that is later. The harness may finish reading a reply after its
        student process's deadline (that process is then killed and its phase is a timeout, the student's);
        such lateness is the student's, so it never adds up over phases into a lost harness."""
        latest = max((s.deadline for s in self.students), default=-math.inf)
        return max(self.deadline, latest + HARNESS_MARGIN_SECONDS)

    def _harness_message(self, message: bytearray) -> bool:
        if message[:1] == b"F":
            del message[:1]  # in place: no copy of the frame is left in this process's heap
            # Past the cap nothing more is kept, not even a frame that would still fit: what the parent gets
            # is a prefix of the harness's frames, so it knows the phase that was running (that one is
            # refused, the ones before it stand: grader/sandbox/frames.py).
            if self.result_truncated or self.result_size + len(message) + 4 > RESULT_CAP_BYTES:
                self.result_truncated = True
                frames.wipe(message)
            else:
                self.result.append(message)
                self.result_size += len(message) + 4
            return False
        request = json.loads(bytes(message[1:]))  # a small control message: no submission data
        if "spawn" in request:
            # CPU for every phase the process may serve (RLIMIT_CPU cannot be raised later without a
            # capability); wall-clock time is given phase by phase ("begin").
            phases = min(max(int(request.get("phases", 1)), 1), MAX_PHASES)
            limits = {**self.limits, "cpu_seconds": float(self.limits.get("cpu_seconds", 10.0)) * phases}
            self._clear_ended()
            self.students.append(
                self.w.fork_student(str(request["spawn"]), limits, self.student_part, self.inherited())
            )
        elif "begin" in request:
            for s in self.students:
                if s.phase == request["begin"] and not s.exited:
                    s.deadline = time.monotonic() + float(self.limits.get("wall_seconds", 10.0))
        elif "end" in request:
            for s in self.students:
                if s.phase == request["end"]:
                    s.end_reason = str(request.get("why", "done"))
                    serves = request.get("serves")
                    if isinstance(serves, list):
                        s.serves = [str(p) for p in serves[:MAX_PHASES]]
                    if not s.exited:
                        self._end(s, s.end_reason)
                    elif s.end_reason == "done":
                        # It saw its channel close and exited before this message came: the harness was
                        # done with it all the same.
                        s.ended_by_harness = True
        if request.get("done") and request.get("grader_error"):
            self.grader_error = str(request["grader_error"])[:MAX_GRADER_ERROR_CHARS]
        return bool(request.get("done"))

    def _clear_ended(self) -> None:
        """Remove the directories of this job's student processes that have ended, before another is set up.

        The scratch file system is the worker's, shared by the processes of a job: a process that filled it
        (files under the size limit, as many as fit) would leave the next one of the same job unable to
        write its files, a set-up failure the parent words as the sandbox's fault. Only a process seen gone
        has its directory removed (scratch.remove relies on it); any other is left to the end of the job."""
        for s in self.students:
            if (s.exited or s.end_reason) and _gone(s):
                self.w.remove_folder(s.workdir)

    def _end(self, s: _Student, why: str) -> None:
        """The harness is done with this process. "done": whatever it does now is not the student's failure.
        Otherwise it stopped answering by itself (it is exiting, crashed, or closed or garbled its channel):
        give it a moment to exit, so that its own exit status explains what happened."""
        s.end_reason = why
        if s.pidfd is not None:  # it sees its channel closed and exits by itself, flushing its output
            select.select([s.pidfd], [], [], END_GRACE_SECONDS)
        running = not _has_exited(s.pid)
        if why == "done":
            s.ended_by_harness = True
        elif running:
            s.killed_after_end = True  # still running with its channel gone: the verdict says so
        if running:
            _kill_group(s.pid)

    def check_files(self, running: list[_Student]) -> None:
        """Stop the running student process once its folder's file system (its own tmpfs where it has one,
        else the scratch) holds scratch.MAX_INODES files and directories: neither a size limit nor RLIMIT_AS
        counts them, and each pins kernel memory. Only one student process of a job runs at a time, and the
        directories of those that ended are removed before the next is set up (_clear_ended): what fills a
        shared scratch is the running one's."""
        for s in running:
            if s.exited or s.files_exceeded or s.bytes_exceeded or s.depth_exceeded or s.end_reason:
                continue
            if s.mark is not None:
                self._count_folder(s, s.mark)
                continue
            # its folder's own tmpfs (folder_mounts.make_mounted), else the scratch it shares with the job's
            try:
                full = scratch.inodes_used(s.workdir) >= scratch.MAX_INODES
            except OSError:
                full = False
            if full:
                s.files_exceeded = True
                _kill_group(s.pid)

    def _count_folder(self, s: _Student, mark: folder_usage.Mark) -> None:
        """A folder on the host's disk (folder_usage.py): counted once the disk lost more than the quota or
        scratch.MAX_INODES files since the process started, and its process stopped past either, or nesting
        deeper than the count goes."""
        quota = self.w.counted_bytes
        try:
            grown = mark.grown(self.w.scratch, scratch.MAX_INODES, quota)
        except OSError:
            grown = "bytes"  # no statvfs: count all
        if not grown:
            return
        over = folder_usage.measure(s.workdir, scratch.MAX_INODES, quota if grown == "bytes" else None).over
        if not over:
            return
        s.files_exceeded = over == "files"
        s.bytes_exceeded = quota >> 20 if over == "bytes" else 0
        s.depth_exceeded = over == "depth"
        _kill_group(s.pid)

    def check_threads(self, running: list[_Student]) -> None:
        """Stop a running student process with more threads than RLIMIT_NPROC allows: where the kernel does
        not enforce it, each thread is still a pid of the machine's (pid_max is often 32,768) and kernel
        memory RLIMIT_AS does not count, and with 32 KiB stacks 512 MiB holds some 12,000 of them (sample
        threads_past_nproc.py)."""
        for s in running:
            if s.exited or s.threads_exceeded or s.end_reason:
                continue
            if _thread_count(s.pid) > limits.NPROC_LIMIT:
                s.threads_exceeded = True
                _kill_group(s.pid)

    def _poll_exit(self, s: _Student, ready: list[int]) -> None:
        if s.exited:
            return
        if s.pidfd is not None:
            s.exited = s.pidfd in ready
        else:
            s.exited = _has_exited(s.pid)

    def _read_output(self, s: _Student, ready: list[int]) -> None:
        chunk = memoryview(self.w.chunk)
        for fd in [fd for fd in s.open_fds if fd in ready]:
            n = os.readv(fd, [chunk])
            if n == 0:
                os.close(fd)
                del s.open_fds[fd]
                continue
            try:
                s.streams[s.open_fds[fd]].take(chunk[:n])
            finally:
                # zeroed here, in the worker's own pages: `chunk` holds nothing when a student process is
                # forked, so no child writes its 64 KiB (39 page faults a child, counted in one)
                chunk[:n] = _ZERO_VIEW[:n]
        if s.streams["stdout"].total + s.streams["stderr"].total > self.hard_output and not s.output_exceeded:
            # stdout and stderr only: the set-up pipe carries one byte
            s.output_exceeded = True
            _kill_group(s.pid)

    def inherited(self) -> list[tuple[bytearray, int]]:
        """What a student process forked now would inherit of this job's earlier ones: their captured output
        and the harness's frames of the phases they served (each buffer with its written length)."""
        held = [(stream.buf, stream.kept) for s in self.students for stream in s.streams.values()]
        return held + [(piece, len(piece)) for piece in self.result]

    def wipe(self) -> None:
        """Overwrite every buffer that held this job's frames or output (the next job's student processes
        inherit this process's memory)."""
        for piece in self.result:
            frames.wipe(piece)
        for s in self.students:
            for stream in s.streams.values():
                self.w.buffers.give(stream.buf, stream.kept)
                stream.kept = 0

    def finish(self) -> None:
        """Kill and reap every student process, keeping what each one wrote."""
        for s in self.students:
            if not s.exited and not s.end_reason:
                stopped = s.timed_out or s.output_exceeded or s.files_exceeded or s.threads_exceeded
                stopped = stopped or bool(s.bytes_exceeded) or s.depth_exceeded
                s.ended_by_harness = not stopped
            _kill_group(s.pid)
            _, status, usage = os.wait4(s.pid, 0)
            s.reaped = True
            deadline = time.monotonic() + 1.0
            while s.open_fds and time.monotonic() < deadline:
                ready, _, _ = select.select(list(s.open_fds), [], [], 0.1)
                self._read_output(s, ready)
            for fd in list(s.open_fds):
                os.close(fd)
            s.open_fds.clear()
            if s.pidfd is not None:
                os.close(s.pidfd)
            if s.init >= 0:
                pid_namespace.end(s.init)  # the namespace ends: nothing the student left runs on
                s.init = -1
            s.status = {
                "exit_code": os.WEXITSTATUS(status) if os.WIFEXITED(status) else None,
                "signal": os.WTERMSIG(status) if os.WIFSIGNALED(status) else None,
                "cpu_seconds": usage.ru_utime + usage.ru_stime,
                "max_rss_kib": usage.ru_maxrss,
                "wall_seconds": time.monotonic() - s.started,
            }


def _phase_meta(s: _Student) -> dict[str, Any]:
    out_cap = s.streams["stdout"].cap
    return {
        "phase": s.phase,
        "serves": s.serves or [s.phase],
        **s.status,
        "timed_out": s.timed_out,
        "output_exceeded": s.output_exceeded,
        "files_exceeded": s.files_exceeded,
        "bytes_exceeded": s.bytes_exceeded,
        "depth_exceeded": s.depth_exceeded,
        "threads_exceeded": s.threads_exceeded,
        "ended_by_harness": s.ended_by_harness,
        "end_reason": s.end_reason,
        "killed_after_end": s.killed_after_end,
        "stdout_truncated": s.streams["stdout"].total > out_cap,
        "stderr_truncated": s.streams["stderr"].total > out_cap,
        "setup_ok": s.streams["setup"].total > 0,
    }


def _take_control_fds() -> tuple[int, int]:
    """Move the control pipes out of the way: stray prints go to stderr, never into the protocol."""
    ctrl_in = fcntl.fcntl(0, fcntl.F_DUPFD_CLOEXEC, _CONTROL_FD_MIN)
    ctrl_out = fcntl.fcntl(1, fcntl.F_DUPFD_CLOEXEC, _CONTROL_FD_MIN)
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    os.close(null)
    os.dup2(2, 1)
    return ctrl_in, ctrl_out


class HarnessNotStarted(RuntimeError):
    """The harness process could not set itself up: its own error (harness_process.main), for a TA."""

    def __init__(self, said: Mapping[str, Any]) -> None:
        error = said.get("error")
        if error:
            why = f"the grader's harness process could not set itself up ({error})"
        else:
            why = "the grader's harness process ended before it was ready, without saying why"
        super().__init__(why)  # the parent says what it means for the run (cli.SANDBOX_FAILED)
        self.detail = str(said.get("detail") or "")


def _start_harness(
    caps: confine.Capabilities, read_paths: list[str], harness_file: str | None
) -> tuple[socket.socket, int]:
    """Fork the harness before anything of a job exists; it imports the adapters itself, after the fork,
    so that the student processes forked later from this worker carry none of them."""
    ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
    pid = os.fork()
    if pid == 0:
        code = 0
        try:
            ours.close()
            keep = theirs.fileno()
            os.dup2(keep, _STUDENT_FD)
            os.closerange(_STUDENT_FD + 1, 1 << 16)
            from . import harness_process

            harness_process.main(_STUDENT_FD, caps, read_paths, harness_file)
        except BaseException:
            code = 1
            with contextlib.suppress(BaseException):
                traceback.print_exc()
        os._exit(code)
    theirs.close()
    return ours, pid


def main(argv: list[str], start_harness: Callable[..., tuple[socket.socket, int]] = _start_harness) -> None:
    """argv: SCRATCH_DIR [HARNESS_FILE]. Serves jobs until the parent closes stdin."""
    scratch_root = argv[0]
    harness_file = argv[1] if len(argv) > 1 else None
    ctrl_in, ctrl_out = _take_control_fds()
    here = os.path.dirname(os.path.abspath(__file__))
    try:
        # Before anything else is imported: as root this drops to its own uid in a private root that keeps
        # only pylib (sys.path[0], set by the bootstrap), this runtime and a test runner.
        keep = [sys.path[0], here, *filter(None, [harness_file])]
        achieved = privileges.establish(scratch_root, keep=keep)
        confine.make_undumpable()
        # Forked before numpy: each student process's PID namespace costs a fork of this small image.
        confined = achieved.isolation != "none"
        namespaces = pid_namespace.start(achieved.isolation != "bwrap") if confined else None
        unrooted = None  # why an ordinary user's worker has no private root (own_root.py), where it has none
        if achieved.isolation == "rlimits-unprivileged":
            # In the mount namespace of the user namespace of its own pid_namespace.start made, before its
            # scratch holds anything: the scratch becomes a tmpfs of the pool's quota.
            unrooted = (
                own_root.NO_PRIVATE_ROOT.format("no user namespace of the worker's own")
                if namespaces is None
                else own_root.enter(keep, scratch_root, achieved.scratch_quota_mib)
            )
            if unrooted is None:
                achieved = dataclasses.replace(achieved, private_root=True)
        # This worker's own directory for job directories (the root may be shared by a pool's workers):
        # empty between jobs, which is how a clean-up that failed is noticed.
        scratch_dir = scratch.make(scratch_root, "worker-")
        book_root = scratch.make(scratch_root, "book-")  # served stand-ins (Worker.served_folder)
        os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
        import numpy  # noqa: F401  (imported once here so that every child inherits it)

        caps = confine.probe(unconfined=achieved.isolation == "none")
        if unrooted:
            caps = dataclasses.replace(caps, notes=(*caps.notes, unrooted))
        # Before the harness's and any student's fork: /proc/self named a child's pid in our namespace (the
        # maker, forked above, keeps that /proc: no student process reaches it). Wherever the children see a
        # /proc: bubblewrap's, or the host's (rlimits-unprivileged: mounted with the CAP_SYS_ADMIN of the
        # worker's own user namespace, pid_namespace.start); a private root has none.
        unhidden = None
        if confined and not achieved.private_root:
            unhidden = proc_view.hide()
            if unhidden:
                caps = dataclasses.replace(caps, notes=(*caps.notes, unhidden))
        if achieved.isolation == "rlimits-unprivileged" and namespaces is not None:
            # made here, not by privileges.establish (which reported none): the user namespace of its own, and
            # the mount namespace of its private root or of proc_view.hide
            made = ("user", "mnt") if achieved.private_root or not unhidden else ("user",)
            achieved = dataclasses.replace(achieved, namespaces=made)
        folder_bytes = 0
        private_view = achieved.isolation == "bwrap" or achieved.private_root
        # Each student process's folder a tmpfs of the job's quota, where one can be had: where the scratch is
        # a file system of the worker's own (bubblewrap's /tmp, the private root's), its size; in
        # rlimits-unprivileged, the pool's quota. Never in the root fallback without a private root: its
        # scratch is a folder of the host's disk and it has no quota of its own, and a tmpfs sized by that
        # disk (or of size 0, unlimited) is that many bytes of memory (review32: size=252 GiB on a 23 GiB
        # machine, a student writing 600 MiB there).
        if not caps.unconfined and (private_view or achieved.isolation == "rlimits-unprivileged"):
            # The root fallback's private root: its user namespace of its own owns the new mount namespace
            # (pid_namespace.start). rlimits-unprivileged mounts in proc_view.hide's, owned by the same (a
            # less privileged copy of the host's: its mounts reach no other namespace).
            if namespaces is not None and achieved.private_root:
                folder_mounts.own_mount_namespace()
            size = folder_mounts.folder_size(scratch_dir, private_view, achieved.scratch_quota_mib)
            if folder_mounts.can_mount(scratch_dir, size):
                folder_bytes = size
        counted_bytes = 0
        if not caps.unconfined and not folder_bytes:  # said wherever it is not had: the root fallback
            # without a private root (a root container refusing namespaces, pivot_root refused) too
            caps = dataclasses.replace(caps, notes=(*caps.notes, folder_mounts.NOT_MOUNTED))
            if (
                not private_view
            ):  # the host's disk: no file system holds its folders to the quota, a count does
                counted_bytes = (achieved.scratch_quota_mib or 0) << 20
        read_paths = confine.runtime_read_paths([here], private_view=private_view)
        if not private_view and not caps.unconfined:
            # The host's disk, whose files' access times a student's reads moved (read_only_view.py): an
            # ordinary user's worker, or the root fallback, without a private root; in the mount namespace
            # proc_view.hide made, where it made one.
            writable = (
                read_only_view.NOT_READ_ONLY.format("no mount namespace of the worker's own")
                if unhidden
                else read_only_view.bind_read_only([os.path.dirname(os.__file__), *read_paths])
            )
            if writable:
                caps = dataclasses.replace(caps, notes=(*caps.notes, writable))
        # What both the harness and the student processes' server import (the failures a reply is read into
        # and written as, the wire and its codec, the missing-name words): imported once, here, so that the
        # harness forked below inherits them instead of importing them again beside this worker's server
        # stack, both on the path of a cold start that shares two cores with the parent's plan (~15 ms of the
        # harness's CPU, session 36). Nothing the student processes hold changes: the stack imports them all.
        from . import aliases, codec, failures, missing, spelling, unavailable, wire  # noqa: F401

        harness, harness_pid = start_harness(caps, read_paths, harness_file)
        # Checked after the harness's fork: once a namespace was joined, this process forks student
        # processes only (pid_namespace.py).
        if namespaces is not None and not namespaces.works():
            namespaces.close()
            namespaces = None
        if namespaces is None and not caps.unconfined:
            caps = dataclasses.replace(caps, notes=(*caps.notes, pid_namespace.UNAVAILABLE))
        # The student processes' server (nothing of the harness) is imported while the harness imports the
        # adapters: both stand between a cold start and the first job, and two cores take them at once.
        from . import audit, lazy_annotations, pickles, server, standins, student, unlisted  # noqa: F401

        student.remember_preloaded()
        lazy_annotations.remember_resolved()  # the runtime's import paths resolved once, not in each child
        if achieved.isolation != "none":  # unconfined, a student process may write the runtime's folders
            audit.remember_paths()  # sys.path's folders resolved and listed once, not in each child
        pickles.remember_numpy()  # numpy's data names read once, not in each child
        unlisted.remember(__name__.split(".", 1)[0])  # the runtime's names listed once, not in each child

        hello, _ = channel.recv_blob(harness, MAX_HEADER_BYTES)
        said = json.loads(hello) if hello is not None else {}
        if not said.get("ready"):
            raise HarnessNotStarted(said)
    except BaseException as err:
        ready = {
            "ready": False,
            "error": f"{type(err).__name__}: {err}",
            "detail": err.detail if isinstance(err, HarnessNotStarted) else traceback.format_exc(),
            "refused": isinstance(err, privileges.PrivilegeError),  # no confinement to be had: not a crash
        }
        frames.write_blob(ctrl_out, json.dumps(ready).encode())
        return
    ready = {
        "ready": True,
        "pid": os.getpid(),
        "harness_pid": harness_pid,
        "capabilities": caps.to_dict(),
        "privileges": achieved.to_dict(),
        "pid_namespaces": namespaces is not None,
    }
    frames.write_blob(ctrl_out, json.dumps(ready).encode())
    try:
        own_scratch = (bool(private_view) and not caps.unconfined) or bool(folder_bytes)
        bwrap = achieved.isolation == "bwrap"
        Worker(scratch_dir, caps, read_paths, ctrl_in, ctrl_out, harness, harness_pid,
               own_scratch or bool(counted_bytes), bwrap, book_root, namespaces, folder_bytes,
               counted_bytes).serve()  # fmt: skip
    finally:  # a garbled request from the parent ends the worker too: never with its harness orphaned
        _end_harness(harness, harness_pid)
        if namespaces is not None:
            namespaces.close()
        scratch.remove(book_root)


def _end_harness(harness: socket.socket, pid: int) -> None:
    """Close the harness's socket and reap it before this worker exits: it leaves when it reads the end of
    its socket. A worker leaves no process of its own behind, and the harness's CPU time then counts among
    the worker's children, where the parent's accounting (bench.cpu) finds it (an orphan's never does)."""
    harness.close()
    deadline = time.monotonic() + HARNESS_EXIT_SECONDS
    while time.monotonic() < deadline:
        if os.waitpid(pid, os.WNOHANG)[0]:
            return
        time.sleep(0.002)
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)
