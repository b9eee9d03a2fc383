from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator

import pytest

from grader.sandbox import SandboxPool, probe_bwrap

from .helpers import FAKE_RUNNER


@pytest.fixture(scope="module", params=["bwrap", "rlimits"])
def isolation(request: pytest.FixtureRequest) -> str:
    if request.param == "bwrap":
        probe = probe_bwrap()
        if not probe.usable:
            pytest.skip(f"bubblewrap is not usable here: {probe.reason}")
    return str(request.param)


@pytest.fixture(scope="module")
def pool(isolation: str) -> Iterator[SandboxPool]:
    with SandboxPool(jobs=2, isolation=isolation, runner_file=FAKE_RUNNER) as p:  # type: ignore[arg-type]
        yield p


@pytest.fixture
def tmpdir_for_workers() -> Iterator[str]:
    """A TMPDIR of the test's own, which every uid may pass through (a pool's scratch goes in it)."""
    path = tempfile.mkdtemp(prefix="sandbox-test-tmp-")
    os.chmod(path, 0o711)
    yield path
    shutil.rmtree(path, ignore_errors=True)
