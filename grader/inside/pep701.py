"""f-strings of Python 3.12 (PEP 701), written as the grader's Python 3.11 can run them.

Since Python 3.12 an f-string's braces may hold a backslash or a `#` inside a string of the expression:
DeZero's step-19 `__repr__` written `f"variable({str(self.data).replace('\\n', '\\n' + ' ' * 9)})"` runs on
the student's Python; 3.11 refuses the whole file ("f-string expression part cannot include a backslash"),
and a correct step 19 scored 0 of 61 (sample submissions/dezero/step19_fstring_backslash.py). `rewrite`
turns each f-string 3.11 refuses, as a token, into the expression it stands for, on the same lines:
`("".join(("variable(", format((str(self.data).replace('\\n', ...)), ""), ")")))`. An f-string calls
`format(value, spec)` on each field (`!r`, `!s`, `!a` first apply repr, str, ascii; `{x=}` adds its text
and the repr), which is what the expression calls. The literal parts keep the f-string's own prefix and
quotes, so their escapes mean what they meant.

Not rewritten (Python's error and the hint of grader/inside/newer_syntax.py stand): an f-string nesting its
own quotes (`f"{d["a"]}"`, which 3.11's tokenizer splits), a comment or a line continuation inside braces,
and an f-string glued to another string literal (`"a" f"..."`: a call once rewritten).

Standard library only (runs in the student's process, and in the parent, which parses the same text).
"""

from __future__ import annotations

import io
import re
import tokenize

from .pep695 import Rewritten, Use, apply_edits

_PREFIX = re.compile(r"^([A-Za-z]*)('''|\"\"\"|'|\")")
_CONVERSIONS = {"r": "repr", "s": "str", "a": "ascii"}
_CLOSE = {"(": ")", "[": "]", "{": "}"}


class _Unsupported(Exception):
    """An f-string this module does not rewrite: Python's own error stands."""


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
        except _Unsupported:
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
    try:
        compile(literal, "<f-string>", "eval", dont_inherit=True)
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
    return _joined(body, plain, quote)


def _joined(body: str, plain: str, quote: str) -> str:
    parts = [
        _literal(text, plain, quote) if kind == "text" else text for kind, text in _pieces(body, plain, quote)
    ]
    return '("".join((' + "".join(p + ", " for p in parts) + ")))"


def _literal(text: str, plain: str, quote: str) -> str:
    return f"{plain}{quote}{text}{quote}"


def _pieces(body: str, plain: str, quote: str) -> list[tuple[str, str]]:
    """("text", literal text as written) and ("field", the expression of a replacement field), in order."""
    out: list[tuple[str, str]] = []
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
                out.append(("text", "".join(text)))
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
        out.append(("text", "".join(text)))
    return out


def _field(body: str, i: int, plain: str, quote: str) -> tuple[list[tuple[str, str]], int]:
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
    pieces: list[tuple[str, str]] = []
    debug = body[i] == "="
    if debug:
        pieces.append(("text", _escaped(body[start : i + 1], plain, quote)))
        i += 1
    conversion = None
    if body[i] == "!":
        conversion = _CONVERSIONS.get(body[i + 1 : i + 2])
        if conversion is None:
            raise _Unsupported("an unknown conversion")
        i += 2
    spec = '""'
    if body[i] == ":":
        spec, i = _spec(body, i + 1, plain, quote)
    if body[i] != "}":
        raise _Unsupported("a field not closed where expected")
    if debug and conversion is None and spec == '""':
        conversion = "repr"
    value = f"({expression})" if conversion is None else f"{conversion}(({expression}))"
    pieces.append(("field", f"format({value}, {spec})"))
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


def _spec(body: str, i: int, plain: str, quote: str) -> tuple[str, int]:
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
    return _joined(body[start:i], plain, quote), i


def _escaped(text: str, plain: str, quote: str) -> str:
    """`text` (a field's own source, for `{x=}`) as a literal part of a string of this prefix and quote."""
    if "r" in plain.lower() or "\\" in text or quote[0] in text:
        raise _Unsupported("a debug field holding a quote or a backslash")
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
