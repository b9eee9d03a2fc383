"""The pytest plugin (`pytest --grader ASSIGNMENT`), driven as a course's CI drives it: a real pytest process.

The plugin is loaded with `-p grader.pytest_plugin` and entry-point autoloading off, so these tests do not
depend on how this checkout was installed (tests/install/ proves the entry point from a built wheel).
Expected case ids, points and failures come from the manifest and from submissions/miniflow/expected.json,
not from the plugin.
"""

from __future__ import annotations

import fnmatch
import json
import os
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest

from grader.reports.views import HIDDEN_MESSAGE

REPO = Path(__file__).resolve().parents[1]
MINIFLOW = REPO / "submissions" / "miniflow"
BUGGY = "sigmoid_from_input.py"  # Sigmoid.backward from the input x (FACTS.md section 4)
GRADED = ("visible", "hidden")  # after_due_date cases are withheld from students, so never collected


def run_pytest(cwd: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("GRADER_", "PYTEST_"))}
    clean["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = "1"
    clean["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")]))
    argv = [sys.executable, "-m", "pytest", "-p", "grader.pytest_plugin", *args]
    return subprocess.run(
        argv, cwd=cwd, env={**clean, **(env or {})}, capture_output=True, text=True, timeout=300
    )


def manifest_cases(assignment: str = "miniflow") -> dict[str, float]:
    """Case id -> max points of every case a student's CI grades at the default stage, read from the manifest
    itself (the stage's patterns and `extends` chain followed here with fnmatch)."""
    manifest = json.loads((REPO / "fixtures" / assignment / "manifest.json").read_text(encoding="utf-8"))
    stages = {s["name"]: s for s in manifest.get("stages", ())}
    patterns, name = [], manifest.get("default_stage")
    while name:
        patterns += stages[name]["cases"]
        name = stages[name].get("extends")

    def staged(case_id: str) -> bool:
        return not stages or any(fnmatch.fnmatchcase(case_id, p) for p in patterns)

    cases = {
        c["fixture"]: float(c["points"])
        for c in manifest["cases"]
        if c["visibility"] in GRADED and staged(c["fixture"])
    }
    for g in manifest["generated"]:
        if g["visibility"] in GRADED and staged(g["id"]):
            cases.update({f"{g['id']}-{k}": float(g["points"]) for k in range(1, g["count"] + 1)})
    return cases


def visibility(case_id: str, assignment: str = "miniflow") -> str:
    manifest = json.loads((REPO / "fixtures" / assignment / "manifest.json").read_text(encoding="utf-8"))
    for c in manifest["cases"]:
        if c["fixture"] == case_id:
            return str(c["visibility"])
    spec = next(g for g in manifest["generated"] if case_id.startswith(g["id"] + "-"))
    return str(spec["visibility"])


def expected_failures(sample: str) -> set[str]:
    """The cases submissions/miniflow/expected.json says the sample fails, among those CI grades."""
    doc = json.loads((MINIFLOW / "expected.json").read_text(encoding="utf-8"))["samples"][sample]
    failing = [pattern for pattern, c in doc["cases"].items() if c["status"] != "passed"]
    return {cid for cid in manifest_cases() if any(fnmatch.fnmatch(cid, p) for p in failing)}


def junit(path: Path) -> dict[str, dict[str, Any]]:
    """testcase name -> {"properties": {...}, "failure": the failure's full text, or None}.

    The element's text, not its `message` attribute: newer pytest versions cut that attribute short."""
    cases = {}
    for tc in ET.parse(path).getroot().iter("testcase"):
        failure = tc.find("failure")
        props = {p.get("name"): p.get("value") for p in tc.iter("property")}
        cases[tc.get("name", "")] = {
            "classname": tc.get("classname"),
            "properties": props,
            "failure": None if failure is None else (failure.text or ""),
        }
    return cases


def course_repo(tmp_path: Path, sample: str) -> Path:
    repo = tmp_path / "course"
    repo.mkdir(exist_ok=True)
    shutil.copyfile(MINIFLOW / sample, repo / "miniflow.py")
    return repo


