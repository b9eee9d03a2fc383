"""Data files that run code when loaded: pickles, and NumPy arrays of Python objects (a pickle inside).

`pickle.load(open("checkpoint.pkl", "rb"))` looks like reading saved weights, but unpickling calls whatever
the file names (`builtins.exec` with source of its own, for one): code no static rule reads and no TA can.
A submission shipping such a file is flagged `opaque_module`, naming the callables the pickle imports
(`builtins.exec` for hidden code; NumPy's reconstructors too when they come with others: a pickle of saved
arrays alone is not flagged, below), read with
`pickletools` (parsed, never loaded) from at most `MAX_READ_BYTES` and `MAX_OPS` of it. Protocol 2 and
later (every Python 3 default) start with PROTO; a file in the text protocols 0 and 1 is one that parses as
a pickle to its STOP within those bounds and imports a callable (a CSV or a text file stops parsing at once).

Pickles travel inside other files too: gzip, bz2, xz and zlib streams (`gzip.open(...)` then `pickle.load`;
joblib's compressed dumps are zlib streams) are
read decompressed, and every member of a zip (a `.npz` is a zip of `.npy` files, `np.load(allow_pickle=True)`
unpickles each object array in it) is read as a file of its own, each within `MAX_INFLATED_BYTES` of output
per submission and `MAX_NESTING` containers deep (samples `miniflow/pickled_checkpoint_gzip`, `_npz`: full
marks from code hidden there, and no flag, when only the outermost bytes were read). A `.npy` is read header
first: an array of numbers needs no more reading (however many or large a `.npz`'s weights), one of Python
objects is read for the pickle after its header. What the scan could not read to its end is flagged as not
looked into: a zip past `MAX_OPENED_MEMBERS` members opened per submission, or nested deeper, a stream or
member the spent `MAX_INFLATED_BYTES` no longer reaches (a pickle after 16 MiB of zeros), a member that will
not open (encrypted, corrupt: the student's code may read it with a password or another library); and so
is a zip holding Python modules: `sys.path.insert(0, "plotting.zip")` then `from graph_plot import *`
imports them (zipimport), and the scan reads no source inside a zip (sample `miniflow/zipped_module_import`:
full marks, no flag before).

Saved weights are no code: the book's `SimpleConvNet.save_params` pickles a dict of arrays (`params.pkl`,
which a chapter-7 repository keeps beside the script that wrote it). A pickle read to its STOP that imports
nothing but what NumPy arrays, NumPy scalars and an OrderedDict are rebuilt with (`SAFE_LOADS`) is not
flagged: staff saw a false `opaque_module` on every such repository.
"""

from __future__ import annotations

import bz2
import io
import lzma
import pickletools
import re
import zipfile
import zlib
from collections.abc import Callable
from typing import Protocol

from grader.inside import astparse
from grader.zip_directory import read_directory

MAX_READ_BYTES = 8 << 20  # the loader's cap of a whole submission: an array's bytes are one opcode
MAX_OPS = 100_000  # about 0.2 s of the parent's CPU: a data file of nothing but opcodes costs no more
MAX_SUBMISSION_OPS = 200_000  # and every data file of one submission together (its 200 files of opcodes)
MAX_NAMED = 8
# What unpickling NumPy arrays (numpy 1 and 2, protocols 0 to 5), NumPy scalars and an OrderedDict calls:
# nothing else runs unless the pickle names it too.
SAFE_LOADS = frozenset(
    {
        *(f"numpy.{core}.multiarray.{f}" for core in ("core", "_core") for f in ("_reconstruct", "scalar")),
        *(f"numpy.{core}.numeric._frombuffer" for core in ("core", "_core")),
        "numpy.ndarray",
        "numpy.dtype",
        "collections.OrderedDict",
        "_codecs.encode",  # protocols 0 to 2 write an array's bytes as latin-1 text
    }
)
_NPY_MAGIC = b"\x93NUMPY"
_STRINGS = frozenset(
    {"SHORT_BINUNICODE", "BINUNICODE", "BINUNICODE8", "UNICODE", "SHORT_BINSTRING", "BINSTRING", "STRING"}
)
_GETS = frozenset({"GET", "BINGET", "LONG_BINGET"})
_PUTS = frozenset({"PUT", "BINPUT", "LONG_BINPUT", "MEMOIZE"})
_UNFOLLOWED = "an import this reader cannot follow"
_OPAQUE = {
    **dict.fromkeys(("EXT1", "EXT2", "EXT4"), "a copyreg extension code"),
    **dict.fromkeys(("PERSID", "BINPERSID"), "a persistent id"),
}


