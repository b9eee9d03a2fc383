"""A stat of a host path from a student process (Landlock guards no stat, only opening and listing): what
exists outside the sandbox, its size and its write time, such as another student's report in a TA's batch.
Contained where the student process's file system holds only the runtime, its scratch and the system's
folders: bubblewrap's, and the private root (the root fallback; rlimits-unprivileged where pivot_root is
allowed). Run this module as uid 1001 too, for rlimits-unprivileged."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

from hostile_harness import BREACH, HOSTILE_DIR, Bait, grade, honest_twin

SAMPLE = "stat_host_marker.py"


def test_a_student_process_cannot_stat_a_marker_outside_its_sandbox(
    pool: Any, miniflow_plan: Any, bait: Bait, tmp_path: Path
) -> None:
    """stat_host_marker.py computes the right gradients only if it can stat the marker the session planted in
    /tmp (hostile_harness.Bait): no breach line, and it scores exactly its honest twin's starter score.
    (Without a private root in rlimits-unprivileged, as uid 1001: the breach line and full marks.)"""
    assert bait.marker.exists()
    graded = grade(pool, miniflow_plan, HOSTILE_DIR / SAMPLE)
    twin_path = tmp_path / f"twin_{SAMPLE}"
    twin_path.write_text(honest_twin((HOSTILE_DIR / SAMPLE).read_text()))
    twin = grade(pool, miniflow_plan, twin_path)
    assert BREACH not in graded.output, graded.output[:600]
    assert graded.report.score == twin.report.score < twin.report.max_score


def test_unconfined_the_stat_sample_does_breach(tmp_path: Path) -> None:
    """Negative control: run by a plain interpreter outside any sandbox, beside a marker of its own, the
    sample stats it and prints its breach line."""
    planted = Bait(tmp_path)
    try:
        env = {"HOSTILE_BAIT_ROOT": str(tmp_path), "PATH": "/usr/bin:/bin"}
        done = subprocess.run([sys.executable, str(HOSTILE_DIR / SAMPLE)], cwd=tmp_path, env=env,
                              capture_output=True, text=True, timeout=60)  # fmt: skip
    finally:
        planted.close()
    assert done.returncode == 0, done.stderr
    assert f"{BREACH}: stat of {planted.marker}" in done.stdout
