"""Submission loaders (trusted parent): a .py file, a folder, a .zip or a notebook -> SubmissionFiles.

Never imports or executes student code. Archives are read in memory, never extracted to disk, and refused
before reading when their declared sizes or file count exceed the caps: a zip's end-of-central-directory
record is read first (grader.zip_directory), so an archive that lists a million entries is refused before
`zipfile` parses any of them; an entry is read only when stored or Deflated (zipfile inflates bzip2 and LZMA
a whole chunk at a time, whatever is asked for), and a folder is walked outside its skipped folders, up to
MAX_FOLDER_ENTRIES. Every file name passes the sandbox's own path check (grader.inside.paths), so a
name the sandbox would refuse is refused here, with the entry and the reason, as the student's problem.

What another module must read exactly as the loader reads it (grader/held_config.py looks for a copy of
./grader.toml only where code is loaded from) is public here, so that it never drifts from the loader:
`folder_entries` (a folder's walk and its cap), `lone_zip` (the zip a folder is graded as), `zip_name` (an
entry's name as the loader gives it), `READ_BOUNDED` (the compressions read without inflating past a size)
and `code_cells` (a notebook's code cells).
"""

from __future__ import annotations

import functools
import hashlib
import io
import json
import os
import re
import stat
import tokenize
import zipfile
import zlib
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Literal

from grader import cell_magic, environments, fault, lfs_pointers, source_encoding, untrusted
from grader.inside import cells
from grader.inside.paths import MAX_DEPTH, UnsafePath, check_relpath, check_tree, shown
from grader.zip_directory import NotAZip, read_directory

MAX_BYTES = 8 * 1024 * 1024
MAX_FILES = 200
# Caps on the archive itself, checked before its directory is parsed. Generous: a student who zips a whole
# repository (.git, __MACOSX, data) is graded on the code it contains; data files over MAX_DATA_FILE_BYTES
# are left out unread, so only the code and small files count toward MAX_*.
MAX_ARCHIVE_BYTES = 64 * 1024 * 1024
MAX_ZIP_ENTRIES = 10_000
MAX_ZIP_DIRECTORY_BYTES = 4 * 1024 * 1024
# A file that is not code (not .py or .ipynb) and larger than this is left out unread, named in a note: a
# data set saved beside the code (the DLFS book's dataset/mnist.pkl, 55 MB) is never graded or read.
MAX_DATA_FILE_BYTES = 1024 * 1024
CODE_SUFFIXES = (".py", ".ipynb")
# A notebook is made large by its outputs (plots as base64 PNG, training logs), and only its code cells are
# graded: its code counts toward MAX_BYTES once read out of it, and the notebooks themselves, outputs
# included, are capped together by this (the parent parses each one's JSON whole).
MAX_NOTEBOOK_BYTES = MAX_ARCHIVE_BYTES
MAX_FOLDER_ENTRIES = MAX_ZIP_ENTRIES  # files and folders a submitted folder may hold, outside SKIP_DIRS
SKIP_DIRS = frozenset({"__pycache__", ".git", ".ipynb_checkpoints", "__MACOSX"})
_MAGIC_PREFIXES = ("%", "!")

SubmissionKind = Literal["file", "folder", "zip", "notebook"]


class SubmissionError(Exception):
    """A submission that cannot be loaded; `code` is one of unreadable, bad_archive, unsafe_path, too_large,
    empty, unsupported. Its message quotes the student's names (files, link targets): the grader's wording
    of fault spelt in one ("refusing the symlink 'x' (to '/The grader itself failed ... (not your code's
    fault)')") is taken out (grader/fault.py), as from a message of the student's process. No refusal of the
    loader's own words says whose fault it is."""

    def __init__(self, code: str, message: str) -> None:
        message = fault.disowned(message)
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class SubmissionFiles:
    id: str
    source_path: Path
    kind: SubmissionKind
    files: Mapping[str, bytes]
    sha256: str
    notes: tuple[str, ...] = ()  # the parent's own notes for the student (a notebook run out of order)
    # (module, notebook) for each notebook of a folder or zip made into a module: ("hw/MiniFlow.py",
    # "hw/MiniFlow.ipynb"), so that messages name the notebook the student knows
    notebooks: tuple[tuple[str, str], ...] = ()

    def to_dict(self) -> dict[str, object]:
        return {
            "id": self.id,
            "source_path": str(self.source_path),
            "kind": self.kind,
            "files": sorted(self.files),
            "sha256": self.sha256,
        }


def digest(files: Mapping[str, bytes]) -> str:
    """sha256 over the sorted (path, content) pairs, each length-prefixed so that no two layouts collide."""
    h = hashlib.sha256()
    for rel in sorted(files):
        for part in (rel.encode("utf-8"), files[rel]):
            h.update(len(part).to_bytes(8, "big"))
            h.update(part)
    return h.hexdigest()


def skipped_part(name: str) -> bool:
    """Whether a file or folder of this name is never read from a submission (a clone's .git, caches,
    hidden files): the loader and the batch's fingerprint pass over the same names."""
    return name in SKIP_DIRS or name.startswith(".")


def _skipped(parts: tuple[str, ...]) -> bool:
    return any(skipped_part(p) for p in parts)


def _display(source: Path) -> str:
    return untrusted.name(source.name)


def _refused(source: Path, err: UnsafePath) -> SubmissionError:
    return SubmissionError(
        "unsafe_path",
        f"{_display(source)}: the file {shown(err.path)} cannot be used: {err.reason}. Rename or remove it.",
    )


def _relpath(name: str, source: Path) -> str:
    try:
        return check_relpath(name)
    except UnsafePath as err:
        raise _refused(source, err) from None


def _tree(files: Collection[str], source: Path, folders: Collection[str] = ()) -> None:
    try:
        check_tree(files, folders)
    except UnsafePath as err:
        raise _refused(source, err) from None


def _check_caps(count: int, total: int, source: Path, max_bytes: int, max_files: int) -> None:
    if count > max_files:
        raise SubmissionError(
            "too_large", f"{_display(source)}: {count:,} files (limit {max_files:,}): hand in only your code"
        )
    if total > max_bytes:
        raise SubmissionError(
            "too_large",
            f"{_display(source)}: {total:,} bytes (limit {max_bytes:,}): hand in only your code (a notebook: "
            "clear its outputs first)",
        )


class _NotebookBytes:
    """The bytes of a submission's notebooks, outputs included, against MAX_NOTEBOOK_BYTES."""

    def __init__(self, source: Path) -> None:
        self.source = source
        self.total = 0

    def counted(self, rel: str, size: int) -> int:
        """The bytes `rel` counts toward MAX_BYTES: none for a notebook (its code counts once read out of
        it), which is tallied here instead; a file's size otherwise."""
        if not rel.lower().endswith(".ipynb"):
            return size
        self.total += size
        if self.total > MAX_NOTEBOOK_BYTES:
            raise SubmissionError(
                "too_large",
                f"{_display(self.source)}: notebooks of {self.total:,} bytes with their outputs (limit "
                f"{MAX_NOTEBOOK_BYTES:,}): clear the outputs (Edit > Clear All Outputs), save, hand in again",
            )
        return 0


def _refuse_pointer(path: Path) -> None:
    """A file handed in alone (a .py, notebook or zip) that is a Git LFS pointer: refused as no code, saying
    to fetch the real file (grader.lfs_pointers). One read of at most 1 KiB."""
    with path.open("rb") as handle:
        head = handle.read(lfs_pointers.MAX_POINTER_BYTES)
    if lfs_pointers.is_pointer(head):
        raise SubmissionError("empty", lfs_pointers.refusal((path.name,)))


def _load_file(
    path: Path, max_bytes: int, max_files: int, left_out: list[str] | None = None
) -> dict[str, bytes]:
    _refuse_pointer(path)
    _check_caps(1, path.stat().st_size, path, max_bytes, max_files)
    return {_relpath(path.name, path): path.read_bytes()}


