"""The students of a batch directory: one per file, folder, zip or notebook; unique ids; the rest skipped."""

from __future__ import annotations

import contextlib
import hashlib
import os
import threading
import tracemalloc
from pathlib import Path

import pytest

from grader.batch.entries import (
    MAX_ID_BYTES,
    REPLACED,
    RESERVED,
    discover,
    fingerprint,
    skip_reason,
    student_id,
)
from grader.batch.roster import parse_lms_name
from grader.loaders import SubmissionError, load_submission


def _h(name: str) -> str:
    """The documented suffix of an id that had to change its name: 6 hex digits of the name's sha256."""
    return hashlib.sha256(name.encode("utf-8")).hexdigest()[:6]


def _touch(directory: Path, *names: str) -> None:
    for name in names:
        path = directory / name
        if name.endswith("/"):
            path.mkdir(parents=True)
        else:
            path.write_text("x = 1\n", encoding="utf-8")


def test_every_submission_kind_is_one_student_in_sorted_order(tmp_path: Path) -> None:
    """A .py, a folder, a .zip and a .ipynb are four students, named without their extension, sorted."""
    _touch(tmp_path, "dora.py", "carl/", "bea.zip", "abe.ipynb")
    entries, skipped = discover(tmp_path)
    assert [(e.student, e.path.name) for e in entries] == [
        ("abe", "abe.ipynb"),
        ("bea", "bea.zip"),
        ("carl", "carl"),
        ("dora", "dora.py"),
    ]
    assert not skipped


def test_non_submissions_are_skipped_with_a_reason(tmp_path: Path) -> None:
    """Text files, hidden and private names and symlinks are skipped, each with its own reason."""
    _touch(tmp_path, "ok.py", "README.txt", ".DS_Store", "__pycache__/")
    (tmp_path / "link.py").symlink_to(tmp_path / "ok.py")
    entries, skipped = discover(tmp_path)
    assert [e.student for e in entries] == ["ok"]
    reasons = {p.name: why for p, why in skipped.items()}
    assert reasons == {p.name: skip_reason(p) for p in skipped}
    assert reasons == {
        ".DS_Store": "a hidden or private name (starts with '.' or '_')",
        "README.txt": "not a .py file, folder, .zip or .ipynb",
        "__pycache__": "a hidden or private name (starts with '.' or '_')",
        "link.py": "a symbolic link (put the submission itself in the directory)",
    }
    assert skip_reason(tmp_path / "ok.py") is None  # control


def test_an_archive_the_loader_does_not_open_says_what_to_do(tmp_path: Path) -> None:
    """A student's kimlee_123_456_hw.tar.gz in a Canvas download was skipped as "not a .py file, folder, .zip
    or .ipynb", as a stray README is: it is named as the archive it is, with what to do (unpack it into a
    folder, run again with --resume). Control: a README is still a stray file, a zip is graded."""
    _touch(tmp_path, "kimlee_123_456_hw.tar.gz", "lee.7z", "README.txt", "ok.zip")
    entries, skipped = discover(tmp_path)
    assert [e.student for e in entries] == ["ok"]
    reasons = {p.name: why for p, why in skipped.items()}
    assert reasons["kimlee_123_456_hw.tar.gz"].startswith(
        "a .tar.gz archive, which the grader does not open: unpack it here into a folder of its own"
    )
    assert "--resume" in reasons["lee.7z"] and reasons["lee.7z"].startswith("a .7z archive")
    assert reasons["README.txt"] == "not a .py file, folder, .zip or .ipynb"


def test_ids_are_unique_even_when_names_collide(tmp_path: Path) -> None:
    """Same stem keeps the extension; the batch's own file names are never used as a student id."""
    _touch(tmp_path, "alice.py", "alice.zip", "gradebook.csv/", "summary.json/", "index.html/")
    entries, _ = discover(tmp_path)
    ids = [e.student for e in entries]
    assert len(ids) == len(set(ids)) == 5
    assert {"alice.py", "alice.zip"} <= set(ids)
    assert not RESERVED & set(ids)
    assert {"gradebook.csv-2", "summary.json-2", "index.html-2"} <= set(ids)


def test_names_that_read_alike_keep_distinct_ids_and_their_file_name(tmp_path: Path) -> None:
    """`a b.py`, `a,b.py` and `a_b.py` (issue 11: they became a_b.py, a_b.py-2, a_b.py-3): the one whose name
    is already safe keeps it, the others get a hash of their own name, and each keeps its original file."""
    _touch(tmp_path, "a b.py", "a,b.py", "a_b.py")
    entries, _ = discover(tmp_path)
    assert {e.file: e.student for e in entries} == {
        "a b.py": f"a_b-{_h('a b.py')}",
        "a,b.py": f"a_b-{_h('a,b.py')}",
        "a_b.py": "a_b",
    }