# Containers: what is decompressed (output bytes) per submission, how many zip members are opened per
# submission (nested zips: 64 zips of 64 zips of 64 empty members cost the parent 6 s when every one was
# opened), how deep containers are opened (a gzip in a zip in a gzip).
MAX_INFLATED_BYTES = 16 << 20
MAX_OPENED_MEMBERS = 512
# A zip's central directory, as declared: 512 members of ~100-byte names take about 75 KiB (review: a
# directory of 178,000 entries claiming one cost 1.7 s of the parent's CPU to parse).
MAX_DIRECTORY_BYTES = 256 << 10
MAX_NESTING = 3
MAX_NPY_HEADER = 64 << 10  # numpy writes a few hundred bytes; a longer header is not looked into
# Members Python imports from a zip on sys.path (zipimport: sources, bytecode; extensions are not, but are
# code nobody reads all the same).
IMPORTABLE_SUFFIXES = (".py", ".pyc", ".pyo", ".pyw", ".so", ".pyd", ".dylib")
MAX_MEMBER_NAME = 60  # of a member's name in the summary (the student's text: cleaned by Flag.make)
UNREAD = "not looked into (it may hold a pickle)"


class OpBudget:
    """The opcodes left to read and the bytes left to decompress: one per submission, shared by its data
    files, so that many files of opcodes (or of compressed bytes) cost no more than one (each file alone is
    also held to MAX_OPS and MAX_READ_BYTES)."""

    def __init__(
        self, ops: int = MAX_OPS, inflated: int = MAX_INFLATED_BYTES, members: int = MAX_OPENED_MEMBERS
    ) -> None:
        self.left = ops
        self.inflated = inflated
        self.members = members

    def inflate_limit(self) -> int:
        return max(0, min(MAX_READ_BYTES, self.inflated))


def _callables(data: bytes, budget: OpBudget) -> tuple[list[str], bool, bool]:
    """(what a file of pickles imports, each once, in order; whether every byte of it was read, pickle after
    pickle to each STOP; whether it is surely a pickle: its first pickle read to its STOP, or past MAX_NAMED
    imports), read within MAX_READ_BYTES, MAX_OPS and the budget. `pickle.load` twice on one file reads two
    pickles: saved weights first must not hide code after them.

    GLOBAL and INST name theirs; STACK_GLOBAL takes the two values on top of the stack, which are known only
    when the two operations before it (memo bookkeeping aside) each pushed a string, literally or from the
    memo, as every pickler writes it: anything else (a POP between, a string built otherwise) is an import
    this reader cannot follow, as are copyreg's extension codes and persistent ids, and none of those is
    SAFE_LOADS."""
    names: list[str] = []
    whole = first = False
    stream = io.BytesIO(data[:MAX_READ_BYTES])
    ops = min(MAX_OPS, budget.left)
    try:
        while ops > 0:
            pushed: list[str | None] = [None, None]  # the last two stack operations' strings (None: other)
            memo: dict[int, str | None] = {}  # each pickle.load starts a memo of its own
            for op, arg, _ in pickletools.genops(stream):
                ops -= 1
                budget.left -= 1
                if ops <= 0:
                    break
                value: str | None = None
                if op.name in _STRINGS and isinstance(arg, str):
                    value = arg
                elif op.name in _GETS and isinstance(arg, int):
                    value = memo.get(arg)
                elif op.name in _PUTS:
                    memo[arg if isinstance(arg, int) else len(memo)] = pushed[-1]
                    continue
                elif op.name == "FRAME":
                    continue
                elif op.name in ("GLOBAL", "INST") and isinstance(arg, str):
                    names.append(arg.replace(" ", "."))
                elif op.name == "STACK_GLOBAL":
                    names.append(_UNFOLLOWED if None in pushed else f"{pushed[0]}.{pushed[1]}")
                elif op.name in _OPAQUE:
                    names.append(_OPAQUE[op.name])
                pushed = [pushed[-1], value]
            else:  # genops ends at a STOP
                first = True
                if stream.tell() >= len(data):
                    whole = True
                    break
                continue  # another pickle follows
            break
    except Exception:  # cut at MAX_READ_BYTES, or not all pickle: what was read is what it names
        pass
    return list(dict.fromkeys(names)), whole, first or len(names) > MAX_NAMED


class _Decompressor(Protocol):
    def decompress(self, data: bytes, max_length: int = ...) -> bytes: ...


