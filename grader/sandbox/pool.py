"""A pool of sandboxed fork-server workers.

Workers are started with `subprocess.Popen` (exec: this process's memory, which holds expected values, never
reaches a worker), each in its own process group. A worker serves one job at a time; a worker that dies,
answers garbage or misses the backstop deadline (wall limit + margin) is killed with its whole group and
replaced, and its job is reported as `crashed`. `fresh=True` starts a new worker for every job: the
benchmark baseline.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import os
import queue
import select
import signal
import struct
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, Literal

from grader.inside import scratch as scratch_folders
from grader.inside.frames import blob_parts, write_parts

from . import machine, stale_scratch, uid_block
from .bwrap import BWRAP, SANDBOX_UID, bwrap_command
from .calls import OneThread
from .caps import MAX_HEADER_BYTES, RESULT_CAP_BYTES, FrameLimits
from .interrupt import POLL_SECONDS, DeferredInterrupt
from .job_json import harness_json
from .layout import SCRATCH_MIB, SCRATCH_MIB_RANGE, host_layout, python_argv, worker_env
from .runtime_pycs import compile_runtime, remove_orphans

if TYPE_CHECKING:  # numpy comes with these: imported where used, so that a worker starts before it is paid
    from grader.model import Confinement, RunResult

    from .result import Isolation, Reply

BACKSTOP_MARGIN_SECONDS = 5.0
# The harness may finish reading a student process's last reply after that process's deadline (the
# worker's backstop follows each process's deadline: grader/inside/worker.py _Job.backstop); reading a
# capped reply takes well under this, per phase.
LATE_REPLY_SECONDS = 2.0
START_TIMEOUT_SECONDS = 60.0
REQUESTS = ("auto", "bwrap", "rlimits", "none")
# What each achieved isolation asks its workers for (grader/inside/privileges.py), and what it tells people.
WORKER_REQUEST: dict[Isolation, str] = {
    "bwrap": "bwrap",
    "rlimits-root-dropped": "rlimits",
    "rlimits-unprivileged": "rlimits",
    "none": "none",
}
NOTES: dict[Isolation, tuple[str, ...]] = {
    "bwrap": (),
    "rlimits-root-dropped": (
        "bubblewrap is not in use: workers run as root dropped to a uid each without capabilities, with "
        "rlimits, Landlock and a seccomp allow-list, in a private root and namespaces where the kernel "
        "allows them (each student process in a PID namespace of its own where one can be made).",
    ),
    "rlimits-unprivileged": (
        "bubblewrap is not in use: student code runs as the grader's own user, confined by rlimits, "
        "Landlock and a seccomp allow-list, in the host's network and IPC namespaces; where user "
        "namespaces are allowed, each student process in a PID namespace of its own with a folder of its "
        "own in memory of the scratch's size, in a private root like the root fallback's (no /proc, no "
        "path of the host but the runtime) where the kernel lets one be built, else in the host's file "
        "system (a note below says so); with no user namespace, in the host's file system. Grade untrusted "
        "code where bwrap works, or as root.",
    ),
    "none": (
        "ISOLATION NONE: student code runs UNCONFINED, with every right of the user running the grader (no "
        "privilege drop, no namespaces, no Landlock, no seccomp; resource limits only). Only for code you "
        "trust.",
    ),
}
REFUSAL = (
    "refusing to grade: no working sandbox here. {why}. Ways out: install bubblewrap where unprivileged user "
    "namespaces are allowed (isolation bwrap), run the grader as root so that the fallback can drop to an "
    "unprivileged uid (rlimits-root-dropped), or, for code you trust only, --isolation none "
    "(GRADER_ISOLATION=none)."
)
_LENGTH = struct.Struct(">I")
MAX_PHASES = 8  # a job has at most four; the harness may restart none


class SandboxError(RuntimeError):
    """The sandbox cannot be used at all (bwrap demanded but unusable, a worker that cannot start)."""


class MachineError(SandboxError):
    """This machine cannot start a worker as configured (machine.py): `config` when a setting is to change (a
    missing program: the command's usage exit), else a resource to free. Never the grader's fault."""

    def __init__(self, message: str, *, config: bool) -> None:
        super().__init__(message)
        self.config = config


class BwrapRefused(MachineError):
    """bwrap stopped before the worker's Python ran (no user namespaces here): `why` is what it said."""

    def __init__(self, why: str) -> None:
        super().__init__(machine.BWRAP_REFUSED.format(why=why), config=True)
        self.why = why


class IsolationRefused(SandboxError):
    """No confinement worth the name can be had here: grading is refused (REFUSAL says why and what to do)."""


_STANDINS_JSON: dict[int, tuple[Any, bytes]] = {}  # id -> (the served stand-in files, their JSON)


def _standins_json(files: Any) -> bytes:
    """The served stand-in files of a run (RunPlan.served_standins: one dict for every job) as JSON, encoded
    once a run; the dict is held so that its id is never reused while kept."""
    hit = _STANDINS_JSON.get(id(files))
    if hit is None or hit[0] is not files:
        if len(_STANDINS_JSON) >= 8:
            _STANDINS_JSON.clear()
        hit = (files, json.dumps(files).encode())
        _STANDINS_JSON[id(files)] = hit
    return hit[1]


class _WorkerLost(Exception):
    pass


# At most this much per os.read, which allocates all it is asked for before the pipe hands over its piece.
_MAX_READ = 1 << 20


class _Reader:
    """The worker's output, read in large pieces: a reply is several blobs written at once, which one read
    usually takes whole (a select and a read per field cost ~24 system calls a job)."""

    def __init__(self, fd: int) -> None:
        self.fd = fd
        self._buf = bytearray()

    def exact(self, size: int, deadline: float) -> bytes:
        while len(self._buf) < size:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise _WorkerLost("the worker missed the backstop deadline")
            ready, _, _ = select.select([self.fd], [], [], remaining)
            if not ready:
                continue
            data = os.read(self.fd, min(max(size - len(self._buf), 1 << 16), _MAX_READ))
            if not data:
                raise _WorkerLost("the worker closed its output")
            self._buf += data
        with memoryview(self._buf) as view:  # one copy of a result of up to 32 MiB, not two
            out = bytes(view[:size])
        del self._buf[:size]
        return out

    def blob(self, cap: int, deadline: float) -> bytes:
        (size,) = _LENGTH.unpack(self.exact(_LENGTH.size, deadline))
        if size > cap:
            raise _WorkerLost(f"the worker announced {size} bytes (cap {cap})")
        return self.exact(size, deadline)


def _once(action: Callable[[], None]) -> Callable[[], None]:
    """`action`, run by the first call only."""
    pending = [action]

    def run() -> None:
        if pending:
            pending.pop()()

    return run


class _Worker:
    """One fork-server process and its control pipes."""

    def __init__(
        self,
        argv: list[str],
        env: Mapping[str, str],
        cwd: str,
        on_close: Callable[[], None] | None = None,
        on_popen: Callable[[], None] | None = None,
    ) -> None:
        self._on_close = on_close  # called once, when the worker has ended (its folder given back)
        self._stderr: IO[bytes] = tempfile.TemporaryFile()  # noqa: SIM115 (closed in close())
        try:
            self.proc = subprocess.Popen(
                argv,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=self._stderr,
                env=dict(env),
                cwd=cwd,
                start_new_session=True,
            )
        except OSError as err:  # a missing program, no memory or process left: the machine's, in one line
            self._stderr.close()
            message, config = machine.popen_failure(argv[0], err)
            raise MachineError(message, config=config) from None
        if on_popen is not None:  # the process exists: its start no longer needs this interpreter's lock
            on_popen()
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self._in, self._out = self.proc.stdin.fileno(), self.proc.stdout.fileno()
        self._reader = _Reader(self._out)
        try:
            ready = json.loads(self._reader.blob(MAX_HEADER_BYTES, time.monotonic() + START_TIMEOUT_SECONDS))
        except (_WorkerLost, ValueError) as err:
            stderr = self.stderr_tail()  # before kill(), which closes it
            self.kill()
            refusal = machine.bwrap_refusal(argv[0], stderr)
            if refusal is not None:  # this machine's setting, said in one line with what to do
                raise BwrapRefused(refusal) from None
            raise SandboxError(f"a sandbox worker did not start: {err}; its stderr: {stderr}") from None
        if not ready.get("ready"):
            self.kill()
            if ready.get("refused"):
                why = str(ready.get("error")).removeprefix("PrivilegeError: ")
                raise IsolationRefused(REFUSAL.format(why=why))
            raise SandboxError(
                f"a sandbox worker failed to start: {ready.get('error')}\n{ready.get('detail', '')}"
            )
        self.capabilities: dict[str, Any] = ready.get("capabilities", {})
        self.privileges: dict[str, Any] = ready.get("privileges", {})

    def stderr_tail(self, size: int = 2000) -> str:
        self._stderr.seek(0, os.SEEK_END)
        self._stderr.seek(max(0, self._stderr.tell() - size))
        return self._stderr.read().decode("utf-8", "replace")

    @property
    def alive(self) -> bool:
        return self.proc.poll() is None

    def replied(self) -> bool:
        """Whether the worker's reply (or its end) is there to read: `receive` would not wait."""
        return bool(select.select([self._out], [], [], 0)[0])

    def send(self, job: Mapping[str, Any], limits: Mapping[str, Any]) -> None:
        phases = len(job["harness"].get("phases", []))
        header = json.dumps({"job_id": job["job_id"], "limits": limits, "phases": phases}).encode()
        if job.get("standins"):  # the run's one dict, encoded once (~45 us a job otherwise)
            header = header[:-1] + b', "standins": ' + _standins_json(job["standins"]) + b"}"
        parts = (header, json.dumps(job["student"]).encode(), harness_json(job["harness"]))
        try:
            write_parts(self._in, [piece for blob in parts for piece in blob_parts(blob)])
        except OSError as err:
            raise _WorkerLost(f"the worker stopped reading jobs: {err}") from None

    def receive(self, deadline: float, output_cap: int) -> Reply:
        from .result import Reply

        try:
            meta = json.loads(self._reader.blob(MAX_HEADER_BYTES, deadline))
        except ValueError as err:
            raise _WorkerLost(f"the worker sent an unreadable reply: {err}") from None
        frames = self._reader.blob(RESULT_CAP_BYTES, deadline)
        phases = meta.get("phases") if isinstance(meta, dict) else None
        if not isinstance(phases, list) or len(phases) > MAX_PHASES:
            raise _WorkerLost("the worker sent a reply without its phases")
        outputs = tuple(
            (self._reader.blob(output_cap, deadline), self._reader.blob(output_cap, deadline)) for _ in phases
        )
        return Reply(meta, frames, outputs)

    def kill(self) -> None:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.proc.pid, signal.SIGKILL)
        self.close()

    def end_input(self) -> None:
        """The end of the worker's jobs: it reaps its harness and exits on its own; close() waits for it."""
        with contextlib.suppress(OSError):
            if self.proc.stdin is not None:
                self.proc.stdin.close()

    def close(self) -> None:
        for stream in (self.proc.stdin, self.proc.stdout):
            try:
                if stream is not None:
                    stream.close()
            except OSError:
                pass
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()
        self._stderr.close()
        done, self._on_close = self._on_close, None
        if done is not None:
            done()