def test_names_differing_in_an_invisible_character_show_it_and_keep_their_own_file(tmp_path: Path) -> None:
    """Review of s21-repo, finding 6: `jo<U+200D>n.py` (a zero-width joiner) beside `jon.py` was a second
    `jon.py` in gradebook.csv's file column and the class report, once the joiner was removed. Every entry's
    shown file name is its own (the character by its code point), its id another, its path the file itself.
    Control: names that differ in what a reader sees are shown as they are."""
    names = ["jon.py", "jo\u200dn.py", "jo\u00a0n.py", "jo n.py", "\ufeffjon.py"]
    _touch(tmp_path, *names)
    entries, _ = discover(tmp_path)
    shown = {e.name: e.file for e in entries}
    assert shown == {
        "jon.py": "jon.py",
        "jo\u200dn.py": "jo<U+200D>n.py",
        "jo\u00a0n.py": "jo<U+00A0>n.py",
        "jo n.py": "jo n.py",
        "\ufeffjon.py": "<U+FEFF>jon.py",
    }
    assert len(set(shown.values())) == len({e.student for e in entries}) == len(names)
    assert all(e.path == tmp_path / e.name and e.path.is_file() for e in entries)


def test_ids_do_not_depend_on_the_other_students(tmp_path: Path) -> None:
    """An id is the same whether or not similar names are in the folder: a resume never shifts grades."""
    alone, crowd = tmp_path / "alone", tmp_path / "crowd"
    alone.mkdir(), crowd.mkdir()
    _touch(alone, "a b.py")
    _touch(crowd, "a b.py", "a,b.py", "a_b.py", "a  b.py")
    [only] = discover(alone)[0]
    assert {e.file: e.student for e in discover(crowd)[0]}["a b.py"] == only.student


def test_student_ids_are_safe_directory_names() -> None:
    """Spaces, slashes and brackets become underscores plus a name hash; Unicode letters are kept (José is
    no Jos_); an empty result becomes 'student' (with its hash: nothing was kept of the name)."""
    assert student_id(Path("Jane Doe (late).py")) == f"Jane_Doe_late-{_h('Jane Doe (late).py')}"
    assert student_id(Path("jane.doe@uni.edu.zip")) == "jane.doe@uni.edu"
    assert student_id(Path("Zoë.py")) == "Zoë"
    assert student_id(Path("José García.py")) == f"José_García-{_h('José García.py')}"
    assert student_id(Path("().py")) == f"student-{_h('().py')}"
    assert student_id(Path("李雷.ipynb")) == "李雷"


def test_ids_of_the_longest_names_still_fit_a_directory_name(tmp_path: Path) -> None:
    """A name of 255 bytes (the most a file system allows) whose id had to change (` ` -> `_` adds the hash)
    or clashes (`.py` and `.zip` of one stem keep their extension) made an id over 255 bytes: the batch
    then died on ENAMETOOLONG writing that student's report, and did again on every --resume. Every id is at
    most MAX_ID_BYTES of UTF-8 plus its hash and suffix, and is a directory the file system takes."""
    long_stem = "é" * 125 + " x"  # 252 bytes; `é.py` would be 255
    _touch(tmp_path, long_stem + ".py", "ア" * 83 + ".py", "ア" * 83 + ".zip", "b" * 240 + "/")
    entries, _ = discover(tmp_path)
    assert len({e.student for e in entries}) == 4
    for e in entries:
        assert len(e.student.encode("utf-8")) <= MAX_ID_BYTES + 1 + 6, e.student
        (tmp_path / "out" / e.student).mkdir(parents=True)  # ENAMETOOLONG before the fix
    by_file = {e.file: e.student for e in entries}
    assert by_file[long_stem + ".py"].endswith("-" + _h(long_stem + ".py"))
    [long_folder] = [e.student for e in entries if e.name == "b" * 240]
    assert long_folder.startswith("b" * 150) and long_folder.endswith("-" + _h("b" * 240))
    # A name that fits keeps its id exactly (ids of batches graded before do not change).
    assert student_id(Path("ア" * 66 + ".py")) == "ア" * 66


