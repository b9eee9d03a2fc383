"""A Gradescope "Export Submissions" folder graded with its submitters: submission_metadata.yml read by the
small reader of grader/batch/gradescope_export.py, the rows of gradebook.csv and the LMS imports named."""

from __future__ import annotations

import base64
import csv
from pathlib import Path

import pytest

from batch.students import MINIFLOW_BROKEN, MINIFLOW_CORRECT, grader, max_points, read_gradebook
from grader.batch import gradescope_export
from grader.batch.gradescope_export import METADATA, Submitter
from grader.batch.roster import Roster, identify

# As Gradescope writes it (Ruby's Psych): symbol keys, a mapping's sequences at the key's indentation, a
# numeric-looking sid quoted, every earlier upload under :history:, and for a programming assignment the
# autograder's results (here with a literal block holding a tab, a `- ` line and a `key:` line that belong
# to the output, not to the structure).
_ZOE = "Zoë Núñez-李"
METADATA_TEXT = f"""---
submission_111:
  :submitters:
  - :name: Ann Lee
    :sid: '1001'
    :email: ann@u.edu
  :created_at: 2026-11-20 10:00:00.000000000 -08:00
  :score: 41.0
  :status: processed
  :results:
    score: 41.0
    tests:
    - name: linear forward
      output: |-
        expected 1.0
        \tgot: 2.0
        - :name: not a submitter
  :history:
  - :id: 110
    :created_at: 2026-11-19 10:00:00.000000000 -08:00
    :score: 8.0
submission_222:
  :submitters:
  - :name: Bob Ray
    :sid: '1002'
    :email: bob@u.edu
  :created_at: 2026-11-20 11:00:00.000000000 -08:00
  :score: 0.0
  :status: processed
  :history: []
submission_333:
  :submitters:
  - :name: Cleo Diaz
    :sid: '1003'
    :email: cleo@u.edu
  - :name: "Dev O'Hara"
    :sid: '1004'
    :email: dev@u.edu
  :created_at: 2026-11-21 09:00:00.000000000 -08:00
  :score: 41.0
  :status: processed
  :history: []
submission_444:
  :submitters:
  - :name: {_ZOE}
    :sid: '1005'
    :email: zoe@u.edu
  :created_at: 2026-11-21 09:30:00.000000000 -08:00
  :score:
  :status: processed
  :history: []
"""


def _export(tmp_path: Path, metadata: str | None = METADATA_TEXT) -> Path:
    """A Gradescope export as unzipped: one folder per submission, the metadata at the top."""
    export = tmp_path / "assignment_9_export"
    sources = {"111": MINIFLOW_CORRECT, "222": MINIFLOW_BROKEN["syntax_error"]}
    for sub in ("111", "222", "333", "444"):
        (export / f"submission_{sub}").mkdir(parents=True)
        (export / f"submission_{sub}" / "miniflow.py").write_text(
            sources.get(sub, MINIFLOW_CORRECT), encoding="utf-8"
        )
    if metadata is not None:
        (export / METADATA).write_text(metadata, encoding="utf-8")
    return export


def _read(tmp_path: Path, text: str) -> tuple[dict[str, tuple[Submitter, ...]] | None, str | None]:
    (tmp_path / METADATA).write_text(text, encoding="utf-8")
    return gradescope_export.read(tmp_path)


def test_the_export_metadata_names_each_submissions_submitters(tmp_path: Path) -> None:
    found, warning = _read(tmp_path, METADATA_TEXT)
    assert warning is None
    assert found == {
        "submission_111": (Submitter("Ann Lee", "1001", "ann@u.edu"),),
        "submission_222": (Submitter("Bob Ray", "1002", "bob@u.edu"),),
        "submission_333": (
            Submitter("Cleo Diaz", "1003", "cleo@u.edu"),
            Submitter("Dev O'Hara", "1004", "dev@u.edu"),
        ),
        "submission_444": (Submitter(_ZOE, "1005", "zoe@u.edu"),),
    }


