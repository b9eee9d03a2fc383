"""LMS bulk-download names and the roster: who each submission belongs to.

The name forms are the ones docs/INSTRUCTORS.md states as our assumption about each LMS:
Canvas `<namekey>_[LATE_]<user id>_<attachment id>_<original name>`, Moodle
`<Full name>_<participant id>_assignsubmission_file_<original name>` (or that prefix alone, a folder).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from grader.batch.roster import LmsName, Roster, identify, parse_lms_name
from grader.schema import ConfigError


@pytest.mark.parametrize(
    ("name", "parsed"),
    [
        ("garciajose_12345_678901_miniflow.py", LmsName("canvas", "12345", "garciajose", "miniflow.py")),
        (
            "garciajose_LATE_12345_678901_miniflow-1.py",
            LmsName("canvas", "12345", "garciajose", "miniflow-1.py", True),
        ),
        ("doe_7_8_a_b.zip", LmsName("canvas", "7", "doe", "a_b.zip")),
        (
            "José García_4521_assignsubmission_file_miniflow.py",
            LmsName("moodle", "4521", "José García", "miniflow.py"),
        ),
        ("Ann Lee_99_assignsubmission_file_", LmsName("moodle", "99", "Ann Lee", "")),
        (
            "Ann Lee_99_assignsubmission_onlinetext_onlinetext.html",
            LmsName("moodle", "99", "Ann Lee", "onlinetext.html"),
        ),
    ],
)  # fmt: skip
def test_canvas_and_moodle_names_are_parsed(name: str, parsed: LmsName) -> None:
    """Each documented Canvas and Moodle form gives its LMS, user id, name and original file name."""
    assert parse_lms_name(name) == parsed


@pytest.mark.parametrize(
    "name", ["miniflow.py", "alice_1.py", "Alice_12_34.py", "x_assignsubmission_file_a.py"]
)
def test_other_names_are_no_lms_name(name: str) -> None:
    """A plain name, one number, a capitalised Canvas-like name, a Moodle form without an id: not parsed."""
    assert parse_lms_name(name) is None


def _roster(tmp_path: Path, text: str) -> Roster:
    (tmp_path / "roster.csv").write_text(text, encoding="utf-8")
    return Roster.read(tmp_path / "roster.csv")


def test_roster_matches_by_file_then_lms_id_then_name(tmp_path: Path) -> None:
    """ann by file name, bob by Canvas id, José by Canvas namekey (last first), Lee by Moodle full name;
    zed is in no row; Kim has no submission."""
    roster = _roster(
        tmp_path,
        "\ufeffName,Email,SIS_ID,canvas_id,moodle_id,file\n"  # Excel's byte-order mark, capitalised headers
        "Ann A,ann@u.edu,S1,,,ann.py\n"
        "Bob B,bob@u.edu,S2,222,,\n"
        "José García,jose@u.edu,S3,,,\n"
        "Ann Lee,lee@u.edu,S4,,,\n"
        "Kim K,kim@u.edu,S5,,,\n",
    )
    entries = [
        ("ann", "ann.py", "ann"),
        ("bbb_222_1_hw.py", "bbb_222_1_hw.py", "bbb_222_1_hw"),
        ("garciajose_333_1_hw", "garciajose_333_1_hw.py", "garciajose_333_1_hw"),
        ("lee", "Ann Lee_99_assignsubmission_file_", "Ann Lee_99_assignsubmission_file_"),
        ("zed", "zed.py", "zed"),
    ]
    who, unknown, absent = identify(entries, roster)
    assert (who["ann"].email, who["ann"].sis_id) == ("ann@u.edu", "S1")
    assert (who["bbb_222_1_hw.py"].name, who["bbb_222_1_hw.py"].canvas_id) == ("Bob B", "222")
    assert (who["garciajose_333_1_hw"].email, who["garciajose_333_1_hw"].canvas_id) == ("jose@u.edu", "333")
    assert (who["lee"].email, who["lee"].moodle_id) == ("lee@u.edu", "99")
    assert unknown == ["zed"] and not who["zed"].in_roster
    assert absent == ["Kim K"]


def test_without_a_roster_the_lms_names_still_give_ids(tmp_path: Path) -> None:
    """No roster: a Canvas name gives its user id, a Moodle name its participant id and full name."""
    who, unknown, absent = identify(
        [("a", "doe_7_8_hw.py", "doe_7_8_hw"), ("b", "Al Bo_5_assignsubmission_file_", "x")], None
    )
    assert (who["a"].canvas_id, who["b"].moodle_id, who["b"].name) == ("7", "5", "Al Bo")
    assert unknown == [] and absent == []


def test_a_roster_with_no_key_column_is_refused(tmp_path: Path) -> None:
    """A header with only email cannot match anything: refused, naming the columns understood."""
    with pytest.raises(ConfigError, match="no column to match submissions by"):
        _roster(tmp_path, "email\na@b.c\n")


def test_an_ambiguous_name_matches_nobody(tmp_path: Path) -> None:
    """Two roster rows named Ann Lee: a Moodle submission by that name is matched to neither."""
    roster = _roster(tmp_path, "name,email\nAnn Lee,a@u.edu\nAnn Lee,b@u.edu\n")
    who, unknown, _ = identify([("x", "Ann Lee_1_assignsubmission_file_", "x")], roster)
    assert unknown == ["x"] and who["x"].email == ""


def test_batch_with_a_roster_writes_the_lms_imports(tmp_path: Path) -> None:
    """A class as downloaded (a Canvas file, a Moodle folder, one plain file) with a roster: gradebook.csv
    gains name, email and sis_id; canvas.csv and moodle.csv carry the two LMS students' full marks (from
    the manifest); the plain file is reported as not in the roster and left out of both imports."""
    from batch.students import MINIFLOW_BROKEN, MINIFLOW_CORRECT, grader, max_points, read_gradebook

    subs = tmp_path / "subs"
    (subs / "Ann Lee_99_assignsubmission_file_").mkdir(parents=True)
    (subs / "Ann Lee_99_assignsubmission_file_" / "miniflow.py").write_text(
        MINIFLOW_CORRECT, encoding="utf-8"
    )
    (subs / "garciajose_333_1_miniflow.py").write_text(MINIFLOW_CORRECT, encoding="utf-8")
    (subs / "zed.py").write_text(MINIFLOW_BROKEN["syntax_error"], encoding="utf-8")
    roster = tmp_path / "roster.csv"
    roster.write_text(
        "name,email,sis_id,canvas_id,moodle_id\nJosé García,jose@u.edu,S3,333,\nAnn Lee,lee@u.edu,S4,,99\n",
        encoding="utf-8",
    )
    out = tmp_path / "out"
    argv = ["batch", "miniflow", str(subs), "--out", str(out), "--jobs", "2", "--seed", "1"]
    done = grader(*argv, "--roster", str(roster), "--format", "canvas,moodle")
    assert done.returncode == 0, done.stderr
    assert (
        "not in the roster (no email or SIS id in the gradebook, a name only from an LMS file name): zed"
        in (done.stderr)
    )
    assert "canvas.csv: left out, with no canvas id to match them by: zed" in done.stderr
    assert "moodle.csv: left out, with no moodle id to match them by: " in done.stderr
    full = f"{max_points('miniflow'):g}"
    rows = {r["file"]: r for r in read_gradebook(out)}
    assert list(read_gradebook(out)[0])[:5] == ["student", "file", "name", "email", "sis_id"]
    assert (rows["garciajose_333_1_miniflow.py"]["email"], rows["garciajose_333_1_miniflow.py"]["score"]) == (
        "jose@u.edu",
        full,
    )
    assert rows["Ann Lee_99_assignsubmission_file_"]["sis_id"] == "S4" and rows["zed.py"]["name"] == ""
    canvas = (out / "canvas.csv").read_text(encoding="utf-8").splitlines()
    assert canvas[2:] == [f"Ann Lee,,S4,,,{full}", f"José García,333,S3,,,{full}"]  # Ann by SIS id
    moodle = (out / "moodle.csv").read_text(encoding="utf-8").splitlines()
    assert moodle[1].startswith(f"Participant 99,Ann Lee,lee@u.edu,{full},{full},")
    assert len(moodle) == 2
    refused = grader(
        "grade", "miniflow", str(subs / "zed.py"), "--out", str(tmp_path / "g"), "--format", "canvas"
    )
    assert refused.returncode == 2 and "is a class gradebook import" in refused.stderr


def test_a_canvas_gradebook_export_is_a_roster_as_downloaded(tmp_path: Path) -> None:
    """Canvas's Gradebook > Export (Student "Last, First", ID, SIS User ID, SIS Login ID, Section, then a
    `Points Possible` row) is read without editing: the namekey and the user id match, and the Points
    Possible row is no student with no submission. (It was refused: no column to match submissions by.)"""
    roster = _roster(
        tmp_path,
        "Student,ID,SIS User ID,SIS Login ID,Section,Homework 2 (5501)\n"
        "    Points Possible,,,,,41.00\n"
        '"García, José",12346,S002,jgarcia,Sec 1,\n'
        '"Kim, Soo",12351,S007,skim,Sec 1,\n',
    )
    who, unknown, absent = identify([("g", "garciajose_LATE_12346_678902_miniflow.py", "x")], roster)
    assert (who["g"].name, who["g"].canvas_id, who["g"].sis_id, who["g"].login) == (
        "García, José",
        "12346",
        "S002",
        "jgarcia",
    )
    assert unknown == [] and absent == ["Kim, Soo"]


def test_a_moodle_grading_worksheet_is_a_roster_as_downloaded(tmp_path: Path) -> None:
    """Moodle's grading worksheet (Identifier `Participant 123456`, Full name, Email address, ...) is read
    without editing: the participant id matches the download's folder name, accents and all."""
    roster = _roster(
        tmp_path,
        "Identifier,Full name,Email address,Status,Grade,Maximum Grade\n"
        "Participant 123456,José Núñez,jnunez@u.edu,Submitted for grading,,100.00\n"
        "Participant 123462,Ana Absent,aabsent@u.edu,No submission,,100.00\n",
    )
    who, unknown, absent = identify([("j", "José Núñez_123456_assignsubmission_file_", "x")], roster)
    assert (who["j"].moodle_id, who["j"].email, who["j"].in_roster) == ("123456", "jnunez@u.edu", True)
    assert unknown == [] and absent == ["Ana Absent"]


