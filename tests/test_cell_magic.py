"""A cell's first line read as IPython reads a cell magic, checked against the standard library's shlex."""

from __future__ import annotations

import shlex

from hypothesis import given
from hypothesis import strategies as st

from grader.cell_magic import MAX_LINE_CHARS, CellMagic, WriteFile, arguments, cell_magic, writefile


def _arg_split(line: str) -> list[str] | None:
    """IPython's arg_split on POSIX (IPython.utils._process_common, strict): shlex, posix=False."""
    lex = shlex.shlex(line, posix=False)
    lex.whitespace_split = True
    lex.commenters = ""
    try:
        return list(lex)
    except ValueError:  # No closing quotation
        return None


@given(st.text(alphabet=" \t\"'-a.py#\\x", max_size=30))
def test_arguments_split_as_ipythons_arg_split(line: str) -> None:
    """Every line over the characters that matter splits into shlex's tokens, or fails where shlex does."""
    assert arguments(line) == _arg_split(line)


def test_the_magic_and_its_line_with_ipythons_alias() -> None:
    """`%%file` is IPython's alias of %%writefile; a cell that does not start with %% starts no magic."""
    assert cell_magic("%%file a.py") == CellMagic("writefile", " a.py")
    assert cell_magic("  %%time") == CellMagic("time", "")
    assert cell_magic("%%") == CellMagic("", "")
    assert cell_magic("x = 1  # %%file a.py") is None


def test_writefile_reads_options_and_names_as_argparse_does() -> None:
    """-a, -aa and a prefix of --append append; a token like a negative number is a name; anything else
    starting with - is an unknown option (nothing written), as are two names or none."""
    assert writefile("-aa x.py") == WriteFile("x.py", True)
    assert writefile("--ap x.py") == WriteFile("x.py", True)
    assert writefile("-1") == WriteFile("-1", False)
    assert writefile("./x.py") == WriteFile("x.py", False)
    assert writefile("\"'q.py'\"") == WriteFile("'q.py'", False)  # one pair of quotes stripped, as IPython
    for refused in ("--append=x.py x.py", "-ax.py", "--b x.py", "- x.py", "x.py y.py", "", "'x.py"):
        assert writefile(refused) is None, refused
    assert writefile("-") == WriteFile("-", False)


def test_a_line_past_the_cap_writes_nothing_and_one_within_it_is_read() -> None:
    """A line over MAX_LINE_CHARS (blanks or -a again and again: a name Jupyter writes is at most 4,096
    bytes) is not read: 8 MiB of `-a ` cost ~2 s and 160 MiB. Control: the same line at the cap is read."""
    padded = "-a" + " " * (MAX_LINE_CHARS - len("-ax.py")) + "x.py"
    assert len(padded) == MAX_LINE_CHARS and writefile(padded) == WriteFile("x.py", True)
    assert writefile(" " + padded) is None
    assert writefile("-a " * 2_800_000 + "x.py") is None


def test_trailing_blanks_are_stripped_before_the_cap() -> None:
    """IPython strips the magic line's trailing blanks (`lines[0][2:].rstrip()`): 20,000 of them after
    `%%writefile x.py` wrote x.py in Jupyter and nothing here (review of s25-huntin, finding 1)."""
    magic = cell_magic("%%writefile x.py" + " " * 20_000)
    assert magic is not None and writefile(magic.line) == WriteFile("x.py", False)
