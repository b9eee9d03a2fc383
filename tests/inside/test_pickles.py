"""A pickle read from a file the parent never read loads data only (grader/inside/pickles.py; sample
submissions/hostile/runtime_written_pickle.py covers pickle.load, Unpickler, np.load and a file's middle)."""

from __future__ import annotations

import collections
import io
import os
import pickle
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest
from inside_helpers import APPLE, MUL, MUL_JOB, case, job, run_inside
from inside_helpers import students as S

from grader.flags.pickled import SAFE_LOADS
from grader.inside import pickles, shipped

ROOT = Path(__file__).resolve().parents[2]

# (namespace, exec(text, namespace)): what the sample hides; runs `text` when unpickled unchecked
TEXT = b"X = 41 + 1\n"
EXEC = b"}q\x00cbuiltins\nexec\n(X" + len(TEXT).to_bytes(4, "little") + TEXT + b"h\x00tR\x86."
WEIGHTS = {
    "W1": np.arange(6.0).reshape(2, 3),
    "b1": np.float32(0.5),
    "n": np.int64(3),
    "order": collections.OrderedDict(a=1),
    "seen": {1, 2},
    "frozen": frozenset({3}),
    "z": 1j,
    "raw": bytearray(b"x"),
    "lists": collections.defaultdict(list),
    "queue": collections.deque([1]),
}


def _equal(a: object, b: object) -> bool:
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_equal(a[k], b[k]) for k in a)
    if isinstance(a, np.ndarray | np.generic):
        return type(a) is type(b) and bool(np.array_equal(a, b))  # type: ignore[arg-type]
    return type(a) is type(b) and a == b


def _root(tmp_path: Path, files: dict[str, bytes]) -> Path:
    root = tmp_path / "sub"
    root.mkdir()
    for rel, data in files.items():
        (root / rel).write_bytes(data)
    shipped.snapshot(os.path.realpath(root))
    return root


@pytest.mark.parametrize("protocol", range(pickle.HIGHEST_PROTOCOL + 1))
def test_saved_weights_written_at_run_time_load_as_before(tmp_path: Path, protocol: int) -> None:
    """Negative control: arrays, NumPy scalars and containers pickled while the submission runs (the book's
    save_params, then load_params) load, at every protocol."""
    root = _root(tmp_path, {})
    path = root / "params.pkl"
    path.write_bytes(pickle.dumps(WEIGHTS, protocol=protocol))
    with open(path, "rb") as fh:
        assert _equal(pickles.load(fh), WEIGHTS)


def test_code_in_a_pickle_written_at_run_time_is_refused(tmp_path: Path) -> None:
    """builtins.exec in a pickle the submission wrote: UnpicklingError naming it, the text never run (before:
    it ran, and the scan had not read it)."""
    root = _root(tmp_path, {})
    (root / "checkpoint.pkl").write_bytes(EXEC)
    for read in (pickles.load, lambda fh: pickles.Unpickler(fh).load()):
        with (
            open(root / "checkpoint.pkl", "rb") as fh,
            pytest.raises(pickle.UnpicklingError, match=r"builtins\.exec"),
        ):
            read(fh)


def test_code_in_a_pickle_handed_in_is_refused_from_its_start_and_its_middle(tmp_path: Path) -> None:
    """A pickle file handed in is the parent's to flag (grader/flags/pickled.py: opaque_module) and data only
    here too: "as handed in, read from byte 0" was beaten (review of s20-hostile, findings 3, 5, 10).
    Before: loaded from its start. The refusal names the name, and no "hand in the data file"."""
    root = _root(tmp_path, {"data.pkl": EXEC, "notes.txt": b"notes\n" + EXEC})
    with open(root / "data.pkl", "rb") as fh, pytest.raises(pickle.UnpicklingError) as refused:
        pickles.load(fh)
    assert "builtins.exec is not one" in str(refused.value) and "hand in" not in str(refused.value)
    with open(root / "notes.txt", "rb") as fh, pytest.raises(pickle.UnpicklingError, match=r"builtins\.exec"):
        fh.seek(6)
        pickles.load(fh)


