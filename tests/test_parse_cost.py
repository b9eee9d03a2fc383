"""grader/parse_cost.py: a file whose f-strings would hold the parent for seconds is not parsed there."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from grader import bytecode
from grader.flags import scan_submission
from grader.parse_cost import MAX_FSTRING_COST, fstring_cost, parsed_bytes
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
    flags = scan_submission(files)  # not parsed: the flag says so (timings belong to benchmarks)
    defined, _ = names_in(files)
    said = [f.summary for f in flags if f.code == "not_scanned"]
    assert len(said) == 1 and "f-strings too costly to parse here" in said[0], said
    assert {"Input", "Linear", "Sigmoid", "MSE", "topological_sort"} <= defined


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
    sources = [p for p in ROOT.glob("submissions/**/*.py") if p.name != "scan_fstring_placeholders.py"]
    assert len(sources) > 300  # every sample but the hostile one
    assert max(fstring_cost(p.read_bytes()) for p in sources) < MAX_FSTRING_COST // 10
    # The grader's own modules, f-strings in every one, are under the limit too: the largest's cheap bound
    # (its length times its braces, 12.9M for grader/inside/adapters/layers.py's 1,138 lines in session 20,
    # 35.9M for its 1,979 in session 28, when it had to be allowed half the limit; split by concern in session
    # 29, the largest is dezero.py's 16.7M for 1,284 lines) grows with the square of a file's size: a module
    # of one job stays under a third of the limit, and the students' samples under a tenth.
    assert max(fstring_cost(p.read_bytes()) for p in ROOT.glob("grader/**/*.py")) < MAX_FSTRING_COST // 3
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


def _continued_over_crlf(lines: int, per_line: int) -> bytes:
    """One single-quoted f-string continued over CR LF line breaks by a backslash at each line's end."""
    body = b"\\\r\n".join(b"{0}" * per_line for _ in range(lines))
    return MINIFLOW.replace(b"\n", b"\r\n") + b"_NOTES = f'" + body + b"'\r\n"


def test_a_literal_continued_over_crlf_is_measured_as_python_reads_it() -> None:
    """Python makes CR LF a `\\n` before reading, so a backslash before it continues the string; read from the
    raw bytes, the backslash escaped the CR and the LF ended the literal: cost 0, and 21 lines of 1,000
    placeholders (72 KB) took the static and stage scans 0.77 s of the parent, seconds at the 256-KiB cap.
    Now measured on the text Python parses: not scanned, read as text. Control: one line of them is cheap."""
    costly = _continued_over_crlf(21, 1000)
    files = {"miniflow.py": costly}
    assert [f.code for f in scan_submission(files)] == ["not_scanned"]
    assert {"Input", "Linear", "Sigmoid", "MSE"} <= names_in(files)[0]
    assert bytecode.pyc(costly[: bytecode.MAX_COMPILED_SOURCE], "miniflow.py") is None
    assert list(scan_submission({"miniflow.py": _continued_over_crlf(1, 20)})) == []


def test_braces_spelt_by_a_coding_cookie_are_counted() -> None:
    """`# coding: utf-7` writes `{` as `+AHs-` and `unicode_escape` as `\\x7b`: no `{` byte, cost 0 from the
    bytes, yet ast.parse decodes the cookie and reads thousands of placeholders. The decoded text is
    measured. Control: the same cookie over a plain file parses as before."""
    utf7 = b"# coding: utf-7\n_NOTES = f'" + b"+AHs-0+AH0-" * 20_000 + b"'\n"  # `{0}`, braces encoded
    escaped = b"# coding: unicode_escape\n_NOTES = f'" + b"\\x7b0\\x7d" * 20_000 + b"'\n"
    for source in (utf7, escaped):
        assert b"{" not in source[source.index(b"f'") :]
        assert [f.code for f in scan_submission({"notes.py": source})] == ["not_scanned"]
        assert bytecode.pyc(source, "notes.py") is None
    assert bytecode.pyc(b"# coding: utf-7\nx = 1\n", "plain.py") is not None