def test_fingerprint_changes_with_the_content_not_the_time(tmp_path: Path) -> None:
    """Same bytes, same fingerprint (even rewritten); one byte more, or a new file in a folder, changes it."""
    one = tmp_path / "one.py"
    one.write_text("x = 1\n", encoding="utf-8")
    before = fingerprint(one)
    one.write_text("x = 1\n", encoding="utf-8")
    assert fingerprint(one) == before
    one.write_text("x = 2\n", encoding="utf-8")
    assert fingerprint(one) != before
    folder = tmp_path / "folder"
    folder.mkdir()
    (folder / "a.py").write_text("x = 1\n", encoding="utf-8")
    first = fingerprint(folder)
    (folder / "b.py").write_text("", encoding="utf-8")
    assert fingerprint(folder) != first


def test_fingerprint_never_waits_on_a_named_pipe(tmp_path: Path) -> None:
    """A FIFO in a student's folder (or as the entry itself) made `fingerprint` wait forever for a writer
    before grading started, stalling the whole batch: it is counted by its name and kind, never opened."""
    folder = tmp_path / "student"
    folder.mkdir()
    (folder / "miniflow.py").write_text("x = 1\n", encoding="utf-8")
    os.mkfifo(folder / "pipe.py")
    os.mkfifo(tmp_path / "alone.py")
    found: list[str] = []
    hashing = threading.Thread(
        target=lambda: found.extend([fingerprint(folder), fingerprint(tmp_path / "alone.py")])
    )
    hashing.start()
    hashing.join(10)
    if hashing.is_alive():  # let it go (a writer opens and closes each pipe), then fail
        for pipe in (folder / "pipe.py", tmp_path / "alone.py"):
            with contextlib.suppress(OSError):
                os.close(os.open(pipe, os.O_WRONLY | os.O_NONBLOCK))
        hashing.join(10)
        pytest.fail("fingerprint waited on a named pipe")
    with_pipe, alone = found
    assert len(with_pipe) == len(alone) == 64
    (folder / "pipe.py").unlink()
    assert fingerprint(folder) != with_pipe  # the pipe still counts


def test_fingerprint_reads_a_huge_file_in_chunks(tmp_path: Path) -> None:
    """A 256 MiB file (a data set in a student's folder, or an upload the loader refuses on its size) was
    read whole into the parent's memory to hash it."""
    big = tmp_path / "big.zip"
    with big.open("wb") as fh:
        fh.truncate(256 << 20)
    tracemalloc.start()
    try:
        fingerprint(big)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 8 << 20, peak
    small = tmp_path / "small.py"
    small.write_bytes(b"x = 1\n")
    framed = b"".join(len(p).to_bytes(8, "big") + p for p in (b"file", b"x = 1\n"))
    assert fingerprint(small) == hashlib.sha256(framed).hexdigest()  # journals of earlier batches still match


def test_the_output_directory_inside_the_batch_directory_is_no_student(tmp_path: Path) -> None:
    """`--out class/out`: the batch's own output folder is not graded as a submission."""
    _touch(tmp_path, "ann.py", "out/")
    entries, skipped = discover(tmp_path, exclude=tmp_path / "out")
    assert [e.student for e in entries] == ["ann"] and not skipped
    assert [e.student for e in discover(tmp_path)[0]] == ["ann", "out"]  # control: without exclude it is one


def test_a_symlink_loop_beside_the_output_directory_is_skipped_not_a_crash(tmp_path: Path) -> None:
    """With --out inside the batch directory each entry was resolved to be compared with it, and a link to
    itself raised RuntimeError ("Symlink loop"): the batch stopped before grading anyone. It is skipped as a
    symbolic link, as without --out."""
    _touch(tmp_path, "ann.py", "out/")
    (tmp_path / "loop.py").symlink_to("loop.py")
    entries, skipped = discover(tmp_path, exclude=tmp_path / "out")
    assert [e.student for e in entries] == ["ann"] and list(skipped) == [tmp_path / "loop.py"]
    assert skip_reason(tmp_path / "loop.py") is not None and "symbolic link" in skip_reason(
        tmp_path / "loop.py"
    )


def _retained_bytes(build) -> float:
    """Bytes per item still allocated after `build()` returns (tracemalloc), the result kept alive."""
    import tracemalloc

    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        kept = build()
        return (tracemalloc.get_traced_memory()[0] - before) / len(kept)
    finally:
        tracemalloc.stop()


def test_a_class_of_entries_costs_the_parent_little_memory(tmp_path: Path) -> None:
    """1,000 students: each entry keeps under 256 bytes (one shared folder, the names), where a Path per
    student, the negative control, keeps more than that; the path is still the entry's own file."""
    directory = tmp_path / "class"
    directory.mkdir()
    for i in range(1000):
        (directory / f"student_number_{i:05d}.py").write_text("x = 1\n", encoding="utf-8")
    entries = discover(directory)[0]
    assert entries[7].path == directory / "student_number_00007.py"
    assert all(e.directory is entries[0].directory for e in entries)
    assert _retained_bytes(lambda: discover(directory)[0]) < 256
    assert _retained_bytes(lambda: sorted(directory.iterdir())) > 256