# Folders that hold no student code by their name (an environment, a package manager's or a build's output):
# one the grader's user cannot list is passed over with a note, never refused (`folder_entries`). Readable,
# each is read as any folder is (an environment by its markers, grader.environments).
NEVER_CODE_FOLDERS = frozenset(
    {"venv", "env", "virtualenv", "node_modules", "build", "dist", *environments.PACKAGE_FOLDERS}
)
_UNLISTED = "/\x01"  # ends a folder's name in `left_out`: passed over, unlisted (no checked name holds it)


def _cannot_list(path: Path, folder: Path, err: OSError) -> SubmissionError:
    """The refusal of a submission with a folder (itself, or one inside it) the grader's user cannot list or
    enter, naming that folder: the outermost of those up to it that cannot be entered (a folder of mode 0644
    lists its folders' names, and each of them is then "cannot be listed")."""
    while folder != path and folder.is_relative_to(path) and not os.access(folder.parent, os.X_OK):
        folder = folder.parent
    which = "this folder" if folder == path else f"its folder {shown(folder.relative_to(path).as_posix())}"
    return SubmissionError(
        "unreadable",
        f"{_display(path)}: the grader cannot list {which} ({err.strerror or type(err).__name__}), so "
        "it was not graded: make it readable to the grader's user and grade it again",
    )


def _unreadable(path: Path, err: OSError) -> SubmissionError:
    """The refusal of a submission with an entry the grader's user cannot read, naming the entry: "eve:
    Permission denied" named no file. A file in a folder that can be listed but not entered (mode 0644) is
    the folder's fault, said as a folder that cannot be listed."""
    where = Path(os.fsdecode(err.filename)) if isinstance(err.filename, str | bytes) else None
    if where is None or not where.is_relative_to(path):
        return SubmissionError("unreadable", f"{_display(path)}: {err.strerror or err}")
    if where != path and not os.access(where.parent, os.X_OK):
        return _cannot_list(path, where.parent, err)
    rel = where.relative_to(path).as_posix()
    named = "" if rel == "." else f"{shown(rel)}: "
    return SubmissionError("unreadable", f"{_display(path)}: {named}{err.strerror or err}")


def folder_entries(path: Path, left_out: list[str] | None = None) -> list[Path]:
    """The folder's entries (files, folders, links, anything) outside the skipped folders, sorted: those are
    never walked into (a clone's .git), and past MAX_FOLDER_ENTRIES the folder is refused, as a zip listing as
    many is. Walked whole first, 300,000 empty files in a hidden folder cost the parent 25 s of CPU and 90 MB
    before the first one was passed over. A virtual environment or package folder (grader.environments) is
    never walked into either, and is named in `left_out` with a trailing '/'."""
    found: list[Path] = []

    def unlisted(err: OSError) -> None:
        # Passed over, as rglob did, a folder the grader's user may not list (a TA's copy with a `chmod 000`
        # entry) was "contains no files", or its modules "missing", for a student whose code is there. One
        # the loader would never read, by its name (`venv/`, `node_modules/`), is passed over with a note:
        # refused, a locked virtual environment beside readable code failed the whole submission (review
        # of session 22).
        folder = Path(err.filename or path)
        if folder != path and folder.name.lower() in NEVER_CODE_FOLDERS:
            if left_out is not None:
                left_out.append(folder.relative_to(path).as_posix() + _UNLISTED)
            return
        raise _cannot_list(path, folder, err)

    # Never follows a link to a folder.
    for root, dirs, names in os.walk(path, onerror=unlisted):
        dirs[:] = [d for d in dirs if not skipped_part(d)]
        if left_out is not None:
            # links first: each is judged as a link (`_link`), never as installed packages by its name
            # (`site-packages -> /etc`) nor looked into; os.walk lists a link to a folder among the folders
            links = {n for n in (*dirs, *names) if os.path.islink(os.path.join(root, n))}
            installed = environments.left_out_of(
                root, [d for d in dirs if d not in links], [n for n in names if n not in links]
            )
            left_out.extend(Path(root, d).relative_to(path).as_posix() + "/" for d in dirs if d in installed)
            dirs[:] = [d for d in dirs if d not in installed]
            names = [n for n in names if n not in installed]
        found.extend(Path(root, name) for name in (*dirs, *names) if not skipped_part(name))
        if len(found) > MAX_FOLDER_ENTRIES:
            raise SubmissionError(
                "too_large",
                f"{_display(path)}: more than {MAX_FOLDER_ENTRIES:,} files and folders outside "
                f"{', '.join(sorted(SKIP_DIRS))} and hidden ones; hand in only your code",
            )
    return sorted(found)


# A symbolic link inside a folder or zip is never followed. One whose target stays inside the submission
# (`ch05/common -> ../common`, `ch05/README.md -> ../README.md`: a repository sharing a folder between its
# chapters) is left out, named in a note: what it names is graded where it is. Refused whole, as every link
# was, a repository scored 0 for a link to its own README ("refusing the symlink ..."), with nothing saying
# what to do. A link leading out of the submission (absolute, or up past its top: `/etc/passwd`,
# `../../other-student`) is still refused: no honest hand-in needs one.
_MAX_LINK_TARGET = 4096  # PATH_MAX: a longer zip link target is no path, and is refused unread
_LINK = "\x00"  # joins a link's name and target in `left_out`: no checked name holds a NUL


def _plain_target(target: str) -> bool:
    """Whether `target` is a relative POSIX path: not absolute, empty, a Windows path or holding a NUL."""
    return bool(target) and not (
        target.startswith("/") or "\\" in target or "\x00" in target or ":" in target[:2]
    )


# Steps a link's target may take ('/'-separated parts): a path in the submission is at most MAX_DEPTH folders
# deep, so an honest target goes up and down at most that far (`../../common/layers.py`). Longer, it is judged
# leading out, unwalked: 5,000 links of 2,040 steps each cost the walk below 50 s of CPU.
_MAX_LINK_STEPS = 4 * MAX_DEPTH


def _link_inside(rel: str, target: str, is_link: Callable[[str], bool]) -> bool:
    """Whether the link `rel` (a '/'-separated path in the submission) to `target` names a path inside it,
    walked step by step from the link's folder: a step up past the top, or any step through a path that is
    itself a link (`is_link`), leads out. Compared as text, `m -> .` then `k.py -> m/../b1/bob.py` stayed
    inside while k.py named the folder beside the submission: where a link leads is the system's to say, and
    a link is never followed here, so one passing through another is refused. No target is read."""
    if not _plain_target(target) or target.count("/") >= _MAX_LINK_STEPS:
        return False
    at: list[str] = []
    steps = [*rel.split("/")[:-1], *target.split("/")]
    for i, step in enumerate(steps):
        if step in ("", "."):
            continue
        if step == "..":
            if not at:
                return False
            at.pop()
        else:
            at.append(step)
        if i < len(steps) - 1 and is_link("/".join(at)):
            return False
    return True


def _link(source: Path, rel: str, target: str, inside: bool, left_out: list[str] | None) -> None:
    """A link in a folder or zip: named in `left_out` when it stays inside the submission, else refused."""
    if left_out is None or not inside:
        raise SubmissionError(
            "unsafe_path",
            f"{_display(source)}: refusing the symlink {shown(rel)} (to {shown(target)}, outside the "
            "submission): hand in the files themselves, not links to them",
        )
    left_out.append(f"{rel}{_LINK}{target}")


def _left_out(rel: str, size: int, left_out: list[str] | None) -> bool:
    """Whether `rel` is a data file to leave out (MAX_DATA_FILE_BYTES), then named in `left_out`."""
    if left_out is None or size <= MAX_DATA_FILE_BYTES or rel.lower().endswith(CODE_SUFFIXES):
        return False
    left_out.append(rel)
    return True


def _listed(rels: list[str]) -> str:
    return ", ".join(shown(rel) for rel in rels[:5]) + (", ..." if len(rels) > 5 else "")


