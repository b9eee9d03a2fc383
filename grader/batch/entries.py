"""The students of a batch directory: every file, folder, zip or notebook entry is one student."""

from __future__ import annotations

import hashlib
import os
import re
import stat
import unicodedata
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from grader import environments, untrusted
from grader.batch import gradescope_export, lms_groups
from grader.batch.roster import parse_lms_name
from grader.loaders import MAX_FOLDER_ENTRIES, skipped_part, unread_archive

SUBMISSION_SUFFIXES = (".py", ".zip", ".ipynb")
# Unicode letters and digits are kept (`José García` is no `Jos_Garc_a`); anything else becomes `_`.
_UNSAFE = re.compile(r"[^\w.@+-]+")
# An id that had to change the name carries this many hex digits of the name's sha256: `a b.py` and `a,b.py`
# both read `a_b`, and neither may take `a_b.py`'s id, nor each other's, whatever else is in the folder.
_NAME_HASH_DIGITS = 6
# An id is a directory name in OUT, and a file system refuses a name over 255 bytes (ENAMETOOLONG). A name
# that fits in the batch folder may not fit as an id: ` ` -> `_` adds the name's hash (7 bytes), NFC can
# lengthen it, a clash adds `-N`. An id longer than this, in UTF-8 bytes, is cut to it (at a character) and
# gets the hash, so that whatever is added still fits.
MAX_ID_BYTES = 200
# The batch's own files in OUTDIR: a student directory of the same name would clash with them.
RESERVED = frozenset(
    {"journal.jsonl", "batch.json", "gradebook.csv", "summary.json", "index.html", "canvas.csv", "moodle.csv"}
)
_RESERVED_FOLDED = frozenset(name.casefold() for name in RESERVED)


@dataclass(frozen=True, slots=True)
class Entry:
    """One student of a batch. The folder is one Path shared by every entry and the path is built when asked
    for: a Path per entry held for the whole batch was most of what a class of 2,000 added to the parent's
    memory (~0.5 KiB each; now ~0.2 KiB)."""

    student: str
    directory: Path
    name: str

    @property
    def path(self) -> Path:
        return self.directory / self.name

    @property
    def file(self) -> str:
        """The entry's original name as the instructor saw it in the folder (normalised, never lossy)."""
        return untrusted.name(self.path.name)


def skip_reason(path: Path) -> str | None:
    """Why an entry of the batch directory is not a submission, or None when it is one."""
    if path.is_symlink():
        return "a symbolic link (put the submission itself in the directory)"
    if path.name.startswith((".", "_")):
        return "a hidden or private name (starts with '.' or '_')"
    if path.name == gradescope_export.METADATA and path.is_file():
        return "Gradescope's export metadata, read for each submission's submitters (name, sid, email)"
    archive = None if path.is_dir() else unread_archive(path.name)
    if archive is not None:
        # A student's work, in a form the loader does not open: "not a .py file, folder, .zip or .ipynb" read
        # as a stray file, and the student had no row, in no import's left-out list.
        return (
            f"a {archive} archive, which the grader does not open: unpack it here into a folder of its own "
            "(one folder per student) and run the batch again with --resume"
        )
    if not path.is_dir() and path.suffix.lower() not in SUBMISSION_SUFFIXES:
        return "not a .py file, folder, .zip or .ipynb"
    lms = parse_lms_name(path.name)
    if lms is not None and lms.plugin == "onlinetext":
        # Text typed into Moodle's editor, beside the student's file submission: graded, it was a second
        # "student" with 0 points sharing the participant id, which left the real grade out of moodle.csv.
        return "Moodle online text, not code (the student's files are in their assignsubmission_file_ entry)"
    return None


# The start of the skip reason of a file that a later upload replaced (`superseded`).
REPLACED = "replaced by the same Canvas user's later upload"
# A resubmitted file's name as Canvas gives it: `miniflow-1.py`, `miniflow-2.py` for `miniflow.py`.
_RESUBMITTED = re.compile(r"-\d+$")


def _canvas_upload(path: Path) -> tuple[tuple[str, str], int] | None:
    """((Canvas user, the uploaded name without Canvas's `-N`), attachment id) of a Canvas file; None for
    any other name."""
    lms = parse_lms_name(path.name)
    if lms is None or lms.lms != "canvas":
        return None
    original = Path(lms.original)
    return (lms.user, _RESUBMITTED.sub("", original.stem) + original.suffix.lower()), int(lms.attachment)


def superseded(paths: list[Path]) -> dict[Path, str]:
    """The Canvas files a later upload by the same user replaced, each with why.

    Of the files of one Canvas user whose names differ only by Canvas's `-1`, `-2` (`miniflow.py`,
    `miniflow-1.py`), the one with the largest attachment id (Canvas's ids grow: the latest upload) is
    graded. Graded too, the older ones made the student several rows of gradebook.csv, all left out of
    canvas.csv as sharing one user. Then, when what is left of one user is one `.py` and one `.ipynb` of
    one name, they are one piece of work in two forms (a notebook and its export):
    graded both, they were two rows for one student, both left out of canvas.csv. The later upload is
    graded and the other skipped, saying so. A user's files of several names (a module and the script
    importing it) are left to `discover`, which grades them together as one folder (lms_groups)."""
    uploads = {path: upload for path in paths if (upload := _canvas_upload(path)) is not None}
    latest: dict[tuple[str, str], tuple[int, Path]] = {}
    for path, (key, attachment) in uploads.items():
        if key not in latest or attachment > latest[key][0]:
            latest[key] = (attachment, path)
    out = {
        path: f"{REPLACED} {untrusted.name(latest[key][1].name)}"
        for path, (key, _) in uploads.items()
        if latest[key][1] != path
    }
    return out | _two_forms(latest)


