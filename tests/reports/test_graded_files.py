"""Which files of a submission were graded, said in the terminal and Gradescope summaries."""

from __future__ import annotations

from grader.reports.escape import terminal
from grader.reports.graded_files import OTHERS_WHY, graded_files, graded_files_line

REPO = {
    "submission": {
        "files": ["ch07/simple_convnet.py", "ch07/train_convnet.py", "common/layers.py", "common/trainer.py"]
    },
    "load": {
        "modules": {"ch07.simple_convnet": "ch07/simple_convnet.py", "common.layers": "common/layers.py"},
        "found": {
            "SimpleConvNet": "ch07.simple_convnet.SimpleConvNet",
            "Convolution": "common.layers.Convolution",
            "Affine": "common.layers.Affine",
        },
    },
}


def test_a_repository_is_told_which_files_were_graded_for_which_names() -> None:
    """The book's repository with its Trainer and training script: the files graded, with their names, in
    the submission's order, and how many others were not (s32)."""
    assert graded_files(REPO) == [
        ("ch07/simple_convnet.py", ["SimpleConvNet"]),
        ("common/layers.py", ["Affine", "Convolution"]),
    ]
    line = graded_files_line(REPO, terminal)
    assert line is not None
    assert line.startswith("graded from ch07/simple_convnet.py (SimpleConvNet), common/layers.py (Affine")
    assert "2 other .py files not graded" in line and "training scripts" in line
    # a graded file's imports load and run the others (common/trainer.py): never "loads only" (review of
    # s32-realmix; dlfs-advanced/late_dlfs_repo_trains_at_import/ ran its Trainer at import)
    assert "loads only" not in line and OTHERS_WHY in line


def test_one_file_or_nothing_found_says_nothing() -> None:
    """A one-file submission is named by the report already; a module the load claims outside the
    submission's files is never quoted."""
    one = {**REPO, "submission": {"files": ["common/layers.py"]}}
    assert graded_files(one) is None
    stray = {**REPO, "load": {"modules": {"x": "elsewhere.py"}, "found": {"Affine": "x.Affine"}}}
    assert graded_files(stray) is None
