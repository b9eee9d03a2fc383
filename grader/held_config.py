"""Whether the code graded holds a copy of the working directory's config file (grader/settings.py refuses
./grader.toml then).

A TA who unpacked kim.zip into kim/ and graded the zip from there (`cd kim && grader grade miniflow
../kim.zip`) read kim's grader.toml, her stage and seed: the code graded is outside the working directory's
folder, so nothing in the paths says the file came with it. Its contents do: ./grader.toml can be the
student's unpacked file only if the code graded holds a file of that name (any case: macOS and `unzip -LL`
fold it), a zip's entry, a folder's file, or a file a notebook's `%%writefile` cell writes (the TA who ran
the notebook), that is a copy of it. A copy, exactly (`Config.same`):
- the same text once both are as `unzip -a` leaves a text file: CRLF and a lone CR each one LF, every
  Ctrl-Z dropped (a CRLF, CR or Ctrl-Z copy was read as the course's file: review of s24-user, finding 1;
  git's and editors' line-ending conversions are among these), or
- the same TOML document: every table, setting and value equal, whatever its comments, spacing or quoting
  (any other conversion that keeps what the file sets, so that reading ./grader.toml reads the student's
  settings).
A zip's grader.toml stored with bzip2 or lzma (never read here: `unzip` reads it) and one that is still
unread past MAX_CANDIDATE_READ bytes (Ctrl-Z padding) count as copies. A student's grader.toml that sets
anything else is not ./grader.toml, so the course's file is read beside it: a student's own grader.toml never
stops the class's batch (review of s23-fixuser, finding 6) unless it sets exactly what the course's sets.

Looked into only as the loader reads code (grader/loaders.py `load_submission`): a regular file, never a
link nor a FIFO (whose open blocks), a folder walked and counted by `folder_entries` itself, and of the zips
in a folder only the lone top-level one it grades. Only files of that name are read (until they are longer
than ./grader.toml by CANDIDATE_SLACK_BYTES, as `unzip -a` leaves them), and notebooks the loader would read
(under MAX_NOTEBOOK_BYTES)."""

from __future__ import annotations

import os
import re
import stat
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

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
# A candidate is read until, as `unzip -a` leaves it, it is this much longer than ./grader.toml (then it is
# not a copy, whatever else it holds), or past MAX_CANDIDATE_READ bytes as stored, which only Ctrl-Z padding
# makes possible (`unzip -a` drops every one): such a file is counted as a copy, never read on.
CANDIDATE_SLACK_BYTES = 64 * 1024
MAX_CANDIDATE_READ = loaders.MAX_ARCHIVE_BYTES
_CHUNK = 1 << 16
_NEWLINES = re.compile(rb"\r\n?")
_CTRL_Z = b"\x1a"


def unzipped(data: bytes) -> bytes:
    """A text file as `unzip -a` leaves it (Info-ZIP unzip 6.0, measured): CRLF and a lone CR each one LF,
    then every Ctrl-Z dropped (b"a\\r\\x1a\\nb" gives b"a\\n\\nb"). Git's and editors' conversions of line
    endings are among these."""
    return _NEWLINES.sub(b"\n", data).replace(_CTRL_Z, b"")


def _unzipped_chunks(chunks: Iterable[bytes], limit: int) -> bytes | None:
    """`unzipped` of the concatenated chunks, None past `limit` bytes of it (a CRLF split between two chunks
    is one LF)."""
    out = bytearray()
    after_cr = False
    for chunk in chunks:
        if after_cr and chunk.startswith(b"\n"):
            chunk = chunk[1:]
        after_cr = chunk.endswith(b"\r")
        out += unzipped(chunk)
        if len(out) > limit:
            return None
    return bytes(out)


def _document(text: bytes) -> dict[str, Any] | None:
    """The TOML document the text sets, as settings.py reads one (UTF-8, universal newlines); None when it is
    not TOML. Bytes that are not UTF-8 (only a comment or a string could hold them) read as U+FFFD."""
    import tomllib  # only when a candidate is found

    try:
        return tomllib.loads(unzipped(text).decode("utf-8", "replace"))
    except tomllib.TOMLDecodeError:
        return None


