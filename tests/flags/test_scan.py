"""scan_submission over whole submissions: what it refuses, how it caps, and the samples: the expected flags
on the finite-difference sample and on the hostile samples (inside their attack blocks, none on their honest
twins), and a sample for every flag code. That every sample of the four families gets exactly the flags its
expected.json entry lists (none on the honest ones) is tests/samples/test_expected.py's to prove: it reads
them off every sample's report, the very scan (grader/pipeline.py `scan`) run where the sample is graded; a
test here scanned all 976 again (~61 s of a CI run, session 34)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hostile_harness import as_bytes, honest_twin, read_sample

from grader.assignments import load_assignment
from grader.flags import (
    FLAG_CODES,
    MAX_PER_CODE,
    MAX_SCAN_BYTES,
    MAX_SOURCE_BYTES,
    RULES,
    scan,
    scan_submission,
)
from grader.flags.model import Flag
from grader.loaders import load_submission

REPO = Path(__file__).resolve().parents[2]
FAMILIES = {
    "miniflow": "miniflow",
    "dezero": "dezero",
    "layers": "dlfs-layers",
    "dlfs-advanced": "dlfs-advanced",
}


def _scan(path: Path, assignment_id: str) -> tuple:
    a = load_assignment(assignment_id)
    files = load_submission(path).files
    return scan_submission(files, graded=(*a.required, *a.optional), forbidden_imports=a.forbidden_imports)


def test_the_finite_difference_sample_is_flagged_on_every_numerical_backward():
    """submissions/layers/numerical_backward.py: one flag per layer's backward and TwoLayerNet.gradient,
    and none on the book's TwoLayerNet.numerical_gradient method."""
    flags = _scan(REPO / "submissions" / "layers" / "numerical_backward.py", "dlfs-layers")
    named = " ".join(f.summary for f in flags)
    for method in ("MulLayer", "AddLayer", "Relu", "Sigmoid", "Affine", "SoftmaxWithLoss"):
        assert f"{method}.backward" in named
    assert "TwoLayerNet.gradient calls numerical_gradient()" in named
    assert "TwoLayerNet.numerical_gradient" not in named


HOSTILE_JSON = REPO / "submissions" / "hostile" / "expected.json"
HOSTILE = json.loads(HOSTILE_JSON.read_text(encoding="utf-8"))["samples"]


def _codes_and_lines(flags: tuple) -> dict[str, list[int]]:
    got: dict[str, list[int]] = {}
    for f in flags:
        got.setdefault(f.code, []).append(f.line)
    return got


def _attack_lines(source: str) -> set[int]:
    """Line numbers between a sample's '# >>> attack' and '# <<< attack' lines (its author's markers)."""
    inside, in_attack = set(), False
    for number, line in enumerate(source.splitlines(), 1):
        in_attack = (in_attack or line.strip().startswith("# >>> attack")) and line.strip() != "# <<< attack"
        if in_attack:
            inside.add(number)
    return inside


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_each_hostile_sample_gets_exactly_its_expected_flags_inside_its_attack(name):
    """Each hostile sample gets the flags its expected.json entry lists (code -> lines; none when it lists
    none), every flagged line lies inside an attack block (line 0, the whole file, for not_scanned only), and
    its honest twin, the same file without the attack blocks, gets no flag at all."""
    path = REPO / "submissions" / "hostile" / name
    assignment = load_assignment(HOSTILE[name]["assignment"])
    flags = _scan(path, assignment.id)
    assert _codes_and_lines(flags) == HOSTILE[name].get("flags", {}), [f.to_dict() for f in flags]
    source = read_sample(path)
    inside = _attack_lines(source)
    assert all(f.line in inside or (f.line, f.code) == (0, "not_scanned") for f in flags), flags
    twin = {path.name: as_bytes(honest_twin(source))}
    graded = (*assignment.required, *assignment.optional)
    assert scan_submission(twin, graded=graded, forbidden_imports=assignment.forbidden_imports) == ()


def test_every_flag_code_has_a_sample_that_must_raise_it():
    """Negative controls: each code of FLAG_CODES is listed for at least one sample of submissions/ (a
    hostile sample or a family's), so deleting a rule fails a sample's expected flags."""
    listed = {code for s in HOSTILE.values() for code in s.get("flags", {})}
    for family in FAMILIES:
        spec = json.loads((REPO / "submissions" / family / "expected.json").read_text(encoding="utf-8"))
        listed |= {code for s in spec["samples"].values() for code in s.get("flags", {})}
    assert sorted(set(FLAG_CODES) - listed) == []


