"""f-strings of Python 3.12 (PEP 701), written as the grader's Python 3.11 can run them.

Since Python 3.12 an f-string's braces may hold a backslash or a `#` inside a string of the expression:
DeZero's step-19 `__repr__` written `f"variable({str(self.data).replace('\\n', '\\n' + ' ' * 9)})"` runs on
the student's Python; 3.11 refuses the whole file ("f-string expression part cannot include a backslash"),
and a correct step 19 scored 0 of 61 (sample submissions/dezero/step19_fstring_backslash.py). `rewrite`
turns each f-string 3.11 refuses, as a token, into the expression it stands for, on the same lines:
`("".join(('variable(', '{0:{1}}'.format((str(self.data).replace('\\n', ...)), ''), ')')))`. An
f-string formats each field with its conversion and spec (`{x=}` adds its text and the repr), which is what
the `str.format` of a literal does: no name of the file (a student's own `format` or `repr`) is called. The
literal parts are written as the repr of the text they stand for, never copied: a raw f-string's text
ending in a backslash, or a triple-quoted one's ending in its quote, closed the string the rewrite made,
and the text after ran as code (review of session 18). What is built is parsed again and must have the
shape made: one part per piece, each field's format call given its value and its spec alone.

Not rewritten (Python's error and the hint of grader/inside/newer_syntax.py stand): an f-string nesting its
own quotes (`f"{d["a"]}"`, which 3.11's tokenizer splits), a comment or a line continuation inside braces,
and an f-string glued to another string literal (`"a" f"..."`: a call once rewritten).

Standard library only (runs in the student's process, and in the parent, which parses the same text).
"""

from __future__ import annotations

import ast
import io
import re
import tokenize

from . import astparse
from .pep695 import Rewritten, Use, apply_edits

_PREFIX = re.compile(r"^([A-Za-z]*)('''|\"\"\"|'|\")")
_CONVERSIONS = {"r": "!r", "s": "!s", "a": "!a"}
_CLOSE = {"(": ")", "[": "]", "{": "}"}


class _Unsupported(Exception):
    """An f-string this module does not rewrite: Python's own error stands."""


# The shape of a rewritten f-string, checked on its parse: None for a literal part, a field's spec's shape
# (itself a list of parts) for a field.
Shape = list["Shape | None"]
_NO_SPEC: Shape = []  # a field without a spec: formatted with ''


def rewrite(text: str) -> Rewritten | None:
    """`text` with each f-string token this Python refuses rewritten as its expression (a use of form
    `f-string` per f-string); None when there is none, or when one of them cannot be rewritten."""
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(text).readline))
    except (tokenize.TokenError, SyntaxError, ValueError):
        return None
    significant = [t for t in tokens if t.type not in (tokenize.NL, tokenize.COMMENT)]
    edits: list[tuple[tuple[int, int], tuple[int, int], str]] = []
    uses: list[Use] = []
    for i, tok in enumerate(significant):
        if tok.type != tokenize.STRING or "f" not in _prefix(tok.string).lower() or _accepted(tok.string):
            continue
        glued = any(
            0 <= j < len(significant) and significant[j].type == tokenize.STRING for j in (i - 1, i + 1)
        )
        if glued:
            return None
        try:
            replacement = _expression(tok.string)
        except (_Unsupported, IndexError, RecursionError, ValueError):  # hostile text: Python's error stands
            return None
        edits.append((tok.start, tok.end, replacement))
        uses.append(Use(tok.start[0], "f-string", ""))
    if not edits:
        return None
    lines = frozenset(line for start, end, _ in edits for line in range(start[0], end[0] + 1))
    return Rewritten(apply_edits(text, edits), tuple(uses), lines)


def _prefix(literal: str) -> str:
    found = _PREFIX.match(literal)
    return found.group(1) if found else ""