def _two_forms(latest: dict[tuple[str, str], tuple[int, Path]]) -> dict[Path, str]:
    """Of each user's latest uploads, the earlier of exactly one `.py` and one `.ipynb` of one name (as
    uploaded), with why. Of two names they are two files of the work (miniflow.py, and nn.ipynb importing
    it), each graded alone: skipping one of them lost the classes the other imports."""
    by_user: dict[str, list[tuple[str, int, Path]]] = {}
    for (user, name), (attachment, path) in latest.items():
        if name.endswith((".py", ".ipynb")):
            by_user.setdefault(user, []).append((Path(name).stem, attachment, path))
    out: dict[Path, str] = {}
    for named in by_user.values():
        if sorted(p.suffix.lower() for _, _, p in named) != [".ipynb", ".py"] or named[0][0] != named[1][0]:
            continue
        uploads = [(attachment, path) for _, attachment, path in named]
        (_, earlier), (_, later) = sorted(uploads)
        out[earlier] = (
            f"{REPLACED} {untrusted.name(later.name)} (a .py and a .ipynb of one user are one submission in "
            "two forms: the later upload is graded)"
        )
    return out


def _normal(name: str) -> str:
    return unicodedata.normalize("NFC", untrusted.name(name))


def _safe(name: str) -> str:
    return _UNSAFE.sub("_", name).strip("._") or "student"


def student_id(path: Path) -> str:
    """The entry's name without its extension, normalised (grader/untrusted.py, then Unicode NFC), made safe
    as a directory name: letters and digits of any script and `._@+-`, anything else `_`. When that changed
    the name in any way, `-` and the first digits of the original name's sha256 follow, so the id depends on
    this entry alone: it never collides with another name's and stays the same when other students are added
    or removed. An id longer than MAX_ID_BYTES (UTF-8) is cut to it and gets the hash too: it is a directory
    name in OUT, which a file system caps at 255 bytes.
    Writers still escape it: `-2+3` or `@SUM_1+1` is a formula to a spreadsheet."""
    return _id(path.name if path.is_dir() else path.stem, path.name)


def _id(wanted: str, original: str) -> str:
    """`wanted` made safe; if anything of it changed (an escape sequence dropped, NFC, a character
    replaced, cut to MAX_ID_BYTES), `-` and the hash of `original` (the full name) follow."""
    safe = _safe(_normal(wanted))
    if safe == wanted and len(safe.encode("utf-8")) <= MAX_ID_BYTES:
        return safe
    return f"{_fit(safe)}-{name_hash(original)}"


def _fit(safe: str) -> str:
    """`safe` cut to at most MAX_ID_BYTES of UTF-8, at a character boundary."""
    if len(safe.encode("utf-8")) <= MAX_ID_BYTES:
        return safe
    return untrusted.utf8_prefix(safe, MAX_ID_BYTES).rstrip("._") or "student"


def name_hash(name: str) -> str:
    raw = name.encode("utf-8", "surrogateescape")  # an undecodable byte in a file name still hashes
    return hashlib.sha256(raw).hexdigest()[:_NAME_HASH_DIGITS]


def fingerprint(path: Path) -> str:
    """sha256 of the entry as it is on disk (a file's bytes; a folder's relative paths, contents and link
    targets, sorted), so that `--resume` notices a changed or replaced submission without loading it.
    An entry that cannot be read gives "unreadable" (its report says why).

    Files are hashed in chunks (a 4 GB file in a student's folder costs no more memory than a small one),
    and what is not a regular file (a named pipe, a socket, a device) is counted by its name and kind,
    never opened: reading a FIFO would wait forever for a writer, and the batch with it.

    A folder is hashed as the loader reads it: what it never reads (.git, caches, hidden files and folders)
    is not walked, and the walk stops past MAX_FOLDER_ENTRIES entries (a folder the loader refuses), with a
    mark of it. Walked whole, a clone's .git or a hidden folder of 300,000 files cost the parent seconds per
    student before the batch began, on every start and every --resume."""
    try:
        return _fingerprint(path)
    except OSError:
        return "unreadable"


_CHUNK = 1 << 20


