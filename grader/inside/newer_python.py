"""A file of the submission that only a newer Python reads, read as the same program written for this one.

Python 3.12's type parameters (grader/inside/pep695.py) and its f-strings (grader/inside/pep701.py): each
rewrite keeps the line numbers and is tried only on a source this Python refuses, so code it runs is never
changed. Used wherever the submission's source is compiled (grader/inside/lazy_annotations.py, in the
student's process) or parsed (grader/pyparse.py, in the parent), so both read one program.

Standard library only.
"""

from __future__ import annotations

import bisect
import importlib.util
import re
from collections.abc import Callable
from typing import TypeVar

from . import astparse, pep695, pep701
from .pep695 import Rewritten

T = TypeVar("T")

# What a rewrite needs to find, searched for first: `type NAME` at the start of a line, `def` or `class
# NAME[`, a `{` followed on its line by a backslash or a `#` before any brace, in a line holding an f-string's
# quote before it (or below a triple-quoted f-string's). Python's tokenizer, which the rewrites run on, costs
# about 20 microseconds a line: without this every file with a syntax error paid it, in each of the parent's
# readers and in the student's process, and the parent's note read every file. Each pattern starts with a
# literal, which the regex engine scans for quickly (a leading character class or alternation tried every
# position: 10 ms for 100 KB, now 3 ms).
_ALIAS = re.compile(r"^[ \t]*type[ \t]+[A-Za-z_]", re.MULTILINE)
_GENERIC = (re.compile(r"def[ \t]+[A-Za-z_]\w*[ \t]*\["), re.compile(r"class[ \t]+[A-Za-z_]\w*[ \t]*\["))
_FIELD = re.compile(r"\{[^{}\n]*[\\#]")
_FSTRING = re.compile(r"[fF][rR]?[\"']")
_TRIPLE = re.compile(r"[fF][rR]?(?:\"\"\"|''')")  # an f-string whose field may sit on a later line
_TRIPLE_SCAN = 4000  # characters looked back for one, from a field found


def worth_trying(text: str) -> bool:
    """Whether `text` may hold a form a rewrite takes (a false hit only costs the rewrite's tokenizing).
    Linear in the text: each line is searched for an f-string's quote once, however many fields it holds
    (searched again from the line's start for each, 233 KB of `{#` on one line cost the parent 42 s)."""
    if _ALIAS.search(text) is not None or any(pattern.search(text) is not None for pattern in _GENERIC):
        return True
    triples: list[int] | None = None  # where triple-quoted f-strings start, found once if ever needed
    line_end, searched, quoted = -1, 0, False
    for found in _FIELD.finditer(text):
        if found.start() >= line_end:  # a new line: below a triple-quoted f-string's start?
            searched = text.rfind("\n", 0, found.start()) + 1
            line_end = text.find("\n", found.start()) % (len(text) + 1)  # -1 (the last line): its end
            triples = triples if triples is not None else [m.start() for m in _TRIPLE.finditer(text)]
            at = bisect.bisect_left(triples, max(0, searched - _TRIPLE_SCAN))
            quoted = at < len(triples) and triples[at] < searched
        if not quoted:  # an f-string's quote before this field: searched from where the last search ended
            quoted = _FSTRING.search(text, searched, found.start()) is not None
            searched = found.start()
        if quoted:
            return True
    return False


def rewrite(text: str) -> Rewritten | None:
    """`text` with every form a newer Python reads written for this one, or None when it has none."""
    if not worth_trying(text):
        return None
    # the line breaks compile() reads, for both rewrites: the tokenizer alone counts no lone CR
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    forms = pep695.rewrite(text)
    fstrings = pep701.rewrite(forms.text if forms is not None else text)
    if fstrings is None:
        return forms
    if forms is None:
        return fstrings
    return Rewritten(fstrings.text, forms.uses + fstrings.uses, forms.lines | fstrings.lines)


def rewrite_source(source: str | bytes) -> Rewritten | None:
    """`rewrite` of a file's source as compile() reads it (bytes decoded by their coding line or BOM); None
    also where a rewrite fails on hostile text in a way it did not foresee (Python's own error then stands,
    never the grader's)."""
    try:
        text = importlib.util.decode_source(source) if isinstance(source, bytes) else source
        return rewrite(text)
    except (SyntaxError, UnicodeError, LookupError):
        return None
    except Exception:  # an index past a field's end, a recursion of nested specs: the student's syntax error
        return None


def read(source: str | bytes, reader: Callable[[str | bytes], T], *, parses: bool = False) -> T:
    """`reader(source)` (compile, ast.parse: `parses`); for a source it refuses (SyntaxError) written for a
    newer Python, the reader's result on the source written for this one. Still refused there: on a line the
    rewrite left alone, that error (the student's own mistake, where Python 3.12 reports it too), else the
    first one. Only a source the parser refuses is rewritten, whoever reads it: the compiler refuses more
    (`yield` outside a function), and a file the compiler alone refused was rewritten in the student's
    process and read as written in the parent, whose scan then never saw what ran (review of session 18)."""
    try:
        return reader(source)
    except SyntaxError as refused:
        if not parses and parses_as_written(source):
            raise
        rewritten = rewrite_source(source)
        if rewritten is None:
            raise
        try:
            return reader(rewritten.text)
        except SyntaxError as still:
            if still.lineno is not None and still.lineno not in rewritten.lines:
                raise still from None
            raise refused from None


def parses_as_written(source: str | bytes) -> bool:
    """Whether the parser takes the source as it is (then no rewrite is made of it, by either process)."""
    try:
        astparse.parse(source)
    except (SyntaxError, ValueError):
        return False
    except (RecursionError, MemoryError):  # too deep to parse: no rewrite makes it any shallower
        return True
    return True