def test_our_own_column_wins_over_an_lms_header(tmp_path: Path) -> None:
    """A roster with both `name` and `Student` reads `name`: the LMS headers only fill a column we lack."""
    roster = _roster(tmp_path, "name,Student,canvas_id\nJane Smith,Someone Else,7\n")
    who, _, _ = identify([("a", "smithjane_7_8_hw.py", "x")], roster)
    assert who["a"].name == "Jane Smith"


def test_a_canvas_download_with_resubmissions_gives_one_row_and_one_import_line_per_student(
    tmp_path: Path,
) -> None:
    """A Canvas download where Ann re-uploaded her file (`miniflow-1.py`, a later attachment id) and Moodle
    text typed beside Bo's files: Ann's latest upload alone is graded (full marks, not the broken first
    one) and she is in canvas.csv under her Canvas id; Bo's online text is skipped, so his grade is in
    moodle.csv. Before, each had two rows in gradebook.csv and was left out of the import as sharing one
    user with another submission."""
    from batch.students import MINIFLOW_BROKEN, MINIFLOW_CORRECT, grader, max_points, read_gradebook

    subs = tmp_path / "subs"
    subs.mkdir()
    (subs / "leeann_12347_678903_miniflow.py").write_text(MINIFLOW_BROKEN["syntax_error"], encoding="utf-8")
    (subs / "leeann_12347_678999_miniflow-1.py").write_text(MINIFLOW_CORRECT, encoding="utf-8")
    (subs / "Bo Li_55_assignsubmission_file_").mkdir()
    (subs / "Bo Li_55_assignsubmission_file_" / "miniflow.py").write_text(MINIFLOW_CORRECT, encoding="utf-8")
    (subs / "Bo Li_55_assignsubmission_onlinetext_").mkdir()
    (subs / "Bo Li_55_assignsubmission_onlinetext_" / "onlinetext.html").write_text("<p>hi</p>", "utf-8")
    out = tmp_path / "out"
    argv = ["batch", "miniflow", str(subs), "--out", str(out), "--jobs", "2", "--seed", "1"]
    done = grader(*argv, "--format", "canvas,moodle")
    assert done.returncode == 0, done.stderr
    assert (
        "skipped leeann_12347_678903_miniflow.py: replaced by the same Canvas user's later upload "
        "leeann_12347_678999_miniflow-1.py" in done.stderr.splitlines()
    )
    assert "sharing one" not in done.stderr
    full = f"{max_points('miniflow'):g}"
    assert [(r["file"], r["score"]) for r in read_gradebook(out)] == [
        ("Bo Li_55_assignsubmission_file_", full),
        ("leeann_12347_678999_miniflow-1.py", full),
    ]
    canvas = (out / "canvas.csv").read_text(encoding="utf-8").splitlines()
    assert canvas[2:] == [f"leeann,12347,,,,{full}"]
    moodle = (out / "moodle.csv").read_text(encoding="utf-8").splitlines()
    assert [line.split(",")[:4] for line in moodle[1:]] == [["Participant 55", "Bo Li", "", full]]