def _accepted(literal: str) -> bool:
    """Whether the parser takes the f-string as it is (ast.parse, as the parent reads a file: the compiler
    also refuses what no parse refuses, a `yield` outside a function, and both sides must agree)."""
    try:
        astparse.parse(literal, "<f-string>", "eval")
    except SyntaxError:
        return False
    except ValueError:  # a NUL byte: not this module's business
        return True
    return True


def _expression(literal: str) -> str:
    """The expression an f-string literal stands for."""
    found = _PREFIX.match(literal)
    if found is None:
        raise _Unsupported(literal)
    prefix, quote = found.groups()
    plain = prefix.replace("f", "").replace("F", "")
    body = literal[len(prefix) + len(quote) : len(literal) - len(quote)]
    expression, shape = _joined(body, plain, quote)
    try:
        tree = astparse.parse(expression, "<f-string>", "eval").body
    except SyntaxError:
        raise _Unsupported("not an expression once rewritten") from None
    if not _shaped(tree, shape):
        raise _Unsupported("a field's text reaches past its own part")
    return expression


def _joined(body: str, plain: str, quote: str) -> tuple[str, Shape]:
    parts: list[str] = []
    shape: Shape = []
    for kind, text, spec in _pieces(body, plain, quote):
        parts.append(_literal(text, plain) if kind == "text" else text)
        shape.append(spec)
    return '("".join((' + "".join(p + ", " for p in parts) + ")))", shape


def _literal(text: str, plain: str) -> str:
    """The repr of the text a literal part stands for: its escapes read as the f-string reads them (raw:
    none), its other characters as they are."""
    if "r" in plain.lower():
        return repr(text)
    return repr(text.encode("latin-1", "backslashreplace").decode("unicode_escape"))


def _shaped(node: ast.expr, shape: Shape) -> bool:
    """Whether `node` is `"".join((part, ...))` with exactly the parts of `shape`: a literal string for a
    literal part, `'{0...}'.format(value, spec)` for a field, its spec again of its own shape."""
    if not (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "join"
        and isinstance(node.func.value, ast.Constant)
        and node.func.value.value == ""
        and len(node.args) == 1
        and not node.keywords
        and isinstance(node.args[0], ast.Tuple)
        and len(node.args[0].elts) == len(shape)
    ):
        return False
    for part, spec in zip(node.args[0].elts, shape, strict=True):
        if spec is None:
            if not (isinstance(part, ast.Constant) and isinstance(part.value, str)):
                return False
        elif not (
            isinstance(part, ast.Call)
            and isinstance(part.func, ast.Attribute)
            and part.func.attr == "format"
            and isinstance(part.func.value, ast.Constant)
            and isinstance(part.func.value.value, str)
            and len(part.args) == 2
            and not part.keywords
            and _spec_shaped(part.args[1], spec)
        ):
            return False
    return True


def _spec_shaped(node: ast.expr, spec: Shape) -> bool:
    if spec is _NO_SPEC:
        return isinstance(node, ast.Constant) and node.value == ""
    return _shaped(node, spec)


def _pieces(body: str, plain: str, quote: str) -> list[tuple[str, str, Shape | None]]:
    """("text", literal text as written, None) and ("field", the expression of a replacement field, its
    spec's shape), in order."""
    out: list[tuple[str, str, Shape | None]] = []
    text: list[str] = []
    i = 0
    while i < len(body):
        ch = body[i]
        if ch in "{}" and body[i : i + 2] in ("{{", "}}"):
            text.append(ch)
            i += 2
        elif ch == "}":
            raise _Unsupported("a single '}'")
        elif ch == "{":
            if text:
                out.append(("text", "".join(text), None))
                text = []
            field, i = _field(body, i + 1, plain, quote)
            out.extend(field)
        else:
            if ch == "\\" and "r" not in plain.lower() and i + 1 < len(body):
                # an escape of the literal, kept whole: \N{NAME} holds braces that open no field
                end = body.find("}", i) + 1 if body[i + 1] == "N" and body[i + 2 : i + 3] == "{" else i + 2
                if end <= i:
                    raise _Unsupported("an unclosed \\N{...} escape")
                text.append(body[i:end])
                i = end
                continue
            text.append(ch)
            i += 1
    if text:
        out.append(("text", "".join(text), None))
    return out