@dataclass(frozen=True)
class Config:
    """The working directory's file as compared: its name, its text as `unzip -a` would leave it, and the TOML
    document it sets (None if it sets none: settings.py has refused it then)."""

    name: str
    text: bytes
    document: dict[str, Any] | None

    @classmethod
    def of(cls, name: str, data: bytes) -> Config:
        return cls(name, unzipped(data), _document(data))

    def same(self, data: bytes) -> bool:
        """Whether a candidate's whole bytes may be this file after an unpacking or a checkout: the same text
        once both are as `unzip -a` leaves them (line endings, Ctrl-Z), or the same TOML document (every
        setting, table and value equal: a change of comments, spacing or quoting that no tool we know makes,
        but that leaves what the file sets, so reading this file would read the candidate's settings)."""
        text = unzipped(data)
        return text == self.text or (self.document is not None and _document(text) == self.document)

    def same_read(self, chunks: Iterable[bytes]) -> bool:
        """`same` for a candidate read in chunks (a zip entry, a file), at most MAX_CANDIDATE_READ bytes as
        stored: one it took more to tell is counted as a copy (only Ctrl-Z padding makes one so long)."""
        read = 0

        def bounded() -> Iterator[bytes]:
            nonlocal read
            for chunk in chunks:
                read += len(chunk)
                yield chunk
                if read > MAX_CANDIDATE_READ:
                    return

        text = _unzipped_chunks(bounded(), len(self.text) + CANDIDATE_SLACK_BYTES)
        if text is None:
            return False
        return read > MAX_CANDIDATE_READ or self.same(text)

    def named(self, rel: str) -> bool:
        return rel.replace("\\", "/").rsplit("/", 1)[-1].casefold() == self.name.casefold()


def read_config(path: Path) -> Config | None:
    """The file's name and contents, a link followed (it is the file settings.py reads, whole); None when it
    is not a regular file that can be read."""
    try:
        info = os.stat(path)
    except OSError:
        return None
    if not stat.S_ISREG(info.st_mode):
        return None
    return Config.of(path.name, _head(path, -1, follow=True))


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
    """At most `limit` bytes (all for -1), opened without blocking and checked regular once open (a FIFO
    swapped in after the lstat); empty when it cannot be read."""
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


def _file_chunks(path: Path) -> Iterator[bytes]:
    """A file's bytes in chunks, opened as `_head` opens it (never a link, never blocking); none when it
    cannot be read."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOFOLLOW)
    except OSError:
        return
    try:
        if stat.S_ISREG(os.fstat(fd).st_mode):
            while chunk := os.read(fd, _CHUNK):
                yield chunk
    except OSError:
        return
    finally:
        os.close(fd)


def _entry_chunks(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> Iterator[bytes]:
    with archive.open(info) as entry:
        while chunk := entry.read(_CHUNK):
            yield chunk


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
        if config.named(target) and config.same(data):
            return f"%%writefile {target}"
    return None


def _in_zip(path: Path, config: Config) -> str | None:
    """An entry that may be ./grader.toml, at any depth, or one a notebook in the zip writes."""
    try:
        loaders.check_zip_directory(path)  # as loading does: a million entries refused unparsed
        with zipfile.ZipFile(path) as archive:
            for info in archive.infolist():
                rel = loaders.zip_name(info)
                if config.named(rel) and not info.is_dir():
                    # bzip2, lzma: inflated past a read's size, so never read; `unzip` reads them, so a
                    # grader.toml stored so may be ./grader.toml: counted as a copy
                    if info.compress_type not in loaders.READ_BOUNDED:
                        return rel
                    if config.same_read(_entry_chunks(archive, info)):
                        return rel
                elif info.compress_type not in loaders.READ_BOUNDED:
                    continue
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
        # the name first: an lstat of every file of every folder cost a batch of 200 folders of 40 files
        # 40% more (0.15 -> 0.21 s)
        notebook = rel.lower().endswith(".ipynb")
        if not (notebook or config.named(rel)):
            continue
        size = _regular(entry)
        if size is None:
            continue
        if not notebook:
            if config.same_read(_file_chunks(entry)):
                return rel
            continue
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
