"""grader/flags/pickled.py: a data file that runs code when it is loaded is flagged, naming what it calls."""

from __future__ import annotations

import builtins
import bz2
import gzip
import io
import lzma
import pickle
import pickletools
import zipfile
import zlib
from collections import OrderedDict
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from grader.flags import pickled, scan_submission
from grader.flags.pickled import MAX_INFLATED_BYTES, MAX_NESTING, MAX_OPENED_MEMBERS, OpBudget, describe

SAMPLE = Path(__file__).resolve().parents[2] / "submissions" / "miniflow" / "pickled_checkpoint"


class _Exec:
    def __reduce__(self):  # type: ignore[no-untyped-def]
        return (builtins.exec, ("x = 1",))


@pytest.mark.parametrize("protocol", [0, 1, 2, 3, 4, 5])
def test_a_pickle_is_flagged_with_the_callables_it_imports(protocol: int) -> None:
    """Hidden code (builtins.exec) and saved arrays (numpy's reconstructors) are named, in order, whichever
    protocol wrote them (GLOBAL up to 3, STACK_GLOBAL with memo entries from 4; 0 and 1 have no PROTO)."""
    said = describe(pickle.dumps({"hidden": _Exec(), "W": np.zeros(2)}, protocol=protocol))
    assert said is not None and said.startswith("ships a pickle: loading it calls ")
    assert ("__builtin__.exec" if protocol <= 2 else "builtins.exec") in said
    assert said.index("exec") < said.index("numpy.")


def test_a_numpy_array_of_objects_is_flagged_and_one_of_numbers_is_not() -> None:
    """np.save of an object array holds a pickle (np.load(allow_pickle=True) runs it); of floats, numbers."""
    objects, numbers = io.BytesIO(), io.BytesIO()
    np.save(objects, np.array([_Exec()], dtype=object), allow_pickle=True)
    np.save(numbers, np.zeros(3))
    assert "NumPy array of Python objects" in (describe(objects.getvalue()) or "")
    assert describe(numbers.getvalue()) is None


@pytest.mark.parametrize(
    "data",
    [b"", b"\x80", b"\x80\x09more", b"1,2,3\n", b"\x93NUMPY\x01", b"col1,col2\n1,2\n", b"class A:\n    x\n"],
)
def test_other_files_are_not_pickles(data: bytes) -> None:
    """Text that starts like a protocol-0 opcode (`c` is GLOBAL) stops parsing before any STOP."""
    assert describe(data) is None


def test_a_long_pickle_is_read_only_so_far() -> None:
    """8 MiB of one-byte opcodes (the loader admits such data files) costs the parent a bounded read."""
    data = b"\x80\x04" + b"N0" * (4 << 20) + b"cbuiltins\nexec\n."  # what it names past the bounds is unread
    assert describe(data) == "ships a pickle (code nobody can read runs when it is loaded)"


def test_the_sample_checkpoint_is_flagged_and_its_module_alone_is_not() -> None:
    """Sample miniflow/pickled_checkpoint (expected.json): the starter's module, which loads checkpoint.pkl,
    raises no flag of its own; the pickle, whose exec holds the graded classes, is opaque_module."""
    files = {p.name: p.read_bytes() for p in SAMPLE.iterdir()}
    flags = scan_submission(files)
    assert [(f.code, f.file) for f in flags] == [("opaque_module", "checkpoint.pkl")]
    assert "builtins.exec" in flags[0].summary
    assert scan_submission({"miniflow.py": files["miniflow.py"]}) == ()


def _text(text: str) -> bytes:
    data = text.encode()
    return b"\x8c" + bytes([len(data)]) + data  # SHORT_BINUNICODE