def test_a_lms_users_module_and_script_are_one_submission_in_one_row(tmp_path: Path) -> None:
    """Canvas gives each uploaded file a name of its own: John's miniflow.py (re-uploaded as miniflow-1.py)
    and the lesson's nn.py importing it (`from miniflow import *`). Graded one by one, nn.py was a second
    student with 0 points ("miniflow.py could not be loaded") and both rows were left out of canvas.csv as
    sharing one user id. Now the user's files are one folder, graded as a Moodle student's folder is: one
    row, full marks, in canvas.csv under his id; each file is skipped saying so, and the batch folder is left
    as it was. Control: Ann's single file stays an entry of its own."""
    from batch.students import MINIFLOW_BROKEN, MINIFLOW_CORRECT, grader, max_points, read_gradebook

    subs = tmp_path / "subs"
    subs.mkdir()
    (subs / "smithjohn_12345_678901_miniflow.py").write_text(MINIFLOW_BROKEN["syntax_error"], "utf-8")
    (subs / "smithjohn_12345_678905_miniflow-1.py").write_text(MINIFLOW_CORRECT, encoding="utf-8")
    (subs / "smithjohn_12345_678902_nn.py").write_text("from miniflow import *\n\nX = Input()\n", "utf-8")
    (subs / "leeann_12347_678903_miniflow.py").write_text(MINIFLOW_CORRECT, encoding="utf-8")
    before = sorted(p.name for p in subs.iterdir())
    out = tmp_path / "out"
    argv = ["batch", "miniflow", str(subs), "--out", str(out), "--jobs", "2", "--seed", "1"]
    done = grader(*argv, "--format", "canvas")
    assert done.returncode == 0, done.stderr
    folder = "smithjohn_12345_678905_nn.py+miniflow.py"
    said = "graded with the same user's other files, as one submission: " + folder
    assert f"skipped smithjohn_12345_678902_nn.py: {said}" in done.stderr.splitlines()
    assert f"skipped smithjohn_12345_678905_miniflow-1.py: {said}" in done.stderr.splitlines()
    full = f"{max_points('miniflow'):g}"
    assert [(r["file"], r["score"]) for r in read_gradebook(out)] == [
        ("leeann_12347_678903_miniflow.py", full),
        (folder, full),
    ]
    canvas = (out / "canvas.csv").read_text(encoding="utf-8").splitlines()
    assert canvas[2:] == [f"leeann,12347,,,,{full}", f"smithjohn,12345,,,,{full}"]
    assert sorted(p.name for p in subs.iterdir()) == before


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("smith-jonesjane_12345_678901_miniflow.py", "smith-jonesjane"),
        ("garcíajosé_LATE_12346_678902_miniflow.py", "garcíajosé"),
        ("garci\u0301ajose\u0301_12346_678902_miniflow.py", "garcíajosé"),  # NFD, as unzipped on macOS
        ("nguyễnmai_12349_678906_hw2.zip", "nguyễnmai"),
        ("o'brienpat_12348_678904_miniflow.py", "o'brienpat"),
    ],
)
def test_a_canvas_namekey_with_a_hyphen_an_accent_or_an_apostrophe_is_parsed(name: str, key: str) -> None:
    """What Canvas strips from the sortable name to make the namekey is not documented; with `[a-z]+` a
    hyphenated, accented or apostrophed namekey read as no Canvas name at all: no Canvas id, so the
    student was left out of canvas.csv. The user and attachment ids are what count, and are read."""
    parsed = parse_lms_name(name)
    assert parsed is not None and (parsed.lms, parsed.name) == ("canvas", key)
    assert parsed.user.startswith("123") and parsed.attachment.startswith("678")