def test_ids_differing_only_in_case_are_distinct_folders_on_any_file_system(tmp_path: Path) -> None:
    """Each id is a folder in OUT; on macOS or Windows `Alice` and `alice` are one folder, so `Alice.zip`
    beside `alice.py` made one student's reports overwrite the other's, and a folder `Journal.jsonl` or
    `GRADEBOOK.CSV` was the batch's own file. Ids now differ case-insensitively (as `alice.py` beside
    `alice.zip` keep their extension); a name alone in its case keeps its id (control)."""
    _touch(tmp_path, "alice.py", "Alice.zip", "Journal.jsonl/", "GRADEBOOK.CSV/", "Bob.py")
    ids = [e.student for e in discover(tmp_path)[0]]
    folded = [i.casefold() for i in ids]
    assert len(set(folded)) == len(ids) == 5
    assert not {name.casefold() for name in RESERVED} & set(folded)
    assert {"alice.py", "Alice.zip", "Bob"} <= set(ids)


def test_fingerprint_passes_over_what_the_loader_never_reads(tmp_path: Path) -> None:
    """A clone's .git, caches and hidden files are never read by the loader, so they change no grade: they
    change no fingerprint either (a commit in .git made --resume regrade the student), and they are not
    walked (a .git of 300,000 objects cost seconds per student on every start). A file the loader reads
    still changes it (control)."""
    folder = tmp_path / "student"
    (folder / "sub").mkdir(parents=True)
    (folder / "miniflow.py").write_text("x = 1\n", encoding="utf-8")
    (folder / "sub" / "helper.py").write_text("y = 2\n", encoding="utf-8")
    before = fingerprint(folder)
    for name in (
        ".git/objects/ab/cdef",
        "__pycache__/miniflow.cpython-311.pyc",
        ".hidden.py",
        "sub/.DS_Store",
        "venv/pyvenv.cfg",  # a virtual environment the loader leaves out (grader.environments)
        "venv/lib/python3.8/site-packages/six.py",
    ):
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(b"\0" * 64)
    assert fingerprint(folder) == before
    assert sorted(load_submission(folder).files) == ["miniflow.py", "sub/helper.py"]  # what the loader reads
    (folder / "sub" / "helper.py").write_text("y = 3\n", encoding="utf-8")
    assert fingerprint(folder) != before


def test_fingerprint_reads_the_code_beside_a_venv_made_in_its_folder(tmp_path: Path) -> None:
    """`python -m venv .` in hw2/: the loader grades hw2/miniflow.py, so a change to it changes the
    fingerprint (hw2/ was passed over whole: --resume kept the old grade); the venv's own parts do not."""
    folder = tmp_path / "student"
    (folder / "hw2" / "lib" / "python3.10" / "site-packages").mkdir(parents=True)
    (folder / "hw2" / "pyvenv.cfg").write_text("home = /usr/bin\n", encoding="utf-8")
    (folder / "hw2" / "miniflow.py").write_text("x = 1\n", encoding="utf-8")
    before = fingerprint(folder)
    site = folder / "hw2" / "lib" / "python3.10" / "site-packages"
    (site / "six.py").write_text("y = 2\n", encoding="utf-8")
    assert fingerprint(folder) == before
    assert sorted(load_submission(folder).files) == ["hw2/miniflow.py"]
    (folder / "hw2" / "miniflow.py").write_text("x = 2\n", encoding="utf-8")
    assert fingerprint(folder) != before


def test_fingerprint_stops_walking_where_the_loader_refuses(tmp_path: Path, monkeypatch) -> None:
    """Past MAX_FOLDER_ENTRIES the loader refuses the folder unread; the fingerprint stops walking there too
    (the subfolder is never entered), marks it, and still changes once the folder is cut down to what the
    loader reads."""
    folder = tmp_path / "student"
    (folder / "zz").mkdir(parents=True)
    (folder / "zz" / "a.py").write_text("z = 0\n", encoding="utf-8")
    for i in range(11):
        (folder / f"f{i:02}.py").write_text(f"x = {i}\n", encoding="utf-8")
    monkeypatch.setattr("grader.batch.entries.MAX_FOLDER_ENTRIES", 10)
    monkeypatch.setattr("grader.loaders.MAX_FOLDER_ENTRIES", 10)
    walked: list[str] = []
    real_walk = os.walk

    def walk(top, **kwargs):  # the loader passes onerror (a folder it cannot list is refused)
        for root, dirs, files in real_walk(top, **kwargs):
            walked.append(root)
            yield root, dirs, files

    monkeypatch.setattr("grader.batch.entries.os.walk", walk)
    over = fingerprint(folder)
    assert walked == [str(folder)]
    with pytest.raises(SubmissionError, match="more than 10 files"):
        load_submission(folder)
    for i in (8, 9, 10):
        (folder / f"f{i:02}.py").unlink()
    assert len(load_submission(folder).files) == 9
    walked.clear()
    assert fingerprint(folder) != over
    assert walked == [str(folder), str(folder / "zz")]


