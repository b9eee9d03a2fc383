"""The fork-server worker driven over its control pipes directly, as a plain subprocess (fake harness)."""

from __future__ import annotations

import base64
import json
import os
import struct
import subprocess
import time
from collections import Counter
from pathlib import Path

import pytest

from grader.sandbox.layout import WORKER_ENV, host_layout, python_argv, worker_env

FAKE_HARNESS = Path(__file__).resolve().parents[1] / "sandbox" / "fake_runner.py"


def _pylib(tmp_path: Path) -> Path:
    """A worker's pylib: numpy and nothing else (the pool's scratch/pylib)."""
    layout = host_layout()
    pylib = tmp_path / "pylib"
    pylib.mkdir()
    (pylib / "numpy").symlink_to(layout.numpy_dir)
    if layout.numpy_libs:
        (pylib / "numpy.libs").symlink_to(layout.numpy_libs)
    return pylib


class Driver:
    def __init__(self, tmp_path: Path) -> None:
        layout = host_layout()
        pylib = _pylib(tmp_path)
        self.scratch = tmp_path
        argv = python_argv(
            layout.python, str(layout.inside_dir), str(pylib), str(tmp_path), str(FAKE_HARNESS)
        )
        self.proc = subprocess.Popen(
            argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=WORKER_ENV, cwd=tmp_path
        )

    def blob(self) -> bytes:
        assert self.proc.stdout is not None
        (n,) = struct.unpack(">I", self.proc.stdout.read(4))
        return self.proc.stdout.read(n)

    def send(
        self, files: dict[str, bytes], job_id: str = "j"
    ) -> tuple[dict, bytes, list[tuple[bytes, bytes]]]:
        """One job of one phase; the reply's meta, frames and (stdout, stderr) per phase."""
        student = {"files": {k: base64.b64encode(v).decode() for k, v in files.items()}, "support_files": {}}
        harness = {
            "phases": [
                {"name": "visible", "cases": [{"id": "c1", "steps": [{"do": "record", "key": "v"}]}]},
            ]
        }
        header = {"job_id": job_id, "limits": {"wall_seconds": 10}, "phases": 1}
        assert self.proc.stdin is not None
        for part in (header, student, harness):
            data = json.dumps(part).encode()
            self.proc.stdin.write(struct.pack(">I", len(data)) + data)
        self.proc.stdin.flush()
        meta = json.loads(self.blob())
        frames = self.blob()
        outputs = [(self.blob(), self.blob()) for _ in meta["phases"]]
        return meta, frames, outputs

    def job_dirs(self) -> list[str]:
        """Job directories left in the worker's scratch, seen with the worker's eyes (a worker started as
        root keeps its jobs in a tmpfs of its own mount namespace)."""
        root = Path(f"/proc/{self.proc.pid}/root{self.scratch}") if os.geteuid() == 0 else self.scratch
        assert root.is_dir()
        return [p.name for p in root.rglob("job-*")]


@pytest.fixture
def driver(tmp_path: Path):
    d = Driver(tmp_path)
    yield d
    d.proc.kill()
    d.proc.wait()
    for stream in (d.proc.stdin, d.proc.stdout):
        if stream is not None and not stream.closed:
            stream.close()


def test_ready_then_reply_per_phase(driver: Driver) -> None:
    """The worker announces itself, then answers a job with meta, frames and each phase's output."""
    ready = json.loads(driver.blob())
    assert ready["ready"] is True and "landlock_abi" in ready["capabilities"]
    meta, frames, outputs = driver.send(
        {"solution.py": b"print('hi')\ndef run_case(c):\n    return {'v': 2}\n"}
    )
    assert meta["job_id"] == "j" and meta["scratch_ok"] and not meta["harness_lost"]
    (phase,) = meta["phases"]
    assert phase["phase"] == "visible" and phase["setup_ok"] and phase["ended_by_harness"]
    assert b'"type":"done"' in frames and b'"v":{"shape":[],"data":[2.0]}' in frames
    assert outputs == [(b"hi\n", b"")]
    assert driver.proc.stdin is not None
    driver.proc.stdin.close()
    assert driver.proc.wait(timeout=10) == 0


def test_unsafe_file_path_fails_set_up_and_worker_continues(driver: Driver) -> None:
    """A path leaving the directory fails the student process's set-up (reported as not set up, so the parent
    grades again elsewhere); the next job still runs."""
    driver.blob()
    meta, _, outputs = driver.send({"../escape.py": b"x = 1\n"})
    assert meta["phases"][0]["setup_ok"] is False and b"confinement failed" in outputs[0][1]
    meta, frames, _ = driver.send({"solution.py": b"def run_case(c):\n    return {'v': 1}\n"}, "next")
    assert meta["job_id"] == "next" and meta["phases"][0]["setup_ok"] and b'"type":"done"' in frames