@pytest.mark.parametrize("name", ["Alice_12_34_hw.py", "12_34_56_hw.py", "a_b_12_34_hw.py", "-x_1_2_hw.py"])
def test_names_that_only_look_like_canvas_names_are_not_read_as_one(name: str) -> None:
    """Control: a capitalised key (Canvas lower-cases it), a key of digits alone, a key with `_` or starting
    with punctuation are not Canvas names."""
    assert parse_lms_name(name) is None


def test_a_student_of_an_lms_download_missing_from_the_roster_keeps_the_downloads_name(
    tmp_path: Path,
) -> None:
    """Li Wei's Moodle folder, not in the roster: the terminal said "no name or email in the gradebook",
    but the gradebook has the name from the folder (and his participant id reaches moodle.csv); it says
    what is missing: email and SIS id."""
    from batch.students import MINIFLOW_CORRECT, grader, read_gradebook

    subs = tmp_path / "subs"
    for folder in ("Ann Lee_99_assignsubmission_file_", "Li Wei_98_assignsubmission_file_"):
        (subs / folder).mkdir(parents=True)
        (subs / folder / "miniflow.py").write_text(MINIFLOW_CORRECT, encoding="utf-8")
    roster = tmp_path / "roster.csv"
    roster.write_text("moodle_id,name,email\n99,Ann Lee,lee@u.edu\n", encoding="utf-8")
    out = tmp_path / "out"
    done = grader("batch", "miniflow", str(subs), "--out", str(out), "--seed", "1", "--roster", str(roster))
    assert done.returncode == 0, done.stderr
    [line] = [x for x in done.stderr.splitlines() if x.startswith("not in the roster")]
    assert "no email or SIS id" in line and "no name" not in line and "Li_Wei_98" in line
    rows = {r["file"]: r for r in read_gradebook(out)}
    assert (
        rows["Li Wei_98_assignsubmission_file_"]["name"],
        rows["Li Wei_98_assignsubmission_file_"]["email"],
    ) == (
        "Li Wei",
        "",
    )


