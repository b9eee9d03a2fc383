"""Whether the code graded holds a copy of the working directory's config file (grader/settings.py refuses
./grader.toml then).

A TA who unpacked kim.zip into kim/ and graded the zip from there (`cd kim && grader grade miniflow
../kim.zip`) read kim's grader.toml, her stage and seed: the code graded is outside the working directory's
folder, so nothing in the paths says the file came with it. Its contents do: ./grader.toml can be the
student's unpacked file only if the code graded holds a file of that name (any case: macOS and `unzip -LL`
fold it) with the same bytes, a zip's entry, a folder's file, or a file a notebook's `%%writefile` cell
writes (the TA who ran the notebook). A student's grader.toml that differs from ./grader.toml cannot be it, so
the course's file is read beside it: one student's grader.toml never stops the class's batch (review of
s23-fixuser, finding 6).

Looked into only as the loader reads code (grader/loaders.py `load_submission`): a regular file, never a
link nor a FIFO (whose open blocks), a folder walked and counted by `folder_entries` itself, and of the zips
in a folder only the lone top-level one it grades. Only names of that name and the same size are read, at
most that size, and notebooks the loader would read (under MAX_NOTEBOOK_BYTES)."""

from __future__ import annotations

import os
import stat
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from grader import loaders
from grader.loaders import SubmissionError

# A zip, notebook or folder the loader refuses (too large, damaged, unlisted) is graded as no code: not looked
# into. The notebook parser's own errors included (`json`, a bad cell).
_UNREAD = (
    SubmissionError,
    zipfile.BadZipFile,
    OSError,
    ValueError,
    NotImplementedError,
    RuntimeError,
    EOFError,
)
MAX_CONFIG_BYTES = 64 * 1024  # read of ./grader.toml and of each candidate: a config file is a few lines
_CANDIDATE_BYTES = 2 * MAX_CONFIG_BYTES + 1  # a candidate's read: a CRLF copy of a file read whole, +1


@dataclass(frozen=True)
class Config:
    """The working directory's file as compared: its name, size and first MAX_CONFIG_BYTES bytes."""

    name: str
    size: int
    head: bytes

    def same(self, data: bytes, size: int) -> bool:
        """Whether a file of `size` bytes starting with `data` (at most MAX_CONFIG_BYTES, or twice that for
        another line ending's copy) may be this one: the same bytes, or, for a file read whole, the same
        lines with the other line ending (a copy unzipped with `unzip -a`, checked out by git on Windows,
        saved by a Windows editor: TOML reads CRLF and LF alike, so it sets what this file sets)."""
        if size == self.size and data[:MAX_CONFIG_BYTES] == self.head:
            return True
        return self.may_be(size) and len(data) == size and _lf(data) == _lf(self.head)

    def may_be(self, size: int) -> bool:
        """Whether a file of `size` bytes may be this one (checked before it is read): the same size, or,
        for a file read whole, a size between its lines' with LF endings and with CRLF endings."""
        if size == self.size:
            return True
        if self.size > MAX_CONFIG_BYTES:  # only its head was read: compared byte for byte only
            return False
        lf = _lf(self.head)
        return len(lf) <= size <= len(lf) + lf.count(b"\n")

    def named(self, rel: str) -> bool:
        return rel.replace("\\", "/").rsplit("/", 1)[-1].casefold() == self.name.casefold()


def _lf(data: bytes) -> bytes:
    return data.replace(b"\r\n", b"\n")


def read_config(path: Path) -> Config | None:
    """The file's name, size and head, a link followed (it is the file settings.py reads); None when it is
    not a regular file that can be read."""
    try:
        info = os.stat(path)
    except OSError:
        return None
    if not stat.S_ISREG(info.st_mode):
        return None
    return Config(path.name, info.st_size, _head(path, MAX_CONFIG_BYTES, follow=True))


def held(
    config: Config, graded: Iterable[str | Path], classes: Iterable[str | Path]
) -> tuple[str, str] | None:
    """(the submission, the path inside it) of the first copy of `config` in the code graded: each of
    `graded` (`grade`'s submission), or each entry of each of `classes` (`batch`'s class folders, whose
    entries are its students); None when none holds one."""
    for given in graded:
        inside = _inside(Path(given), config)
        if inside is not None:
            return str(given), inside
    for folder in classes:
        for entry in _entries(Path(folder)):
            inside = _inside(entry, config)
            if inside is not None:
                return str(entry), inside
    return None


def _entries(folder: Path) -> Iterator[Path]:
    """The class folder's submissions, as `batch` picks them (grader.batch.entries.skip_reason): a file at
    its own top level is no student's entry, and a grader.toml there is the course's."""
    from grader.batch.entries import skip_reason

    try:
        names = sorted(os.listdir(folder))
    except OSError:  # the batch says what is wrong with its folder
        return
    for entry in (folder / n for n in names):
        if skip_reason(entry) is None:
            yield entry


def _regular(path: Path) -> int | None:
    """The size of a regular file, never followed if a link; None for anything else (a FIFO, a device)."""
    try:
        info = os.lstat(path)
    except OSError:
        return None
    return info.st_size if stat.S_ISREG(info.st_mode) else None


