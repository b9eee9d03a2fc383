"""A cell's first line read as IPython reads a cell magic, checked against the standard library's shlex."""

from __future__ import annotations

import shlex

from hypothesis import given
from hypothesis import strategies as st

from grader.cell_magic import CellMagic, WriteFile, arguments, cell_magic, writefile


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


def test_a_line_of_a_megabyte_is_read() -> None:
    """No length cap is needed: the line is read in one pass (shlex took ~6 s; bench.parent_parse)."""
    assert writefile("-a " + " " * 1_000_000 + "x.py") == WriteFile("x.py", True)
    assert writefile('"' + "a" * 1_000_000) is None