@pytest.mark.parametrize("protocol", [0, 1, 2, 3, 4, 5])
def test_saved_weights_are_not_flagged(protocol: int) -> None:
    """The book's SimpleConvNet.save_params pickles a dict of float arrays (params.pkl, 3.5 MB at the book's
    sizes, past the first MiB), and an OrderedDict of arrays and NumPy scalars is as plain: nothing but what
    arrays are rebuilt with is imported, so no flag (a false opaque_module on every chapter-7 repository)."""
    rng = np.random.default_rng(0)
    params = {
        "W1": rng.standard_normal((30, 1, 5, 5)),
        "W2": rng.standard_normal((1500, 100)),
        "b2": np.zeros(100),
    }
    layers = OrderedDict(lr=np.float64(0.01), epochs=np.int64(20), mask=np.array([True, False]))
    for saved in (params, layers):
        data = pickle.dumps(saved, protocol=protocol)
        assert describe(data) is None, (protocol, type(saved).__name__)
    assert len(pickle.dumps(params, protocol=protocol)) > 1 << 20


def test_an_import_the_reader_cannot_follow_is_flagged() -> None:
    """Negative controls for the allow-list: STACK_GLOBAL whose strings were pushed before a POP (it calls
    builtins.exec, though the last strings pushed say numpy.ndarray), and a copyreg extension code, are
    flagged; so is a pickle of arrays cut at the read bound, whose rest is unread."""
    spoofed = (
        b"\x80\x04" + _text("builtins") + _text("exec") + _text("numpy") + _text("ndarray")
        + b"00\x93" + _text("x = 1") + b"\x85R."
    )  # fmt: skip
    ops = [op.name for op, _, _ in pickletools.genops(spoofed)]
    text = "SHORT_BINUNICODE"
    assert ops == ["PROTO", *[text] * 4, "POP", "POP", "STACK_GLOBAL", text, "TUPLE1", "REDUCE", "STOP"]
    assert "an import this reader cannot follow" in (describe(spoofed) or "")
    extension = b"\x80\x02\x82\x01" + _text("x = 1") + b"\x85R."  # EXT1 1: whatever copyreg registered
    assert "a copyreg extension code" in (describe(extension) or "")
    arrays = pickle.dumps([np.zeros(1) for _ in range(20_000)], protocol=4)  # past MAX_OPS
    assert describe(arrays) is not None


def test_code_pickled_after_saved_weights_in_the_same_file_is_flagged() -> None:
    """pickle.load twice on one file reads two pickles: weights first, then builtins.exec, must be flagged
    (the reader stopped at the first STOP and saw only the weights: review). Control: the weights alone."""
    weights = pickle.dumps({"W": np.zeros(3)}, protocol=4)
    assert describe(weights) is None
    said = describe(weights + pickle.dumps(_Exec(), protocol=4))
    assert said is not None and "builtins.exec" in said
    assert describe(weights + b"trailing junk") is not None  # not all pickle: not read as saved weights


def test_a_submissions_data_files_share_one_opcode_budget(monkeypatch: pytest.MonkeyPatch) -> None:
    """83 data files of 100,000 one-byte opcodes each (a folder the loader admits) cost the scan at most
    MAX_SUBMISSION_OPS opcodes in all, not 83 times MAX_OPS (8.3 s of the parent before: review); the
    protocol-4 files the budget no longer reaches are still flagged, unread."""
    from grader.flags import pickled

    read = [0]
    genops = pickletools.genops

    def counted(data):  # type: ignore[no-untyped-def]
        for item in genops(data):
            read[0] += 1
            yield item

    monkeypatch.setattr(pickletools, "genops", counted)
    files = {f"data{i:02}.bin": b"\x80\x04" + b"N" * 100_000 for i in range(83)}
    flags = scan_submission(files)
    assert read[0] <= pickled.MAX_SUBMISSION_OPS + len(files)
    assert flags and all(f.code == "opaque_module" for f in flags)  # capped per code, each one flagged


def _exec_pickle() -> bytes:
    return pickle.dumps({"hidden": _Exec(), "W": np.zeros(2)}, protocol=4)


