"""The worker's bootstrap: how a worker process starts and how it leaves."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from grader.sandbox.layout import BOOTSTRAP, WORKER_FLAGS


def _runtime(tmp_path: Path, main_body: str) -> Path:
    """A stand-in for grader/inside: a package whose worker.main is `main_body`."""
    runtime = tmp_path / "inside"
    runtime.mkdir()
    (runtime / "__init__.py").write_text("")
    (runtime / "worker.py").write_text(f"import atexit, sys\n\ndef main(argv):\n{main_body}")
    return runtime


def _bootstrap(runtime: Path, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    argv = [sys.executable, *WORKER_FLAGS, "-c", BOOTSTRAP, str(runtime), str(tmp_path), "scratch"]
    return subprocess.run(argv, capture_output=True, text=True, timeout=60)


def test_a_worker_leaves_without_the_interpreter_teardown_but_with_its_output(tmp_path: Path) -> None:
    """What main wrote is flushed; what the teardown would run (an atexit handler here) is not."""
    marker = tmp_path / "teardown-ran"
    body = (
        f"    atexit.register(lambda: open({str(marker)!r}, 'w').close())\n"
        "    sys.stdout.write('buffered, no newline')\n"
        "    sys.stderr.write('to stderr')\n"
    )
    done = _bootstrap(_runtime(tmp_path, body), tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout == "buffered, no newline" and done.stderr == "to stderr"
    assert not marker.exists()


def test_a_worker_whose_main_raises_exits_with_its_traceback(tmp_path: Path) -> None:
    """Control: an exception from main ends the usual way (status 1, the traceback), teardown included."""
    marker = tmp_path / "teardown-ran"
    body = (
        f"    atexit.register(lambda: open({str(marker)!r}, 'w').close())\n"
        "    raise RuntimeError('no worker')\n"
    )
    done = _bootstrap(_runtime(tmp_path, body), tmp_path)
    assert done.returncode == 1
    assert "RuntimeError: no worker" in done.stderr and marker.exists()
