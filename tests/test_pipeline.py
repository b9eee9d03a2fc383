"""grade_one / grade_paths: each entry graded once, refused ones reported, expected values kept out of jobs.

Student code runs only in the sandbox pool's processes, never in pytest's.
"""

from __future__ import annotations

import base64
import dataclasses
import importlib.util
import json
import marshal
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from batch.students import (
    MINIFLOW_BROKEN,
    MINIFLOW_CORRECT,
    MINIFLOW_FLAGGED,
    MINIFLOW_FLAGGED_LINE,
    max_points,
)

from grader import arrays
from grader.assignments import load_assignment
from grader.cases import cases_for_run
from grader.inside import choice, lazy_annotations
from grader.loaders import load_submission
from grader.model import Confinement, Failure
from grader.pipeline import Prepared, RunPlan, build_job, grade_one, grade_paths, grade_runs, prepare
from grader.reports import validate
from grader.sandbox import SandboxPool

# FACTS.md section 1: the gradient of X printed by the MiniFlow Sigmoid quiz.
QUIZ_DX = [[-3.34017280e-05, -5.01025919e-05], [-6.68040138e-05, -1.00206021e-04]]
JOB_KEYS = {"job_id", "limits", "standins", "student", "harness"}
# All a student process receives from us besides case inputs (bytecode: the parent's pycs of those files).
STUDENT_KEYS = {"files", "support_files", "bytecode"}
HARNESS_KEYS = {"family", "load", "phases"}


@pytest.fixture(scope="module")
def plan() -> RunPlan:
    assignment = load_assignment("miniflow")
    return RunPlan.create(assignment, 5, cases_for_run(assignment, 5))


@pytest.fixture(scope="module")
def pool() -> Iterator[SandboxPool]:
    with SandboxPool(jobs=2) as p:
        yield p


def _files(directory: Path, sources: dict[str, str]) -> dict[str, Path]:
    paths = {}
    for student, source in sources.items():
        paths[student] = directory / f"{student}.py"
        paths[student].write_text(source, encoding="utf-8")
    return paths


def _walk_numbers(obj: object) -> Iterator[float]:
    if isinstance(obj, dict):
        for value in obj.values():
            yield from _walk_numbers(value)
    elif isinstance(obj, (list, tuple)):  # the run's cases by phase are tuples (RunPlan.job_phases)
        for value in obj:
            yield from _walk_numbers(value)
    elif isinstance(obj, float):
        yield obj


def test_the_job_carries_inputs_and_steps_but_never_expected_values(plan: RunPlan, tmp_path: Path) -> None:
    """build_job has exactly the contract's keys; no case view has `expected`, and the quiz's documented
    gradient (which is not an input) appears nowhere in the job."""
    path = _files(tmp_path, {"alice": MINIFLOW_CORRECT})["alice"]
    job = build_job(plan, load_submission(path), job_id="alice")
    assert set(job) == JOB_KEYS and job["job_id"] == "alice" and job["harness"]["family"] == "miniflow"
    assert set(job["student"]) == STUDENT_KEYS and set(job["harness"]) == HARNESS_KEYS
    views = [view for phase in job["harness"]["phases"] for view in phase["cases"]]
    assert len(views) == len(plan.cases)
    for view in views:
        assert set(view) == {"id", "kind", "target", "inputs", "steps"}
    numbers = np.array(list(_walk_numbers(job)))
    quiz = next(c for c in plan.cases if c.id == "quiz-documented")
    expected_dx = np.asarray(quiz.expected["dX"], dtype=float)
    assert np.allclose(expected_dx, QUIZ_DX, rtol=1e-6)  # the case does hold the documented value ...
    assert not any(
        np.isclose(numbers, x, rtol=1e-6, atol=0).any() for x in expected_dx.ravel()
    )  # ... not the job
    # Control: the walk does find values that are in the job (the quiz's W input).
    assert np.isclose(numbers, 3.0).any() and "expected" not in json.dumps(job["harness"])


