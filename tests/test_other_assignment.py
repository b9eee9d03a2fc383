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


LAYERS = REPO / "submissions" / "layers"
DEZERO = REPO / "submissions" / "dezero"
ADVANCED = REPO / "submissions" / "dlfs-advanced"
LAYER_NAMES = "MulLayer, AddLayer, Relu, Sigmoid, Affine, SoftmaxWithLoss"
LAYERS_WRONG = f"none of the names dlfs-layers stage default requires ({LAYER_NAMES}) is defined"


def _folder(tmp_path: Path, name: str, files: dict[str, Path | str]) -> Path:
    """A class folder: student file name -> a sample to copy, or the source itself."""
    folder = tmp_path / name
    folder.mkdir()
    for student, what in files.items():
        target = folder / student
        if isinstance(what, Path):
            target.write_bytes(what.read_bytes())
        else:
            target.write_text(what, encoding="utf-8")
    return folder


def test_files_of_the_graded_assignment_vote_so_one_stray_file_names_no_other(tmp_path: Path) -> None:
    """Three students' two_layer_net.py and one DeZero file, batched as dlfs-layers: only the DeZero file
    voted, and the line told the TA to grade all four as dezero (review of s21-user, 1a). The files of the
    graded assignment vote for the stage they look like, so the line names that stage, with how many of the
    files read look like it. Control: three DeZero files and one two_layer_net.py name dezero."""
    alone = LAYERS / "two_layer_net_alone.py"
    folder = _folder(tmp_path, "a", {"ann.py": alone, "bob.py": alone, "cat.py": alone})
    (folder / "zed.py").write_bytes((DEZERO / "book_step22.py").read_bytes())
    code, said = _run("batch", "dlfs-layers", str(folder), out=tmp_path / "out")
    assert code == 0, said
    assert (
        f"4 of 4 graded now: {LAYERS_WRONG}; 3 of the 4 read look like dlfs-layers stage two-layer-net: "
        "`grader batch dlfs-layers --stage two-layer-net ...` grades that stage"
    ) in said, said
    assert "dezero" not in said
    step = DEZERO / "book_step22.py"
    other = _folder(tmp_path, "b", {"ann.py": step, "bob.py": step, "cat.py": step, "zed.py": alone})
    _, said = _run("batch", "dlfs-layers", str(other), out=tmp_path / "out2")
    named = f"4 of 4 graded now: {LAYERS_WRONG}; 3 of the 4 read look like dezero: `grader batch dezero"
    assert named in said, said


def test_one_student_of_another_assignment_is_no_class_line(tmp_path: Path) -> None:
    """Five dlfs-layers files and one chapter-6 Dropout file: "1 of 6 graded now: ... the code looks like
    dlfs-advanced" told the TA the class might be another assignment (review of s21-user, 1b). One student
    is left to their report. Control: when such files are most of the class, the line names dlfs-advanced."""
    correct, dropout = LAYERS / "correct.py", ADVANCED / "ch06_dropout_alone.py"
    folder = _folder(tmp_path, "a", {f"{s}.py": correct for s in "abcde"} | {"zed.py": dropout})
    code, said = _run("batch", "dlfs-layers", str(folder), out=tmp_path / "out")
    assert code == 0, said
    assert "none of the names" not in said, said
    most = _folder(tmp_path, "b", {"a.py": correct, "y.py": dropout, "z.py": dropout})
    _, said = _run("batch", "dlfs-layers", str(most), out=tmp_path / "out2")
    named = f"2 of 3 graded now: {LAYERS_WRONG}; the code looks like dlfs-advanced: `grader batch"
    assert named in said, said


# The whole of the book's layers, after a first line that opens a data set the grading machine does not have.
CRASH_FIRST = 'data = open("mnist.pkl", "rb").read()\n' + (LAYERS / "correct.py").read_text(encoding="utf-8")


def test_a_module_that_stopped_at_its_first_line_is_not_said_to_define_nothing(tmp_path: Path) -> None:
    """A file that defines every layer class below a line opening a data set: its load stopped at line 1,
    found nothing, and the note said "none of the names ... is defined" (review of s21-user, 2), of a file
    defining all six; the load's own warning says why. Decided from the parent's read of the source, there
    is no note, nor a class line for two such files of three. Control: the same first line above code that
    defines none of the names still gets the note."""
    crash = tmp_path / "crash_first.py"
    crash.write_text(CRASH_FIRST, encoding="utf-8")
    code, said = _run("grade", "dlfs-layers", str(crash), out=tmp_path / "a")
    assert code == 0, said
    assert "loading stopped at crash_first.py line 1" in said, said
    assert "none of the names" not in said, said
    np_first = CRASH_FIRST.replace('open("mnist.pkl", "rb").read()', 'np.load("train.npy")', 1)
    np_first = "import numpy as np\n" + np_first
    folder = _folder(
        tmp_path, "class", {"amy.py": CRASH_FIRST, "ben.py": np_first, "cy.py": LAYERS / "correct.py"}
    )
    _, said = _run("batch", "dlfs-layers", str(folder), out=tmp_path / "out")
    assert "none of the names" not in said, said
    empty = tmp_path / "crash_plain.py"
    empty.write_text('data = open("mnist.pkl", "rb").read()\n\n\ndef f(x):\n    return x\n', encoding="utf-8")
    _, said = _run("grade", "dlfs-layers", str(empty), out=tmp_path / "b")
    assert f"note: {LAYERS_WRONG}: is dlfs-layers the assignment this code was written for?" in said, said