def test_the_flags_doc_counts_the_flagged_hostile_samples():
    """docs/FLAGS.md says how many hostile samples get at least one flag, of how many: the entries of
    submissions/hostile/expected.json that list flags (each checked against the scan above)."""
    flagged = [n for n, s in HOSTILE.items() if s.get("flags")]
    doc = " ".join((REPO / "docs" / "FLAGS.md").read_text(encoding="utf-8").split())
    assert f"{len(flagged)} of the {len(HOSTILE)} hostile samples" in doc
    assert f"the other {len(HOSTILE) - len(flagged)} " in doc


def test_a_file_python_cannot_compile_is_not_flagged():
    """Python 2 print statements and NUL bytes: nothing can run, the load failure says so; no flag."""
    assert scan_submission({"a.py": b"import os\nprint 'x'\nos.fork()\n"}) == ()
    assert scan_submission({"a.py": b"import socket\x00\n"}) == ()


def test_a_file_over_the_size_cap_is_not_scanned_and_says_so():
    """A file above MAX_SOURCE_BYTES gets one not_scanned flag for the whole file (line 0)."""
    (flag,) = scan_submission({"big.py": b"x = 1\n" * (MAX_SOURCE_BYTES // 6 + 1)})
    assert (flag.code, flag.file, flag.line) == ("not_scanned", "big.py", 0)
    assert str(MAX_SOURCE_BYTES) in flag.summary


def test_python_files_past_the_submissions_scan_budget_are_not_scanned_and_say_so(monkeypatch):
    """Files are scanned in path order until MAX_SCAN_BYTES of Python source; each file past it gets a
    not_scanned flag; non-Python files do not count. The budget is set to a tenth of itself (the rule is
    the same at any budget; scanning 1 MiB of `x = 1` proves no more than 100 KiB does)."""
    from grader.flags import scan

    budget = MAX_SCAN_BYTES // 10
    monkeypatch.setattr(scan, "MAX_SCAN_BYTES", budget)
    chunk = b"x = 1\n" * (MAX_SOURCE_BYTES // 70)
    count = budget // len(chunk)
    assert count >= 2 and budget % len(chunk)  # files that fit, and a last one that does not
    # notes.txt sorts first: were it counted, every Python file would be past the budget (on main it sorted
    # last, where counting it changed nothing)
    files = {f"m{i:02d}.py": chunk for i in range(count + 2)} | {"a_notes.txt": b"x" * budget}
    flags = scan_submission(files)
    assert [(f.file, f.code) for f in flags] == [(f"m{i:02d}.py", "not_scanned") for i in (count, count + 1)]
    assert str(budget) in flags[0].summary


@pytest.mark.parametrize(
    "source",
    [
        b"x = " + b"-" * 100_000 + b"1\n",
        b"x = a" + b".b" * 100_000 + b"\n",
        b"x = " + b"+".join([b"a"] * 100_000),
    ],
    ids=["unary-chain", "attribute-chain", "binop-chain"],
)
def test_a_file_too_deep_to_parse_is_not_scanned_and_says_so(source):
    """Trees too deep for the parser (MemoryError or RecursionError in ast.parse; files under the size cap)
    give not_scanned."""
    (flag,) = scan_submission({"deep.py": source})
    assert (flag.code, flag.line) == ("not_scanned", 0) and "deeply nested" in flag.summary


def test_a_rule_that_crashes_costs_the_file_not_the_submission(monkeypatch):
    """A bug in a rule becomes a not_scanned flag naming the exception; other files are still scanned."""

    def broken(src, ctx):
        raise ValueError("rule bug")

    monkeypatch.setitem(RULES, "broken", broken)
    flags = scan_submission({"a.py": b"x = 1\n", "b.txt": b"import socket\n"})
    assert [(f.code, f.file) for f in flags] == [("not_scanned", "a.py")]
    assert "ValueError: rule bug" in flags[0].summary


def test_compiled_modules_are_flagged_and_other_files_ignored():
    """.so/.pyc files are opaque_module flags; text, data and notebooks' leftovers are not scanned."""
    files = {"fast.so": b"\x7fELF", "old.pyc": b"\x00", "README.md": b"import socket", "data.csv": b"1,2"}
    assert [(f.code, f.file) for f in scan_submission(files)] == [
        ("opaque_module", "fast.so"),
        ("opaque_module", "old.pyc"),
    ]


def test_a_file_with_a_hundred_thousand_hits_is_capped_without_dressing_them_all(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Negative control for the cost: 200 KiB of `os.fork()` lines gives MAX_PER_CODE flags, and only those
    are dressed as flags (their text cleaned, their line quoted: 5 s of CPU for every hit before the cap).
    Counted, not timed (it asserted under 10 s of CPU, which a loaded machine can exceed)."""
    dressed = []
    make = Flag.make.__func__

    def counted(cls: type[Flag], *args: Any, **kwargs: Any) -> Flag:
        dressed.append(args[0])
        return make(cls, *args, **kwargs)

    monkeypatch.setattr(Flag, "make", classmethod(counted))
    scan._kept_flags.cache_clear()  # scanned afresh, whatever another test scanned before
    source = b"import os\n" + b"os.fork()\n" * 20_000
    flags = scan_submission({"a.py": source})
    assert len(flags) == MAX_PER_CODE and {f.code for f in flags} == {"process_control"}
    assert dressed == ["process_control"] * MAX_PER_CODE


def test_one_flag_per_line_and_code_and_at_most_the_cap_per_code():
    """Two uses on one line are one flag; 3 x MAX_PER_CODE lines of os.fork() give MAX_PER_CODE flags, the
    first ones by line, and other codes still get theirs."""
    source = "import os\n" + "os.fork(); os.fork()\n" * (3 * MAX_PER_CODE) + "import socket\n"
    flags = scan_submission({"a.py": source.encode()})
    forks = [f.line for f in flags if f.code == "process_control"]
    assert forks == list(range(2, 2 + MAX_PER_CODE))
    assert [f.code for f in flags if f.code != "process_control"] == ["network"]


def test_files_are_scanned_in_path_order_and_flags_name_their_file():
    """Flags come sorted by file then line, each naming the submission-relative path."""
    files = {"z.py": b"import socket\n", "common/a.py": b"x = 1\nimport ctypes\n"}
    assert [(f.file, f.line, f.code) for f in scan_submission(files)] == [
        ("common/a.py", 2, "native_code"),
        ("z.py", 1, "network"),
    ]


def _spanning(cell_between: str) -> list[dict[str, str]]:
    """A notebook whose first cell opens a string that its third cell closes: read whole, the module is one
    string around the second cell; the student's process runs each cell on its own."""
    sources = ["import numpy as np\n_notes = '''", cell_between, "'''"]
    return [{"cell_type": "code", "source": source} for source in sources]


def test_a_string_spanning_notebook_cells_hides_no_cell_from_the_scan(tmp_path: Path) -> None:
    """The cell between the two halves of a string runs in the student's process (first and third cells
    are skipped as syntax errors): its ctypes import and exec are flagged, at their own lines. A full-marks
    notebook hid them this way (no flag at all). Control: the same text as a plain .py file, a string indeed,
    has no flag."""
    path = tmp_path / "hw.ipynb"
    path.write_text(json.dumps({"cells": _spanning("import ctypes\nexec('x = 1')\n")}))
    files = load_submission(path).files
    flags = scan_submission(files)
    lines = files["hw.py"].decode().splitlines()
    assert {(f.code, lines[f.line - 1]) for f in flags} == {
        ("native_code", "import ctypes"),
        ("dynamic_code", "exec('x = 1')"),
    }
    plain = b"\n".join(ln for ln in files["hw.py"].splitlines() if not ln.startswith(b"# grader:"))
    assert scan_submission({"hw.py": plain}) == ()


def test_a_forged_notebook_module_with_cr_line_breaks_is_split_as_the_student_process_splits_it() -> None:
    """A .py file can carry the cell markers itself (docs/LOADING.md); the student's process reads it with
    universal newlines, so a lone CR ends a line there and the file is three cells: the parent reads the
    same three (split on LF only, it read one cell, a string around the exec)."""
    text = "# grader: the code cells of x.ipynb\n# grader: code cell 1\r_s = '''\r# grader: code cell 2\r"
    text += "exec('x = 1')\r# grader: code cell 3\r'''\r"
    assert [f.code for f in scan_submission({"x.py": text.encode()})] == ["dynamic_code"]