def test_student_code_cannot_fake_a_failed_set_up(driver: Driver) -> None:
    """Negative control: exiting with the set-up failure code from student code still counts as set up."""
    driver.blob()
    meta, _, _ = driver.send({"solution.py": b"import os\nos._exit(121)\n"})
    assert meta["phases"][0]["setup_ok"] is True and meta["phases"][0]["exit_code"] == 121


def test_job_directory_is_removed_whatever_the_student_did(driver: Driver) -> None:
    """After the reply the student's directory is gone: a deep chain of directories is removed too."""
    driver.blob()
    src = (
        b"import os\n"
        b"for i in range(600):\n    os.mkdir('d')\n    os.chdir('d')\n"
        b"open('f', 'w').write('x')\n"
        b"def run_case(c):\n    return {'v': 1}\n"
    )
    meta, frames, _ = driver.send({"solution.py": src})
    assert b'"type":"done"' in frames and meta["scratch_ok"] is True
    assert driver.job_dirs() == []


def test_a_worker_reaps_its_harness_before_it_exits(driver: Driver) -> None:
    """When the parent closes its end, the worker exits and leaves no harness behind, not even an orphan
    (whose CPU time would escape the parent's accounting)."""
    ready = json.loads(driver.blob())
    harness = Path(f"/proc/{ready['harness_pid']}")
    assert harness.exists()  # the control: it is there while the worker serves
    assert driver.proc.stdin is not None
    driver.proc.stdin.close()
    assert driver.proc.wait(timeout=10) == 0
    assert not harness.exists()


def test_a_worker_ended_by_a_garbled_request_reaps_its_harness_too(driver: Driver) -> None:
    """A request the worker refuses (a header over its cap) ends the worker with an error, and still not
    with its harness orphaned."""
    ready = json.loads(driver.blob())
    harness = Path(f"/proc/{ready['harness_pid']}")
    assert harness.exists()
    assert driver.proc.stdin is not None
    driver.proc.stdin.write(struct.pack(">I", 1 << 30))
    driver.proc.stdin.flush()
    assert driver.proc.wait(timeout=10) != 0
    assert not harness.exists()


def test_a_worker_whose_harness_died_retires(driver: Driver) -> None:
    """A harness gone between jobs (killed here from outside) fails the next job as lost and the worker
    retires itself (exits) rather than serve more students without it; the first job, served by a live
    harness, is the control: neither lost nor retiring."""
    ready = json.loads(driver.blob())
    meta, _, _ = driver.send({"solution.py": b"def run_case(case):\n    return {'v': 1.0}\n"})
    assert not meta["harness_lost"] and not meta["retire"]
    os.kill(ready["harness_pid"], 9)
    deadline = time.monotonic() + 10
    while Path(f"/proc/{ready['harness_pid']}/stat").exists() and time.monotonic() < deadline:
        if Path(f"/proc/{ready['harness_pid']}/stat").read_text().split(")")[-1].split()[0] == "Z":
            break  # a zombie: gone, not yet reaped by the worker
        time.sleep(0.01)
    meta, _, _ = driver.send({"solution.py": b"def run_case(case):\n    return {'v': 1.0}\n"}, job_id="k")
    assert meta["harness_lost"] and meta["retire"]
    assert driver.proc.wait(timeout=10) == 0


def test_the_backstop_follows_the_latest_student_process() -> None:
    """The worker counts its harness lost only past the job's budget or, if later, past the deadline of its
    latest student process plus the margin: a harness late by a student's reply read after that student's
    deadline is not lost (the lateness is the student's timeout). Control: with no student process, the
    job's own deadline."""
    from grader.inside import worker

    job = worker._Job.__new__(worker._Job)
    job.deadline, job.students = 100.0, []
    assert job.backstop() == 100.0
    student = worker._Student.__new__(worker._Student)
    student.deadline = 120.0
    job.students = [student]
    assert job.backstop() == 120.0 + worker.HARNESS_MARGIN_SECONDS


def test_past_the_result_cap_no_later_frame_is_kept(monkeypatch: pytest.MonkeyPatch) -> None:
    """Once a frame is over the job's result cap, every later one is dropped too, even one that would fit:
    what reaches the parent is a prefix of the harness's frames, so the parent refuses the phase that was
    running and keeps the ones before it (grader/sandbox/frames.py). Control: frames under the cap are
    kept."""
    from grader.inside import worker

    monkeypatch.setattr(worker, "RESULT_CAP_BYTES", 100)
    job = worker._Job.__new__(worker._Job)
    job.result, job.result_size, job.result_truncated = [], 0, False
    for body in (b"a" * 40, b"b" * 80, b"c" * 10):
        assert job._harness_message(bytearray(b"F" + body)) is False
    assert [bytes(piece) for piece in job.result] == [b"a" * 40]
    assert job.result_truncated


