"""The garbage collector's pace while a batch grades (grader/batch/collector.py), restored afterwards."""

from __future__ import annotations

import gc
import io
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path

from grader.assignments import load_assignment
from grader.batch.collector import YOUNG, batch_pace
from grader.batch.executors import WorkerInfo
from grader.batch.run import run_batch
from grader.cases import cases_for_run
from grader.model import Confinement
from grader.pipeline import Graded, RunPlan


def test_the_young_threshold_is_raised_then_restored() -> None:
    """Raised to YOUNG inside, the older generations' thresholds kept; the process's own values after."""
    saved = gc.get_threshold()
    try:
        gc.set_threshold(700, 10, 10)
        with batch_pace():
            assert gc.get_threshold() == (YOUNG, 10, 10)
        assert gc.get_threshold() == (700, 10, 10)
        gc.set_threshold(50_000, 10, 10)  # a process that asked for rarer collections keeps them
        with batch_pace():
            assert gc.get_threshold() == (50_000, 10, 10)
        gc.set_threshold(0, 10, 10)  # 0: automatic collection off, rarer than any threshold; kept off
        with batch_pace():
            assert gc.get_threshold() == (0, 10, 10)
        assert gc.get_threshold() == (0, 10, 10)
    finally:
        gc.set_threshold(*saved)


class _Seen:
    """An executor that grades nothing and records the collector's threshold while it is asked to grade."""

    name = "seen"
    validates_reports = False
    confinement = Confinement("none")  # the Executor protocol's (was `isolation`, before s27-left)

    def __init__(self) -> None:
        self.thresholds: list[tuple[int, int, int]] = []

    def workers(self) -> Mapping[str, WorkerInfo]:
        return {}

    def grade(self, plan: RunPlan, entries: Iterable[tuple[str, Path]]) -> Iterator[Graded]:
        self.thresholds.append(gc.get_threshold())
        list(entries)
        return iter(())

    def close(self) -> None:
        pass


def test_a_batch_grades_at_the_batch_pace(tmp_path: Path) -> None:
    """run_batch grades with the young threshold at YOUNG and leaves the process's threshold as it was."""
    saved = gc.get_threshold()
    (tmp_path / "class").mkdir()
    assignment = load_assignment("miniflow")
    plan = RunPlan.create(assignment, 1, cases_for_run(assignment, 1))
    seen = _Seen()
    try:
        gc.set_threshold(700, 10, 10)
        run_batch(plan, tmp_path / "class", tmp_path / "out", seen, stream=io.StringIO())
        assert seen.thresholds == [(YOUNG, 10, 10)]
        assert gc.get_threshold() == (700, 10, 10)
    finally:
        gc.set_threshold(*saved)