def test_no_file_is_trusted_however_it_reaches_the_unpickler(tmp_path: Path) -> None:
    """The routes of review s20-hostile that read code from a file unchecked, each 43/43 with no flag
    before: seek after Unpickler(f) (a_seek_after_init.py), super().__init__ swapping the file
    (e_super_init.py), an .npz's member (b_npz.py: zipfile.ZipExtFile), a multi-member gzip
    (g_gzip_members), gzip over a seeked file (d_gzip)."""
    import gzip
    import zipfile

    root = _root(tmp_path, {"data.pkl": pickle.dumps([1]), "notes.txt": b"notes\n" + EXEC})
    (root / "late.pkl").write_bytes(EXEC)
    with open(root / "data.pkl", "rb") as fh:
        unpickler = pickles.Unpickler(fh)
        fh.seek(0)
        with open(root / "notes.txt", "rb") as notes:
            notes.seek(6)
            super(type(unpickler), unpickler).__init__(notes)
            with pytest.raises(pickle.UnpicklingError, match=r"builtins\.exec"):
                unpickler.load()
    with open(root / "notes.txt", "rb") as fh:
        unpickler = pickles.Unpickler(fh)
        fh.seek(6)
        with pytest.raises(pickle.UnpicklingError, match=r"builtins\.exec"):
            unpickler.load()
    with zipfile.ZipFile(root / "w.npz", "w") as z:
        z.writestr("a.pkl", EXEC)
    with (
        zipfile.ZipFile(root / "w.npz") as z,
        z.open("a.pkl") as member,
        pytest.raises(pickle.UnpicklingError, match=r"builtins\.exec"),
    ):
        pickles.load(member)
    (root / "m.gz").write_bytes(gzip.compress(pickle.dumps([1])) + gzip.compress(EXEC))
    with gzip.open(root / "m.gz", "rb") as fh:
        assert pickles.load(fh) == [1]  # the first member (all the scan inflated), then the second's
        with pytest.raises(pickle.UnpicklingError, match=r"builtins\.exec"):
            pickles.load(fh)
    (root / "t.gz").write_bytes(b"notes\n" + gzip.compress(EXEC))
    with open(root / "t.gz", "rb") as raw:
        raw.seek(6)
        with gzip.GzipFile(fileobj=raw) as fh, pytest.raises(pickle.UnpicklingError, match=r"builtins\.exec"):
            pickles.load(fh)


def test_what_the_scan_flags_loads_as_before(tmp_path: Path) -> None:
    """A stream in memory handed to pickle.load is flagged dynamic_code by the scan
    (grader/flags/runners.py) and loads as before: the grader judges what runs. Controls: the same bytes
    from a file opened by path, or from a subclass of a file type or of BytesIO (which may read a file),
    are refused; an unpickler made on a stream and re-made on a file is data only from then on."""
    root = _root(tmp_path, {})
    (root / "late.pkl").write_bytes(EXEC)

    class Reader(io.BufferedReader):
        pass

    class Stream(io.BytesIO):
        pass

    assert pickles.load(io.BytesIO(EXEC))[0]["X"] == 42
    with Reader(io.FileIO(root / "late.pkl")) as fh, pytest.raises(pickle.UnpicklingError):
        pickles.load(fh)
    with pytest.raises(pickle.UnpicklingError):
        pickles.load(Stream(EXEC))
    with open(root / "late.pkl", "rb", buffering=0) as fh, pytest.raises(pickle.UnpicklingError):
        pickles.load(fh)
    with open(root / "late.pkl", "rb") as fh:
        unpickler = pickles.Unpickler(io.BytesIO(EXEC))
        unpickler.__init__(fh)  # type: ignore[misc]
        with pytest.raises(pickle.UnpicklingError):
            unpickler.load()


