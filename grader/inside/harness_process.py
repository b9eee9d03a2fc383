"""The harness's process: forked once by the worker, it confines itself, imports the adapters and runs jobs.

It talks only to the worker (a socket: jobs and student-process sockets in; spawn/end requests and result
frames out) and to the student processes the worker forks for it. It never forks and is not dumpable, so
no student process can read or write its memory, and it holds no descriptor a student process has.
"""

from __future__ import annotations

import contextlib
import gc
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
# What the parent accepts of one frame (FrameLimits.max_frame_bytes; the worker takes 16 MiB of one message
# before it calls the harness lost): a larger one is never sent (`oversize`).
MAX_FRAME_BYTES = 8 << 20
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


def settle() -> int:
    """Free what the job just ended left in cycles, before its "done" (the next job's clock starts with the
    next job): the cyclic collector otherwise freed it during the next student's cases. A reply of 450,000
    class bases (sample harness_class_mro_flood.py, refused as malformed) left ~900,000 objects in cycles
    with its exception's frames: 2.3 s of the next job's 0.2 s, one of its cases a timeout under load. What
    the harness holds for good is frozen at start (main), so this walks only what a job made. Returns the
    objects it found unreachable."""
    return gc.collect()


def _encode(frame: Mapping[str, Any]) -> bytes:
    return json.dumps(frame, allow_nan=False, separators=(",", ":")).encode()


def oversize(frame: Mapping[str, Any], size: int) -> dict[str, Any]:
    """What is sent instead of a frame past MAX_FRAME_BYTES. Only the student's code makes one: a case whose
    records are a million long floats each (25 MB of JSON from 8 MB of float64), or a load answered with
    pages of text. Sent as it is, the frame would be refused by the worker, which would call the harness lost
    (the sandbox's fault in every message, a retry, a replaced worker); so the case is the student's error,
    and a load's account keeps its phase only."""
    mib = f"{size / (1 << 20):.1f} MiB"
    cap = f"{MAX_FRAME_BYTES >> 20} MiB"
    if frame.get("type") == "case":
        message = (
            f"the values your code returned for this case take {mib} as numbers, more than the {cap} the "
            "grader reads of one case: are they arrays far larger than the case's inputs?"
        )
        return {
            "type": "case",
            "id": frame.get("id"),
            "status": "error",
            "failure": {"code": "exception", "message": message, "detail": ""},
            "records": {},
            "mutated": list(frame.get("mutated") or [])[:64],
        }
    if frame.get("type") == "loaded":
        warning = f"the submission's process described its load in {mib}, more than the {cap} read of it"
        return {"type": "loaded", "phase": frame.get("phase"), "modules": {}, "found": {}, "missing": [],
                "near": {}, "warnings": [warning]}  # fmt: skip
    raise ValueError(f"a {frame.get('type')} frame of {size} bytes")  # the harness's own: a grader error


_PHASES_KEY = b'"phases": '


class JobReader:
    """A job's JSON read, with its cases parsed once a run: every job of a run ends in the same text of
    phases (grader/sandbox/job_json.py: ~30 KB of case views, whose parse and inputs' decoding were an
    eighth of a harness's CPU a job). A job is read as its head and its last member, `"phases": TEXT`, when
    it splits there into two valid parts (what json.loads of the whole gives then); a TEXT equal to the last
    one read is not parsed again, and its views are the same objects (program.run_case keeps what it derives
    from them by identity). The text comes from the parent, never from a student's process; the views are
    only read (tests/inside/test_harness_process.py runs jobs twice on them)."""

    def __init__(self) -> None:
        self._text = b""  # the last run's phases, as sent
        self._phases: Any = None

    def read(self, payload: bytes | bytearray) -> Any:
        data = payload
        at = data.rfind(_PHASES_KEY)
        head = data[:at].rstrip()
        members = head[:-1].rstrip()  # the members before `"phases"`, without their comma
        joined = head == b"{" or (head[-1:] == b"," and members[-1:] not in (b"{", b","))
        if at < 0 or not data.endswith(b"}") or not joined:
            return json.loads(data)
        text = data[at + len(_PHASES_KEY) : -1]
        try:
            job = json.loads(members + b"}") if head != b"{" else {}
            if text != self._text:
                phases = json.loads(text)
                self._phases, self._text = phases, bytes(text)
        except ValueError:
            return json.loads(data)  # split inside a value: not the form job_json writes
        if not isinstance(job, dict):
            return json.loads(data)
        job["phases"] = self._phases
        return job