def _retired(reply: Reply) -> bool:
    """The worker cannot serve the next student as it served this one: its harness died (during the job or
    after it) or its scratch is dirty."""
    meta = reply.meta
    return bool(meta.get("harness_lost") or meta.get("retire") or not meta.get("scratch_ok", True))


def _spoilt_by_sandbox(reply: Reply) -> bool:
    """The harness died, or a student process could not even be set up: not the student's doing."""
    phases = reply.meta.get("phases") or []
    setup_failed = any(isinstance(p, dict) and not p.get("setup_ok") for p in phases)
    return bool(reply.meta.get("harness_lost")) or setup_failed


class _Cancel:
    """One map's way to cut short the jobs its lanes are running (Ctrl-C, or a caller that stopped reading):
    the workers serving them are killed, so that the map need not wait for a student's infinite loop to
    reach its wall limit, and none of them is retried. Only the signal is sent from here: the lane reading
    from a worker sees the end of its reply and closes the pipes itself. Per map, so that one map's Ctrl-C
    touches no job of another map's or of a `run` on the same pool."""

    def __init__(self) -> None:
        self.cut = False
        self._busy: set[_Worker] = set()
        self._lock = threading.Lock()

    def served(self, worker: _Worker, deadline: float, output_cap: int) -> Reply:
        """The worker's reply, while `cut_short` can find the worker to kill."""
        with self._lock:
            self._busy.add(worker)
        try:
            if self.cut:
                raise _WorkerLost("cut short (Ctrl-C) before the job ran")
            return worker.receive(deadline, output_cap)
        finally:
            with self._lock:
                self._busy.discard(worker)

    def cut_short(self) -> None:
        self.cut = True
        with self._lock:
            busy = list(self._busy)
        for worker in busy:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(worker.proc.pid, signal.SIGKILL)


