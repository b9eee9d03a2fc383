"""Submission loaders: every layout, every refusal, notebooks with magics."""

from __future__ import annotations

import io
import json
import os
import stat
import struct
import time
import tracemalloc
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from grader import loaders
from grader.loaders import MAX_DATA_FILE_BYTES, SubmissionError, load_submission, notebook_source


def _zip(path: Path, entries: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in entries.items():
            zf.writestr(name, data)
    return path


def test_single_py_file(tmp_path: Path) -> None:
    """A .py file becomes one file under its own name; the id is the name without extension."""
    src = tmp_path / "alice.py"
    src.write_bytes(b"x = 1\n")
    sub = load_submission(src)
    assert (sub.id, sub.kind, dict(sub.files)) == ("alice", "file", {"alice.py": b"x = 1\n"})


def test_a_py_file_named_in_capitals_is_python(tmp_path: Path) -> None:
    """`Alice.PY` (Windows, an old FAT drive): a batch took it as a submission (suffixes compared without
    case) but the loader kept the name, so it held "no Python file" and was graded 0, load_failed. It is
    loaded as `Alice.py`, the name Python imports."""
    src = tmp_path / "Alice.PY"
    src.write_bytes(b"x = 1\n")
    sub = load_submission(src)
    assert (sub.id, sub.kind, dict(sub.files)) == ("Alice", "file", {"Alice.py": b"x = 1\n"})


def test_py_files_named_in_capitals_in_a_folder_or_zip_are_python(tmp_path: Path) -> None:
    """The same name in Moodle's per-student folder, a zip or beside a file importing it (review of session
    18: `MINIFLOW.PY` in a folder was "no Python file", 0 points; `miniflow.PY` beside an nn.py doing `from
    miniflow import *` was "no module named 'miniflow'")."""
    folder = tmp_path / "Ada Lee_41_assignsubmission_file_"
    (folder / "lib").mkdir(parents=True)
    (folder / "MINIFLOW.PY").write_bytes(b"x = 1\n")
    (folder / "lib" / "util.Py").write_bytes(b"y = 2\n")
    (folder / "nn.py").write_bytes(b"from MINIFLOW import *\n")
    expected = {
        "MINIFLOW.py": b"x = 1\n",
        "lib/util.py": b"y = 2\n",
        "nn.py": b"from MINIFLOW import *\n",
    }
    assert dict(load_submission(folder).files) == expected
    archive = tmp_path / "hw.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for rel in sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()):
            zf.write(folder / rel, rel)
    assert dict(load_submission(archive).files) == expected


def test_folder_skips_caches_and_hidden(tmp_path: Path) -> None:
    """A folder keeps nested files and drops __pycache__, .git, .ipynb_checkpoints and hidden files."""
    root = tmp_path / "bob"
    for rel in [
        "layers.py",
        "common/functions.py",
        "__pycache__/x.pyc",
        ".git/HEAD",
        ".hidden.py",
        ".ipynb_checkpoints/a.py",
    ]:
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text("pass\n")
    sub = load_submission(root)
    assert (sub.id, sub.kind) == ("bob", "folder")
    assert sorted(sub.files) == ["common/functions.py", "layers.py"]


def test_folder_skipped_parts_are_never_walked_and_entries_are_capped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A folder's .git, __pycache__ and hidden folders are never walked into (rglob listed every entry under
    them before passing each over: 300,000 empty files in `.junk/` cost the parent 25 s), and past
    MAX_FOLDER_ENTRIES files and folders elsewhere the folder is refused, as a zip listing as many is (empty
    folders counted nowhere before)."""
    (tmp_path / "hw").mkdir()
    (tmp_path / "hw" / "layers.py").write_text("x = 1\n")
    for hidden in (".junk/a/b", ".git/objects/00", "__pycache__/x"):
        (tmp_path / "hw" / hidden).mkdir(parents=True)
        (tmp_path / "hw" / hidden / "f.py").write_text("y = 2\n")
    listed: list[str] = []
    real_scandir = os.scandir

    def scandir(folder):  # type: ignore[no-untyped-def]
        listed.append(Path(folder).relative_to(tmp_path / "hw").as_posix())
        return real_scandir(folder)

    monkeypatch.setattr(os, "scandir", scandir)
    assert sorted(load_submission(tmp_path / "hw").files) == ["layers.py"]
    assert listed == ["."]
    monkeypatch.setattr(os, "scandir", real_scandir)
    monkeypatch.setattr(loaders, "MAX_FOLDER_ENTRIES", 40)
    for i in range(40):
        (tmp_path / "hw" / "data" / f"d{i}").mkdir(parents=True)
    with pytest.raises(SubmissionError) as err:
        load_submission(tmp_path / "hw")
    assert err.value.code == "too_large" and "more than 40 files and folders" in err.value.message


def test_folder_refuses_symlink(tmp_path: Path) -> None:
    """A symlink inside a folder submission is refused as unsafe_path (it could point anywhere)."""
    root = tmp_path / "eve"
    root.mkdir()
    (root / "a.py").write_text("pass\n")
    os.symlink("/etc/passwd", root / "passwd.py")
    with pytest.raises(SubmissionError) as err:
        load_submission(root)
    assert err.value.code == "unsafe_path" and "passwd.py" in err.value.message


def test_zip_with_single_top_folder_is_stripped(tmp_path: Path) -> None:
    """A zip whose entries share one top folder loads as if that folder were the root."""
    path = _zip(tmp_path / "carol.zip", {"hw1/layers.py": b"a", "hw1/common/functions.py": b"b"})
    sub = load_submission(path)
    assert (sub.id, sub.kind, sorted(sub.files)) == ("carol", "zip", ["common/functions.py", "layers.py"])


def test_zip_without_top_folder_keeps_paths(tmp_path: Path) -> None:
    """A flat zip keeps its paths; two top-level entries are not stripped."""
    path = _zip(tmp_path / "dan.zip", {"layers.py": b"a", "ch05/two_layer_net.py": b"b"})
    assert sorted(load_submission(path).files) == ["ch05/two_layer_net.py", "layers.py"]


@pytest.mark.parametrize("name", ["../evil.py", "/etc/evil.py", "a/../../evil.py"])
def test_zip_slip_refused(tmp_path: Path, name: str) -> None:
    """Entries with '..' or absolute paths are refused as unsafe_path."""
    path = _zip(tmp_path / "slip.zip", {"ok.py": b"a", name: b"b"})
    with pytest.raises(SubmissionError) as err:
        load_submission(path)
    assert err.value.code == "unsafe_path"


def test_zip_symlink_entry_refused(tmp_path: Path) -> None:
    """A zip entry marked as a symlink is refused."""
    path = tmp_path / "link.zip"
    with zipfile.ZipFile(path, "w") as zf:
        info = zipfile.ZipInfo("link.py")
        info.external_attr = (stat.S_IFLNK | 0o777) << 16
        zf.writestr(info, "/etc/passwd")
    with pytest.raises(SubmissionError) as err:
        load_submission(path)
    assert err.value.code == "unsafe_path"


def test_zip_bomb_refused_by_declared_size(tmp_path: Path) -> None:
    """A zip that inflates beyond the cap is refused as too_large; a small one under the same cap loads."""
    bomb = _zip(tmp_path / "bomb.zip", {"a.py": b"0" * 200_000})
    assert bomb.stat().st_size < 10_000  # compressed it is tiny: only the declared size reveals it
    with pytest.raises(SubmissionError) as err:
        load_submission(bomb, max_bytes=100_000)
    assert err.value.code == "too_large"
    small = _zip(tmp_path / "small.zip", {"a.py": b"0" * 50_000})
    assert len(load_submission(small, max_bytes=100_000).files["a.py"]) == 50_000


def _refused_with_peak(path: Path) -> tuple[SubmissionError, int]:
    """The loader's refusal of `path` and the peak of memory traced while it refused."""
    tracemalloc.start()
    try:
        with pytest.raises(SubmissionError) as err:
            load_submission(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    return err.value, peak


def _lying_entry(
    path: Path, method: int, inflated: int, declared: int, *, written: int | None = None, attr: int = 0
) -> Path:
    """A zip of one entry `a.py` of `inflated` zero bytes, compressed with `method` by zipfile (or with
    `written`, then labelled `method`), that declares `declared` bytes; `attr`: its external attributes."""
    made = io.BytesIO()
    with zipfile.ZipFile(made, "w", method if written is None else written) as zf:
        zf.writestr("a.py", bytes(inflated))
        info = zf.getinfo("a.py")
    raw = made.getvalue()
    name_length, extra_length = struct.unpack_from("<HH", raw, info.header_offset + 26)
    at = info.header_offset + 30 + name_length + extra_length
    data, name = raw[at : at + info.compress_size], b"a.py"
    sizes = (0, len(data), declared, len(name), 0)  # CRC, compressed, inflated, name length, extra length
    local = struct.pack("<4sHHHHHIIIHH", b"PK\x03\x04", 63, 0, method, 0, 0, *sizes) + name + data
    central_fields = (63, 63, 0, method, 0, 0, *sizes, 0, 0, 0, attr, 0)
    central = struct.pack("<4sHHHHHHIIIHHHHHII", b"PK\x01\x02", *central_fields)
    end = struct.pack("<4sHHHHIIH", b"PK\x05\x06", 0, 0, 1, 1, len(central) + len(name), len(local), 0)
    path.write_bytes(local + central + name + end)
    return path


@pytest.mark.parametrize("method", [zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA])
def test_zip_entry_zipfile_would_inflate_unbounded_is_refused_unread(tmp_path: Path, method: int) -> None:
    """zipfile inflates a bzip2 or LZMA entry a whole chunk at a time, however little is asked for: 32 MiB of
    zeros in a few hundred bytes of bzip2, declaring 6 bytes, made the parent allocate them all (a few KiB
    more is gigabytes). Such an entry is refused by its method, before any of it is read."""
    path = _lying_entry(tmp_path / "bomb.zip", method, inflated=32 << 20, declared=6)
    assert path.stat().st_size < 10_000
    err, peak = _refused_with_peak(path)
    assert peak < 4 << 20  # was 32 MiB and more: the inflated entry, whatever it declared
    assert err.code == "bad_archive"
    assert "'a.py' is compressed with" in err.message and "Deflate" in err.message
    stored = _zip(tmp_path / "deflated.zip", {"a.py": b"x = 1\n"})
    assert load_submission(stored).files["a.py"] == b"x = 1\n"


def test_too_many_files_refused(tmp_path: Path) -> None:
    """An archive with more files than the cap is refused as too_large."""
    path = _zip(tmp_path / "many.zip", {f"f{i}.py": b"x = 1\n" for i in range(6)})
    with pytest.raises(SubmissionError) as err:
        load_submission(path, max_files=5)
    assert err.value.code == "too_large"
    assert len(load_submission(path, max_files=6).files) == 6


def test_bad_zip_and_unsupported_and_missing(tmp_path: Path) -> None:
    """Corrupt archives, unknown file types and missing paths each get their own code."""
    (tmp_path / "bad.zip").write_bytes(b"not a zip")
    (tmp_path / "notes.txt").write_text("hi")
    codes = []
    for name in ["bad.zip", "notes.txt", "missing.py"]:
        with pytest.raises(SubmissionError) as err:
            load_submission(tmp_path / name)
        codes.append(err.value.code)
    assert codes == ["bad_archive", "unsupported", "unreadable"]


def test_notebook_help_lines_are_blanked_code_is_kept(tmp_path: Path) -> None:
    """IPython's help lines (`np.dot?`, `Affine??`, `?np.dot`) are blanked like magics; code that merely holds
    a question mark (a string, a comment) is kept as it is (control)."""
    nb = {
        "cells": [
            {"cell_type": "code", "source": "np.dot?\nAffine??\n  ?np.dot\nnp.*dot*?\n"},
            {"cell_type": "code", "source": "q = 'why?'  # really?\nx = 1\n"},
        ]
    }
    path = tmp_path / "hw.ipynb"
    path.write_text(json.dumps(nb))
    assert load_submission(path).files["hw.py"].decode() == (
        "# grader: the code cells of hw.ipynb\n"
        "# grader: code cell 1\n\n\n\n\n"
        "# grader: code cell 2\nq = 'why?'  # really?\nx = 1\n"
    )


def test_a_zip_holding_only_another_zip_says_so(tmp_path: Path) -> None:
    """A zip whose only content is another zip is refused naming it (it said "no Python file" in the
    sandbox before). Control: the same inner zip beside a .py file is just another file."""
    inner = tmp_path / "inner.zip"
    with zipfile.ZipFile(inner, "w") as z:
        z.writestr("miniflow.py", "x = 1\n")
    nested = tmp_path / "nested.zip"
    with zipfile.ZipFile(nested, "w") as z:
        z.write(inner, "inner.zip")
    with pytest.raises(SubmissionError) as err:
        load_submission(nested)
    assert err.value.code == "empty" and "only another archive (inner.zip)" in str(err.value)
    both = tmp_path / "both.zip"
    with zipfile.ZipFile(both, "w") as z:
        z.write(inner, "inner.zip")
        z.writestr("miniflow.py", "x = 1\n")
    assert set(load_submission(both).files) == {"inner.zip", "miniflow.py"}


@pytest.mark.parametrize("name", ["hw.tar.gz", "hw.tgz", "HW.TAR", "hw.7z", "hw.rar", "hw.tar.xz"])
def test_an_archive_other_than_a_zip_is_named_with_what_to_do(tmp_path: Path, name: str) -> None:
    """A tar.gz (or 7z, rar) handed in alone was "unsupported type (use a folder, .ipynb, .py, .zip)", and a
    folder holding one beside a README was told to hand in "that archive alone", which was then refused
    the same way. Both say what the archive is and to unpack it or zip the files. Control: a zip inside a
    folder or zip is still "that archive alone" (the grader reads it alone)."""
    archive = tmp_path / name
    archive.write_bytes(b"\x1f\x8b\x08\x00 not really")
    with pytest.raises(SubmissionError) as err:
        load_submission(archive)
    suffix = name.lower().removeprefix("hw")
    assert err.value.code == "unsupported"
    assert f"a {suffix} archive, which the grader does not open: unpack it" in str(err.value)
    folder = tmp_path / "hand_in"
    folder.mkdir()
    (folder / "README.md").write_text("# hw\n", encoding="utf-8")
    archive.rename(folder / name)
    with pytest.raises(SubmissionError) as err:
        load_submission(folder)
    assert f"a {suffix} archive is not opened: unpack it" in str(err.value)
    assert "that archive alone" not in str(err.value)
    (folder / name).unlink()
    with zipfile.ZipFile(folder / "hw.zip", "w") as z:
        z.writestr("miniflow.py", "x = 1\n")
    with zipfile.ZipFile(tmp_path / "outer.zip", "w") as z:
        z.write(folder / "hw.zip", "hw.zip")
    with pytest.raises(SubmissionError) as err:
        load_submission(tmp_path / "outer.zip")
    assert "that archive alone" in str(err.value)


def test_a_folder_holding_only_one_zip_is_graded_as_that_zip(tmp_path: Path) -> None:
    """Gradescope (or a batch folder per student) hands over a folder; a student who uploaded their zip as
    is leaves it holding that zip alone, which is the "archive alone" the refusal below asks for: it is read
    as the zip (its single top folder stripped, its __MACOSX dropped). Controls: two zips in the folder are
    still refused, naming both; a zip beside a .py file is just another file."""
    folder = tmp_path / "submission"
    folder.mkdir()
    with zipfile.ZipFile(folder / "HW 2 (final).zip", "w") as z:
        z.writestr("hw2-miniflow/miniflow.py", "x = 1\n")
        z.writestr("hw2-miniflow/nn.py", "import miniflow\n")
        z.writestr("__MACOSX/hw2-miniflow/._miniflow.py", "junk")
    (folder / "README.txt").write_text("my notes\n")
    loaded = load_submission(folder)
    assert loaded.kind == "zip" and dict(loaded.files) == {
        "miniflow.py": b"x = 1\n",
        "nn.py": b"import miniflow\n",
    }
    with zipfile.ZipFile(folder / "old.zip", "w") as z:
        z.writestr("miniflow.py", "x = 0\n")
    with pytest.raises(SubmissionError) as err:
        load_submission(folder)
    assert err.value.code == "empty" and "HW 2 (final).zip, old.zip" in str(err.value)
    (folder / "old.zip").unlink()
    (folder / "miniflow.py").write_text("x = 2\n")
    assert set(load_submission(folder).files) == {"HW 2 (final).zip", "README.txt", "miniflow.py"}


def test_a_folder_holding_one_zip_over_the_data_file_size_is_graded_as_that_zip(tmp_path: Path) -> None:
    """The zip a student uploaded as is may pass MAX_DATA_FILE_BYTES (a notebook with its plots): it is the
    submission, not a data file left out (which left the folder holding nothing)."""
    folder = tmp_path / "submission"
    folder.mkdir()
    with zipfile.ZipFile(folder / "hw2.zip", "w", zipfile.ZIP_STORED) as z:
        z.writestr("miniflow.py", "x = 1\n")
        z.writestr("plots.txt", "#" * (MAX_DATA_FILE_BYTES // 2))
        z.writestr("more.txt", "#" * (MAX_DATA_FILE_BYTES // 2 + 10))
    assert (folder / "hw2.zip").stat().st_size > MAX_DATA_FILE_BYTES
    loaded = load_submission(folder)
    assert loaded.kind == "zip" and set(loaded.files) == {"miniflow.py", "plots.txt", "more.txt"}
    (folder / "layers.py").write_text("x = 2\n")  # control: beside code, a large archive is data, left out
    loaded = load_submission(folder)
    assert loaded.kind == "folder" and set(loaded.files) == {"layers.py"}
    assert any("hw2.zip" in note and "left out" in note for note in loaded.notes)


def test_a_data_set_beside_the_code_is_left_out_not_refused(tmp_path: Path) -> None:
    """A DLFS student hands in their working folder, where the book's dataset/mnist.py saved mnist.pkl
    (55 MB; 9 MiB here): the folder, and the same folder zipped, are graded on their code, the data file left
    out unread with a note naming it, instead of refusing the whole submission as too large. Controls: a
    small data file is kept; a 9 MiB .py file is still refused."""
    folder = tmp_path / "hw5"
    (folder / "dataset").mkdir(parents=True)
    (folder / "layers.py").write_text("x = 1\n")
    (folder / "dataset" / "params.txt").write_text("lr 0.1\n")
    with (folder / "dataset" / "mnist.pkl").open("wb") as fh:
        fh.truncate(9 * 1024 * 1024)
    archive = tmp_path / "hw5.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as z:
        for f in sorted(folder.rglob("*")):
            z.write(f, f"hw5/{f.relative_to(folder).as_posix()}")
    for submission in (folder, archive):
        loaded = load_submission(submission)
        assert set(loaded.files) == {"layers.py", "dataset/params.txt"}, submission
        (note,) = [n for n in loaded.notes if "mnist.pkl" in n]
        assert "dataset/mnist.pkl" in note and "not an error" in note
    (folder / "big.py").write_bytes(b"#" * (9 * 1024 * 1024))
    with pytest.raises(SubmissionError) as err:
        load_submission(folder)
    assert err.value.code == "too_large"


def test_a_submission_too_large_says_what_to_do(tmp_path: Path) -> None:
    """The refusal of a submission over the caps tells the student what to hand in instead (a number of bytes
    alone left them guessing), for bytes and for files."""
    folder = tmp_path / "hw"
    folder.mkdir()
    (folder / "hw.py").write_bytes(b"#" * 2_000)
    with pytest.raises(SubmissionError) as err:
        load_submission(folder, max_bytes=1_000)
    assert "2,000 bytes (limit 1,000)" in err.value.message
    assert "hand in only your code" in err.value.message
    for i in range(3):
        (folder / f"m{i}.py").write_text("x = 1\n")
    with pytest.raises(SubmissionError) as err:
        load_submission(folder, max_files=2)
    assert "(limit 2)" in err.value.message and "hand in only your code" in err.value.message


def test_empty_folder_refused(tmp_path: Path) -> None:
    """A folder with nothing gradable in it is refused as empty."""
    (tmp_path / "empty" / "__pycache__").mkdir(parents=True)
    with pytest.raises(SubmissionError) as err:
        load_submission(tmp_path / "empty")
    assert err.value.code == "empty"


@pytest.mark.parametrize(
    ("files", "said"),
    [
        ({"hw5.py": b""}, "hw5.py is empty: was it saved"),
        ({"hw5.py": b"\xef\xbb\xbf\r\n  \r\n"}, "hw5.py is empty: was it saved"),  # Notepad's BOM and CRLF
        ({"hw5.py": b"# TODO: Linear\n\n  # Sigmoid\n"}, "hw5.py holds only comments: was it saved"),
        ({"hw/__init__.py": b"", "hw/README.md": b"see code"}, "__init__.py is empty"),
        ({"hw/a.py": b"", "hw/b.py": b"# todo\n"}, "every Python file holds only comments"),
        (
            {"MiniFlow.ipynb": json.dumps({"cells": [{"cell_type": "markdown", "source": "# x"}]}).encode()},
            "MiniFlow.ipynb has no code in its code cells",
        ),  # a notebook with no code cell
    ],
)
def test_a_submission_without_a_line_of_code_is_refused_as_empty(
    tmp_path: Path, files: dict[str, bytes], said: str
) -> None:
    """An empty or comments-only file, folder or notebook is refused as `empty` with the reason a student
    can act on; graded, it was status `graded` with 0 points and "missing: Input ..." (session 17), while an
    empty folder was `load_failed`."""
    for rel, data in files.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_bytes(data)
    entry = tmp_path / next(iter(files)).split("/")[0]
    with pytest.raises(SubmissionError) as err:
        load_submission(entry)
    assert err.value.code == "empty" and said in err.value.message


def test_one_file_of_code_beside_empty_ones_is_loaded(tmp_path: Path) -> None:
    """The control: a folder's empty `__init__.py` and a comments-only file beside one line of code load."""
    for rel, data in {"__init__.py": b"", "notes.py": b"# todo\n", "nn.py": b"x = 1  # code\n"}.items():
        (tmp_path / "hw" / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / "hw" / rel).write_bytes(data)
    assert sorted(load_submission(tmp_path / "hw").files) == ["__init__.py", "nn.py", "notes.py"]


def test_notebook_code_cells_without_magics(tmp_path: Path) -> None:
    """Code cells are kept in order; % and ! lines dropped, a %%time cell's body kept as Jupyter runs it, a
    %%bash cell dropped; markdown is ignored."""
    nb = {
        "cells": [
            {"cell_type": "markdown", "source": ["# Title\n"]},
            {
                "cell_type": "code",
                "source": ["%matplotlib inline\n", "import numpy as np\n", "!pip install x\n"],
            },
            {"cell_type": "code", "source": "%%time\nslow()\n"},
            {"cell_type": "code", "source": "%%bash\nls -l\n"},
            {"cell_type": "code", "source": ["class Relu:\n", "    pass\n"]},
        ]
    }
    path = tmp_path / "Homework 5.ipynb"
    path.write_text(json.dumps(nb))
    sub = load_submission(path)
    assert sub.kind == "notebook" and list(sub.files) == ["Homework 5.py"]
    # A header, a marker before each code cell, dropped lines left blank (docs/LOADING.md, "Notebooks").
    assert sub.files["Homework 5.py"].decode() == (
        "# grader: the code cells of Homework 5.ipynb\n"
        "# grader: code cell 1\n\nimport numpy as np\n\n"
        "# grader: code cell 2\n\nslow()\n"
        "# grader: code cell 3\n"
        "# grader: code cell 4\nclass Relu:\n    pass\n"
    )


def test_notebook_magics_in_blocks_and_assignments_keep_the_cell_compiling(tmp_path: Path) -> None:
    """Colab's `if IN_COLAB:` then `    !pip install ...`, a `%time` inside a loop, and `files = !ls` are
    valid in a notebook: the cell must still compile (it was skipped whole, losing its `import numpy as
    np`). The expected lines are IPython's own translations (IPython.core.inputtransformer2.TransformerManager
    .transform_cell gives `files = get_ipython().getoutput('ls -l')` and `t =
    get_ipython().run_line_magic('timeit', '-o f()')`); a magic alone in a block does nothing here, `pass`."""
    cell = (
        "if IN_COLAB:\n    !pip install -q numpy\nimport numpy as np\n"
        "for i in range(2):\n    %time f(i)\n"
        "files = !ls -l\nt = %timeit -o f()\na, b = !echo hi\n"
    )
    path = tmp_path / "hw.ipynb"
    path.write_text(json.dumps({"cells": [{"cell_type": "code", "source": cell}]}))
    module = load_submission(path).files["hw.py"].decode()
    compile(module, "hw.py", "exec")
    assert module.splitlines()[2:] == [
        "if IN_COLAB:",
        "    pass",
        "import numpy as np",
        "for i in range(2):",
        "    pass",
        "files = get_ipython().getoutput('ls -l')",
        "t = get_ipython().run_line_magic('timeit', '-o f()')",
        "a, b = get_ipython().getoutput('echo hi')",
    ]


def test_notebook_run_magic_is_ipythons_own_call(tmp_path: Path) -> None:
    """`%run layers.py` (at the top and in a block) becomes IPython's translation, which the kernel stand-in
    answers (grader/inside/standins/kernel.py; TransformerManager.transform_cell gives
    `get_ipython().run_line_magic('run', '-i ../common/layers.py')`); it was blanked, and every name the file
    defines was a NameError in the next cells. Control: `%matplotlib inline` is still blanked."""
    cell = "%run layers.py\nif True:\n    %run -i '../common/my layers.py' 3\n%matplotlib inline\nx = 1\n"
    path = tmp_path / "hw.ipynb"
    path.write_text(json.dumps({"cells": [{"cell_type": "code", "source": cell}]}))
    module = load_submission(path).files["hw.py"].decode()
    compile(module, "hw.py", "exec")
    assert module.splitlines()[2:] == [
        "get_ipython().run_line_magic('run', 'layers.py')",
        "if True:",
        "    get_ipython().run_line_magic('run', \"-i '../common/my layers.py' 3\")",
        "",
        "x = 1",
    ]


def _run_magic_notebook(path: Path, blanks: int) -> Path:
    """A notebook whose cell is `%run helpers.py`, `blanks` blanks and `#` on one line, then another %run."""
    cell = "%run helpers.py" + " " * blanks + "#\n%run  -i layers.py \t \nx = 1\n"
    path.write_text(json.dumps({"cells": [{"cell_type": "code", "source": cell}]}))
    return path


def test_notebook_run_magic_with_a_long_run_of_blanks_is_read_in_one_pass(tmp_path: Path) -> None:
    """`%run x`, 100,000 blanks, then `#` on one line: the pattern tried the trailing blanks after each
    character of the arguments, n * n steps, 40 s of the parent's CPU while loading. Now linear: a run four
    times as long costs at most eight times the CPU (about four; the quadratic pattern's sixteen). A ratio
    measured in one run, the least of two loads each, not a time (it asserted under 2 s of CPU, which a loaded
    machine can take). The arguments still end at the line's last non-blank, the trailing blanks dropped as
    before (the control)."""
    module = load_submission(_run_magic_notebook(tmp_path / "hw.ipynb", 100_000)).files["hw.py"].decode()
    assert module.splitlines()[2:] == [
        "get_ipython().run_line_magic('run', 'helpers.py" + " " * 100_000 + "#')",
        "get_ipython().run_line_magic('run', '-i layers.py')",
        "x = 1",
    ]

    def cpu(blanks: int) -> float:
        path = _run_magic_notebook(tmp_path / f"hw{blanks}.ipynb", blanks)
        spent = []
        for _ in range(2):  # the least of two: another process's slice only ever adds
            started = time.process_time()
            load_submission(path)
            spent.append(time.process_time() - started)
        return min(spent)

    small, large = cpu(10_000), cpu(40_000)
    assert large < 8 * max(small, 1e-3), f"{large:.3f} s of CPU for 4x the blanks against {small:.3f} s"


def test_notebook_cell_magic_after_blank_lines(tmp_path: Path) -> None:
    """IPython drops a cell's leading blank lines before looking for a cell magic, so `\n%%writefile
    layers.py` writes layers.py (TransformerManager.transform_cell gives run_cell_magic('writefile',
    'layers.py', ...)); the body is not run as the notebook's code, and line numbers still match the cell."""
    nb = {
        "cells": [
            {"cell_type": "code", "source": "\n%%writefile layers.py\nclass Relu:\n    pass\n"},
            {"cell_type": "code", "source": "from layers import *\n"},
        ]
    }
    path = tmp_path / "hw.ipynb"
    path.write_text(json.dumps(nb))
    files = load_submission(path).files
    assert files["layers.py"].decode() == "class Relu:\n    pass\n"
    assert files["hw.py"].decode() == (
        "# grader: the code cells of hw.ipynb\n# grader: code cell 1\n\n"
        "# grader: code cell 2\nfrom layers import *\n"
    )


def test_notebook_writefile_cells_become_files(tmp_path: Path) -> None:
    """%%writefile NAME saves the cell body as NAME (-a appends), so a later `from NAME import *` works;
    a writefile path that climbs out of the submission is refused."""
    nb = {
        "cells": [
            {"cell_type": "code", "source": "%%writefile miniflow.py\nclass Node:\n    pass\n"},
            {"cell_type": "code", "source": "%%writefile -a miniflow.py\nclass Input(Node):\n    pass\n"},
            {"cell_type": "code", "source": "from miniflow import *\n"},
        ]
    }
    path = tmp_path / "hw.ipynb"
    path.write_text(json.dumps(nb))
    files = load_submission(path).files
    assert files["miniflow.py"].decode() == "class Node:\n    pass\nclass Input(Node):\n    pass\n"
    assert files["hw.py"].decode().splitlines()[-1] == "from miniflow import *"
    nb["cells"][0]["source"] = "%%writefile ../escape.py\nx = 1\n"
    path.write_text(json.dumps(nb))
    with pytest.raises(SubmissionError) as err:
        load_submission(path)
    assert err.value.code == "unsafe_path"


@pytest.mark.parametrize(
    ("first", "written"),
    [
        ("%%file miniflow.py", "miniflow.py"),  # IPython's alias of %%writefile
        ('%%writefile "miniflow.py"', "miniflow.py"),  # quotes kept by arg_split, stripped by writefile
        ("%%writefile 'my miniflow.py'", "my miniflow.py"),
        ("%%writefile miniflow.py -a", "miniflow.py"),  # argparse: the option after the name
        ("%%writefile --app miniflow.py", "miniflow.py"),  # argparse: a prefix of --append
        ("%%writefile -- -x.py", "-x.py"),
    ],
)
def test_notebook_writefile_cells_name_their_file_as_jupyter_does(
    tmp_path: Path, first: str, written: str
) -> None:
    """The file a `%%writefile`/`%%file` line writes, as IPython 8.12 wrote it (run_cell_magic, checked by
    hand): `%%file` was dropped as an unknown magic, `"miniflow.py"` written as `miniflow.py"` and refused
    (not a safe name), `-a` after the name taken for the name."""
    path = tmp_path / "hw.ipynb"
    path.write_text(
        json.dumps({"cells": [{"cell_type": "code", "source": f"{first}\nclass Node:\n    pass\n"}]})
    )
    files = load_submission(path).files
    assert files[written] == b"class Node:\n    pass\n"
    assert set(files) == {written, "hw.py"}


@pytest.mark.parametrize(
    "first",
    [
        "%%writefile a.py b.py",  # UsageError: unrecognized arguments
        "%%writefile",  # UsageError: the filename is required
        '%%writefile "a.py',  # ValueError: No closing quotation
        "%%writefile -x a.py",  # UsageError: unrecognized arguments: -x
        '%%writefile ""',  # FileNotFoundError: ''
        "%%writefile a.py # mine",  # arg_split keeps `#`: two more arguments
        "%%writefile -a" + " " * 1_000_000 + "a.py",  # past cell_magic.MAX_LINE_CHARS: not read
    ],
)
def test_a_writefile_line_jupyter_refuses_writes_nothing(tmp_path: Path, first: str) -> None:
    """Where IPython raises for the line, nothing is written, and the cell's body is not run as the
    notebook's code either (Jupyter stops at the error): the module holds the other cells alone. A line of
    1 MB is not read (shlex.split took 6 s on one; `python -m bench.parent_parse` times it)."""
    path = tmp_path / "hw.ipynb"
    cells = [{"cell_type": "code", "source": f"{first}\nx = 1\n"}, {"cell_type": "code", "source": "y = 2\n"}]
    path.write_text(json.dumps({"cells": cells}))
    files = load_submission(path).files
    assert set(files) == {"hw.py"}
    assert "x = 1" not in files["hw.py"].decode() and "y = 2" in files["hw.py"].decode()


def test_writefile_lines_past_the_submissions_budget_write_nothing(tmp_path: Path) -> None:
    """The %%writefile lines of a submission's notebooks are read up to MAX_WRITEFILE_CHARS together (each is
    capped at 16 KiB, and 8 MiB of them in 16 KiB lines of `-a -a ...` cost the parent 1.3 s to split): a
    later one writes nothing. Control: the same last cell after lines within the budget writes its file."""
    filler = "%%writefile " + "-a " * 5_000 + "pad.py\nx = 1\n"  # 15 KB of line, each within the line cap
    last = {"cell_type": "code", "source": "%%writefile b.py\ny = 2\n"}
    within = loaders.MAX_WRITEFILE_CHARS // 15_000 - 1
    for fillers, written in ((within, True), (within + 2, False)):
        path = tmp_path / f"hw{fillers}.ipynb"
        cells = [*[{"cell_type": "code", "source": filler}] * fillers, last]
        path.write_text(json.dumps({"cells": cells}))
        assert ("b.py" in load_submission(path).files) is written, fillers


def test_an_nbformat_3_notebook_is_read_as_jupyter_reads_it(tmp_path: Path) -> None:
    """IPython 2's format: cells in `worksheets`, a code cell's source in `input`, its execution count in
    `prompt_number`, `heading` cells. It was refused ("not a readable Jupyter notebook: 'cells'"): its
    code cells are the module, in order, and the run-order note reads its counts."""
    cell = {"cell_type": "code", "language": "python", "metadata": {}, "outputs": [], "collapsed": False}
    nb = {
        "nbformat": 3,
        "nbformat_minor": 0,
        "metadata": {"name": ""},
        "worksheets": [
            {
                "cells": [
                    {"cell_type": "heading", "level": 1, "metadata": {}, "source": ["MiniFlow"]},
                    {**cell, "input": ["%matplotlib inline\n", "import numpy as np"], "prompt_number": 3},
                    {**cell, "input": "class Relu:\n    pass", "prompt_number": 2},
                ],
                "metadata": {},
            }
        ],
    }
    path = tmp_path / "hw.ipynb"
    path.write_text(json.dumps(nb))
    sub = load_submission(path)
    assert sub.files["hw.py"].decode() == (
        "# grader: the code cells of hw.ipynb\n"
        "# grader: code cell 1\n\nimport numpy as np\n"
        "# grader: code cell 2\nclass Relu:\n    pass\n"
    )
    assert len(sub.notes) == 1 and "code cell 2 (execution count 2) ran before code cell 1" in sub.notes[0]
    for not_a_notebook in ({"nbformat": 3}, {"nbformat": 3, "worksheets": "x"}, {"nbformat": 4}):
        try:
            module = notebook_source(json.dumps(not_a_notebook).encode(), "x.ipynb")
        except SubmissionError as err:
            assert err.code == "unreadable"
        else:
            assert module == b"# grader: the code cells of x.ipynb\n"  # no code cell: nothing defined


def test_notebook_unreadable() -> None:
    """A notebook that is not JSON is unreadable."""
    with pytest.raises(SubmissionError) as err:
        notebook_source(b"{not json", "x.ipynb")
    assert err.value.code == "unreadable"


def test_sha256_depends_on_paths_and_content(tmp_path: Path) -> None:
    """Same files give the same digest; a renamed or edited file changes it."""
    a = _zip(tmp_path / "a.zip", {"x.py": b"1", "y.py": b"2"})
    b = _zip(tmp_path / "b.zip", {"y.py": b"2", "x.py": b"1"})
    c = _zip(tmp_path / "c.zip", {"x.py": b"1", "z.py": b"2"})
    d = _zip(tmp_path / "d.zip", {"x.py": b"1", "y.py": b"3"})
    digests = [load_submission(p).sha256 for p in (a, b, c, d)]
    assert digests[0] == digests[1] and len(set(digests)) == 3


def test_a_file_name_that_is_not_utf8_is_refused(tmp_path: Path) -> None:
    """A Latin-1 file name inside a folder is refused as unsafe_path (not a crash); a UTF-8 name is fine."""
    folder = tmp_path / "sub"
    folder.mkdir()
    (folder / "layers.py").write_text("x = 1\n")
    (folder / "caf\u00e9.py").write_text("y = 2\n")
    assert "caf\u00e9.py" in load_submission(folder).files  # control: non-ASCII but valid UTF-8
    bad = os.fsdecode(b"caf\xe9_helper.py")  # the bytes of a Latin-1 name, as the OS hands them over
    (folder / bad).write_text("z = 3\n")
    with pytest.raises(SubmissionError) as err:
        load_submission(folder)
    assert err.value.code == "unsafe_path" and "not valid UTF-8" in err.value.message


# ---------------------------------------------------------------- the sandbox's path check, applied here


@pytest.mark.parametrize(
    ("entries", "named", "why"),
    [
        ({".": b"a", "ok.py": b"b"}, "'.'", "'.' as a folder"),
        ({"./a.py": b"a", "ok.py": b"b"}, "'./a.py'", "'.' as a folder"),
        ({"a": b"file", "a/b.py": b"x"}, "'a'", "'a/b.py' needs a folder"),
        ({"Model.py": b"a", "model.py": b"b"}, "'model.py'", "upper/lower case"),
        ({"a\x1b]0;pwned\x07.py": b"a", "ok.py": b"b"}, "'a\\x1b]0;pwned\\x07.py'", "control characters"),
    ],
)
def test_zip_entries_the_sandbox_would_refuse_are_refused_here(
    tmp_path: Path, entries: dict[str, bytes], named: str, why: str
) -> None:
    """`.`, `./x`, a file that is also a folder, case-folded twins and control characters: unsafe_path, with
    a message that names the entry (escaped, inert) and the reason, as the student's own problem."""
    path = _zip(tmp_path / "hw.zip", entries)
    with pytest.raises(SubmissionError) as err:
        load_submission(path)
    assert err.value.code == "unsafe_path"
    assert f"the file {named} cannot be used" in err.value.message and why in err.value.message
    assert "\x1b" not in err.value.message


def test_zip_duplicate_entries_refused(tmp_path: Path) -> None:
    """The same name twice in one archive (zipfile allows writing it) is refused, not silently overwritten."""
    path = tmp_path / "dup.zip"
    with zipfile.ZipFile(path, "w") as zf, pytest.warns(UserWarning, match="Duplicate name"):
        zf.writestr("a.py", b"1")
        zf.writestr("a.py", b"2")
    with pytest.raises(SubmissionError) as err:
        load_submission(path)
    assert err.value.code == "unsafe_path" and "appears twice" in err.value.message


def test_zip_folder_entry_clashing_with_a_file_refused(tmp_path: Path) -> None:
    """A folder entry `a/` and a file `a` in one archive: refused."""
    path = tmp_path / "clash.zip"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("a/", b"")
        zf.writestr("a", b"x")
        zf.writestr("ok.py", b"y")
    with pytest.raises(SubmissionError) as err:
        load_submission(path)
    assert err.value.code == "unsafe_path" and "needs a folder" in err.value.message


def test_zip_with_windows_separators_reads_folders(tmp_path: Path) -> None:
    """Entries written with '\\' between folders (some Windows tools) load as folders."""
    path = _zip(tmp_path / "win.zip", {"common\\layers.py": b"a", "main.py": b"b"})
    assert sorted(load_submission(path).files) == ["common/layers.py", "main.py"]


def test_names_clashing_with_the_assignment_support_files_refused(tmp_path: Path) -> None:
    """A submitted file `common` cannot sit beside the assignment's `common/functions.py`: refused, naming
    both; a submitted `common/functions.py` (which replaces the support file) is fine."""
    provided = ["common/__init__.py", "common/functions.py"]
    clash = _zip(tmp_path / "clash.zip", {"common": b"x", "layers.py": b"y"})
    with pytest.raises(SubmissionError) as err:
        load_submission(clash, provided=provided)
    assert err.value.code == "unsafe_path"
    assert "'common'" in err.value.message and "'common/functions.py'" in err.value.message
    ok = _zip(tmp_path / "ok.zip", {"common/functions.py": b"x", "layers.py": b"y"})
    assert sorted(load_submission(ok, provided=provided).files) == ["common/functions.py", "layers.py"]


def test_a_folder_differing_from_a_support_folder_in_case_names_the_students_folder(tmp_path: Path) -> None:
    """`Common/layers.py` made on Windows or macOS (where `from common.layers import *` finds it) beside the
    assignment's `common/`: refused, saying the student's folder is `Common` and to rename it `common` (it
    said "the file 'common' cannot be used", the assignment's own folder, and "rename yours"). A file whose
    name differs from a support file only in case is named as a file. Control: `common/layers.py` loads."""
    provided = ["common/__init__.py", "common/functions.py"]
    folder = _zip(tmp_path / "folder.zip", {"Common/layers.py": b"x", "ch05/two_layer_net.py": b"y"})
    with pytest.raises(SubmissionError) as err:
        load_submission(folder, provided=provided)
    assert err.value.code == "unsafe_path"
    assert "your folder 'Common' and the assignment's 'common'" in err.value.message
    assert "rename 'Common' to 'common'" in err.value.message
    single = _zip(tmp_path / "single.zip", {"common/Functions.py": b"x", "layers.py": b"y"})
    with pytest.raises(SubmissionError) as err:
        load_submission(single, provided=provided)
    assert "your file 'common/Functions.py' and the assignment's 'common/functions.py'" in err.value.message
    ok = _zip(tmp_path / "ok.zip", {"common/layers.py": b"x", "layers.py": b"y"})
    assert sorted(load_submission(ok, provided=provided).files) == ["common/layers.py", "layers.py"]


def test_file_name_with_escape_sequences_refused_readably(tmp_path: Path) -> None:
    """A .py whose own name carries an escape sequence is refused; the message shows it escaped."""
    path = tmp_path / "\x1b[2Kevil.py"
    path.write_text("x = 1\n")
    with pytest.raises(SubmissionError) as err:
        load_submission(path)
    assert err.value.code == "unsafe_path" and "'\\x1b[2Kevil.py'" in err.value.message
    assert "\x1b" not in err.value.message


def test_submission_id_is_a_clean_name(tmp_path: Path) -> None:
    """A folder whose name carries controls gets an id that shows them, as an invisible character (the bidi
    override) is shown: by its code point, never removed (s21-repo review, finding 6; session 22: with its
    escape sequence removed, `bob\x1b[31m` was another student's `bob`); its files are ordinary."""
    folder = tmp_path / "bob\x1b[31m\u202e"
    folder.mkdir()
    (folder / "layers.py").write_text("x = 1\n")
    assert load_submission(folder).id == "bob<U+001B>[31m<U+202E>"


def test_notebook_writefile_with_dot_slash(tmp_path: Path) -> None:
    """`%%writefile ./layers.py` writes layers.py, as Jupyter does."""
    nb = {"cells": [{"cell_type": "code", "source": "%%writefile ./layers.py\nx = 1\n"}]}
    path = tmp_path / "hw.ipynb"
    path.write_text(json.dumps(nb))
    assert load_submission(path).files["layers.py"] == b"x = 1\n"


def _counted(*counts: object) -> bytes:
    cell = {"cell_type": "code", "metadata": {}, "outputs": [], "source": ["x = 1\n"]}
    markdown = {"cell_type": "markdown", "metadata": {}, "source": ["# notes"]}
    cells = [markdown, *({**cell, "execution_count": c} for c in counts)]
    return json.dumps({"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}).encode()


def test_a_notebook_run_out_of_order_gets_a_note_naming_the_first_cell_that_ran_early() -> None:
    """Execution counts 1, 2, 9, 5: code cell 4 ran before code cell 3 above it (markdown cells are not
    counted); in order (gaps and cells never run included) or never run, no note."""
    note = loaders.run_order_note(_counted(1, 2, 9, 5), "hw.ipynb")
    assert note is not None and "hw.ipynb" in note
    assert "code cell 4 (execution count 5) ran before code cell 3 above it (9)" in note
    for counts in [(1, 2, 3), (1, None, 7, 8), (None, None), (), (3, 3)]:
        assert loaders.run_order_note(_counted(*counts), "hw.ipynb") is None, counts
    assert loaders.run_order_note(b"not json", "hw.ipynb") is None
    assert loaders.run_order_note(_counted(True, 0), "hw.ipynb") is None  # a bool is no count


def test_text_inside_a_multi_line_string_is_never_taken_for_a_magic() -> None:
    """`loss = %.4f` and `%d items` inside a triple-quoted template are the string's text (IPython reads
    tokens): the cell runs as plain Python runs it. The magics outside the string are still made inert."""
    cell = 'loss = 0.5\nmsg = """\nloss = %.4f\n%d items\n""" % (loss, 3)\n!pip install x\nfiles = !ls\n'
    nb = {"cells": [{"cell_type": "code", "source": cell}], "metadata": {}, "nbformat": 4}
    module = notebook_source(json.dumps(nb).encode(), "hw.ipynb").decode()
    assert "!pip" not in module and "files = get_ipython().getoutput('ls')" in module
    space: dict[str, object] = {"get_ipython": lambda: type("K", (), {"getoutput": lambda self, c: []})()}
    exec(compile(module, "hw.py", "exec"), space)
    assert space["msg"] == "\nloss = 0.5000\n3 items\n"  # what Python makes of the template, untouched


def test_notebook_nested_too_deeply_is_unreadable_not_a_loader_crash(tmp_path: Path) -> None:
    """JSON nested past Python's recursion limit (a 200 KB file) is the student's unreadable notebook, said
    plainly: json.loads raised RecursionError, which the pipeline reported as a loader bug ('could not read
    deep.ipynb: RecursionError: ...'). A nesting a notebook can have still loads (control)."""
    deep = b'{"cells": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"
    path = tmp_path / "deep.ipynb"
    path.write_bytes(deep)
    with pytest.raises(SubmissionError) as err:
        load_submission(path)
    assert err.value.code == "unreadable"
    assert "nested too deeply" in err.value.message
    assert loaders.run_order_note(deep, "deep.ipynb") is None
    nested = {"cells": [{"cell_type": "code", "source": "x = 1\n", "metadata": {"a": [[[[[1]]]]]}}]}
    path.write_text(json.dumps(nested))
    assert load_submission(path).files["deep.py"].decode().splitlines()[2] == "x = 1"


def test_notebook_with_a_number_json_loads_refuses_is_unreadable_or_a_note_not_a_loader_crash(
    tmp_path: Path,
) -> None:
    """An integer of over 4,300 digits (an `execution_count`) makes json.loads raise a plain ValueError, not
    a JSONDecodeError: it escaped the loader, so a notebook handed in alone was reported as a loader bug, and
    one beside Python files cost the whole folder its grade instead of a note (docs/LOADING.md)."""
    raw = '{"cells": [{"cell_type": "code", "execution_count": %s, "source": "x = 1\\n"}]}' % ("1" * 5000)
    alone = tmp_path / "nb.ipynb"
    alone.write_text(raw)
    with pytest.raises(SubmissionError) as err:
        load_submission(alone)
    assert err.value.code == "unreadable" and "not a readable Jupyter notebook" in err.value.message
    assert loaders.run_order_note(raw.encode(), "nb.ipynb") is None
    folder = tmp_path / "hw"
    folder.mkdir()
    (folder / "scratch.ipynb").write_text(raw)
    (folder / "miniflow.py").write_text("class Input:\n    pass\n")
    sub = load_submission(folder)
    assert sorted(sub.files) == ["miniflow.py"]
    assert any("scratch.ipynb is not a readable Jupyter notebook" in n for n in sub.notes)


@pytest.mark.parametrize("separator", ["\u2028", "\x0c", "\x1c", "\x85"])
def test_a_cell_is_split_into_lines_where_python_splits_it(separator: str) -> None:
    """A form feed, U+0085 or U+2028 inside a string or a comment is part of that line for Python and for
    Jupyter; the loader split the cell there (str.splitlines), so a string Jupyter runs became unterminated
    and the whole cell, with its classes, was skipped for a syntax error. CR LF and a lone CR still end a line
    (a magic after one is still blanked)."""
    source = f'msg = "layer{separator}done"  # note{separator} x\nclass Input:\n    pass\n'
    compile(source, "cell", "exec")  # Python runs the cell as it is
    raw = {
        "cells": [
            {"cell_type": "code", "source": source},
            {"cell_type": "code", "source": "x = 1\r%time y\r\n"},
        ]
    }
    module = notebook_source(json.dumps(raw).encode(), "hw.ipynb").decode()
    first = module.split(loaders.cells.marker(1) + "\n")[1].split(loaders.cells.marker(2))[0]
    assert first == source
    compile(first, "cell", "exec")
    assert module.endswith(loaders.cells.marker(2) + "\nx = 1\n\n")


def test_a_notebook_is_read_line_by_line_within_bounds(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The parent reads a notebook's code line by line, and with tokenize (pure Python, ~5 us a token) for
    the lines inside multi-line strings: 8 MiB of one-character lines, under the file cap, cost it 20 to 45 s
    of CPU. Past MAX_NOTEBOOK_LINES lines of code the notebook is refused, a cell with no line that could
    be a magic is never tokenized, and at most MAX_TOKENIZED_CHARS of a notebook's cells are."""

    def notebook(*sources: str) -> bytes:
        return json.dumps({"cells": [{"cell_type": "code", "source": s} for s in sources]}).encode()

    path = tmp_path / "long.ipynb"
    path.write_bytes(notebook("x = 1\n" * loaders.MAX_NOTEBOOK_LINES))
    with pytest.raises(SubmissionError) as err:
        load_submission(path)
    assert err.value.code == "too_large" and "250,001 lines (limit 250,000" in err.value.message
    path.write_bytes(notebook("x = 1\n" * (loaders.MAX_NOTEBOOK_LINES // 2)))
    assert load_submission(path).files["long.py"].count(b"x = 1\n") == loaders.MAX_NOTEBOOK_LINES // 2

    tokenized: list[int] = []
    real = loaders._string_lines

    def counting(lines: list[str]) -> set[int]:
        tokenized.append(sum(map(len, lines)))
        return real(lines)

    monkeypatch.setattr(loaders, "_string_lines", counting)
    plain = "y = [1, 2, 3]\n" * 1000  # no line a magic could be
    with_magic = plain + "%time y\n"
    module = loaders.notebook_source(notebook(plain, *[with_magic] * 40), "nb.ipynb").decode()
    assert tokenized and sum(tokenized) <= loaders.MAX_TOKENIZED_CHARS  # 40 cells of 14 KB: 560 KB before
    assert len(tokenized) < 40
    assert module.count("\n%time") == 0 and module.count("y = [1, 2, 3]") == 41_000

    # Shared by a folder's or zip's notebooks: 40 notebooks of one such cell each were tokenized whole.
    tokenized.clear()
    folder = tmp_path / "hw"
    folder.mkdir()
    (folder / "main.py").write_text("x = 1\n")
    for i in range(40):
        (folder / f"nb{i:02}.ipynb").write_bytes(notebook(with_magic))
    assert len(load_submission(folder).files) == 41
    assert tokenized and sum(tokenized) <= loaders.MAX_TOKENIZED_CHARS
    for old in folder.glob("*.ipynb"):
        old.unlink()
    third = loaders.MAX_NOTEBOOK_LINES * 2 // 5  # each notebook under the cap, the three over it
    for i in range(3):
        (folder / f"long{i}.ipynb").write_bytes(notebook("x = 1\n" * third))
    sub = load_submission(folder)
    assert sorted(sub.files) == ["long0.py", "long1.py", "main.py"]
    assert any("long2.ipynb: its code cells hold" in note and "not graded" in note for note in sub.notes)


def test_notebook_of_many_indented_magic_lines_reads_as_before(tmp_path: Path) -> None:
    """Each indented magic line looked back over every line written before it for the line that opens its
    block: a 100 KB cell of 20,000 ` !x` lines cost the parent ~28 s of CPU (quadratic). Now the last code
    line is kept as the lines go; what is written is unchanged (its cost: `python -m bench.parent_parse`)."""
    path = tmp_path / "magics.ipynb"
    source = "\n".join([" !x"] * 20_000) + "\nx = 1"  # a line of code: a notebook of none is refused, empty
    path.write_text(json.dumps({"cells": [{"cell_type": "code", "source": source}]}))
    lines = load_submission(path).files["magics.py"].decode().splitlines()
    assert lines[2:] == [""] * 20_000 + ["x = 1"]


def test_notebook_appending_writefile_cells_join_once(tmp_path: Path) -> None:
    """`%%writefile -a` cells append to one file: each one copied the file written so far, and checked the
    target's name again. An 8 MB notebook of 79,000 such cells cost the parent ~7 s of CPU (quadratic); the
    parts are now joined once and a name checked once (its cost: `python -m bench.parent_parse`). An earlier
    `%%writefile` without -a still replaces what was written before it, as in Jupyter."""
    cell = {"cell_type": "code", "source": "%%writefile -a a.py\n" + "#" * 49 + "\n"}
    first = {"cell_type": "code", "source": "%%writefile a.py\nold = 1\n"}
    reset = {"cell_type": "code", "source": "%%writefile a.py\nx = 1\n"}
    path = tmp_path / "many.ipynb"
    path.write_text(json.dumps({"cells": [first, reset, *[cell] * 79_000]}, separators=(",", ":")))
    assert path.stat().st_size < loaders.MAX_BYTES
    assert load_submission(path).files["a.py"] == b"x = 1\n" + (b"#" * 49 + b"\n") * 79_000


def _notebook(sources: list[str]) -> bytes:
    cells = [{"cell_type": "code", "metadata": {}, "outputs": [], "source": src} for src in sources]
    return json.dumps({"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}).encode()


def test_a_notebook_in_a_folder_or_zip_is_made_into_its_module(tmp_path: Path) -> None:
    """A zipped Colab notebook (`HW2/MiniFlow_HW.ipynb`, no .py) is code: `MiniFlow_HW.py` with its cells,
    as a notebook handed in alone (it was left as an .ipynb and graded 'no Python file'); the pair is kept
    so that messages name the notebook; a %%writefile'd module lands beside it."""
    nb = _notebook(["%%writefile helpers.py\ndef f():\n    return 1\n", "class Input:\n    pass\n"])
    zipped = _zip(
        tmp_path / "hw.zip", {"HW2/MiniFlow_HW.ipynb": nb, "__MACOSX/HW2/._MiniFlow_HW.ipynb": b"x"}
    )
    loaded = load_submission(zipped)
    assert sorted(loaded.files) == ["MiniFlow_HW.py", "helpers.py"]
    assert "class Input:" in loaded.files["MiniFlow_HW.py"].decode()
    assert loaded.notebooks == (("MiniFlow_HW.py", "MiniFlow_HW.ipynb"),)
    folder = tmp_path / "folder"
    (folder / "sub").mkdir(parents=True)
    (folder / "sub" / "hw.ipynb").write_bytes(nb)
    assert load_submission(folder).notebooks == (("sub/hw.py", "sub/hw.ipynb"),)


@pytest.mark.parametrize("where", ["", "hw/"])
def test_a_file_handed_in_wins_over_a_notebooks_module_named_in_another_case(
    tmp_path: Path, where: str
) -> None:
    """`MiniFlow.ipynb` beside `miniflow.py` (its export, or an older copy) made `MiniFlow.py`, and the whole
    submission was refused as a case clash naming that file, which the student never had: 0 points. The
    student's file wins as it does beside `miniflow.ipynb`, with the same note. Control: a notebook of
    another name is still made into its module."""
    nb = _notebook(["class Input:\n    pass\n"])
    files = {
        "README.md": b"# hw\n",
        f"{where}miniflow.py": b"class Input: ...\n",
        f"{where}MiniFlow.ipynb": nb,
    }
    loaded = load_submission(_zip(tmp_path / "both.zip", files))
    assert sorted(loaded.files) == ["README.md", f"{where}miniflow.py"] and loaded.notebooks == ()
    said = f"{where}MiniFlow.ipynb and {where}miniflow.py are both in the submission: {where}miniflow.py is"
    assert any(said in n for n in loaded.notes), loaded.notes
    other = {"README.md": b"# hw\n", f"{where}miniflow.py": b"x = 1\n", f"{where}MiniFlow_HW.ipynb": nb}
    assert load_submission(_zip(tmp_path / "other.zip", other)).notebooks == (
        (f"{where}MiniFlow_HW.py", f"{where}MiniFlow_HW.ipynb"),
    )


STARTER = "class Input:\n    def forward(self):\n        pass\n\n    def backward(self):\n        pass\n"
WORK = "class Input:\n    def forward(self):\n        return 1\n\n    def backward(self):\n        return 2\n"


def test_a_notebooks_work_wins_over_another_notebooks_starter_of_the_same_module(tmp_path: Path) -> None:
    """Review of s21-repo, finding 4: Lesson.ipynb's `%%writefile MiniFlow.py` (the starter) and
    miniflow.ipynb (the work) both make the module: miniflow.ipynb's was dropped without a word and the
    stub graded (6.5 of 43). The copy with fewer stubs is graded and the other named."""
    files = {
        "Lesson.ipynb": _notebook([f"%%writefile MiniFlow.py\n{STARTER}"]),
        "miniflow.ipynb": _notebook([WORK]),
    }
    loaded = load_submission(_zip(tmp_path / "nb.zip", files))
    assert "MiniFlow.py" not in loaded.files and "return 1" in loaded.files["miniflow.py"].decode()
    said = "Lesson.ipynb's MiniFlow.py holds more unwritten functions (a starter's stubs): miniflow.ipynb's"
    assert any(said in n for n in loaded.notes), loaded.notes


def test_a_notebooks_work_wins_over_the_starter_handed_in_beside_it(tmp_path: Path) -> None:
    """Review of s21-repo, finding 4 (nbA): the untouched starter miniflow.py beside MiniFlow.ipynb holding
    the work won (6.5 of 43, "remove miniflow.py"). The notebook is graded, the starter named."""
    files = {"miniflow.py": STARTER.encode(), "MiniFlow.ipynb": _notebook([WORK])}
    loaded = load_submission(_zip(tmp_path / "nb.zip", files))
    assert sorted(loaded.files) == ["MiniFlow.py"]
    assert loaded.notebooks == (("MiniFlow.py", "MiniFlow.ipynb"),)
    assert any("miniflow.py holds more unwritten functions" in n for n in loaded.notes), loaded.notes


def _tokenised(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The lengths of the texts `choice.stub_bodies` reads from now on, none of them cached before."""
    from grader.inside import choice

    lengths: list[int] = []
    real = choice.stub_bodies
    monkeypatch.setattr(choice, "_STUB_CACHE", {})
    monkeypatch.setattr(choice, "stub_bodies", lambda text: lengths.append(len(text)) or real(text))
    return lengths


def test_the_copies_of_a_module_many_notebooks_write_are_read_within_one_budget(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A 64 KiB miniflow.py handed in beside 12 notebooks that each `%%writefile miniflow.py` was read again
    for each of them (12 x 64 KiB tokenised; 150 notebooks and 128 KiB cost the parent minutes): every
    content is read once, all of them within one tie's budget (`choice.STUB_READ_BUDGET`, an equal share
    each), and the file handed in is still the one graded (as many stubs as the notebooks' copies: the
    earlier one stays)."""
    from grader.inside import choice

    handed = b"def f(x):\n    return x\n" * (64 * 1024 // 24)
    files = {"miniflow.py": handed}
    files |= {f"nb{i:02}.ipynb": _notebook([f"%%writefile miniflow.py\nx = {i}\n"]) for i in range(12)}
    read = _tokenised(monkeypatch)
    loaded = load_submission(_zip(tmp_path / "many.zip", files))
    assert loaded.files["miniflow.py"] == handed
    share = choice.STUB_READ_BUDGET // 13  # 13 distinct contents, an equal share each
    assert sorted(read) == sorted([share, *(len(f"x = {i}\n") for i in range(12))])
    assert sum(read) <= choice.STUB_READ_BUDGET


def test_many_distinct_copies_of_a_module_share_one_budget_and_the_work_still_wins(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The starter handed in and three notebooks each writing its own 100 KiB version of the module: four
    distinct copies read within one tie's budget together (a quarter of it each; read pair by pair, 600
    KiB). The work (no stubs in the part read) wins over the starter and the two copies with stubs, as read
    whole."""
    from grader.inside import choice

    filler = "def f(x):\n    return x\n" * (100 * 1024 // 24)
    stub, done = "def g(x):\n    pass\n", "def g(x):\n    return 2\n"
    files = {"miniflow.py": (stub * 3 + filler).encode()}
    for name, body in (("a", stub * 2), ("b", done), ("c", stub)):
        files[f"{name}.ipynb"] = _notebook([f"%%writefile miniflow.py\n{body}{filler}"])
    read = _tokenised(monkeypatch)
    loaded = load_submission(_zip(tmp_path / "versions.zip", files))
    assert loaded.files["miniflow.py"].startswith(done.encode())
    assert len(read) == 4 and sum(read) <= choice.STUB_READ_BUDGET


def test_copies_of_a_module_compared_on_their_first_bytes_alone_say_so(tmp_path: Path) -> None:
    """Four distinct 100 KiB copies of miniflow.py (the starter handed in, three notebooks' versions): each
    compared on its first 64 KiB (a quarter of `choice.STUB_READ_BUDGET`), so a version finished further
    down may have lost; each clash's note says so, in the words of a copy choice cut short (before session 35
    the notes said nothing of it). The third notebook's version, with more stubs than the second's, is
    named too (before, a notebook's version that had replaced the file handed in set it aside without a
    word). Control: the two small notebooks below say nothing of a cut."""
    from grader.inside import choice

    filler = "def f(x):\n    return x\n" * (100 * 1024 // 24)
    stub, done = "def g(x):\n    pass\n", "def g(x):\n    return 2\n"
    files = {"miniflow.py": (stub * 3 + filler).encode()}
    for name, body in (("a", stub * 2), ("b", done), ("c", stub)):
        files[f"{name}.ipynb"] = _notebook([f"%%writefile miniflow.py\n{body}{filler}"])
    loaded = load_submission(_zip(tmp_path / "versions.zip", files))
    clashes = [n for n in loaded.notes if "makes miniflow.py" in n]
    said = f"; {choice.cut_short(choice.STUB_READ_BUDGET // 4)}"
    assert len(clashes) == 3 and all(n.endswith(said) for n in clashes), loaded.notes
    assert clashes[2].startswith(
        "note: c.ipynb makes miniflow.py, as b.ipynb makes miniflow.py: b.ipynb's is"
    )
    assert "first 65,536 bytes of each copy only" in said
    small = {
        "Lesson.ipynb": _notebook([f"%%writefile MiniFlow.py\n{WORK}"]),
        "miniflow.ipynb": _notebook([WORK.replace("return 1", "return 3")]),
    }
    notes = load_submission(_zip(tmp_path / "nb.zip", small)).notes
    assert any("makes miniflow.py" in n for n in notes) and not any("cut short" in n for n in notes), notes


def test_a_clash_of_copies_read_whole_does_not_say_cut_short_beside_one_that_was(tmp_path: Path) -> None:
    """Two 100 KiB versions of miniflow.py (handed in, and a notebook's) are compared on their first 64 KiB;
    the same notebook's small helpers.py, beside a starter helpers.py with more stubs, is read whole. The cut
    clause was worked out once for the submission and ended both notes (review of session 35): it ends the
    large clash's note only."""
    filler = "def f(x):\n    return x\n" * (100 * 1024 // 24)
    stub, done = "def g(x):\n    pass\n", "def g(x):\n    return 2\n"
    files = {
        "miniflow.py": (stub * 3 + filler).encode(),
        "helpers.py": (stub * 2).encode(),
        "work.ipynb": _notebook(
            [f"%%writefile miniflow.py\n{done}{filler}", f"%%writefile helpers.py\n{done}"]
        ),
    }
    notes = load_submission(_zip(tmp_path / "two.zip", files)).notes
    (large,) = [n for n in notes if "makes miniflow.py" in n]
    (small,) = [n for n in notes if "makes helpers.py" in n]
    assert "choice cut short" in large, notes
    assert "choice cut short" not in small, notes


def test_two_notebooks_making_one_module_alike_name_the_one_not_graded(tmp_path: Path) -> None:
    """Negative control of the two above: with as many stubs, the first notebook's module stays (as a file
    handed in stays beside its notebook), and the other notebook is named, never dropped without a word."""
    files = {
        "Lesson.ipynb": _notebook([f"%%writefile MiniFlow.py\n{WORK}"]),
        "miniflow.ipynb": _notebook([WORK.replace("return 1", "return 3")]),
    }
    loaded = load_submission(_zip(tmp_path / "nb.zip", files))
    assert "miniflow.py" not in loaded.files and "return 1" in loaded.files["MiniFlow.py"].decode()
    said = "miniflow.ipynb makes miniflow.py (a name that differs from MiniFlow.py only in case), as Lesson"
    assert any(said in n for n in loaded.notes), loaded.notes


def test_a_file_handed_in_wins_over_the_one_a_notebook_would_make(tmp_path: Path) -> None:
    """`miniflow.py` beside `miniflow.ipynb` (the notebook exported, or its %%writefile target): the
    student's file is kept byte for byte and the notebook adds nothing of that name. A notebook that cannot be
    read beside Python files is a note; alone, it refuses the load as `unreadable` (controls)."""
    nb = _notebook(["%%writefile miniflow.py\nclass Input:\n    pass\n", "x = 1\n"])
    both = _zip(tmp_path / "both.zip", {"miniflow.py": b"class Input: ...\n", "miniflow.ipynb": nb})
    loaded = load_submission(both)
    assert loaded.files["miniflow.py"] == b"class Input: ...\n" and loaded.notebooks == ()
    assert any(
        "miniflow.ipynb and miniflow.py are both in the submission: miniflow.py is graded" in n
        for n in loaded.notes
    )
    other = _zip(tmp_path / "other.zip", {"miniflow.py": b"x = 1\n", "nn.ipynb": _notebook(["y = 2\n"])})
    assert load_submission(other).notes == ()  # the lesson's notebook beside its module: nothing to say
    broken = _zip(tmp_path / "broken.zip", {"miniflow.py": b"x = 1\n", "scratch.ipynb": b"{not json"})
    noted = load_submission(broken)
    assert sorted(noted.files) == ["miniflow.py"]
    assert any("scratch.ipynb is not a readable Jupyter notebook" in n for n in noted.notes)
    alone = _zip(tmp_path / "alone.zip", {"hw/scratch.ipynb": b"{not json"})
    with pytest.raises(SubmissionError) as err:
        load_submission(alone)
    assert err.value.code == "unreadable"


def _with_plots(source: str, plot_bytes: int) -> bytes:
    """A notebook whose one code cell is `source`, with a plot of `plot_bytes` base64 characters as output."""
    plot = {"output_type": "display_data", "data": {"image/png": "A" * plot_bytes}, "metadata": {}}
    cell = {"cell_type": "code", "metadata": {}, "execution_count": 1, "source": source, "outputs": [plot]}
    return json.dumps({"cells": [cell], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}).encode()


def test_a_notebook_made_large_by_its_outputs_is_graded_on_its_code(tmp_path: Path) -> None:
    """A notebook of 10 MiB of plots and 2 lines of code was refused as over the 8 MiB cap, alone, in a
    folder and zipped (a chapter's notebook saved with its figures): the student scored 0 for what the
    grader never runs. Only its code counts toward MAX_BYTES; code over it is still refused (control)."""
    raw = _with_plots("x = 1\ny = 2\n", 10 << 20)
    assert len(raw) > loaders.MAX_BYTES
    (tmp_path / "hw").mkdir()
    (tmp_path / "hw" / "hw.ipynb").write_bytes(raw)
    (tmp_path / "alone.ipynb").write_bytes(raw)
    zipped = _zip(tmp_path / "hw.zip", {"hw/hw.ipynb": raw})
    for submission in (tmp_path / "alone.ipynb", tmp_path / "hw", zipped):
        files = load_submission(submission).files
        (module,) = [data for rel, data in files.items() if rel.endswith(".py")]
        assert module.endswith(b"# grader: code cell 1\nx = 1\ny = 2\n"), submission
    big_code = _with_plots("#" * 2_000 + "\n", 10)
    for name in ("alone.ipynb", "hw/hw.ipynb"):
        (tmp_path / name).write_bytes(big_code)
    _zip(zipped, {"hw/hw.ipynb": big_code})
    for submission in (tmp_path / "alone.ipynb", tmp_path / "hw", zipped):
        with pytest.raises(SubmissionError) as err:
            load_submission(submission, max_bytes=1_000)
        assert err.value.code == "too_large" and "(limit 1,000)" in err.value.message, submission


def test_notebooks_past_their_own_cap_are_refused_before_they_are_parsed(tmp_path: Path, monkeypatch) -> None:
    """The notebooks of a submission, outputs included, are capped together (the parent parses each one's
    JSON whole): past MAX_NOTEBOOK_BYTES the refusal says to clear the outputs, alone, in a folder (two
    notebooks that fit one by one) and zipped (on the declared sizes, before anything is inflated)."""
    monkeypatch.setattr(loaders, "MAX_NOTEBOOK_BYTES", 50_000)
    parsed: list[str] = []
    real = loaders.notebook_files
    monkeypatch.setattr(
        loaders, "notebook_files", lambda raw, name, *a: parsed.append(name) or real(raw, name, *a)
    )
    half = _with_plots("x = 1\n", 30_000)
    (tmp_path / "alone.ipynb").write_bytes(_with_plots("x = 1\n", 60_000))
    (tmp_path / "hw").mkdir()
    (tmp_path / "hw" / "a.ipynb").write_bytes(half)
    (tmp_path / "hw" / "b.ipynb").write_bytes(half)
    zipped = _zip(tmp_path / "hw.zip", {"hw/a.ipynb": half, "hw/b.ipynb": half})
    for submission in (tmp_path / "alone.ipynb", tmp_path / "hw", zipped):
        with pytest.raises(SubmissionError) as err:
            load_submission(submission)
        assert err.value.code == "too_large" and "(limit 50,000)" in err.value.message, submission
        assert "clear the outputs" in err.value.message
    assert parsed == []
    (tmp_path / "hw" / "b.ipynb").unlink()  # control: one notebook under the cap loads
    assert "a.py" in load_submission(tmp_path / "hw").files


def _with_lists(source: str, lists: int) -> bytes:
    """A notebook whose one code cell is `source`, with `lists` empty lists in its metadata: `[],` is three
    bytes, and each a value `json.loads` builds (about 0.6 us and 75 bytes in the parent)."""
    raw = _with_plots(source, 0)
    return raw[:-1] + b', "x": [' + b"[]," * (lists - 1) + b"[]]}"


def test_notebook_json_of_millions_of_values_is_refused_before_it_is_parsed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A 60 MB notebook of `[],` in its metadata (under MAX_NOTEBOOK_BYTES) cost `grader grade` 62 s
    and 1.6 GB in the parent, parsed three times. Past MAX_NOTEBOOK_VALUES (commas and brackets counted)
    a notebook is refused unparsed, alone and zipped, and so are notebooks that pass one by one but not
    together; those under the cap are read (control)."""
    parsed: list[int] = []
    real = json.loads
    monkeypatch.setattr(
        loaders.json, "loads", lambda text, **kw: parsed.append(len(text)) or real(text, **kw)
    )
    over = _with_lists("x = 1\n", loaders.MAX_NOTEBOOK_VALUES // 2 + 1)  # two counted a list: `[` and `,`
    (tmp_path / "alone.ipynb").write_bytes(over)
    zipped = _zip(tmp_path / "hw.zip", {"hw/hw.ipynb": over})
    (tmp_path / "hw").mkdir()
    for part, lists in (("a", 1_000), ("b", 1_000), ("c", loaders.MAX_NOTEBOOK_VALUES // 2 - 100)):
        (tmp_path / "hw" / f"{part}.ipynb").write_bytes(_with_lists("x = 1\n", lists))  # c alone: under
    for submission in (tmp_path / "alone.ipynb", zipped, tmp_path / "hw"):
        parsed.clear()
        with pytest.raises(SubmissionError) as err:
            load_submission(submission)
        assert err.value.code == "too_large", submission
        assert f"(limit {loaders.MAX_NOTEBOOK_VALUES:,} " in err.value.message
        assert "clear the outputs" in err.value.message
        # a and b may be parsed (for their cells, their run order) before c is met; c (megabytes) never
        assert all(size < 100_000 for size in parsed), submission
        assert parsed == [] or submission.name == "hw", submission
    (tmp_path / "hw" / "c.ipynb").unlink()
    assert {"a.py", "b.py"} <= set(load_submission(tmp_path / "hw").files)


def test_zip_entry_whose_deflate_stream_does_not_inflate_is_a_bad_archive(tmp_path: Path) -> None:
    """A Deflate entry whose compressed bytes are garbage made zipfile raise zlib.error, which the loader let
    through: `grader check` died with a traceback and a batch called it unreadable by the grader. It is the
    archive's fault, said as such; the control, the same archive untouched, reads."""
    good = _zip(tmp_path / "good.zip", {"miniflow.py": b"x = 1\n" * 200})
    assert load_submission(good).files["miniflow.py"] == b"x = 1\n" * 200
    data = bytearray(good.read_bytes())
    start = 30 + len("miniflow.py")  # the entry's compressed bytes follow its local header and name
    data[start : start + 3] = b"\xff\xff\xff"  # block type 3: reserved, never valid
    bad = tmp_path / "bad.zip"
    bad.write_bytes(bytes(data))
    with pytest.raises(SubmissionError) as err:
        load_submission(bad)
    assert err.value.code == "bad_archive" and "cannot read 'miniflow.py'" in err.value.message


def test_notebook_with_a_lone_surrogate_is_unreadable_not_a_loader_crash(tmp_path: Path) -> None:
    """JSON's "\\ud800" is a str UTF-8 cannot hold: writing the notebook's module raised UnicodeEncodeError
    out of the loader. Refused as unreadable, naming the code cell; the control, a whole escaped pair (an
    emoji), reads."""
    cell = '{"cell_type": "markdown", "source": "hi"}, {"cell_type": "code", "source": "x = 1"}, '
    path = tmp_path / "nb.ipynb"
    path.write_text('{"cells": [' + cell + '{"cell_type": "code", "source": "s = \'\\ud800\'"}]}')
    with pytest.raises(SubmissionError) as err:
        load_submission(path)
    assert err.value.code == "unreadable" and "code cell 2 holds a lone surrogate" in err.value.message
    path.write_text('{"cells": [' + cell + '{"cell_type": "code", "source": "s = \'\\ud83d\\ude00\'"}]}')
    assert "s = '\U0001f600'" in load_submission(path).files["nb.py"].decode("utf-8")


def _damaged(tmp_path: Path, name: str, patch: Callable[[bytearray, int], None]) -> Path:
    """A one-entry zip ('a.py') with `patch(data, offset of the central directory entry)` applied."""
    data = bytearray(_zip(tmp_path / "good.zip", {"a.py": b"x = 1\n" * 50}).read_bytes())
    patch(data, data.find(b"PK\x01\x02"))
    path = tmp_path / name
    path.write_bytes(bytes(data))
    return path


def _later_format_version(data: bytearray, cd: int) -> None:
    data[cd + 6] = 124  # "version needed to extract": 12.4, past what zipfile reads


def _local_name_not_utf8(data: bytearray, cd: int) -> None:
    struct.pack_into("<H", data, 6, struct.unpack_from("<H", data, 6)[0] | 0x800)  # the local name is UTF-8
    data[30] = 0x93  # ... and is not


@pytest.mark.parametrize("patch", [_later_format_version, _local_name_not_utf8])
def test_a_damaged_zip_is_a_bad_archive_not_a_loader_crash(tmp_path: Path, patch: Any) -> None:
    """Found by flipping bytes of a small zip: zipfile raised NotImplementedError (a later format version)
    and UnicodeDecodeError (a local name flagged UTF-8 that is not), which the loader let through (a
    traceback from `grader check`). Both are the archive's fault; the control, the zip untouched, reads."""
    assert load_submission(_damaged(tmp_path, "control.zip", lambda d, cd: None)).files["a.py"]
    with pytest.raises(SubmissionError) as err:
        load_submission(_damaged(tmp_path, "bad.zip", patch))
    assert err.value.code == "bad_archive", err.value.message


def test_a_zip_entry_with_an_empty_name_is_refused(tmp_path: Path) -> None:
    """ZipInfo.is_dir() raised IndexError on an entry named '' (one byte flipped in a name's length field
    can make one): refused as an unsafe name instead; the control: a named entry reads."""
    path = tmp_path / "empty.zip"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("ok.py", b"x = 1\n")
        zf.writestr(zipfile.ZipInfo(""), b"y = 2\n")
    assert "" in zipfile.ZipFile(path).namelist()
    with pytest.raises(SubmissionError) as err:
        load_submission(path)
    assert err.value.code == "unsafe_path" and "the name is empty" in err.value.message


def test_a_notebook_saved_with_a_utf8_byte_order_mark_is_read(tmp_path: Path) -> None:
    """A notebook whose JSON starts with UTF-8's byte-order mark (saved again from Notepad or another Windows
    editor) was refused whole, "not a readable Jupyter notebook: Unexpected UTF-8 BOM", and scored 0; the
    mark is no part of the JSON and is read past, alone or in a zip. Control: a mark in the middle of the
    file is still bad JSON."""
    nb = _notebook(["import numpy as np\n", "class Input:\n    pass\n"])
    path = tmp_path / "MiniFlow.ipynb"
    path.write_bytes(b"\xef\xbb\xbf" + nb)
    assert "class Input:" in load_submission(path).files["MiniFlow.py"].decode("utf-8")
    zipped = _zip(tmp_path / "hw.zip", {"HW/MiniFlow.ipynb": b"\xef\xbb\xbf" + nb})
    assert "MiniFlow.py" in load_submission(zipped).files
    path.write_bytes(nb[:1] + b"\xef\xbb\xbf" + nb[1:])
    with pytest.raises(SubmissionError, match="not a readable Jupyter notebook"):
        load_submission(path)


def _venv(root: Path, files: int) -> None:
    """A virtual environment as `python -m venv venv` leaves it, with `files` modules installed."""
    site = root / "venv" / "lib" / "python3.8" / "site-packages" / "numpy"
    site.mkdir(parents=True)
    (root / "venv" / "pyvenv.cfg").write_text("home = /usr/bin\n")
    for i in range(files):
        (site / f"m{i}.py").write_text(f"x = {i}\n")


def test_a_virtual_environment_in_a_repository_is_left_out_with_a_note(tmp_path: Path) -> None:
    """A repository handed in with its venv/ (250 installed modules): graded on the student's code, the venv
    named in a note. It was refused ("251 files (limit 200): hand in only your code"). Control: the same
    modules in a folder that is no environment (no pyvenv.cfg, no site-packages) still count."""
    repo = tmp_path / "repo"
    (repo / "miniflow").mkdir(parents=True)
    (repo / "miniflow" / "miniflow.py").write_text("class Input:\n    pass\n")
    _venv(repo, 250)
    loaded = load_submission(repo)
    assert sorted(loaded.files) == ["miniflow/miniflow.py"]
    assert any("'venv/'" in note and "installed packages" in note for note in loaded.notes)
    (repo / "venv" / "pyvenv.cfg").unlink()
    lib = repo / "venv" / "lib" / "python3.8"
    (lib / "site-packages").rename(lib / "pkgs")
    with pytest.raises(SubmissionError) as err:
        load_submission(repo)
    assert err.value.code == "too_large"


_VENV_PARTS = {
    "pyvenv.cfg": b"home = /usr/bin\n",
    "bin/activate_this.py": b"import nothing_here\n",
    "lib/python3.10/site-packages/six.py": b"import nothing_here\n",
    "include/site/python3.10/x.h": b"",
}


@pytest.mark.parametrize("top", ["hw/", ""], ids=["one top folder", "no top folder"])
def test_a_venv_made_in_the_project_folder_of_a_zip_keeps_the_code(tmp_path: Path, top: str) -> None:
    """`python -m venv .` puts pyvenv.cfg, bin/ and lib/ beside the student's code: only the environment's
    parts are left out (the zip `hw/pyvenv.cfg, hw/miniflow.py, hw/lib/...` loaded as "contains no files");
    a zip of a venv and nothing else is still left out whole (control)."""
    entries = {top + name: data for name, data in _VENV_PARTS.items()}
    code = {f"{top}miniflow.py": b"class Input:\n    pass\n", f"{top}nodes/graph.py": b"x = 1\n"}
    loaded = load_submission(_zip(tmp_path / "hw.zip", entries | code))
    assert sorted(loaded.files) == ["miniflow.py", "nodes/graph.py"]
    (note,) = [n for n in loaded.notes if "installed packages" in n]
    assert "'bin/', 'include/', 'lib/'" in note
    with pytest.raises(SubmissionError) as err:
        load_submission(_zip(tmp_path / "venv.zip", entries))
    assert err.value.code == "empty"


def test_a_venv_made_in_a_folder_of_code_on_disk_keeps_the_code(tmp_path: Path) -> None:
    """A repository whose `hw2/` has its own pyvenv.cfg beside hw2/miniflow.py (was left out whole), and a
    project folder that is itself the venv's folder: the code stays, the venv's parts are left out."""
    repo = tmp_path / "repo"
    for name, data in {**_VENV_PARTS, "miniflow.py": b"class Input:\n    pass\n"}.items():
        (repo / "hw2" / name).parent.mkdir(parents=True, exist_ok=True)
        (repo / "hw2" / name).write_bytes(data)
    (repo / "README.md").write_text("hw\n")
    loaded = load_submission(repo)
    assert sorted(loaded.files) == ["README.md", "hw2/miniflow.py"]
    assert any("'hw2/bin/', 'hw2/include/', 'hw2/lib/'" in n for n in loaded.notes)
    assert sorted(load_submission(repo / "hw2").files) == ["miniflow.py"]


_STUDENT_PARTS = {
    "lib/__init__.py": b"",
    "lib/nodes.py": b"class Input:\n    pass\n",
    "bin/run.py": b"x = 1\n",
    "include/helpers.py": b"x = 1\n",
    "share/data.py": b"x = 1\n",
    "etc/config.py": b"x = 1\n",
    "Scripts/train.py": b"x = 1\n",
}


def test_a_student_folder_named_like_a_venv_part_is_kept(tmp_path: Path) -> None:
    """The reviewer's venvlib: `from lib.nodes import *` in miniflow.py beside a pyvenv.cfg; lib/ was left
    out as the environment's and every case errored. A part is left out only when it looks like the
    environment's own (lib/ holding python3*/site-packages, bin/ activate or python, include/ python3* or
    site): the student's lib/, bin/, include/, share/, etc/, Scripts/ of modules stay, in a zip and on
    disk. Control: a real venv's parts beside the same code (`_VENV_PARTS`, with Windows' Lib/site-packages
    and Scripts/activate.bat, bin/python as a file) are still left out."""
    code = {"miniflow.py": b"from lib.nodes import *\n", "pyvenv.cfg": b"home = /usr/bin\n"}
    loaded = load_submission(_zip(tmp_path / "hw.zip", {**code, **_STUDENT_PARTS}))
    assert sorted(loaded.files) == sorted(["miniflow.py", *_STUDENT_PARTS])
    repo = tmp_path / "repo"
    for name, data in {**code, **_STUDENT_PARTS}.items():
        (repo / name).parent.mkdir(parents=True, exist_ok=True)
        (repo / name).write_bytes(data)
    assert sorted(load_submission(repo).files) == sorted(["miniflow.py", *_STUDENT_PARTS])
    venv = {
        **_VENV_PARTS,
        "bin/python": b"",
        "Lib/site-packages/six.py": b"import nothing_here\n",
        "Scripts/activate.bat": b"",
        "share/man/man1/x.1": b"",
    }
    loaded = load_submission(_zip(tmp_path / "venv.zip", {**code, **venv}))
    assert sorted(loaded.files) == ["miniflow.py"]
    repo = tmp_path / "venv"
    for name, data in {**code, **venv}.items():
        (repo / name).parent.mkdir(parents=True, exist_ok=True)
        (repo / name).write_bytes(data)
    assert sorted(load_submission(repo).files) == ["miniflow.py"]


def test_a_venv_zipped_with_its_links_is_left_out_not_refused(tmp_path: Path) -> None:
    """macOS's Compress keeps a venv's bin/python as a symlink: the venv is left out unread, so its link is
    never refused (it was: unsafe_path); a link in the student's own code still is (control)."""
    path = tmp_path / "hw.zip"

    def write(link: str) -> Path:
        with zipfile.ZipFile(path, "w") as zf:
            zf.writestr("hw/miniflow.py", b"class Input:\n    pass\n")
            zf.writestr("hw/venv/pyvenv.cfg", b"home = /usr/bin\n")
            info = zipfile.ZipInfo(link)
            info.external_attr = (stat.S_IFLNK | 0o777) << 16
            zf.writestr(info, "/usr/bin/python3")
        return path

    assert sorted(load_submission(write("hw/venv/bin/python")).files) == ["miniflow.py"]
    with pytest.raises(SubmissionError) as err:
        load_submission(write("hw/python"))
    assert err.value.code == "unsafe_path"


def test_leaving_environments_out_of_a_zip_is_linear(tmp_path: Path) -> None:
    """A zip of 9,990 `d{i}/site-packages/x` entries cost the parent 13 s of CPU (each root compared with
    every other, each entry with every root). Ten times the entries may cost at most about ten times the CPU
    (a ratio, not a time: quadratic work is a hundred times)."""

    def cost(count: int) -> float:
        path = _zip(tmp_path / f"many{count}.zip", {"miniflow.py": b"x = 1\n"})
        with zipfile.ZipFile(path, "a") as zf:
            for i in range(count):
                zf.writestr(f"d{i}/site-packages/x", b"")
        times = []
        for _ in range(3):
            start = time.process_time()
            assert sorted(load_submission(path).files) == ["miniflow.py"]
            times.append(time.process_time() - start)
        return min(times)

    assert cost(9_990) / cost(999) < 30


def test_package_folders_and_environments_are_left_out_of_a_zip(tmp_path: Path) -> None:
    """In a zip: a venv's top folder (its pyvenv.cfg), a conda environment (conda-meta/) and a lone
    site-packages folder (Windows' Lib/site-packages copied beside the code) are left out, named without the
    zip's top folder; the student's own `env.py` and a package named `env/` without a marker stay."""
    entries = {
        "hw/miniflow.py": b"class Input:\n    pass\n",
        "hw/env/__init__.py": b"",
        "hw/env.py": b"x = 1\n",
        "hw/venv/pyvenv.cfg": b"home = C:\\Python38\n",
        "hw/venv/Lib/site-packages/six.py": b"import nothing_here\n",
        "hw/conda/conda-meta/history": b"",
        "hw/conda/lib/python3.9/site-packages/tqdm/__init__.py": b"from .std import tqdm\n",
        "hw/Lib/site-packages/numpy/__init__.py": b"raise ImportError\n",
    }
    loaded = load_submission(_zip(tmp_path / "hw.zip", entries))
    assert sorted(loaded.files) == ["env.py", "env/__init__.py", "miniflow.py"]
    (note,) = [n for n in loaded.notes if "installed packages" in n]
    assert "'Lib/site-packages/', 'conda/', 'venv/'" in note


def test_a_zip_of_names_too_deep_is_refused_before_its_listing_is_read_as_a_tree(tmp_path: Path) -> None:
    """The reviewer's deep.zip: 62 names 32,700 folders deep were read into `environments.roots`' tree
    before the depth limit refused the first (10.5 s, 434 MB; 1.25 s before). Every name is checked first:
    12 names 5,000 folders deep are refused (unsafe_path, "folders deep") with under 4 MB traced. Control:
    a name 16 folders deep still loads."""
    deep = {f"{i}/" + "a/" * 5_000 + "x.py": b"x = 1\n" for i in range(12)}
    path = _zip(tmp_path / "deep.zip", deep)
    err, peak = _refused_with_peak(path)
    assert err.code == "unsafe_path"
    assert "folders deep (limit 16)" in err.message
    assert peak < 4_000_000, peak
    ok = "a/" * 15 + "miniflow.py"
    ok_zip = _zip(tmp_path / "ok.zip", {ok: b"x = 1\n", "main.py": b"x = 1\n"})
    assert sorted(load_submission(ok_zip).files) == [ok, "main.py"]


def _link_entry(zf: zipfile.ZipFile, name: str, target: str) -> None:
    info = zipfile.ZipInfo(name)
    info.external_attr = (stat.S_IFLNK | 0o777) << 16
    zf.writestr(info, target)


def test_links_inside_a_folder_are_left_out_with_a_note_not_refused(tmp_path: Path) -> None:
    """A repository sharing common/ between chapters by a link (`ch05/common -> ../common`) and linking its
    README: refused whole for its first link (0 points, "refusing the symlink"). Links are never followed:
    those staying inside are left out, named with their targets, and what they name is loaded in its place."""
    root = tmp_path / "repo"
    (root / "common").mkdir(parents=True)
    (root / "ch05").mkdir()
    (root / "common" / "layers.py").write_bytes(b"class Relu:\n    pass\n")
    (root / "ch05" / "two_layer_net.py").write_bytes(b"from common.layers import *\n")
    (root / "README.md").write_bytes(b"# hw\n")
    os.symlink("../common", root / "ch05" / "common")
    os.symlink("../README.md", root / "ch05" / "README.md")
    os.symlink("common/layers.py", root / "layers.py")
    sub = load_submission(root)
    assert sorted(sub.files) == ["README.md", "ch05/two_layer_net.py", "common/layers.py"]
    (note,) = [n for n in sub.notes if "links are never followed" in n]
    for shown_link in ("'ch05/common' (to '../common')", "'ch05/README.md' (to '../README.md')"):
        assert shown_link in note
    assert "'layers.py' (to 'common/layers.py')" in note


def test_links_inside_a_zip_are_left_out_named_without_its_top_folder(tmp_path: Path) -> None:
    path = tmp_path / "hw.zip"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("repo/common/layers.py", b"class Relu:\n    pass\n")
        zf.writestr("repo/ch05/two_layer_net.py", b"from common.layers import *\n")
        _link_entry(zf, "repo/ch05/common", "../common")
    sub = load_submission(path)
    assert sorted(sub.files) == ["ch05/two_layer_net.py", "common/layers.py"]
    assert any("'ch05/common' (to '../common')" in n for n in sub.notes)


@pytest.mark.parametrize(
    ("name", "target"),
    [
        ("repo/a.py", "/etc/passwd"),
        ("repo/a.py", "../../other/a.py"),  # up past the zip's own top folder
        ("repo/ch05/a.py", "../../../x.py"),
        ("repo/a.py", "..\\..\\x.py"),  # a Windows path: never taken as inside
        ("repo/a.py", "C:/x.py"),
        ("repo/a.py", ""),
    ],
)
def test_a_link_leading_out_is_still_refused(tmp_path: Path, name: str, target: str) -> None:
    """Negative controls: no honest hand-in needs a link out of itself; the message names where it leads."""
    path = tmp_path / "hw.zip"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("repo/b.py", b"x = 1\n")
        _link_entry(zf, name, target)
    with pytest.raises(SubmissionError) as err:
        load_submission(path)
    assert err.value.code == "unsafe_path" and "outside the submission" in err.value.message


def test_a_folder_link_leading_up_and_out_is_refused(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    root.mkdir()
    (root / "a.py").write_bytes(b"x = 1\n")
    (tmp_path / "other.py").write_bytes(b"y = 2\n")
    os.symlink("../other.py", root / "other.py")
    with pytest.raises(SubmissionError) as err:
        load_submission(root)
    assert err.value.code == "unsafe_path" and "'../other.py'" in err.value.message


def _unflagged_utf8_zip(path: Path, names: dict[str, bytes]) -> Path:
    """A zip whose names are UTF-8 bytes without the UTF-8 flag, as macOS's Archive Utility and Info-ZIP's
    `zip` write them: written under ASCII placeholders of the same length, then the bytes swapped in."""
    swaps = {}
    with zipfile.ZipFile(path, "w") as zf:
        for i, (name, data) in enumerate(names.items()):
            raw = name.encode("utf-8")
            placeholder = (f"P{i}" + "x" * len(raw))[: len(raw)].encode("ascii")
            swaps[placeholder] = raw
            zf.writestr(placeholder.decode("ascii"), data)
    blob = path.read_bytes()
    for placeholder, raw in swaps.items():
        blob = blob.replace(placeholder, raw)
    path.write_bytes(blob)
    return path


def test_a_zip_of_utf8_names_without_the_flag_keeps_its_names(tmp_path: Path) -> None:
    """`ゼロから作る Deep Learning/ch05/layer_naive.py` zipped on macOS (or by `zip` on Linux) was read as
    cp437, `πé╝πâ¡...`, in every message and module name. Control: a name that is no UTF-8 (cp437 bytes, as an
    old DOS tool writes `é`) stays as zipfile reads it."""
    path = _unflagged_utf8_zip(
        tmp_path / "hw.zip", {"ゼロから作る/layer_naive.py": b"x = 1\n", "ゼロから作る/README.md": b"#\n"}
    )
    with zipfile.ZipFile(path) as zf:
        assert not any(i.flag_bits & 0x800 for i in zf.infolist())  # the fixture is what the tools write
    assert sorted(load_submission(path).files) == ["README.md", "layer_naive.py"]  # single top stripped
    path = _unflagged_utf8_zip(
        tmp_path / "two.zip", {"ゼロから作る/a.py": b"x = 1\n", "メモ/b.py": b"y = 2\n"}
    )
    assert sorted(load_submission(path).files) == ["ゼロから作る/a.py", "メモ/b.py"]
    dos = tmp_path / "dos.zip"
    with zipfile.ZipFile(dos, "w") as zf:
        zf.writestr("cafxx.py", b"x = 1\n")
    dos.write_bytes(dos.read_bytes().replace(b"cafxx.py", b"caf\x82x.py"))  # cp437 0x82 is é
    assert sorted(load_submission(dos).files) == ["caféx.py"]


_LINK_ATTR = (stat.S_IFLNK | 0o777) << 16


@pytest.mark.parametrize("method", [zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA])
def test_a_link_entry_zipfile_would_inflate_unbounded_is_refused_unread(tmp_path: Path, method: int) -> None:
    """A link's target was read (4 KiB asked) before the method check regular entries get: zipfile inflates a
    bzip2 or LZMA chunk whole, so a 1,769-byte zip made the parent use 4 GiB. Refused by its method, unread,
    saying the target could not be read and why (it said "to '', outside the submission")."""
    path = _lying_entry(tmp_path / "bomb.zip", method, inflated=32 << 20, declared=6, attr=_LINK_ATTR)
    assert path.stat().st_size < 10_000
    err, peak = _refused_with_peak(path)
    assert peak < 4 << 20  # was 32 MiB and more
    assert err.code == "unsafe_path"
    name = {zipfile.ZIP_BZIP2: "bzip2", zipfile.ZIP_LZMA: "LZMA"}[method]
    assert f"'a.py': its target could not be read (it is compressed with {name}," in err.message


def test_a_link_entry_in_deflate64_says_it_cannot_be_read_naming_the_method(tmp_path: Path) -> None:
    """A link compressed with a method zipfile does not read (Deflate64: 7-Zip, Windows' Explorer on large
    folders) was reported "(to '', outside the submission)": it names the method, as a regular entry does."""
    path = _lying_entry(
        tmp_path / "d64.zip", 9, inflated=8, declared=8, written=zipfile.ZIP_STORED, attr=_LINK_ATTR
    )
    with pytest.raises(SubmissionError) as err:
        load_submission(path)
    assert "its target could not be read (it is compressed with Deflate64" in err.value.message
    assert "outside the submission" not in err.value.message


def test_a_zip_link_target_longer_than_a_path_is_refused_not_cut(tmp_path: Path) -> None:
    """A target over 4 KiB was judged on its first 4,096 bytes (`a/a/.../../../../etc` cut inside): refused
    unread. Control: the same link with a target a path can be is left out, inside."""
    for target, refused in (("a/" * 2100 + "../" * 2101 + "etc", True), ("x" * 4000 + "/../b.py", False)):
        path = tmp_path / "hw.zip"
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
            zf.writestr("repo/b.py", b"x = 1\n")
            _link_entry(zf, "repo/k.py", target)
        if not refused:
            assert sorted(load_submission(path).files) == ["b.py"]
            continue
        with pytest.raises(SubmissionError) as err:
            load_submission(path)
        assert (
            f"'repo/k.py': its target could not be read (it declares {len(target):,} bytes, longer"
            in err.value.message
        )


@pytest.mark.parametrize("target", ["m/../b1/bob.py", "m/b.py", "m/", "m/."])
def test_a_zip_link_through_another_link_leads_out(tmp_path: Path, target: str) -> None:
    """`m -> .` then `k.py -> m/../b1/bob.py`: read as text the path stayed inside, but extracted it names
    the folder beside the submission. A step through a link entry leads out. Control: the same target
    without the link step (`b1/bob.py`, `m` itself) stays inside and is left out."""
    path = tmp_path / "hw.zip"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("repo/b.py", b"x = 1\n")
        zf.writestr("repo/b1/bob.py", b"x = 1\n")
        _link_entry(zf, "repo/m", ".")
        _link_entry(zf, "repo/k.py", target)
    with pytest.raises(SubmissionError) as err:
        load_submission(path)
    assert err.value.code == "unsafe_path" and f"'repo/k.py' (to '{target}', outside" in err.value.message
    for inside in ("b1/bob.py", "m", "b1/../b.py"):
        with zipfile.ZipFile(path, "w") as zf:
            zf.writestr("repo/b.py", b"x = 1\n")
            zf.writestr("repo/b1/bob.py", b"x = 1\n")
            _link_entry(zf, "repo/m", ".")
            _link_entry(zf, "repo/k.py", inside)
        assert sorted(load_submission(path).files) == ["b.py", "b1/bob.py"]


def test_a_folder_link_is_inside_only_where_it_really_leads(tmp_path: Path) -> None:
    """`ln -s . m; ln -s m/../b1/bob.py k.py` in a folder beside another student's b1/: the text stays
    inside, the path resolved leads to b1/bob.py beside the submission. Refused, as is any step through
    another link (`j.py -> m/layers.py`: never followed, so not known inside). Control: `m -> .` alone, and
    `i.py -> layers.py`, stay inside."""
    (tmp_path / "b1").mkdir()
    (tmp_path / "b1" / "bob.py").write_bytes(b"x = 2\n")
    root = tmp_path / "esc"
    root.mkdir()
    (root / "layers.py").write_bytes(b"x = 1\n")
    os.symlink(".", root / "m")
    os.symlink("layers.py", root / "i.py")
    assert sorted(load_submission(root).files) == ["layers.py"]
    for name, target in (("k.py", "m/../b1/bob.py"), ("j.py", "m/layers.py")):
        os.symlink(target, root / name)
        with pytest.raises(SubmissionError) as err:
            load_submission(root)
        assert err.value.code == "unsafe_path" and f"'{name}' (to '{target}', outside" in err.value.message
        (root / name).unlink()


def test_a_link_of_more_steps_than_a_path_can_take_leads_out(tmp_path: Path) -> None:
    """A target of thousands of steps (`a/a/.../b.py`) was walked step by step: 5,000 such links cost the
    parent 20 to 50 s. Past 4 x MAX_DEPTH steps it is judged leading out, unwalked. Control: one of 63."""
    root = tmp_path / "repo"
    root.mkdir()
    (root / "b.py").write_bytes(b"x = 1\n")
    os.symlink("a/" * 62 + "b.py", root / "k.py")
    assert sorted(load_submission(root).files) == ["b.py"]
    (root / "k.py").unlink()
    os.symlink("a/" * 64 + "b.py", root / "k.py")
    with pytest.raises(SubmissionError) as err:
        load_submission(root)
    assert "outside the submission" in err.value.message


@pytest.mark.parametrize("name", ["site-packages", "lib64", "venv"])
def test_a_folder_link_named_like_installed_packages_is_judged_as_a_link(tmp_path: Path, name: str) -> None:
    """`site-packages -> /etc` (or `lib64` beside a pyvenv.cfg, or a link to a whole venv) was left out as
    installed packages, never judged as the link it is: refused as leading out. Control: a real
    site-packages folder is still left out as installed packages."""
    venv = tmp_path / "venv"
    (venv / "bin").mkdir(parents=True)
    (venv / "pyvenv.cfg").write_bytes(b"home = /usr/bin\n")
    (venv / "bin" / "activate").write_bytes(b"#\n")
    root = tmp_path / "hw"
    (root / "site-packages" / "numpy").mkdir(parents=True)
    (root / "layers.py").write_bytes(b"x = 1\n")
    (root / "pyvenv.cfg").write_bytes(b"home = /usr/bin\n")
    sub = load_submission(root)
    assert sorted(sub.files) == ["layers.py"] and any("installed packages" in n for n in sub.notes)
    os.rename(root / "site-packages", root / "old-site-packages")
    os.symlink(str(venv) if name == "venv" else "/etc", root / name)
    with pytest.raises(SubmissionError) as err:
        load_submission(root)
    assert f"refusing the symlink '{name}' (to " in err.value.message


def test_a_zip_link_named_like_a_venv_part_is_judged_as_a_link(tmp_path: Path) -> None:
    """Beside a pyvenv.cfg at a zip's top, a link entry `lib64 -> /etc` was left out as the venv's part:
    refused as leading out. Control: `lib64 -> lib` (what venv writes) stays inside, named in the note."""
    for target, refused in (("/etc", True), ("lib", False)):
        path = tmp_path / "hw.zip"
        with zipfile.ZipFile(path, "w") as zf:
            zf.writestr("layers.py", b"x = 1\n")
            zf.writestr("pyvenv.cfg", b"home = /usr/bin\n")
            zf.writestr("lib/python3.11/site-packages/numpy/__init__.py", b"x = 1\n")
            _link_entry(zf, "lib64", target)
        if refused:
            with pytest.raises(SubmissionError) as err:
                load_submission(path)
            assert "refusing the symlink 'lib64' (to '/etc', outside" in err.value.message
        else:
            sub = load_submission(path)
            assert sorted(sub.files) == ["layers.py"]
            assert any("'lib64' (to 'lib')" in n for n in sub.notes)


def test_a_link_to_a_zip_is_never_taken_for_the_zip_uploaded(tmp_path: Path) -> None:
    """`link.zip -> hw.zip` beside a README: the link's record ("name\\x00target") was taken for a lone zip
    and opened: "ValueError: embedded null byte", an internal error. And HW2.zip with `latest.zip ->
    HW2.zip` was refused as two zips: HW2.zip is the one uploaded, the link never followed."""
    root = tmp_path / "lz1"
    root.mkdir()
    (root / "README.md").write_bytes(b"#\n")
    os.symlink("hw.zip", root / "link.zip")
    sub = load_submission(root)
    assert sorted(sub.files) == ["README.md"] and any("'link.zip' (to 'hw.zip')" in n for n in sub.notes)
    honest = tmp_path / "lz2"
    honest.mkdir()
    _zip(honest / "HW2.zip", {"layers.py": b"x = 1\n"})
    os.symlink("HW2.zip", honest / "latest.zip")
    sub = load_submission(honest)
    assert (sub.kind, sorted(sub.files)) == ("zip", ["layers.py"])


def test_a_link_to_a_folder_written_with_a_slash_is_no_venv(tmp_path: Path) -> None:
    """`lib -> common/` (a target ending in '/') was also named as installed packages, with a raw NUL in
    that note: it is named once, as a link."""
    root = tmp_path / "repo"
    (root / "common").mkdir(parents=True)
    (root / "common" / "layers.py").write_bytes(b"x = 1\n")
    os.symlink("common/", root / "lib")
    sub = load_submission(root)
    assert sorted(sub.files) == ["common/layers.py"]
    assert not any("installed packages" in n or "\x00" in n for n in sub.notes)
    assert any("'lib' (to 'common/')" in n for n in sub.notes)


# Run in a child switched to uid 65534 when root (root lists every folder), so that a folder's mode says no
# as it does to a TA's account. argv: the submission folder.
_UNLISTED_PROBE = """
import os, sys
from grader.loaders import SubmissionError, load_submission
if os.geteuid() == 0:
    os.setresgid(65534, 65534, 65534)
    os.setresuid(65534, 65534, 65534)
try:
    print("loaded", sorted(load_submission(sys.argv[1]).files))
except SubmissionError as err:
    print(err.code, err.message)
"""


@pytest.mark.parametrize("locked", [".", "sub"])
def test_a_folder_the_grader_cannot_list_is_unreadable_not_empty(locked: str) -> None:
    """Session 22: a student's folder (or a folder in it) that the grader's user may not list was passed
    over: the folder was "secret contains no files" (`empty`), or graded without the modules in it, though
    the student's code is there. It is `unreadable`, naming the folder. Control: the same folder, readable,
    loads its module."""
    import subprocess
    import sys
    import tempfile

    with tempfile.TemporaryDirectory() as top:
        os.chmod(top, 0o755)
        student = Path(top, "secret")
        (student / "sub").mkdir(parents=True)
        (student / "sub" / "miniflow.py").write_text("x = 1\n")
        (student / "main.py").write_text("from sub.miniflow import x\n")
        for folder in (student, student / "sub"):
            folder.chmod(0o755)
        argv = [sys.executable, "-c", _UNLISTED_PROBE, str(student)]
        ok = subprocess.run(argv, capture_output=True, text=True, timeout=60, cwd="/")
        assert ok.stdout.strip() == "loaded ['main.py', 'sub/miniflow.py']", ok.stdout + ok.stderr
        (student / locked).chmod(0o300 if os.geteuid() != 0 else 0o700)
        try:
            done = subprocess.run(argv, capture_output=True, text=True, timeout=60, cwd="/")
        finally:
            (student / locked).chmod(0o755)
    which = "this folder" if locked == "." else "its folder 'sub'"
    assert done.stdout.strip() == (
        f"unreadable secret: the grader cannot list {which} (Permission denied), so it was not graded: make "
        "it readable to the grader's user and grade it again"
    ), done.stdout + done.stderr


# As _UNLISTED_PROBE, printing the notes too.
_UNLISTED_NOTES_PROBE = _UNLISTED_PROBE.replace(
    'print("loaded", sorted(load_submission(sys.argv[1]).files))',
    'sub = load_submission(sys.argv[1]); print("loaded", sorted(sub.files)); print(*sub.notes, sep="\\n")',
)


def _probe(probe: str, folder: Path) -> str:
    import subprocess
    import sys

    argv = [sys.executable, "-c", probe, str(folder)]
    done = subprocess.run(argv, capture_output=True, text=True, timeout=60, cwd="/")
    assert not done.stderr, done.stderr
    return done.stdout.strip()


@pytest.mark.parametrize("name", ["venv", "env", "node_modules", "build"])
def test_an_unlistable_folder_the_loader_never_reads_is_passed_over_with_a_note(name: str) -> None:
    """Review of session 22, finding 4: a folder the grader's user cannot list, named as one that holds no
    student code (a virtual environment, node_modules, a build's output), failed the whole submission as
    `unreadable`, where the code beside it was readable. It is passed over, named in a note. Control: an
    unlistable folder of any other name (`lib`, where a student's modules may be) is still refused."""
    import tempfile

    with tempfile.TemporaryDirectory() as top:
        os.chmod(top, 0o755)
        student = Path(top, "s")
        student.mkdir(mode=0o755)
        (student / "miniflow.py").write_text("x = 1\n")
        for folder in (name, "lib"):
            (student / folder).mkdir()
            (student / folder / "pyvenv.cfg").write_text("home = /usr/bin\n")
        closed = 0o000 if os.geteuid() != 0 else 0o700  # root's folder, closed to uid 65534
        (student / name).chmod(closed)
        try:
            passed = _probe(_UNLISTED_NOTES_PROBE, student)
            (student / "lib").chmod(closed)
            refused = _probe(_UNLISTED_NOTES_PROBE, student)
        finally:
            (student / name).chmod(0o755)
            (student / "lib").chmod(0o755)
    assert passed.splitlines()[0] == "loaded ['miniflow.py']", passed
    assert f"note: left out, unread: '{name}/' (the grader cannot list it" in passed, passed
    assert refused == (
        "unreadable s: the grader cannot list its folder 'lib' (Permission denied), so it was not graded: "
        "make it readable to the grader's user and grade it again"
    ), refused


def test_an_unreadable_file_or_unenterable_folder_is_named() -> None:
    """Review of session 22, finding 5: a readable folder whose file the grader's user cannot read was
    "eve: Permission denied" (which file?), and a folder it may list but not enter (mode 0644) was "bob:
    Permission denied", not the documented "cannot list" wording. Control: both readable load their file."""
    import tempfile

    with tempfile.TemporaryDirectory() as top:
        os.chmod(top, 0o755)
        eve, bob = Path(top, "eve"), Path(top, "bob")
        for student in (eve, bob):
            (student / "sub").mkdir(parents=True)
            (student / "sub" / "miniflow.py").write_text("x = 1\n")
            for folder in (student, student / "sub"):
                folder.chmod(0o755)
            (student / "sub" / "miniflow.py").chmod(0o644)
        controls = [_probe(_UNLISTED_PROBE, s) for s in (eve, bob)]
        (eve / "sub" / "miniflow.py").chmod(0o000 if os.geteuid() != 0 else 0o600)
        bob.chmod(0o644)
        try:
            shown = [_probe(_UNLISTED_PROBE, s) for s in (eve, bob)]
        finally:
            bob.chmod(0o755)
            (eve / "sub" / "miniflow.py").chmod(0o644)
    assert controls == ["loaded ['sub/miniflow.py']"] * 2, controls
    assert shown == [
        "unreadable eve: 'sub/miniflow.py': Permission denied",
        "unreadable bob: the grader cannot list this folder (Permission denied), so it was not graded: make "
        "it readable to the grader's user and grade it again",
    ], shown


def test_a_left_out_notebook_in_a_folder_is_named_with_its_folder(tmp_path: Path) -> None:
    """A notebook that cannot be read beside Python files is left out with a note; in a folder of a zip the
    note named the file alone (`scratch.ipynb`), so a student with `hw1/scratch.ipynb` and
    `hw2/scratch.ipynb` could not tell which one (red team, session 36). It names the path in the zip."""
    broken = _zip(
        tmp_path / "broken.zip",
        {
            "miniflow.py": b"x = 1\n",
            "hw2/scratch.ipynb": b"{not json",
            "hw1/scratch.ipynb": _notebook(["y = 2\n"]),
        },
    )
    noted = load_submission(broken)
    assert "hw1/scratch.py" in noted.files and "hw2/scratch.py" not in noted.files
    (note,) = (n for n in noted.notes if "not a readable Jupyter notebook" in n)
    assert note.startswith("note: hw2/scratch.ipynb is not a readable Jupyter notebook"), note
