"""Regrades that never lose work: a changed file is regraded, a deleted one dropped, `--only` regrades the
named students, and a resume that adds a format is refused; each checked in gradebook.csv and summary.json.

Expected scores come from the manifest (full marks for the course's correct file) and from the mistakes'
documented signatures (a sign-flipped MSE backward is not full marks), never from the grader's own output.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from batch.students import (
    MINIFLOW_BROKEN,
    MINIFLOW_CORRECT,
    grader,
    journal_lines,
    max_points,
    read_gradebook,
    write_class,
)
from grader.batch.entries import Entry, discover
from grader.batch.journal import Journal
from grader.batch.regrade import listed, plan_regrade

FULL = f"{max_points('miniflow'):g}"
CLASS = {
    "ann": MINIFLOW_CORRECT,
    "bob": MINIFLOW_BROKEN["mse_sign_flipped"],
    "cy": MINIFLOW_CORRECT,
    "dee": MINIFLOW_BROKEN["syntax_error"],
}


def _batch(directory: Path, out: Path, *extra: str) -> Any:
    return grader("batch", "miniflow", str(directory), "--out", str(out), "--jobs", "2", *extra)


def _summary(out: Path) -> dict[str, Any]:
    doc: dict[str, Any] = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    return doc


def _scores(out: Path) -> dict[str, str]:
    return {r["student"]: r["score"] for r in read_gradebook(out)}


@pytest.fixture(scope="module")
def _graded_once(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Path]:
    """A class of four graded with seed 7 (two correct, one sign-flipped MSE, one syntax error), once a
    module: the class folder, the batch's output, and a pristine copy of both for `graded` to restore."""
    root = tmp_path_factory.mktemp("graded")
    directory = write_class(root / "class", CLASS)
    out = root / "out"
    done = _batch(directory, out, "--seed", "7")
    assert done.returncode == 0, done.stderr
    scores = _scores(out)
    assert scores["ann"] == scores["cy"] == FULL and scores["bob"] != FULL and scores["dee"] == "0"
    pristine = root / "pristine"
    for live in (directory, out):
        shutil.copytree(live, pristine / live.name, symlinks=True)
    return directory, out, pristine


@pytest.fixture
def graded(_graded_once: tuple[Path, Path, Path]) -> tuple[Path, Path]:
    """The class and its batch as the one grading left them, restored at the same paths for each test (a
    batch run costs seconds; batch.json records the folder, so a copy elsewhere would be another batch)."""
    directory, out, pristine = _graded_once
    for live in (directory, out):
        shutil.rmtree(live)
        shutil.copytree(pristine / live.name, live, symlinks=True)
    return directory, out


@pytest.mark.slow
def test_a_changed_file_is_regraded_on_resume(graded: tuple[Path, Path]) -> None:
    """bob fixes his MSE: --resume regrades bob alone, says so, and gradebook.csv and summary.json carry his
    new full marks (issue 11: the stale grade used to be kept, "graded 0 now")."""
    directory, out = graded
    mean_before = _summary(out)["score"]["mean"]
    (directory / "bob.py").write_text(MINIFLOW_CORRECT, encoding="utf-8")
    again = _batch(directory, out, "--resume")
    assert again.returncode == 0, again.stderr
    assert "changed since graded, regrading: bob" in again.stderr
    assert "graded 1 now, 4 in total" in again.stdout
    assert _scores(out) == {"ann": FULL, "bob": FULL, "cy": FULL, "dee": "0"}
    summary = _summary(out)
    assert summary["students"] == 4
    assert summary["score"]["mean"] == pytest.approx(3 * max_points("miniflow") / 4, abs=1e-3)
    assert summary["score"]["mean"] > mean_before
    assert [e["student"] for e in journal_lines(out)].count("bob") == 2  # the old line stays, the last wins


@pytest.mark.slow
def test_an_unchanged_class_is_not_regraded(graded: tuple[Path, Path]) -> None:
    """Control: a resume with nothing changed (the files even rewritten with the same bytes) grades nobody."""
    directory, out = graded
    before = read_gradebook(out)
    (directory / "bob.py").write_text(CLASS["bob"], encoding="utf-8")
    again = _batch(directory, out, "--resume")
    assert again.returncode == 0, again.stderr
    assert "graded 0 now, 4 in total" in again.stdout
    assert "changed since" in again.stderr and "regrading" not in again.stderr
    assert read_gradebook(out) == before


