"""A Python file's flags are worked out once a batch: a later submission handing in the same file, with the
same own module names and the same assignment, gets them without a second reading; anything else a flag
could depend on reads the file again."""

from __future__ import annotations

import gc
from pathlib import Path

import pytest

from grader.flags import MAX_SOURCE_BYTES, RULES, scan_submission
from grader.flags import scan as scan_module
from grader.loaders import load_submission

REPO = Path(__file__).resolve().parents[2]
# flagged by the runtime rule (exec) and the numerical one (a finite-difference backward)
FLAGGED = (
    b"import numpy as np\n"
    b"class Mul:\n"
    b"    def backward(self, dout):\n"
    b"        h = 1e-4\n"
    b"        return (self.f(self.x + h) - self.f(self.x - h)) / (2 * h)\n"
    b"exec('print(1)')\n"
)


@pytest.fixture
def read(monkeypatch):
    """The files the rules actually read, in order (a kept file's flags read none)."""
    seen: list[str] = []
    for name, rule in list(RULES.items()):

        def counted(src, ctx, rule=rule, name=name):
            if name == "runtime":
                seen.append(src.path)
            return rule(src, ctx)

        monkeypatch.setitem(RULES, name, counted)
    scan_module._kept_flags.cache_clear()
    yield seen
    scan_module._kept_flags.cache_clear()


def test_a_file_handed_in_again_is_read_once_with_the_same_flags(read):
    """Two submissions with the same helper file: read once, flagged the same; each submission's own file
    is read; the flags are those a fresh scan gives."""
    first = scan_submission({"common/util.py": FLAGGED, "mine.py": b"x = 1\n"})
    second = scan_submission({"common/util.py": FLAGGED, "mine.py": b"x = 2\n"})
    assert read == ["common/util.py", "mine.py", "mine.py"]
    assert first == second and {f.code for f in first} == {"dynamic_code", "numerical_gradient"}
    scan_module._kept_flags.cache_clear()
    assert scan_submission({"common/util.py": FLAGGED, "mine.py": b"x = 2\n"}) == second


def test_what_a_flag_may_depend_on_reads_the_file_again(read):
    """Another path, other own module names, other graded names, forbidden imports or optparse named
    elsewhere: each is a fresh reading."""
    scan_submission({"a.py": FLAGGED})
    scan_submission({"b.py": FLAGGED})
    scan_submission({"a.py": FLAGGED, "numpy/__init__.py": b""})  # the submission's own numpy
    scan_submission({"a.py": FLAGGED}, graded=("Mul",))
    scan_submission({"a.py": FLAGGED}, forbidden_imports=("numpy",))
    # optparse named by another file: the own module names alike in both (o), so optparse alone differs
    scan_submission({"a.py": FLAGGED, "o.py": b"x = 1\n"})
    scan_submission({"a.py": FLAGGED, "o.py": b"import optparse\n"})
    assert read.count("a.py") == 6 and read.count("b.py") == 1
    scan_submission({"a.py": FLAGGED}, graded=("Mul",))
    assert read.count("a.py") == 6


def test_a_file_not_scanned_is_read_again_every_time(read):
    """A not_scanned flag may come of the stack's depth or the memory left: never kept."""
    large = b"x = 1\n" * (MAX_SOURCE_BYTES // 6 + 1)
    flags = [scan_submission({"deep.py": large}) for _ in range(2)]
    assert flags[0] == flags[1] and [f.code for f in flags[0]] == ["not_scanned"]
    assert scan_module._kept_flags.held_bytes == 0


def test_the_samples_flags_are_the_same_read_once_or_kept(read):
    """Every DeZero sample folder scanned twice in a row (the second from the kept flags of
    its copied files, book copies shared between samples) gives what a scan with nothing kept gives."""
    folders = sorted(
        p for family in ("dezero",) for p in (REPO / "submissions" / family).iterdir() if p.is_dir()
    )
    files = [load_submission(p).files for p in folders]
    kept = [scan_submission(f, graded=("Variable", "Mul")) for f in files]
    again = [scan_submission(f, graded=("Variable", "Mul")) for f in files]
    n_read = len(read)
    fresh = []
    for f in files:
        scan_module._kept_flags.cache_clear()
        fresh.append(scan_submission(f, graded=("Variable", "Mul")))
    assert kept == again == fresh
    assert n_read < sum(1 for f in files for rel in f if rel.endswith(".py")) * 2


def _reachable(obj: object, depth: int = 3) -> list[object]:
    """`obj` and what it holds, through tuples, frozensets and slotted objects."""
    found = [obj]
    holder = isinstance(obj, (tuple, frozenset)) or hasattr(type(obj), "__slots__")
    if depth and holder and not isinstance(obj, type):
        for inner in gc.get_referents(obj):
            found += _reachable(inner, depth - 1)
    return found


def test_a_kept_files_key_holds_its_digest_not_its_bytes(read):
    """A batch of all-different files (the bench class's: each carries its student's number) keeps the last
    512 of them; their keys hold each file's digest, so the parent does not hold their text to its end."""
    big = FLAGGED + b"# " + b"x" * 50_000 + b"\n"
    assert [f.code for f in scan_submission({"a.py": big})] == [
        f.code for f in scan_submission({"a.py": FLAGGED})
    ]
    keys = list(scan_module._kept_flags._entries)
    assert len(keys) == 2 and read.count("a.py") == 2
    for args, _kwargs in keys:
        held = [x for part in args[:4] for x in _reachable(part)]  # the rules' functions aside
        assert not any(isinstance(x, bytes) and len(x) >= len(FLAGGED) for x in held)
    scan_submission({"a.py": big})
    assert read.count("a.py") == 2  # still found by its digest
