"""Characters that look like Python's own but are not, named with the one to type instead.

An input method for Japanese, Chinese or Korean types a full-width space (U+3000) or full-width punctuation
(`（`, `：`, `＝`) when left in full-width mode, and text copied from a book's PDF or a web page brings
typographic quotes, a minus sign (U+2212), a no-break space or an invisible zero-width space. Python says
"invalid non-printable character U+3000", which does not say what the character is or where it came from,
and the word "printable" in it once earned the false hint "Python 2 code?" (sample
submissions/dezero/step09_fullwidth_space.py). `hint` reads Python's message (text only) and returns one
clause, or None for any other syntax error.

Standard library only (runs in the student's process).
"""

from __future__ import annotations

import re

# "invalid non-printable character U+3000", "invalid character '（' (U+FF08)"
_INVALID = re.compile(r"^invalid (?:non-printable )?character\b.*?U\+([0-9A-Fa-f]{4,6})")

_SPACE = "an ordinary space"
# code point -> (what it is, what to type instead)
NAMED: dict[int, tuple[str, str]] = {
    0x3000: ("a full-width space, which an input method for Japanese, Chinese or Korean types", _SPACE),
    0x00A0: ("a no-break space, which text copied from a web page or a PDF brings", _SPACE),
    0x200B: ("an invisible zero-width space, which text copied from a web page or a PDF brings", "nothing"),
    0x200C: ("an invisible zero-width non-joiner, which copied text brings", "nothing"),
    0x200D: ("an invisible zero-width joiner, which copied text brings", "nothing"),
    0x2060: ("an invisible word joiner, which copied text brings", "nothing"),
    0xFEFF: ("an invisible byte-order mark in the middle of the file, which pasted text brings", "nothing"),
    0x2018: ("a typographic quote, which a book's PDF or a word processor types", "`'`"),
    0x2019: ("a typographic quote, which a book's PDF or a word processor types", "`'`"),
    0x201C: ("a typographic quote, which a book's PDF or a word processor types", '`"`'),
    0x201D: ("a typographic quote, which a book's PDF or a word processor types", '`"`'),
    0x2212: ("a minus sign, which a book's PDF types", "`-`"),
    0x2013: ("an en dash, which a book's PDF or a word processor types", "`-`"),
    0x2014: ("an em dash, which a book's PDF or a word processor types", "`-`"),
    0x00D7: ("a multiplication sign", "`*`"),
    0x00F7: ("a division sign", "`/`"),
    0x3001: ("an ideographic comma, which an input method types", "`,`"),
    0x3002: ("an ideographic full stop, which an input method types", "`.`"),
}

# U+FF01 to U+FF5E are ASCII's printable characters in full width: U+FF08 is "(" (0x28).
_FULL_WIDTH = range(0xFF01, 0xFF5F)
_FULL_WIDTH_OFFSET = 0xFEE0


def _named(code: int) -> tuple[str, str] | None:
    if code in NAMED:
        return NAMED[code]
    if code in _FULL_WIDTH:
        return (
            f"a full-width {chr(code)!r}, which an input method types in full-width mode",
            f"`{chr(code - _FULL_WIDTH_OFFSET)}`",
        )
    return None


def hint(message: str) -> str | None:
    """What the character Python refused is and what to type instead, said of "the line" the syntax error's
    message names (in a notebook, a code cell's line: the module's line number is not the student's); None
    when `message` is not about such a character (or about one not known here)."""
    found = _INVALID.search(message or "")
    if found is None:
        return None
    code = int(found.group(1), 16)
    named = _named(code)
    if named is None:
        return None
    what, instead = named
    fix = "delete it" if instead == "nothing" else f"type {instead} instead"
    return (
        f"the line holds U+{code:04X}, {what}: {fix} (Python stops at the first; search the file for others)"
    )