def _left_out_notes(left_out: list[str]) -> tuple[str, ...]:
    """One note for the links left out, one for the data files, one for the folders of installed packages
    (named with a trailing '/', see grader.environments)."""
    links = sorted(rel.split(_LINK) for rel in left_out if _LINK in rel)
    unlisted = sorted(rel.removesuffix(_UNLISTED) + "/" for rel in left_out if rel.endswith(_UNLISTED))
    left_out = [rel for rel in left_out if not rel.endswith(_UNLISTED)]
    data = [rel for rel in left_out if not rel.endswith("/") and _LINK not in rel]
    # the walk's order is the disk's; a link's target may end in '/' too (`lib -> ../lib/`)
    installed = sorted(rel for rel in left_out if rel.endswith("/") and _LINK not in rel)
    notes: list[str] = []
    if links:
        named = ", ".join(f"{shown(rel)} (to {shown(target)})" for rel, target in links[:5])
        notes.append(
            f"note: left out, unread: {named}{', ...' if len(links) > 5 else ''}: links are never followed; "
            "what they name is graded where it is (code that imports a file through a link should import "
            "it from its own place, or hand in a copy in place of the link)"
        )
    if data:
        notes.append(
            f"note: left out, unread: {_listed(data)} (not code, over {MAX_DATA_FILE_BYTES // 1024**2} MiB "
            "each; grading uses no data set; not an error)"
        )
    if installed:
        notes.append(
            f"note: left out, unread: {_listed(installed)} (installed packages: a virtual environment or a "
            "site-packages folder, not your code; grading uses its own numpy; not an error, but leave it out "
            "of what you hand in)"
        )
    if unlisted:
        notes.append(
            f"note: left out, unread: {_listed(unlisted)} (the grader cannot list it; by its name, installed "
            "packages or built files, not your code; not an error)"
        )
    return tuple(notes)


def _python_suffixes(files: Mapping[str, bytes]) -> dict[str, bytes]:
    """Every `HW.PY` or `nn.Py` (a name from Windows or an old FAT drive) named `.py`, in a lone file, a
    folder or a zip alike: Python imports only `.py`, so kept as it was the file was no Python file to the
    loader ("no Python file in the submission", 0 points) or no module to the files importing it. A name
    whose `.py` twin is there too keeps its own, and the case clash is refused by name (`_case_clash`)."""
    out: dict[str, bytes] = {}
    for rel, data in files.items():
        stem, dot, suffix = rel.rpartition(".")
        fixed = f"{stem}.py"
        out[fixed if dot and suffix != "py" and suffix.lower() == "py" and fixed not in files else rel] = data
    return out


def _load_folder(
    path: Path, max_bytes: int, max_files: int, left_out: list[str] | None = None
) -> dict[str, bytes]:
    files: dict[str, bytes] = {}
    total = 0
    notebooks = _NotebookBytes(path)
    # an lstat per path a link's target steps through (at most _MAX_LINK_STEPS each), once per load: the
    # links of a repository share their steps (`../common`)
    is_link = functools.cache(lambda step: os.path.islink(path / step))
    for item in folder_entries(path, left_out):
        rel = item.relative_to(path)
        if item.is_symlink():
            target = os.readlink(item)
            inside = _link_inside(rel.as_posix(), target, is_link)
            _link(path, rel.as_posix(), target, inside, left_out)
            continue
        if not item.is_file():
            continue
        size = item.stat().st_size
        if _left_out(rel.as_posix(), size, left_out):
            continue
        total += notebooks.counted(rel.as_posix(), size)
        _check_caps(len(files) + 1, total, path, max_bytes, max_files)
        files[_relpath(rel.as_posix(), path)] = item.read_bytes()
    _tree(files, path)
    return files


def _strip_single_top(files: dict[str, bytes]) -> dict[str, bytes]:
    tops = {rel.split("/", 1)[0] for rel in files}
    if len(tops) == 1 and all("/" in rel for rel in files):
        return {rel.split("/", 1)[1]: data for rel, data in files.items()}
    return files


def check_zip_directory(path: Path) -> None:
    """Refuse on the archive's size and on what its end record declares, before zipfile parses anything
    (grader.held_config too, before it looks into a zip)."""
    size = path.stat().st_size
    if size > MAX_ARCHIVE_BYTES:
        raise SubmissionError(
            "too_large",
            f"{_display(path)}: the archive is {size:,} bytes (limit {MAX_ARCHIVE_BYTES:,}); "
            "zip only your code, without data sets or .git",
        )
    try:
        with path.open("rb") as fh:
            directory = read_directory(fh, size)
    except NotAZip as exc:
        raise SubmissionError(
            "bad_archive", f"{_display(path)} is not a readable zip archive: {exc}"
        ) from exc
    if directory.disks > 1:
        raise SubmissionError("bad_archive", f"{_display(path)} is a multi-part archive; submit a single zip")
    if directory.entries > MAX_ZIP_ENTRIES or directory.size > MAX_ZIP_DIRECTORY_BYTES:
        raise SubmissionError(
            "too_large",
            f"{_display(path)}: the archive lists {directory.entries:,} entries in {directory.size:,} bytes "
            f"(limit {MAX_ZIP_ENTRIES:,} entries, {MAX_ZIP_DIRECTORY_BYTES:,} bytes); zip only your code",
        )


_UTF8_NAME = 0x800  # general purpose flag bit 11: the entry's name is UTF-8


def _decoded_name(info: zipfile.ZipInfo) -> str:
    """The entry's name as its tool wrote it. A name not flagged UTF-8 is read by zipfile as cp437, the
    format's old default; but macOS's Archive Utility and Info-ZIP's `zip` on Linux and macOS write UTF-8
    without the flag, so `ゼロから作る/ch05/layers.py` was `πé╝πâ¡πüïπéëΣ╜£πéï/ch05/layers.py`
    in every message and module name. Such a name that is valid UTF-8 is read as UTF-8 (cp437 maps every
    byte, so the bytes are recovered exactly; non-ASCII cp437 text is almost never valid UTF-8 by chance);
    any other is left as zipfile read it."""
    name = info.filename
    if info.flag_bits & _UTF8_NAME or name.isascii():
        return name
    try:
        return name.encode("cp437").decode("utf-8")
    except UnicodeError:
        return name


def zip_name(info: zipfile.ZipInfo) -> str:
    """An entry's name as the loader names its file: decoded, with '/' between folders, no trailing '/'."""
    # The zip format says '/', but some Windows tools write '\\' between folders: read those as folders.
    name = _decoded_name(info).replace("\\", "/")
    # ZipInfo.is_dir() without its IndexError on an entry with an empty name (refused by the path check)
    return name.removesuffix("/") if info.filename.endswith("/") else name


# The methods `zipfile` inflates at most as far as asked: for bzip2 and LZMA it decompresses each chunk of
# the archive whole, whatever the size asked for, so a 300-byte entry declaring 6 bytes made the parent
# allocate 400 MB (bzip2 packs a gigabyte of zeros into a few hundred bytes; 8 MiB of it is terabytes).
READ_BOUNDED = (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED)
# What reading an entry raises when the archive is damaged; zlib.error: a Deflate stream that does not
# inflate (zipfile lets it through as it is); EOFError: the archive ends before the entry's compressed bytes;
# ValueError: a local header whose name is flagged UTF-8 and is not (UnicodeDecodeError).
_UNREADABLE_ENTRY = (
    zipfile.BadZipFile, OSError, RuntimeError, NotImplementedError, zlib.error, EOFError, ValueError
)  # fmt: skip
_METHODS = {zipfile.ZIP_BZIP2: "bzip2", zipfile.ZIP_LZMA: "LZMA", 9: "Deflate64", 93: "Zstandard"}


def _method(info: zipfile.ZipInfo) -> str:
    return _METHODS.get(info.compress_type, f"method {info.compress_type}")