def grade(repo: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return run_pytest(
        repo, "--grader", "miniflow", "--grader-submission", "miniflow.py", "--junitxml=junit.xml", *args
    )


def test_collect_only_lists_one_item_per_graded_case_named_by_its_id(tmp_path: Path) -> None:
    """--collect-only lists grader:miniflow::<case id> for every visible and hidden case (stored and
    generated), none of the after_due_date ones, without running the submission."""
    repo = course_repo(tmp_path, "correct.py")
    done = grade(repo, "--collect-only", "-q")
    assert done.returncode == 0, done.stdout + done.stderr
    listed = [line for line in done.stdout.splitlines() if line.startswith("grader:")]
    assert sorted(listed) == sorted(f"grader:miniflow::{cid}" for cid in manifest_cases())
    assert "sgd-step" not in done.stdout  # after_due_date in the manifest
    assert "score" not in done.stdout  # nothing graded


def test_the_collected_count_is_the_number_of_cases(tmp_path: Path) -> None:
    """pytest's "collected N items" line counts the grader's items: a student whose CI said "collected 0
    items" and then ran 17 tests was left wondering what ran. With -k, the deselected count adds up."""
    repo = course_repo(tmp_path, "correct.py")
    n = len(manifest_cases())
    done = grade(repo, "--grader-seed", "1")
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"collected {n} items" in done.stdout, done.stdout
    picked = [c for c in manifest_cases() if "sigmoid-unit" in c]
    done = grade(repo, "--grader-seed", "1", "-k", "sigmoid-unit")
    assert f"collected {n} items / {n - len(picked)} deselected / {len(picked)} selected" in done.stdout


def test_a_correct_submission_passes_every_item_with_full_points(tmp_path: Path) -> None:
    """The course's correct MiniFlow file: exit 0, every item passed, each with points == max_points from
    the manifest in the JUnit XML; the header prints the seed to replay."""
    repo = course_repo(tmp_path, "correct.py")
    done = grade(repo, "--grader-seed", "7")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "seed 7 (replay with --grader-seed 7)" in done.stdout
    cases = junit(repo / "junit.xml")
    expected = manifest_cases()
    assert set(cases) == set(expected)
    for cid, max_points in expected.items():
        props = cases[cid]["properties"]
        assert cases[cid]["failure"] is None
        assert float(props["points"]) == float(props["max_points"]) == max_points, cid
    total = sum(expected.values())
    assert f"score {total:g} / {total:g}" in done.stdout.splitlines()
    # The score leaves out the cases shown after the due date, and says so with their points: it read
    # "score 40 / 40" where the gradebook gives the same file 43 / 43, naming nothing left out.
    manifest = json.loads((REPO / "fixtures" / "miniflow" / "manifest.json").read_text(encoding="utf-8"))
    late = [float(c["points"]) for c in manifest["cases"] if c["visibility"] == "after_due_date"]
    late += [
        float(g["points"]) * g["count"] for g in manifest["generated"] if g["visibility"] == "after_due_date"
    ]
    assert len(late) == 1  # one stored case (3 points): the line below is worded for it
    line = (
        f"not graded here: {sum(late):g} in cases shown after the due date (the score below leaves them out)"
    )
    assert line in done.stdout.splitlines()


def test_a_buggy_submission_fails_its_broken_cases_and_keeps_hidden_ones_hidden(
    tmp_path: Path,
) -> None:
    """Sigmoid derivative from the input: the failing items are those expected.json lists; a visible one
    shows the student-facing message naming Sigmoid.backward; a hidden one shows its status, points and the
    hidden notice only; partial points are recorded for every case."""
    repo = course_repo(tmp_path, BUGGY)
    done = grade(repo)
    assert done.returncode == 1, done.stdout + done.stderr
    cases = junit(repo / "junit.xml")
    failed = {cid for cid, c in cases.items() if c["failure"] is not None}
    assert failed == expected_failures(BUGGY)
    for cid in failed:
        message = cases[cid]["failure"]
        props = cases[cid]["properties"]
        head = message.splitlines()[0]
        assert (
            head.startswith(f"{cid} (") and f"FAILED {props['points']}/{props['max_points']} points" in head
        )
        assert float(props["points"]) < float(props["max_points"]) == manifest_cases()[cid]
        if visibility(cid) == "hidden":
            assert message.splitlines()[1:] == [HIDDEN_MESSAGE], cid
        else:
            assert "Sigmoid.backward" in message, cid
    assert "Sigmoid.backward" in done.stdout  # the blame line of the summary
    assert any(line.startswith("hidden tests cost ") for line in done.stdout.splitlines())


# A student's repository: a conftest.py that turns every failed item into a pass (GitHub Classroom's command
# grader gives full marks to a run that exits 0) and a test file of their own; each leaves a file when run.
FORGING_CONFTEST = """\
import pathlib

import pytest

pathlib.Path("conftest_ran").write_text("imported in the grading process")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    report = (yield).get_result()
    if report.failed:
        report.outcome = "passed"
        report.longrepr = None
"""
OWN_TEST = """\
import pathlib

pathlib.Path("test_file_ran").write_text("imported in the grading process")


def test_mine():
    pass
"""


# Named like the module the plugin imports for a random seed: `python -m pytest` (run_pytest) puts the
# working directory first on sys.path.
SHADOW = """\
import pathlib

pathlib.Path("shadow_ran").write_text("imported in the grading process")


def randbelow(n):
    return 0
"""


def student_repo_with_own_code(tmp_path: Path) -> Path:
    repo = course_repo(tmp_path, BUGGY)
    (repo / "conftest.py").write_text(FORGING_CONFTEST, encoding="utf-8")
    (repo / "test_mine.py").write_text(OWN_TEST, encoding="utf-8")
    (repo / "secrets.py").write_text(SHADOW, encoding="utf-8")
    return repo


def test_no_conftest_or_test_file_of_the_repository_runs_in_the_grading_process(tmp_path: Path) -> None:
    """With --grader, the repository's conftest.py, test files and a module named like one the grader imports
    later are never imported: the buggy file's items fail as expected.json says (not forged into passes),
    pytest exits 1, only the grader's items are collected, and the header says why the student's own tests
    did not run."""
    repo = student_repo_with_own_code(tmp_path)
    done = grade(repo)
    assert done.returncode == 1, done.stdout + done.stderr
    assert not (repo / "conftest_ran").exists() and not (repo / "test_file_ran").exists()
    assert not (repo / "shadow_ran").exists()
    cases = junit(repo / "junit.xml")
    assert set(cases) == set(manifest_cases())
    assert {cid for cid, c in cases.items() if c["failure"] is not None} == expected_failures(BUGGY)
    assert "conftest.py and test files are not loaded with --grader" in done.stdout


# A test module that, imported in the grading process, finds pytest's Config and passes every failed item.
FORGING_TEST = """\
import gc
import pathlib

import pytest

pathlib.Path("named_test_ran").write_text("imported in the grading process")


class _Forge:
    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_makereport(self, item, call):
        report = (yield).get_result()
        if report.failed:
            report.outcome = "passed"
            report.longrepr = None


for _obj in gc.get_objects():
    if isinstance(_obj, pytest.Config):
        _obj.pluginmanager.register(_Forge(), "forge")


def test_mine():
    pass
"""


@pytest.mark.parametrize("where", ["command line", "addopts", "testpaths"])
def test_a_test_file_named_to_pytest_is_not_imported_with_grader(tmp_path: Path, where: str) -> None:
    """pytest asks pytest_ignore_collect only of the files it finds in a folder: a test file or conftest.py
    named on the command line, in addopts (one word in the student's own tox.ini) or in testpaths was
    imported in the grading process, and a forging one turned the buggy file's run into exit 0, every item
    passed (review of session 18). The plugin now does the collection itself: nothing named is imported."""
    repo = course_repo(tmp_path, BUGGY)
    (repo / "test_forge.py").write_text(FORGING_TEST, encoding="utf-8")
    (repo / "conftest.py").write_text(FORGING_CONFTEST, encoding="utf-8")
    named = ("test_forge.py", "conftest.py")
    if where == "command line":
        done = grade(repo, *named)
    else:
        key = "addopts" if where == "addopts" else "testpaths"
        (repo / "pytest.ini").write_text(f"[pytest]\n{key} = {' '.join(named)}\n", encoding="utf-8")
        done = grade(repo)
    assert done.returncode == 1, done.stdout + done.stderr
    assert not (repo / "named_test_ran").exists() and not (repo / "conftest_ran").exists()
    cases = junit(repo / "junit.xml")
    assert {cid for cid, c in cases.items() if c["failure"] is not None} == expected_failures(BUGGY)


def test_without_grader_the_repositorys_conftest_and_tests_run(tmp_path: Path) -> None:
    """Negative control of the test above: without --grader, pytest imports the same conftest.py and test
    file (both leave their file), as it does in any repository, and the working directory is first on
    sys.path (the shadowing module is what `import secrets` finds)."""
    repo = student_repo_with_own_code(tmp_path)
    (repo / "test_path.py").write_text(
        "import secrets\n\n\ndef test_path():\n    assert secrets.randbelow(9) == 0\n"
    )
    done = run_pytest(repo, "-q")
    assert done.returncode == 0, done.stdout + done.stderr
    assert (repo / "conftest_ran").exists() and (repo / "test_file_ran").exists()
    assert (repo / "shadow_ran").exists()


def test_k_x_and_lf_select_items_as_for_any_test(tmp_path: Path) -> None:
    """-k picks cases by id, -x stops at the first failing case, --lf reruns exactly the last failures."""
    repo = course_repo(tmp_path, BUGGY)
    picked = grade(repo, "-k", "sigmoid-unit")
    assert picked.returncode == 1
    assert set(junit(repo / "junit.xml")) == {c for c in manifest_cases() if "sigmoid-unit" in c}

    first = grade(repo, "-x")
    assert first.returncode == 1
    assert "stopping after 1 failures" in first.stdout
    assert sum(c["failure"] is not None for c in junit(repo / "junit.xml").values()) == 1

    everything = grade(repo)
    assert everything.returncode == 1
    again = grade(repo, "--lf")
    assert again.returncode == 1
    assert set(junit(repo / "junit.xml")) == expected_failures(BUGGY)


def test_a_submission_that_does_not_load_fails_every_item_with_the_reason(tmp_path: Path) -> None:
    """A syntax error: every item fails, and a visible one says it was a syntax error."""
    repo = tmp_path / "course"
    repo.mkdir()
    (repo / "miniflow.py").write_text("class Node(:\n    pass\n", encoding="utf-8")
    done = grade(repo)
    assert done.returncode == 1
    cases = junit(repo / "junit.xml")
    assert set(cases) == set(manifest_cases())
    assert all(c["failure"] is not None for c in cases.values())
    assert "syntax" in cases["quiz-documented"]["failure"].lower()
    # the summary says why once: no "hidden tests cost" line, as if a second problem (review of session 19)
    assert "score 0 / " in done.stdout and "hidden tests cost" not in done.stdout


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["--grader", "no-such-assignment"], "unknown assignment 'no-such-assignment'"),
        (
            ["--grader", "miniflow", "--grader-stage", "nope"],
            "unknown stage 'nope' for assignment miniflow; valid: add, linear, transform, forward, backprop, "
            "sgd",
        ),
        (["--grader", "miniflow", "--grader-submission", "absent.py"], "absent.py does not exist"),
        (["--grader", "miniflow", "--grader-seed", "x"], "invalid seed 'x' from --seed"),
    ],
)
def test_usage_errors_stop_pytest_with_the_reason(tmp_path: Path, args: list[str], needle: str) -> None:
    """A bad assignment, stage, submission path or seed is a pytest usage error (exit 4), said on stderr."""
    done = run_pytest(tmp_path, *args)
    assert done.returncode == 4, done.stdout + done.stderr
    assert needle in done.stderr