def test_the_job_carries_the_parents_bytecode_of_each_python_file(plan: RunPlan, tmp_path: Path) -> None:
    """One checked pyc per Python file that compiles, named where the import system looks for it, holding
    the code of exactly that file (grader/bytecode.py); a file with a syntax error gets none."""
    path = _files(tmp_path, {"alice": MINIFLOW_CORRECT})["alice"]
    submission = load_submission(path)
    job = build_job(plan, submission)
    (source_name,) = submission.files
    pyc = base64.b64decode(job["student"]["bytecode"][lazy_annotations.cache_path(source_name)])
    assert pyc[8:16] == importlib.util.source_hash(submission.files[source_name])
    # As the submission's loader compiles (grader/inside/lazy_annotations.py: annotations never evaluated;
    # dont_inherit: this test file's own __future__ flags stay out of it).
    expected = compile(
        submission.files[source_name], source_name, "exec", flags=lazy_annotations.FLAGS, dont_inherit=True
    )
    assert marshal.loads(pyc[16:]) == expected
    broken = _files(tmp_path, {"bob": MINIFLOW_CORRECT + "\ndef broken(:\n"})["bob"]
    assert build_job(plan, load_submission(broken))["student"]["bytecode"] == plan.support_bytecode


def test_cases_are_split_into_phases_by_visibility(plan: RunPlan, tmp_path: Path) -> None:
    """Visible cases first, then after-due-date ones, then hidden ones; each phase holds only its own."""
    path = _files(tmp_path, {"alice": MINIFLOW_CORRECT})["alice"]
    phases = build_job(plan, load_submission(path))["harness"]["phases"]
    visibility = {c.id: c.visibility for c in plan.cases}
    names = [p["name"] for p in phases]
    assert names == [v for v in ("visible", "after_due_date", "hidden") if v in visibility.values()]
    assert len(names) >= 2  # the shipped miniflow assignment has hidden cases: the split is exercised
    for phase in phases:
        assert {visibility[view["id"]] for view in phase["cases"]} == {phase["name"]}


def test_grade_paths_yields_every_entry_once_including_unloadable_ones(
    plan: RunPlan, pool: SandboxPool, tmp_path: Path
) -> None:
    """A correct file, two buggy ones, a corrupt zip and a missing path: five reports, one per student, each
    under its own id; the unloadable ones carry the loader's failure code and score 0."""
    paths = _files(
        tmp_path, {"ok": MINIFLOW_CORRECT, **{k: MINIFLOW_BROKEN[k] for k in ("mse_sign_flipped",)}}
    )
    bad_zip = tmp_path / "zipped.zip"
    bad_zip.write_bytes(b"PK\x03\x04 this is not really a zip")
    entries = [("ok", paths["ok"]), ("zipped", bad_zip), ("sign", paths["mse_sign_flipped"])]
    entries.append(("gone", tmp_path / "gone.py"))
    graded = {g.student: g for g in grade_paths(plan, iter(entries), pool)}
    assert sorted(graded) == ["gone", "ok", "sign", "zipped"]
    full = max_points("miniflow")
    assert graded["ok"].report.score == full == graded["ok"].report.max_score
    assert 0 < graded["sign"].report.score < full
    for student, code in (("zipped", "bad_archive"), ("gone", "unreadable")):
        doc = graded[student].report.to_dict()
        assert doc["status"] == "load_failed" and doc["score"] == 0
        assert {c["failure_code"] for c in doc["cases"]} == {code}
        assert doc["submission"]["id"] == student
        # staff read why (a loader's refusal has no detail, only its message: it was "bad_archive: ")
        said = doc["staff"]["details"]["process_failure"]
        assert said.startswith(f"{code}: ") and doc["cases"][0]["message"] in said, said
    assert graded["sign"].source_path == paths["mse_sign_flipped"]


def test_grade_runs_grades_each_entry_with_its_own_runs_plan_in_one_pass(
    plan: RunPlan, pool: SandboxPool, tmp_path: Path
) -> None:
    """Two runs in one pass of the pool: the whole assignment (a correct file, a corrupt zip) and stage
    `backprop` (the correct file twice, under two other ids): each report names its run's stage and has that
    run's cases alone, all passed; the refused entry is reported once; every entry comes back once."""
    paths = _files(tmp_path, {"ok": MINIFLOW_CORRECT})
    bad_zip = tmp_path / "zipped.zip"
    bad_zip.write_bytes(b"PK\x03\x04 this is not really a zip")
    assignment = plan.assignment
    backprop = RunPlan.create(assignment, 5, cases_for_run(assignment, 5, stage="backprop"), stage="backprop")
    runs = [
        (plan, [("ok", paths["ok"]), ("zipped", bad_zip)]),
        (backprop, [("ok at backprop", paths["ok"]), ("also at backprop", paths["ok"])]),
    ]
    graded = Counter()
    for g in grade_runs(iter(runs), pool):
        graded[g.student] += 1
        doc = g.report.to_dict()
        validate(doc, "report")
        run = backprop if g.student.endswith("at backprop") else plan
        assert doc["stage"]["name"] == run.graded_stage.name, g.student
        assert sorted(c["id"] for c in doc["cases"]) == sorted(c.id for c in run.cases), g.student
        if g.student != "zipped":
            assert doc["score"] == doc["max_score"] == sum(c.points for c in run.cases), g.student
    assert graded == dict.fromkeys(["ok", "zipped", "ok at backprop", "also at backprop"], 1)
    assert len(backprop.cases) < len(plan.cases)  # the stage's run is not the whole assignment's


