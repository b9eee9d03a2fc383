"""Type parameter syntax of Python 3.12 (PEP 695), written as the grader's Python 3.11 can run it.

A student on Python 3.12 or later who types their DeZero writes `type Array = np.ndarray`, `def
as_array[T](x: T) -> T:` or `class Function[V: Variable]:`. Python 3.11 refuses the whole file ("invalid
syntax" at the `type` line), so a correct file scored 0 with nothing said of why (session 18's candidate).
`rewrite` gives the same program in the syntax 3.11 has, each line where it was:

- `type X[T] = value` becomes `X = lambda: (value)`: an alias is evaluated only when asked for (its
  `__value__`) on 3.12 too, and annotations naming it are never evaluated here (grader/inside/
  lazy_annotations.py), so a value naming a class defined further down still loads;
- `def f[T](...)` and `class C[T](...)` lose their brackets: the parameters appear in annotations only,
  which are never evaluated. A body that uses `T` itself at run time (rare) meets a NameError at that line.

It is used only on a file (or notebook cell) Python 3.11 refused (grader/inside/newer_python.py, with the
f-strings of grader/inside/pep701.py): code 3.11 runs is never changed. The
parent says where the code uses the syntax and what to write for 3.11 (grader/newer_syntax_notes.py);
a file still refused after the rewrite keeps Python's first error, with the hint of
grader/inside/newer_syntax.py.

Standard library only (runs in the student's process, and in the parent, which parses the same text).
"""

from __future__ import annotations

import io
import itertools
import keyword
import sys
import tokenize
from dataclasses import dataclass

_OPEN = {"(": ")", "[": "]", "{": "}"}
_STARTS = frozenset({tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT})
_SKIPPED = frozenset({tokenize.NL, tokenize.COMMENT})


@dataclass(frozen=True)
class Use:
    """One use of the syntax: its line, the form (`type`, `def`, `class`) and the name it defines."""

    line: int
    form: str
    name: str


@dataclass(frozen=True)
class Rewritten:
    text: str
    uses: tuple[Use, ...]
    lines: frozenset[int]  # the lines an edit changed: an error on any other is the student's own


def rewrite(source: str) -> Rewritten | None:
    """`source` with every PEP 695 form written for Python 3.11, or None when it has none (or cannot be
    read as tokens). Line numbers are kept; only the lines using the syntax change."""
    if sys.version_info >= (3, 12):
        return None  # this Python runs the syntax itself
    text = source.replace("\r\n", "\n").replace("\r", "\n")  # the line breaks compile() reads
    try:
        tokens = [t for t in tokenize.generate_tokens(io.StringIO(text).readline) if t.type not in _SKIPPED]
    except (tokenize.TokenError, SyntaxError, ValueError):
        return None
    edits: list[tuple[tuple[int, int], tuple[int, int], str]] = []  # (start, end, replacement)
    uses: list[Use] = []
    closing = _pairs(tokens)
    at_start = True
    for i, tok in enumerate(tokens):
        starts_statement = at_start
        at_start = tok.type in _STARTS or (tok.type == tokenize.OP and tok.string == ";")
        if tok.type != tokenize.NAME or i + 2 >= len(tokens) or not _is_name(tokens[i + 1]):
            continue
        name, after = tokens[i + 1], tokens[i + 2]
        if tok.string in ("def", "class") and _is_op(after, "["):
            close = closing.get(i + 2)
            if close is None:
                return None
            edits.append((after.start, tokens[close].end, ""))
            uses.append(Use(tok.start[0], tok.string, name.string))
        elif tok.string == "type" and starts_statement and (_is_op(after, "[") or _is_op(after, "=")):
            equals = i + 2
            if _is_op(after, "["):
                close = closing.get(i + 2)
                if close is None or close + 1 >= len(tokens) or not _is_op(tokens[close + 1], "="):
                    continue
                edits.append((after.start, tokens[close].end, ""))
                equals = close + 1
            last = _statement_end(tokens, equals + 1)
            if last is None:
                return None
            edits.append((tok.start, name.start, ""))
            edits.append((tokens[equals].start, tokens[equals].end, "= lambda: ("))
            edits.append((tokens[last].end, tokens[last].end, ")"))
            uses.append(Use(tok.start[0], "type", name.string))
    if not uses:
        return None
    ordered = sorted(edits)
    if any(later[0] < earlier[1] for earlier, later in itertools.pairwise(ordered)):
        return None  # a form inside another's brackets (`def A[def B[...]]`): no program, Python's error
    changed = frozenset(line for start, end, _ in edits for line in range(start[0], end[0] + 1))
    return Rewritten(apply_edits(text, edits), tuple(uses), changed)


def _is_name(tok: tokenize.TokenInfo) -> bool:
    return tok.type == tokenize.NAME and not keyword.iskeyword(tok.string)


def _is_op(tok: tokenize.TokenInfo, string: str) -> bool:
    return tok.type == tokenize.OP and tok.string == string


def _pairs(tokens: list[tokenize.TokenInfo]) -> dict[int, int]:
    """Opening bracket's index -> its closing bracket's, found in one pass (a search from each `def A[`
    to its bracket was quadratic: 56 KB of them cost 8 s, review of session 18). A bracket closed by the
    wrong kind has none."""
    found: dict[int, int] = {}
    stack: list[tuple[int, str]] = []
    for j, tok in enumerate(tokens):
        if tok.type != tokenize.OP:
            continue
        if tok.string in _OPEN:
            stack.append((j, _OPEN[tok.string]))
        elif tok.string in _OPEN.values():
            if not stack or stack[-1][1] != tok.string:
                stack.clear()  # mismatched: nothing open before it is closed as written
                continue
            found[stack.pop()[0]] = j
    return found


def _statement_end(tokens: list[tokenize.TokenInfo], at: int) -> int | None:
    """The index of the last token of the statement whose value starts at `at`: before its NEWLINE (or a
    `;` outside brackets). None for an empty value."""
    depth = 0
    last = None
    for j in range(at, len(tokens)):
        tok = tokens[j]
        if tok.type in (tokenize.NEWLINE, tokenize.ENDMARKER) or (depth == 0 and _is_op(tok, ";")):
            break
        if tok.type == tokenize.OP and tok.string in _OPEN:
            depth += 1
        elif tok.type == tokenize.OP and tok.string in _OPEN.values():
            depth -= 1
        last = j
    return last


def apply_edits(text: str, edits: list[tuple[tuple[int, int], tuple[int, int], str]]) -> str:
    """The edits (none overlapping), given as (line, column) positions of tokenize, in one pass: linear in
    the text whatever the number of edits (a string rebuilt per edit was quadratic on a file of many)."""
    starts = [0]
    for line in text.split("\n"):
        starts.append(starts[-1] + len(line) + 1)
    out: list[str] = []
    at = 0
    for (sl, sc), (el, ec), replacement in sorted(edits):
        begin, end = starts[sl - 1] + sc, starts[el - 1] + ec
        out += (text[at:begin], replacement)
        at = end
    out.append(text[at:])
    return "".join(out)