def test_an_unknown_stage_from_grader_stage_says_it_came_from_there(tmp_path: Path) -> None:
    """GRADER_STAGE=nope in a course CI's environment: the usage error names GRADER_STAGE (nothing on the
    pytest command line shows the stage); --grader-stage nope is said as before (the control above)."""
    done = run_pytest(tmp_path, "--grader", "miniflow", env={"GRADER_STAGE": "nope"})
    assert done.returncode == 4, done.stdout + done.stderr
    assert "unknown stage 'nope' (from GRADER_STAGE) for assignment miniflow; valid: add" in done.stderr


def test_without_grader_the_plugin_does_nothing_and_imports_nothing(tmp_path: Path) -> None:
    """Loaded but not asked: a course's own tests run alone, and no grading module is imported."""
    (tmp_path / "test_own.py").write_text(
        "import sys\n\n\ndef test_own():\n    assert 'grader.pipeline' not in sys.modules\n"
        "    assert 'grader.sandbox' not in sys.modules\n",
        encoding="utf-8",
    )
    done = run_pytest(tmp_path, "-q")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "1 passed" in done.stdout
    assert "grader:" not in done.stdout


def test_grader_stage_grades_only_that_stage(tmp_path: Path) -> None:
    """--grader-stage forward on the forward-lesson file: only the forward stage's items, all passing (the
    optional Add/Mul items worth 0), the stage in the header and the summary; the same file at the default
    stage (control) fails its backward items."""
    repo = course_repo(tmp_path, "forward_stage.py")
    done = grade(repo, "--grader-stage", "forward", "--grader-seed", "1")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "grader: miniflow stage forward on" in done.stdout
    assert "stage forward: Forward values" in done.stdout
    cases = junit(repo / "junit.xml")
    assert set(cases) == {
        "forward-linear",
        "forward-sigmoid",
        "forward-mse",
        "forward-mse-flat-y",
        "forward-graph",
        "add-forward",
        "mul-forward",
        "forward-gen-graph-1",  # forward-graph's drawn copies (session 13)
        "forward-gen-graph-2",
    }
    assert float(cases["add-forward"]["properties"]["max_points"]) == 0.0
    assert grade(repo, "--grader-seed", "1", "-q").returncode == 1