def test_a_moodle_name_holding_another_participants_id_is_no_lms_name() -> None:
    """Eve's Moodle full name (editable by its user) is `Ann Lee_4521_assignsubmission_file_x`: her upload
    read as Ann's (participant 4521, the first id), so Ann's row shared an id with it and was left out of
    moodle.csv. A name holding Moodle's words twice cannot say whose it is: no LMS name, no id. Control:
    Ann's own names still give her id."""
    eve = "Ann Lee_4521_assignsubmission_file_x_9999_assignsubmission_file_nn.py"
    assert parse_lms_name(eve) is None
    who, _, _ = identify(
        [("ann", "Ann Lee_4521_assignsubmission_file_nn.py", "ann"), ("eve", eve, "eve")], None
    )
    assert (who["ann"].moodle_id, who["ann"].name) == ("4521", "Ann Lee")
    assert who["eve"].moodle_id == "" and who["eve"].name != "Ann Lee"


def test_a_regrade_without_format_rebuilds_the_lms_imports_the_batch_wrote(tmp_path: Path) -> None:
    """A batch written with --format canvas,moodle, one student's file fixed, then `--only` that student and
    a plain `--resume` with no --format: canvas.csv and moodle.csv carry the new grade, as gradebook.csv does.
    They kept the first run's grade (session 17: an import uploaded after a regrade undid it)."""
    from batch.students import MINIFLOW_BROKEN, MINIFLOW_CORRECT, grader, max_points, read_gradebook

    subs = tmp_path / "subs"
    subs.mkdir()
    moodle_file = subs / "Ann Lee_99_assignsubmission_file_miniflow.py"
    canvas_file = subs / "garciajose_333_1_miniflow.py"
    for path in (moodle_file, canvas_file):
        path.write_text(MINIFLOW_BROKEN["syntax_error"], encoding="utf-8")  # 0 points: load_failed
    out = tmp_path / "out"
    argv = ["batch", "miniflow", str(subs), "--out", str(out), "--jobs", "1", "--seed", "1"]
    first = grader(*argv, "--format", "canvas,moodle")
    assert first.returncode == 0, first.stderr
    full = f"{max_points('miniflow'):g}"

    def imported() -> tuple[list[str], list[str]]:
        canvas = (out / "canvas.csv").read_text(encoding="utf-8").splitlines()
        moodle = (out / "moodle.csv").read_text(encoding="utf-8").splitlines()
        return canvas[2:], [line.split(",")[3] for line in moodle[1:]]

    assert imported() == (["garciajose,333,,,,0"], ["0"])
    moodle_file.write_text(MINIFLOW_CORRECT, encoding="utf-8")
    regraded = grader(*argv, "--only", "Ann Lee")
    assert regraded.returncode == 0, regraded.stderr
    assert {r["file"]: r["score"] for r in read_gradebook(out)}[moodle_file.name] == full
    assert imported() == (["garciajose,333,,,,0"], [full])
    assert "import:    " in regraded.stdout and "moodle.csv" in regraded.stdout
    canvas_file.write_text(MINIFLOW_CORRECT, encoding="utf-8")
    resumed = grader(*argv, "--resume")
    assert resumed.returncode == 0, resumed.stderr
    assert imported() == ([f"garciajose,333,,,,{full}"], [full])