_STREAMS: tuple[tuple[bytes, str, Callable[[], _Decompressor]], ...] = (
    (b"\x1f\x8b", "gzip", lambda: zlib.decompressobj(16 + zlib.MAX_WBITS)),
    (b"BZh", "bz2", bz2.BZ2Decompressor),
    (b"\xfd7zXZ\x00", "xz", lzma.LZMADecompressor),
    *((b"\x78" + level, "zlib", zlib.decompressobj) for level in (b"\x01", b"\x5e", b"\x9c", b"\xda")),
)
# What np.load takes for a zip (numpy.lib.npyio): a local file header, or an empty archive's end record,
# which zipfile reads past (review: an .npz starting with PK\x05\x06 hid an object array).
_ZIP_MAGICS = (b"PK\x03\x04", b"PK\x05\x06")


class Unread(Exception):
    """A container the scan could not read to the end (its budget ran out, or a member would not open):
    flagged as not looked into, for a pickle could be in what was left."""


def _inflate(data: bytes, make: Callable[[], _Decompressor], budget: OpBudget, kind: str) -> bytes:
    """The start of a compressed stream, at most MAX_READ_BYTES (a pickle is read from its start: a bomb
    stops there); what cannot be decompressed is cut where it breaks. Output cut by the submission's budget
    instead, with more to come, is Unread: a pickle after a bomb that spent the budget would be unread."""
    limit = budget.inflate_limit()
    try:
        out = make().decompress(data, limit) if limit else b""  # max_length 0 is no limit at all
    except (OSError, EOFError, ValueError, zlib.error, lzma.LZMAError):
        out = b""
    budget.inflated -= len(out)
    if limit < MAX_READ_BYTES and len(out) >= limit:
        raise Unread(
            f"ships a {kind} stream past the scan's {MAX_INFLATED_BYTES >> 20} MiB of decompressed data"
        )
    return out


# A Python 2 long in a header's shape, `(1L,)`: numpy's own reading (_filter_header) drops the L.
_PY2_LONG = re.compile(r"\b(\d+)[lL]\b")
_NPY_PREAMBLE = 12  # magic, version, header length (2 bytes in version 1, 4 after)


def _npy_end(head: bytes) -> int | None:
    """Where a .npy's header ends, read from its preamble; None when no numpy version wrote it."""
    major = head[6] if len(head) >= _NPY_PREAMBLE else 0
    if major not in (1, 2, 3):
        return None
    width = 2 if major == 1 else 4
    return 8 + width + int.from_bytes(head[8 : 8 + width], "little")


def npy_header(head: bytes) -> tuple[bool, int] | None:
    """(whether a .npy's dtype holds Python objects, where its data starts), from the header alone; None
    when the header is not readable from `head` (np.load would read it as numpy does, so: not looked into)."""
    end = _npy_end(head) if head.startswith(_NPY_MAGIC) else None
    if end is None or end > len(head):
        return None
    from numpy.lib.format import descr_to_dtype  # numpy's own reading of a dtype; imported only for a .npy

    start = 10 if head[6] == 1 else 12
    try:
        text = head[start:end].decode("latin1" if head[6] < 3 else "utf8")
        if head[6] < 3:  # as numpy reads versions 1 and 2 (review: such an object array, read as no pickle
            text = _PY2_LONG.sub(r"\1", text)  # here, ran its pickle under np.load)
        dtype = descr_to_dtype(astparse.literal_eval(text)["descr"])
    except Exception:  # a header numpy cannot read either, or one built to break the parser
        return None
    return bool(dtype.hasobject), end


def _npy(data: bytes, budget: OpBudget) -> str | None:
    """A .npy: an array of numbers runs nothing; one of Python objects is a pickle after its header."""
    header = npy_header(data[:MAX_NPY_HEADER])
    if header is None:  # broken (np.load cannot read it either), or a header too long to read here
        long = (_npy_end(data) or 0) > MAX_NPY_HEADER and len(data) > MAX_NPY_HEADER
        return f"ships a NumPy array of a header over {MAX_NPY_HEADER} bytes, {UNREAD}" if long else None
    objects, start = header
    if not objects:
        return None
    named = _callables(data[start:], budget)[0]
    shown = ", ".join(named[:MAX_NAMED]) + (" ..." if len(named) > MAX_NAMED else "")
    calls = f"; it calls {shown}" if named else ""
    return (
        f"ships a NumPy array of Python objects: np.load(allow_pickle=True) runs the pickle inside it{calls}"
    )


def _count(members: int, budget: OpBudget) -> None:
    if members > budget.members:
        raise Unread(
            f"ships zips of more than the {MAX_OPENED_MEMBERS} members the scan opens per submission"
        )


