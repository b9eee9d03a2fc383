"""Fixtures for the hostile-sample tests: a sandbox pool per isolation mode, the run's cases, a canary."""

from __future__ import annotations

import os
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hostile_harness import ISOLATIONS

FALLBACK = "rlimits-root-dropped" if os.geteuid() == 0 else "rlimits-unprivileged"

# A secret the grader's process holds in memory (and its environment): no hostile sample may ever print it.
CANARY = "HOSTILE" + "-CANARY-" + uuid.uuid4().hex


@pytest.fixture(scope="session")
def canary() -> str:
    return CANARY


# The samples that fill the worker's scratch (scratch_fill_next_phase.py, scratch_sabotage.py) must finish
# inside TEST_LIMITS' 2 s of CPU: filling the default 512 MiB tmpfs costs 2.0 s of system time on these
# machines (measured, writes of 1 MiB), 64 MiB about a quarter of a second. The attacks are the same at any
# size.
SCRATCH_MIB = 64


@pytest.fixture(scope="session", params=ISOLATIONS)
def pool(request: pytest.FixtureRequest) -> Iterator[Any]:
    sandbox = pytest.importorskip("grader.sandbox", reason="grader.sandbox is not built yet")
    if not hasattr(sandbox, "SandboxPool"):
        pytest.skip("grader.sandbox.SandboxPool is not built yet")
    pytest.importorskip("grader.loaders", reason="grader.loaders is not built yet")
    mp = pytest.MonkeyPatch()
    # Planted before the workers start: if the environment leaked into the sandbox, the canary would be there.
    mp.setenv("GRADER_TEST_CANARY", CANARY)
    with sandbox.SandboxPool(1, isolation=request.param, scratch_mib=SCRATCH_MIB) as p:
        # rlimits run as root (CI) must be the dropped fallback, never a root child.
        wanted = {"bwrap": "bwrap", "rlimits": FALLBACK}[request.param]
        assert p.isolation == wanted, f"asked for {request.param}, the pool runs {p.isolation}"
        yield p
    mp.undo()


@pytest.fixture(scope="session", autouse=True)
def bait() -> Iterator[Any]:
    """A marker file and a UNIX-socket service in /tmp for the privileged samples to reach for, planted for
    the whole session so that every containment test runs with them present. At the end, whatever SysV
    object an escaped sample left in the host's namespace is removed too."""
    from hostile_harness import Bait, remove_host_sysv_objects

    planted = Bait(Path(tempfile.gettempdir()))
    yield planted
    planted.close()
    remove_host_sysv_objects()


@pytest.fixture(scope="session")
def miniflow_plan() -> Any:
    from hostile_harness import make_plan

    return make_plan("miniflow")


@pytest.fixture(scope="session")
def secret_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A directory under /tmp that nobody is told about: it must stay exactly as the test left it."""
    d = tmp_path_factory.mktemp("secret")
    (d / "sentinel.txt").write_text("untouched\n")
    return d


@pytest.fixture(scope="session")
def twin_scores() -> dict[tuple[str, str], Any]:
    """Cache: (isolation, twin source) -> graded honest twin, shared by every sample with the same math."""
    return {}


@pytest.fixture(scope="session")
def sweep(miniflow_plan: Any, secret_dir: Path) -> Any:
    """Each MiniFlow hostile sample graded once a pool: containment's record, read by every test that checks
    something else of the same grading (hostile_harness.Sweep)."""
    from hostile_harness import Sweep

    return Sweep(miniflow_plan, secret_dir)