@pytest.mark.slow
def test_a_deleted_file_is_dropped_on_resume(graded: tuple[Path, Path]) -> None:
    """cy withdraws (file deleted): --resume names cy as dropped; gradebook.csv, summary.json and the class
    report no longer list cy; cy's reports stay on disk."""
    directory, out = graded
    (directory / "cy.py").unlink()
    again = _batch(directory, out, "--resume")
    assert again.returncode == 0, again.stderr
    assert "no longer in the folder, dropped from the gradebook, summary and class report: cy" in again.stderr
    assert "graded 0 now, 3 in total" in again.stdout
    scores = _scores(out)
    assert sorted(scores) == ["ann", "bob", "dee"] and (scores["ann"], scores["dee"]) == (FULL, "0")
    summary = _summary(out)
    assert summary["students"] == 3 and summary["statuses"] == {"graded": 2, "load_failed": 1}
    assert summary["cases"]["linear-unit"]["graded"] == 3
    assert 'href="cy/report.html"' not in (out / "index.html").read_text(encoding="utf-8")
    assert 'href="ann/report.html"' in (out / "index.html").read_text(encoding="utf-8")  # control
    assert (out / "cy" / "report.json").is_file()
    # the next resume has nobody to drop: it said cy again, and at every later resume (the journal keeps
    # cy's lines)
    later = _batch(directory, out, "--resume")
    assert later.returncode == 0, later.stderr
    assert "dropped from the gradebook" not in later.stderr and "graded 0 now, 3 in total" in later.stdout


def test_only_the_students_of_the_last_gradebook_are_dropped(tmp_path: Path) -> None:
    """The journal keeps the lines of a student dropped by an earlier run (`old`): with the students the last
    gradebook listed (batch.json), a resume drops only those of them who are gone (`gone`); without that
    list (a batch interrupted on its first run), every journaled student who is gone."""
    directory = tmp_path / "class"
    directory.mkdir()
    (directory / "kim.py").write_text("x = 1\n", encoding="utf-8")
    journal = Journal(tmp_path / "journal.jsonl")
    with journal:
        for student in ("old", "gone", "kim"):
            journal.append({"student": student, "file": f"{student}.py", "score": 1})
    entries, _ = discover(directory)
    assert plan_regrade(entries, journal, listed=["gone", "kim"]).dropped == ("gone",)
    assert plan_regrade(entries, journal).dropped == ("gone", "old")


@pytest.mark.slow
def test_only_regrades_the_named_students_and_keeps_the_rest(graded: tuple[Path, Path]) -> None:
    """`--only dee.py ann`: dee (fixed) and ann are regraded, by file name and by id; bob and cy keep their
    journal lines; gradebook.csv and summary.json show dee's new grade; an unknown name is exit 2."""
    directory, out = graded
    (directory / "dee.py").write_text(MINIFLOW_CORRECT, encoding="utf-8")
    lines_before = len(journal_lines(out))
    again = _batch(directory, out, "--only", "dee.py", "ann")
    assert again.returncode == 0, again.stderr
    assert "regrading 2 named: ann, dee; keeping the rest as graded" in again.stderr
    assert "graded 2 now, 4 in total" in again.stdout
    journal = journal_lines(out)
    # in the order they finished: two sandboxes (--jobs 2) grade them at once
    assert sorted(e["student"] for e in journal[lines_before:]) == ["ann", "dee"]
    assert _scores(out)["dee"] == FULL and _scores(out)["ann"] == FULL
    summary = _summary(out)
    assert summary["statuses"] == {"graded": 4} and summary["load_failures"]["count"] == 0

    unknown = _batch(directory, out, "--only", "zed")
    assert unknown.returncode == 2
    assert "--only: no submission named zed in the folder" in unknown.stderr