def _is_link(info: zipfile.ZipInfo) -> bool:
    return stat.S_ISLNK(info.external_attr >> 16)


def _zip_link_target(archive: zipfile.ZipFile, info: zipfile.ZipInfo, path: Path, rel: str) -> str:
    """The target of the link entry `info`, its data: read only as regular entries are, when `zipfile`
    inflates it no further than asked (READ_BOUNDED), and only when it declares no more than a path can be.
    Read before that check, a 1,769-byte zip of one bzip2 link made the parent use 4 GiB; ten links declaring
    256 MiB each were inflated in turn. Refused otherwise, saying why."""
    why = ""
    if info.compress_type not in READ_BOUNDED:
        why = (
            f"it is compressed with {_method(info)}, which the grader does not read; zip it again with the "
            "usual method, Deflate: any zip tool's default"
        )
    elif info.file_size > _MAX_LINK_TARGET:
        why = f"it declares {info.file_size:,} bytes, longer than any path ({_MAX_LINK_TARGET:,})"
    else:
        try:
            with archive.open(info) as fh:
                data = fh.read(_MAX_LINK_TARGET + 1)
        except _UNREADABLE_ENTRY as exc:
            why = f"cannot read it: {exc}"
        else:
            if len(data) > info.file_size:
                why = "it holds more than its declared size"
            else:
                return data.decode("utf-8", "replace")
    raise SubmissionError(
        "unsafe_path",
        f"{_display(path)}: refusing the symlink {shown(rel)}: its target could not be read ({why}); hand in "
        "the files themselves, not links to them",
    )


def _load_zip(
    path: Path, max_bytes: int, max_files: int, left_out: list[str] | None = None
) -> dict[str, bytes]:
    _refuse_pointer(path)
    check_zip_directory(path)
    try:
        archive = zipfile.ZipFile(path)
    # NotImplementedError: an entry needing a later version of the format than zipfile reads ("zip file
    # version 12.4": one byte of the central directory)
    except (zipfile.BadZipFile, OSError, ValueError, NotImplementedError) as exc:
        raise SubmissionError(
            "bad_archive", f"{_display(path)} is not a readable zip archive: {exc}"
        ) from exc
    with archive:
        # The end record may understate what the directory holds.
        if len(archive.infolist()) > MAX_ZIP_ENTRIES:
            raise SubmissionError("too_large", f"{_display(path)}: more than {MAX_ZIP_ENTRIES:,} entries")
        members = []
        folders = []
        # Every name checked (the 16-folder depth limit, ...) before the listing is read as a tree: 62 names
        # 32,700 folders deep cost the tree 10.5 s and 434 MB before the first name was refused.
        names = [_relpath(zip_name(info), path) for info in archive.infolist()]
        links = {rel for info, rel in zip(archive.infolist(), names, strict=True) if _is_link(info)}
        # links first: a link entry is judged as a link, never left out as installed packages by its name
        installed = (
            environments.roots(n for n in names if n not in links and not _skipped(tuple(n.split("/"))))
            if left_out is not None
            else set()
        )
        if left_out is not None:
            left_out.extend(sorted(root for root in installed if root.endswith("/")))
        for info, rel in zip(archive.infolist(), names, strict=True):
            # a link inside a venv left out is left out with it (macOS's Compress keeps bin/python as a link)
            if _skipped(tuple(rel.split("/"))) or environments.inside(rel, installed):
                continue
            if rel in links:
                target = _zip_link_target(archive, info, path, rel)
                _link(path, rel, target, _link_inside(rel, target, links.__contains__), left_out)
                continue
            if info.is_dir():
                folders.append(rel)
            elif not _left_out(rel, info.file_size, left_out):
                members.append((rel, info))
        _tree([rel for rel, _ in members], path, folders)
        # Declared sizes first: a zip bomb is refused before a single byte is inflated.
        declared = _NotebookBytes(path)
        counted = sum(declared.counted(rel, i.file_size) for rel, i in members)
        _check_caps(len(members), counted, path, max_bytes, max_files)
        files: dict[str, bytes] = {}
        total = 0
        notebooks = _NotebookBytes(path)
        for rel, info in members:
            if info.compress_type not in READ_BOUNDED:
                raise SubmissionError(
                    "bad_archive",
                    f"{_display(path)}: {shown(rel)} is compressed with {_method(info)}, which the grader "
                    "does not read; zip it again with the usual method (Deflate: any zip tool's default)",
                )
            try:
                with archive.open(info) as fh:
                    data = fh.read(info.file_size + 1)  # never trust the declared size beyond the cap
            except _UNREADABLE_ENTRY as exc:
                raise SubmissionError(
                    "bad_archive", f"{_display(path)}: cannot read {shown(rel)}: {exc}"
                ) from exc
            total += notebooks.counted(rel, len(data))
            if len(data) > info.file_size:
                raise SubmissionError(
                    "bad_archive", f"{_display(path)}: {shown(rel)} exceeds its declared size"
                )
            _check_caps(len(files) + 1, total, path, max_bytes, max_files)
            files[rel] = data
    stripped = _strip_single_top(files)
    if left_out and stripped is not files:  # named as the files graded are, without the zip's top folder
        top = next(iter(files)).split("/", 1)[0] + "/"
        left_out[:] = [rel.removeprefix(top) for rel in left_out]
    return stripped


# Lines (and cells) of a notebook's code the parent reads line by line: a notebook of 8 MiB of one-character
# lines cost it 20 to 45 s of CPU to load (blank ones, magics, help lines); an honest one has a few thousand.
MAX_NOTEBOOK_LINES = 250_000
# Cell text read with tokenize per submission (for the lines inside multi-line strings); past it, lines are
# taken one by one. tokenize is pure Python, about 5 us a token: an 8 MiB notebook of one-character lines
# cost the parent 40 s of CPU to load. A cell with no line that could be a magic is never tokenized.
MAX_TOKENIZED_CHARS = 256 * 1024
# What Jupyter does with a cell that starts with `%%name`: run its body as Python (`code`), save its body as a
# file (`file`, %%writefile NAME), or something that is not Python at all (%%bash, %%html...: dropped).
CELL_MAGICS = {"time": "code", "timeit": "code", "capture": "code", "writefile": "file"}
# `%%writefile` line text read per submission (grader/cell_magic.py splits it, ~0.17 s of CPU a MiB of `-a `):
# each line is capped, not their sum, and 8 MiB of code in 16 KiB lines cost the parent 1.3 s. An honest
# notebook has a few lines of a few words; past it, a %%writefile line writes nothing.
MAX_WRITEFILE_CHARS = 1024 * 1024
# Values (lists, objects, strings, numbers) of a submission's notebooks' JSON, bounded before `json.loads`
# builds them: the parent parses a notebook whole, at about 0.4 us and 60 bytes a value (1,000,000 empty
# lists: 0.36 s), so a 60 MB notebook of `[],` twenty million times in its metadata cost `grader grade` 62 s
# and 1.6 GB (three parses). An honest notebook's bulk is a few long strings (a plot's base64, a log's
# lines), a handful of values each. Counted as commas plus opening brackets: an upper bound that needs no
# scan of the strings.
MAX_NOTEBOOK_VALUES = 2_000_000


@dataclass
class ReadBudget:
    """What is left of the parent's line-by-line reading of a submission's notebooks, shared by all of them (a
    zip of 190 notebooks of 40 KB, each under the caps, cost the parent 13 s of CPU)."""

    lines: int = MAX_NOTEBOOK_LINES
    tokenized: int = MAX_TOKENIZED_CHARS
    writefile: int = MAX_WRITEFILE_CHARS
    values: int = MAX_NOTEBOOK_VALUES

    def writefile_line(self, line: str) -> str | None:
        """`line` when the budget still holds it (and charged to it), None past it."""
        self.writefile -= len(line)
        return line if self.writefile >= 0 else None