def test_the_harness_messages_written_at_once_are_read_in_one_turn() -> None:
    """The harness writes a phase's frames and its request in one write: the worker reads all of them before
    it goes back to watching every pipe (each message was a turn of that loop, ~29 a job, ~0.5 ms of the
    worker's CPU a job). It stops at what is not written yet (nothing blocks), at the job's end, and at a
    harness gone."""
    import socket

    from grader.inside import channel, worker

    ours, harness = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
    job = worker._Job.__new__(worker._Job)
    job.w = worker.Worker.__new__(worker.Worker)
    job.w.harness = ours
    job.result, job.result_size, job.result_truncated, job.students = [], 0, False, []
    channel.send_blobs(harness, [b"Fone", b"Ftwo", b'C{"begin": "visible"}'])
    assert job._from_harness() is None
    assert [bytes(piece) for piece in job.result] == [b"one", b"two"]
    channel.send_blobs(harness, [b"Fthree", b'C{"done": true}', b"Flater"])
    assert job._from_harness() is True
    assert [bytes(piece) for piece in job.result] == [b"one", b"two", b"three"]
    harness.close()
    assert job._from_harness() is False  # "Flater" kept, then the end of the stream: the harness is lost
    assert bytes(job.result[-1]) == b"later"
    ours.close()


def test_a_process_thread_count_is_read_from_proc() -> None:
    """The worker counts a student process's threads in /proc (bubblewrap, where RLIMIT_NPROC may go
    unenforced): six more threads of this process are six more in the count, gone again once they end; a
    pid that does not exist reads as 0 (never a reason to stop a process)."""
    import threading

    from grader.inside.worker import _thread_count

    before = _thread_count(os.getpid())
    release = threading.Event()
    waiting = [threading.Thread(target=release.wait) for _ in range(6)]
    for t in waiting:
        t.start()
    try:
        assert before >= 1 and _thread_count(os.getpid()) == before + 6
    finally:
        release.set()
        for t in waiting:
            t.join()
    deadline = time.monotonic() + 2.0  # a joined thread leaves the kernel's count a moment after
    while _thread_count(os.getpid()) != before and time.monotonic() < deadline:
        time.sleep(0.01)
    assert _thread_count(os.getpid()) == before
    assert _thread_count(2**22 + 1) == 0  # above pid_max's largest value: never a process


def test_only_the_current_served_text_has_a_folder_and_its_parent_cannot_be_listed_or_written(
    tmp_path: Path,
) -> None:
    """Worker.served_folder (review of s23-standin, findings 1 and 2: without Landlock a student process, the
    worker's uid, renamed the shared folder and replaced the stand-in the next student ran, and listed another
    stage's text, whose math its graded layers lacked): another text's folder is removed when the text
    changes, the same text keeps its folder, and the folder holding them is 0o111 between writes."""
    import stat
    from types import SimpleNamespace

    from grader.inside import scratch
    from grader.inside.worker import Worker

    root = scratch.make(str(tmp_path), "book-")
    worker = SimpleNamespace(book_root=root, served_folders={})

    def text(body: str) -> dict[str, str]:
        return {"common/layers.py": base64.b64encode(body.encode()).decode()}

    first = Worker.served_folder(worker, text("class Affine: pass\n"))  # type: ignore[arg-type]
    assert first is not None and Path(first, "common", "layers.py").read_text() == "class Affine: pass\n"
    assert stat.S_IMODE(os.stat(root).st_mode) == 0o111
    assert Worker.served_folder(worker, text("class Affine: pass\n")) == first  # type: ignore[arg-type]
    second = Worker.served_folder(worker, text("class Relu: pass\n"))  # type: ignore[arg-type]
    assert second != first and not os.path.lexists(first) and os.path.isdir(second)
    assert stat.S_IMODE(os.stat(root).st_mode) == 0o111
    os.chmod(root, 0o700)
    assert os.listdir(root) == [os.path.basename(second)]
    assert scratch.remove(root)


def test_a_job_served_its_folder_again_has_its_access_times_set_back(tmp_path: Path) -> None:
    """Worker.served_folder keeps the current folder's paths for confine.unread: a job with no stand-in has
    none to set back, and a later job served the same text again (its folder kept) has them all again
    (the folder, common/ and common/layers.py), so its student processes never see an earlier read."""
    from types import SimpleNamespace

    from grader.inside import scratch
    from grader.inside.worker import Worker

    root = scratch.make(str(tmp_path), "book-")
    worker = SimpleNamespace(book_root=root, served_folders={})
    text = {"common/layers.py": base64.b64encode(b"class Affine: pass\n").decode()}
    folder = Worker.served_folder(worker, text)  # type: ignore[arg-type]
    assert folder is not None
    expected = sorted([folder, os.path.join(folder, "common"), os.path.join(folder, "common", "layers.py")])
    assert sorted(path for path, _ in worker.served_times) == expected
    assert Worker.served_folder(worker, None) is None  # type: ignore[arg-type]
    assert worker.served_times == ()
    assert Worker.served_folder(worker, text) == folder  # type: ignore[arg-type]
    assert sorted(path for path, _ in worker.served_times) == expected
    os.chmod(root, 0o700)
    assert scratch.remove(root)