def test_a_canvas_resubmission_is_graded_alone(tmp_path: Path) -> None:
    """Canvas names a re-uploaded file `miniflow-1.py`, `miniflow-2.py`: of one user's uploads of one file
    only the latest (largest attachment id) is a student, the older ones are skipped naming it. They were
    all graded: three gradebook rows for one student, all left out of canvas.csv as sharing one user.
    Another user's file, and another Python file of the same user (two modules), are still students."""
    _touch(
        tmp_path,
        "brownalex_12350_678907_miniflow.py",
        "brownalex_12350_678909_miniflow-1.py",
        "brownalex_LATE_12350_678910_miniflow-2.py",
        "brownalex_12350_678911_helpers.py",
        "kimsoo_12351_678908_miniflow.py",
    )
    entries, skipped = discover(tmp_path)
    assert [e.file for e in entries] == [
        "brownalex_12350_678911_helpers.py",
        "brownalex_LATE_12350_678910_miniflow-2.py",
        "kimsoo_12351_678908_miniflow.py",
    ]
    latest = "replaced by the same Canvas user's later upload brownalex_LATE_12350_678910_miniflow-2.py"
    assert {p.name: why for p, why in skipped.items()} == {
        "brownalex_12350_678907_miniflow.py": latest,
        "brownalex_12350_678909_miniflow-1.py": latest,
    }


def test_a_lms_users_py_and_ipynb_are_one_submission_the_later_graded(tmp_path: Path) -> None:
    """One user's `.py` and `.ipynb` (a notebook and its export) were two students: two gradebook rows for
    one person, both left out of canvas.csv. The later upload (larger attachment id) is graded, the other
    skipped naming it and why, whichever form came last; re-uploads count as their latest. Controls: a user
    with two `.py` files and a notebook keeps all three (which is the submission is not guessed), and two
    users' files are never paired."""
    _touch(
        tmp_path,
        "leeann_7_900_miniflow.ipynb",
        "leeann_7_901_miniflow.py",
        "kimsoo_8_905_hw.py",
        "kimsoo_8_903_hw.ipynb",
        "kimsoo_8_906_hw-1.ipynb",
        "parkmin_9_910_layers.py",
        "parkmin_9_911_net.py",
        "parkmin_9_912_hw.ipynb",
        "zhaoyi_10_920_hw.py",
        "wuhan_11_921_hw.ipynb",
    )
    entries, skipped = discover(tmp_path)
    assert [e.file for e in entries] == [
        "kimsoo_8_906_hw-1.ipynb",
        "leeann_7_901_miniflow.py",
        "parkmin_9_910_layers.py",
        "parkmin_9_911_net.py",
        "parkmin_9_912_hw.ipynb",
        "wuhan_11_921_hw.ipynb",
        "zhaoyi_10_920_hw.py",
    ]
    forms = "(a .py and a .ipynb of one user are one submission in two forms: the later upload is graded)"
    assert {p.name: why for p, why in skipped.items()} == {
        "leeann_7_900_miniflow.ipynb": f"{REPLACED} leeann_7_901_miniflow.py {forms}",
        "kimsoo_8_903_hw.ipynb": f"{REPLACED} kimsoo_8_906_hw-1.ipynb",
        "kimsoo_8_905_hw.py": f"{REPLACED} kimsoo_8_906_hw-1.ipynb {forms}",
    }


def test_the_latest_canvas_upload_is_the_largest_attachment_id_not_the_suffix(tmp_path: Path) -> None:
    """Attachment ids grow with time; `-N` only says the name was taken. `miniflow.py` uploaded after
    `miniflow-1.py` was deleted carries the larger id and is the one graded."""
    _touch(tmp_path, "leeann_7_900_miniflow-1.py", "leeann_7_901_miniflow.py")
    entries, skipped = discover(tmp_path)
    assert [e.file for e in entries] == ["leeann_7_901_miniflow.py"]
    assert [p.name for p in skipped] == ["leeann_7_900_miniflow-1.py"]