def notebook_files(raw: bytes, name: str, budget: ReadBudget | None = None) -> dict[str, bytes]:
    """The notebook as files: `<stem>.py` with the code cells in order (`%`/`!` lines made inert, cell magics
    handled as Jupyter does), plus every file a `%%writefile NAME` cell writes.

    The module starts with a header line and each code cell follows a marker line (grader/inside/cells.py),
    and a dropped line is left blank: messages then cite the cell and the line in the cell."""
    written: dict[str, list[bytes]] = {}  # each %%writefile target's parts, joined once at the end: a
    # notebook of 80,000 `%%writefile -a` cells made the parent copy the growing file 80,000 times
    lines = [cells.header(Path(name).name)]
    budget = budget if budget is not None else ReadBudget()
    texts = code_cells(raw, name, budget)
    count = len(texts) + sum(t.count("\n") + t.count("\r") for t in texts)  # CR LF counts twice: a bound
    if count > budget.lines:
        raise SubmissionError(
            "too_large",
            f"{untrusted.name(name)}: its code cells hold about {count:,} lines (limit "
            f"{MAX_NOTEBOOK_LINES:,} for the submission's notebooks); hand in the notebook of your code, "
            "without generated or pasted data",
        )
    budget.lines -= count
    for number, text in enumerate(texts, start=1):
        lines.append(cells.marker(number))
        # IPython drops a cell's leading blank lines before it looks for a cell magic (`\n%%writefile x.py`
        # is a cell magic): they stay here as blank lines, so that line numbers keep matching the cell.
        split = text.split("\n")
        lead = next((i for i, ln in enumerate(split) if ln.strip()), len(split))
        blank = [""] * lead
        first, _, body = "\n".join(split[lead:]).partition("\n")
        magic = cell_magic.cell_magic(first)
        if magic is None:
            lines.extend(_without_line_magics(text, budget))
            continue
        lines.extend(blank)
        action = CELL_MAGICS.get(magic.name)
        if action == "code":
            lines.extend(["", *_without_line_magics(body, budget)])  # the magic's own line stays, blank
        elif action == "file" and (writes := writefile_of(magic.line, budget)) is not None:
            # `%%writefile ./layers.py` writes layers.py, as in Jupyter; any other odd name is refused.
            wanted = writes.target
            target = wanted if wanted in written else _relpath(wanted, Path(name))  # checked once a name
            parts = written.setdefault(target, [])
            if not writes.append:
                parts.clear()
            parts.append(body.encode("utf-8"))
    files = {target: b"".join(parts) for target, parts in written.items()}
    files[f"{Path(name).stem}.py"] = ("\n".join(lines) + "\n").encode("utf-8")
    return files


def writefile_of(line: str, budget: ReadBudget) -> cell_magic.WriteFile | None:
    """What a `%%writefile` line writes, read within the submission's one `budget` (None past it, or for a
    line Jupyter writes nothing for): the loader's reading, held_config's too."""
    within = budget.writefile_line(line)
    return None if within is None else cell_magic.writefile(within)


# IPython's help lines: `np.dot?`, `Affine??`, `?np.dot`, `np.*dot*?` (a name, nothing else on the line).
_HELP_LINE = re.compile(r"\s*(?:\?{1,2}[\w.*]+|[\w.*]+\?{1,2})\s*")


# `files = !ls`, `t = %timeit -o f()`: IPython runs the command and assigns its result. No valid Python has
# `=` followed by `!` or `%`, so the pattern never matches a line of plain Python.
_ASSIGNED_MAGIC = re.compile(r"(\s*)([\w.]+(?:\s*,\s*[\w.]+)*)\s*=\s*([!%])(.*)")
# `%run layers.py`: IPython runs the file and copies its names into the notebook, which the next cells use
# (`Affine` in TwoLayerNet). Written as IPython's own translation, which the kernel stand-in answers for a .py
# file of the submission (grader/inside/standins/kernel.py); blanked, every such name was a NameError.
# Its arguments end at the line's last non-blank, found in one pass: `(\S.*?)\s*` tried the trailing blanks
# after every character, n * n steps for a run of n blanks that something follows: `%run x`, 100,000 blanks
# and `#` in a cell cost the parent 40 s of CPU while loading, before any sandbox (a 64 MiB notebook, hours).
_RUN_MAGIC = re.compile(r"(\s*)%run\s+(\S(?:.*\S)?)\s*")


def _code_part(line: str) -> str:
    """A line without its comment and trailing spaces ("" for a blank or comment-only line)."""
    return line.split("#")[0].rstrip()


def _opens_block(last_code: str, indent: str) -> bool:
    """Whether the last code line above (`last_code`, "" when there is none) ends with `:` and is less
    indented: the line at `indent` is the first of that block, which must hold a statement."""
    return last_code.endswith(":") and len(indent) > len(last_code) - len(last_code.lstrip())


_FSTRING_START, _FSTRING_END = getattr(tokenize, "FSTRING_START", -1), getattr(tokenize, "FSTRING_END", -1)


def _string_lines(lines: list[str]) -> set[int]:
    """The indexes of the lines inside a multi-line string (every line after its first): IPython reads
    tokens, so `%.4f` or `x = !y` there is the string's text, not a magic. Read with tokenize (its error
    tokens cover `!` and `%` lines); past a point it cannot read, lines are taken one by one, as before."""
    inside: set[int] = set()
    opened: list[int] = []  # the start lines of the f-strings open (Python 3.12 splits them into tokens)
    try:
        for tok in tokenize.generate_tokens(io.StringIO("\n".join(lines) + "\n").readline):
            if tok.type == _FSTRING_START:
                opened.append(tok.start[0])
            elif tok.type == _FSTRING_END and opened:
                inside.update(range(opened.pop(), tok.end[0]))
            elif tok.type == tokenize.STRING and tok.end[0] > tok.start[0]:
                inside.update(range(tok.start[0], tok.end[0]))  # 1-based lines start+1..end, as indexes
    except (tokenize.TokenError, SyntaxError):
        pass
    return inside


# The line breaks of Python source (and of the student's process reading the module: universal newlines).
# str.splitlines also breaks at form feeds, U+0085, U+2028 and other separators, which a cell may hold inside
# a string or a comment: split there, a string that Jupyter runs became an unterminated one, and the whole
# cell (its classes with it) was skipped for a syntax error.
_LINE_BREAK = re.compile(r"\r\n|\r|\n")


def _may_be_magic(line: str) -> bool:
    """Cheap: False for a line none of the magic patterns below can match."""
    return (
        line.lstrip().startswith(_MAGIC_PREFIXES)
        or "?" in line
        or ("=" in line and ("!" in line or "%" in line))
    )


def _without_line_magics(text: str, budget: ReadBudget | None = None) -> list[str]:
    """A cell's lines with IPython's own syntax made inert: line magics and shell escapes, and help lines.

    A line of its own is blanked; the first line of a block (`if IN_COLAB:` then `    !pip install`)
    becomes `pass`, so the block still compiles, as IPython's own call there would. An assignment from a
    magic becomes IPython's own translation (`files = get_ipython().getoutput('ls')`), which the inert
    kernel stand-in answers (docs/LOADING.md)."""
    out = []
    lines = _LINE_BREAK.split(text)
    if not lines[-1]:  # as splitlines: no line after the last line break
        lines.pop()
    in_string: set[int] = set()
    if (budget is None or len(text) <= budget.tokenized) and any(map(_may_be_magic, lines)):
        in_string = _string_lines(lines)
        if budget is not None:
            budget.tokenized -= len(text)
    last_code = ""  # the last line written with code on it: kept as we go, never searched for (a cell of
    # 20,000 indented magic lines, 100 KB, cost the parent 28 s when each one looked back over the others)
    for number, ln in enumerate(lines):
        if number in in_string or not _may_be_magic(ln):  # in a multi-line string: the string's own text
            written = ln
        elif assigned := _ASSIGNED_MAGIC.fullmatch(ln):
            indent, target, escape, command = assigned.groups()
            if escape == "!":
                call = f"getoutput({command.strip()!r})"
            else:
                magic, _, args = command.strip().partition(" ")
                call = f"run_line_magic({magic!r}, {args.strip()!r})"
            written = f"{indent}{target} = get_ipython().{call}"
        elif run := _RUN_MAGIC.fullmatch(ln):
            indent, args = run.groups()
            written = f"{indent}get_ipython().run_line_magic('run', {args!r})"
        elif ln.lstrip().startswith(_MAGIC_PREFIXES) or _HELP_LINE.fullmatch(ln):
            indent = ln[: len(ln) - len(ln.lstrip())]
            written = f"{indent}pass" if indent and _opens_block(last_code, indent) else ""
        else:
            written = ln
        out.append(written)
        last_code = _code_part(written) or last_code
    return out


