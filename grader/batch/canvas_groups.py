"""One Canvas user's several files, graded together as one submission.

Canvas's "Download Submissions" gives each uploaded file a name of its own
(`smithjohn_12345_67890_miniflow.py`, `smithjohn_12345_67891_nn.py`), where Moodle gives a student one folder.
Graded one by one, the module scored alone and the script importing it (`from miniflow import *`) scored 0,
as "miniflow.py could not be loaded": two gradebook rows for one person, both left out of canvas.csv as
sharing one user id. A user's latest `.py` and `.ipynb` files of two or more names are therefore copied into
one folder under their uploaded names (Canvas's `-1`, `-2` removed: `nn.py` imports `miniflow`, never
`miniflow-1`), and that folder is graded as a Moodle student's folder is: the loader picks the module the
assignment names and leaves a driver unrun. The batch folder itself is never written to: the folder is made
in the batch's output (`STAGING`).
"""

from __future__ import annotations

import os
import re
import shutil
import stat
from pathlib import Path

from grader import untrusted
from grader.batch.roster import parse_lms_name

# The folder of OUT holding the grouped submissions (`_`: discover never takes it for a student).
STAGING = "_canvas_users"
# The start of the skip reason of a file graded in its user's folder.
GROUPED = "graded with the same Canvas user's other files, as one submission:"
_GROUPED_SUFFIXES = (".py", ".ipynb")
# Canvas's `-N` of a resubmitted name, before the extension (`miniflow-1.py`).
_RESUBMITTED = re.compile(r"(?<=.)-\d+(?=\.[^.]+$)")
# The uploaded names joined in the folder's name, at most this many bytes: a directory name is capped at
# 255 bytes, and entries.student_id may add to it.
_MAX_JOINED_BYTES = 120


def _uploaded_name(original: str) -> str:
    """The name the student uploaded: Canvas's `-N` before the extension removed (`miniflow-1.py`)."""
    return _RESUBMITTED.sub("", original)


def _joined(names: list[str]) -> str:
    joined = "+".join(names)
    if len(joined.encode("utf-8")) <= _MAX_JOINED_BYTES:
        return joined
    return f"{names[-1][:60]}+{len(names) - 1}_more"


def groups(paths: list[Path]) -> dict[str, list[tuple[Path, str]]]:
    """The folder name of each Canvas user with files of two or more uploaded names among `paths` (each a
    user's latest upload of its name: entries.superseded has run), with (file, uploaded name) of each.

    The folder is named as Canvas names a file, from the user's latest upload, so that what the batch reads
    of a Canvas name (user id, namekey, late) reads the same of it: `smithjohn_12345_67891_miniflow.py+nn.py`.
    Only regular files are grouped (a named pipe called `x.py` is never opened here)."""
    by_user: dict[str, list[tuple[int, Path, str, bool, str]]] = {}
    for path in paths:
        lms = parse_lms_name(path.name)
        if lms is None or lms.lms != "canvas" or path.suffix.lower() not in _GROUPED_SUFFIXES:
            continue
        try:
            if not stat.S_ISREG(os.lstat(path).st_mode):
                continue
        except OSError:
            continue
        uploaded = _uploaded_name(lms.original)
        by_user.setdefault(lms.user, []).append((int(lms.attachment), path, lms.name, lms.late, uploaded))
    out: dict[str, list[tuple[Path, str]]] = {}
    for user, files in by_user.items():
        names = {uploaded.casefold() for *_, uploaded in files}
        if len(names) < 2 or len(names) != len(files):  # one name, or two that one folder cannot hold
            continue
        files.sort()
        _, _, key, late, _ = files[-1]
        joined = _joined([uploaded for *_, uploaded in files])
        folder = f"{key}_{'LATE_' if late else ''}{user}_{files[-1][0]}_{joined}"
        out[untrusted.name(folder)] = [(path, uploaded) for _, path, _, _, uploaded in files]
    return out


def stage(staging: Path, folder: str, files: list[tuple[Path, str]]) -> Path:
    """Make `staging/folder` hold exactly `files`, each under its uploaded name: a hard link where the file
    system allows one, a copy otherwise. Made afresh each run, so a resumed batch grades what is there now."""
    target = staging / folder
    if target.is_dir() and not target.is_symlink():
        shutil.rmtree(target)
    target.mkdir(parents=True)
    for path, uploaded in files:
        try:
            os.link(path, target / uploaded, follow_symlinks=False)
        except OSError:
            shutil.copyfile(path, target / uploaded, follow_symlinks=False)
    return target


def stage_all(staging: Path, folders: dict[str, list[tuple[Path, str]]]) -> list[Path]:
    """`stage` each folder, and remove any other folder `staging` holds (a user's from an earlier run, whose
    files have since changed names): the staging holds this run's folders only."""
    if staging.is_dir() and not staging.is_symlink():
        for old in staging.iterdir():
            if old.name not in folders and old.is_dir() and not old.is_symlink():
                shutil.rmtree(old)
    return [stage(staging, folder, files) for folder, files in folders.items()]