def test_moodle_online_text_is_no_student(tmp_path: Path) -> None:
    """Moodle's `..._assignsubmission_onlinetext_` folder (text typed into Moodle) beside the student's
    `..._assignsubmission_file_` folder: graded, it was a second student with 0 points (nothing to load),
    sharing the participant id, which left the real grade out of moodle.csv. It is skipped, saying why."""
    _touch(
        tmp_path,
        "Peter Müller_123461_assignsubmission_file_/",
        "Peter Müller_123461_assignsubmission_onlinetext_/",
    )
    entries, skipped = discover(tmp_path)
    assert [e.file for e in entries] == ["Peter Müller_123461_assignsubmission_file_"]
    [(path, why)] = skipped.items()
    assert path.name == "Peter Müller_123461_assignsubmission_onlinetext_" and "Moodle online text" in why


def test_a_canvas_module_and_a_notebook_of_another_name_stay_two_students(tmp_path: Path) -> None:
    """MiniFlow's miniflow.py (the classes) and a later nn.ipynb (the lesson's training notebook, `from
    miniflow import *`) are two files of one piece of work, not one file in two forms: each Canvas file is
    graded alone, and the notebook graded in place of the module scored none of the classes, with the module
    skipped. Only a `.py` and a `.ipynb` of one name (a notebook and its export) are paired. Control: the
    same user's hw.py and hw.ipynb are. (A listing without a staging folder: the batch grades a user's files
    of several names together, test_a_lms_users_files_of_several_names_are_one_folder_in_the_staging.)"""
    _touch(
        tmp_path,
        "leeann_7_900_miniflow.py",
        "leeann_7_901_nn.ipynb",
        "kimsoo_8_903_hw.py",
        "kimsoo_8_904_hw.ipynb",
    )
    entries, skipped = discover(tmp_path)
    assert [e.file for e in entries] == [
        "kimsoo_8_904_hw.ipynb",
        "leeann_7_900_miniflow.py",
        "leeann_7_901_nn.ipynb",
    ]
    assert [p.name for p in skipped] == ["kimsoo_8_903_hw.py"]


def test_a_lms_users_files_of_several_names_are_one_folder_in_the_staging(tmp_path: Path) -> None:
    """With a staging folder (the batch's OUT/_lms_users), one Canvas user's latest files of several
    names (miniflow-1.py re-uploaded, nn.py, a notebook) are one student: a folder named as Canvas names a
    file, from the latest upload, holding each under the name the student uploaded (`miniflow.py`, which
    nn.py imports). Each file is skipped, saying so; an older upload is still skipped as replaced. A second
    discovery makes the folders afresh (a file gone from the download is gone from them). Controls: a user's
    single file, a zip and a named pipe called `.py` stay entries of their own; without a staging folder
    nothing is grouped."""
    batch, staging = tmp_path / "subs", tmp_path / "out" / "_lms_users"
    batch.mkdir()
    _touch(
        batch,
        "smithjohn_12345_678901_miniflow.py",
        "smithjohn_12345_678905_miniflow-1.py",
        "smithjohn_12345_678902_nn.py",
        "smithjohn_12345_678903_nn.ipynb",
        "leeann_7_900_miniflow.py",
        "leeann_7_901_data.zip",
        "kimsoo_8_910_hw.py",
    )
    os.mkfifo(batch / "kimsoo_8_911_pipe.py")
    entries, skipped = discover(batch, staging=staging)
    folder = "smithjohn_12345_678905_nn.py+nn.ipynb+miniflow.py"
    assert [(e.file, e.directory) for e in entries] == [
        ("kimsoo_8_910_hw.py", batch),
        ("kimsoo_8_911_pipe.py", batch),
        ("leeann_7_900_miniflow.py", batch),
        ("leeann_7_901_data.zip", batch),
        (folder, staging),
    ]
    assert sorted(p.name for p in (staging / folder).iterdir()) == ["miniflow.py", "nn.ipynb", "nn.py"]
    grouped = f"graded with the same user's other files, as one submission: {folder}"
    assert {p.name: why for p, why in skipped.items()} == {
        "smithjohn_12345_678901_miniflow.py": f"{REPLACED} smithjohn_12345_678905_miniflow-1.py",
        "smithjohn_12345_678902_nn.py": grouped,
        "smithjohn_12345_678903_nn.ipynb": grouped,
        "smithjohn_12345_678905_miniflow-1.py": grouped,
    }
    (batch / "smithjohn_12345_678903_nn.ipynb").unlink()
    again, _ = discover(batch, staging=staging)
    assert [p.name for p in staging.iterdir()] == [again[-1].name]
    assert sorted(p.name for p in (staging / again[-1].name).iterdir()) == ["miniflow.py", "nn.py"]
    alone, _ = discover(batch)
    assert "smithjohn_12345_678902_nn.py" in [e.file for e in alone]