def notebook_source(raw: bytes, name: str) -> bytes:
    """The notebook's own module: its code cells in order (see notebook_files)."""
    return notebook_files(raw, name)[f"{Path(name).stem}.py"]


def _cells(nb: object) -> object:
    """The notebook's cells in order, as nbformat 4 holds them. nbformat 3 (IPython 1 and 2, which Jupyter
    still opens, converting it) holds them in `worksheets`, a code cell's source in `input` and its
    execution count in `prompt_number`: read as such, it was refused as "not a readable Jupyter notebook:
    'cells'", and an honest old notebook scored 0. Anything else raises as `nb["cells"]` does."""
    if isinstance(nb, dict) and "cells" not in nb and nb.get("nbformat") == 3:
        sheets = nb.get("worksheets")
        return [
            {
                "cell_type": c.get("cell_type"),
                "source": c.get("input", ""),
                "execution_count": c.get("prompt_number"),
            }
            if isinstance(c, dict)
            else c
            for sheet in (sheets if isinstance(sheets, list) else ())
            if isinstance(sheet, dict) and isinstance(sheet.get("cells"), list)
            for c in sheet["cells"]
        ]
    return nb["cells"]  # type: ignore[index]


def _notebook_json(raw: bytes) -> str:
    """A notebook's JSON text. A UTF-8 byte-order mark before it (a notebook saved again from Notepad or
    another Windows editor) is no part of the JSON: read as part of it, the notebook was refused whole,
    "Unexpected UTF-8 BOM", and scored 0."""
    return raw.decode("utf-8-sig")


def json_values(raw: bytes) -> int:
    """At most how many values `json.loads(raw)` builds: each but the first of a list or an object follows a
    comma, each list or object opens with a bracket (commas and brackets inside strings only add to it).
    Three passes of bytes.count: 70 ms for 64 MB, where the parse of 64 MB of `[],` took 12 s."""
    return raw.count(b",") + raw.count(b"[") + raw.count(b"{") + 1


def code_cells(raw: bytes, name: str, budget: ReadBudget | None = None) -> list[str]:
    """The source of each code cell of the notebook `raw` (named `name` in errors), as the loader reads it;
    SubmissionError for a notebook it refuses. Its JSON values count against `budget.values` (a fresh
    budget's when none is given) before any is built."""
    budget = budget if budget is not None else ReadBudget()
    values = json_values(raw)
    if values > budget.values:
        raise SubmissionError(
            "too_large",
            f"{untrusted.name(name)}: its JSON holds up to {values:,} values, outputs and metadata "
            f"included (limit {MAX_NOTEBOOK_VALUES:,} for the submission's notebooks): clear the outputs "
            "(Edit > Clear All Outputs), save, hand in again",
        )
    budget.values -= values
    try:
        nb = json.loads(_notebook_json(raw))
        cells = _cells(nb)
    except RecursionError:  # JSON nested deeper than Python's recursion limit; no notebook is
        raise SubmissionError(
            "unreadable",
            f"{untrusted.name(name)} is not a readable Jupyter notebook: its JSON is nested too deeply",
        ) from None
    # ValueError: besides bad JSON, a number of over 4,300 digits, which json.loads refuses with a plain one
    except (UnicodeDecodeError, ValueError, KeyError, TypeError) as exc:
        raise SubmissionError(
            "unreadable", f"{untrusted.name(name)} is not a readable Jupyter notebook: {exc}"
        ) from exc
    texts: list[str] = []
    for cell in cells if isinstance(cells, list) else ():
        if isinstance(cell, dict) and cell.get("cell_type") == "code":
            source = cell.get("source", "")
            text = "".join(map(str, source)) if isinstance(source, list) else str(source)
            if _has_lone_surrogate(text):
                raise SubmissionError(
                    "unreadable",
                    f"{untrusted.name(name)} is not a readable Jupyter notebook: code cell {len(texts) + 1} "
                    "holds a lone surrogate (a \\ud800-style escape that is half of a character), which is "
                    "not text Python can run; delete that character and save the notebook again",
                )
            texts.append(text)
    return texts


