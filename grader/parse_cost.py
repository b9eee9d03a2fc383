"""What parsing a student's file would cost the parent, bounded before it is parsed or compiled.

CPython 3.11 finds where each expression of an f-string stands by searching its literal again, so one
literal of n bytes with k placeholders costs about n * k: a 240 KB file holding one f-string of 80,000
`{0}` took `ast.parse` 17 s, and the parent parses a submission's files for the static scan, the stage scan
and the defined names, one parse at a time under one lock for every lane of a batch (grader/pyparse.py). A
1-MiB budget of such files was over a minute of the parent's CPU per submission.

`fstring_cost` over-estimates that work from the bytes alone (every place an f-string may start whose
literal, read with its escapes, is closed); a file over `MAX_FSTRING_COST` is not parsed in the
parent (`CostlyToParse`): its readers treat it as a file too large to parse. Real f-strings, a few
placeholders in a line, cost thousands; an HTML template of 20 KB with 500 placeholders costs 10 million.
"""

from __future__ import annotations

import importlib.util
import re

# Of the order of 0.05 s of parsing, far above any real file.
MAX_FSTRING_COST = 100_000_000
# Reading literals is linear in the bytes read: past this many per byte of source (overlapping guesses, an
# f-string prefix repeated inside a long string), the file is costly without reading further.
_MAX_READ_FACTOR = 8

# Where an f-string may start: its prefix (f, rf, fr in any case) right before a quote, not inside a word.
_START = re.compile(rb"(?<![\w])(?:[fF][rR]?|[rR][fF])('''|\"\"\"|'|\")")
# The rest of a literal opened by each quote: escapes skipped whole (a backslash and the next byte), a
# one-quote literal ended by a line break as Python ends it.
_REST = {
    b"'": re.compile(rb"(?:[^'\\\n]|\\.)*", re.DOTALL),
    b'"': re.compile(rb'(?:[^"\\\n]|\\.)*', re.DOTALL),
    b"'''": re.compile(rb"(?:[^'\\]|\\.|'(?!''))*", re.DOTALL),
    b'"""': re.compile(rb'(?:[^"\\]|\\.|"(?!""))*', re.DOTALL),
}


class CostlyToParse(Exception):
    """The file would cost the parent more to parse than any real file (`fstring_cost`)."""


def fstring_cost(source: bytes) -> int:
    """An upper bound of the f-string work of parsing `source`: the sum over every possible f-string of its
    literal's length times its `{`; MAX_FSTRING_COST + 1 when reading them would itself be long. A literal
    left open is no f-string: Python stops at it before reading what it holds."""
    bound = len(source) * source.count(b"{")  # no literal is longer than the file or holds more `{`
    if bound <= MAX_FSTRING_COST:
        return bound  # nearly every file: reading its literals cost as much as parsing it
    cost = read = 0
    for start in _START.finditer(source):
        literal = _REST[start[1]].match(source, start.end())
        assert literal is not None  # `*` matches the empty string
        read += literal.end() - literal.start()
        if read > _MAX_READ_FACTOR * len(source):
            return MAX_FSTRING_COST + 1
        if source.startswith(start[1], literal.end()):  # never closed: no f-string (a formula's f''' in text)
            cost += len(literal[0]) * literal[0].count(b"{")
    return cost


def parsed_bytes(source: str | bytes) -> bytes:
    """The text Python parses, as UTF-8: bytes decoded as the import system decodes them (a byte-order mark,
    a coding cookie) and line breaks made `\n` as the tokenizer makes them. Measured on the raw bytes, a
    backslash before CR LF (a line continued inside a string) read as an escaped CR ending the literal, and a
    `# coding: utf-7` file spelt its braces `+AHs-`: either f-string of thousands of placeholders cost 0.
    SyntaxError where Python could not decode it, as parsing the file would raise: an unknown encoding and a
    cookie naming a codec that is no text encoding (`# coding: rot13`, `hex`,
    `zlib`), whose LookupError came out of the job builder and stopped a whole batch."""
    try:
        text = importlib.util.decode_source(source) if isinstance(source, bytes) else source
    except (UnicodeDecodeError, SyntaxError):
        # Not Python's verdict: the compiler's tokenizer (3.11) never decodes a comment, so a comment in
        # EUC-KR or cp1252 in a file without a coding line compiles (on its first line too, where the
        # tokenize module's cookie search gives up), and the student's process runs the file. Refused here,
        # such a file went unscanned, no flag whatever it held. Its refused bytes are replaced for the count;
        # ast.parse itself then accepts or refuses the file.
        assert isinstance(source, bytes)
        text = _replacing(source)
    except (LookupError, UnicodeError) as err:
        raise SyntaxError(f"cannot decode the file: {err}") from None
    return text.replace("\r\n", "\n").replace("\r", "\n").encode("utf-8", "surrogatepass")


# PEP 263's coding line, read as bytes: the tokenize module's search gives up on a first line that is not
# UTF-8, which the compiler reads past.
_COOKIE = re.compile(rb"^[ \t\f]*#.*?coding[:=][ \t]*([-\w.]+)", re.ASCII)


_LINE_BREAK = re.compile(rb"\r\n|\r|\n")
_BLANK_OR_COMMENT = re.compile(rb"[ \t\f]*(?:#.*)?", re.DOTALL)


def _replacing(source: bytes) -> str:
    """`source` decoded with the codec of its coding line (the first line's, or the second's below a blank
    or comment line, as the compiler reads it: a cookie below code counted here hid a file's braces from the
    cost count, review of session 18; UTF-8 without one), the bytes that codec refuses replaced."""
    first, second = [*_LINE_BREAK.split(source, 2)[:2], b""][:2]
    cookie = _COOKIE.match(first)
    if cookie is None and _BLANK_OR_COMMENT.fullmatch(first):
        cookie = _COOKIE.match(second)
    encoding = cookie[1].decode("ascii") if cookie else "utf-8-sig"
    try:
        return source.decode(encoding, "replace")
    except LookupError as err:  # a cookie naming no text encoding (`rot13`): Python refuses the file too
        raise SyntaxError(f"cannot decode the file: {err}") from None


def check(source: str | bytes) -> None:
    """Raise CostlyToParse when `source` is dearer to parse than MAX_FSTRING_COST allows (and SyntaxError or
    ValueError where Python could not decode it to parse it either)."""
    cost = fstring_cost(parsed_bytes(source))
    if cost > MAX_FSTRING_COST:
        raise CostlyToParse(f"f-strings too costly to parse here (about {cost:,} steps)")
