"""The in-sandbox fork server: import once, then fork one confined child per job and supervise it.

Control protocol (parent <-> worker, on the worker's original stdin/stdout, see docs/SANDBOX.md):
- at start the worker sends one blob: JSON {"ready": true, "pid", "capabilities", "privileges"} or
  {"ready": false, "error", "detail", "refused"};
- a job is two blobs: JSON header {"job_id", "limits"} and the job JSON itself (docs/ARCHITECTURE.md 4);
- the reply is four blobs: JSON meta, then the raw result-pipe bytes, stdout and stderr (each capped).
The worker parses only the header: the job body is parsed by the child. Every buffer that held a submission's
bytes is wiped after the reply, so the next child, which inherits this process's memory, finds none of it.
Expected values never come here: the parent never sends them.
"""

from __future__ import annotations

import contextlib
import fcntl
import importlib
import importlib.util
import json
import mmap
import os
import select
import shutil
import signal
import sys
import tempfile
import time
import traceback
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any

from . import confine, frames, privileges

MAX_HEADER_BYTES = 64 << 10
MAX_JOB_BYTES = 256 << 20
RESULT_CAP_BYTES = 32 << 20
OUTPUT_HARD_CAP_FACTOR = 64
_CHUNK = 64 << 10
_CONTROL_FD_MIN = 10


@dataclass
class _Stream:
    """One capture pipe: the first `cap` bytes are kept in a preallocated buffer, the rest only counted."""

    fd: int
    cap: int
    buf: mmap.mmap = field(init=False)
    kept: int = 0
    total: int = 0

    def __post_init__(self) -> None:
        # Anonymous pages: zero-filled lazily by the kernel and returned to it on close, so a large cap costs
        # nothing up front and leaves no copy in this process's heap.
        self.buf = mmap.mmap(-1, max(self.cap, 1))

    def take(self, chunk: memoryview) -> None:
        room = self.cap - self.kept
        if room > 0:
            n = min(room, len(chunk))
            self.buf[self.kept : self.kept + n] = chunk[:n]
            self.kept += n
        self.total += len(chunk)

    @property
    def view(self) -> memoryview:
        return memoryview(self.buf)[: self.kept]


def _kill_group(pid: int) -> None:
    for kill in (os.killpg, os.kill):
        with contextlib.suppress(ProcessLookupError, PermissionError):
            kill(pid, signal.SIGKILL)


def _remove_tree(path: str) -> None:
    """Remove a job directory even where the child removed permissions; never follow its symlinks."""
    for root, dirs, _ in os.walk(path):
        for d in dirs:
            full = os.path.join(root, d)
            if not os.path.islink(full):
                with contextlib.suppress(OSError):
                    os.chmod(full, 0o700)
    shutil.rmtree(path, ignore_errors=True)


