"""Smoke test of `python -m bench.check_latency` with one run: structure of its output, never its speed."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.slow


def test_prints_the_median_with_its_target_and_the_floor(tmp_path, bench_tools):
    """The cold check figure carries the 0.35 s target (issue 13); the numpy floor carries none; walls are
    recorded."""
    stdout, payload = bench_tools.run("check_latency", "--runs", "1", json_path=tmp_path / "check.json")
    bench_tools.assert_well_formed(stdout, payload)
    check = bench_tools.figure(payload, "cold python -m grader check")
    assert check["target"] == {"op": "<=", "bound": 0.35}
    assert check["value"] == payload["walls"]["python -m grader check"][0]
    assert bench_tools.figure(payload, "floor:")["target"] is None
    first = bench_tools.figure(payload, "first run of python -m grader check")
    assert first["target"] is None and first["value"] == check["value"]  # one run: the first is the median
    assert payload["precompiled"] is True


def test_compare_alternates_the_two_checkouts_and_prints_their_ratio(tmp_path, bench_tools):
    """`--compare DIR` (here this checkout against itself): both medians with the target, their ratio, and
    the walls of each, as many as the runs."""
    from bench.measure import REPO

    stdout, payload = bench_tools.run(
        "check_latency", "--runs", "2", "--compare", str(REPO), json_path=tmp_path / "check.json"
    )
    bench_tools.assert_well_formed(stdout, payload)
    mine = bench_tools.figure(payload, "alternated: this checkout, median")
    assert mine["target"] == {"op": "<=", "bound": 0.35}
    ratio = bench_tools.figure(payload, "alternated: this checkout / the other")
    theirs = payload["walls"][f"alternated, {REPO}"]
    assert len(theirs) == len(payload["walls"]["alternated, this checkout"]) == 2
    assert ratio["value"] == pytest.approx(mine["value"] / (sum(theirs) / 2))
