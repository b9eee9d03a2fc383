"""The real `grader` command (`python -m grader ...` in a subprocess): exit codes, files and output lines."""

from __future__ import annotations

import csv
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from batch.students import (
    MANIFESTS,
    MINIFLOW_BROKEN,
    MINIFLOW_CORRECT,
    MINIFLOW_FLAGGED,
    REPO,
    grader,
    max_points,
    read_gradebook,
    report,
)
from calibration import hang_guard

from grader.reports import HIDDEN_MESSAGE, student_view, validate

SAMPLES = Path(__file__).resolve().parents[1] / "submissions"
VISIBLE_MINIFLOW = ("quiz-documented", "linear-unit", "sigmoid-unit", "mse-unit")


def _student(tmp_path: Path, name: str, source: str) -> Path:
    path = tmp_path / f"{name}.py"
    path.write_text(source, encoding="utf-8")
    return path


def _without_timing(text: str) -> str:
    """The report's text with its `timing` object cut out (the only field allowed to differ between runs)."""
    cut, n = re.subn(r'\n  "timing": \{[^{}]*\},?', "", text)
    assert n == 1, "report.json has no top-level timing object where expected"
    return cut


# ---------------------------------------------------------------- grade


def test_grade_a_buggy_submission_exits_0_and_writes_every_requested_format(tmp_path: Path) -> None:
    """Graded whatever the score: exit 0, report.json (schema-valid), results.json and junit.xml agree on the
    score, and the terminal summary shows the score and the seed. junit.xml is the student view (CI publishes
    it): one testcase per case a student may see before the due date."""
    sub = _student(tmp_path, "eve", MINIFLOW_BROKEN["mse_sign_flipped"])
    out = tmp_path / "out"
    done = grader(
        "grade", "miniflow", str(sub), "--out", str(out), "--format", "gradescope,junit", "--seed", "3"
    )
    assert done.returncode == 0, done.stderr
    doc = report(out)
    validate(doc, "report")
    assert doc["seed"] == 3 and doc["submission"]["id"] == "eve"
    assert 0 < doc["score"] < doc["max_score"] == max_points("miniflow")
    gradescope = json.loads((out / "results.json").read_text(encoding="utf-8"))
    assert gradescope["score"] == pytest.approx(doc["score"])
    suite = ET.parse(out / "junit.xml").getroot()
    suite = suite if suite.tag == "testsuite" else suite.find("testsuite")
    # counted from report.json's visibilities, not through student_view (the projection junit.xml is built by)
    shown = [c for c in doc["cases"] if c["visibility"] in ("visible", "hidden")]
    assert len(shown) < len(doc["cases"]), "control: the assignment has a case shown after the due date"
    assert suite is not None and int(suite.get("tests", "-1")) == len(shown)
    assert int(suite.get("failures", "0")) + int(suite.get("errors", "0")) >= 1
    lines = done.stdout.splitlines()
    # the terminal is the student view too (docs/INSTRUCTORS.md "Which view goes where"): its score leaves
    # out the after-due-date cases, which the staff score counts
    view = student_view(doc, after_due_date=False)
    assert view["max_score"] < doc["max_score"], "control: the after-due-date cases hold points"
    assert f"score {view['score']:g} / {view['max_score']:g}" in lines
    assert any(line.startswith("seed 3 ") for line in lines)
    assert {f"wrote {out / name}" for name in ("report.json", "results.json", "junit.xml")} <= set(lines)


def test_grade_format_student_writes_the_student_view_with_or_without_after_due_date(tmp_path: Path) -> None:
    """--format student writes student.json, the report a student may be given: hidden cases with status and
    points only, no staff section; --after-due-date adds the after-due-date cases (it changed no file before:
    no format wrote a student view). report.json, the staff view, has every case either way (control)."""
    sub = _student(tmp_path, "eve", MINIFLOW_BROKEN["mse_sign_flipped"])
    views = {}
    for flag in ((), ("--after-due-date",)):
        out = tmp_path / f"out{len(flag)}"
        args = ("grade", "miniflow", str(sub), "--out", str(out), "--format", "student", "--seed", "3", *flag)
        done = grader(*args)
        assert done.returncode == 0, done.stderr
        assert f"wrote {out / 'student.json'}" in done.stdout.splitlines()
        views[bool(flag)] = json.loads((out / "student.json").read_text(encoding="utf-8"))
        validate(views[bool(flag)], "report")
        staff = report(out)
        assert any(c["visibility"] == "after_due_date" for c in staff["cases"])
    for view in views.values():
        assert "staff" not in view
        hidden = [c for c in view["cases"] if c["visibility"] == "hidden"]
        assert hidden and all(c["message"] == HIDDEN_MESSAGE and c["checks"] == [] for c in hidden)
    late = {flag: [c for c in v["cases"] if c["visibility"] == "after_due_date"] for flag, v in views.items()}
    assert late[False] == [] and views[False]["withheld"]["cases"] == len(late[True]) > 0


def test_grade_writes_report_json_even_when_only_another_format_is_asked(tmp_path: Path) -> None:
    """--format junit still writes report.json (json is always written), but no results.json."""
    sub = _student(tmp_path, "ann", MINIFLOW_CORRECT)
    done = grader("grade", "miniflow", str(sub), "--out", str(tmp_path / "o"), "--format", "junit")
    assert done.returncode == 0, done.stderr
    assert sorted(p.name for p in (tmp_path / "o").iterdir()) == ["junit.xml", "report.json"]
    assert report(tmp_path / "o")["score"] == max_points("miniflow")


def test_same_seed_gives_byte_identical_reports_apart_from_timing(tmp_path: Path) -> None:
    """Two `grade` runs with one seed: report.json identical byte for byte once `timing` is cut; a third run
    with another seed differs (its generated cases change), so the comparison can fail."""
    sub = _student(tmp_path, "dan", MINIFLOW_BROKEN["sigmoid_from_input"])
    texts = []
    for run, seed in (("a", "11"), ("b", "11"), ("c", "12")):
        done = grader("grade", "miniflow", str(sub), "--out", str(tmp_path / run), "--seed", seed)
        assert done.returncode == 0, done.stderr
        texts.append((tmp_path / run / "report.json").read_text(encoding="utf-8"))
    assert _without_timing(texts[0]) == _without_timing(texts[1])
    assert _without_timing(texts[0]) != _without_timing(texts[2])


def test_an_assignment_given_as_a_manifest_path_grades_like_its_id(tmp_path: Path) -> None:
    """ASSIGNMENT may be a path to a manifest.json: same cases, same score as the shipped id."""
    sub = _student(tmp_path, "fay", MINIFLOW_BROKEN["mse_sign_flipped"])
    by_id = grader("grade", "miniflow", str(sub), "--out", str(tmp_path / "id"), "--seed", "4")
    by_path = grader(
        "grade",
        str(MANIFESTS / "miniflow" / "manifest.json"),
        str(sub),
        "--out",
        str(tmp_path / "p"),
        "--seed",
        "4",
    )
    assert by_id.returncode == 0 and by_path.returncode == 0, by_path.stderr
    assert report(tmp_path / "p")["score"] == report(tmp_path / "id")["score"]
    assert report(tmp_path / "p")["assignment"]["id"] == "miniflow"