@dataclass
class Worker:
    runner: ModuleType
    scratch: str
    caps: confine.Capabilities
    read_paths: list[str]
    ctrl_in: int
    ctrl_out: int
    scratch_chunk: bytearray = field(default_factory=lambda: bytearray(_CHUNK))

    def serve(self) -> None:
        while True:
            header = frames.read_blob(self.ctrl_in, MAX_HEADER_BYTES)
            if header is None:
                return
            payload = frames.read_blob(self.ctrl_in, MAX_JOB_BYTES)
            if payload is None:
                return
            meta = json.loads(header)
            try:
                self._run(meta["job_id"], meta.get("limits", {}), payload)
            finally:
                frames.wipe(payload)
                frames.wipe(self.scratch_chunk)
                del payload

    def _run(self, job_id: str, limits: Mapping[str, Any], payload: bytearray) -> None:
        out_cap = int(limits.get("output_kib", 256)) << 10
        streams = {
            "result": _Stream(0, RESULT_CAP_BYTES),
            "stdout": _Stream(0, out_cap),
            "stderr": _Stream(0, out_cap),
        }
        workdir = tempfile.mkdtemp(prefix="job-", dir=self.scratch)
        pipes = {name: os.pipe() for name in streams}
        started = time.monotonic()
        pid = os.fork()
        if pid == 0:
            self._child(workdir, limits, payload, {name: w for name, (_, w) in pipes.items()})
        for name, (r, w) in pipes.items():
            os.close(w)
            streams[name].fd = r
        try:
            meta = self._supervise(pid, streams, limits, out_cap, started)
            _remove_tree(workdir)  # before the reply: the next job never races the last one's files
            meta["job_id"] = job_id
            frames.write_blob(self.ctrl_out, json.dumps(meta).encode())
            for name in ("result", "stdout", "stderr"):
                frames.write_blob(self.ctrl_out, streams[name].view)
        finally:
            for s in streams.values():
                s.buf.close()
            _remove_tree(workdir)

    def _child(
        self, workdir: str, limits: Mapping[str, Any], payload: bytearray, ends: dict[str, int]
    ) -> None:
        worker_pid = os.getppid()
        try:
            os.setsid()
            confine.die_with_worker(worker_pid)
            confine.setup_fds(ends["stdout"], ends["stderr"], ends["result"])
            job = json.loads(payload)
            os.chdir(workdir)
            confine.write_files(workdir, job.get("support_files") or {}, job.get("files") or {})
            confine.confine(self.caps, workdir, limits, self.read_paths)
            for stream in (sys.stdout, sys.stderr):
                stream.reconfigure(write_through=True)  # type: ignore[union-attr]
        except BaseException:
            os.write(2, f"grader sandbox: confinement failed\n{traceback.format_exc()}".encode())
            os._exit(confine.CONFINE_FAILED_EXIT)
        code = 0
        try:
            self.runner.run_job(job, frames.make_emitter(confine.RESULT_FD))
        except BaseException:
            code = 1
            with contextlib.suppress(BaseException):
                traceback.print_exc()
        for stream in (sys.stdout, sys.stderr):
            with contextlib.suppress(BaseException):  # the student may have closed or replaced them
                stream.flush()
        os._exit(code)

    def _supervise(
        self, pid: int, streams: dict[str, _Stream], limits: Mapping[str, Any], out_cap: int, started: float
    ) -> dict[str, Any]:
        deadline = started + float(limits.get("wall_seconds", 10.0))
        hard_output = OUTPUT_HARD_CAP_FACTOR * out_cap
        by_fd = {s.fd: name for name, s in streams.items()}
        try:
            pidfd: int | None = os.pidfd_open(pid)
        except (AttributeError, OSError):
            pidfd = None
        flags = {"timed_out": False, "output_exceeded": False, "result_truncated": False}
        exited = False
        chunk = memoryview(self.scratch_chunk)
        while by_fd or not exited:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                flags["timed_out"] = True
                break
            watch = list(by_fd) + ([pidfd] if pidfd is not None and not exited else [])
            ready, _, _ = select.select(watch, [], [], min(remaining, 0.05 if pidfd is None else remaining))
            if pidfd is None and not exited:
                exited = os.waitid(os.P_PID, pid, os.WEXITED | os.WNOHANG | os.WNOWAIT) is not None
            for fd in ready:
                if fd == pidfd:
                    exited = True
                    continue
                n = os.readv(fd, [chunk])
                if n == 0:
                    os.close(fd)
                    del by_fd[fd]
                    continue
                streams[by_fd[fd]].take(chunk[:n])
            if streams["stdout"].total + streams["stderr"].total > hard_output:
                flags["output_exceeded"] = True
                break
            if streams["result"].total > RESULT_CAP_BYTES:
                flags["result_truncated"] = True
                break
        _kill_group(pid)  # a no-op after a normal exit; the child's group holds no one else
        _, status, usage = os.wait4(pid, 0)
        for fd in list(by_fd):
            os.close(fd)
        if pidfd is not None:
            os.close(pidfd)
        return {
            "exit_code": os.WEXITSTATUS(status) if os.WIFEXITED(status) else None,
            "signal": os.WTERMSIG(status) if os.WIFSIGNALED(status) else None,
            **flags,
            "stdout_truncated": streams["stdout"].total > out_cap,
            "stderr_truncated": streams["stderr"].total > out_cap,
            "cpu_seconds": usage.ru_utime + usage.ru_stime,
            "max_rss_kib": usage.ru_maxrss,
            "wall_seconds": time.monotonic() - started,
        }


def _load_runner(runner_file: str | None) -> ModuleType:
    """The production runner is `.runner`; tests may name a file holding a fake one."""
    if runner_file is None:
        return importlib.import_module(".runner", __package__)
    spec = importlib.util.spec_from_file_location("_test_runner", runner_file)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot load a runner from {runner_file}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _take_control_fds() -> tuple[int, int]:
    """Move the control pipes out of the way: stray prints go to stderr, never into the protocol."""
    ctrl_in = fcntl.fcntl(0, fcntl.F_DUPFD_CLOEXEC, _CONTROL_FD_MIN)
    ctrl_out = fcntl.fcntl(1, fcntl.F_DUPFD_CLOEXEC, _CONTROL_FD_MIN)
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    os.close(null)
    os.dup2(2, 1)
    return ctrl_in, ctrl_out


def main(argv: list[str], load_runner: Callable[[str | None], ModuleType] = _load_runner) -> None:
    """argv: SCRATCH_DIR [RUNNER_FILE]. Serves jobs until the parent closes stdin."""
    scratch = argv[0]
    runner_file = argv[1] if len(argv) > 1 else None
    ctrl_in, ctrl_out = _take_control_fds()
    here = os.path.dirname(os.path.abspath(__file__))
    try:
        # Before anything else is imported: as root this drops to uid 65534 in a private root that keeps
        # only pylib (sys.path[0], set by the bootstrap), this runtime and a test runner.
        achieved = privileges.establish(scratch, keep=[sys.path[0], here, *filter(None, [runner_file])])
        confine.make_undumpable()
        os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
        import numpy  # noqa: F401  (imported once here so that every child inherits it)

        runner = load_runner(runner_file)
        caps = confine.probe(unconfined=achieved.isolation == "none")
        read_paths = confine.runtime_read_paths([here])
    except BaseException as err:
        ready = {
            "ready": False,
            "error": f"{type(err).__name__}: {err}",
            "detail": traceback.format_exc(),
            "refused": isinstance(err, privileges.PrivilegeError),  # no confinement to be had: not a crash
        }
        frames.write_blob(ctrl_out, json.dumps(ready).encode())
        return
    ready = {
        "ready": True,
        "pid": os.getpid(),
        "capabilities": caps.to_dict(),
        "privileges": achieved.to_dict(),
    }
    frames.write_blob(ctrl_out, json.dumps(ready).encode())
    Worker(runner, scratch, caps, read_paths, ctrl_in, ctrl_out).serve()
