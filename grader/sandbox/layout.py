"""Where the interpreter, numpy and the in-sandbox runtime live on this host, and how a worker is started.

The worker runs `python -s -P -S -B -c BOOTSTRAP RUNTIME PYLIB SCRATCH [RUNNER_FILE]` (WORKER_FLAGS: isolated
mode but for the environment, which is the worker's own; no site, no bytecode writes). BOOTSTRAP imports
`grader/inside` as the top-level package `inside` from RUNTIME (by file location, so no directory above it is
ever on sys.path) and puts PYLIB, a directory holding numpy and nothing else, on sys.path.
"""

from __future__ import annotations

import functools
import importlib.util
import os
import sys
from pathlib import Path
from typing import NamedTuple

import grader.inside

# The variable grader/inside/privileges.py reads (tests/sandbox/test_caps.py holds the two names equal),
# spelled here so that starting a worker does not import the confinement code (seccomp's program is built on
# import).
ISOLATION_ENV = "GRADER_ISOLATION"
# The size of a worker's scratch file system, where it has one of its own (bwrap's /tmp, or the private root
# of the fallback run as root): every job directory of that worker lives in it; and of each student process's
# folder, a tmpfs of its own in every mode that can mount one (an ordinary user's rlimits worker's too, whose
# scratch is the host's: grader/inside/folder_mounts.py folder_size). privileges.py reads the same
# variable and rootfs.SCRATCH_QUOTA_MIB is the same default (tests/sandbox/test_caps.py holds them equal).
SCRATCH_ENV = "GRADER_SCRATCH_MIB"
SCRATCH_MIB = 512
SCRATCH_MIB_RANGE = (16, 1 << 20)
# The uid a worker of the fallback run as root drops to, one per worker: the kernel counts RLIMIT_NPROC per
# uid, machine-wide, so with one uid for every worker a student holding threads up to the limit left a
# student graded at the same time on another worker unable to start a single one ("can't start new
# thread", blamed on that student's code; sample threads_starve_other_lane.py). A block nothing else uses
# (above systemd's container range, below 2**31); rootfs.SANDBOX_UIDS is the same block
# (tests/sandbox/test_caps.py holds them equal). The group stays 65534 (nogroup) for every worker. In a user
# namespace that does not map this block, the pool takes another of its map, or 65534 (uid_block.py).
UID_ENV = "GRADER_SANDBOX_UID"
SANDBOX_UIDS = range(0x70000000, 0x70000000 + 0x10000)
# A free block of a user namespace's map starts at or above this (rootfs.FIRST_POOL_UID, held equal too):
# spelled here so that the parent imports no rootfs (ctypes) before its first worker starts.
FIRST_POOL_UID = 0x10000

# After main returns (its harness reaped, its replies written), the worker leaves without the interpreter's
# teardown: nothing is left to run, and tearing numpy's modules down took 25 to 150 ms after every pool's
# close, which each `grader check` waited for (measured: a pool's close 32-164 -> 8-32 ms). An exception from
# main still ends the usual way, its traceback on stderr and exit status 1.
BOOTSTRAP = (
    "import os, sys, importlib.util as u\n"
    "rt, pylib = sys.argv[1], sys.argv[2]\n"
    "s = u.spec_from_file_location('inside', rt + '/__init__.py', submodule_search_locations=[rt])\n"
    "m = u.module_from_spec(s); sys.modules['inside'] = m; s.loader.exec_module(m)\n"
    "sys.path.insert(0, pylib)\n"
    "from inside.worker import main\n"
    "main(sys.argv[3:])\n"
    "sys.stdout.flush(); sys.stderr.flush()\n"
    "os._exit(0)\n"
)
# One BLAS thread: grading parallelism is across workers, and a forked child must not inherit BLAS threads.
# One string hash for every worker (DESIGN.md rule 7: the same submission, the same report): a student's
# message or output that lists a set of names read differently from one run to the next when each worker
# drew its own hash seed. The student's process can compute any hash of its own worker whatever the seed,
# so a fixed one tells it nothing it could not learn.
WORKER_ENV = {
    "OPENBLAS_NUM_THREADS": "1",
    "OMP_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
    "LANG": "C.UTF-8",
    "PYTHONHASHSEED": "0",
}
# Isolated mode (-I) less -E: the environment is the worker's own (WORKER_ENV, set whole by the pool; bwrap
# also clears the rest), and -E would ignore PYTHONHASHSEED. -s: no user site; -P: no script or working
# folder on sys.path; -S: no site; -B: no bytecode written.
WORKER_FLAGS = ("-s", "-P", "-S", "-B")


def worker_env(request: str, scratch_mib: int = SCRATCH_MIB, uid: int | None = None) -> dict[str, str]:
    """The worker's whole environment: WORKER_ENV, the isolation it must achieve (bwrap, rlimits or none),
    its scratch's size and, for the fallback run as root, the uid it drops to (grader/inside/privileges.py
    reads and removes them; without a uid it drops to 65534)."""
    own_uid = {} if uid is None else {UID_ENV: str(uid)}
    return {**WORKER_ENV, ISOLATION_ENV: request, SCRATCH_ENV: str(scratch_mib), **own_uid}


# A named tuple, not a dataclass: nothing before the sandbox worker's Popen imports dataclasses (with inspect,
# dis and ast: ~28 million instructions of a `grader check`'s serial start, session 37).
class HostLayout(NamedTuple):
    python: Path
    base_prefix: Path
    site_packages: Path
    numpy_dir: Path
    numpy_libs: Path | None
    inside_dir: Path


def _numpy_dir() -> Path:
    """Where numpy is installed, found without importing it (the parent may not need it yet)."""
    spec = importlib.util.find_spec("numpy")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("numpy is not installed: the sandbox's student processes need it")
    return Path(next(iter(spec.submodule_search_locations))).resolve()


@functools.lru_cache(maxsize=1)
def host_layout() -> HostLayout:
    version = f"python{sys.version_info.major}.{sys.version_info.minor}"
    base = Path(sys.base_prefix).resolve()
    python = base / "bin" / version
    if not python.exists():
        python = Path(sys.executable).resolve()
    numpy_dir = _numpy_dir()
    libs = numpy_dir.with_name("numpy.libs")
    return HostLayout(
        python=python,
        base_prefix=base,
        site_packages=base / "lib" / version / "site-packages",
        numpy_dir=numpy_dir,
        numpy_libs=libs if libs.is_dir() else None,
        inside_dir=Path(next(iter(grader.inside.__path__))).resolve(),
    )


def python_argv(
    python: str | os.PathLike[str], runtime: str, pylib: str, scratch: str, runner: str | None
) -> list[str]:
    argv = [os.fspath(python), *WORKER_FLAGS, "-c", BOOTSTRAP, runtime, pylib, scratch]
    return [*argv, runner] if runner else argv
