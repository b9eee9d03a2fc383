"""LMS file names a student chooses (the part after Canvas's or Moodle's prefix) in a whole batch, graded in
both isolation modes: the names that once stopped the batch before it graded anyone (a folder name over 255
bytes, an undecodable byte) and a Moodle full name holding another participant's id. Every student is
graded, the honest one at full marks; the grouped folders hold their own user's files only. A Moodle full name
starting with a fullwidth `＝` (what an East Asian input method types, and Excel reads as `=`) reaches
gradebook.csv quoted.
"""

from __future__ import annotations

import csv
import io
import os
import shutil
from pathlib import Path
from typing import Any

from hostile_harness import REPO

from grader.batch.lms_groups import STAGING
from grader.batch.run import run_batch

CORRECT = REPO / "submissions" / "miniflow" / "correct.py"
EMOJI = "\U0001f600" * 57 + ".py"  # fits a Canvas file name (249 bytes), not the folder made of it before
EVE = "Ann Lee_7_assignsubmission_file_x_9999_assignsubmission_file_miniflow.py"
FORMULA = '\uff1dHYPERLINK("http\uff1a\uff0f\uff0fx")_11_assignsubmission_file_miniflow.py'


def _batch(folder: Path) -> None:
    folder.mkdir()
    script = "from miniflow import *\n"
    for raw, source in (
        (b"kimsoo_8_910_miniflow.py", None),
        (b"smithjohn_12345_1_miniflow.py", None),
        (os.fsencode("smithjohn_12345_2_" + EMOJI), script),
        (b"Jos\xe9 Garc\xeda_4521_assignsubmission_file_miniflow.py", None),
        (b"Jos\xe9 Garc\xeda_4521_assignsubmission_file_nn.py", script),
        (b"Ann Lee_7_assignsubmission_file_miniflow.py", None),
        (b"Ann Lee_7_assignsubmission_file_nn.py", script),
        (os.fsencode(EVE), None),
        (os.fsencode(FORMULA), None),
    ):
        target = folder / os.fsdecode(raw)
        if source is None:
            shutil.copy(CORRECT, target)
        else:
            target.write_text(source, encoding="utf-8")


def test_crafted_lms_names_never_stop_the_batch_or_join_anothers_folder(
    pool: Any, miniflow_plan: Any, tmp_path: Path
) -> None:
    folder, out = tmp_path / "class", tmp_path / "out"
    _batch(folder)
    result = run_batch(miniflow_plan.run_plan, folder, out, pool, stream=io.StringIO())
    with open(result.gradebook, newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert result.total == len(rows) == 6, rows  # three users' folders, Kim's, Eve's and FORMULA's file alone
    staged = sorted(os.listdir(out / STAGING))
    assert len(staged) == 3 and all(len(os.fsencode(name)) <= 255 for name in staged), staged
    ann = next(name for name in staged if name.startswith("Ann Lee_7_"))
    assert sorted(os.listdir(out / STAGING / ann)) == ["miniflow.py", "nn.py"]  # never Eve's
    scores = [float(row["score"]) for row in rows]
    assert max(scores) > 0 and scores.count(max(scores)) == len(scores), rows  # every one the correct file
    assert "'" + FORMULA in [row["file"] for row in rows], rows  # quoted: no spreadsheet evaluates it