def test_a_regrade_without_roster_reuses_the_roster_the_batch_started_with(tmp_path: Path) -> None:
    """`--only` and `--resume` without --roster on a batch started with one: the batch's roster is used again
    and said so, gradebook.csv keeps name, email and sis_id and moodle.csv its rows. Without it, the rebuilt
    moodle.csv lost every student the roster alone gave an id, and gradebook.csv its identity columns. A
    roster since removed is refused, naming it (exit 2)."""
    from batch.students import MINIFLOW_CORRECT, grader, read_gradebook

    subs = tmp_path / "subs"
    subs.mkdir()
    (subs / "ann.py").write_text(MINIFLOW_CORRECT, encoding="utf-8")
    (subs / "bob.py").write_text(MINIFLOW_CORRECT, encoding="utf-8")
    roster = tmp_path / "roster.csv"
    roster.write_text("file,name,email,moodle_id\nann,Ann Lee,ann@u.edu,41\nbob,Bob Ong,bob@u.edu,42\n")
    out = tmp_path / "out"
    argv = ["batch", "miniflow", str(subs), "--out", str(out), "--jobs", "1", "--seed", "1"]
    assert grader(*argv, "--roster", str(roster), "--format", "moodle").returncode == 0

    def moodle_ids() -> list[str]:
        return [ln.split(",")[0] for ln in (out / "moodle.csv").read_text(encoding="utf-8").splitlines()[1:]]

    assert moodle_ids() == ["Participant 41", "Participant 42"]
    for again in (("--only", "bob"), ("--resume",)):
        done = grader(*argv, *again)
        assert done.returncode == 0, done.stderr
        assert f"using the batch's roster (the last --roster given, in batch.json): {roster}" in done.stderr
        assert moodle_ids() == ["Participant 41", "Participant 42"]
        assert [(r["name"], r["email"]) for r in read_gradebook(out)] == [
            ("Ann Lee", "ann@u.edu"),
            ("Bob Ong", "bob@u.edu"),
        ]
    roster.unlink()
    gone = grader(*argv, "--resume")
    assert gone.returncode == 2 and f"{roster}" in gone.stderr and "--roster" in gone.stderr


