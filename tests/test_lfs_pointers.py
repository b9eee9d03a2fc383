"""Git LFS pointers handed in for code: left out with a note, or refused (grader/lfs_pointers.py)."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from grader import lfs_pointers
from grader.loaders import SubmissionError, load_submission

# The pointer git-lfs writes (docs/spec.md of git-lfs): version line, oid, size.
POINTER = (
    b"version https://git-lfs.github.com/spec/v1\n"
    b"oid sha256:4d7a214614ab2935c943f9e0ff69d22eadbb8f32b1258daaa5e2ca24d17e2393\n"
    b"size 12345\n"
)
CODE = b"class MulLayer:\n    pass\n"


@pytest.mark.parametrize("name", ["layers.py", "HW.ipynb", "hw.zip"])
def test_a_pointer_handed_in_alone_is_no_code_and_says_to_fetch_the_file(tmp_path: Path, name: str) -> None:
    """Read as Python it was a syntax error at `oid sha256:...`; as a notebook or a zip, "not readable"."""
    path = tmp_path / name
    path.write_bytes(POINTER)
    with pytest.raises(SubmissionError) as err:
        load_submission(path)
    assert err.value.code == "empty"
    assert f"{name} is a Git LFS pointer" in err.value.message and "git lfs pull" in err.value.message


def test_a_pointer_beside_code_is_left_out_with_a_note(tmp_path: Path) -> None:
    (tmp_path / "repo" / "common").mkdir(parents=True)
    (tmp_path / "repo" / "common" / "layers.py").write_bytes(POINTER)
    (tmp_path / "repo" / "layer_naive.py").write_bytes(CODE)
    sub = load_submission(tmp_path / "repo")
    assert set(sub.files) == {"layer_naive.py"}
    assert any("common/layers.py is a Git LFS pointer" in n and "git lfs pull" in n for n in sub.notes)


def test_a_zip_of_pointers_only_is_refused_naming_them(tmp_path: Path) -> None:
    path = tmp_path / "repo.zip"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("repo/a.py", POINTER)
        zf.writestr("repo/b.ipynb", POINTER)
        zf.writestr("repo/README.md", b"# hw\n")
    with pytest.raises(SubmissionError) as err:
        load_submission(path)
    assert err.value.code == "empty"
    assert "a.py, b.ipynb are each a Git LFS pointer" in err.value.message


def test_the_old_hawser_version_line_is_a_pointer_too() -> None:
    assert lfs_pointers.is_pointer(POINTER.replace(b"git-lfs", b"hawser"))


@pytest.mark.parametrize(
    "data",
    [
        CODE,
        b"version = 'https://git-lfs.github.com/spec/v1'\n",  # code that mentions the URL
        b"x = 1  # version https://git-lfs.github.com/spec/v1\n",
        POINTER + b"#" * lfs_pointers.MAX_POINTER_BYTES,  # over the spec's size: never a pointer
    ],
)
def test_code_is_never_taken_for_a_pointer(tmp_path: Path, data: bytes) -> None:
    """Negative controls: a file that is not exactly a pointer is loaded as it is."""
    assert not lfs_pointers.is_pointer(data)
    path = tmp_path / "x.py"
    path.write_bytes(data)
    assert dict(load_submission(path).files) == {"x.py": data}


def test_a_pointer_to_a_data_file_is_not_named() -> None:
    """A data set or image tracked by LFS is no code: it is not the grader's business."""
    files, pointers = lfs_pointers.left_out({"mnist.pkl": POINTER, "a.py": CODE})
    assert pointers == () and set(files) == {"mnist.pkl", "a.py"}