def test_wall_seconds_counts_no_time_a_built_job_waited_for_a_lane(plan: RunPlan, tmp_path: Path) -> None:
    """A submission's wall time is its own: built, run, judged. The pool builds the next job while its one
    worker runs the one before; the time that built job then waits for the worker is the other student's
    (review of s22-speed, 1: the second of two 2 s runs on one worker reported 4 s of wall time)."""
    sleepy = "import time\ntime.sleep(1.0)\n" + MINIFLOW_CORRECT  # at each import: each phase's process
    paths = _files(tmp_path, {"first": sleepy, "second": sleepy})
    with SandboxPool(jobs=1) as one:
        graded = {g.student: g.report for g in grade_paths(plan, iter(paths.items()), one)}
    assert sorted(graded) == ["first", "second"]
    for report in graded.values():
        assert report.score == max_points("miniflow")
        run, wall = report.timing.sandbox_seconds, report.timing.wall_seconds
        assert run > 2.0  # two phases, each importing the file: the second waited at least this long
        assert run <= wall < run + 1.0, (run, wall)  # build and judging only, not the other's run


@pytest.mark.parametrize("built", [True, False], ids=["graded", "job-building-bug"])
def test_wall_seconds_counts_no_time_an_entry_made_ahead_waited_for_its_pool(
    plan: RunPlan, pool: SandboxPool, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, built: bool
) -> None:
    """An entry loaded and built ahead of its pool (pipeline.ahead: a cold `check` does it beside its worker's
    start) and taken 5 s later: its report's wall time is its own, the wait for the pool left out, whether its
    job was run or could not be built (a grader bug: the error report). Compared with the time the test saw
    pass around it, not with a bound (it asserted under 5 s, which grading on a loaded machine can take)."""
    from grader import pipeline

    if not built:

        def broken(plan, submission, job_id=None, made=None):  # type: ignore[no-untyped-def]
            raise ValueError("object too deeply nested to marshal")

        monkeypatch.setattr(pipeline, "build_job", broken)
    path = _files(tmp_path, {"ann": MINIFLOW_CORRECT})["ann"]
    started = time.monotonic()
    made = pipeline.ahead(plan, "ann", path)
    assert (made.job is None) is not built
    assert made.prepared is not None
    earlier = dataclasses.replace(made.prepared, started=made.prepared.started - 5.0)
    made = dataclasses.replace(made, made=made.made - 5.0, prepared=earlier)  # as if made 5 s ago
    (graded,) = pipeline.grade_ahead(plan, [made], pool)
    taken = time.monotonic() - started  # all the entry really took, ahead() included: the 5 s never passed
    assert graded.report.status == ("graded" if built else "error")
    assert graded.report.timing.wall_seconds <= taken, (graded.report.timing, taken)


def test_grade_one_names_the_student_after_the_file_or_folder(
    plan: RunPlan, pool: SandboxPool, tmp_path: Path
) -> None:
    """A file is named by its stem, a folder by its own name; the correct MiniFlow passes the quiz's
    documented gradients (FACTS.md) and gets full marks from the manifest."""
    folder = tmp_path / "bob_hw"
    folder.mkdir()
    (folder / "miniflow.py").write_text(MINIFLOW_CORRECT, encoding="utf-8")
    single = _files(tmp_path, {"carol": MINIFLOW_CORRECT})["carol"]
    for path, student in ((folder, "bob_hw"), (single, "carol")):
        graded = grade_one(plan, path, pool)
        assert graded.student == student and graded.report.to_dict()["submission"]["id"] == student
        quiz = next(c for c in graded.report.cases if c.case_id == "quiz-documented")
        assert quiz.status == "passed"
        assert graded.report.score == max_points("miniflow")