class _Transport:
    """Requests out to the student process on `fd`, their answers back (None: the channel closed)."""

    def __init__(self, fd: int) -> None:
        self.fd = fd

    def __call__(self, request: bytes) -> bytes | None:
        try:
            frames.write_blob(self.fd, request)
        except OSError:
            return None
        return self._reply()

    def pair(self, first: bytes, second: bytes) -> tuple[bytes | None, Callable[[], bytes | None]]:
        """Two requests in one write (a case's end and the next batch, remote.Session.hold): the first's
        answer now, the second's when asked."""
        try:
            frames.write_parts(self.fd, [*frames.blob_parts(first), *frames.blob_parts(second)])
        except OSError:
            return None, lambda: None
        return self._reply(), self._reply

    def _reply(self) -> bytes | None:
        try:
            reply = frames.read_blob(self.fd, MAX_REPLY_BYTES)
        except frames.OversizeBlob:
            # An answer larger than any gradable one, left unread: too much, not garbled.
            raise StudentProcessEnded("oversize") from None
        except frames.BlobError:
            raise StudentProcessEnded("broken") from None  # a cut answer
        except OSError:
            return None
        return None if reply is None else bytes(reply)


def transport(fd: int) -> Callable[[bytes], bytes | None]:
    """One request out to the student process on `fd`, its answer back (None: the channel closed); two in
    one write with its `pair`."""
    return _Transport(fd)


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
        data = _encode(frame)
        if len(data) > MAX_FRAME_BYTES:
            data = _encode(oversize(frame, len(data)))
        self._frames.append(b"F" + data)

    def connect(self, label: str, phases: int) -> Callable[[bytes], bytes | None]:
        self.control({"spawn": label, "phases": phases})
        reply, fds = channel.recv_blob(self.sock, 1 << 16)
        if reply is None or not fds:
            raise ConnectionError("the worker did not hand over a student process")
        for extra in fds[1:]:
            os.close(extra)
        self.students[label] = fds[0]
        return transport(fds[0])

    def begin(self, label: str) -> None:
        self.control({"begin": label})

    def finish(self, label: str, why: str, serves: list[str]) -> None:
        fd = self.students.pop(label, None)
        if fd is not None:
            os.close(fd)
        self.control({"end": label, "why": why, "serves": serves})


def main(fd: int, caps: confine.Capabilities, read_paths: list[str], harness_file: str | None) -> None:
    sock = socket.socket(fileno=fd)
    try:
        harness = _load_harness(harness_file)  # before the walls: a test harness is outside the runtime
        confine.confine_harness(caps, read_paths, HARNESS_MEMORY_MIB)
    except Exception as err:
        # Said to the worker before this process ends: a harness that died mute left the parent nothing but
        # "the harness did not start: None", and the cause on a stderr nobody was shown.
        unready = {"ready": False, "error": f"{type(err).__name__}: {err}",
                   "detail": traceback.format_exc()[-MAX_ERROR_CHARS:]}  # fmt: skip
        with contextlib.suppress(OSError):
            channel.send_blob(sock, json.dumps(unready).encode())
        raise
    link = _Link(sock)
    reader = JobReader()
    gc.freeze()  # the adapters and modules, kept for good: settle() walks only what each job makes
    channel.send_blob(sock, json.dumps({"ready": True}).encode())
    while True:
        header, _ = channel.recv_blob(sock, 1 << 16)
        if header is None:
            return
        payload, _ = channel.recv_blob(sock, MAX_JOB_BYTES)
        if payload is None:
            return
        job = reader.read(payload)
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
        del job
        settle()  # charged to this job, whose student processes are all ended: never to the next one
        link.control(done)
