"""The Python package folders no sandbox may see, found on this host: bubblewrap's command line (the parent's
grader/sandbox/bwrap.py) and the fallback's private root (rootfs.py) hide the same ones.

A module of its own, without ctypes: the parent builds a worker's bwrap command line before that worker
starts, and rootfs.py (with libc.py's ctypes, ~16 million instructions of imports) would put its system
calls, which only the worker makes, on the path a cold `grader check` waits for (issue 13).
"""

from __future__ import annotations

import glob
import os
import sys

# Python packages installed beside the system's or the interpreter's: never importable in the sandbox.
MASKED_PATTERNS = (
    "/usr/lib/python3*/dist-packages",
    "/usr/lib/python3*/site-packages",
    "/usr/local/lib/python3*/dist-packages",
    "/usr/local/lib/python3*/site-packages",
)


def masked_dirs(base_prefix: str | None = None) -> list[str]:
    """Every site-packages/dist-packages directory of this host's Pythons."""
    prefix = base_prefix or sys.base_prefix
    version = f"python{sys.version_info.major}.{sys.version_info.minor}"
    patterns = [*MASKED_PATTERNS, os.path.join(prefix, "lib", version, "site-packages")]
    found = [p for pattern in patterns for p in sorted(glob.glob(pattern))]
    return list(dict.fromkeys(os.path.realpath(p) for p in found if os.path.isdir(p)))
