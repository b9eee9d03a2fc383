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
# The uploaded names joined in a Canvas folder's name, at most this many bytes of UTF-8.
_MAX_JOINED_BYTES = 120
# A folder's whole name, at most this many bytes of UTF-8: a file system refuses a directory name over 255
# (ENAMETOOLONG), and the parts are cut to fit. A student's uploaded name of 57 emoji fit its own file name
# (249 bytes) but not the folder's (256), and the batch stopped before grading anyone.
_MAX_FOLDER_BYTES = 200


@dataclass(frozen=True)
class _Upload:
    order: int  # Canvas's attachment id (grows with time); 0 for Moodle, which gives none
    path: Path
    lms: LmsName
    uploaded: str  # the name the student uploaded


def _uploaded_name(lms: LmsName) -> str:
    """The name the student uploaded: Canvas's `-N` before the extension removed (`miniflow-1.py`)."""
    return _RESUBMITTED.sub("", lms.original) if lms.lms == "canvas" else lms.original


def _size(text: str) -> int:
    return len(text.encode("utf-8"))


def _joined(names: list[str], room: int) -> str:
    """The uploaded names joined by `+` in at most `room` bytes, or the last one, cut, and how many more."""
    joined = "+".join(names)
    if _size(joined) <= room:
        return joined
    more = f"+{len(names) - 1}_more"
    return untrusted.utf8_prefix(names[-1], min(room, _MAX_JOINED_BYTES) - _size(more)) + more


def _folder(files: list[_Upload]) -> str:
    """The folder's name, read by the batch as the LMS's own names are (user id, name, late): Moodle's own
    folder name for the participant; for Canvas a file's name from the latest upload, the uploaded names
    joined: `smithjohn_12345_67891_miniflow.py+nn.py`. At most _MAX_FOLDER_BYTES: the names are cleaned
    first (an undecodable byte of a name unzipped from another encoding is U+FFFD, three bytes, and could
    not be measured in UTF-8 at all: UnicodeEncodeError stopped the batch) and cut to fit."""
    last = files[-1].lms
    cleaned = untrusted.name(last.name)
    if last.lms == "moodle":
        tail = f"_{last.user}_assignsubmission_file_"
        return untrusted.utf8_prefix(cleaned, _MAX_FOLDER_BYTES - _size(tail)) + tail
    ids = f"_{'LATE_' if last.late else ''}{last.user}_{files[-1].order}_"
    # The namekey is cut too, to leave the ids and a name room: a 228-byte namekey left room below zero, and
    # the whole name was cut at the end, the user id with it (that user fell out of canvas.csv).
    name = untrusted.utf8_prefix(cleaned, _MAX_FOLDER_BYTES - _MAX_JOINED_BYTES - _size(ids))
    room = min(_MAX_JOINED_BYTES, _MAX_FOLDER_BYTES - _size(name + ids))
    return name + ids + _joined([untrusted.name(f.uploaded) for f in files], room)


def _upload(path: Path) -> _Upload | None:
    """A regular `.py` or `.ipynb` file of an LMS download (a named pipe called `x.py` is never opened)."""
    # A Moodle name holding Moodle's words twice (a full name its user edited to hold another's id) is no
    # LMS name (roster.parse_lms_name): graded on its own, never linked into another's folder.
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


def stage_all(staging: Path, folders: dict[str, list[tuple[Path, str]]]) -> dict[str, Path]:
    """`stage` each folder, and remove any other folder `staging` holds (a user's from an earlier run, whose
    files have since changed names): the staging holds this run's folders only. The folders staged, by
    name: one the file system refuses (a name it will not take, a file it cannot link or copy) is left out,
    its user's files graded one by one as without a staging folder, never the batch stopped for it."""
    if staging.is_dir() and not staging.is_symlink():
        for old in staging.iterdir():
            if old.name not in folders and old.is_dir() and not old.is_symlink():
                shutil.rmtree(old)
    staged: dict[str, Path] = {}
    for folder, files in folders.items():
        try:
            staged[folder] = stage(staging, folder, files)
        except OSError:
            shutil.rmtree(staging / folder, ignore_errors=True)
    return staged