def test_a_case_of_an_optional_class_left_out_is_skipped_not_failed(tmp_path: Path) -> None:
    """The Linear quiz alone at stage linear: Add, Mul and Sigmoid are optional classes it does not
    define, their cases not run and worth 0 of 0. They failed as items, so the run exited 1 for full marks
    and a course CI that gives points on exit 0 gave none (review of session 19). They are skipped with the
    reason; the run exits 0. Control: a case that ran and failed still fails the run (the default stage)."""
    repo = course_repo(tmp_path, "linear_quiz_stage.py")
    done = grade(repo, "--grader-stage", "linear", "--grader-seed", "1", "-rs")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "NOT RUN 0/0 points" in done.stdout and " skipped" in done.stdout
    cases = junit(repo / "junit.xml")
    assert all(c["failure"] is None for c in cases.values())
    # the control: at the default stage, which requires those classes, the same file fails the run
    assert grade(repo, "--grader-seed", "1", "-q").returncode == 1


def test_a_file_of_another_assignment_gets_a_note_saying_which_it_looks_like(tmp_path: Path) -> None:
    """DeZero's step-14 file in a MiniFlow course repository: every item failed with "no class Linear" and
    nothing said the file was another homework; the summary now notes it looks like dezero, in words for the
    student, who hands in a file and chooses no assignment (it said "`pytest --grader dezero ...` grades it
    as that assignment": review of s21-user). The course's own MiniFlow file gets no such note (the negative
    control)."""
    shutil.copy(REPO / "submissions" / "dezero" / "step14.py", tmp_path / "miniflow.py")
    done = run_pytest(tmp_path, "--grader", "miniflow", "--grader-submission", "miniflow.py", "-q")
    assert done.returncode == 1, done.stdout + done.stderr
    names = "Input, Linear, Sigmoid, MSE, topological_sort, forward_and_backward"
    wrong = f"note: none of the names miniflow stage sgd requires ({names}) is defined"
    assert f"{wrong}; this file looks like dezero's code: is it this assignment's file?" in done.stdout
    assert "grades it as that assignment" not in done.stdout, done.stdout
    shutil.copy(MINIFLOW / BUGGY, tmp_path / "miniflow.py")
    own = run_pytest(tmp_path, "--grader", "miniflow", "--grader-submission", "miniflow.py", "-q")
    assert own.returncode == 1 and "note: none of the names" not in own.stdout, own.stdout


