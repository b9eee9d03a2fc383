"""Submissions graded against an assignment whose required names they never define
(grader/other_assignment.py), run as the real command: `batch` names those students and the assignment their
code looks like, `grade` adds a note, and a class graded as its own assignment gets no such line."""

from __future__ import annotations

from pathlib import Path

from batch.students import REPO, grader

MINIFLOW = REPO / "submissions" / "miniflow"
NAMES = "Variable, Function, Square, Exp, Add, square, exp, add"
WRONG = f"none of the names dezero stage step18 requires ({NAMES}) is defined"


def _class(tmp_path: Path) -> Path:
    folder = tmp_path / "class"
    folder.mkdir()
    for name in ("correct.py", "bias_not_summed.py"):
        (folder / name).write_bytes((MINIFLOW / name).read_bytes())
    return folder


def _run(*args: str, out: Path) -> tuple[int, str]:
    done = grader(*args, "--out", str(out), "--seed", "1")
    return done.returncode, done.stdout + done.stderr


def test_a_miniflow_class_batched_as_dezero_is_named_with_what_it_looks_like(tmp_path: Path) -> None:
    """`grader batch dezero` over MiniFlow files: every student 0 with status graded, and nothing said; now
    one line names them, what is missing and the command that grades them as miniflow. Still exit 0."""
    code, said = _run("batch", "dezero", str(_class(tmp_path)), out=tmp_path / "out")
    assert code == 0, said
    assert f"2 of 2 graded now: {WRONG}; the code looks like miniflow: `grader batch miniflow ...`" in said
    assert "(bias_not_summed, correct)" in said or "(correct, bias_not_summed)" in said


def test_a_class_batched_as_its_own_assignment_gets_no_such_line(tmp_path: Path) -> None:
    """The negative control: the same files graded as miniflow define what its stage requires."""
    code, said = _run("batch", "miniflow", str(_class(tmp_path)), out=tmp_path / "out")
    assert code == 0, said
    assert "none of the names" not in said


def test_grade_notes_what_the_code_looks_like_or_asks_when_it_looks_like_nothing(tmp_path: Path) -> None:
    """`grader grade dezero` on MiniFlow's correct file notes miniflow; on code of no family it asks whether
    dezero is the right assignment, naming no other; graded as miniflow, no note."""
    code, said = _run("grade", "dezero", str(MINIFLOW / "correct.py"), out=tmp_path / "a")
    assert code == 0, said
    assert f"note: {WRONG}; the code looks like miniflow: `grader grade miniflow ...`" in said
    plain = tmp_path / "plain.py"
    plain.write_text("def f(x):\n    return x\n", encoding="utf-8")
    _, said = _run("grade", "dezero", str(plain), out=tmp_path / "b")
    assert f"note: {WRONG}: is dezero the assignment this code was written for?" in said
    _, said = _run("grade", "miniflow", str(MINIFLOW / "correct.py"), out=tmp_path / "c")
    assert "none of the names" not in said


def test_a_few_files_of_no_family_in_a_class_are_left_to_their_reports(tmp_path: Path) -> None:
    """One file of no family among three MiniFlow ones, graded as miniflow: its report says what is missing;
    the batch adds no line (it is no sign that the assignment was mistaken)."""
    folder = _class(tmp_path)
    (folder / "zz_plain.py").write_text("def f(x):\n    return x\n", encoding="utf-8")
    (folder / "third.py").write_bytes((MINIFLOW / "correct.py").read_bytes())
    code, said = _run("batch", "miniflow", str(folder), out=tmp_path / "out")
    assert code == 0, said
    assert "none of the names" not in said
    (folder / "third.py").unlink()
    (folder / "correct.py").unlink()  # now half the class: still not most of it
    _, said = _run("batch", "miniflow", str(folder), out=tmp_path / "out2")
    assert "none of the names" not in said
    (folder / "zz_other.py").write_text("def g(x):\n    return x\n", encoding="utf-8")  # two of three
    _, said = _run("batch", "miniflow", str(folder), out=tmp_path / "out3")
    assert "2 of 3 graded now: none of the names miniflow stage sgd requires" in said
    asked = "is miniflow the assignment this code was written for?"
    assert f"{asked} (zz_other, zz_plain)" in said or f"{asked} (zz_plain, zz_other)" in said  # finish order