def _fingerprint(path: Path) -> str:
    h = hashlib.sha256()

    def feed(*parts: bytes) -> None:
        for part in parts:
            h.update(len(part).to_bytes(8, "big"))
            h.update(part)

    def feed_file(full: str | Path, *head: bytes) -> None:
        """feed(*head, the file's bytes), read a chunk at a time; feed(b"other", *head[1:]) for a file
        that is not a regular one."""
        if not stat.S_ISREG(os.lstat(full).st_mode):
            feed(b"other", *head[1:])
            return
        fd = os.open(full, os.O_RDONLY | os.O_NONBLOCK | os.O_NOFOLLOW | os.O_CLOEXEC)
        with os.fdopen(fd, "rb", buffering=0) as fh:
            info = os.fstat(fd)
            if not stat.S_ISREG(info.st_mode):  # replaced between lstat and open
                feed(b"other", *head[1:])
                return
            feed(*head)
            h.update(info.st_size.to_bytes(8, "big"))
            read = 0
            while chunk := fh.read(_CHUNK):
                read += len(chunk)
                h.update(chunk)
            if read != info.st_size:  # written to while hashed: a fingerprint no unchanged file has
                feed(b"changed while read")

    if not path.is_dir():
        feed_file(path, b"file")
        return h.hexdigest()
    entries = 0
    for root, dirs, files in os.walk(path):
        # as the loader walks: never into a skipped folder, nor a virtual environment (grader.environments)
        dirs[:] = [d for d in dirs if not skipped_part(d)]
        files = [f for f in files if not skipped_part(f)]
        installed = environments.left_out_of(root, dirs, files)
        dirs[:] = sorted(d for d in dirs if d not in installed)
        files = [f for f in files if f not in installed]
        entries += len(dirs) + len(files)
        if entries > MAX_FOLDER_ENTRIES:
            feed(b"more entries than the loader reads")
            break
        for name in sorted(files + [d for d in dirs if os.path.islink(os.path.join(root, d))]):
            full = os.path.join(root, name)
            rel = os.fsencode(os.path.relpath(full, path))
            if os.path.islink(full):
                feed(b"link", rel, os.fsencode(os.readlink(full)))
            else:
                feed_file(full, b"file", rel)
    return h.hexdigest()


def _resolved(path: Path) -> Path | None:
    """`path.resolve()`, None for a link that cannot be resolved (a loop: RuntimeError in Python 3.11, which
    stopped the whole batch before it started; the entry is then skipped as a symbolic link)."""
    try:
        return path.resolve()
    except (OSError, RuntimeError):
        return None


def discover(
    directory: Path, *, exclude: Path | None = None, staging: Path | None = None
) -> tuple[list[Entry], dict[Path, str]]:
    """(students in sorted order, entries skipped as not a submission -> why, in sorted order).

    `staging` (the batch's OUT/_lms_users): a Canvas or Moodle user's files of several names are made into
    one folder there and graded as one student (grader/batch/lms_groups.py), each file skipped saying so.
    Without it (a listing only), each file stays an entry of its own.

    Ids are unique (the journal, the gradebook and the report folders are keyed by them): two entries with
    one stem keep their extension (`alice.py`, `alice.zip`), and any clash left after that, or with the
    batch's own files, gets a numbered suffix. The order is sorted, so a resumed run assigns the same ids.
    (Adding `alice.zip` next to `alice.py` renames `alice` to `alice.py`: `--resume` then grades it afresh
    and drops `alice`, which loses nothing.)
    `exclude` (the batch's --out when it lies inside `directory`) is left out silently: it is no student."""
    excluded = exclude.resolve() if exclude is not None else None
    paths = sorted(p for p in directory.iterdir() if excluded is None or _resolved(p) != excluded)
    reasons = {p: why for p in paths if (why := skip_reason(p)) is not None}
    reasons |= superseded([p for p in paths if p not in reasons])
    chosen = [p for p in paths if p not in reasons]
    grouped: dict[Path, Path] = {}  # a staged folder -> the directory it is in
    if staging is not None:
        folders = lms_groups.groups(chosen)
        staged = lms_groups.stage_all(staging, folders)
        grouped = dict.fromkeys(staged.values(), staging)
        for folder in staged:
            reasons |= {path: f"{lms_groups.GROUPED} {folder}" for path, _ in folders[folder]}
        chosen = sorted([p for p in chosen if p not in reasons] + list(grouped), key=lambda p: p.name)
    skipped = {p: reasons[p] for p in paths if p in reasons}
    stems = [student_id(p) for p in chosen]
    # Ids are compared case-insensitively: each is a folder in OUT, and on macOS or Windows `Alice` and
    # `alice` (from `Alice.zip` beside `alice.py`) are one folder, where one student's reports would
    # overwrite the other's (and a folder `Journal.jsonl` would be the batch's journal.jsonl).
    counts = Counter(s.casefold() for s in stems)  # not list.count: quadratic for a class of 5,000
    preferred = [
        s if counts[s.casefold()] == 1 else _id(p.name, p.name) for s, p in zip(stems, chosen, strict=True)
    ]
    taken: set[str] = set(_RESERVED_FOLDED)
    entries = []
    for wanted, path in zip(preferred, chosen, strict=True):
        sid, n = wanted, 2
        while sid.casefold() in taken:
            sid, n = f"{wanted}-{n}", n + 1
        taken.add(sid.casefold())
        entries.append(Entry(sid, grouped.get(path, directory), path.name))
    return entries, skipped
