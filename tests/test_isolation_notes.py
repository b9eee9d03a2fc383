"""What the isolation shares beyond its name reaches the report of every submission that ran in it: the root
fallback whose user namespace maps no uid block runs every worker as 65534, and report.json (a single
`grader grade`'s as a batch's), the JUnit properties and Gradescope's extra_data say so, for staff."""

from __future__ import annotations

import json
import os
import types
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from batch.students import MINIFLOW_CORRECT

from grader.assignments import load_assignment
from grader.cases import cases_for_run
from grader.cluster.wire import run_from_wire, run_to_wire
from grader.model import RunResult
from grader.pipeline import RunPlan, grade_one
from grader.reports import validate
from grader.reports.gradescope import gradescope_results
from grader.reports.junit import junit_xml
from grader.reports.views import student_view
from grader.sandbox import SandboxPool, uid_block
from grader.sandbox.frames import FrameLimits

SHARED = "share one thread limit"  # uid_block's note where no block is mapped (docs/SANDBOX.md)


@pytest.mark.skipif(os.geteuid() != 0, reason="the root fallback drops from root")
def test_a_single_grade_reports_that_every_worker_shares_one_uid(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A user namespace mapping only 0 to 65535: every report of the pool's runs carries the note in staff
    details, JUnit and Gradescope's extra_data; the student view does not. Control: before, only the
    pool's terminal notes (and a batch's summary) had it."""
    unmapped = uid_block.choose([range(0, 65536)], [])
    assert unmapped.uids == range(65534, 65535) and unmapped.note and SHARED in unmapped.note
    monkeypatch.setattr(uid_block, "for_this_process", lambda: unmapped)
    assignment = load_assignment("miniflow")
    plan = RunPlan.create(assignment, 5, cases_for_run(assignment, 5))
    path = tmp_path / "student.py"
    path.write_text(MINIFLOW_CORRECT, encoding="utf-8")
    with SandboxPool(jobs=1, isolation="rlimits") as pool:
        assert pool.isolation == "rlimits-root-dropped"
        report = grade_one(plan, path, pool).report
    doc = report.to_dict()
    validate(doc, "report")
    assert doc["isolation"] == "rlimits-root-dropped" and doc["score"] == doc["max_score"]
    assert doc["staff"]["details"]["isolation_notes"] == unmapped.note
    assert SHARED not in json.dumps(student_view(doc, after_due_date=True, published=True))
    props = {p.get("name"): p.get("value") for p in ET.fromstring(junit_xml(report)).iter("property")}
    assert props["isolation_notes"] == unmapped.note
    assert gradescope_results(report)["extra_data"]["isolation_notes"] == unmapped.note


def test_the_notes_cross_the_dask_wire() -> None:
    """A Dask worker's run keeps its isolation notes on the way to the client."""
    run = RunResult("rlimits-root-dropped", None, {}, None, "", "", 0.1, isolation_notes=("one uid",))
    back = run_from_wire(json.loads(json.dumps(run_to_wire(run))), {}, FrameLimits())
    assert back.isolation_notes == ("one uid",)


@pytest.mark.parametrize("failing_writes", [1, 2])
def test_a_grader_error_report_keeps_the_runs_isolation_notes(
    monkeypatch: pytest.MonkeyPatch, failing_writes: int
) -> None:
    """A run whose judging raises (a grader bug) is reported as an error from a new run record, and when
    that report raises too, from a bare one: both keep the notes of the pool the submission ran in (before,
    both dropped them: that report stated the isolation without what its workers shared; review of
    s26-left)."""
    from grader import pipeline

    written: list[RunResult] = []

    def report(*args: object, **kwargs: object) -> str:
        run = args[4]
        assert isinstance(run, RunResult)
        written.append(run)
        if len(written) <= failing_writes:
            raise RuntimeError("a grader bug")
        return "report"

    monkeypatch.setattr(pipeline, "_report", report)
    run = RunResult("rlimits-root-dropped", None, {}, None, "", "", 0.1, isolation_notes=("one uid",))
    got = pipeline._safe_report(None, "s", Path("s.py"), None, run, 0.0)  # type: ignore[arg-type]
    assert got == "report" and len(written) == failing_writes + 1
    assert written[-1].process_failure is not None and written[-1].isolation_notes == ("one uid",)


def _miniflow_plan() -> RunPlan:
    assignment = load_assignment("miniflow")
    return RunPlan.create(assignment, 5, cases_for_run(assignment, 5))


def test_a_job_lost_with_its_dask_worker_keeps_the_workers_notes(tmp_path: Path) -> None:
    """A submission whose task took its Dask worker down (KilledWorker) is reported by the client, which has
    no run of the worker's: it states the workers' isolation and carries their isolation notes, each once,
    as a report of a run does (before, none: `_lost` built a bare RunResult)."""
    pytest.importorskip("distributed")
    from distributed.scheduler import KilledWorker

    from grader.cluster.executor import DaskExecutor
    from grader.pipeline import Prepared, prepare

    state = {"isolation": "rlimits-root-dropped", "sandboxes": 1, "notes": ["one uid"], "host": "h"}
    workers = [DaskExecutor._info({**state, "isolation_notes": ["one uid"]}) for _ in range(2)]
    executor = object.__new__(DaskExecutor)
    executor._workers, executor.confinement = {}, DaskExecutor._confinement(workers)

    class Killed:
        def result(self) -> None:
            raise KilledWorker("grade-ann", types.SimpleNamespace(address="tcp://127.0.0.1:1"), 3)

    path = tmp_path / "ann.py"
    path.write_text(MINIFLOW_CORRECT, encoding="utf-8")
    plan = _miniflow_plan()
    prepared = prepare(plan, "ann", path, executor.confinement)
    assert isinstance(prepared, Prepared)
    doc = executor._graded(plan, prepared, Killed(), {}).report.to_dict()  # type: ignore[arg-type]
    validate(doc, "report")
    assert doc["isolation"] == "rlimits-root-dropped" and doc["status"] == "load_failed"
    assert doc["staff"]["details"]["isolation_notes"] == "one uid"


def test_an_entry_refused_before_its_run_keeps_the_pools_notes(tmp_path: Path) -> None:
    """A submission the loader refuses is never sandboxed, yet its report states the pool's isolation: it
    carries the pool's isolation notes too (before, none)."""
    from grader.pipeline import grade_paths

    with SandboxPool(jobs=1, isolation="rlimits") as pool:
        pool.isolation_notes = ("one uid",)
        [graded] = grade_paths(_miniflow_plan(), [("ann", tmp_path / "missing.py")], pool)
    doc = graded.report.to_dict()
    validate(doc, "report")
    assert doc["isolation"] == pool.isolation and doc["staff"]["details"]["isolation_notes"] == "one uid"