def _head(path: Path, limit: int, *, follow: bool = False) -> bytes:
    """At most `limit` bytes, opened without blocking and checked regular once open (a FIFO swapped in after
    the lstat); empty when it cannot be read."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | (0 if follow else os.O_NOFOLLOW))
    except OSError:
        return b""
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return b""
        with os.fdopen(fd, "rb", closefd=False) as handle:
            return handle.read(limit)
    except OSError:
        return b""
    finally:
        os.close(fd)


def _inside(path: Path, config: Config) -> str | None:
    try:
        info = os.lstat(path)
    except OSError:
        return None
    if stat.S_ISDIR(info.st_mode):
        return _in_folder(path, config)
    if not stat.S_ISREG(info.st_mode):  # a link is refused by the loader, a FIFO skipped: not graded
        return None
    suffix = path.suffix.lower()
    if suffix == ".zip":
        return _in_zip(path, config)
    if suffix == ".ipynb":
        return _in_notebook(path.name, partial(_head, path, loaders.MAX_NOTEBOOK_BYTES), info.st_size, config)
    return None


def _in_notebook(name: str, raw: Callable[[], bytes], size: int, config: Config) -> str | None:
    """A file the notebook's `%%writefile` cells write that may be ./grader.toml: the TA ran the notebook.
    `raw` reads it, called only for a notebook the loader reads. Its code cells as the loader reads them
    (`code_cells`), each cell magic as `notebook_files` reads it; not `notebook_files` itself, which also
    makes the module (1.3 ms for a 6.5 KB notebook where this takes 0.03 ms)."""
    if size > loaders.MAX_NOTEBOOK_BYTES:
        return None
    try:
        texts = loaders.code_cells(raw(), name)
    except _UNREAD:
        return None
    written: dict[str, list[str]] = {}
    for text in texts:
        lines = text.split("\n")
        lead = next((i for i, line in enumerate(lines) if line.strip()), len(lines))  # IPython drops them
        first, _, body = "\n".join(lines[lead:]).partition("\n")
        if not first.lstrip().startswith("%%"):
            continue
        magic, *args = first.lstrip()[2:].split() or [""]
        if magic != "writefile" or not args:
            continue
        parts = written.setdefault(args[-1].removeprefix("./"), [])
        if args[0] not in ("-a", "--append"):
            parts.clear()
        parts.append(body)
    for target, parts in written.items():
        data = "".join(parts).encode("utf-8", "surrogatepass")
        if config.named(target) and config.same(data, len(data)):
            return f"%%writefile {target}"
    return None


def _in_zip(path: Path, config: Config) -> str | None:
    """An entry that may be ./grader.toml, at any depth, or one a notebook in the zip writes."""
    try:
        loaders.check_zip_directory(path)  # as loading does: a million entries refused unparsed
        with zipfile.ZipFile(path) as archive:
            for info in archive.infolist():
                rel = loaders.zip_name(info)
                if info.compress_type not in loaders.READ_BOUNDED:  # bzip2, lzma: inflated past a read's size
                    continue
                if config.named(rel) and config.may_be(info.file_size):
                    with archive.open(info) as entry:
                        if config.same(entry.read(_CANDIDATE_BYTES), info.file_size):
                            return rel
                elif rel.lower().endswith(".ipynb") and not info.is_dir():
                    inside = _in_notebook(rel, partial(_read_entry, archive, info), info.file_size, config)
                    if inside is not None:
                        return f"{rel}: {inside}"
    except _UNREAD:
        return None
    return None


def _read_entry(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytes:
    with archive.open(info) as entry:
        return entry.read(loaders.MAX_NOTEBOOK_BYTES + 1)


def _in_folder(path: Path, config: Config) -> str | None:
    """A file that may be ./grader.toml among the files the loader walks (`folder_entries`: hidden names
    and SKIP_DIRS passed over, real environments left out, refused past MAX_FOLDER_ENTRIES: not graded), a
    file a notebook there writes, or in the folder's lone top-level zip, which the loader grades instead (a
    Gradescope submission/). Other zips in the folder are never opened by the loader, nor here."""
    try:
        entries = loaders.folder_entries(path, [])
    except _UNREAD:
        return None
    rels = [entry.relative_to(path).as_posix() for entry in entries]
    for entry, rel in zip(entries, rels, strict=True):
        size = _regular(entry)
        if config.named(rel) and size is not None and config.may_be(size):
            if config.same(_head(entry, _CANDIDATE_BYTES), size):
                return rel
        elif rel.lower().endswith(".ipynb") and size is not None:
            inside = _in_notebook(rel, partial(_head, entry, loaders.MAX_NOTEBOOK_BYTES), size, config)
            if inside is not None:
                return f"{rel}: {inside}"
    # as the loader's files: a link or FIFO named *.zip is none (never followed, skipped)
    zips = [rel for rel in rels if rel.lower().endswith(".zip") and _regular(path / rel) is not None]
    lone = loaders.lone_zip([*(rel for rel in rels if not rel.lower().endswith(".zip")), *zips])
    if lone is not None:
        inside = _in_zip(path / lone, config)
        if inside is not None:
            return f"{lone}: {inside}"
    return None
