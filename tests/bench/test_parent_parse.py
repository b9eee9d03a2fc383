"""Smoke test of `python -m bench.parent_parse` at a tiny size: its output's structure, never its speed."""

from __future__ import annotations

import pytest


def test_prints_each_shapes_cost_at_two_sizes_and_their_ratio(tmp_path, bench_tools):
    """Per crafted shape: CPU at n (target <= 1 s) and at 4n, and 4n over n against the linear target 8."""
    stdout, payload = bench_tools.run("parent_parse", "--scale", "0.01", json_path=tmp_path / "p.json")
    bench_tools.assert_well_formed(stdout, payload)
    for shape in ("indented magic lines", "appended %%writefile cells"):
        small, large = [f for f in payload["figures"] if f["name"].startswith(f"{shape}: CPU to load ")]
        sizes = [int(f["name"].rsplit(" ", 1)[1].replace(",", "")) for f in (small, large)]
        assert sizes[1] == 4 * sizes[0] >= 40
        assert small["target"] == {"op": "<=", "bound": 1.0} and large["target"] is None
        growth = bench_tools.figure(payload, f"{shape}: 4x the input costs")
        assert growth["target"] == {"op": "<=", "bound": 8.0}
        assert growth["value"] == pytest.approx(large["value"] / max(small["value"], 1e-6))
