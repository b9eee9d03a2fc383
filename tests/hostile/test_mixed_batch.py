"""A class mixing honest and hostile students, graded in one batch on two workers per isolation mode.

Finding 4 of issue 9: one student could break the next (a full disk, an unremovable or unreadable scratch
folder, a deep directory chain, SysV IPC objects) so that later students on the same worker scored 0 with
"not your fault". Here every honest student must score exactly what it scores graded alone, and every
student must be in the results exactly once.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from hostile_harness import HOSTILE_DIR, REPO, SAMPLES

from grader.pipeline import grade_one, grade_paths

HONEST = ["correct.py", "bias_not_summed.py", "sigmoid_from_input.py", "starter.py", "mse_sign_flipped.py"]
# The samples that attack whoever comes next on the same worker, a few that end their process badly, and two
# that stopped the parent building their job (the batch ended there).
HOSTILE = [
    "scratch_sabotage.py",
    "sysv_ipc_share.py",
    "harness_tamper.py",
    "fork_bomb_os.py",
    "memory_bomb_forward.py",
    "close_fds.py",
    "huge_file.py",
    "bytecode_marshal_depth.py",
    "coding_cookie_binary_codec.py",
]


def _class(tmp_path: Path) -> list[tuple[str, Path]]:
    """Hostile and honest students alternating, so that each honest one follows a hostile one."""
    folder = tmp_path / "class"
    folder.mkdir()
    entries: list[tuple[str, Path]] = []
    hostile = [h for h in HOSTILE if h in SAMPLES]
    for i in range(max(len(HONEST), len(hostile))):
        pair = (
            (f"h{i}-", HOSTILE_DIR / hostile[i % len(hostile)]),
            (f"s{i}-", REPO / "submissions" / "miniflow" / HONEST[i % len(HONEST)]),
        )
        for name, source in pair:
            target = folder / (name + source.name)
            shutil.copy(source, target)
            entries.append((target.stem, target))
    return entries


@pytest.mark.slow
def test_honest_students_score_as_alone_in_a_mixed_batch(
    pool: Any, miniflow_plan: Any, tmp_path: Path
) -> None:
    """Every student graded once; every honest student's score equals its score graded alone."""
    from grader.sandbox import SandboxPool

    entries = _class(tmp_path)
    request = "bwrap" if pool.isolation == "bwrap" else "rlimits"
    with SandboxPool(2, isolation=request) as two:
        assert two.isolation == pool.isolation
        batch = {g.student: g.report for g in grade_paths(miniflow_plan.run_plan, entries, two)}
    assert sorted(batch) == sorted(student for student, _ in entries)
    for student, path in entries:
        if not student.startswith("s"):
            continue
        alone = grade_one(miniflow_plan.run_plan, path, pool, student=student).report
        got = batch[student]
        assert got.status == "graded", (student, got.status)
        assert got.score == alone.score, f"{student}: {got.score} in the batch, {alone.score} alone"
        assert [c.status for c in got.cases] == [c.status for c in alone.cases], student