@pytest.mark.parametrize(
    ("value", "name"),
    [
        ("'O''Brien, Ann'", "O'Brien, Ann"),
        ('"Zo\\u00eb \\"Z\\" Lee"', 'Zoë "Z" Lee'),
        (f"!binary |-\n      {base64.b64encode('José García'.encode()).decode()}", "José García"),
        ("Ann Lee # a comment", "Ann Lee"),
        ("~", ""),
        ("", ""),
        ("'Ann\x1b[31m Lee'", "Ann<U+001B>[31m Lee"),  # an escape sequence shown, never run (untrusted.py)
        ("Maria Fernanda\n      de los Santos", "Maria Fernanda de los Santos"),  # folded onto a second line
        ('"Maria Fer\\\n      nanda \\u00c1lvarez"', "Maria Fernanda Álvarez"),  # an escaped line break
    ],
)
def test_a_submitters_name_is_read_as_psych_writes_it(tmp_path: Path, value: str, name: str) -> None:
    found, warning = _read(
        tmp_path, f"---\nsubmission_1:\n  :submitters:\n  - :name: {value}\n    :sid: '7'\n    :email: a@u\n"
    )
    assert warning is None and found == {"submission_1": (Submitter(name, "7", "a@u"),)}


def test_indented_sequences_and_unknown_top_level_keys_are_read_too(tmp_path: Path) -> None:
    text = "other:\n- 1\n- 2\nsubmission_5:\n    :submitters:\n        -   :sid: 99\n            :name: Al\n"
    assert _read(tmp_path, text) == ({"submission_5": (Submitter("Al", "99", ""),)}, None)


_ONE = "submission_1:\n  :submitters:\n"


@pytest.mark.parametrize(
    ("text", "said"),
    [
        (_ONE + "  - :name: 'Ann\n", "line 3: a quoted field is not closed"),
        ("submission_1:\n  :submitters: Ann Lee\n", "line 2: :submitters: is no list"),
        ("submission_1:\n  :score: 1\n", "submission_1 has no :submitters:"),
        ("submission_1: {}\nsubmission_1: {}\n", "line 2: submission_1 is listed twice"),
        (_ONE + "  - :name: [Ann]\n", "line 3: a submitter's field is no text"),
        (_ONE + "  - :name: A\n    :name: B\n", "line 4: a submitter's name is given twice"),
        (_ONE + "  - :name: A\n   :sid: 1\n", "line 4 is indented unlike the rest"),
        (_ONE + "  - :name: !ruby/object:User {}\n", "line 3: a submitter's field is no text"),
        ("submission_1:\n\t:submitters: []\n", "line 2 is no 'key: value' line"),
        ("  submission_1:\n", "line 1 is indented where a submission_<id>: key was expected"),
        ("<html><body>Sign in</body></html>\n", "line 1 is no 'key: value' line"),
        ("---\nsubmission_1: {}\n---\nsubmission_2: {}\n", "line 3 starts a second YAML document"),
        (_ONE + "  - :name: " + "A" * 5000 + "\n", "line 3 is longer than 4096"),
    ],
)
def test_metadata_unlike_gradescopes_is_refused_whole_saying_where(
    tmp_path: Path, text: str, said: str
) -> None:
    found, warning = _read(tmp_path, text)
    assert found is None and warning is not None
    assert said in warning and "graded under their folder names" in warning


def test_the_reader_is_bounded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Too many submitters, too many submissions, too many bytes: refused, never read on."""
    people = "".join(f"  - :name: P{i}\n" for i in range(gradescope_export.MAX_SUBMITTERS + 1))
    assert "more than 32 submitters" in str(_read(tmp_path, f"submission_1:\n  :submitters:\n{people}")[1])
    monkeypatch.setattr(gradescope_export, "MAX_SUBMISSIONS", 2)
    many = "".join(f"submission_{i}:\n  :submitters: []\n" for i in range(3))
    assert "more than 2 submissions" in str(_read(tmp_path, many)[1])
    (tmp_path / METADATA).write_bytes(b"submission_1:\n  :submitters:\n  - :name: \xff\n")
    assert "line 3 is not UTF-8 text" in str(gradescope_export.read(tmp_path)[1])
    monkeypatch.setattr(gradescope_export, "MAX_BYTES", 10)
    assert "larger than 10 bytes" in str(_read(tmp_path, many)[1])


def test_a_skipped_value_may_hold_lines_longer_than_the_cap(tmp_path: Path) -> None:
    """An autograder's output of one 100 kB line is skipped unread, not refused."""
    text = f"submission_1:\n  :results:\n    output: {'x' * 100_000}\n  :submitters:\n  - :email: a@u\n"
    assert _read(tmp_path, text) == ({"submission_1": (Submitter(email="a@u"),)}, None)


def test_no_metadata_is_no_warning_and_a_link_is_refused(tmp_path: Path) -> None:
    assert gradescope_export.read(tmp_path) == (None, None)
    (tmp_path / "real.yml").write_text(METADATA_TEXT, encoding="utf-8")
    (tmp_path / METADATA).symlink_to(tmp_path / "real.yml")
    assert "it is a symbolic link" in str(gradescope_export.read(tmp_path)[1])


