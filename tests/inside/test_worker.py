"""The fork-server worker driven over its control pipes directly, as a plain subprocess."""

from __future__ import annotations

import base64
import json
import os
import struct
import subprocess
from pathlib import Path

import pytest

from grader.sandbox.layout import WORKER_ENV, host_layout, python_argv

FAKE_RUNNER = Path(__file__).resolve().parents[1] / "sandbox" / "fake_runner.py"


class Driver:
    def __init__(self, tmp_path: Path) -> None:
        layout = host_layout()
        pylib = tmp_path / "pylib"
        pylib.mkdir()
        (pylib / "numpy").symlink_to(layout.numpy_dir)
        if layout.numpy_libs:
            (pylib / "numpy.libs").symlink_to(layout.numpy_libs)
        argv = python_argv(layout.python, str(layout.inside_dir), str(pylib), str(tmp_path), str(FAKE_RUNNER))
        self.proc = subprocess.Popen(
            argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=WORKER_ENV, cwd=tmp_path
        )

    def blob(self) -> bytes:
        assert self.proc.stdout is not None
        (n,) = struct.unpack(">I", self.proc.stdout.read(4))
        return self.proc.stdout.read(n)

    def send(self, files: dict[str, bytes], job_id: str = "j") -> tuple[dict, bytes, bytes, bytes]:
        job = {
            "job_id": job_id,
            "files": {k: base64.b64encode(v).decode() for k, v in files.items()},
            "cases": [{"id": "c1", "inputs": {}, "steps": [{"do": "record", "key": "v"}]}],
        }
        header = json.dumps({"job_id": job_id, "limits": {"wall_seconds": 10}}).encode()
        payload = json.dumps(job).encode()
        assert self.proc.stdin is not None
        self.proc.stdin.write(
            struct.pack(">I", len(header)) + header + struct.pack(">I", len(payload)) + payload
        )
        self.proc.stdin.flush()
        return json.loads(self.blob()), self.blob(), self.blob(), self.blob()


@pytest.fixture
def driver(tmp_path: Path):
    d = Driver(tmp_path)
    yield d
    d.proc.kill()
    d.proc.wait()
    for stream in (d.proc.stdin, d.proc.stdout):
        if stream is not None and not stream.closed:
            stream.close()


def test_ready_then_reply_with_four_parts(driver: Driver) -> None:
    """The worker announces itself, then answers a job with meta, frames, stdout and stderr; EOF ends it."""
    ready = json.loads(driver.blob())
    assert ready["ready"] is True and "landlock_abi" in ready["capabilities"]
    meta, frames, out, _ = driver.send(
        {"solution.py": b"print('hi')\ndef run_case(c):\n    return {'v': 2}\n"}
    )
    assert meta["job_id"] == "j" and meta["exit_code"] == 0 and meta["signal"] is None
    assert b'"type":"done"' in frames and out == b"hi\n"
    assert driver.proc.stdin is not None
    driver.proc.stdin.close()
    assert driver.proc.wait(timeout=10) == 0


def test_unsafe_file_path_fails_confinement_and_worker_continues(driver: Driver) -> None:
    """A job with a path leaving the directory exits with the confinement code; the next job still runs."""
    from grader.inside.confine import CONFINE_FAILED_EXIT

    driver.blob()
    meta, frames, _, stderr = driver.send({"../escape.py": b"x = 1\n"})
    assert meta["exit_code"] == CONFINE_FAILED_EXIT and frames == b"" and b"refusing file path" in stderr
    meta, frames, _, _ = driver.send({"solution.py": b"def run_case(c):\n    return {'v': 1}\n"}, "next")
    assert meta["job_id"] == "next" and meta["exit_code"] == 0 and b'"type":"done"' in frames


def test_job_directory_is_removed(driver: Driver, tmp_path: Path) -> None:
    """After the reply the child's private directory is gone, even if the child made it unreadable."""
    driver.blob()
    src = b"import os\nos.makedirs('d/e')\nos.chmod('d', 0)\ndef run_case(c):\n    return {'v': 1}\n"
    meta, _, _, _ = driver.send({"solution.py": src})
    assert meta["exit_code"] == 0
    # A worker started as root keeps its jobs in a tmpfs of its own mount namespace: look with its eyes.
    own_view = Path(f"/proc/{driver.proc.pid}/root{tmp_path}") if os.geteuid() == 0 else tmp_path
    assert own_view.is_dir()
    assert [p.name for p in own_view.iterdir() if p.name.startswith("job-")] == []
