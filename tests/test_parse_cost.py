"""grader/parse_cost.py: a file whose f-strings would hold the parent for seconds is not parsed there."""

from __future__ import annotations

import time
from pathlib import Path

from grader import bytecode
from grader.flags import scan_submission
from grader.parse_cost import MAX_FSTRING_COST, fstring_cost
from grader.stage_scan import names_in

ROOT = Path(__file__).resolve().parents[1]
MINIFLOW = (ROOT / "submissions" / "miniflow" / "correct.py").read_bytes()


def _placeholders(n: int) -> bytes:
    """One f-string of n placeholders (CPython 3.11 searches the literal again for each)."""
    return b"_NOTES = f'" + b"{0}" * n + b"'\n"


def test_one_costly_f_string_is_read_as_text_not_parsed() -> None:
    """A MiniFlow file with one f-string of 40,000 `{0}` (120 KB): ast.parse took 4 s of the parent (80,000
    took 17 s, and a submission may hold 1 MiB of such files, parsed under the lock every lane of a batch
    waits on). Now the static scan says the file was not scanned and why, and the stage scan reads its
    classes as text, at once."""
    files = {"miniflow.py": MINIFLOW + _placeholders(40_000)}
    started = time.perf_counter()
    flags = scan_submission(files)
    defined, _ = names_in(files)
    seconds = time.perf_counter() - started
    said = [f.summary for f in flags if f.code == "not_scanned"]
    assert len(said) == 1 and "f-strings too costly to parse here" in said[0], said
    assert {"Input", "Linear", "Sigmoid", "MSE", "topological_sort"} <= defined
    assert seconds < 3, seconds  # about 0.1 s; 4 s before


def test_the_parent_compiles_no_pyc_of_a_costly_f_string() -> None:
    """18,000 placeholders fit the pyc's 64 KiB and took compile() about 1 s in the parent, per file, eight
    files a job; the student's process compiles it in its own budget. Control: without them, a pyc."""
    costly = MINIFLOW + _placeholders(18_000)
    assert len(costly) <= bytecode.MAX_COMPILED_SOURCE
    assert bytecode.pyc(costly, "miniflow.py") is None
    assert bytecode.pyc(MINIFLOW, "miniflow.py") is not None


def test_an_escaped_quote_hides_no_part_of_a_literal() -> None:
    """`\\'''` inside a triple-quoted f-string does not end it: the whole literal is counted."""
    hidden = b"x = f'''\\''' " + b"{0}" * 20_000 + b"'''\n"
    assert fstring_cost(hidden) > MAX_FSTRING_COST


def test_real_files_are_far_under_the_limit() -> None:
    """Negative controls: every sample submission but the hostile one and the grader's own files
    (f-strings in every module); a formula's f''' in a docstring (an unclosed literal: no f-string)
    costs nothing however long the text after it; many small f-strings, one a line, are cheap."""
    sources = [*ROOT.glob("submissions/**/*.py"), *ROOT.glob("grader/**/*.py")]
    sources = [p for p in sources if p.name != "scan_fstring_placeholders.py"]  # the hostile sample
    assert len(sources) > 300
    assert max(fstring_cost(p.read_bytes()) for p in sources) < MAX_FSTRING_COST // 10
    formula = b"r\"\"\"\\frac{f'''(x)}{6}" + b" {x}" * 40_000 + b'"""\n'
    assert fstring_cost(formula) < MAX_FSTRING_COST
    lines = b"".join(b"s%d = f'{a}{b}{c}'\n" % i for i in range(20_000))
    assert fstring_cost(lines) < MAX_FSTRING_COST


def test_the_hostile_sample_is_read_as_text() -> None:
    """Sample hostile/scan_fstring_placeholders.py (graded normally, expected.json): its one f-string of
    12,000 placeholders is over the limit, so the static scan says so instead of parsing it."""
    source = (ROOT / "submissions" / "hostile" / "scan_fstring_placeholders.py").read_bytes()
    assert fstring_cost(source) > MAX_FSTRING_COST
    flags = scan_submission({"miniflow.py": source})
    assert [f.code for f in flags] == ["not_scanned"]
