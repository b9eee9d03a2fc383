"""A notebook cell's first line read as IPython reads a cell magic: its name, and for `%%writefile` (and its
alias `%%file`) the file it writes.

IPython parses `%%writefile`'s line with `arg_split` (shlex, posix=False, whitespace_split: a quoted name
keeps its quotes, which `writefile` then strips: `%%writefile "my layers.py"` writes `my layers.py`) and
argparse (`-a`/`--append`, one file name). A line argparse refuses writes nothing in Jupyter (a UsageError),
so it writes nothing here either. Read in one linear pass, and at most MAX_LINE_CHARS of it: `shlex.split` on
a 1 MB line costs about 6 s of the parent's CPU, before any sandbox.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# The longest %%writefile line read. A name Jupyter can write is at most PATH_MAX (4,096 bytes) on Linux; a
# longer line is blanks or `-a` said again and again, which nobody writes: past it, the line is taken to write
# nothing (a difference from Jupyter no honest notebook meets). Without it, 8 MiB of `-a -a ...` (a
# submission's code is capped at 8 MiB) cost the parent ~2 s and 160 MiB of tokens.
MAX_LINE_CHARS = 16 * 1024

# IPython's own aliases of cell magics (InteractiveShell.init_magics: register_alias('file', 'writefile'))
ALIASES = {"file": "writefile"}

# shlex in posix=False mode with whitespace_split: a token that starts with a quote runs to the same quote
# and ends there; any other token runs to the next blank (quotes inside it are kept). A quote left open is
# shlex's "No closing quotation". Only these four characters are shlex's blanks.
_TOKEN = re.compile(r"\"[^\"]*\"|'[^']*'|[\"']|[^ \t\r\n\"'][^ \t\r\n]*")
_UNCLOSED = ('"', "'")
# writefile's own step after argparse: `re.match(r'^(\'.*\')|(".*")$', filename)` then filename[1:-1]
# argparse reads a token like a negative number as a value, not an option (its _negative_number_matcher)
_NEGATIVE_NUMBER = re.compile(r"^-\d+$|^-\d*\.\d+$")
_QUOTED = re.compile(r"^('.*')|(\".*\")$", re.DOTALL)


@dataclass(frozen=True)
class CellMagic:
    """A cell's `%%name line`: `name` with IPython's aliases resolved, `line` the rest of the first line."""

    name: str
    line: str


@dataclass(frozen=True)
class WriteFile:
    """What a `%%writefile` cell does: write (or with -a, append) its body to `target`, as typed."""

    target: str
    append: bool


def cell_magic(first: str) -> CellMagic | None:
    """The cell magic a cell's first non-blank line starts, or None when it starts none."""
    text = first.lstrip()
    if not text.startswith("%%"):
        return None
    text = text[2:].lstrip()
    name = text.split(maxsplit=1)[0] if text.strip() else ""  # a bare `%%`: no such magic, as IPython says
    # IPython strips the line's trailing blanks (`lines[0][2:].rstrip()`) before reading it: stripped here
    # before any cap, or 20,000 trailing blanks hid `%%writefile grader.toml` (review of s25-huntin, 1)
    return CellMagic(ALIASES.get(name, name), text[len(name) :].rstrip())


# What IPython strips before it looks for a cell magic: leading blank lines, a prompt (`>>> `, `... `,
# `In [1]: `, `...: `) and the cell's common indent. A first line that may be a `%%writefile`/`%%file` once
# they are stripped, its line ended as IPython ends it (str.splitlines: \x0c, \r, \u2028 too).
_MAYBE_WRITEFILE = re.compile(r"(?:\s|>>>|\.{3,}:?|In \[\d*\]:)*+%%\s*(?:writefile|file)(?:\s|$)")


def ipython_first_line(cell: str) -> str:
    """The cell's first non-blank line as IPython splits a cell (str.splitlines), prompts and indent kept."""
    return next((line for line in cell.splitlines() if line.strip()), "")


def may_write(first: str) -> bool:
    """Whether IPython may read `first` (ipython_first_line) as a `%%writefile`/`%%file` line."""
    return _MAYBE_WRITEFILE.match(first) is not None


def arguments(line: str) -> list[str] | None:
    """`line` split as IPython's arg_split splits it, or None where shlex raises (a quote left open)."""
    tokens = _TOKEN.findall(line)
    return None if any(t in _UNCLOSED for t in tokens) else tokens


def writefile(line: str) -> WriteFile | None:
    """The file a `%%writefile LINE` cell writes, or None where IPython writes none (argparse's usage error:
    no name, two names, an unknown option; or an unclosed quote), and for a line over MAX_LINE_CHARS."""
    tokens = arguments(line) if len(line) <= MAX_LINE_CHARS else None
    if tokens is None:
        return None
    names: list[str] = []
    append = False
    options = True
    for token in tokens:
        if options and token == "--":
            options = False
        elif options and token.startswith("--"):
            if len(token) < 3 or not "--append".startswith(token):  # argparse takes any unique prefix
                return None
            append = True
        elif options and token.startswith("-") and len(token) > 1 and not _NEGATIVE_NUMBER.match(token):
            if token.rstrip("a") != "-":  # -a, or -aa: -a given twice
                return None
            append = True
        else:
            names.append(token)
    if len(names) != 1:
        return None
    name = names[0]
    if _QUOTED.match(name):
        name = name[1:-1]
    return WriteFile(name.removeprefix("./"), append) if name else None
