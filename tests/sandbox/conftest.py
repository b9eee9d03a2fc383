from __future__ import annotations

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