def test_a_batch_that_recorded_no_roster_is_refused_a_regrade_without_one(tmp_path: Path) -> None:
    """A batch an older grader started (batch.json without `roster`) whose files hold what a roster gives
    (moodle.csv, gradebook.csv's name column): `--only` without --roster rebuilt the import without the
    roster, every student left out, and gradebook.csv lost its names (review). Now refused (exit 2) saying to
    pass --roster; with it the regrade runs. Control: such a batch graded without a roster regrades as
    before."""
    import json

    from batch.students import MINIFLOW_CORRECT, grader, read_gradebook

    subs = tmp_path / "subs"
    subs.mkdir()
    (subs / "ann.py").write_text(MINIFLOW_CORRECT, encoding="utf-8")
    roster = tmp_path / "roster.csv"
    roster.write_text("file,name,email,moodle_id\nann,Ann Lee,ann@u.edu,41\n")

    def older(out: Path) -> None:  # batch.json as a grader before the roster was recorded wrote it
        meta = json.loads((out / "batch.json").read_text(encoding="utf-8"))
        del meta["roster"], meta["imports"]
        (out / "batch.json").write_text(json.dumps(meta), encoding="utf-8")

    out = tmp_path / "out"
    argv = ["batch", "miniflow", str(subs), "--out", str(out), "--jobs", "1", "--seed", "1"]
    assert grader(*argv, "--roster", str(roster), "--format", "moodle").returncode == 0
    older(out)
    refused = grader(*argv, "--only", "ann")
    assert refused.returncode == 2 and "did not record its roster" in refused.stderr, refused.stderr
    assert grader(*argv, "--only", "ann", "--roster", str(roster)).returncode == 0
    assert [r["name"] for r in read_gradebook(out)] == ["Ann Lee"]
    plain = tmp_path / "plain"
    argv = ["batch", "miniflow", str(subs), "--out", str(plain), "--jobs", "1", "--seed", "1"]
    assert grader(*argv).returncode == 0
    older(plain)
    assert grader(*argv, "--only", "ann").returncode == 0


def test_the_roster_is_recorded_as_named_not_through_its_link(tmp_path: Path) -> None:
    """A roster reached through a symbolic link is recorded as the link (made absolute), so a later --resume
    reads the roster the link points to then (the resolved path kept the first one; review)."""
    import json

    from batch.students import MINIFLOW_CORRECT, grader

    subs = tmp_path / "subs"
    subs.mkdir()
    (subs / "ann.py").write_text(MINIFLOW_CORRECT, encoding="utf-8")
    (tmp_path / "roster-v1.csv").write_text("file,name,email\nann,Ann Lee,ann@u.edu\n")
    link = tmp_path / "roster.csv"
    link.symlink_to("roster-v1.csv")
    out = tmp_path / "out"
    argv = ["batch", "miniflow", str(subs), "--out", str(out), "--jobs", "1", "--seed", "1"]
    assert grader(*argv, "--roster", str(link)).returncode == 0
    assert json.loads((out / "batch.json").read_text(encoding="utf-8"))["roster"] == str(link)