def test_a_file_of_this_assignment_at_another_stage_is_asked_about_that_stage(tmp_path: Path) -> None:
    """The book's two_layer_net.py alone in a dlfs-layers repository graded at the default stage: it defines
    none of the six layer classes, and the note asked "is dlfs-layers the assignment this code was written
    for?" of code of that very assignment (review of s21-user). It now names the stage the file looks like
    and asks whether it is the file the course's stage asks for. Control: the book's layers file gets no
    note."""
    shutil.copy(REPO / "submissions" / "layers" / "two_layer_net_alone.py", tmp_path / "two_layer_net.py")
    done = run_pytest(tmp_path, "--grader", "dlfs-layers", "--grader-submission", "two_layer_net.py", "-q")
    assert done.returncode == 1, done.stdout + done.stderr
    assert (
        "is defined; this file looks like the code of dlfs-layers stage two-layer-net: is it the file stage "
        "default asks for?"
    ) in done.stdout, done.stdout
    assert "the assignment this code was written for" not in done.stdout
    shutil.copy(REPO / "submissions" / "layers" / "correct.py", tmp_path / "two_layer_net.py")
    own = run_pytest(tmp_path, "--grader", "dlfs-layers", "--grader-submission", "two_layer_net.py", "-q")
    assert "note: none of the names" not in own.stdout, own.stdout