def test_a_moodle_participants_files_without_folders_are_one_folder_named_as_moodle_names_it(
    tmp_path: Path,
) -> None:
    """Moodle's "Download all submissions" without folders: Ann's miniflow.py and nn.py are two names of one
    participant, two rows (nn.py 0 points) and both left out of moodle.csv. Staged, they are one folder named
    as Moodle's own folder for her. Controls: Bo's single file and his online text are as before."""
    batch, staging = tmp_path / "subs", tmp_path / "out" / "_lms_users"
    batch.mkdir()
    _touch(
        batch,
        "Ann Lee_4521_assignsubmission_file_miniflow.py",
        "Ann Lee_4521_assignsubmission_file_nn.py",
        "Bo Li_4522_assignsubmission_file_miniflow.py",
        "Bo Li_4522_assignsubmission_onlinetext_/",
    )
    entries, skipped = discover(batch, staging=staging)
    assert [(e.file, e.directory) for e in entries] == [
        ("Ann Lee_4521_assignsubmission_file_", staging),
        ("Bo Li_4522_assignsubmission_file_miniflow.py", batch),
    ]
    assert sorted(p.name for p in (staging / entries[0].name).iterdir()) == ["miniflow.py", "nn.py"]
    folder = "Ann Lee_4521_assignsubmission_file_"
    grouped = f"graded with the same user's other files, as one submission: {folder}"
    assert {p.name: why for p, why in skipped.items() if "Ann" in p.name} == {
        "Ann Lee_4521_assignsubmission_file_miniflow.py": grouped,
        "Ann Lee_4521_assignsubmission_file_nn.py": grouped,
    }


def test_a_lms_folder_of_the_longest_uploaded_names_still_fits_a_directory_name(tmp_path: Path) -> None:
    """An uploaded name of 57 emoji fits its own Canvas file name (249 bytes), but the folder's name made
    of it (the last upload's name and `+1_more`) was 256 bytes: mkdir raised ENAMETOOLONG in discover and
    the batch stopped before grading anyone. Cut to fit, the folder still reads as the Canvas user's."""
    batch, staging = tmp_path / "subs", tmp_path / "out" / "_lms_users"
    batch.mkdir()
    long_name = "\U0001f600" * 57 + ".py"
    _touch(
        batch, "smithjohn_12345_1_miniflow.py", f"smithjohn_12345_2_{long_name}", "leeann_7_900_miniflow.py"
    )
    assert len(os.fsencode(batch / f"smithjohn_12345_2_{long_name}")) > len(os.fsencode(batch))  # made
    entries, skipped = discover(batch, staging=staging)
    assert [e.directory for e in entries] == [batch, staging]
    folder = entries[1].name
    assert len(folder.encode("utf-8")) <= 255
    assert folder.startswith("smithjohn_12345_2_\U0001f600") and folder.endswith("+1_more")
    assert parse_lms_name(folder) is not None and parse_lms_name(folder).user == "12345"  # type: ignore[union-attr]
    assert sorted(p.name for p in (staging / folder).iterdir()) == sorted(["miniflow.py", long_name])
    assert len(skipped) == 2


def test_a_canvas_users_long_namekey_is_cut_and_keeps_the_user_id(tmp_path: Path) -> None:
    """A Canvas namekey of 228 bytes left the uploaded names no room (below zero), and the folder's name was
    cut at its end, the user id and attachment id with it: the user fell out of canvas.csv. The namekey is
    cut first, so the folder still reads as that user's. Control: a short namekey is kept whole."""
    batch, staging = tmp_path / "subs", tmp_path / "out" / "_lms_users"
    batch.mkdir()
    key = "k" * 228
    _touch(batch, f"{key}_12345_1_miniflow.py", f"{key}_12345_2_nn.py", "leeann_7_900_miniflow.py")
    _touch(batch, "leeann_7_901_nn.py")
    entries, _ = discover(batch, staging=staging)
    folders = sorted(e.name for e in entries if e.directory == staging)
    assert len(folders) == 2 and all(len(f.encode("utf-8")) <= 255 for f in folders)
    long_one, short_one = sorted(folders, key=len, reverse=True)
    assert parse_lms_name(long_one) is not None and parse_lms_name(long_one).user == "12345"  # type: ignore[union-attr]
    assert long_one.startswith("k" * 40) and long_one.endswith("_12345_2_miniflow.py+nn.py")
    assert short_one == "leeann_7_901_miniflow.py+nn.py"