def test_only_names_the_students_it_leaves_ungraded_or_stale(graded: tuple[Path, Path]) -> None:
    """`--only ann` after bob's file changed and eve's was added: ann alone is regraded, and the batch says
    that bob keeps his old grade and eve has none, both until `--resume`; "in total" counts the gradebook's
    rows (4), not eve. They were not said at all: eve was missing from gradebook.csv under "5 in total",
    and bob's old grade stood for his new file. `--resume` then grades both (the control)."""
    directory, out = graded
    (directory / "bob.py").write_text(MINIFLOW_CORRECT, encoding="utf-8")
    (directory / "eve.py").write_text(MINIFLOW_CORRECT, encoding="utf-8")
    again = _batch(directory, out, "--only", "ann")
    assert again.returncode == 0, again.stderr
    assert (
        "changed since graded but not named by --only, their old grade kept (--resume regrades them): bob"
        in again.stderr
    )
    assert "not graded yet and not named by --only, not in the gradebook (--resume grades them): eve" in (
        again.stderr
    )
    assert "graded 1 now, 4 in total" in again.stdout
    assert sorted(_scores(out)) == ["ann", "bob", "cy", "dee"] and _scores(out)["bob"] != FULL
    resumed = _batch(directory, out, "--resume")
    assert "graded 2 now, 5 in total" in resumed.stdout
    assert _scores(out)["bob"] == _scores(out)["eve"] == FULL


@pytest.mark.slow
def test_a_resume_that_adds_a_format_is_refused(graded: tuple[Path, Path]) -> None:
    """Graded with json only; `--resume --format junit` would leave everyone graded before without a
    junit.xml: exit 2 naming both; a resume without --format is fine."""
    directory, out = graded
    refused = _batch(directory, out, "--resume", "--format", "junit")
    assert refused.returncode == 2
    assert "was graded with --format json; this run adds junit (from --format)" in refused.stderr
    # GRADER_FORMAT left set in the shell: named, as nothing typed shows it
    by_env = grader(
        "batch", "miniflow", str(directory), "--out", str(out), "--resume", env={"GRADER_FORMAT": "junit"}
    )
    assert by_env.returncode == 2 and "this run adds junit (from GRADER_FORMAT)" in by_env.stderr
    assert _batch(directory, out, "--resume").returncode == 0  # control


@pytest.mark.slow
def test_a_resume_of_a_batch_whose_junit_was_the_staff_view_is_refused(tmp_path: Path) -> None:
    """An older grader wrote junit.xml as the staff view (every hidden case's table; session 30): a resume
    of its batch graded the new and the changed into the student view and kept the others' staff files, in a
    folder whose junit.xml files docs/INSTRUCTORS.md calls the student view. batch.json records the view;
    without it a batch with junit is refused (exit 2), one without junit resumes. Control: this grader's
    batch resumes."""
    directory = write_class(tmp_path / "class", {"ann": MINIFLOW_CORRECT})
    out, plain = tmp_path / "out", tmp_path / "plain"
    assert _batch(directory, out, "--seed", "7", "--format", "json,junit").returncode == 0
    assert _batch(directory, plain, "--seed", "7").returncode == 0
    assert _batch(directory, out, "--resume").returncode == 0  # control
    for where in (out, plain):  # as an older grader wrote them
        meta = json.loads((where / "batch.json").read_text(encoding="utf-8"))
        assert meta.pop("junit_view") == "student"
        (where / "batch.json").write_text(json.dumps(meta), encoding="utf-8")
    refused = _batch(directory, out, "--resume")
    assert refused.returncode == 2, refused.stderr
    assert "junit.xml files were written by an older grader as the staff view" in refused.stderr
    assert "--seed 7" in refused.stderr
    assert _batch(directory, plain, "--resume").returncode == 0  # no junit.xml: nothing to mix


def test_a_resume_with_fewer_formats_keeps_writing_the_batch_formats(tmp_path: Path) -> None:
    """A batch graded with json,gradescope resumed with the default formats still writes results.json for a
    regraded student: no stale results.json next to a new report.json."""
    directory = write_class(tmp_path / "class", {"ann": MINIFLOW_BROKEN["mse_sign_flipped"]})
    out = tmp_path / "out"
    assert _batch(directory, out, "--seed", "7", "--format", "gradescope").returncode == 0
    stale = json.loads((out / "ann" / "results.json").read_text(encoding="utf-8"))["score"]
    (directory / "ann.py").write_text(MINIFLOW_CORRECT, encoding="utf-8")
    again = _batch(directory, out, "--resume")
    assert again.returncode == 0, again.stderr
    fresh = json.loads((out / "ann" / "results.json").read_text(encoding="utf-8"))["score"]
    assert fresh == max_points("miniflow") != stale


