"""Syntax of a newer Python than the grader's, said as such.

Since Python 3.12 (PEP 701) an f-string's braces may hold a backslash, a `#` or the string's own quotes:
DeZero's step-19 `__repr__` written `f"variable({str(self.data).replace('\\n', '\\n' + ' ' * 9)})"` runs on
the student's Python. The grader's Python (3.11) refuses the file with "f-string expression part cannot
include a backslash" (or, for the quotes, "unexpected character after line continuation character",
"f-string: unmatched '['", ...), which reads as the student's typo (sample
submissions/dezero/step19_fstring_backslash.py). `hint` returns one clause naming the newer syntax and the
way to write it for both, or None. It reads Python's message and the refused line only (text).

Likewise Python 3.12's type parameter syntax (PEP 695: `type Array = np.ndarray`, `def as_array[T](x: T)`,
`class Function[V: Variable]:`), refused as "invalid syntax" or "expected '('". Since session 18 the loader
runs a file of either as written for 3.11 (grader/inside/newer_python.py); these hints are for what it does
not rewrite (an f-string nesting its own quotes, a comment inside braces) and for a file still refused
after the rewrite, whose first error Python reports at the newer line.

Standard library only (runs in the student's process).
"""

from __future__ import annotations

import re
import sys

# Python 3.11's own words for the two PEP 701 forms it names.
_NAMED = {
    "f-string expression part cannot include a backslash": "a backslash",
    "f-string expression part cannot include '#'": "a #",
}
# An f-string opened with one quote whose braces hold the same quote before they close: `f"{d["a"]}"`.
_SAME_QUOTE = re.compile(r"""(?<![A-Za-z0-9_])[rR]?[fF][rR]?(["'])[^"'\n{]*\{[^}\n]*?\1""")
# PEP 695: a type alias statement, and a def or class with type parameters in brackets after its name.
# (the value greedy, stripped when read: a lazy one before `\s*` backtracked quadratically on a line of
# spaces, seconds of the student's load; review of session 18)
_ALIAS = re.compile(r"^\s*type\s+([A-Za-z_]\w*)\s*(?:\[[^=]*\])?\s*=\s*([^#]*)(?:#.*)?$")
_GENERIC = re.compile(r"^\s*((?:async\s+)?(?:def|class)\s+[A-Za-z_]\w*)\s*\[.*?\]\s*([(:].*)$")


def hint(message: str, line: str) -> str | None:
    """What newer syntax the refused `line` uses and how to write it for Python 3.11; None otherwise."""
    if sys.version_info >= (3, 12):
        return None  # this Python reads PEP 701 f-strings: its refusal is about something else
    generic = _type_parameters(line or "")
    if generic is not None:
        return generic
    what = _NAMED.get(message or "")
    if what is None and _SAME_QUOTE.search(line or ""):
        what = "the string's own quotes"
    if what is None:
        return None
    ours = f"{sys.version_info.major}.{sys.version_info.minor}"
    return (
        f"the f-string holds {what} inside its braces, which Python 3.12 and later accept (PEP 701) but the "
        f"grader's Python {ours} does not: compute that part on a line of its own before the f-string (or "
        "use the other kind of quotes inside), and it runs on both"
    )


def _type_parameters(line: str) -> str | None:
    """The PEP 695 hint for `line`, with the line as Python 3.11 reads it; None for a line without it."""
    alias, generic = _ALIAS.match(line), _GENERIC.match(line)
    if alias is not None and alias.group(2).strip():
        written = f"`{alias.group(1)} = {alias.group(2).strip()}` (a plain assignment)"
    elif generic is not None:
        written = (
            f"`{generic.group(1)}{generic.group(2).rstrip()}` with each type parameter made above it "
            "(`T = TypeVar('T')`, from typing)"
        )
    else:
        return None
    ours = f"{sys.version_info.major}.{sys.version_info.minor}"
    return (
        f"the line uses the type parameter syntax of Python 3.12 and later (PEP 695), which the grader's "
        f"Python {ours} cannot read: write {written}, and it runs on both"
    )