@pytest.mark.parametrize(
    ("kind", "compress"),
    [
        ("gzip", lambda b: gzip.compress(b, mtime=0)),
        ("bz2", bz2.compress),
        ("xz", lzma.compress),
        ("zlib", zlib.compress),
    ],
)
def test_a_compressed_pickle_is_read_decompressed(kind: str, compress: Any) -> None:
    """`pickle.load(gzip.open(...))` (bz2, lzma, joblib's zlib alike) runs what the pickle names: flagged,
    saying how it was packed; compressed saved weights are not (sample miniflow/pickled_checkpoint_gzip)."""
    said = describe(compress(_exec_pickle()))
    assert said is not None and "builtins.exec" in said and f"[{kind}-compressed]" in said
    weights = pickle.dumps(OrderedDict(W1=np.ones((2, 2)), b1=np.zeros(2)), protocol=4)
    assert describe(compress(weights)) is None


def test_a_npz_is_read_member_by_member() -> None:
    """np.load(allow_pickle=True) of a .npz unpickles each object array in it: flagged, naming the member; a
    .npz of numbers is not (sample miniflow/pickled_checkpoint_npz). A pickle zipped is read too."""
    hidden, numbers = io.BytesIO(), io.BytesIO()
    np.savez(hidden, W=np.zeros(2), notes=np.array([_Exec()], dtype=object))
    np.savez_compressed(numbers, W=np.zeros((3, 3)), b=np.ones(3))
    said = describe(hidden.getvalue())
    assert said is not None and "NumPy array of Python objects" in said and "'notes.npy'" in said
    assert describe(numbers.getvalue()) is None
    zipped = io.BytesIO()
    with zipfile.ZipFile(zipped, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("readme.txt", "weights")
        archive.writestr("w.pkl", _exec_pickle())
    assert "builtins.exec" in (describe(zipped.getvalue()) or "")


def test_a_zip_too_large_or_nesting_too_deep_is_flagged_unread() -> None:
    """More than MAX_OPENED_MEMBERS members, or containers nested past MAX_NESTING: flagged as not looked
    into, read no further (a pickle could sit in the member after the last one read, or four gzips down)."""
    many = io.BytesIO()
    with zipfile.ZipFile(many, "w") as archive:
        for i in range(MAX_OPENED_MEMBERS + 1):
            archive.writestr(f"m{i}.txt", "x")
    assert "not looked into" in (describe(many.getvalue()) or "")
    deep = _exec_pickle()
    for _ in range(MAX_NESTING + 1):
        deep = gzip.compress(deep, mtime=0)
    assert "not looked into" in (describe(deep) or "")


def _zip(members: dict[str, bytes], method: int = zipfile.ZIP_STORED) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", method) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return out.getvalue()


def _npy(array: Any) -> bytes:
    out = io.BytesIO()
    np.save(out, array, allow_pickle=True)
    return out.getvalue()


def test_a_zip_member_that_cannot_be_read_leaves_the_zip_not_looked_into() -> None:
    """An encrypted member (zipfile raises RuntimeError without the password) and a corrupt LZMA member
    (lzma.LZMAError) each raised out of the scan and stopped the whole batch (review: /tmp/r88/bdir). Now
    the zip is flagged as not looked into, naming the member; the same zip intact (numbers only): no flag."""
    plain = _zip({"a.npy": _npy(np.zeros(3))})
    assert describe(plain) is None
    encrypted = bytearray(plain)
    for signature, flag_at in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):  # local header, directory entry
        at = encrypted.index(signature) + flag_at
        encrypted[at] |= 0x01  # general purpose bit 0: encrypted
    lzma_zip = bytearray(_zip({"a.npy": _npy(np.zeros(3)), "b.pkl": _exec_pickle()}, zipfile.ZIP_LZMA))
    data_at = lzma_zip.index(b"a.npy") + len(b"a.npy") + 4  # past the name: LZMA properties, then the stream
    lzma_zip[data_at : data_at + 24] = b"\xff" * 24
    for broken, error in ((bytes(encrypted), "RuntimeError"), (bytes(lzma_zip), "LZMAError")):
        said = describe(broken)
        assert said is not None and "'a.npy' cannot be read" in said and error in said, said
        assert "not looked into" in said
        files = {"weights.npz": broken, "ok.py": b"x = 1\n"}
        assert [(f.code, f.file) for f in scan_submission(files)] == [("opaque_module", "weights.npz")]