def test_the_check_cannot_be_replaced_on_the_unpickler(tmp_path: Path) -> None:
    """`u.find_class = ...` (no instance attributes) and `u.persistent_load = ...` (a persistent id's object
    is a callable REDUCE would call) are refused on a pickle read from any file (handed in too); allowed on a
    stream in memory, which the scan flags."""
    root = _root(tmp_path, {"data.pkl": EXEC})
    (root / "late.pkl").write_bytes(EXEC)
    late = open(root / "late.pkl", "rb")  # noqa: SIM115
    unpickler = pickles.Unpickler(late)
    with pytest.raises(AttributeError):
        unpickler.find_class = lambda module, name: exec  # type: ignore[method-assign]
    with pytest.raises(pickle.UnpicklingError, match="persistent_load"):
        unpickler.persistent_load = lambda pid: exec
    with pytest.raises(AttributeError):
        unpickler._data_only = False  # type: ignore[attr-defined]
    late.close()
    with open(root / "data.pkl", "rb") as fh, pytest.raises(pickle.UnpicklingError, match="persistent_load"):
        pickles.Unpickler(fh).persistent_load = str
    stream = pickles.Unpickler(io.BytesIO(EXEC))  # flagged by the scan: as before
    stream.persistent_load = str
    assert stream.persistent_load is str


def test_the_submissions_own_classes_load_and_other_modules_names_do_not(tmp_path: Path) -> None:
    """A class of a module handed in (its file unchanged) loads; the same name re-exported from another
    module (`from builtins import exec as run` in the submission) does not."""
    root = _root(tmp_path, {"mine.py": b"from builtins import exec as run\nclass Net:\n    pass\n"})
    sys.path.insert(0, str(root))
    try:
        import mine

        assert pickles.allowed("mine", "Net")
        assert not pickles.allowed("mine", "run")
        assert not pickles.allowed("builtins", "getattr") and not pickles.allowed("os", "system")
        assert pickles.allowed("__builtin__", "set")  # protocol 0-2 names, as find_class maps them
        data = pickle.dumps(mine.Net(), protocol=2)
        path = root / "net.pkl"
        path.write_bytes(data)
        with open(path, "rb") as fh:
            assert type(pickles.load(fh)) is mine.Net
    finally:
        sys.path.remove(str(root))
        sys.modules.pop("mine", None)


def test_an_own_class_with_its_own_new_or_metaclass_is_refused(tmp_path: Path) -> None:
    """Review finding 7: `class Attr: def __new__(cls, obj, name): return getattr(obj, name)` in a file handed
    in reaches exec through REDUCE chains (gad/run.py printed GADGET RAN CODE). A class with its own
    `__new__` (or a metaclass other than type) is refused; a plain one, with __setstate__, loads."""
    text = (
        b"class Attr:\n    def __new__(cls, obj, name):\n        return getattr(obj, name)\n"
        b"class Meta(type):\n    pass\n"
        b"class Odd(metaclass=Meta):\n    pass\n"
        b"class Net:\n    def __setstate__(self, state):\n"
        b"        self.__dict__.update(state, restored=True)\n"
        b"class Child(dict):\n    pass\n"
    )
    root = _root(tmp_path, {"gadgets.py": text})
    sys.path.insert(0, str(root))
    try:
        import gadgets

        assert not pickles.allowed("gadgets", "Attr") and not pickles.allowed("gadgets", "Odd")
        assert pickles.allowed("gadgets", "Net") and pickles.allowed("gadgets", "Child")
        chain = b"cgadgets\nAttr\np0\n0g0\n(g0\nV__new__\ntR."
        (root / "late.pkl").write_bytes(chain)
        with (
            open(root / "late.pkl", "rb") as fh,
            pytest.raises(pickle.UnpicklingError, match=r"gadgets\.Attr"),
        ):
            pickles.load(fh)
        net = gadgets.Net()
        net.W = np.ones(2)
        (root / "net.pkl").write_bytes(pickle.dumps(net))
        with open(root / "net.pkl", "rb") as fh:
            back = pickles.load(fh)
        assert back.restored is True and back.W.sum() == 2.0
    finally:
        sys.path.remove(str(root))
        sys.modules.pop("gadgets", None)


