"""Smoke test of `python -m bench.throughput` at a tiny size: structure of its output, never its speed."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def result(tmp_path_factory, bench_tools):
    path = tmp_path_factory.mktemp("throughput") / "throughput.json"
    return bench_tools.run(
        "throughput", "--n", "20", "--large", "40", "--baseline", "3", "--jobs", "2", json_path=path
    )


def test_prints_every_figure_with_its_target(result, bench_tools):
    """Rates, ratio and RSS at both sizes are printed, each with its target and MET/MISSED."""
    stdout, payload = result
    bench_tools.assert_well_formed(stdout, payload)
    names = [f["name"] for f in payload["figures"]]
    assert names[0] == "fork-server rate, 20 submissions"
    for prefix in (
        "fork-server / baseline",
        "parent peak RSS, 20 ",
        "parent peak RSS, 40 ",
        "parent RSS growth",
    ):
        assert bench_tools.figure(payload, prefix)["target"] is not None


def test_ratio_is_the_quotient_of_the_two_rates(result, bench_tools):
    """The printed ratio is fork-server rate / baseline rate, both measured in this run."""
    _, payload = result
    ratio = bench_tools.figure(payload, "fork-server / baseline")["value"]
    server = bench_tools.figure(payload, "fork-server rate, 20 ")["value"]
    baseline = bench_tools.figure(payload, "naive baseline rate")["value"]
    assert ratio == pytest.approx(server / baseline)


def test_the_batch_graded_the_class_correctly(result):
    """Correct and slow students get full marks, buggy and crashing ones none, syntax errors fail to load."""
    _, payload = result
    outcomes = payload["runs"]["fork-server"]["outcomes"]
    assert sum(o["students"] for o in outcomes.values()) == 20
    for kind, o in outcomes.items():
        assert o["full_score"] == (o["students"] if kind in ("correct", "slow") else 0), kind
        assert o["load_failed"] == (o["students"] if kind == "syntax_error" else 0), kind


def test_the_baseline_used_a_fresh_worker_per_submission(result):
    """The baseline run graded its class; its RSS is the parent's own (a positive number of KiB)."""
    _, payload = result
    baseline = payload["runs"]["baseline"]
    assert baseline["submissions"] == 3 and baseline["exit_code"] == 0
    assert baseline["self_maxrss_kib"] > 0
    assert baseline["tree_maxrss_kib"] >= baseline["self_maxrss_kib"]


def test_dask_local_rate_is_printed_beside_the_local_one(tmp_path, bench_tools):
    """--dask-local 2: the LocalCluster's rate and its ratio to the local executor's, measured in the same
    run, and the Dask batch graded the class as the local one did."""
    stdout, payload = bench_tools.run(
        "throughput", "--n", "10", "--large", "0", "--baseline", "2", "--dask-local", "2",
        json_path=tmp_path / "throughput.json",
    )  # fmt: skip
    bench_tools.assert_well_formed(stdout, payload)
    dask = bench_tools.figure(payload, "dask-local rate, 10 submissions")["value"]
    local = bench_tools.figure(payload, "fork-server rate, 10 ")["value"]
    assert bench_tools.figure(payload, "dask-local / local executor")["value"] == pytest.approx(dask / local)
    runs = payload["runs"]
    assert runs["dask-local"]["outcomes"] == runs["fork-server"]["outcomes"]


def test_baseline_zero_skips_the_baseline(tmp_path, bench_tools):
    """--baseline 0 skips the naive baseline as --large 0 skips the large class: no baseline figure, no
    ratio, and the fork-server class is still graded (it crashed reading the skipped run's journal)."""
    stdout, payload = bench_tools.run(
        "throughput", "--n", "4", "--large", "0", "--baseline", "0", json_path=tmp_path / "throughput.json"
    )
    bench_tools.assert_well_formed(stdout, payload)
    names = [f["name"] for f in payload["figures"]]
    assert names[0] == "fork-server rate, 4 submissions"
    assert not [name for name in names if "baseline" in name]
    assert set(payload["runs"]) == {"fork-server"}