@pytest.mark.parametrize("codec", ["rot13", "hex", "base64", "zlib", "bz2", "uu", "quopri", "undefined"])
def test_a_cookie_naming_no_text_encoding_is_a_syntax_error(codec: str) -> None:
    """`# coding: rot13` (sample hostile/coding_cookie_binary_codec.py): decode_source raised LookupError,
    which no reader of the parent expected, out of the job builder (an internal error, a batch stopped).
    Now a SyntaxError, as ast.parse raises: no pyc, the scans pass the file over."""
    source = f"# -*- coding: {codec} -*-\n".encode() + MINIFLOW
    with pytest.raises(SyntaxError):
        ast.parse(source)  # the control: Python's own parser refuses the file
    with pytest.raises(SyntaxError):
        parsed_bytes(source)
    assert bytecode.pyc(source, "miniflow.py") is None
    assert bytecode.pyc_files({"miniflow.py": source}) == {}
    scan_submission({"miniflow.py": source})  # no exception
    names_in({"miniflow.py": source})


# "주석" (comment) in EUC-KR: bytes that are no UTF-8, which the compiler leaves unread in a comment
EUC_KR_COMMENT = "# \uc8fc\uc11d\n".encode("euc-kr")


@pytest.mark.parametrize("where", ["first line", "second line", "middle"])
def test_a_comment_not_in_utf8_is_scanned_as_python_compiles_it(where: str) -> None:
    """A file without a coding line whose comment is EUC-KR (a Korean student's editor): Python compiles
    it (the control: ast.parse) and the student's process runs it, but the parent decoded it strictly first
    and took it for a file that cannot run: no scan at all, so a `ctypes` import beside such a comment went
    unflagged (sample hostile/scan_comment_not_utf8.py). Now the file is read as Python reads it: flagged,
    its pyc compiled."""
    attack = b"import ctypes\n"
    source = {
        "first line": EUC_KR_COMMENT + attack + MINIFLOW,
        "second line": attack + EUC_KR_COMMENT + MINIFLOW,
        "middle": attack + MINIFLOW + EUC_KR_COMMENT + b"x = 1\n",
    }[where]
    ast.parse(source)  # the control: Python's own parser accepts the file
    parsed_bytes(source)  # no SyntaxError
    line = 2 if where == "first line" else 1
    assert [(f.code, f.line) for f in scan_submission({"miniflow.py": source})] == [("native_code", line)]
    assert bytecode.pyc(source, "miniflow.py") is not None
    assert {"Input", "Linear", "Sigmoid", "MSE"} <= names_in({"miniflow.py": source})[0]


def test_a_string_not_in_utf8_is_refused_as_python_refuses_it() -> None:
    """Control: the same bytes in a string literal are decoded by the compiler, which refuses them; so does
    the parent (no pyc, no scan: the load failure tells the student to save the file as UTF-8)."""
    source = MINIFLOW + b"NOTE = '" + "\uc8fc\uc11d".encode("euc-kr") + b"'\n"
    with pytest.raises(SyntaxError):
        ast.parse(source)
    assert bytecode.pyc(source, "miniflow.py") is None
    assert scan_submission({"miniflow.py": source}) == ()


def test_a_coding_line_below_code_is_not_read_for_the_cost() -> None:
    """A cookie on line 2 counts only below a blank or comment line, as the compiler reads it: below code it
    was read (utf-16 here), the braces of a costly f-string decoded away (cost 0), and ast.parse then read
    the file as UTF-8 for seconds (review of session 18). Control: the same cookie below a comment line."""
    cut = b"x = 1\n# coding: utf-16\n# \xff\xfe comment\n" + _placeholders(60_000)
    assert [f.code for f in scan_submission({"notes.py": cut})] == ["not_scanned"]
    assert (
        parsed_bytes(b"x = 1\r# coding: latin-1\n# caf\xe9\n")
        == "x = 1\n# coding: latin-1\n# caf\ufffd\n".encode()
    )
    below_comment = b"# notes\n# coding: latin-1\n# caf\xe9\n"
    assert parsed_bytes(below_comment) == "# notes\n# coding: latin-1\n# caf\u00e9\n".encode()