def test_a_lms_users_names_with_undecodable_bytes_are_grouped_not_a_crash(tmp_path: Path) -> None:
    """A name unzipped from another encoding (Latin-1 `é`, byte 0xE9) is a lone surrogate in Python: the
    folder's name was measured in UTF-8 and raised UnicodeEncodeError, stopping the batch. The folder's name
    says U+FFFD; the files keep their names on disk. Moodle's full name likewise."""
    batch, staging = tmp_path / "subs", tmp_path / "out" / "_lms_users"
    batch.mkdir()
    for raw in (
        b"jonesann_777_1_miniflow.py",
        b"jonesann_777_2_r\xe9seau.py",
        b"Jos\xe9 Garc\xeda_4521_assignsubmission_file_miniflow.py",
        b"Jos\xe9 Garc\xeda_4521_assignsubmission_file_nn.py",
    ):
        (batch / os.fsdecode(raw)).write_text("x = 1\n", encoding="utf-8")
    entries, skipped = discover(batch, staging=staging)
    assert [(e.file, e.directory) for e in entries] == [
        ("Jos\ufffd Garc\ufffda_4521_assignsubmission_file_", staging),
        ("jonesann_777_2_miniflow.py+r\ufffdseau.py", staging),
    ]
    assert sorted(os.fsencode(p.name) for p in (staging / entries[1].name).iterdir()) == [
        b"miniflow.py",
        b"r\xe9seau.py",
    ]
    assert len(skipped) == 4


def test_a_lms_folder_the_file_system_refuses_leaves_its_files_graded_alone(
    tmp_path: Path, monkeypatch
) -> None:
    """A folder that cannot be made (any OSError: a name refused, a file neither linked nor copied) never
    stops the batch: that user's files are graded one by one, as without a staging folder, and the other
    users are still grouped."""
    from grader.batch import lms_groups

    batch, staging = tmp_path / "subs", tmp_path / "out" / "_lms_users"
    batch.mkdir()
    _touch(batch, "aaa_1_1_miniflow.py", "aaa_1_2_nn.py", "bbb_2_3_miniflow.py", "bbb_2_4_nn.py")
    made = lms_groups.stage

    def refusing(where: Path, folder: str, files: list[tuple[Path, str]]) -> Path:
        if folder.startswith("aaa"):
            (where / folder).mkdir(parents=True)
            raise OSError(36, "File name too long")
        return made(where, folder, files)

    monkeypatch.setattr(lms_groups, "stage", refusing)
    entries, skipped = discover(batch, staging=staging)
    assert [(e.file, e.directory) for e in entries] == [
        ("aaa_1_1_miniflow.py", batch),
        ("aaa_1_2_nn.py", batch),
        ("bbb_2_4_miniflow.py+nn.py", staging),
    ]
    assert [p.name for p in staging.iterdir()] == ["bbb_2_4_miniflow.py+nn.py"]
    assert sorted(p.name for p in skipped) == ["bbb_2_3_miniflow.py", "bbb_2_4_nn.py"]


def test_a_moodle_name_holding_another_participants_id_is_never_grouped_with_theirs(tmp_path: Path) -> None:
    """Eve, whose Moodle full name (editable by its user) is `Ann Lee_4521_assignsubmission_file_x`, has her
    upload named `Ann Lee_4521_assignsubmission_file_x_9999_assignsubmission_file_nn.py`: read as Ann's
    (the first id), it was linked into Ann's folder beside Ann's miniflow.py and nn.py and graded as part of
    Ann's submission. Such a name cannot say whose it is: it is graded on its own. Control: Ann's two files
    are still one folder."""
    batch, staging = tmp_path / "subs", tmp_path / "out" / "_lms_users"
    batch.mkdir()
    eve = "Ann Lee_4521_assignsubmission_file_x_9999_assignsubmission_file_nn.py"
    _touch(
        batch,
        "Ann Lee_4521_assignsubmission_file_miniflow.py",
        "Ann Lee_4521_assignsubmission_file_nn.py",
        eve,
    )
    entries, skipped = discover(batch, staging=staging)
    assert [(e.file, e.directory) for e in entries] == [
        ("Ann Lee_4521_assignsubmission_file_", staging),
        (eve, batch),
    ]
    assert sorted(p.name for p in (staging / entries[0].name).iterdir()) == ["miniflow.py", "nn.py"]
    assert eve not in [p.name for p in skipped]
