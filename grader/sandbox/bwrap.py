"""The bubblewrap command line of a sandboxed worker.

Inside: a read-only system (/usr and its symlinks), the interpreter's prefix, every site-packages and
dist-packages directory (the interpreter's, /usr/lib/python3*, /usr/local/lib/python3*) hidden under an empty
tmpfs, numpy alone at /opt/pylib, `grader/inside` at /runtime/inside, a size-capped /tmp, fresh /proc
and /dev, no network, an unprivileged uid without capabilities in new namespaces, an empty environment.
Never mounted: the repo, fixtures/, reference/, the output directory, other submissions.
"""

from __future__ import annotations

import os
from pathlib import Path

from grader.inside.masked import masked_dirs

from .layout import SCRATCH_MIB, HostLayout, python_argv, worker_env

BWRAP = "/usr/bin/bwrap"
RUNTIME = "/runtime/inside"
PYLIB = "/opt/pylib"
TEST_RUNNER = "/runtime/test_runner.py"
SANDBOX_UID = 65534
_SYSTEM_DIRS = ("/usr", "/bin", "/sbin", "/lib", "/lib64", "/lib32")
_SYSTEM_FILES = ("/etc/ld.so.cache", "/etc/localtime")


def _system_binds() -> list[str]:
    args: list[str] = []
    for path in _SYSTEM_DIRS:
        if os.path.islink(path):
            args += ["--symlink", os.readlink(path), path]
        elif os.path.isdir(path):
            args += ["--ro-bind", path, path]
    for path in _SYSTEM_FILES:
        args += ["--ro-bind-try", path, path]
    return args


def bwrap_command(
    layout: HostLayout, *, scratch_mib: int = SCRATCH_MIB, runner_file: Path | None = None
) -> list[str]:
    args = [
        BWRAP,
        "--unshare-all",
        "--unshare-user",
        "--uid", str(SANDBOX_UID),
        "--gid", str(SANDBOX_UID),
        "--cap-drop", "ALL",
        "--cap-add", "CAP_SYS_ADMIN",  # the worker and its maker: PID namespaces (inside/pid_namespace.py)
        "--disable-userns",
        "--die-with-parent",
        "--new-session",
        "--clearenv",
        "--hostname", "sandbox",
    ]  # fmt: skip
    for key, value in worker_env("bwrap", scratch_mib).items():
        args += ["--setenv", key, value]
    args += _system_binds()
    prefix = str(layout.base_prefix)
    args += ["--ro-bind", prefix, prefix]
    for masked in masked_dirs(prefix):  # every site-/dist-packages, the interpreter's and the system's
        args += ["--tmpfs", masked]
    args += ["--ro-bind", str(layout.numpy_dir), f"{PYLIB}/numpy"]
    if layout.numpy_libs is not None:
        args += ["--ro-bind", str(layout.numpy_libs), f"{PYLIB}/numpy.libs"]
    args += ["--ro-bind", str(layout.inside_dir), RUNTIME]
    if runner_file is not None:
        args += ["--ro-bind", str(runner_file), TEST_RUNNER]
    args += ["--size", str(scratch_mib << 20), "--tmpfs", "/tmp", "--proc", "/proc", "--dev", "/dev"]
    args += ["--chdir", "/tmp", "--"]
    return args + python_argv(layout.python, RUNTIME, PYLIB, "/tmp", TEST_RUNNER if runner_file else None)