def test_data_names_cover_what_the_parent_calls_data() -> None:
    """What the parent's scan reads as saved weights (SAFE_LOADS) loads here too."""
    assert SAFE_LOADS <= pickles.DATA


def test_inside_the_student_process_pickle_load_is_the_checked_one() -> None:
    """End to end: layers.py pickles its weights and reads them back (kept), then tries a pickle of exec it
    wrote (refused, MulLayer kept only if refused)."""
    code = (
        "import pickle, os\n"
        "import numpy as np\n"
        "_p = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'w.pkl')\n"
        "with open(_p, 'wb') as _fh:\n    pickle.dump({'W': np.ones(2)}, _fh)\n"
        "with open(_p, 'rb') as _fh:\n    assert pickle.load(_fh)['W'].sum() == 2.0\n"
        f"with open(_p, 'wb') as _fh:\n    _fh.write({EXEC!r})\n"
        "try:\n    np.load(_p, allow_pickle=True)\n    REFUSED = False\n"
        "except pickle.UnpicklingError:\n    REFUSED = True\n"
        + S.LAYERS
        + "\nif not REFUSED:\n    del MulLayer\n"
    )
    ran = run_inside({"layers.py": code}, job("layers", [case("c", APPLE, MUL)], **MUL_JOB))
    assert ran.loaded["missing"] == [], ran.loaded  # type: ignore[attr-defined]
    assert ran.record("dapple").item() == 2.0  # type: ignore[attr-defined]


def test_exec_in_a_flagged_stream_runs_in_the_callers_namespace_as_before() -> None:
    """`builtins.exec` of one argument, called by the unpickler, runs in the innermost Python frame's
    namespace: under the C pickle.load the caller's module, and so through the checking load (a frame of its
    own held the definitions: hidden_code_pickle_stream.py lost its classes, 43 -> 6.5)."""
    text = b"Y = 7\n"
    stream = b"cbuiltins\nexec\n(X" + len(text).to_bytes(4, "little") + text + b"tR."
    module: dict[str, object] = {"pickles": pickles, "io": io, "stream": stream}
    exec("pickles.load(io.BytesIO(stream))", module)  # a module's top level, as the sample's
    assert module["Y"] == 7


def test_numpy_data_names_read_by_the_worker_are_the_ones_a_child_used() -> None:
    """The worker reads numpy's data names once before it forks (pickles.remember_numpy): install in a child
    then reads none of numpy's attributes (each read wrote a reference count, ~165 copy-on-write faults a
    student process) and allows the same names. In a fresh interpreter: install replaces pickle's own."""
    script = textwrap.dedent(
        f"""
        import sys
        sys.path.insert(0, {str(ROOT)!r})
        import numpy
        from grader.inside import pickles
        found = pickles.numpy_data()
        pickles.remember_numpy()
        def refuse():
            raise AssertionError("numpy read again")
        pickles.numpy_data = refuse
        pickles.install()
        names = pickles.data_names()
        assert found and found <= names and "numpy.tanh" in names, sorted(names)[:5]
        print("SAME")
        """
    )
    ran = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert ran.stdout.strip() == "SAME", ran.stdout + ran.stderr


def test_a_process_the_worker_did_not_prepare_reads_numpy_at_install() -> None:
    """The control: without remember_numpy, install finds numpy's names itself (tests, an in-process run)."""
    script = textwrap.dedent(
        f"""
        import sys
        sys.path.insert(0, {str(ROOT)!r})
        import numpy
        from grader.inside import pickles
        pickles.install()
        assert "numpy.tanh" in pickles.data_names()
        print("FOUND")
        """
    )
    ran = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert ran.stdout.strip() == "FOUND", ran.stdout + ran.stderr