def test_the_header_names_a_stage_set_by_the_repositorys_grader_toml(tmp_path: Path) -> None:
    """A grader.toml in the course repository (which is the student's too) that sets the stage: the header
    names it beside the stage, where it said only `stage forward`; with --grader-stage, nothing is added."""
    shutil.copy(MINIFLOW / "correct.py", tmp_path / "miniflow.py")
    (tmp_path / "grader.toml").write_text('stage = "forward"\n', encoding="utf-8")
    done = run_pytest(tmp_path, "--grader", "miniflow", "--grader-submission", "miniflow.py", "--co")
    toml = "grader.toml (the working directory)"
    assert f"grader: miniflow stage forward (set by {toml}) on " in done.stdout, done.stdout + done.stderr
    typed = ("--grader-stage", "sgd", "--co")
    asked = run_pytest(tmp_path, "--grader", "miniflow", "--grader-submission", "miniflow.py", *typed)
    assert "grader: miniflow stage sgd on " in asked.stdout, asked.stdout + asked.stderr


def test_the_later_line_counts_a_save_load_case_where_the_source_defines_save_weights(tmp_path: Path) -> None:
    """A course manifest showing step 53's drawn save/load round trip after the due date (dezero's own, made
    after_due_date): the line of points left out counts it for late_book_step60, which defines
    save_weights and load_weights (read from the source, as `grader check` reads them), and not for its
    control without them, which `grade` skips (not_run, 0 of 0). The load never finds a method: both read
    the control's figure (session 35's finding). Expected: the manifest's drawn spec (count x points)."""
    from grader.assignments import load_assignment
    from grader.cases import cases_for_run
    from grader.loaders import load_submission
    from grader.pipeline import RunPlan
    from grader.pytest_plugin import COLLECTED_VISIBILITIES, later_line

    course = tmp_path / "dezero"
    shutil.copytree(REPO / "fixtures" / "dezero", course)
    manifest = json.loads((course / "manifest.json").read_text(encoding="utf-8"))
    (spec,) = [
        g for g in manifest["generated"] if any(s["do"] == "save_load" for s in g["template"]["steps"])
    ]
    spec["visibility"] = "after_due_date"
    (course / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    assignment = load_assignment(str(course))
    cases = cases_for_run(assignment, 7, include=COLLECTED_VISIBILITIES, stage="step54")
    plan = RunPlan.create(assignment, 7, cases, stage="step54")

    def later(sample: str) -> float:
        files = load_submission(REPO / "submissions" / "dezero" / sample).files
        line = later_line(plan, files, {"found": []})
        assert line is not None and line.startswith("not graded here: "), line
        return float(line.split()[3])

    assert (
        later("late_book_step60") - later("late_book_step60_no_save_weights")
        == spec["count"] * spec["points"]
    )


def test_a_run_loads_the_submission_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """The plugin's run grades the submission and its summary's line of later points reads the methods the
    source defines from the files the grading loaded: one load (later_line loaded it a second time, s37).
    Counted at the loader itself; the line still counts step 53's save/load case for a file with
    save_weights (the test above)."""
    import grader.loaders
    import grader.pipeline
    from grader.assignments import load_assignment
    from grader.cases import cases_for_run
    from grader.pipeline import RunPlan
    from grader.pytest_plugin import COLLECTED_VISIBILITIES, GraderRun, later_line

    loads: list[Path] = []
    real = grader.loaders.load_submission

    def counted(path: Path, *args: Any, **kwargs: Any) -> Any:
        loads.append(path)
        return real(path, *args, **kwargs)

    monkeypatch.setattr(grader.loaders, "load_submission", counted)
    monkeypatch.setattr(grader.pipeline, "load_submission", counted)
    assignment = load_assignment("miniflow")
    cases = cases_for_run(assignment, 3, include=COLLECTED_VISIBILITIES, stage="sgd")
    plan = RunPlan.create(assignment, 3, cases, stage="sgd")
    run = GraderRun(plan, REPO / "submissions" / "miniflow" / "correct.py", {"isolation": "auto"})
    doc = run.student_doc()
    assert doc["score"] == doc["max_score"]  # graded: the correct sample has full marks
    later_line(run.plan, run.files, doc.get("load"))
    assert len(loads) == 1, loads
