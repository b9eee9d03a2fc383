"""The harness's process: forked once by the worker, it confines itself, imports the adapters and runs jobs.

It talks only to the worker (a socket: jobs and student-process sockets in; spawn/end requests and result
frames out) and to the student processes the worker forks for it. It never forks and is not dumpable, so
no student process can read or write its memory, and it holds no descriptor a student process has.
"""

from __future__ import annotations

import importlib.util
import json
import os
import socket
import traceback
from collections.abc import Callable, Mapping
from types import ModuleType
from typing import Any

from . import channel, confine, frames
from .remote import MAX_REPLY_BYTES, StudentProcessEnded

MAX_JOB_BYTES = 256 << 20
MAX_ERROR_CHARS = 8000
HARNESS_MEMORY_MIB = 4096


def _load_harness(harness_file: str | None) -> ModuleType:
    """The production harness is `.harness`; the sandbox's own tests may name a file holding a fake one."""
    if harness_file is None:
        from . import harness

        return harness
    spec = importlib.util.spec_from_file_location("_test_harness", harness_file)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot load a harness from {harness_file}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class _Link:
    """The harness's side of the worker socket."""

    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self.students: dict[str, int] = {}
        self._frames: list[bytes] = []

    def control(self, message: Mapping[str, Any]) -> None:
        """A request to the worker, after every frame emitted before it (the order the worker relies on)."""
        blobs, self._frames = self._frames, []
        channel.send_blobs(self.sock, [*blobs, b"C" + json.dumps(message).encode()])

    def emit(self, frame: dict[str, Any]) -> None:
        """Frames wait for the next request (a spawn, a phase's end, the job's end): the worker is woken
        once for all of a phase's cases instead of once per case."""
        self._frames.append(b"F" + json.dumps(frame, allow_nan=False, separators=(",", ":")).encode())

    def connect(self, label: str, phases: int) -> Callable[[bytes], bytes | None]:
        self.control({"spawn": label, "phases": phases})
        reply, fds = channel.recv_blob(self.sock, 1 << 16)
        if reply is None or not fds:
            raise ConnectionError("the worker did not hand over a student process")
        for extra in fds[1:]:
            os.close(extra)
        fd = fds[0]
        self.students[label] = fd

        def transport(request: bytes) -> bytes | None:
            try:
                frames.write_blob(fd, request)
                reply = frames.read_blob(fd, MAX_REPLY_BYTES)
            except frames.BlobError:
                raise StudentProcessEnded("broken") from None  # a cut or oversized answer
            except OSError:
                return None
            return None if reply is None else bytes(reply)

        return transport

    def begin(self, label: str) -> None:
        self.control({"begin": label})

    def finish(self, label: str, why: str, serves: list[str]) -> None:
        fd = self.students.pop(label, None)
        if fd is not None:
            os.close(fd)
        self.control({"end": label, "why": why, "serves": serves})


def main(fd: int, caps: confine.Capabilities, read_paths: list[str], harness_file: str | None) -> None:
    sock = socket.socket(fileno=fd)
    harness = _load_harness(harness_file)  # before the walls: a test harness lives outside the runtime dir
    confine.confine_harness(caps, read_paths, HARNESS_MEMORY_MIB)
    link = _Link(sock)
    channel.send_blob(sock, json.dumps({"ready": True}).encode())
    while True:
        header, _ = channel.recv_blob(sock, 1 << 16)
        if header is None:
            return
        payload, _ = channel.recv_blob(sock, MAX_JOB_BYTES)
        if payload is None:
            return
        job = json.loads(payload)
        frames.wipe(payload)
        done: dict[str, Any] = {"done": True}
        try:
            harness.run_job(job, link.emit, link.connect, link.finish, link.begin)
        except Exception:
            # A bug of the grader's own (whatever the student's process answers is checked before it is
            # used): the job ends here as a grader error, distinct from anything a student can cause, and
            # this process lives on for the next job, whose state is its own.
            done["grader_error"] = traceback.format_exc()[-MAX_ERROR_CHARS:]
        for label in list(link.students):
            link.finish(label, "done", [label])
        link.control(done)
