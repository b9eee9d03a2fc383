"""One LMS user's several files, graded together as one submission.

Canvas's "Download Submissions", and Moodle's "Download all submissions" without "in folders", give each
uploaded file a name of its own (`smithjohn_12345_67890_miniflow.py`, `smithjohn_12345_67891_nn.py`;
`Ann Lee_4521_assignsubmission_file_miniflow.py`), where Moodle's folders give a student one folder. Graded
one by one, the module scored alone and the script importing it (`from miniflow import *`) scored 0, as
"miniflow.py could not be loaded": two gradebook rows for one person, both left out of canvas.csv or
moodle.csv as sharing one user id. A user's latest `.py` and `.ipynb` files of two or more names are
therefore linked into one folder under their uploaded names (Canvas's `-1`, `-2` removed: `nn.py` imports
`miniflow`, never `miniflow-1`), and that folder is graded as a Moodle student's folder is: the loader picks
the module the assignment names and leaves a driver unrun. The batch folder itself is never written to: the
folder is made in the batch's output (`STAGING`).
"""

from __future__ import annotations

import os
import re
import shutil
import stat
from dataclasses import dataclass
from pathlib import Path

from grader import untrusted
from grader.batch.roster import LmsName, parse_lms_name

# The folder of OUT holding the grouped submissions (`_`: discover never takes it for a student).
STAGING = "_lms_users"
# The start of the skip reason of a file graded in its user's folder.
GROUPED = "graded with the same user's other files, as one submission:"
_GROUPED_SUFFIXES = (".py", ".ipynb")
# Canvas's `-N` of a resubmitted name, before the extension (`miniflow-1.py`).
_RESUBMITTED = re.compile(r"(?<=.)-\d+(?=\.[^.]+$)")
# The uploaded names joined in a Canvas folder's name, at most this many bytes: a directory name is capped at
# 255 bytes, and entries.student_id may add to it.
_MAX_JOINED_BYTES = 120


@dataclass(frozen=True)
class _Upload:
    order: int  # Canvas's attachment id (grows with time); 0 for Moodle, which gives none
    path: Path
    lms: LmsName
    uploaded: str  # the name the student uploaded


def _uploaded_name(lms: LmsName) -> str:
    """The name the student uploaded: Canvas's `-N` before the extension removed (`miniflow-1.py`)."""
    return _RESUBMITTED.sub("", lms.original) if lms.lms == "canvas" else lms.original


def _joined(names: list[str]) -> str:
    joined = "+".join(names)
    if len(joined.encode("utf-8")) <= _MAX_JOINED_BYTES:
        return joined
    return f"{names[-1][:60]}+{len(names) - 1}_more"


def _folder(files: list[_Upload]) -> str:
    """The folder's name, read by the batch as the LMS's own names are (user id, name, late): Moodle's own
    folder name for the participant; for Canvas a file's name from the latest upload, the uploaded names
    joined: `smithjohn_12345_67891_miniflow.py+nn.py`."""
    last = files[-1].lms
    if last.lms == "moodle":
        return f"{last.name}_{last.user}_assignsubmission_file_"
    joined = _joined([f.uploaded for f in files])
    return f"{last.name}_{'LATE_' if last.late else ''}{last.user}_{files[-1].order}_{joined}"


def _upload(path: Path) -> _Upload | None:
    """A regular `.py` or `.ipynb` file of an LMS download (a named pipe called `x.py` is never opened)."""
    lms = parse_lms_name(path.name)
    if lms is None or (lms.lms == "moodle" and lms.plugin != "file") or not lms.original:
        return None
    if path.suffix.lower() not in _GROUPED_SUFFIXES:
        return None
    try:
        if not stat.S_ISREG(os.lstat(path).st_mode):
            return None
    except OSError:
        return None
    order = int(lms.attachment) if lms.attachment.isdigit() else 0
    return _Upload(order, path, lms, _uploaded_name(lms))


def groups(paths: list[Path]) -> dict[str, list[tuple[Path, str]]]:
    """The folder name of each LMS user with files of two or more uploaded names among `paths` (each a
    user's latest upload of its name: entries.superseded has run), with (file, uploaded name) of each."""
    by_user: dict[tuple[str, str], list[_Upload]] = {}
    for path in paths:
        upload = _upload(path)
        if upload is not None:
            by_user.setdefault((upload.lms.lms, upload.lms.user), []).append(upload)
    out: dict[str, list[tuple[Path, str]]] = {}
    for files in by_user.values():
        names = {f.uploaded.casefold() for f in files}
        if len(names) < 2 or len(names) != len(files):  # one name, or two that one folder cannot hold
            continue
        files.sort(key=lambda f: (f.order, f.path.name))
        out[untrusted.name(_folder(files))] = [(f.path, f.uploaded) for f in files]
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