def test_a_roster_fills_in_each_submitter_by_email_then_sid(tmp_path: Path) -> None:
    """A Moodle worksheet as the roster gives the export's students their participant ids (moodle.csv):
    Ann by email (any case), Dev by SIS id; Cleo is not in it, so their group is said to be unknown."""
    roster_file = tmp_path / "roster.csv"
    roster_file.write_text(
        "Identifier,Full name,Email address,ID number\nParticipant 5,Ann Lee,ANN@u.edu,\n"
        "Participant 6,Dev O'Hara,dev@elsewhere,1004\nParticipant 7,Eve,eve@u.edu,\n",
        encoding="utf-8",
    )
    found, _ = _read(tmp_path, METADATA_TEXT)
    entries = [("s1", "submission_111", "submission_111"), ("s3", "submission_333", "submission_333")]
    who, unknown, absent = identify(entries, Roster.read(roster_file), found)
    assert (who["s1"].moodle_id, who["s1"].email) == ("5", "ANN@u.edu")
    assert [m.moodle_id for m in who["s3"].members] == ["", "6"]
    assert who["s3"].name == "Cleo Diaz; Dev O'Hara" and unknown == ["s3"] and absent == ["Eve"]


def _csv(path: Path) -> list[list[str]]:
    with path.open(newline="", encoding="utf-8") as fh:
        return list(csv.reader(fh))


def test_a_gradescope_export_is_graded_with_its_submitters_and_resumes(tmp_path: Path) -> None:
    """Each row of gradebook.csv names its submitters (a group's joined with '; ' in one row); canvas.csv
    has a line per person matched by SIS id (the group's two each with the group's grade); moodle.csv has
    no participant id to go by and says so. --resume regrades nobody and keeps the names. Before, the
    metadata was skipped as 'not a .py file' and the rows had no name column at all. --only takes a
    submitter's name, email or sid. A file the metadata does not list is graded, nameless, and said."""
    export, out = _export(tmp_path), tmp_path / "out"
    (export / "late_upload.py").write_text(MINIFLOW_CORRECT, encoding="utf-8")  # put there by hand
    argv = ["batch", "miniflow", str(export), "--out", str(out), "--jobs", "2", "--seed", "3"]
    done = grader(*argv, "--format", "canvas,moodle")
    assert done.returncode == 0, done.stderr
    assert f"skipped {METADATA}: Gradescope's export metadata" in done.stderr
    full = f"{max_points('miniflow'):g}"
    rows = read_gradebook(out)
    assert [(r["student"], r["name"], r["email"], r["sis_id"], r["score"]) for r in rows] == [
        ("late_upload", "", "", "", full),
        ("submission_111", "Ann Lee", "ann@u.edu", "1001", full),
        ("submission_222", "Bob Ray", "bob@u.edu", "1002", "0"),
        ("submission_333", "Cleo Diaz; Dev O'Hara", "cleo@u.edu; dev@u.edu", "1003; 1004", full),
        ("submission_444", _ZOE, "zoe@u.edu", "1005", full),
    ]
    assert (
        f"not in {METADATA} (no submitters: no name, email or sid in the gradebook): late_upload"
        in done.stderr
    )
    assert _csv(out / "canvas.csv")[2:] == [
        ["Ann Lee", "", "1001", "", "", full],
        ["Bob Ray", "", "1002", "", "", "0"],
        ["Cleo Diaz", "", "1003", "", "", full],
        ["Dev O'Hara", "", "1004", "", "", full],
        [_ZOE, "", "1005", "", "", full],
    ]
    assert len(_csv(out / "moodle.csv")) == 1
    # No submission of the export has a Moodle id: one line says so, how many, and what gives the ids. Five
    # submissions, six students (the group of two): "(6 left out)" under "no submission" read as a miscount.
    assert (
        "moodle.csv: no submission has a Moodle id, so it holds no student (6 students left out): "
        "the ids come from Moodle's download names"
    ) in done.stderr
    assert "--roster with a moodle_id column" in done.stderr and "submission_111" not in done.stderr

    resumed = grader(*argv, "--format", "canvas,moodle", "--resume")
    assert resumed.returncode == 0, resumed.stderr
    assert "graded 0 now, 5 in total" in resumed.stdout
    assert read_gradebook(out) == rows
    # A group is named by any member's name (any case or accents), email or sid.
    for typed in ("dev o'hara", "1004", "cleo@u.edu"):
        again = grader(*argv, "--format", "canvas,moodle", "--only", typed)
        assert again.returncode == 0, again.stderr
        assert "regrading 1 named: submission_333" in again.stderr
    assert read_gradebook(out) == rows