def test_plan_regrade_counts_a_journal_line_without_a_fingerprint_as_changed(tmp_path: Path) -> None:
    """A journal written before fingerprints existed: its students are regraded, never silently kept."""
    (tmp_path / "class").mkdir()
    (tmp_path / "class" / "ann.py").write_text("x = 1\n", encoding="utf-8")
    entries, _ = discover(tmp_path / "class")
    journal = Journal(tmp_path / "journal.jsonl")
    with journal:
        journal.append({"student": "ann", "score": 1})
    plan = plan_regrade(entries, journal)
    assert plan.changed == ("ann",) and [e.student for e in plan.todo] == ["ann"]
    assert plan_regrade(entries, None).changed == ()  # control: a fresh batch has nothing "changed"


def _named(tmp_path: Path, names: list[str], *only: str) -> list[str]:
    """The files `--only *only` regrades in a class of `names` (folders when they end in `/`)."""
    directory = tmp_path / "class"
    directory.mkdir(parents=True, exist_ok=True)
    for name in names:
        if name.endswith("/"):
            (directory / name).mkdir()
        else:
            (directory / name).write_text("x = 1\n", encoding="utf-8")
    entries, _ = discover(directory)
    return [e.file for e in plan_regrade(entries, Journal(tmp_path / "journal.jsonl"), only).todo]


MOODLE_JOSE = "José Núñez_123456_assignsubmission_file_/"


def test_only_matches_a_name_typed_in_another_unicode_form(tmp_path: Path) -> None:
    """`--only` with the folder name as macOS types or unzips it (NFD: `e` + combining accent) named no
    submission (exit 2) when the folder is NFC, and the other way round. Both forms name José."""
    import unicodedata

    nfd = unicodedata.normalize("NFD", MOODLE_JOSE[:-1])
    assert nfd != MOODLE_JOSE[:-1]
    assert _named(tmp_path, [MOODLE_JOSE, "ann.py"], nfd) == [MOODLE_JOSE[:-1]]
    assert _named(
        tmp_path / "b", [unicodedata.normalize("NFD", MOODLE_JOSE), "ann.py"], MOODLE_JOSE[:-1]
    ) == [nfd]


@pytest.mark.parametrize(
    "typed", ["123456", "José Núñez", "jose nunez", "12346", "García, José", "José García", "garciajose"]
)
def test_only_matches_an_lms_user_id_or_the_students_name(tmp_path: Path, typed: str) -> None:
    """A TA names a student of an LMS download by their LMS id or name (any case, accents or not, Canvas's
    `last first` either way round): each was refused as "no submission named". A Canvas user with two
    Python files (two students: entries.superseded) has both regraded."""
    names = [
        MOODLE_JOSE,
        "garciajose_LATE_12346_678902_miniflow.py",
        "garciajose_12346_678903_helpers.py",
        "Ann Lee_99_assignsubmission_file_/",
        "kimsoo_12351_678911_miniflow.py",
    ]
    expected = (
        [MOODLE_JOSE[:-1]]
        if typed in ("123456", "José Núñez", "jose nunez")
        else ["garciajose_12346_678903_helpers.py", "garciajose_LATE_12346_678902_miniflow.py"]
    )
    assert _named(tmp_path, names, typed) == expected


def test_only_still_refuses_a_name_of_nobody(tmp_path: Path) -> None:
    """Control: a name that is no id, file, LMS id or LMS name is refused, and so is punctuation alone
    (which has no letters to compare)."""
    from grader.schema import ConfigError

    for typed in ("Zed Zed", "999", "--"):
        with pytest.raises(ConfigError, match="no submission named"):
            _named(tmp_path / typed.replace("-", "m").replace(" ", "_"), [MOODLE_JOSE, "ann.py"], typed)


def test_a_student_replaced_by_a_later_upload_is_not_said_to_be_gone(tmp_path: Path) -> None:
    """Graded `leeann_7_900_miniflow.py`, then the TA adds the newer download's `leeann_7_901_miniflow-1.py`
    and resumes: the old file is still in the folder, so "no longer in the folder" was untrue; the resume
    says it was replaced by a later upload. A file really deleted is still "no longer in the folder"."""
    from grader.batch.entries import REPLACED

    directory = tmp_path / "class"
    directory.mkdir()
    for name in ("leeann_7_900_miniflow.py", "leeann_7_901_miniflow-1.py", "kim.py"):
        (directory / name).write_text("x = 1\n", encoding="utf-8")
    journal = Journal(tmp_path / "journal.jsonl")
    with journal:
        for student in ("leeann_7_900_miniflow", "gone"):
            journal.append({"student": student, "file": f"{student}.py", "score": 1})
    entries, skipped = discover(directory)
    replaced = [p.name for p, why in skipped.items() if why.startswith(REPLACED)]
    assert replaced == ["leeann_7_900_miniflow.py"]
    plan = plan_regrade(entries, journal, (), replaced)
    assert plan.dropped == ("gone", "leeann_7_900_miniflow") and plan.replaced == ("leeann_7_900_miniflow",)
    said = plan.lines(tmp_path / "out")
    assert any(line.startswith("no longer in the folder") and line.count("gone") == 1 for line in said)
    assert not any(line.startswith("no longer in the folder") and "leeann" in line for line in said)
    assert any(
        line.startswith("replaced by the same user's later upload") and "leeann_7_900_miniflow" in line
        for line in said
    )


