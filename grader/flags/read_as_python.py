"""Whether a Python file names a word as the interpreter reads the file, not as its bytes spell it.

The scan judges optparse's `Values.read_file` (which execs a file's text) in every file once any file of the
submission names optparse (scan.py `ScanContext.optparse`). That was a search of the raw bytes, and Python
reads a file two steps away from them: it decodes the file by its coding line (`# coding: utf-7` spells
`import +AG8-ptparse`; `# coding: cp932` writes a fullwidth letter as two bytes), and it reads every
identifier NFKC-normalised (PEP 3131: `import ｏptparse` with a fullwidth `ｏ` imports optparse, and
`lib2to3.main.ｏptparse` is the module lib2to3.main imported). Each of those ran correct backward passes kept
as text through `Values().read_file(...)`, 43 / 43 with no flag (sample
submissions/miniflow/hidden_code_optparse_normalised.py, tests/flags/test_read_as_python.py). The AST rules
were never fooled: `ast.parse` decodes and normalises as the interpreter does.
"""

from __future__ import annotations

import unicodedata

from grader import parse_cost

# Read as text only past this many bytes of the file's start without a coding line: PEP 263 puts it on line
# 1 or 2, and an ASCII file without one is read byte for byte (NFKC changes no ASCII character).
_COOKIE_LINES = 2


def names(data: bytes, word: str) -> bool:
    """`word` (ASCII) is in the file's text as Python reads it: decoded by its coding line or byte-order mark,
    NFKC-normalised. False for a file Python cannot decode (it cannot run either)."""
    if word.encode("ascii") in data:
        return True  # nearly every file that names it: no decoding
    if data.isascii() and b"coding" not in b"\n".join(data.split(b"\n", _COOKIE_LINES)[:_COOKIE_LINES]):
        return False
    try:
        text = parse_cost.parsed_bytes(data).decode("utf-8", "surrogatepass")
    except (SyntaxError, ValueError):
        return False
    return word in unicodedata.normalize("NFKC", text)
