"""Run a command as a fresh process and measure it from outside: wall time, exit code, its tree's peak RSS."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Measured:
    argv: tuple[str, ...]
    wall_seconds: float
    exit_code: int
    # From wait4: the peak of the process and of every descendant it reaped (sandbox workers included).
    tree_maxrss_kib: int
    stdout: str
    stderr: str

    def to_dict(self) -> dict[str, object]:
        return {
            "argv": list(self.argv),
            "wall_seconds": self.wall_seconds,
            "exit_code": self.exit_code,
            "tree_maxrss_kib": self.tree_maxrss_kib,
        }


def bench_env(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment with the repository on sys.path, so `python -m bench.*` works from any directory."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(REPO), env.get("PYTHONPATH", "")) if p)
    env.update(extra or {})
    return env


def python_module(module: str, *args: str) -> list[str]:
    return [sys.executable, "-m", module, *args]


def run(argv: Sequence[str], *, cwd: Path | None = None, env: Mapping[str, str] | None = None) -> Measured:
    """Run argv to completion; output goes to temp files so a chatty child never blocks on a full pipe.
    `env`: the whole environment (default: bench_env(), this checkout first on the path)."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        environment = dict(env) if env is not None else bench_env()
        proc = subprocess.Popen(list(argv), stdout=out, stderr=err, cwd=cwd or REPO, env=environment)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - started
        proc.returncode = os.waitstatus_to_exitcode(status)  # reaped here: Popen must not wait again
        out.seek(0)
        err.seek(0)
        return Measured(
            tuple(argv),
            wall,
            proc.returncode,
            usage.ru_maxrss,
            out.read().decode("utf-8", "replace"),
            err.read().decode("utf-8", "replace"),
        )