def test_grade_of_an_unloadable_submission_is_still_graded_with_exit_0(tmp_path: Path) -> None:
    """A syntax error is the student's problem, not a usage error: exit 0, a report scoring 0 saying why."""
    sub = _student(tmp_path, "gus", MINIFLOW_BROKEN["syntax_error"])
    done = grader("grade", "miniflow", str(sub), "--out", str(tmp_path / "o"))
    assert done.returncode == 0, done.stderr
    doc = report(tmp_path / "o")
    assert doc["status"] == "load_failed" and doc["score"] == 0
    assert {c["failure_code"] for c in doc["cases"]} == {"syntax_error"}
    assert "gus.py line" in doc["cases"][0]["message"]


# ---------------------------------------------------------------- names a student chose


UNDECODABLE = os.fsdecode(b"caf\xe9")  # a Latin-1 name from an LMS download: not UTF-8 (a lone surrogate)


def _h(name: str) -> str:
    """The documented suffix of a batch id that had to change its name: 6 hex digits of the name's sha256."""
    return hashlib.sha256(name.encode("utf-8", "surrogateescape")).hexdigest()[:6]


def test_grade_of_a_file_whose_name_is_not_utf8_writes_every_report(tmp_path: Path) -> None:
    """`grade` on `caf\\xe9.py`: exit 0, every format written, the submission refused with a message that
    names the file and says why; no lone surrogate anywhere (it used to crash writing report.json)."""
    sub = _student(tmp_path, UNDECODABLE, MINIFLOW_CORRECT)
    out = tmp_path / "out"
    done = grader("grade", "miniflow", str(sub), "--out", str(out), "--format", "gradescope,junit")
    assert done.returncode == 0, done.stderr
    doc = report(out)
    validate(doc, "report")
    assert doc["status"] == "load_failed" and doc["submission"]["id"] == "caf\ufffd"
    assert doc["submission"]["path"].endswith("caf\ufffd.py")
    assert "'caf\\xe9.py' cannot be used: the name is not valid UTF-8" in doc["cases"][0]["message"]
    for name in ("report.json", "results.json", "junit.xml"):
        (out / name).read_bytes().decode("utf-8")  # strict UTF-8: no surrogate was written
    ET.parse(out / "junit.xml")


def test_batch_and_resume_with_hostile_file_names(tmp_path: Path) -> None:
    """A class with a non-UTF-8 name, an escape sequence in a name and formula-looking names: `batch` and
    `batch --resume` exit 0, every student is in the gradebook, formulas are neutralised, ids are inert."""
    subs = tmp_path / "subs"
    subs.mkdir()
    names = [UNDECODABLE, "\x1b]0;pwned\x07\x1b[2Kx", "-2+3", "@SUM(1+1)", "=HYPERLINK(1)", "José García"]
    for name in names:
        (subs / f"{name}.py").write_text(MINIFLOW_CORRECT, encoding="utf-8")
    out = tmp_path / "out"
    first = grader("batch", "miniflow", str(subs), "--out", str(out), "--jobs", "1", "--seed", "5")
    assert first.returncode == 0, first.stderr
    (out / "journal.jsonl").write_text(
        "".join(line + "\n" for line in (out / "journal.jsonl").read_text().splitlines()[:3])
    )
    again = grader("batch", "miniflow", str(subs), "--out", str(out), "--jobs", "1", "--resume")
    assert again.returncode == 0, again.stderr
    assert "resuming: 3 already graded and unchanged, 0 changed since, 3 not graded yet" in again.stderr
    text = (out / "gradebook.csv").read_text(encoding="utf-8")
    assert "\x1b" not in text and "\x07" not in text
    rows = {r["student"]: r for r in read_gradebook(out)}
    # A name that had to change gets 6 hex digits of its own sha256 (docs/INSTRUCTORS.md): never a collision.
    # the escape sequence's controls shown by code point, then made an id (session 22)
    caf, x = f"caf-{_h(UNDECODABLE + '.py')}", f"U+001B_0_pwned_U+0007_U+001B_2Kx-{_h(names[1] + '.py')}"
    assert set(rows) == {
        "'-2+3",
        x,
        f"'@SUM_1+1-{_h('@SUM(1+1).py')}",
        f"HYPERLINK_1-{_h('=HYPERLINK(1).py')}",
        f"José_García-{_h('José García.py')}",
        caf,
    }
    assert rows[f"José_García-{_h('José García.py')}"]["file"] == "José García.py"  # the original name kept
    assert rows["'-2+3"]["file"] == "'-2+3.py"  # formula-safe in every column
    # The two names the sandbox could not write are refused, readably, without stopping the class.
    assert {s for s in rows if rows[s]["status"] == "load_failed"} == {caf, x}
    assert {rows[s]["score"] for s in rows if s not in (caf, x)} == {f"{max_points('miniflow'):g}"}


def test_check_output_carries_no_escape_sequence(tmp_path: Path) -> None:
    """`check` on a file named with an OSC title sequence prints the name without it."""
    sub = _student(tmp_path, "\x1b]0;pwned\x07ok", MINIFLOW_CORRECT)
    done = grader("check", str(sub), "--assignment", "miniflow")
    assert "\x1b" not in done.stdout and "\x07" not in done.stdout
    assert "0;pwnedok.py" not in done.stdout and "ok.py" in done.stdout


# ---------------------------------------------------------------- exit 2: usage and configuration


@pytest.mark.parametrize(
    ("argv", "env", "needle"),
    [
        (["grade", "no-such-assignment", "{sub}", "--out", "{tmp}/o"], {}, "miniflow"),
        (["grade", "miniflow", "{tmp}/absent.py", "--out", "{tmp}/o"], {}, "does not exist"),
        (["grade", "miniflow", "{sub}", "--out", "{sub}"], {}, "is not a directory"),
        (
            ["grade", "miniflow", "{sub}", "--out", "{tmp}/o", "--format", "json,xml"],
            {},
            "invalid format 'json,xml' from --format: expected a comma-separated list of json, gradescope",
        ),
        (
            ["grade", "miniflow", "{sub}", "--out", "{tmp}/o", "--seed", "abc"],
            {},
            "invalid seed 'abc' from --seed",
        ),
        (
            ["grade", "miniflow", "{sub}", "--out", "{tmp}/o"],
            {"GRADER_ISOLATION": "docker"},
            "invalid isolation 'docker' from GRADER_ISOLATION: expected one of auto, bwrap, rlimits, none",
        ),
        (
            ["batch", "miniflow", "{tmp}", "--out", "{tmp}/b"],
            {"GRADER_JOBS": "x"},
            "invalid jobs 'x' from GRADER_JOBS: expected a positive integer",
        ),
        (["batch", "miniflow", "{tmp}/nowhere", "--out", "{tmp}/b"], {}, "does not exist"),
        (["check", "{sub}", "--assignment", "nope"], {}, "nope"),
        (["grade", "miniflow"], {}, "usage:"),
        (["frobnicate"], {}, "usage:"),
    ],
)
def test_usage_and_configuration_errors_exit_2_and_say_why(
    tmp_path: Path, argv: list[str], env: dict[str, str], needle: str
) -> None:
    """Each bad argument, setting or path exits 2 with a one-line reason on stderr and writes no report."""
    sub = _student(tmp_path, "ida", MINIFLOW_CORRECT)
    args = [a.format(sub=sub, tmp=tmp_path) for a in argv]
    done = grader(*args, env=env)
    assert done.returncode == 2, done.stdout + done.stderr
    assert needle in done.stderr
    assert "Traceback" not in done.stderr
    assert not list(tmp_path.glob("**/report.json"))