def test_the_same_seed_builds_the_same_jobs_and_another_seed_does_not(tmp_path: Path) -> None:
    """Generated inputs follow the seed: the same seed gives byte-identical jobs; a new seed changes them."""
    assignment = load_assignment("miniflow")
    path = _files(tmp_path, {"a": MINIFLOW_CORRECT})["a"]
    submission = load_submission(path)

    def job(seed: int) -> str:
        return json.dumps(
            build_job(RunPlan.create(assignment, seed, cases_for_run(assignment, seed)), submission)
        )

    assert job(9) == job(9)
    assert job(9) != job(10)
    # The generated case's first input is an encoded array of floats, not a placeholder.
    generated = [v for p in json.loads(job(9))["harness"]["phases"] for v in p["cases"]][-1]
    assert arrays.decode(next(iter(generated["inputs"].values()))).size > 0


def test_a_judging_crash_on_one_submission_gives_an_error_report_and_the_rest_go_on(
    plan: RunPlan, pool: SandboxPool, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """If judging one submission raises (a grader bug), that student gets a status "error" report whose cases
    say the grader failed, with the traceback for staff; the other students are graded normally."""
    from grader import pipeline

    real_grade = pipeline.grade

    def grade_that_breaks_on_boom(cases, run, meta):  # type: ignore[no-untyped-def]
        if meta["submission_id"] == "boom" and not meta.get("status"):
            raise RuntimeError("judge bug for this output")
        return real_grade(cases, run, meta)

    monkeypatch.setattr(pipeline, "grade", grade_that_breaks_on_boom)
    paths = _files(tmp_path, {"ann": MINIFLOW_CORRECT, "boom": MINIFLOW_FLAGGED, "zed": MINIFLOW_CORRECT})
    graded = {g.student: g.report.to_dict() for g in grade_paths(plan, iter(paths.items()), pool)}
    assert sorted(graded) == ["ann", "boom", "zed"]
    assert graded["ann"]["status"] == graded["zed"]["status"] == "graded"
    assert graded["ann"]["score"] == max_points("miniflow")
    boom = graded["boom"]
    assert boom["status"] == "error" and boom["score"] == 0
    assert {c["message"] for c in boom["cases"]} == {pipeline.GRADER_FAILED}
    assert "judge bug for this output" in json.dumps(boom["staff"])
    assert [f["code"] for f in boom["staff"]["flags"]] == ["native_code"]  # the scan's flags survive
    validate(boom, "report")


def test_a_job_building_crash_on_one_submission_gives_an_error_report_and_the_rest_go_on(
    plan: RunPlan, pool: SandboxPool, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """If building one submission's job raises (a grader bug met on its files: marshal's ValueError on 1,000
    nested lambdas, decode_source's LookupError on `# coding: rot13` each stopped a whole batch), that student
    gets a status "error" report saying the grader failed, never run in a sandbox; the others are graded."""
    from grader import pipeline

    real_build_job = pipeline.build_job

    def build_job_that_breaks_on_boom(plan, submission, job_id=None, made=None):  # type: ignore[no-untyped-def]
        if job_id == "boom":
            raise ValueError("object too deeply nested to marshal")
        return real_build_job(plan, submission, job_id=job_id, made=made)

    monkeypatch.setattr(pipeline, "build_job", build_job_that_breaks_on_boom)
    paths = _files(tmp_path, {"ann": MINIFLOW_CORRECT, "boom": MINIFLOW_FLAGGED, "zed": MINIFLOW_CORRECT})
    graded = {g.student: g.report.to_dict() for g in grade_paths(plan, iter(paths.items()), pool)}
    assert sorted(graded) == ["ann", "boom", "zed"]
    assert graded["ann"]["status"] == graded["zed"]["status"] == "graded"
    assert graded["ann"]["score"] == graded["zed"]["score"] == max_points("miniflow")
    boom = graded["boom"]
    assert boom["status"] == "error" and boom["score"] == 0
    assert {c["message"] for c in boom["cases"]} == {pipeline.GRADER_FAILED}
    assert "too deeply nested to marshal" in json.dumps(boom["staff"])
    assert [f["code"] for f in boom["staff"]["flags"]] == ["native_code"]  # the scan's flags survive
    validate(boom, "report")


def test_a_crash_that_also_breaks_the_error_report_still_reports_and_the_rest_go_on(
    plan: RunPlan, pool: SandboxPool, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A grader bug met on one submission's files in building its job and again in writing its report (the
    report reads the files too): before, the error report's own exception left the job generator and the
    batch stopped there (zed never graded). Now that student gets a status "error" report written without
    reading its files, both tracebacks for staff; the others are graded."""
    from grader import pipeline

    real_build_job, real_stage_meta = pipeline.build_job, pipeline._stage_meta

    def build_job_that_breaks_on_boom(plan, submission, job_id=None, made=None):  # type: ignore[no-untyped-def]
        if job_id == "boom":
            raise ValueError("job bug on these files")
        return real_build_job(plan, submission, job_id=job_id, made=made)

    def stage_meta_that_breaks_on_boom(plan, submission, copies=None):  # type: ignore[no-untyped-def]
        if submission is not None and "boom.py" in submission.files:
            raise LookupError("report bug on these files")
        return real_stage_meta(plan, submission, copies)

    monkeypatch.setattr(pipeline, "build_job", build_job_that_breaks_on_boom)
    monkeypatch.setattr(pipeline, "_stage_meta", stage_meta_that_breaks_on_boom)
    paths = _files(tmp_path, {"ann": MINIFLOW_CORRECT, "boom": MINIFLOW_FLAGGED, "zed": MINIFLOW_CORRECT})
    graded = {g.student: g.report.to_dict() for g in grade_paths(plan, iter(paths.items()), pool)}
    assert sorted(graded) == ["ann", "boom", "zed"]
    assert graded["ann"]["score"] == graded["zed"]["score"] == max_points("miniflow")
    boom = graded["boom"]
    assert boom["status"] == "error" and boom["score"] == 0
    assert {c["message"] for c in boom["cases"]} == {pipeline.GRADER_FAILED}
    staff = json.dumps(boom["staff"])
    assert "job bug on these files" in staff and "report bug on these files" in staff
    assert [f["code"] for f in boom["staff"]["flags"]] == ["native_code"]  # the scan's flags survive
    validate(boom, "report")


def test_a_scan_crash_on_one_submission_is_a_staff_flag_not_an_exception(
    plan: RunPlan, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A bug in the static scan (an encrypted .npz member once raised RuntimeError out of prepare and stopped
    the whole batch: review) leaves that submission prepared for its sandbox with one not_scanned flag
    naming the exception for staff; prepare raises nothing."""
    from grader import pipeline

    def scan_that_breaks(plan, submission):  # type: ignore[no-untyped-def]
        raise RuntimeError("File 'a.npy' is encrypted, password required for extraction")

    monkeypatch.setattr(pipeline, "scan", scan_that_breaks)
    path = _files(tmp_path, {"ann": MINIFLOW_CORRECT})["ann"]
    prepared = pipeline.prepare(plan, "ann", path, Confinement("none"))
    assert isinstance(prepared, pipeline.Prepared)
    assert [(f.code, f.line) for f in prepared.flags] == [("not_scanned", 0)]
    assert "RuntimeError" in prepared.flags[0].summary and "encrypted" in prepared.flags[0].summary


def test_the_scan_runs_beside_the_loader_and_its_flags_reach_the_staff_report(
    plan: RunPlan, pool: SandboxPool, tmp_path: Path
) -> None:
    """A correct file with an uncalled `import ctypes` scores full marks (a flag is no verdict) and its
    report's staff section holds one native_code flag at that line; the plain correct file has none; a
    submission the loader refuses is never scanned."""
    paths = _files(tmp_path, {"fay": MINIFLOW_FLAGGED, "ok": MINIFLOW_CORRECT})
    entries = [*paths.items(), ("gone", tmp_path / "gone.py")]
    graded = {g.student: g.report for g in grade_paths(plan, iter(entries), pool)}
    assert graded["fay"].score == graded["ok"].score == max_points("miniflow")
    assert [(f.code, f.file, f.line) for f in graded["fay"].flags] == [
        ("native_code", "fay.py", MINIFLOW_FLAGGED_LINE)
    ]
    assert graded["fay"].flags[0].evidence == "import ctypes"
    assert graded["ok"].flags == () and graded["gone"].flags == ()
    validate(graded["fay"].to_dict(), "report")


FORGED_NAMES = """
import numpy as np
import sys

# At import, in the student's process: make its own account of the names it defines a lie.
for _mod in list(sys.modules.values()):
    _names = getattr(_mod, "Names", None)
    if isinstance(_names, type) and hasattr(_names, "defined"):
        _names.defined = lambda self: ["FREE_MARKS_ASK_YOUR_TA"]
    _result = getattr(_mod, "LoadResult", None)
    if isinstance(_result, type) and hasattr(_result, "frame"):
        _frame = _result.frame
        _result.frame = lambda self: {**_frame(self), "modules": {"x": "../../etc/passwd"}}


class Input:
    def __init__(self, name=None):
        self.value = None


class Lineer:
    pass
"""


def test_missing_name_messages_quote_the_parents_reading_not_the_students_claims(
    plan: RunPlan, pool: SandboxPool, tmp_path: Path
) -> None:
    """A submission that rewrites its process's account of its names is still told what the parent read:
    its own classes (Lineer, the near miss) and its own file, never the names it forged."""
    path = _files(tmp_path, {"forged": FORGED_NAMES})["forged"]
    report = grade_one(plan, path, pool).report.to_dict()
    text = json.dumps(report)
    assert "FREE_MARKS_ASK_YOUR_TA" not in text and "etc/passwd" not in text
    linear = [c["message"] for c in report["cases"] if "no class Linear" in (c.get("message") or "")]
    assert linear and "did you mean Lineer?" in linear[0] and "forged.py" in linear[0], linear


def test_missing_name_messages_name_a_notebook_as_the_student_handed_it_in(
    plan: RunPlan, pool: SandboxPool, tmp_path: Path
) -> None:
    """A notebook's cells run as a module the grader names `<stem>.py`; a message about a missing class names
    the .ipynb the student knows (the parent's own name for it), never that module."""
    cell = {"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": 1}
    notebook = {
        "cells": [{**cell, "source": ["import numpy as np\n", "class Lineer:\n", "    pass\n"]}],
        "metadata": {},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    path = tmp_path / "hw3.ipynb"
    path.write_text(json.dumps(notebook), encoding="utf-8")
    report = grade_one(plan, path, pool).report.to_dict()
    linear = [c["message"] for c in report["cases"] if "no class Linear" in (c.get("message") or "")]
    assert linear and "in hw3.ipynb" in linear[0] and "hw3.py" not in linear[0], linear


def test_the_job_grades_the_stages_own_step_file_unless_the_stage_was_inferred(tmp_path: Path) -> None:
    """A repository with steps/step18.py and steps/step22.py graded for the step-18 assignment (its default
    stage, or asked): the job's one_of puts step 18 first, so the student's process and the parent's
    `defined` read step18.py. Control: at a stage inferred (from the latest step's file), the manifest's
    order stands and step22.py is graded, the file the stage was read from."""
    repo = tmp_path / "repo" / "steps"
    repo.mkdir(parents=True)
    (repo / "step18.py").write_text("class Variable:\n    pass\n\n\nclass Square:\n    pass\n")
    (repo / "step22.py").write_text("class Variable:\n    pass\n\n\nclass Neg:\n    pass\n")
    submission = load_submission(repo.parent)
    a = load_assignment("dezero")
    for stage, chosen in ((None, None), ("step18", "asked")):
        job = build_job(RunPlan.create(a, 1, [], stage=stage, stage_choice=chosen), submission)
        load = job["harness"]["load"]
        assert load["one_of"][0][0] == "steps/step18.py" and "Square" in load["defined"], stage
        assert "Neg" not in load["defined"]
    inferred = RunPlan.create(a, 1, [], stage="step22", stage_choice="inferred")
    load = build_job(inferred, submission)["harness"]["load"]
    assert load["one_of"] == [list(g) for g in a.one_of] and "Neg" in load["defined"]


def test_a_copy_set_aside_is_told_the_reason_the_parent_chose(pool: SandboxPool, tmp_path: Path) -> None:
    """Graded at stage linear, a/miniflow.py (its MSE still `MSEDraft`) beside b/miniflow.py: the parent
    grades b, which defines MSE, on the assignment's names, and the warning says so; the student's process
    recomputed the reason on the stage's names alone and said "the others define as much: it is the first by
    name", both untrue (b defines more, and sorts second)."""
    a = load_assignment("miniflow")
    plan = RunPlan.create(a, 1, cases_for_run(a, 1, stage="linear"), stage="linear", stage_choice="asked")
    correct = (Path(__file__).parents[1] / "submissions/miniflow/correct.py").read_text(encoding="utf-8")
    for folder, source in (("a", correct.replace("class MSE(", "class MSEDraft(")), ("b", correct)):
        (tmp_path / "hw" / folder).mkdir(parents=True)
        (tmp_path / "hw" / folder / "miniflow.py").write_text(source, encoding="utf-8")
    job = build_job(plan, load_submission(tmp_path / "hw"))
    assert job["harness"]["load"]["copies"] == {"a/miniflow.py": "b/miniflow.py"}
    warnings = grade_one(plan, tmp_path / "hw", pool).report.to_dict()["warnings"]
    (aside,) = [w for w in warnings if "other copies of miniflow.py" in w]
    assert "b/miniflow.py is graded (it defines the most of what the assignment grades)" in aside, aside


def test_the_job_names_the_step_its_stage_grades() -> None:
    """The set-aside warning needs the step the stage grades (dezero's default stage step18: "18"), sent as
    the job's `stage_step`; an inferred stage grades the latest step and sends none, as does a stage that
    is no step (miniflow's linear)."""
    a = load_assignment("dezero")
    default = RunPlan.create(
        a, 1, cases_for_run(a, 1, stage="step18"), stage="step18", stage_choice="default"
    )
    assert default.stage_step() == "18"
    inferred = RunPlan.create(
        a, 1, cases_for_run(a, 1, stage="step18"), stage="step18", stage_choice="inferred"
    )
    assert inferred.stage_step() is None
    m = load_assignment("miniflow")
    linear = RunPlan.create(m, 1, cases_for_run(m, 1, stage="linear"), stage="linear", stage_choice="asked")
    assert linear.stage_step() is None
    path = Path(__file__).parents[1] / "submissions/dezero/repo_steps_beyond_stage"
    assert build_job(default, load_submission(path))["harness"]["load"]["stage_step"] == "18"


def test_signatures_are_read_in_the_files_the_load_ran(tmp_path: Path) -> None:
    """A repository holding MiniFlow beside the DLFS book: the book's Sigmoid (graded) was warned "lacks the
    parameter `x` (udacity/miniflow/miniflow.py ...)", MiniFlow's Sigmoid, in a file never run, being the
    last class of the name. Of classes of one name, the one in a file the student's process loaded is read."""
    from grader.model import LoadInfo
    from grader.pipeline import _source_notes

    assignment = load_assignment("dlfs-layers")
    layers_plan = RunPlan.create(assignment, 5, cases_for_run(assignment, 5))
    root = tmp_path / "repo"
    (root / "dlfs").mkdir(parents=True)
    (root / "udacity").mkdir()
    book = "class Sigmoid:\n    def forward(self, x):\n        return x\n\n    def backward(self, dout):\n"
    (root / "dlfs" / "layers.py").write_text(book + "        return dout\n")
    course = "class Sigmoid:\n    def forward(self):\n        pass\n\n    def backward(self):\n        pass\n"
    (root / "udacity" / "miniflow.py").write_text(course)
    submission = load_submission(root)

    def problems(modules: dict[str, str] | None) -> list[str]:
        load = None if modules is None else LoadInfo(modules, {}, (), {})
        return [p.message for p in _source_notes(layers_plan, submission, load)["signatures"]]

    assert problems({"dlfs.layers": "dlfs/layers.py"}) == []
    # Negative control: the file the load ran is the one with the wrong parameters, and it is said.
    ran_course = problems({"miniflow": "udacity/miniflow.py"})
    assert ran_course and all("udacity/miniflow.py" in m for m in ran_course)
    # Without a load (or one naming no file of the submission) every file is read, as before.
    assert problems(None) == ran_course
    assert problems({"x": "elsewhere.py"}) == ran_course
    # A class in a file only another one imported (never among `modules`) is still read.
    assert problems({"y": "dlfs/other.py"}) == ran_course


def test_recreated_dicts_are_read_in_the_files_the_load_ran(tmp_path: Path) -> None:
    """A folder whose graded miniflow.py assigns (=) in Sigmoid.backward beside a scratch copy that
    re-creates the dict inside the loop: the hint quoted the scratch copy's line for the graded file's `=`
    (s30-fixrealmf); the graded file's own `=` is the line quoted (line 61, s31). Control: a load that ran the
    scratch copy is told its line."""
    from grader.model import LoadInfo
    from grader.pipeline import _source_notes

    assignment = load_assignment("miniflow")
    plan = RunPlan.create(assignment, 5, cases_for_run(assignment, 5))
    samples = Path(__file__).parents[1] / "submissions" / "miniflow"
    root = tmp_path / "hw"
    root.mkdir()
    (root / "miniflow.py").write_bytes((samples / "overwrite_in_sigmoid.py").read_bytes())
    (root / "scratch_old.py").write_bytes((samples / "sigmoid_dict_in_loop.py").read_bytes())
    submission = load_submission(root)

    def where(module: str) -> list[str]:
        load = LoadInfo({"m": module}, {}, (), {})
        return [f.where for f in _source_notes(plan, submission, load)["recreated"]]

    assert where("miniflow.py") == ["miniflow.py line 61"]
    assert where("scratch_old.py") == ["scratch_old.py line 149"]


def test_the_parents_notes_on_the_source_are_capped_as_any_untrusted_message(tmp_path: Path) -> None:
    """A note quotes the student's names, of any length: `import numpy as <100,000 underscores>` made the
    removed-NumPy-name note one 100,201-character line on the TA's terminal and in report.json (the s22
    hostile hunt). Each note is capped as a message is; a short note is left whole (negative control)."""
    from grader.pipeline import _source_notes
    from grader.untrusted import MESSAGE, TRUNCATED

    assignment = load_assignment("miniflow")
    plan = RunPlan.create(assignment, 5, cases_for_run(assignment, 5))
    alias = "np" + "_" * 100_000
    long_file = tmp_path / "long" / "miniflow.py"
    long_file.parent.mkdir()
    long_file.write_text(f"import numpy as {alias}\n\n\ndef f():\n    return {alias}.float\n")
    (note,) = _source_notes(plan, load_submission(long_file))["warnings"]
    assert len(note) <= MESSAGE.chars and note.endswith(TRUNCATED)
    short_file = tmp_path / "short" / "miniflow.py"
    short_file.parent.mkdir()
    short_file.write_text("import numpy as np\n\n\ndef f():\n    return np.float\n")
    (short,) = _source_notes(plan, load_submission(short_file))["warnings"]
    assert "np.float" in short and not short.endswith(TRUNCATED)


def _tied_copies(directory: Path, student: int) -> Path:
    """A folder of four of DeZero's step files in three folders each, every copy its own empty functions
    (all tied: none defines a required name), so that the copy choice counts the stubs of every copy."""
    folder = directory / f"s{student}"
    for tie, step in enumerate(range(47, 43, -1)):
        for copy in range(3):
            lines = (b"def f%d_%d_%d_%d():\n    pass\n" % (student, tie, copy, i) for i in range(20))
            path = folder / f"v{copy}" / "steps" / f"step{step:02d}.py"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(b"".join(lines))
    return folder


def test_a_submissions_copies_are_read_once_however_many_jobs_are_built_before_its_report(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A Dask client builds the jobs of four submissions (its window: two a sandbox, two sandboxes) before it
    reports on the first, and the parent's cache of readings holds two submissions' budgets: a submission
    of many tied copies had every copy's stubs read again by its report's stage scan (3,200 readings of
    1,600 copies for eight such students on a LocalCluster, 1,600 with the local executor). The choice
    made for the job is the report's: every copy read once, with no cache of readings at all."""
    readings: Counter[bytes] = Counter()
    count = choice.stub_bodies

    def counted(source: bytes) -> int:
        readings[source] += 1
        return count(source)

    monkeypatch.setattr(choice, "stub_bodies", counted)
    monkeypatch.setattr(choice, "_STUB_CACHE", {})
    monkeypatch.setattr(choice, "_STUB_CACHE_BYTES", 0)  # whatever was built between: all of it evicted
    assignment = load_assignment("dezero")
    plan = RunPlan.create(assignment, 0, cases_for_run(assignment, 0))
    where = Confinement("bwrap")
    window = [prepare(plan, f"s{i}", _tied_copies(tmp_path, i), where) for i in range(4)]
    prepared = [p for p in window if isinstance(p, Prepared)]
    assert len(prepared) == 4
    for p in prepared:
        assert p.job(plan)["harness"]["load"]["copies"] == {}  # none defines a required name: none aside
    for p in prepared:
        assert p.graded(plan, where.unrun(Failure("crashed", "lost", ""))).student == p.student
    assert len(readings) == 4 * 4 * 3, len(readings)
    assert max(readings.values()) == 1, Counter(readings.values())