def test_a_malformed_metadata_file_is_said_and_the_export_graded_by_folder_name(tmp_path: Path) -> None:
    """Negative control: a metadata file cut off inside a quoted name is a warning naming its line, and the
    batch grades every folder as without the file (no name columns, no invented identities)."""
    broken = METADATA_TEXT.replace("- :name: Bob Ray", "- :name: 'Bob Ray")
    export, out = _export(tmp_path, broken), tmp_path / "out"
    done = grader("batch", "miniflow", str(export), "--out", str(out), "--jobs", "2", "--seed", "3")
    assert done.returncode == 0, done.stderr
    assert f"warning: {METADATA} was not read (line 24: a quoted field is not closed)" in done.stderr
    rows = read_gradebook(out)
    assert [r["student"] for r in rows] == [f"submission_{n}" for n in (111, 222, 333, 444)]
    assert "name" not in rows[0]


def test_only_names_a_zipped_export_folder_by_its_submitter(tmp_path: Path) -> None:
    """`submission_1.zip` (an export's folder zipped again) has its submitters by its stem: the gradebook
    named Jane, and `--only jane@x.edu` is that entry (it was refused: `--only` read the file name alone).
    The control: an email nobody submitted is still refused."""
    from grader.batch.entries import Entry
    from grader.batch.journal import Journal
    from grader.batch.regrade import plan_regrade
    from grader.schema import ConfigError

    entry = Entry("submission_1", tmp_path, "submission_1.zip")
    people = {"submission_1": (Submitter(name="Jane Doe", sid="123", email="jane@x.edu"),)}
    identities, _, _ = identify([(entry.student, entry.file, entry.path.stem)], None, people)
    assert identities["submission_1"].name == "Jane Doe"
    journal = Journal(tmp_path / "journal.jsonl")
    plan = plan_regrade([entry], journal, ["jane@x.edu"], (), people)
    assert [e.student for e in plan.todo] == ["submission_1"]
    with pytest.raises(ConfigError):
        plan_regrade([entry], journal, ["eve@x.edu"], (), people)


def test_each_member_of_a_group_gets_an_import_key_of_its_own() -> None:
    """Members named "x", "3" and "3": the third's key fell back to the index, `s (3)`, which the second's
    name had already made; one member's identity overwrote the other's and two import lines shared a key.
    Control: distinct names keep their names."""
    from grader.batch.roster import Identity
    from grader.batch.run import _by_person

    members = tuple(Identity(name=n) for n in ("x", "3", "3"))
    group = Identity(name="x; 3; 3", members=members)
    _, people = _by_person(iter(()), {"s": group, "t": Identity(name="Ann", members=(Identity(name="Ann"),))})
    assert len([k for k in people if k.startswith("s (")]) == 3
    assert [k for k in people if k.startswith("t (")] == ["t (Ann)"]


def test_a_group_member_named_points_possible_is_no_full_marks_row(tmp_path: Path) -> None:
    """Canvas's importer reads any row whose first cell holds `Points Possible` as the assignment's full
    marks. A group member is written under the batch id and their name when the name holds the words
    (`submission_7 (Mallory Points Possible)`, which still held them): Mallory's grade was lost and the
    group's score set as the assignment's points possible. The words are now joined by `_` there. Control:
    the other member's line keeps her name, and the grader's own Points Possible row is the only one."""
    metadata = (
        "---\nsubmission_7:\n  :submitters:\n"
        "  - :name: Cleo Diaz\n    :sid: '1003'\n    :email: cleo@u.edu\n"
        "  - :name: Mallory Points Possible\n    :sid: '1004'\n    :email: mal@u.edu\n"
        "  :status: processed\n"
    )
    export, out = tmp_path / "export", tmp_path / "out"
    (export / "submission_7").mkdir(parents=True)
    (export / "submission_7" / "miniflow.py").write_text(MINIFLOW_BROKEN["syntax_error"], encoding="utf-8")
    (export / METADATA).write_text(metadata, encoding="utf-8")
    done = grader("batch", "miniflow", str(export), "--out", str(out), "--seed", "3", "--format", "canvas")
    assert done.returncode == 0, done.stderr
    rows = _csv(out / "canvas.csv")
    assert [r[0] for r in rows if "Points Possible" in r[0]] == ["    Points Possible"]
    assert rows[2:] == [
        ["Cleo Diaz", "", "1003", "", "", "0"],
        ["submission_7 (Mallory Points_Possible)", "", "1004", "", "", "0"],
    ]