def test_a_bad_config_file_value_names_the_file(tmp_path: Path) -> None:
    """An invalid value in ./grader.toml or in --config FILE: exit 2, the message names that file."""
    sub = _student(tmp_path, "jo", MINIFLOW_CORRECT)
    (tmp_path / "grader.toml").write_text('isolation = "docker"\n', encoding="utf-8")
    local = grader("check", str(sub), cwd=tmp_path)
    assert local.returncode == 2
    assert "invalid isolation 'docker' from grader.toml (the working directory)" in local.stderr
    explicit = tmp_path / "course.toml"
    explicit.write_text("[grader]\njobs = 0\n", encoding="utf-8")
    flagged = grader(
        "batch", "miniflow", str(tmp_path), "--out", str(tmp_path / "b"), "--config", str(explicit)
    )
    assert flagged.returncode == 2
    assert f"invalid jobs 0 from {explicit} (--config): expected a positive integer" in flagged.stderr
    # Control: the command line overrides the bad file value, and the run goes through.
    ok = grader("check", str(sub), "--isolation", "auto", cwd=tmp_path)
    assert ok.returncode == 0, ok.stderr


def test_grade_refuses_the_config_file_of_the_folder_it_grades(tmp_path: Path) -> None:
    """`grader grade miniflow .` run inside a student's folder holding their grader.toml (seed and stage of
    their choosing): exit 2 before grading, naming the file; no report. Control: `grader check` there, the
    student checking their own code, still reads it (the stage it sets is printed)."""
    folder = tmp_path / "kim"
    folder.mkdir()
    (folder / "miniflow.py").write_text(MINIFLOW_CORRECT, encoding="utf-8")
    (folder / "grader.toml").write_text('seed = 42\nstage = "backprop"\n', encoding="utf-8")
    done = grader("grade", "miniflow", ".", "--out", str(tmp_path / "out"), cwd=folder)
    assert done.returncode == 2, done.stdout + done.stderr
    assert "grader.toml in the working directory is a file of the submission being graded" in done.stderr
    assert not list(tmp_path.glob("**/report.json"))
    own = grader("check", ".", cwd=folder)
    assert own.returncode == 0, own.stdout + own.stderr
    assert "stage backprop" in own.stdout


def test_grade_refuses_a_config_file_beside_or_above_the_submission_and_reads_the_named_one(
    tmp_path: Path,
) -> None:
    """A student's unpacked folder with their grader.toml one folder up of their code (`kim/grader.toml`,
    `kim/hw/miniflow.py`): `grader grade miniflow hw` run in kim/ graded their stage `add` with their seed,
    and `grader grade miniflow hw/miniflow.py` still did until session 23 (two folders up: the course
    layout's picture). Both exit 2 naming the file and the settings, no report. Control: the course's file
    above the class folder named with --config (`grader grade miniflow class/lee.py --config grader.toml`)
    is read, its stage and seed graded; so is the course's file for a class folder outside the working
    directory's folder."""
    kim = tmp_path / "kim"
    (kim / "hw").mkdir(parents=True)
    (kim / "hw" / "miniflow.py").write_text(MINIFLOW_CORRECT, encoding="utf-8")
    (kim / "grader.toml").write_text('seed = 42\nstage = "add"\n', encoding="utf-8")
    done = grader("grade", "miniflow", "hw", "--out", str(tmp_path / "out"), cwd=kim)
    assert done.returncode == 2, done.stdout + done.stderr
    assert "beside the submission being graded (hw) and sets seed, stage" in done.stderr
    deeper = grader("grade", "miniflow", "hw/miniflow.py", "--out", str(tmp_path / "out"), cwd=kim)
    assert deeper.returncode == 2, deeper.stdout + deeper.stderr
    assert "above the submission being graded (hw/miniflow.py) and sets seed, stage" in deeper.stderr
    assert f"--config {kim / 'grader.toml'} (" in deeper.stderr  # absolute: review of s23-user, 5
    assert not list(tmp_path.glob("**/report.json"))
    course = tmp_path / "course"
    (course / "class").mkdir(parents=True)
    (course / "class" / "lee.py").write_text(MINIFLOW_CORRECT, encoding="utf-8")
    (course / "grader.toml").write_text('seed = 42\nstage = "backprop"\n', encoding="utf-8")
    ok = grader(
        "grade",
        "miniflow",
        "class/lee.py",
        "--config",
        "grader.toml",
        "--out",
        str(tmp_path / "lee"),
        cwd=course,
    )
    assert ok.returncode == 0, ok.stdout + ok.stderr
    report = json.loads((tmp_path / "lee" / "report.json").read_text(encoding="utf-8"))
    assert (report["stage"]["name"], report["seed"]) == ("backprop", 42)
    (course / "office").mkdir()
    (course / "office" / "grader.toml").write_text('seed = 42\nstage = "backprop"\n', encoding="utf-8")
    outside = grader(
        "grade", "miniflow", "../class/lee.py", "--out", str(tmp_path / "o"), cwd=course / "office"
    )
    assert outside.returncode == 0, outside.stdout + outside.stderr
    report = json.loads((tmp_path / "o" / "report.json").read_text(encoding="utf-8"))
    assert (report["stage"]["name"], report["seed"]) == ("backprop", 42)


def test_batch_refuses_a_config_file_inside_a_students_entry_and_reads_the_course_one(tmp_path: Path) -> None:
    """A TA in a student's unpacked folder of the class (`cls/alice/`, holding alice's grader.toml that sets
    stage and seed) ran `grader batch miniflow ..`: the whole class was graded at alice's stage `add` with her
    seed (review of s21-user, 5). It exits 2 naming the file, the entry and the settings, no report. Controls:
    the course layout, grader.toml above the class folder (`grader batch miniflow class` from the course
    folder) or at the class folder's own top level (`grader batch miniflow .` there), is read; a file in the
    entry that sets no grading setting (jobs) is read too."""
    cls = tmp_path / "course" / "class"
    for student in ("alice", "bob"):
        (cls / student).mkdir(parents=True)
        (cls / student / "miniflow.py").write_text(MINIFLOW_CORRECT, encoding="utf-8")
    (cls / "alice" / "grader.toml").write_text('stage = "add"\nseed = 7\n', encoding="utf-8")
    done = grader("batch", "miniflow", "..", "--out", str(tmp_path / "out"), cwd=cls / "alice")
    assert done.returncode == 2, done.stdout + done.stderr
    assert "is inside alice, a student's entry of the class folder graded (..), and sets seed, stage" in (
        done.stderr
    )
    assert not list(tmp_path.glob("**/report.json"))
    (cls / "alice" / "grader.toml").write_text("jobs = 1\n", encoding="utf-8")
    jobs = grader("batch", "miniflow", "..", "--out", str(tmp_path / "jobs"), cwd=cls / "alice")
    assert jobs.returncode == 0, jobs.stdout + jobs.stderr
    (cls / "alice" / "grader.toml").unlink()
    course_file = 'stage = "backprop"\nseed = 42\n'
    (cls.parent / "grader.toml").write_text(course_file, encoding="utf-8")
    ok = grader("batch", "miniflow", "class", "--out", str(tmp_path / "a"), cwd=cls.parent)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "stage backprop (set by grader.toml (the working directory)) with seed 42" in ok.stderr
    (cls / "grader.toml").write_text(course_file, encoding="utf-8")
    top = grader("batch", "miniflow", ".", "--out", str(tmp_path / "b"), cwd=cls)
    assert top.returncode == 0, top.stdout + top.stderr
    assert "stage backprop (set by grader.toml (the working directory)) with seed 42" in top.stderr