@pytest.mark.slow
def test_a_refused_only_leaves_the_batch_readable_by_grader_report(graded: tuple[Path, Path]) -> None:
    """`--only zed` (a typo: nobody) is refused, exit 2; it had already rewritten batch.json without the
    class, so `grader report OUT` then failed ("lists no students (a batch from an older grader)") until a
    resume ran to its end. The class stays listed and the report is rebuilt."""
    directory, out = graded
    refused = _batch(directory, out, "--only", "zed")
    assert refused.returncode == 2 and "no submission named zed" in refused.stderr
    assert json.loads((out / "batch.json").read_text(encoding="utf-8"))["students"] == sorted(CLASS)
    rebuilt = grader("report", str(out))
    assert rebuilt.returncode == 0, rebuilt.stderr
    assert 'href="ann/report.html"' in (out / "index.html").read_text(encoding="utf-8")


def test_a_student_now_graded_in_their_canvas_folder_is_not_said_to_be_gone(tmp_path: Path) -> None:
    """An earlier run graded John's miniflow.py and nn.py as two students; this grader grades them in one
    folder. Resumed, both old students are dropped, and "no longer in the folder" was untrue of them (the
    files are there): they are said to be graded with the user's other files. Control: a file really
    deleted is still "no longer in the folder"."""
    from grader.batch.entries import REPLACED
    from grader.batch.lms_groups import GROUPED

    directory = tmp_path / "class"
    directory.mkdir()
    for name in ("smithjohn_12_900_miniflow.py", "smithjohn_12_901_nn.py"):
        (directory / name).write_text("x = 1\n", encoding="utf-8")
    journal = Journal(tmp_path / "journal.jsonl")
    with journal:
        for student in ("smithjohn_12_900_miniflow", "smithjohn_12_901_nn", "gone"):
            journal.append({"student": student, "file": f"{student}.py", "score": 1})
    entries, skipped = discover(directory, staging=tmp_path / "out" / "_lms_users")
    replaced = [p.name for p, why in skipped.items() if why.startswith((REPLACED, GROUPED))]
    plan = plan_regrade(entries, journal, (), replaced)
    assert plan.replaced == ("smithjohn_12_900_miniflow", "smithjohn_12_901_nn")
    said = plan.lines(tmp_path / "out")
    assert any(line.startswith("no longer in the folder") and "smithjohn" not in line for line in said)
    assert any("graded with their other files" in line and "smithjohn_12_901_nn" in line for line in said)


def test_names_holding_a_comma_are_listed_apart() -> None:
    """A Canvas gradebook export as the roster names students `Last, First`: "in the roster with no
    submission: Tanaka, Yu, Nobody, Ned" read as four names; they are separated by `; ` when one holds a
    comma. Control: ids without one keep `, `, and the count of those not shown stays."""
    assert listed(["Tanaka, Yu", "Nobody, Ned"]) == "Tanaka, Yu; Nobody, Ned"
    assert listed(["ann", "bob"]) == "ann, bob"
    assert listed([f"s{i}" for i in range(12)]).endswith(", s9 and 2 more")


def _kim_and_lee(tmp_path: Path) -> tuple[list[Entry], Journal]:
    """A class of two, kim and lee, and an empty journal."""
    directory = tmp_path / "class"
    directory.mkdir()
    for name in ("kim.py", "lee.py"):
        (directory / name).write_text("x = 1\n", encoding="utf-8")
    entries, _ = discover(directory)
    return entries, Journal(tmp_path / "journal.jsonl")