def test_a_running_student_processs_files_and_threads_are_looked_at_once_a_watch_tick(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The inode count (a statfs of the student's folder) and the thread count are read once every
    WATCH_SECONDS while a student process runs, not at every turn of the job's loop (each message of the
    harness or the student is a turn: ~69 a job, 36 statfs a job until session 33). Counted on a fake clock
    that moves a hundredth of the tick a turn: 200 turns, two ticks, at most three looks of each. Control: the
    first turn looks at once."""
    import socket

    from grader.inside import worker

    clock = [1000.0]
    turn = worker.WATCH_SECONDS / 100
    monkeypatch.setattr(worker.time, "monotonic", lambda: clock[0])
    ours, harness = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
    harness.send(b"x")  # left unread: the harness's pipe is ready at every turn
    sleeper = subprocess.Popen(["sleep", "60"])
    looks = {"files": 0, "threads": 0}
    turns = [0]

    def from_harness() -> bool | None:
        turns[0] += 1
        clock[0] += turn
        return True if turns[0] == 200 else None

    job = worker._Job.__new__(worker._Job)
    job.w = worker.Worker.__new__(worker.Worker)
    job.w.harness, job.w.watch_files, job.w.watch_threads = ours, True, True
    job.w.counted_bytes = (
        0  # a scratch of its own: WATCH_SECONDS (a counted one looks every COUNT_WATCH_SECONDS)
    )
    job.deadline, job.next_watch = clock[0] + 3600, -float("inf")
    student = worker._Student("visible", sleeper.pid, None, "/nonexistent", clock[0], clock[0] + 3600, {}, {})
    job.students = [student]
    monkeypatch.setattr(job, "_from_harness", from_harness)
    monkeypatch.setattr(job, "check_files", lambda running: looks.__setitem__("files", looks["files"] + 1))
    monkeypatch.setattr(
        job, "check_threads", lambda running: looks.__setitem__("threads", looks["threads"] + 1)
    )
    monkeypatch.setattr(job, "_read_output", lambda s, ready: None)
    try:
        assert job.supervise() is True
    finally:
        sleeper.kill()
        sleeper.wait()
        ours.close()
        harness.close()
    assert turns[0] == 200
    assert 1 <= looks["files"] <= 3 and looks["threads"] == looks["files"], looks


# What the harness and the student processes' server both import: the worker imports them before it forks
# the harness, which inherits them (grader/inside/worker.py main).
SHARED_WITH_THE_HARNESS = ("inside.failures", "inside.codec", "inside.wire", "inside.missing")


def test_the_harness_inherits_what_it_shares_with_the_student_processes_server(tmp_path: Path) -> None:
    """A worker's cold start, its imports logged by `-X importtime` (the worker's and the harness's, one
    stderr): each module both the harness and the student processes' server use is imported once, by the
    worker before it forks the harness, not once in each process after the fork (the session-35 worker
    logged each twice: ~15 ms of the harness's CPU on a start that shares two cores with the parent's plan).
    The log does hold the harness's own imports (its adapters), so a second import would be seen."""
    layout = host_layout()
    argv = python_argv(layout.python, str(layout.inside_dir), str(_pylib(tmp_path)), str(tmp_path), None)
    argv[1:1] = ["-X", "importtime"]
    log = tmp_path / "importtime.log"
    with log.open("wb") as stderr:
        proc = subprocess.Popen(
            argv,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=stderr,
            env=worker_env("none"),
            cwd=tmp_path,
        )
    assert proc.stdout is not None and proc.stdin is not None
    (size,) = struct.unpack(">I", proc.stdout.read(4))
    assert json.loads(proc.stdout.read(size))["ready"] is True
    proc.stdin.close()  # the end of its jobs: it reaps its harness and exits
    assert proc.wait(timeout=60) == 0
    proc.stdout.close()
    logged = Counter(
        line.rsplit("|", 1)[1].strip()
        for line in log.read_text(errors="replace").splitlines()
        if line.startswith("import time:") and line.count("|") == 2
    )
    assert logged["inside.harness_process"] == 1 and logged["inside.adapters.miniflow"] == 1
    assert {m: logged[m] for m in SHARED_WITH_THE_HARNESS} == dict.fromkeys(SHARED_WITH_THE_HARNESS, 1)