class SandboxPool:
    """Runs jobs in sandboxed fork-server workers: `.run(job)` for one, `.map(jobs)` for many in parallel."""

    def __init__(
        self,
        jobs: int | None = None,
        isolation: Literal["auto", "bwrap", "rlimits", "none"] = "auto",
        *,
        fresh: bool = False,
        runner_file: Path | None = None,
        frame_limits: FrameLimits | None = None,
        scratch_mib: int = SCRATCH_MIB,
        on_first_popen: Callable[[], None] | None = None,
        on_first_send: Callable[[Callable[[], bool]], None] | None = None,
    ) -> None:
        """`runner_file` is for the sandbox's own tests only: a fake runner in place of `inside.runner`.
        `scratch_mib` sizes each worker's scratch file system where it has one of its own (bwrap, and the
        fallback run as root with a private root), the room every job of that worker writes in, and each
        student process's folder, a tmpfs of its own wherever one can be mounted (rlimits-unprivileged too).
        `on_first_popen` is called once, from the spawning thread, as soon as the first worker's process
        exists (before it is ready): a cold `check` starts its plan then (commands._plan_and_pool).
        `on_first_send` is called once, on the thread that runs the pool's first job, as soon as that job is
        written to its worker and before its reply is read, with a function telling whether the reply has
        arrived: a cold `check` imports what judging uses while its job runs (commands._plan_and_pool)."""
        low, high = SCRATCH_MIB_RANGE
        if not low <= scratch_mib <= high:
            raise SandboxError(f"the scratch size must be {low} to {high} MiB, not {scratch_mib}")
        self.scratch_mib = scratch_mib
        from grader.settings import usable_cpus  # the CPUs this process may use (taskset, a cpuset)

        self.jobs = max(1, jobs or usable_cpus())
        self.fresh = fresh
        self.frame_limits = frame_limits or FrameLimits()
        self._runner_file = runner_file.resolve() if runner_file else None
        self.isolation: Isolation = self._choose(isolation)
        self.notes: tuple[str, ...] = NOTES[self.isolation]
        self.isolation_notes: tuple[str, ...] = ()  # those of `notes` each report carries (RunResult's)
        self.workers_started = 0
        # Each worker of the fallback run as root drops to a uid of its own (uid_block.py: layout.SANDBOX_UIDS
        # where mapped), taken in turn from a random start: the kernel counts RLIMIT_NPROC per uid, so
        # workers sharing one let a student's threads leave another worker's student none. Random, so that
        # two pools of the machine (two batches, a batch and a `grade`) rarely share one either.
        self._uid_block = uid_block.UidChoice(range(0))  # chosen once the isolation is known (bwrap may fail)
        self._uids = itertools.count(int.from_bytes(os.urandom(2), "big"))  # uniform below 1 << 16
        self._idle: list[_Worker] = []
        self._ending: list[_Worker] = []  # told to exit (end_input), reaped by close()
        self._lock = threading.Lock()
        self._scratch: str | None = None
        self._scratch_lock: int | None = None  # held while the scratch lives: no sweep removes it (hold)
        # The workers' folders in the scratch and how many live workers use each: removed when the last ends
        # (with fresh=True, a folder per job stayed until the pool closed). A lock of its own: workers end
        # under self._lock too.
        self._folders: dict[str, int] = {}
        self._folders_lock = threading.Lock()
        # bwrap's --die-with-parent (PR_SET_PDEATHSIG) fires when the *thread* that started the worker exits,
        # not the process. Workers are shared between map()'s lane threads, which end at different times, so
        # every worker is started from this one long-lived thread instead.
        self._spawner = OneThread("sandbox-spawn")
        self._closed = False
        self._on_first_popen = on_first_popen
        self._on_first_send = on_first_send
        # Workers never write bytecode (`python -B`, a read-only runtime): where a module's pyc is missing or
        # stale, each of them would compile it again. ~1 ms when every pyc is there (runtime_pycs.py).
        # And a module's bytecode left after its source moved out (the stand-in's full common/layers.py) is
        # removed: the runtime is readable by every student process.
        with contextlib.suppress(OSError):
            remove_orphans(host_layout().inside_dir)
        with contextlib.suppress(OSError):  # apart: a failed removal never skips the compiling
            compile_runtime(host_layout().inside_dir)
        with contextlib.suppress(OSError):  # what killed pools left behind (stale_scratch.py)
            stale_scratch.remove_stale()
        if self.isolation == "bwrap":
            self._start_first_bwrap_worker(fallback=isolation == "auto")
        if self.isolation == "rlimits-root-dropped":
            self._uid_block = uid_block.for_this_process()
            self.isolation_notes = tuple(filter(None, [self._uid_block.note]))
            self.notes = (*self.notes, *self.isolation_notes)
        if self.isolation != "bwrap":
            self._scratch = self._make_scratch()
            self._scratch_lock = stale_scratch.hold(self._scratch)
            if not fresh:  # the first worker proves the fallback works here, or the pool is refused
                self._start_first_worker()

    @property
    def confinement(self) -> Confinement:
        """The isolation and the notes every report of this pool's carries, runs that never happened too."""
        from grader.model import Confinement

        return Confinement(self.isolation, self.isolation_notes)

    @staticmethod
    def _fallback() -> Isolation:
        return "rlimits-root-dropped" if os.geteuid() == 0 else "rlimits-unprivileged"

    @classmethod
    def _choose(cls, isolation: str) -> Isolation:
        """`auto` is bwrap where installed (its first worker proves it works), else the rlimits fallback;
        never `none`, which must be asked for."""
        if isolation not in REQUESTS:
            raise SandboxError(f"unknown isolation {isolation!r}: use one of {', '.join(REQUESTS)}")
        if isolation == "none":
            return "none"
        if isolation == "rlimits":
            return cls._fallback()
        if os.access(BWRAP, os.X_OK):
            return "bwrap"
        if isolation == "bwrap":
            raise MachineError(machine.INSTALL_BWRAP.format(path=BWRAP), config=True)
        return cls._fallback()

    def _start_first_worker(self) -> None:
        try:
            self._idle.append(self._start())
        except SandboxError:
            self._spawner.shutdown()
            self._remove_scratch()
            raise

    def _start_first_bwrap_worker(self, *, fallback: bool) -> None:
        """The first worker doubles as the probe of whether bwrap works here (a separate probe would cost
        one more sandboxed Python start, ~0.1 s, on every `grader check`)."""
        try:
            self._idle.append(self._start())
        except SandboxError as err:
            # A machine out of memory or processes (ENOMEM, EAGAIN) is no unusable bwrap: the fallback, which
            # needs the same, would have graded a whole batch confined less for a passing shortage.
            short = isinstance(err, MachineError) and not err.config
            if not fallback or short:
                self._spawner.shutdown()
                if isinstance(err, MachineError):  # the machine's to fix: said as it is
                    raise
                raise SandboxError(f"isolation 'bwrap' was requested but is unusable here: {err}") from None
            self.isolation = self._fallback()
            why = err.why if isinstance(err, BwrapRefused) else str(err)
            self.notes = (*NOTES[self.isolation], f"bwrap is installed but unusable here: {why}")

    @staticmethod
    def _make_scratch() -> str:
        """A private dir holding pylib/, numpy and nothing else (the worker's whole sys.path), and the
        parents of the job directories that _worker_dir makes as workers start.

        Run as root, the workers drop to a uid each (uid_block.py), each with its own work-UID/: the dir
        itself is root's, group 65534, mode 710, so that they can reach their work-UID/ and pylib/ but rename
        or add nothing, and no other user can enter. (A worker with a private root mounts its own tmpfs over
        its work-UID/ anyway.)
        """
        scratch = stale_scratch.make()  # its maker in a file: a student process's path shows none of it
        layout = host_layout()
        pylib = os.path.join(scratch, "pylib")
        os.mkdir(pylib, 0o755)
        os.symlink(layout.numpy_dir, os.path.join(pylib, "numpy"))
        if layout.numpy_libs is not None:
            os.symlink(layout.numpy_libs, os.path.join(pylib, "numpy.libs"))
        if os.geteuid() == 0:
            os.chown(scratch, 0, SANDBOX_UID)
            os.chmod(scratch, 0o710)
        return scratch

    def _remove_scratch(self) -> None:
        if self._scratch is not None:
            # Without recursion, whatever a student left there (a job cut short leaves its folder: a chain of
            # thousands of folders, chmod 000), as the worker removes its jobs' (grader/inside/scratch.py)
            scratch_folders.remove(self._scratch)
            self._scratch = None
        if self._scratch_lock is not None:
            os.close(self._scratch_lock)
            self._scratch_lock = None

    # ------------------------------------------------------------ workers

    def _start(self) -> _Worker:
        return self._spawner.run(self._spawn)

    def _spawn(self) -> _Worker:
        layout = host_layout()
        on_popen, self._on_first_popen = self._on_first_popen, None  # the spawner is one thread: no race
        if self.isolation == "bwrap":
            argv = bwrap_command(layout, scratch_mib=self.scratch_mib, runner_file=self._runner_file)
            worker = _Worker(argv, {}, "/", on_popen=on_popen)
        else:
            assert self._scratch is not None
            uid = self._next_uid()
            work = self._take_folder(uid)
            pylib = os.path.join(self._scratch, "pylib")
            runner = str(self._runner_file) if self._runner_file else None
            argv = python_argv(layout.python, str(layout.inside_dir), pylib, work, runner)
            env = worker_env(WORKER_REQUEST[self.isolation], self.scratch_mib, uid)
            give_back = _once(lambda: self._give_back_folder(work))
            try:
                worker = _Worker(argv, env, work, on_close=give_back, on_popen=on_popen)
            except BaseException:  # started or not, the worker is gone: its folder too
                give_back()
                raise
        achieved = worker.privileges.get("isolation")
        if achieved != self.isolation:  # the worker's own proof, read back from the kernel at its start
            worker.kill()
            raise SandboxError(f"a sandbox worker achieved isolation {achieved!r}, not {self.isolation!r}")
        with self._lock:
            self.workers_started += 1
            notes = [*worker.capabilities.get("notes", ()), *worker.privileges.get("notes", ())]
            self.notes = tuple(dict.fromkeys((*self.notes, *notes)))
        return worker

    def _next_uid(self) -> int | None:
        """The uid the next worker drops to, where it drops (run as root, not bwrap): none twice in a row
        of the block's starts (65,536; one uid, 65534, where the user namespace maps no block)."""
        if self.isolation != "rlimits-root-dropped":
            return None
        uids = self._uid_block.uids
        with self._lock:
            return uids[next(self._uids) % len(uids)]

    @staticmethod
    def _worker_dir(scratch: str, uid: int | None) -> str:
        """The parent of a worker's job directories: work/ (the grader's own user's, mode 700), or for a
        worker dropping from root a work-UID/ of its uid's, group 65534, mode 700 (the worker's
        private root mounts its tmpfs there; a root container without one writes there itself, where no
        other worker may)."""
        path = os.path.join(scratch, "work" if uid is None else f"work-{uid}")
        os.makedirs(path, 0o700, exist_ok=True)  # there already once the pool has gone round the block
        if uid is not None:
            os.chown(path, uid, SANDBOX_UID)
        return path

    def _take_folder(self, uid: int | None) -> str:
        assert self._scratch is not None
        with self._folders_lock:
            try:
                path = self._worker_dir(self._scratch, uid)
            except OSError as err:  # an unmapped uid (EINVAL), a full disk: a refusal, not a traceback
                raise SandboxError(f"a sandbox worker's scratch could not be made: {err}") from None
            self._folders[path] = self._folders.get(path, 0) + 1
            return path

    def _give_back_folder(self, path: str) -> None:
        """A worker using `path` has ended: the folder goes with the last of them (a student process without
        a private root left its files there)."""
        with self._folders_lock:
            left = self._folders.pop(path) - 1
            if left:
                self._folders[path] = left
            else:
                scratch_folders.remove(path)

    def _acquire(self) -> _Worker:
        with self._lock:
            if self._closed:
                raise SandboxError("the sandbox pool is closed")
            while self._idle:
                worker = self._idle.pop()
                if worker.alive:
                    return worker
                worker.close()
        return self._start()

    def _release(self, worker: _Worker) -> None:
        if self.fresh or not worker.alive:
            worker.close()
            return
        with self._lock:
            if self._closed:
                worker.close()
            else:
                self._idle.append(worker)

    # ------------------------------------------------------------ jobs

    def run(self, job: Mapping[str, Any]) -> RunResult:
        """Run one job; a job spoilt by the sandbox itself (not by the student) is run again on a fresh worker
        before anything is reported, so "not your fault" is said only when it is true twice over."""
        return self._run(job, _Cancel())  # a cancel of its own, which nothing cuts

    def _run(self, job: Mapping[str, Any], cancel: _Cancel) -> RunResult:
        """`run`, for one map's lane with that map's cancel: cut short by it, a job is not retried; with the
        pool's isolation notes."""
        result = self._run_once_or_twice(job, cancel)
        if not self.isolation_notes:  # the usual case: the result as built, its text not cleaned again
            return result
        import dataclasses  # not before the worker's Popen (caps.FrameLimits says why)

        return dataclasses.replace(result, isolation_notes=self.isolation_notes)

    def _run_once_or_twice(self, job: Mapping[str, Any], cancel: _Cancel) -> RunResult:
        from .result import build_run_result, job_limits, lost_worker_result

        limits = job_limits(job)
        started = time.monotonic()
        phases = max(1, len(job["harness"].get("phases", [])))
        result: RunResult | None = None
        for attempt in (1, 2):
            if cancel.cut and result is not None:
                break  # cut short by Ctrl-C or an early close: nobody waits for a retry
            worker = self._acquire()
            try:
                worker.send(job, limits.to_dict())
            except _WorkerLost:
                worker.kill()
                if attempt == 2:
                    raise SandboxError("sandbox workers die before accepting a job") from None
                continue  # the job never reached this worker: retry once on a fresh one
            self._sent(worker)
            deadline = (
                time.monotonic()
                + phases * (limits.wall_seconds + LATE_REPLY_SECONDS)
                + 2 * BACKSTOP_MARGIN_SECONDS
            )
            try:
                reply = cancel.served(worker, deadline, limits.output_kib << 10)
            except _WorkerLost as err:
                stderr = worker.stderr_tail()
                worker.kill()
                why = f"{err}; worker exit status {worker.proc.returncode}; stderr: {stderr}"
                result = lost_worker_result(job, self.isolation, why, time.monotonic() - started)
                continue
            if _retired(reply):
                worker.kill()  # it cannot serve the next student as it served this one
            else:
                self._release(worker)
            result = build_run_result(
                job, reply, self.isolation, time.monotonic() - started, self.frame_limits
            )
            if not _spoilt_by_sandbox(reply):
                return result
        assert result is not None
        return result

    def _sent(self, worker: _Worker) -> None:
        """The pool's first job is with its worker: `on_first_send`, once, while the job runs."""
        with self._lock:
            meanwhile, self._on_first_send = self._on_first_send, None
        if meanwhile is not None:
            meanwhile(worker.replied)

    def map(
        self, jobs: Iterable[Mapping[str, Any]], *, last: bool = False
    ) -> Iterator[tuple[str, RunResult]]:
        """Run jobs on up to `self.jobs` workers at once; yield (job_id, result) in completion order.

        Jobs are pulled from `jobs` lazily, on a thread of their own, at most `self.jobs` + 1 ahead of the
        workers, so the caller may load submissions on demand. An exception `jobs` raises is raised here
        after the results of the jobs it gave before it. Ctrl-C or closing the map early does not wait for a
        job being built: the generator may still be running its build on that thread when this returns.
        `last`: these are the pool's last jobs; a lane that finds none left tells the idle workers to exit
        (`end_workers`) while the caller still handles the results it was given: a `grader check` judges
        its one submission while its worker leaves, instead of waiting for that exit in close().
        """
        cancel = _Cancel()
        source = iter(jobs)
        # Jobs are built ahead (one a lane waiting, one more being built): the caller's generator (the
        # submission read, scanned and compiled) runs on its own thread while the workers run the jobs before
        # it, and a lane whose worker has replied sends its next job at once. Built by the lane itself, after
        # the reply, each job kept its worker idle for the build and for the GIL the caller's judging held.
        ready: queue.Queue[Mapping[str, Any] | None] = queue.Queue(maxsize=self.jobs)
        results: queue.Queue[tuple[str, Any]] = queue.Queue(maxsize=2 * self.jobs)
        stop = threading.Event()

        def put(item: tuple[str, Any]) -> None:
            while not stop.is_set():
                try:
                    results.put(item, timeout=0.1)
                    return
                except queue.Full:
                    continue

        def hand(job: Mapping[str, Any] | None) -> bool:
            while not stop.is_set():
                try:
                    ready.put(job, timeout=0.1)
                    return True
                except queue.Full:
                    continue
            return False

        def take() -> Mapping[str, Any] | None:
            while not stop.is_set():
                try:
                    return ready.get(timeout=0.1)
                except queue.Empty:
                    continue
            return None

        failed: list[BaseException] = []

        def build() -> None:
            try:
                for job in source:
                    if not hand(job):
                        return
            except BaseException as err:
                # Raised in the caller's thread in its place: after the result of every job built before it,
                # those running and those waiting for a lane. Put among the results at once, it had the
                # caller cut short the runs under way and drop the rest (review of s22-speed, 6).
                failed.append(err)
            finally:
                hand(None)  # no more: each lane hands it on to the next

        def lane() -> None:
            try:
                while not stop.is_set():
                    job = take()
                    if job is None:
                        hand(None)
                        if last:
                            self.end_workers()
                        break
                    put(("result", (job["job_id"], self._run(job, cancel))))
            except BaseException as err:  # surfaced in the caller's thread
                put(("error", err))
            finally:
                put(("end", None))

        builder = threading.Thread(target=build, name="sandbox-build", daemon=True)
        threads = [threading.Thread(target=lane, daemon=True) for _ in range(self.jobs)]
        running = len(threads)
        # Ctrl-C is raised below, never in the caller's code between two results (grader/sandbox/interrupt.py)
        with DeferredInterrupt() as interrupt:
            try:
                # Started in here: a Ctrl-C as they start is deferred too, and the `finally` stops them.
                # Started before, a Ctrl-C in between left them running with nothing to stop them (a lane
                # then waited for ever to put its result).
                for t in [builder, *threads]:
                    t.start()
                while running:
                    interrupt.check()
                    try:
                        kind, value = results.get(timeout=POLL_SECONDS)
                    except queue.Empty:
                        continue
                    if kind == "end":
                        running -= 1
                    elif kind == "error":
                        raise value
                    else:
                        yield value
                if failed:
                    raise failed[0]
                builder.join()  # it handed the end of the jobs every lane took: it is leaving
            except BaseException:  # Ctrl-C, or a caller that stopped early (GeneratorExit): the rest unwanted
                cancel.cut_short()
                raise
            finally:
                stop.set()
                # The lanes are waited for (their workers are killed, they end at once); the builder is not:
                # it may be inside the caller's generator, reading a large submission or waiting for a lock
                # the caller holds, and Ctrl-C or an early close waited for that build (review of s22-speed,
                # 7). Once `stop` is set it hands nothing more, and it ends with the build (a daemon thread).
                for t in threads:
                    if t.ident is not None:  # started
                        t.join()

    # ------------------------------------------------------------ lifetime

    def end_workers(self) -> None:
        """Tell every idle worker to exit, without waiting for it (close() reaps it). A job after this starts
        a fresh worker."""
        with self._lock:
            idle, self._idle = self._idle, []
            self._ending += idle
        for worker in idle:
            worker.end_input()

    def close(self) -> None:
        with self._lock:
            self._closed = True
            idle, self._idle = self._idle, []
            ending, self._ending = self._ending, []
        for worker in ending + idle:
            worker.close()
        self._spawner.shutdown(wait=True)
        self._remove_scratch()

    def __enter__(self) -> SandboxPool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