def _member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, budget: OpBudget, depth: int) -> str | None:
    """One member, described as a file of its own. A .npy is read header first: an array of numbers (a
    `.npz`'s weights, however large) needs no more reading, one of objects is read for its pickle."""
    _count(1, budget)
    budget.members -= 1
    with archive.open(info) as member:
        head = member.read(min(_NPY_PREAMBLE, budget.inflate_limit()))
        if head.startswith(_NPY_MAGIC):
            end = min(_npy_end(head) or 0, MAX_NPY_HEADER)
            head += member.read(max(0, min(end, budget.inflate_limit()) - len(head)))
            header = npy_header(head)
            if header is not None and not header[0]:
                budget.inflated -= len(head)
                return None
        limit = budget.inflate_limit()
        if info.file_size > limit and limit < MAX_READ_BYTES:
            raise Unread(
                f"ships zip members past the scan's {MAX_INFLATED_BYTES >> 20} MiB of decompressed data"
            )
        inner = head + member.read(max(0, limit - len(head)))
    budget.inflated -= len(inner)
    return _describe(inner, budget, depth + 1)


def _members(data: bytes, budget: OpBudget, depth: int) -> str | None:
    """A zip's members, each described as a file of its own (a `.npz`'s arrays, a pickle zipped); the first
    that runs code when loaded names the member. A member that cannot be read (encrypted, corrupt) leaves
    the zip not looked into: the student's code may read it all the same (a password, another library)."""
    try:
        directory = read_directory(io.BytesIO(data), len(data))
        if directory.disks > 1:
            return f"ships a zip of {directory.disks} parts, {UNREAD}"
        if directory.size > MAX_DIRECTORY_BYTES:  # its declared count may lie: zipfile parses every entry
            return f"ships a zip whose directory is over {MAX_DIRECTORY_BYTES >> 10} KiB, {UNREAD}"
        _count(directory.entries, budget)
        archive = zipfile.ZipFile(io.BytesIO(data))
    except Unread:
        raise
    except Exception:  # not a zip after all, or one whose directory nothing can read (np.load cannot either)
        return None
    with archive:
        members = archive.infolist()
        _count(len(members), budget)
        code = [i.filename for i in members if i.filename.lower().endswith(IMPORTABLE_SUFFIXES)]
        if code:
            shown = ", ".join(repr(n[:MAX_MEMBER_NAME]) for n in code[:3]) + (" ..." if len(code) > 3 else "")
            return (
                f"ships a zip of Python modules ({shown}): importable from it once it is on sys.path "
                "(zipimport), and the scan does not read inside it"
            )
        for info in members:
            try:
                said = _member(archive, info, budget, depth)
            except Unread:
                raise
            except Exception as exc:
                name = info.filename[:MAX_MEMBER_NAME]
                return f"ships a zip whose member {name!r} cannot be read ({type(exc).__name__}), {UNREAD}"
            if said is not None:
                return f"{said} [zip member {info.filename[:MAX_MEMBER_NAME]!r}]"
    return None


def describe(data: bytes, budget: OpBudget | None = None) -> str | None:
    """What a data file that runs code when loaded does, for the flag's summary; None for any other file.
    `budget`: the submission's (scan_submission), else this file's own MAX_OPS and MAX_INFLATED_BYTES. A
    container the scan could not read to its end is described as not looked into."""
    try:
        return _describe(data, budget or OpBudget(), 0)
    except Unread as why:
        return f"{why}, {UNREAD}"


def _describe(data: bytes, budget: OpBudget, depth: int) -> str | None:
    for magic, kind, make in _STREAMS:
        if data.startswith(magic):
            if depth >= MAX_NESTING:
                return f"ships a {kind} stream nested {depth} containers deep, not looked into"
            said = _describe(_inflate(data, make, budget, kind), budget, depth + 1)
            return None if said is None else f"{said} [{kind}-compressed]"
    if data.startswith(_ZIP_MAGICS):
        if depth >= MAX_NESTING:
            return f"ships a zip nested {depth} containers deep, not looked into"
        return _members(data, budget, depth)
    if data.startswith(_NPY_MAGIC):
        return _npy(data, budget)
    named, whole, recognised = _callables(data, budget)
    if whole and set(named) <= SAFE_LOADS:
        return None  # saved arrays (or nothing at all imported): no code runs when it is loaded
    protocol_2_on = len(data) > 1 and data[0] == 0x80 and 2 <= data[1] <= 5  # starts with PROTO
    if protocol_2_on or (recognised and named):  # protocols 0 and 1: a whole pickle importing something
        shown = ", ".join(named[:MAX_NAMED]) + (" ..." if len(named) > MAX_NAMED else "")
        calls = f": loading it calls {shown}" if named else ""
        return f"ships a pickle{calls} (code nobody can read runs when it is loaded)"
    return None