def _field(body: str, i: int, plain: str, quote: str) -> tuple[list[tuple[str, str, Shape | None]], int]:
    """The pieces of the replacement field starting at body[i] (after its `{`) and the index after its `}`."""
    start = i
    depth: list[str] = []
    while i < len(body):
        ch = body[i]
        if ch in "'\"":
            i = _skip_string(body, i)
            continue
        if ch == "#" or ch == "\\":
            raise _Unsupported("a comment or a line continuation inside braces")
        if ch in _CLOSE:
            depth.append(_CLOSE[ch])
        elif depth and ch == depth[-1]:
            depth.pop()
        elif not depth and _ends_expression(body, i):
            break
        i += 1
    else:
        raise _Unsupported("an unclosed field")
    expression = body[start:i]
    if not expression.strip():
        raise _Unsupported("an empty field")
    pieces: list[tuple[str, str, Shape | None]] = []
    debug = body[i] == "="
    if debug:
        pieces.append(("text", _escaped(body[start : i + 1], plain, quote), None))
        i += 1
    conversion = ""
    if body[i] == "!":
        conversion = _CONVERSIONS.get(body[i + 1 : i + 2], "")
        if not conversion:
            raise _Unsupported("an unknown conversion")
        i += 2
    spec, spec_shape, has_spec = '""', _NO_SPEC, body[i] == ":"
    if has_spec:
        spec, spec_shape, i = _spec(body, i + 1, plain, quote)
    if body[i] != "}":
        raise _Unsupported("a field not closed where expected")
    if debug and not conversion and not has_spec:  # `{x=}` is the repr, unless told otherwise
        conversion = "!r"
    # a literal's own method, which no name of the file can shadow
    pieces.append(("field", f"'{{0{conversion}:{{1}}}}'.format(({expression}), {spec})", spec_shape))
    return pieces, i + 1


def _ends_expression(body: str, i: int) -> bool:
    """Whether body[i], outside brackets, ends a field's expression: `}`, a format spec's `:`, a conversion's
    `!` (not `!=`) or the `=` of `{x=}` (not `==`, `!=`, `<=`, `>=`)."""
    ch, after = body[i], body[i + 1 : i + 2]
    if ch in "}:":
        return True
    if ch == "!":
        return after != "="
    return ch == "=" and after != "=" and body[i - 1] not in "=!<>"


def _spec(body: str, i: int, plain: str, quote: str) -> tuple[str, Shape, int]:
    """The format spec from body[i] to its field's closing `}` (nested fields allowed), as an expression."""
    start = i
    level = 0
    while i < len(body):
        if body[i] == "{":
            level += 1
        elif body[i] == "}":
            if level == 0:
                break
            level -= 1
        i += 1
    else:
        raise _Unsupported("an unclosed format spec")
    expression, shape = _joined(body[start:i], plain, quote)
    return expression, shape, i


def _escaped(text: str, plain: str, quote: str) -> str:
    """`text` (a field's own source, for `{x=}`) as the text of a literal part: written out as it is."""
    if "\\" in text:  # read as an escape by `_literal`, which a field's source text never is
        raise _Unsupported("a debug field holding a backslash")
    return text


def _skip_string(body: str, i: int) -> int:
    """The index after the string literal of the expression starting at body[i] (a quote)."""
    q = body[i]
    triple = body[i : i + 3] == q * 3
    end = q * 3 if triple else q
    j = i + len(end)
    while j < len(body):
        if body[j] == "\\":
            j += 2
            continue
        if body.startswith(end, j):
            return j + len(end)
        j += 1
    raise _Unsupported("an unclosed string inside braces")
