"""Is bubblewrap usable on this machine? Asked once per process: the answer does not change during a run."""

from __future__ import annotations

import functools
import os
import subprocess
from dataclasses import dataclass

from .bwrap import BWRAP, PYLIB, bwrap_command
from .layout import host_layout

PROBE_TIMEOUT_SECONDS = 30
_PROBE = f"import sys; sys.path.insert(0, {PYLIB!r}); import numpy; print('sandbox-ok')"


@dataclass(frozen=True)
class ProbeResult:
    usable: bool
    reason: str


@functools.lru_cache(maxsize=1)
def probe_bwrap() -> ProbeResult:
    if not os.access(BWRAP, os.X_OK):
        return ProbeResult(False, f"{BWRAP} is not installed (Debian package 'bubblewrap')")
    layout = host_layout()
    command = bwrap_command(layout)
    command = [*command[: command.index("--") + 1], str(layout.python), "-I", "-S", "-B", "-c", _PROBE]
    try:
        done = subprocess.run(command, capture_output=True, timeout=PROBE_TIMEOUT_SECONDS, check=False)
    except (OSError, subprocess.TimeoutExpired) as err:
        return ProbeResult(False, f"bwrap could not start: {err}")
    if done.returncode != 0 or b"sandbox-ok" not in done.stdout:
        tail = done.stderr.decode("utf-8", "replace").strip()[-300:]
        return ProbeResult(False, f"bwrap exited with {done.returncode}: {tail}")
    return ProbeResult(True, "bwrap works")
