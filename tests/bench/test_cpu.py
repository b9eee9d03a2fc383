"""Smoke test of `python -m bench.cpu` at a tiny size: structure of its output, never its speed."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow
REPO = Path(__file__).resolve().parents[2]


def test_prints_parent_sandbox_and_total_cpu_and_the_ratio_to_a_baseline(tmp_path, bench_tools):
    """Per checkout: parent, sandbox and total CPU and wall per submission, the total the sum of the two;
    with --compare (here this same checkout) the ratio is this total over the baseline's, with its target.
    Both checkouts are compiled to bytecode first (a worker never writes any: without it each worker start
    would compile the runtime inside the measured batch). The sandbox's share by role includes the PID
    namespaces' maker, a role of its own (it was read as a harness before session 32)."""
    stdout, payload = bench_tools.run(
        "cpu", "--n", "6", "--compare", str(REPO), json_path=tmp_path / "c.json"
    )
    bench_tools.assert_well_formed(stdout, payload)
    assert payload["precompiled"] is True  # both checkouts' bytecode compiled before either is measured

    def cpu(label: str) -> dict[str, float]:
        names = ("parent", "sandbox", "total")
        return {k: bench_tools.figure(payload, f"{label}: {k} CPU per submission")["value"] for k in names}

    this, base = cpu("this checkout"), cpu(f"baseline {REPO}")
    for measured in (this, base):
        assert measured["parent"] > 0 and measured["sandbox"] > 0
        assert measured["total"] == pytest.approx(measured["parent"] + measured["sandbox"])
    for label in ("this checkout", f"baseline {REPO}"):  # the PID namespaces' maker apart from the harness
        for role in ("workers", "harnesses", "PID-namespace makers", "student processes"):
            assert bench_tools.figure(payload, f"{label}: sandbox {role} CPU per submission")["value"] >= 0
    ratio = bench_tools.figure(payload, "total CPU, this / baseline")
    assert ratio["value"] == pytest.approx(this["total"] / base["total"])
    assert ratio["target"] == {"op": "<=", "bound": 1.25}


@pytest.mark.skipif(shutil.which("bwrap") is None, reason="needs bubblewrap (the worker's sandbox)")
def test_under_bwrap_the_sandbox_total_holds_the_sandbox_trees_cpu(tmp_path, bench_tools):
    """Under bubblewrap the sandbox total is the sandboxes' CPU: at least the live sandbox tree's, read from
    /proc at the batch's end (until session 33 it was 0.14 to 0.33 ms a submission against ~150 in the tree:
    bwrap leaves the worker's reaper unreaped, and its CPU never reached the bench's rusage); the reaped
    orphans are the two workers' namespace inits."""
    _, payload = bench_tools.run("cpu", "--n", "4", "--isolation", "bwrap", json_path=tmp_path / "c.json")
    total = bench_tools.figure(payload, "this checkout: sandbox CPU per submission")["value"]
    tree = bench_tools.figure(payload, "this checkout: sandbox tree CPU at the batch's end (/proc)")
    assert tree["value"] > 0
    assert total >= 0.9 * tree["value"]  # /proc's clock ticks against rusage's microseconds
    assert payload["this"]["orphans"] >= 2