def test_grading_the_original_from_a_students_unpacked_copy_refuses_their_config_file(tmp_path: Path) -> None:
    """Review of s23-user, finding 1: a TA in kim/, her unpacked kim.zip (grader.toml: stage add, seed 7),
    graded the original (`grader grade miniflow ../kim.zip`): add_quiz.py scored 5 / 5 at her stage add,
    43 points short of the default stage; `grader batch miniflow ../cls` with the zip in it graded the whole
    class there. The zip lists a grader.toml: both exit 2 naming it, no report. Control: named with the
    --config the refusal prints (its absolute path), the file is read, its stage and seed graded."""
    kim = tmp_path / "kim"
    kim.mkdir()
    (kim / "miniflow.py").write_bytes((SAMPLES / "miniflow" / "add_quiz.py").read_bytes())
    (kim / "grader.toml").write_text('stage = "add"\nseed = 7\n', encoding="utf-8")
    (tmp_path / "cls").mkdir()
    (tmp_path / "cls" / "lee.py").write_text(MINIFLOW_CORRECT, encoding="utf-8")
    for zipped in (tmp_path / "kim.zip", tmp_path / "cls" / "kim.zip"):
        shutil.make_archive(str(zipped.with_suffix("")), "zip", kim)
    refused = "grader.toml in the working directory sets seed, stage, and the code graded holds a copy of it"
    one = grader("grade", "miniflow", "../kim.zip", "--out", str(tmp_path / "one"), cwd=kim)
    assert one.returncode == 2, one.stdout + one.stderr
    assert f"{refused} (../kim.zip: grader.toml): not read" in one.stderr, one.stderr
    every = grader("batch", "miniflow", "../cls", "--out", str(tmp_path / "every"), cwd=kim)
    assert every.returncode == 2, every.stdout + every.stderr
    assert f"{refused} (../cls/kim.zip: grader.toml): not read" in every.stderr, every.stderr
    assert not list(tmp_path.glob("**/report.json"))
    named = f"--config {kim / 'grader.toml'}"
    assert named in one.stderr
    ok = grader("grade", "miniflow", "../kim.zip", *named.split(" "), "--out", str(tmp_path / "ok"), cwd=kim)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    graded = json.loads((tmp_path / "ok" / "report.json").read_text(encoding="utf-8"))
    assert (graded["stage"]["name"], graded["seed"]) == ("add", 7)


def test_a_linked_output_folder_in_the_working_directory_is_not_written_through(tmp_path: Path) -> None:
    """Session 24 (hunt2): kim's unpacked folder held a link grader-out -> ../lee/grader-out; a TA grading
    kim there (`grade`'s default --out is ./grader-out) wrote kim's report over lee's. `grade` and `batch`
    refuse a relative --out through a link in the working directory (exit 2, nothing written) and name its
    absolute path; named so, the report is written there."""
    lee = tmp_path / "lee" / "grader-out"
    lee.mkdir(parents=True)
    (lee / "report.json").write_text("lee's report\n", encoding="utf-8")
    kim = tmp_path / "kim"
    kim.mkdir()
    (kim / "miniflow.py").write_text(MINIFLOW_CORRECT, encoding="utf-8")
    (kim / "grader-out").symlink_to("../lee/grader-out")
    (kim / "deep").mkdir()
    (kim / "deep" / "out").symlink_to("../../lee/grader-out")
    for args in (("grade", "miniflow", "miniflow.py"), ("batch", "miniflow", ".", "--out", "deep/out/b")):
        done = grader(*args, "--seed", "1", cwd=kim)
        assert done.returncode == 2, done.stdout + done.stderr
        assert "in the working directory is a symbolic link" in done.stderr, done.stderr
        assert f"--out {lee}" in done.stderr, done.stderr
    assert [p.name for p in lee.iterdir()] == ["report.json"]
    assert (lee / "report.json").read_text(encoding="utf-8") == "lee's report\n"
    named = grader("grade", "miniflow", "miniflow.py", "--seed", "1", "--out", str(lee), cwd=kim)
    assert named.returncode == 0, named.stdout + named.stderr
    assert json.loads((lee / "report.json").read_text(encoding="utf-8"))["seed"] == 1