def test_code_after_a_spent_budget_is_flagged_not_looked_into() -> None:
    """Review (/tmp/r88/evil_padded.npz): two 8 MiB arrays of zeros spent the 16 MiB decompression budget and
    the object array after them, whose pickle calls builtins.exec, was read as nothing: no flag. Arrays of
    numbers are now read header only, so the object array is read and named; and a gzip of zeros spending the
    budget before a later x.pkl.gz leaves that one flagged as not looked into."""
    padding = _npy(np.zeros(MAX_INFLATED_BYTES // 2 // 8))
    padded = _zip(
        {"a_pad.npy": padding, "b_pad.npy": padding, "z_code.npy": _npy(np.array([_Exec()], dtype=object))},
        zipfile.ZIP_DEFLATED,
    )
    said = describe(padded)
    assert said is not None and "builtins.exec" in said and "'z_code.npy'" in said
    zeros = gzip.compress(b"\x00" * MAX_INFLATED_BYTES, mtime=0)
    files = {"a_zeros.gz": zeros, "b_zeros.gz": zeros, "x.pkl.gz": gzip.compress(_exec_pickle(), mtime=0)}
    flags = {f.file: f.summary for f in scan_submission(files)}
    assert list(flags) == ["x.pkl.gz"] and "not looked into" in flags["x.pkl.gz"]


def test_nested_zips_open_at_most_the_member_budget(monkeypatch: pytest.MonkeyPatch) -> None:
    """Review (/tmp/r88/nested.npz, 97 KB): 64 zips of 64 zips of 64 empty members opened 266,304 members
    (6 s of the parent) and raised no flag. Members opened per submission are now capped (counted here:
    work, not time): at most MAX_OPENED_MEMBERS, and the zip is flagged as not looked into."""
    inner = _zip({f"{i}.npy": b"" for i in range(64)}, zipfile.ZIP_DEFLATED)
    middle = _zip({f"{i}.npz": inner for i in range(64)}, zipfile.ZIP_DEFLATED)
    outer = _zip({f"{i}.npz": middle for i in range(64)}, zipfile.ZIP_DEFLATED)
    opened = [0]
    real_open = zipfile.ZipFile.open

    def counted(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        opened[0] += 1
        return real_open(self, *args, **kwargs)

    monkeypatch.setattr(zipfile.ZipFile, "open", counted)
    assert "not looked into" in (describe(outer) or "")
    assert opened[0] <= MAX_OPENED_MEMBERS


def test_a_npz_of_many_arrays_of_numbers_is_not_flagged() -> None:
    """np.savez of 70 weights (an honest network) was flagged "64+ members, not looked into" (review); its
    members are all arrays of numbers, read header only: no flag. Control: one object array among them."""
    weights = {f"W{i}": np.full((4, 4), float(i)) for i in range(70)}
    saved, hidden = io.BytesIO(), io.BytesIO()
    np.savez(saved, **weights)
    np.savez_compressed(hidden, **weights, z=np.array([_Exec()], dtype=object))
    assert describe(saved.getvalue()) is None
    assert "builtins.exec" in (describe(hidden.getvalue()) or "")


def test_a_decompression_bomb_costs_a_bounded_read(monkeypatch: pytest.MonkeyPatch) -> None:
    """64 MiB of zeros in 64 KB of gzip: at most MAX_READ_BYTES decompressed, once per submission's budget of
    MAX_INFLATED_BYTES however many such files it ships; those past the budget are flagged unread. The bytes
    the decompressor hands back are counted, not timed (it asserted under 2 s of CPU for the 20 files)."""
    bomb = gzip.compress(b"\x00" * (64 << 20), compresslevel=1, mtime=0)
    inflated = []

    class Counted:
        def __init__(self) -> None:
            self.inner = zlib.decompressobj(16 + zlib.MAX_WBITS)

        def decompress(self, data: bytes, max_length: int = 0) -> bytes:
            out = self.inner.decompress(data, max_length)
            inflated.append(len(out))
            return out

    streams = [(m, kind, Counted if kind == "gzip" else make) for m, kind, make in pickled._STREAMS]
    monkeypatch.setattr(pickled, "_STREAMS", tuple(streams))
    budget = OpBudget()
    said = [describe(bomb, budget) for _ in range(20)]
    assert said[:2] == [None, None]
    assert all("not looked into" in (s or "") for s in said[2:])
    assert budget.inflated <= 0
    assert 0 < sum(inflated) <= MAX_INFLATED_BYTES, inflated


def test_a_zip_of_python_modules_is_flagged_and_a_zip_of_data_is_not() -> None:
    """`sys.path.insert(0, 'plotting.zip')` then an import runs the modules inside (zipimport), and the scan
    reads no source in a zip: flagged, naming them (sample miniflow/zipped_module_import). A zip of text and
    CSV files (a data set handed in with the code) is not."""
    code, data = io.BytesIO(), io.BytesIO()
    with zipfile.ZipFile(code, "w") as archive:
        archive.writestr("README.txt", "plots")
        archive.writestr("graph_plot.py", "class Linear:\n    pass\n")
    with zipfile.ZipFile(data, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("README.txt", "my data")
        archive.writestr("train.csv", "x,y\n1,2\n")
    said = describe(code.getvalue())
    assert said is not None and "Python modules ('graph_plot.py')" in said and "zipimport" in said
    assert describe(data.getvalue()) is None


def test_what_numpy_loads_and_the_scan_cannot_parse_is_not_looked_into() -> None:
    """Second review (helper-93): an object array whose .npy header is written Python 2's way, `(1L,)`, which
    numpy retries and loads (running its pickle) but ast.literal_eval refuses, was read as no pickle at all;
    and a .npz starting with an empty archive's end record (PK\\x05\\x06, which np.load takes for a zip) was
    never opened. Both are read now, as numpy reads them; the header numpy writes today is still read (its
    array of numbers, no flag: the negative control)."""
    objects = _npy(np.array([_Exec()], dtype=object))
    py2 = objects.replace(b"'shape': (1,)", b"'shape': (1L,)", 1)
    assert py2 != objects and py2[:6] == b"\x93NUMPY"
    assert "NumPy array of Python objects" in (describe(py2) or "")  # (its header one byte longer than said)
    assert "NumPy array of Python objects" in (describe(_zip({"w.npy": py2})) or "")
    assert describe(_npy(np.zeros((2, 3))).replace(b"(2, 3)", b"(2L, 3L)", 1)) is None
    assert describe(_npy(np.zeros((2, 3)))) is None
    prefixed = b"PK\x05\x06" + bytes(18) + _zip({"w.npy": objects})
    said = describe(prefixed)
    assert said is not None and "builtins.exec" in said and "'w.npy'" in said


def test_a_zip_directory_too_large_is_not_parsed() -> None:
    """A central directory of many entries whose end record claims one cost the parent seconds to parse
    (second review: 178,000 entries, 1.7 s): the declared size is refused before zipfile reads it. A zip of a
    few members (its directory small) is read as before."""
    from grader.flags.pickled import MAX_DIRECTORY_BYTES

    names = {f"{i:06}_" + "n" * 90 + ".txt": b"" for i in range(MAX_DIRECTORY_BYTES // 100 + 10)}
    big = _zip(names)
    parsed: list[int] = []
    original = zipfile.ZipFile._RealGetContents  # type: ignore[attr-defined]

    def counting(self: Any) -> None:
        parsed.append(1)
        original(self)

    zipfile.ZipFile._RealGetContents = counting  # type: ignore[attr-defined]
    try:
        said = describe(big)
    finally:
        zipfile.ZipFile._RealGetContents = original  # type: ignore[attr-defined]
    assert said is not None and "directory is over" in said and parsed == []
    assert describe(_zip({"readme.txt": b"weights"})) is None