def test_only_on_a_batch_with_no_grade_yet_says_nobody_else_has_one(tmp_path: Path) -> None:
    """`--only kim` as the first run into a new --out: nobody's grade is kept, so "keeping the rest as
    graded" was untrue; control: with a grade journaled for another student, it is said."""
    entries, journal = _kim_and_lee(tmp_path)
    first = plan_regrade(entries, journal, ("kim",)).lines(tmp_path)
    assert first[0] == "regrading 1 named: kim; nobody else has a grade yet"
    with journal:
        journal.append({"student": "lee", "file": "lee.py", "score": 1})
    assert (
        plan_regrade(entries, journal, ("kim",)).lines(tmp_path)[0].endswith("; keeping the rest as graded")
    )


def test_only_naming_every_student_says_so(tmp_path: Path) -> None:
    """`--only kim lee` when both have a grade: nobody is left to keep or to wait, and "nobody else has a
    grade yet" was untrue; it says every student was named. Control: with lee never graded, lee waits."""
    entries, journal = _kim_and_lee(tmp_path)
    with journal:
        journal.append({"student": "kim", "file": "kim.py", "score": 1})
    waiting = plan_regrade(entries, journal, ("kim",)).lines(tmp_path)
    assert waiting[0] == "regrading 1 named: kim; nobody else has a grade yet"
    with journal:
        journal.append({"student": "lee", "file": "lee.py", "score": 1})
    everyone = plan_regrade(entries, journal, ("kim", "lee")).lines(tmp_path)
    assert everyone == ["regrading 2 named: kim, lee; that is every student in the folder"]


def _withheld(out: Path, student: str) -> Any:
    return json.loads((out / student / "student.json").read_text(encoding="utf-8")).get("withheld")


def test_a_resume_that_changes_after_due_date_is_refused(graded: tuple[Path, Path]) -> None:
    """Graded without --after-due-date: batch.json records it, and `--resume --after-due-date` (or `--only`
    with it, or GRADER_AFTER_DUE_DATE) is exit 2 naming the setting and its source, as a changed seed or
    stage is. It was neither recorded nor checked: the resume graded nobody and every student.json still
    withheld the after-due-date cases. Control: a resume that does not change it runs."""
    directory, out = graded
    assert json.loads((out / "batch.json").read_text(encoding="utf-8"))["after_due_date"] is False
    said = "was graded with after_due_date False, this run has True (from --after-due-date)"
    for extra in (("--resume",), ("--only", "ann")):
        refused = _batch(directory, out, *extra, "--after-due-date")
        assert refused.returncode == 2 and said in refused.stderr
    by_env = grader(
        "batch", "miniflow", str(directory), "--out", str(out), "--resume", env={"GRADER_AFTER_DUE_DATE": "1"}
    )
    assert by_env.returncode == 2 and "this run has True (from GRADER_AFTER_DUE_DATE)" in by_env.stderr
    assert _batch(directory, out, "--resume").returncode == 0  # control


def test_a_resume_keeps_the_batchs_after_due_date(tmp_path: Path) -> None:
    """A batch started with --after-due-date and resumed without it grades the changed student as the rest
    were (their student.json shows the after-due-date cases), as a resume keeps the batch's seed and stage;
    refused was the other way: `GRADER_AFTER_DUE_DATE=0` on the resume. Control: started without it, the
    same student.json withholds a case."""
    directory = write_class(tmp_path / "class", {"ann": MINIFLOW_CORRECT, "bob": MINIFLOW_CORRECT})
    out = tmp_path / "out"
    assert _batch(directory, out, "--format", "student", "--after-due-date").returncode == 0
    (directory / "bob.py").write_text(MINIFLOW_CORRECT + "\n# changed\n", encoding="utf-8")
    resumed = _batch(directory, out, "--resume")
    assert resumed.returncode == 0, resumed.stderr
    assert "graded 1 now" in resumed.stdout and _withheld(out, "bob")["cases"] == 0
    assert json.loads((out / "batch.json").read_text(encoding="utf-8"))["after_due_date"] is True
    turned_off = grader(
        "batch", "miniflow", str(directory), "--out", str(out), "--resume", env={"GRADER_AFTER_DUE_DATE": "0"}
    )
    assert (
        turned_off.returncode == 2 and "this run has False (from GRADER_AFTER_DUE_DATE)" in turned_off.stderr
    )
    control = tmp_path / "control"
    assert _batch(directory, control, "--format", "student").returncode == 0
    assert _withheld(control, "bob")["cases"] > 0