def test_an_internal_failure_exits_1_with_a_traceback_for_the_report() -> None:
    """A bug inside a command (here an injected ZeroDivisionError) exits 1 and asks to report it."""
    probe = (
        "import sys\n"
        "from grader import commands\n"
        "from grader.cli import main\n"
        "commands.COMMANDS['assignments'] = lambda args: 1 / 0\n"
        "sys.exit(main(['assignments']))\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60)
    assert done.returncode == 1
    assert "grader assignments: internal error, please report it" in done.stderr
    assert "ZeroDivisionError" in done.stderr


def test_a_sandbox_that_cannot_start_says_why_for_a_ta(tmp_path: Path) -> None:
    """A harness that cannot set itself up (here its module raises; in the field Landlock refused with
    EMFILE: review of s24-user, finding 2) reaches the TA as its own error and traceback, exit 1, said as the
    sandbox's failure and no submission's: it was "internal error" over the parent's traceback, ending in
    "the harness did not start: None". Control: the same command with the real harness grades."""
    folder = tmp_path / "harness"  # readable by the workers' uid 65534 when run as root
    folder.mkdir()
    broken = folder / "broken_harness.py"
    broken.write_text('raise OSError("this harness cannot start here")\n')
    for path, mode in ((tmp_path, 0o711), (folder, 0o755), (broken, 0o644)):
        path.chmod(mode)
    correct = str(REPO / "submissions" / "miniflow" / "correct.py")
    probe = (
        "import functools, pathlib, sys\n"
        "import grader.sandbox\n"
        "from grader.sandbox.pool import SandboxPool\n"
        "from grader.cli import main\n"
        "if sys.argv[1] != '-':\n"
        "    broken = pathlib.Path(sys.argv[1])\n"
        "    grader.sandbox.SandboxPool = functools.partial(SandboxPool, runner_file=broken)\n"
        f"sys.exit(main(['check', {correct!r}, '--assignment', 'miniflow', '--isolation', 'rlimits']))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe, str(broken)], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 1, done.stderr
    assert done.stderr.startswith(
        "grader check: the sandbox failed, so nothing more was graded (a fault of the grader or of this "
        "machine; please report it with what follows): a sandbox worker failed to "
        "start: HarnessNotStarted: the grader's harness process could not set itself up (OSError: this "
        "harness cannot start here)"
    ), done.stderr
    assert 'raise OSError("this harness cannot start here")' in done.stderr  # the harness's traceback
    assert "grader/cli.py" not in done.stderr and "internal error" not in done.stderr, done.stderr
    control = subprocess.run([sys.executable, "-c", probe, "-"], capture_output=True, text=True, timeout=120)
    assert control.returncode == 0 and "all visible cases pass" in control.stdout, control.stderr


def test_isolation_none_is_loud_and_named_in_every_report(tmp_path: Path) -> None:
    """--isolation none grades, warns on stderr, and every report says isolation none (report.json with its
    warning, results.json's extra_data, the JUnit property, the terminal line)."""
    sub = _student(tmp_path, "una", MINIFLOW_CORRECT)
    out = tmp_path / "out"
    done = grader(
        "grade",
        "miniflow",
        str(sub),
        "--out",
        str(out),
        "--format",
        "gradescope,junit",
        "--isolation",
        "none",
    )
    assert done.returncode == 0, done.stderr
    assert "WARNING: ISOLATION NONE: student code runs UNCONFINED" in done.stderr
    doc = report(out)
    validate(doc, "report")
    assert doc["isolation"] == "none" and any(w.startswith("isolation: none (") for w in doc["warnings"])
    assert json.loads((out / "results.json").read_text(encoding="utf-8"))["extra_data"]["isolation"] == "none"
    props = {p.get("name"): p.get("value") for p in ET.parse(out / "junit.xml").getroot().iter("property")}
    assert props["isolation"] == "none"
    assert any(line.endswith("isolation none") for line in done.stdout.splitlines())


def test_a_refused_sandbox_exits_2_and_names_the_ways_out(tmp_path: Path) -> None:
    """When the fallback's worker cannot achieve its confinement (simulated: it is asked for an isolation it
    does not know), `check` exits 2 with "refusing to grade", the reason and the explicit ways out."""
    sub = _student(tmp_path, "ray", MINIFLOW_CORRECT)
    probe = (
        "import sys\n"
        "from grader.sandbox import pool\n"
        "from grader.cli import main\n"
        "pool.WORKER_REQUEST[pool.SandboxPool._fallback()] = 'docker'\n"
        f"sys.exit(main(['check', {str(sub)!r}, '--isolation', 'rlimits']))\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120)
    assert done.returncode == 2, done.stderr
    assert "grader check: refusing to grade: no working sandbox here" in done.stderr
    assert "unknown isolation 'docker'" in done.stderr and "--isolation none" in done.stderr
    assert "Traceback" not in done.stderr


@pytest.mark.parametrize("source", ["correct", "syntax-error"])
def test_check_whose_pool_fails_before_any_worker_ends_and_says_why(tmp_path: Path, source: str) -> None:
    """`check --isolation bwrap` where bwrap is missing (simulated: BWRAP names no file): the pool fails
    before any worker's Popen, which the plan waits for (commands._plan_and_pool), and the check still ends
    at once: exit 2, the machine's configuration, saying how to install bubblewrap or to choose auto, never
    the grader's fault (was: exit 1 as "the sandbox failed ... a fault of the grader"); for a file whose
    assignment cannot be told, the plan's error comes first (exit 2). Never a wait for a Popen that will not
    come."""
    text = MINIFLOW_CORRECT if source == "correct" else "x = (\n"
    sub = _student(tmp_path, "ray", text)
    probe = (
        "import sys\n"
        "from grader.sandbox import pool\n"
        "from grader.cli import main\n"
        "pool.BWRAP = '/nonexistent/bwrap'\n"
        f"sys.exit(main(['check', {str(sub)!r}, '--isolation', 'bwrap']))\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60)
    assert "Traceback" not in done.stderr, done.stderr
    if source == "correct":
        assert done.returncode == 2, done.stderr
        assert done.stderr.splitlines() == [
            "grader check: isolation 'bwrap' was requested but bubblewrap is not installed here (no "
            "/nonexistent/bwrap): install it (apt-get install bubblewrap) or choose --isolation auto "
            "(GRADER_ISOLATION=auto)"
        ]
    else:
        assert done.returncode == 2, done.stderr
        assert "grader check: cannot tell which assignment this is: ray.py has a syntax error" in done.stderr


POPEN_FAILS = """
import errno, os, subprocess, sys
from grader.sandbox import pool
from grader.cli import main
how, argv = sys.argv[1], sys.argv[2:]
if how == "missing":  # a real Popen of an interpreter that is not there
    layout = pool.host_layout()._replace(python="/nonexistent/python3")
    pool.host_layout = lambda: layout
else:  # what the kernel may answer a fork: no process or no memory left
    def popen(*args, **kwargs):
        code = getattr(errno, how)
        raise OSError(code, os.strerror(code))
    pool.subprocess.Popen = popen
sys.exit(main(argv))
"""


@pytest.mark.parametrize(
    ("how", "command", "code", "line"),
    [
        ("missing", "check", 2, "/nonexistent/python3 is missing (No such file or directory): reinstall it"),
        ("EAGAIN", "grade", 1, "could not start: no process left for this user (Resource temporarily"),
        ("ENOMEM", "check", 1, "could not start: out of memory (Cannot allocate memory): free memory"),
    ],
)
def test_a_worker_whose_popen_fails_is_one_line_saying_what_to_do(
    tmp_path: Path, how: str, command: str, code: int, line: str
) -> None:
    """A worker's Popen raising OSError (its program missing, EAGAIN, ENOMEM) under `check` and `grade`:
    one line naming the program, what failed and what to do; a missing program is the usage exit, a
    resource the machine ran out of exit 1; never a traceback nor the grader's fault (control: before,
    the OSError reached main as "internal error, please report it" and a traceback)."""
    sub = str(_student(tmp_path, "ray", MINIFLOW_CORRECT))
    argv = ["check", sub] if command == "check" else ["grade", "miniflow", sub, "--out", str(tmp_path / "o")]
    probe = [sys.executable, "-c", POPEN_FAILS, how, *argv, "--isolation", "rlimits"]
    done = subprocess.run(probe, capture_output=True, text=True, timeout=120)
    assert done.returncode == code, done.stderr
    assert "Traceback" not in done.stderr and "fault" not in done.stderr
    [said] = [text for text in done.stderr.splitlines() if not text.startswith("WARNING:")]
    assert said.startswith(f"grader {command}: a sandbox worker's program ") and line in said, said
    if how != "missing":  # check and grade have no --jobs: never advised as if they had (was "lower --jobs")
        assert said.endswith("lower --jobs where the command has it (batch, samples), then run again"), said


# ---------------------------------------------------------------- check


def test_check_passes_a_correct_file_with_the_assignment_inferred(tmp_path: Path) -> None:
    """check on a correct MiniFlow file: the assignment is inferred, only visible cases run, exit 0."""
    done = grader("check", str(_student(tmp_path, "kim", MINIFLOW_CORRECT)))
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"checking {tmp_path / 'kim.py'} against miniflow (visible cases only)" in done.stdout
    assert "all visible cases pass" in done.stdout.splitlines()
    for case in VISIBLE_MINIFLOW:
        assert case in done.stdout
    assert "gen-" not in done.stdout  # hidden generated cases are not run for students


def test_check_and_grade_never_print_a_flag(tmp_path: Path) -> None:
    """A flagged (ctypes-importing) correct file: `check` (students) and `grade`'s terminal summary (CI logs
    are read by students) pass it and say nothing about flags; report.json (staff) has the flag."""
    path = _student(tmp_path, "fay", MINIFLOW_FLAGGED)
    checked = grader("check", str(path))
    graded = grader("grade", "miniflow", str(path), "--out", str(tmp_path / "out"), "--seed", "3")
    assert checked.returncode == 0 and graded.returncode == 0, checked.stderr + graded.stderr
    for done in (checked, graded):
        text = (done.stdout + done.stderr).replace(str(tmp_path), "")  # the path holds the test's name
        assert "native_code" not in text and "flag" not in text.lower()
    assert [f["code"] for f in report(tmp_path / "out")["staff"]["flags"]] == ["native_code"]


def test_check_fails_a_buggy_file_and_names_the_mistake(tmp_path: Path) -> None:
    """check on a sign-flipped MSE: exit 1, the failing line names MSE.backward, the gradient and the hint."""
    done = grader("check", str(_student(tmp_path, "lee", MINIFLOW_BROKEN["mse_sign_flipped"])))
    assert done.returncode == 1, done.stdout + done.stderr
    assert "against miniflow" in done.stdout
    assert "some visible cases fail: see above" in done.stdout.splitlines()
    lines = [line for line in done.stdout.splitlines() if "MSE.backward" in line]
    assert any("gradient of y" in line and "wrong sign" in line for line in lines), done.stdout


def test_check_with_an_explicit_wrong_assignment_fails(tmp_path: Path) -> None:
    """--assignment overrides inference: a MiniFlow file checked as DeZero fails (exit 1)."""
    sub = _student(tmp_path, "max", MINIFLOW_CORRECT)
    done = grader("check", str(sub), "--assignment", "dezero")
    assert done.returncode == 1
    assert "against dezero" in done.stdout


def test_check_with_an_assignment_of_another_family_says_what_the_code_looks_like(tmp_path: Path) -> None:
    """--assignment dezero on MiniFlow code: one line says none of dezero's names is defined and names
    miniflow, above the list of missing names; the right --assignment gets no such line (control)."""
    sub = _student(tmp_path, "max", MINIFLOW_CORRECT)
    done = grader("check", str(sub), "--assignment", "dezero")
    note = "note: your code defines none of the names dezero grades; it looks like miniflow (--assignment"
    assert note in done.stdout
    assert done.stdout.index(note) < done.stdout.index("missing: Variable")
    assert "note: " not in grader("check", str(sub), "--assignment", "miniflow").stdout


def test_check_of_chapter5_layers_beside_the_books_optimizers_grades_the_layers() -> None:
    """Chapter 5's common/layers.py with an unsummed bias gradient beside the book's common/optimizer.py (no
    ch05/): `check` graded the optimizers (14 of 14, exit 0) and never ran a layer. It infers dlfs-layers'
    stage layers now, fails the bias gradient, and a note names the optimizers and who grades them."""
    sample = SAMPLES / "layers" / "ch05_common_with_optimizer_affine_db_unsummed"
    done = grader("check", str(sample))
    assert done.returncode == 1, done.stderr
    assert f"checking {sample} against dlfs-layers" in done.stdout
    assert "stage layers, inferred" in done.stdout
    note = (
        "note: your code also defines AdaGrad, Adam, Momentum, Nesterov, RMSprop, SGD (common/optimizer.py),"
    )
    assert note in done.stdout
    assert (
        "dlfs-advanced grades them (grader check --assignment dlfs-advanced --stage optimizers)"
        in done.stdout
    )
    assert "Affine.backward: gradient of b (db) has shape" in done.stdout


def test_check_of_the_books_optimizer_file_grades_it_at_stage_optimizers(tmp_path: Path) -> None:
    """The book's common/optimizer.py alone: it was "nothing to check here: ... which dlfs-advanced does not
    grade" (exit 2). Since session 21 dlfs-advanced grades chapter 6's optimizers: `check` infers stage
    optimizers and every visible case passes. A file of SGD alone fits no stage (the stage requires 6.1's
    SGD, Momentum, AdaGrad and Adam): it is asked for --assignment, and names the assignments grading SGD."""
    book = SAMPLES / "dlfs-advanced" / "book_common_optimizer"
    done = grader("check", str(book))
    assert done.returncode == 0, done.stderr
    assert "stage optimizers, inferred: your code defines SGD, Momentum, AdaGrad, Adam" in done.stdout
    assert "all visible cases pass" in done.stdout
    sub = tmp_path / "common" / "optimizer.py"
    sub.parent.mkdir()
    sub.write_text(
        "class SGD:\n    def __init__(self, lr=0.01):\n        self.lr = lr\n\n"
        "    def update(self, params, grads):\n        for key in params.keys():\n"
        "            params[key] -= self.lr * grads[key]\n"
    )
    alone = grader("check", str(sub))
    assert alone.returncode == 2
    assert "your code defines SGD, which miniflow and dlfs-advanced grade," in alone.stderr


def test_check_refuses_to_guess_when_no_assignment_matches(tmp_path: Path) -> None:
    """A file that defines none of the assignments' names: exit 2, asking for --assignment with the ids."""
    done = grader("check", str(_student(tmp_path, "ned", "def main():\n    print('hello')\n")))
    assert done.returncode == 2
    assert (
        "cannot tell which assignment this is: your code defines main, and no assignment grades any of them; "
        "pass --assignment (miniflow, dezero, dlfs-layers, dlfs-advanced)" in done.stderr
    )


def test_check_of_the_script_that_imports_the_course_module_names_the_file_to_hand_in() -> None:
    """The book's ch05/buy_apple.py alone (`from layer_naive import *`, no class of its own): exit 2, naming
    the import and layer_naive.py, and not "pass --assignment", which would grade a file with no class."""
    done = grader("check", str(SAMPLES / "layers/book_layout/ch05/buy_apple.py"))
    assert done.returncode == 2
    assert (
        "nothing to check here: your code defines no class or function; buy_apple.py imports them from "
        "layer_naive (line 2), which you did not hand in: check layer_naive.py instead" in done.stderr
    )
    assert "--assignment" not in done.stderr


def test_grade_refusing_an_lms_format_says_where_the_format_came_from(tmp_path: Path) -> None:
    """GRADER_FORMAT=json,canvas (set for a class's batches) on `grade`: the refusal said "--format canvas",
    a flag nobody typed; it names GRADER_FORMAT, and a grader.toml by its path. Control: a typed --format
    moodle is still "--format moodle"."""
    sub = str(_student(tmp_path, "ann", MINIFLOW_CORRECT))
    argv = ("grade", "miniflow", sub, "--out", str(tmp_path / "o"))
    by_env = grader(*argv, env={"GRADER_FORMAT": "json,canvas"})
    assert by_env.returncode == 2
    assert "format canvas (from GRADER_FORMAT) is a class gradebook import" in by_env.stderr
    # the way out (session 23): a course's file shared with its batches names canvas; the command line wins
    assert "gradebook.csv; to grade one submission, pass --format json\n" in by_env.stderr, by_env.stderr
    (tmp_path / "grader.toml").write_text('format = "moodle,student,junit"\n', encoding="utf-8")
    by_file = grader(*argv, cwd=tmp_path)
    assert (
        by_file.returncode == 2
        and "format moodle (from " in by_file.stderr
        and "grader.toml" in by_file.stderr
        and "to grade one submission, pass --format student,junit\n" in by_file.stderr
    ), by_file.stderr
    way_out = grader(*argv, "--format", "student,junit", cwd=tmp_path)
    assert way_out.returncode == 0, way_out.stdout + way_out.stderr
    assert (tmp_path / "o" / "junit.xml").is_file() and (tmp_path / "o" / "student.json").is_file()
    typed = grader(*argv, "--format", "moodle")
    assert typed.returncode == 2 and "--format moodle is a class gradebook import" in typed.stderr
    assert "to grade one submission" not in typed.stderr


def test_check_of_an_empty_file_says_it_is_empty(tmp_path: Path) -> None:
    """An empty file saved with a byte-order mark and CRLF (Notepad): said empty, no --assignment advice."""
    done = grader("check", str(_student(tmp_path, "eve", "\ufeff\r\n")))
    assert done.returncode == 2
    assert "nothing to check here: " in done.stderr and " is empty: was it saved" in done.stderr
    assert "--assignment" not in done.stderr


def test_check_with_an_assignment_of_an_empty_file_says_it_is_empty_once(tmp_path: Path) -> None:
    """`check --assignment miniflow` of an empty file: the same one line as without --assignment (it printed
    a stage line saying no stage matched and seven errors "the same as quiz-documented above"); control: a
    file of one line of code is checked, its names said missing."""
    done = grader("check", str(_student(tmp_path, "eve", "\n\n")), "--assignment", "miniflow")
    assert done.returncode == 2
    assert "nothing to check here: " in done.stderr and "eve.py is empty: was it saved" in done.stderr
    assert done.stdout == ""
    control = grader("check", str(_student(tmp_path, "ivy", "x = 1\n")), "--assignment", "miniflow")
    assert control.returncode == 1 and "missing: Input" in control.stdout


def test_grade_of_an_empty_file_is_a_load_failure_saying_it_is_empty(tmp_path: Path) -> None:
    """`grade` of an empty file: status load_failed, as an empty folder's, each case saying the file is
    empty, not status `graded` with "missing: Input ..." (session 17); the control, one line of code, loads
    and is graded."""
    out = tmp_path / "o"
    done = grader("grade", "miniflow", str(_student(tmp_path, "eve", "\ufeff\r\n")), "--out", str(out))
    assert done.returncode == 0, done.stderr
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert (report["status"], report["score"]) == ("load_failed", 0)
    assert "eve.py is empty: was it saved" in done.stdout and "missing: Input" not in done.stdout
    control = grader("grade", "miniflow", str(_student(tmp_path, "ivy", "x = 1\n")), "--out", str(out / "c"))
    assert json.loads((out / "c" / "report.json").read_text(encoding="utf-8"))["status"] == "graded"
    assert "missing: Input" in control.stdout


# ---------------------------------------------------------------- assignments, fixtures


def test_assignments_lists_the_four_shipped_ones_with_their_points() -> None:
    """`grader assignments`: one row per shipped id with its family and full marks from its manifest."""
    done = grader("assignments")
    assert done.returncode == 0, done.stderr
    table = done.stdout.split("\n\n")[0]  # the stages of each assignment follow, after a blank line
    rows = {line.split()[0]: line.split() for line in table.splitlines()[1:]}
    assert sorted(rows) == ["dezero", "dlfs-advanced", "dlfs-layers", "miniflow"]
    shipped = (("miniflow", "miniflow"), ("dezero", "dezero"), ("dlfs-layers", "layers"))
    for ident, family in (*shipped, ("dlfs-advanced", "layers")):
        assert rows[ident][1] == family
        assert float(rows[ident][4]) == max_points(ident)


def test_fixtures_with_an_unknown_assignment_exits_2() -> None:
    """`grader fixtures verify nope` is a configuration error (exit 2), not a crash."""
    done = grader("fixtures", "verify", "nope")
    assert done.returncode == 2, done.stdout + done.stderr
    assert "nope" in done.stderr and "Traceback" not in done.stderr


@pytest.mark.slow
def test_samples_grades_a_share_of_every_bundled_family_and_validates_its_reports(tmp_path: Path) -> None:
    """The README's main job on a share (--per-assignment 2): one gradebook per shipped assignment with two
    of its samples, every report of every kind schema-valid, exit 0, each class report named on the terminal,
    and the share said. Every sample is graded by tests/samples/test_expected.py, through the same command
    one assignment at a time. Its time limit only catches a hang (calibration.hang_guard)."""
    out = tmp_path / "samples"
    share = ("--per-assignment", "2")
    done = grader("samples", "--out", str(out), "--validate", *share, timeout=hang_guard(120))
    assert done.returncode == 0, done.stderr[-2000:]
    folders = (("miniflow", "miniflow"), ("dezero", "dezero"), ("dlfs-layers", "layers"))
    for assignment, folder in (*folders, ("dlfs-advanced", "dlfs-advanced")):
        samples = json.loads((REPO / "submissions" / folder / "expected.json").read_text())["samples"]
        with (out / assignment / "gradebook.csv").open(encoding="utf-8", newline="") as fh:
            rows = list(csv.DictReader(fh))
        assert len(rows) == 2 and {r["file"] for r in rows} <= set(samples), rows
        assert f"{assignment}: grading 2 of the {len(samples)} samples in " in done.stderr
        # where to look next: each class report, named on the terminal (only gradebooks were)
        index = out / assignment / "index.html"
        assert index.is_file() and f"{assignment}: class report {index} (open it in a browser)" in done.stdout
        for row in rows:
            graded = out / assignment / row["student"]
            validate(json.loads((graded / "report.json").read_text()), "report")
            assert json.loads((graded / "results.json").read_text())["tests"]
            assert list(ET.parse(graded / "junit.xml").getroot().iter("testcase"))


def test_samples_of_an_assignment_with_no_bundled_samples_exits_2(tmp_path: Path) -> None:
    """`grader samples nope` is a usage error (exit 2) naming the assignments whose samples are bundled, and
    grades nothing."""
    out = tmp_path / "samples"
    done = grader("samples", "nope", "--out", str(out))
    assert done.returncode == 2, done.stdout + done.stderr
    assert "no bundled samples for 'nope'; valid: miniflow, dezero, dlfs-layers, dlfs-advanced" in done.stderr
    assert "Traceback" not in done.stderr and not out.exists()


def test_grade_runs_after_published_cases_in_a_phase_of_their_own(tmp_path: Path) -> None:
    """A manifest with an after_published case (the shipped MiniFlow's hidden shared-weight-graph, made
    after_published) besides its visible, hidden and after_due_date ones: the run has four phases, the case
    is graded like any other (the correct file passes it, the sign-flipped MSE fails it) and results.json
    lists it with visibility after_published; the summary says it waits for the grades to be published."""
    root = tmp_path / "miniflow"
    shutil.copytree(MANIFESTS / "miniflow", root)
    manifest = json.loads((root / "manifest.json").read_text(encoding="utf-8"))
    (ref,) = [c for c in manifest["cases"] if c["fixture"] == "shared-weight-graph"]
    ref["visibility"] = "after_published"
    (root / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    for name, source, passed in (
        ("good", MINIFLOW_CORRECT, True),
        ("bad", MINIFLOW_BROKEN["mse_sign_flipped"], False),
    ):
        out = tmp_path / name
        done = grader(
            "grade", str(root / "manifest.json"), str(_student(tmp_path, name, source)),
            "--out", str(out), "--format", "gradescope", "--seed", "1",
        )  # fmt: skip
        assert done.returncode == 0, done.stderr
        results = json.loads((out / "results.json").read_text(encoding="utf-8"))
        (test,) = [t for t in results["tests"] if t["extra_data"]["case_id"] == "shared-weight-graph"]
        assert test["visibility"] == "after_published"
        assert (test["status"] == "passed") is passed and (test["score"] == ref["points"]) is passed
        assert f"worth {ref['points']:g} points is shown once grades are published" in results["output"]
        validate(report(out), "report")


def test_an_interrupt_before_any_student_was_graded_names_no_journal(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Ctrl-C while a batch's sandboxes were still starting said "every student graded so far is kept in
    OUT/journal.jsonl ... run the same command again with --resume": there was no OUT, no journal, and the
    resume started a new batch with another seed. Once a student is journaled, the hint is the resume's."""
    from grader import cli, commands

    def interrupted(args: object) -> int:
        raise KeyboardInterrupt

    monkeypatch.setitem(commands.COMMANDS, "batch", interrupted)
    out = tmp_path / "graded"
    argv = ["batch", "miniflow", str(tmp_path), "--out", str(out)]
    assert cli.main(argv) == 130
    said = capsys.readouterr().err
    assert "no student was graded yet, so there is nothing to resume" in said
    assert "journal.jsonl" not in said and "--resume" not in said
    out.mkdir()
    (out / "journal.jsonl").write_text('{"student": "alice"}\n')
    assert cli.main(argv) == 130
    said = capsys.readouterr().err
    assert f"every student graded so far is kept in {out}/journal.jsonl" in said and "--resume" in said


@pytest.mark.parametrize("command", ["grade", "batch"])
def test_an_out_under_a_file_is_refused_before_grading(tmp_path: Path, command: str) -> None:
    """`--out FILE/sub`: a usage error naming the file (exit 2), where grade graded and then failed with
    "internal error, please report it" and a traceback when it made its folder."""
    (tmp_path / "afile").write_text("", encoding="utf-8")
    student = _student(tmp_path, "alice", MINIFLOW_CORRECT)
    graded = str(student) if command == "grade" else str(tmp_path)
    done = grader(command, "miniflow", graded, "--out", str(tmp_path / "afile" / "x"))
    assert done.returncode == 2, done.stdout + done.stderr
    assert f"{tmp_path / 'afile'} is a file, not a folder" in done.stderr
    assert "Traceback" not in done.stderr


@pytest.mark.parametrize("command", ["grade", "batch"])
def test_an_out_through_a_dangling_link_is_refused_before_grading(tmp_path: Path, command: str) -> None:
    """`--out dangling` (a symbolic link to nothing) passed the check, `grade` graded, then exited 1 with
    "internal error, please report it" and a FileExistsError; `batch` the same before grading (review of
    s21-user, 7). A usage error naming the link and its target, exit 2, no report. Control: a link to a
    folder is taken."""
    student = _student(tmp_path, "alice", MINIFLOW_CORRECT)
    graded = str(student) if command == "grade" else str(tmp_path)
    link = tmp_path / "dangling"
    link.symlink_to(tmp_path / "nowhere")
    for out in (link, link / "sub"):
        done = grader(command, "miniflow", graded, "--out", str(out))
        assert done.returncode == 2, done.stdout + done.stderr
        assert f"{link} is a symbolic link that leads nowhere (to {tmp_path / 'nowhere'})" in done.stderr
        assert "internal error" not in done.stderr and "Traceback" not in done.stderr
    assert not list(tmp_path.glob("**/report.json"))
    (tmp_path / "nowhere").mkdir()
    ok = grader(command, "miniflow", graded, "--out", str(link))
    assert ok.returncode == 0, ok.stdout + ok.stderr


# Run in a child: switched to an unprivileged user when root (who reads every folder), so that stat() in a
# folder it may not enter raises PermissionError as it does for a TA's account. argv: the class folder, --out.
_UNREADABLE_PROBE = """
import os, sys
import grader.batch.run, grader.cli, grader.commands, grader.reports.escape, grader.schema, grader.untrusted
import jsonschema  # noqa: F401  (before the switch: its folder may be root's)
grader.cli._parser()
if os.geteuid() == 0:
    os.setresgid(65534, 65534, 65534)
    os.setresuid(65534, 65534, 65534)
if sys.argv[1] == "-":  # only the --out check
    print(grader.commands._out_dir(sys.argv[2]))
    sys.exit(0)
if sys.argv[1] == "+":  # only the class folder's listing check
    grader.batch.run.listable(__import__("pathlib").Path(sys.argv[2]))
    sys.exit(0)
sys.exit(grader.cli.main(["batch", "miniflow", sys.argv[1], "--out", sys.argv[2]]))
"""


def _probe(directory: str, out: Path) -> subprocess.CompletedProcess[str]:
    argv = [sys.executable, "-c", _UNREADABLE_PROBE, directory, str(out)]
    return subprocess.run(argv, capture_output=True, text=True, timeout=120, cwd="/")


def test_an_out_under_a_folder_the_user_cannot_enter_is_refused(tmp_path: Path) -> None:
    """A TA's `--out` under a folder their account may not enter: Path.exists() raised PermissionError and
    `grader batch` said "internal error, please report it" (review of s21-user, 7). A usage error, exit 2.
    Control: the same child takes an --out in a folder it may write."""
    locked = tmp_path / "locked"
    locked.mkdir()
    if os.geteuid() != 0:
        locked.chmod(0o000)
    try:
        done = _probe(str(tmp_path), locked / "x" / "y")
    finally:
        locked.chmod(0o700)
    assert done.returncode == 2, done.stdout + done.stderr
    assert f"--out {locked / 'x' / 'y'} cannot be checked (Permission denied: " in done.stderr, done.stderr
    assert "internal error" not in done.stderr
    with tempfile.TemporaryDirectory() as open_dir:
        os.chmod(open_dir, 0o777)
        ok = _probe("-", Path(open_dir) / "out")
    assert ok.returncode == 0 and ok.stdout.strip() == str(Path(open_dir) / "out"), ok.stdout + ok.stderr


@pytest.mark.parametrize("where", ["class", "inside"])
def test_a_class_folder_the_user_cannot_read_is_refused(where: str) -> None:
    """Session 22: `grader batch` over a class folder a TA cannot list (or named under a folder it
    may not enter) said "internal error, please report it" with a PermissionError traceback. A usage error,
    exit 2, naming the folder, before any report is written. Control: the same folder, readable, is listed."""
    with tempfile.TemporaryDirectory() as top:
        os.chmod(top, 0o777)
        cls = Path(top, "class")
        cls.mkdir()
        (cls / "alice.py").write_text((SAMPLES / "miniflow" / "correct.py").read_text())
        cls.chmod(0o755)
        (cls / "alice.py").chmod(0o644)
        named, said = {
            "class": (cls, f"the class folder {cls} cannot be listed (Permission denied): run the batch as"),
            "inside": (cls / "x", f"directory {cls / 'x'} cannot be checked (Permission denied); run the"),
        }[where]
        cls.chmod(0o300 if os.geteuid() != 0 else 0o700)
        try:
            done = _probe(str(named), Path(top, "out"))
        finally:
            cls.chmod(0o755)
        assert done.returncode == 2, done.stdout + done.stderr
        assert said in done.stderr, done.stderr
        assert "internal error" not in done.stderr and "Traceback" not in done.stderr
        assert not Path(top, "out").exists()
        ok = _probe("+", cls)  # the same check passes a folder it may list
        assert ok.returncode == 0 and not ok.stderr, ok.stdout + ok.stderr


def test_an_out_in_a_folder_the_user_cannot_write_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`grader grade` in a folder its user cannot write (its default --out is ./grader-out): refused naming
    the folder, before grading (root writes everywhere, so the permission is made to say no here)."""
    from grader import commands
    from grader.cli import UsageError

    real = os.access
    monkeypatch.setattr(commands.os, "access", lambda p, mode: Path(p) != tmp_path and real(p, mode))
    monkeypatch.chdir(tmp_path)
    with pytest.raises(UsageError, match=f"--out grader-out: {re.escape(str(tmp_path))} is not writable"):
        commands._out_dir("grader-out")
    (tmp_path / "ok").mkdir()  # the control: a folder the user can write is taken
    assert commands._out_dir(str(tmp_path / "ok" / "out")) == tmp_path / "ok" / "out"