def _has_lone_surrogate(text: str) -> bool:
    """JSON's \\ud800 escape reads as a str no UTF-8 can hold: made into the module, it raised
    UnicodeEncodeError out of the loader (a crash of `grader check`) where a refusal was due."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def run_order_note(raw: bytes, name: str) -> str | None:
    """A note when the notebook's execution counts show its cells were last run in another order than top
    to bottom (a fix in cell 4 run after cell 6): the grader runs them top to bottom, as Restart & Run All
    does, so what the student last saw may not be what is graded. None when they ran in order, or never."""
    if json_values(raw) > MAX_NOTEBOOK_VALUES:  # refused by the loader: never parsed here either
        return None
    try:
        cells = _cells(json.loads(_notebook_json(raw)))
    except (UnicodeDecodeError, ValueError, KeyError, TypeError, RecursionError):
        return None
    code = (
        [c for c in cells if isinstance(c, dict) and c.get("cell_type") == "code"]
        if isinstance(cells, list)
        else []
    )
    latest: tuple[int, int] | None = None  # (code cell number, execution count) of the latest-run cell so far
    for number, cell in enumerate(code, start=1):
        count = cell.get("execution_count")
        if type(count) is not int:
            continue
        if latest is not None and count < latest[1]:
            return (
                f"note: {untrusted.name(name)} was last run in another order than top to bottom: code "
                f"cell {number} (execution count {count}) ran before code cell {latest[0]} above it "
                f"({latest[1]}). The grader runs the cells top to bottom, as Kernel > Restart & Run All "
                "does: run that to see what is graded"
            )
        if latest is None or count > latest[1]:
            latest = (number, count)
    return None


def _load_notebook(
    path: Path, max_bytes: int, max_files: int, left_out: list[str] | None = None
) -> dict[str, bytes]:
    _refuse_pointer(path)
    _NotebookBytes(path).counted(path.name, path.stat().st_size)
    files = notebook_files(path.read_bytes(), path.name)
    _check_caps(len(files), sum(map(len, files.values())), path, max_bytes, max_files)
    return files


# path, max_bytes, max_files, and where to name the data files left out (a lone file or notebook has none).
Loader = Callable[[Path, int, int, "list[str] | None"], dict[str, bytes]]
LOADERS: dict[str, tuple[SubmissionKind, Loader]] = {
    ".py": ("file", _load_file),
    ".zip": ("zip", _load_zip),
    ".ipynb": ("notebook", _load_notebook),
}


def load_submission(
    path: Path,
    *,
    max_bytes: int = MAX_BYTES,
    max_files: int = MAX_FILES,
    provided: Collection[str] = (),
) -> SubmissionFiles:
    """Read a submission into memory; raises SubmissionError with a stable code and a clear message.

    `provided`: the assignment's support files, written beside the submission in the sandbox (a submitted
    file of the same name replaces one): a submitted name that cannot sit beside them is refused here."""
    path = Path(path)
    left_out: list[str] = []  # data files left out unread (MAX_DATA_FILE_BYTES)
    if path.is_symlink():
        raise SubmissionError("unsafe_path", f"{_display(path)} is a symlink; submit the file itself")
    try:
        if path.is_dir():
            kind: SubmissionKind = "folder"
            files = _load_folder(path, max_bytes, max_files, left_out)
            sub_id = path.name
            # A zip left out as data (over MAX_DATA_FILE_BYTES: a notebook's plots) is still the one uploaded.
            # never a link (`latest.zip -> HW2.zip`, named in left_out as "name\x00target"): not followed
            lone = lone_zip([*files, *(rel for rel in left_out if _LINK not in rel)])
            if lone is not None:  # the zip uploaded as is (Gradescope's submission/ holding HW2.zip alone)
                left_out.clear()
                kind, files = "zip", _load_zip(path / lone, max_bytes, max_files, left_out)
        elif path.is_file():
            suffix = path.suffix.lower()
            if suffix not in LOADERS:
                known = ", ".join(sorted(LOADERS))
                archive = unread_archive(path.name)
                if archive is not None:
                    raise SubmissionError(
                        "unsupported", f"{_display(path)}: {_UNREAD_ARCHIVE.format(archive)}"
                    )
                raise SubmissionError(
                    "unsupported", f"{_display(path)}: unsupported type (use a folder, {known})"
                )
            kind, loader = LOADERS[suffix]
            files = loader(path, max_bytes, max_files, left_out)
            sub_id = path.stem
        else:
            raise SubmissionError(
                "unreadable", f"{untrusted.path(str(path))} does not exist or is not a file or folder"
            )
    except OSError as exc:
        raise _unreadable(path, exc) from exc
    if not files:
        raise SubmissionError("empty", f"{_display(path)} contains no files")
    files = _python_suffixes(files)
    files, pointers = lfs_pointers.left_out(files)
    if pointers and not any(rel.lower().endswith((".py", ".ipynb", ".zip")) for rel in files):
        raise SubmissionError("empty", lfs_pointers.refusal(pointers))
    _not_only_archives(files, path)
    # Names from an LMS download or another OS (undecodable bytes, control characters) are refused here.
    _tree(files, path)
    _beside(files, provided, path)
    notes: tuple[str, ...] = _left_out_notes(left_out)
    if pointers:
        notes += (lfs_pointers.note(pointers),)
    if kind == "notebook" and (note := run_order_note(path.read_bytes(), path.name)) is not None:
        notes = (note,)
    files, recoded = source_encoding.as_utf8(files)
    notes += recoded
    made: tuple[tuple[str, str], ...] = ()
    if kind in ("folder", "zip"):
        files, made, found = _notebooks_as_modules(files, path, max_bytes, max_files)
        notes += found
        _tree(files, path)
        _beside(files, provided, path)
    from_notebooks = {rel: path.name for rel in files} if kind == "notebook" else dict(made)
    written = nothing_written(files, from_notebooks)
    if written is not None:  # graded, it was 0 points and "missing: Input ..." with status `graded`
        raise SubmissionError("empty", written)
    return SubmissionFiles(
        untrusted.name(sub_id),
        path,
        kind,
        MappingProxyType(dict(sorted(files.items()))),
        digest(files),
        notes,
        made,
    )


# A line holding code: anything but blanks and a comment after the line's start. Searched for, never split:
# splitting an 8 MB file of comments into lines took 0.3 s and 150 MB of the parent (review).
_CODE_LINE = re.compile(rb"(?:\A|[\r\n])[ \t\f\v]*[^\s#]")


def nothing_written(files: Mapping[str, bytes], notebooks: Mapping[str, str] | None = None) -> str | None:
    """An empty file, or one of comments only (a starter's TODO list, a file saved before it was written, a
    notebook with no code): said as such, so that the student checks they handed in the file they saved.
    None when any Python file holds code, or when there is no Python file (said elsewhere). `notebooks`: the
    notebook each module was made from (its header and cell markers are comments), named instead."""
    python = {rel: files[rel].removeprefix(b"\xef\xbb\xbf") for rel in sorted(files) if rel.endswith(".py")}
    if not python or any(_CODE_LINE.search(data) for data in python.values()):
        return None
    books = {(notebooks or {}).get(rel) for rel in python}
    if len(books) == 1 and None not in books:
        book = untrusted.name(str(books.pop()))
        return f"{book} has no code in its code cells: was it saved, and is it the file you meant to hand in?"
    empty = all(not data.strip() for data in python.values())
    what = "is empty" if empty else "holds only comments"
    name = untrusted.name(next(iter(python))) if len(python) == 1 else "every Python file"
    return f"{name} {what}: was it saved, and is it the file you meant to hand in?"


def notebook_order(rels: Iterable[str]) -> list[str]:
    """The notebooks among a submission's files in the order the loader reads them. One ReadBudget serves
    them all, so past its caps the order decides which are read: held_config looks into them in this order
    too (it read a zip's in archive order, and then another notebook than the loader's)."""
    return sorted(rel for rel in rels if rel.lower().endswith(".ipynb"))


def _notebooks_as_modules(
    files: dict[str, bytes], source: Path, max_bytes: int, max_files: int
) -> tuple[dict[str, bytes], tuple[tuple[str, str], ...], tuple[str, ...]]:
    """A folder's or zip's notebooks made into modules as a notebook handed in alone is (`hw/MiniFlow.ipynb`
    -> `hw/MiniFlow.py`, with its %%writefile files): a zipped Colab notebook is code to grade, never "no
    Python file". A file the student handed in wins over one a notebook would make (`miniflow.py` beside
    `miniflow.ipynb`: the exported or %%writefile'd module). Returns the files, (module, notebook) pairs
    and the notes for the student (a notebook last run out of order, one that cannot be read)."""
    books = notebook_order(files)
    if not books:
        return files, (), ()
    out = {rel: data for rel, data in files.items() if rel not in books}
    budget = ReadBudget()
    made: list[tuple[str, str]] = []
    notes: list[str] = []
    makers: dict[str, str] = {}  # a file a notebook made -> that notebook
    # Every notebook read first (its files, or the note of one that cannot be read beside Python files), so
    # that the stubs of the copies of a module compared below are counted within one budget (`_clash_stubs`)
    read: list[tuple[str, dict[str, bytes] | str]] = []
    for book in books:
        try:
            # named by its path: a note of `scratch.ipynb` alone did not say which folder's
            read.append((book, notebook_files(files[book], book, budget)))
        except SubmissionError as exc:
            if any(f.lower().endswith(".py") for f in files):
                read.append((book, f"note: {exc.message}; it was not graded"))
                continue
            raise
    stubs, share = _clash_stubs(out, read)
    for book, written in read:
        if isinstance(written, str):
            notes.append(written)
            continue
        folder, _, name = book.rpartition("/")
        for rel, data in written.items():
            target = f"{folder}/{rel}" if folder else rel
            # In any case: `MiniFlow.ipynb` beside its export `miniflow.py` made `MiniFlow.py`, and the whole
            # submission was refused as a case clash naming that file, which the student never had (0 points).
            handed = next((f for f in out if f.casefold() == target.casefold()), None)
            short = _cut_short((out[handed], data), share) if handed is not None else ""
            if handed is not None and stubs[out[handed]] > stubs[data]:
                # The course's starter (miniflow.py) beside the notebook holding the work, or another
                # notebook's %%writefile of the starter: the work is graded, the copy with stubs named.
                notes.append(_stubs_note(book, target, makers.get(handed), handed) + short)
                del out[handed]
                made[:] = [m for m in made if m[0] != handed]
                handed = None
            if handed is not None:
                if handed in makers:  # another notebook made it: never dropped without a word (nor when
                    # that notebook's replaced a file handed in of the name: c.ipynb's was, session 35)
                    notes.append(_two_notebooks_note(book, target, makers[handed], handed) + short)
                elif rel == f"{Path(name).stem}.py":
                    module = untrusted.name(handed)
                    notes.append(
                        f"note: {untrusted.name(book)} and {module} are both in the submission: {module} "
                        "is graded and the notebook's cells are not run; if the notebook holds the version "
                        f"to grade, remove {module}{short}"
                    )
                continue
            out[target] = data
            makers[target] = book
            if rel == f"{Path(name).stem}.py":
                made.append((target, book))
        note = run_order_note(files[book], book)
        if note is not None:
            notes.append(note)
    _check_caps(len(out), sum(map(len, out.values())), source, max_bytes, max_files)
    return out, tuple(made), tuple(notes)


def _clash_stubs(
    handed: Mapping[str, bytes], read: list[tuple[str, dict[str, bytes] | str]]
) -> tuple[dict[bytes, int], int]:
    """Content -> its stub bodies (grader/inside/choice.py's count), for every copy of a module name that two
    files claim (a notebook's and a file handed in, or two notebooks'): of two, the one with more is the
    starter and the other the work. All of them read within one tie's budget together, each distinct content
    an equal share (`choice.stub_counts`): compared as each notebook came, a 128 KiB file handed in was read
    again for each of 150 notebooks writing its name, 18.8 MiB tokenised (minutes of the parent's CPU). With
    them, the clause each clash's note ends with: "" when every copy was read whole, else `; choice cut
    short: ...` (`choice.cut_short`: the copies compared on their first bytes alone, a finished one may have
    lost; before session 35 no note said so), worked out for each clash from the bytes each copy was read on
    (the share returned): it was added to every clash's note once any copy of the submission was cut, a clash
    of two small copies read whole included (review of session 35)."""
    from grader.inside import choice

    claims: dict[str, list[bytes]] = {}
    for rel, data in handed.items():
        claims.setdefault(rel.casefold(), []).append(data)
    for book, written in read:
        if isinstance(written, str):
            continue
        folder = book.rpartition("/")[0]
        for rel, data in written.items():
            claims.setdefault((f"{folder}/{rel}" if folder else rel).casefold(), []).append(data)
    compared = list({data: None for copies in claims.values() if len(copies) > 1 for data in copies})
    counts = choice.stub_counts(
        {str(i): data for i, data in enumerate(compared)}, map(str, range(len(compared)))
    )
    share = choice.stub_share(len(compared))
    return {data: counts[str(i)] for i, data in enumerate(compared)}, share


def _cut_short(copies: tuple[bytes, bytes], share: int) -> str:
    """The clause a clash's note ends with: "" when both its copies were read whole (or are one content)."""
    from grader.inside import choice

    return f"; {choice.cut_short(share)}" if choice.read_short(set(copies), share) else ""


def _stubs_note(book: str, target: str, maker: str | None, dropped: str) -> str:
    """A notebook's module replaced a copy with more stubs (handed in, or another notebook's): said."""
    where = f"{untrusted.name(maker)}'s {untrusted.name(dropped)}" if maker else untrusted.name(dropped)
    return (
        f"note: {untrusted.name(book)} makes {untrusted.name(target)}, and {where} holds more unwritten "
        f"functions (a starter's stubs): {untrusted.name(book)}'s is graded and {where} is not; remove it "
        "if it is not the version to grade"
    )


def _two_notebooks_note(book: str, target: str, first: str, kept: str) -> str:
    """Two notebooks making one module (Lesson.ipynb's `%%writefile MiniFlow.py`, miniflow.ipynb's own
    miniflow.py): the first is graded, and the other is named. The second was dropped without a word, the
    student's real work in it (43 of 43 on its own) never mentioned, the other's stub graded (6.5)."""
    same = "" if kept == target else f" (a name that differs from {untrusted.name(kept)} only in case)"
    return (
        f"note: {untrusted.name(book)} makes {untrusted.name(target)}{same}, as {untrusted.name(first)} "
        f"makes {untrusted.name(kept)}: {untrusted.name(first)}'s is graded and {untrusted.name(book)}'s "
        f"is not; if {untrusted.name(book)} holds the version to grade, hand it in without "
        f"{untrusted.name(first)}"
    )


ARCHIVE_SUFFIXES = (".zip", ".tar", ".gz", ".tgz", ".rar", ".7z", ".bz2", ".xz", ".tbz2", ".txz")
# An archive the loader does not open (only .zip is read): said as what it is and what to do. A lone
# hw.tar.gz was "unsupported type (use a folder, .ipynb, .py, .zip)", and a folder holding one beside a README
# was told to hand in "that archive alone", which was then refused the same way.
_UNREAD_ARCHIVE = (
    "a {} archive, which the grader does not open: unpack it and hand in the files themselves, or a .zip "
    "of them"
)
_UNREAD_SUFFIXES = (".tar.gz", ".tar.bz2", ".tar.xz", *(s for s in ARCHIVE_SUFFIXES if s != ".zip"))


def unread_archive(name: str) -> str | None:
    """`.tar.gz` for `hw.tar.gz` (the longest suffix it ends with), for an archive other than a .zip."""
    return next((s for s in _UNREAD_SUFFIXES if name.lower().endswith(s)), None)


def lone_zip(files: Collection[str]) -> str | None:
    """The one zip archive of a folder with no Python file or notebook beside it (other files, a README, may
    be there), at its top level: that zip is the submission. None otherwise (two zips stay refused)."""
    if any(f.lower().endswith(CODE_SUFFIXES) for f in files):
        return None
    zips = [f for f in files if f.lower().endswith(".zip")]
    return zips[0] if len(zips) == 1 and "/" not in zips[0] else None


def _not_only_archives(files: Collection[str], source: Path) -> None:
    """A submission whose only content is more archives (a zip inside the zip) holds nothing to grade: say
    so, naming them, instead of letting the load report "no Python file"."""
    if any(f.lower().endswith(CODE_SUFFIXES) for f in files):
        return
    inner = sorted(f for f in files if f.lower().endswith(ARCHIVE_SUFFIXES))
    if inner:
        named = ", ".join(untrusted.name(f) for f in inner[:3])
        unread = [kind for f in inner if (kind := unread_archive(f)) is not None]
        what = (
            f"a {unread[0]} archive is not opened: unpack it and submit the files themselves, or a .zip of "
            "them"
            if unread
            else "submit the files themselves, or that archive alone"
        )
        raise SubmissionError(
            "empty", f"{_display(source)} holds no Python file, only another archive ({named}): {what}"
        )


def _folders(paths: Collection[str]) -> set[str]:
    return {"/".join(parts[:i]) for p in paths for parts in [p.split("/")] for i in range(1, len(parts))}


def _case_clash(files: Collection[str], provided: Collection[str]) -> tuple[str, str] | None:
    """(the student's path, the assignment's) when they differ only in upper/lower case: `Common/` made on
    Windows or macOS, which see one folder where Linux sees two."""
    theirs = {p.casefold(): p for p in (*provided, *_folders(provided))}
    for own in sorted({*files, *_folders(files)}):
        match = theirs.get(own.casefold())
        if match is not None and match != own:
            return own, match
    return None


def _beside(files: Collection[str], provided: Collection[str], source: Path) -> None:
    clash = _case_clash(files, provided)
    if clash is not None:
        mine, match = clash
        kind = "file" if mine in files else "folder"
        top = match.split("/")[0].removesuffix(".py")
        raise SubmissionError(
            "unsafe_path",
            f"{_display(source)}: your {kind} {shown(mine)} and the assignment's {shown(match)} differ only "
            "in upper/lower case. Windows and macOS read them as one name, but grading runs on Linux, where "
            f"`import {top}` does not find yours: rename {shown(mine)} to {shown(match)}.",
        )
    try:
        check_tree(set(files) | set(provided))
    except UnsafePath as err:
        own = err.path if err.path in files else None
        theirs = ", ".join(shown(p) for p in sorted(provided)[:5])
        raise SubmissionError(
            "unsafe_path",
            f"{_display(source)}: the file {shown(own or err.path)} cannot be used: {err.reason}. "
            f"The assignment adds its own files beside yours ({theirs}); rename yours.",
        ) from None
