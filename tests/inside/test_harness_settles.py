"""The harness frees what a job left in cycles before it says the job is done: the next job, whose clock
starts when it is sent, never pays for the last one's garbage (sample harness_class_mro_flood.py: a reply of
450,000 class bases left ~900,000 objects in cycles, freed during the next student's cases, 2.3 s of its
0.2 s). Counted, not timed: the objects the next job finds unreachable at its start."""

from __future__ import annotations

import gc
import json
import socket
import threading
from pathlib import Path
from typing import Any

import pytest

from grader.inside import channel, confine, harness_process

GARBAGE = 200_000  # cyclic objects the first job leaves behind (a flood's reply made ~900,000)

FAKE_HARNESS = f"""
import gc

def run_job(job, emit, connect, finish, begin):
    if job["kind"] == "litter":
        cycles = [[] for _ in range({GARBAGE // 2})]
        for a in cycles:
            a.append([a])  # each list and its inner list: a cycle only the collector frees
        del cycles
    else:
        emit({{"type": "case", "id": "left", "unreachable": gc.collect()}})
"""


def _send_job(sock: socket.socket, kind: str) -> list[dict[str, Any]]:
    channel.send_blob(sock, b"{}")
    channel.send_blob(sock, json.dumps({"kind": kind}).encode())
    frames = []
    while True:
        blob, _ = channel.recv_blob(sock, 1 << 20)
        assert blob is not None, "the harness ended"
        message = json.loads(bytes(blob[1:]))
        if blob[:1] == b"F":
            frames.append(message)
        elif message.get("done"):
            assert not message.get("grader_error"), message["grader_error"]
            return frames


# main leaves its socket to the process's end (a harness is a process of its own); here that is a thread's
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_the_next_job_finds_none_of_the_last_jobs_cycles(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A job's garbage in cycles is freed before its "done": the next job's collection finds almost none."""
    fake = tmp_path / "fake_harness.py"
    fake.write_text(FAKE_HARNESS)
    monkeypatch.setattr(
        confine, "confine_harness", lambda *_: None
    )  # walls are test_confine's: not this process's
    ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
    caps = confine.Capabilities(landlock_abi=0, seccomp=False, notes=())
    thread = threading.Thread(
        target=harness_process.main, args=(theirs.detach(), caps, [], str(fake)), daemon=True
    )
    thread.start()
    try:
        ready, _ = channel.recv_blob(ours, 1 << 16)
        assert ready is not None and json.loads(bytes(ready)) == {"ready": True}
        assert _send_job(ours, "litter") == []
        (frame,) = _send_job(ours, "count")
    finally:
        ours.close()
        thread.join(10)
        gc.unfreeze()  # main froze the test process's objects
    assert frame["unreachable"] < GARBAGE // 100, (
        f"{frame['unreachable']} objects of the last job left to this one"
    )