def test_code_of_the_graded_assignment_at_another_stage_is_told_that_stage(tmp_path: Path) -> None:
    """`grader grade dlfs-layers two_layer_net_alone.py` asked "is dlfs-layers the assignment this code was
    written for?" of the book's two_layer_net.py (review of s21-user, 3): it names the stage and the command
    that grades it. Control: graded at that stage, no note."""
    alone = str(LAYERS / "two_layer_net_alone.py")
    code, said = _run("grade", "dlfs-layers", alone, out=tmp_path / "a")
    assert code == 0, said
    assert (
        f"note: {LAYERS_WRONG}; the code looks like dlfs-layers stage two-layer-net: "
        "`grader grade dlfs-layers --stage two-layer-net ...` grades that stage"
    ) in said, said
    assert "the assignment this code was written for" not in said
    # The stand-in's warning, then what it lacks at this stage (it said only "used so that your own classes
    # can run", and every TwoLayerNet case then failed on it): the layers the default stage grades, in the
    # parent's words from the run's graded set (review of s24-user, finding 4: the student process said it).
    used = "the grader's stand-in was used so that your own classes can run; nothing of the stand-in is"
    lacks = (
        "WARNING the grader's stand-in of the book's common/layers.py has none of the math of the layers "
        "this run grades (Relu, Sigmoid, Affine, SoftmaxWithLoss): a class of yours built on one of them "
        "fails unless you write that layer yourself"
    )
    lines = said.splitlines()
    at = next(i for i, line in enumerate(lines) if used in line)
    assert lines[at + 1] == lacks, said  # right below the stand-in's own warning
    _, said = _run("grade", "dlfs-layers", alone, "--stage", "two-layer-net", out=tmp_path / "b")
    assert "none of the names" not in said, said
    assert used in said and "none of the math" not in said, said


def test_only_one_student_regraded_says_nothing_of_the_class(tmp_path: Path) -> None:
    """Five dlfs-layers files and one of no family: `--only zed` graded one student and said "1 of 1 graded
    now: none of the names ... is the assignment this code was written for?" of a class whose five others
    are right (review of s21-user, 4). The class counts every student of the batch, those kept included.
    Control: two such students of three, regraded with --only, are most of the class: said, with the count."""
    plain = "def f(x):\n    return x\n"
    folder = _folder(tmp_path, "a", {f"{s}.py": LAYERS / "correct.py" for s in "abcde"} | {"zed.py": plain})
    out = tmp_path / "out"
    _run("batch", "dlfs-layers", str(folder), out=out)
    code, said = _run("batch", "dlfs-layers", str(folder), "--only", "zed", out=out)
    assert code == 0, said
    assert "regrading 1 named: zed" in said and "none of the names" not in said, said
    most = _folder(tmp_path, "b", {"a.py": LAYERS / "correct.py", "y.py": plain, "z.py": plain})
    out2 = tmp_path / "out2"
    _run("batch", "dlfs-layers", str(most), out=out2)
    _, said = _run("batch", "dlfs-layers", str(most), "--only", "y", "z", out=out2)
    assert f"2 of the 2 graded now, 3 in all: {LAYERS_WRONG}: is dlfs-layers" in said, said


def test_a_chapter_5_class_naming_dezero_in_its_main_block_still_looks_like_dlfs_layers(
    tmp_path: Path,
) -> None:
    """Chapter 5's correct file with `import dezero` in its `__main__` block, batched and graded as dezero:
    the line and the note name dlfs-layers, as before session 24 (review of s24-dz48, finding 3: inference
    turned the file away and the TA lost the hint)."""
    source = (REPO / "submissions" / "layers" / "correct.py").read_bytes()
    source += b'\n\nif __name__ == "__main__":\n    import dezero\n    print(dezero.__version__)\n'
    folder = tmp_path / "class"
    folder.mkdir()
    for name in ("ann.py", "bob.py"):
        (folder / name).write_bytes(source)
    code, said = _run("batch", "dezero", str(folder), out=tmp_path / "out")
    assert code == 0, said
    assert (
        "2 of 2 graded now: " in said
        and "the code looks like dlfs-layers: `grader batch dlfs-layers ...`" in said
    )
    code, said = _run("grade", "dezero", str(folder / "ann.py"), out=tmp_path / "a")
    assert code == 0, said
    assert "the code looks like dlfs-layers: `grader grade dlfs-layers ...`" in said
