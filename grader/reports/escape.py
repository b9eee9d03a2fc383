"""Escaping per writer: what a terminal, Gradescope's markdown, a spreadsheet, an XML parser and a browser
must not interpret in text that came from a submission.

Text in a report was normalised where it entered the parent (grader/untrusted.py); these functions still
accept anything (a report read back from disk, a file name), so each one first drops what `visible` drops.
"""

from __future__ import annotations

import html
import re
import unicodedata

from grader.untrusted import visible

# ---------------------------------------------------------------- terminal


def terminal(text: object, *, one_line: bool = True) -> str:
    """Nothing that moves the cursor, sets a title or a link, clears or recolours: no escape sequence, no
    control character, no bidi override. `one_line` (names, ids, file names): a line break becomes a space,
    so a name cannot fake a line of its own ("PASS 10/10")."""
    shown = visible(str(text))
    return shown.replace("\n", " ").replace("\t", " ") if one_line else shown


# ---------------------------------------------------------------- Gradescope markdown

# HTML first (an entity is what every markdown renderer leaves as text), then every ASCII punctuation mark
# that CommonMark or GitHub's extensions give a meaning (emphasis, links, images, code, headings, lists,
# tables, strike-through, math, setext underlines), backslash-escaped.
_MD = str.maketrans(
    {"&": "&amp;", "<": "&lt;", ">": "&gt;"} | {ch: "\\" + ch for ch in "\\`*_{}[]()#+-.!|~=^$"}
)
_NBSP = "&nbsp;"


def markdown(text: object) -> str:
    """Text that Gradescope's markdown shows as written: `[x](javascript:...)`, `<img ...>` and `**` appear
    as those characters. Line breaks are kept (a hard break per line) and leading spaces become non-breaking
    ones, so indentation shows and never turns a line into a code block."""
    lines = []
    for line in visible(str(text)).split("\n"):
        body = line.lstrip(" \t")
        indent = line[: len(line) - len(body)]
        lines.append(_NBSP * (indent.count(" ") + 4 * indent.count("\t")) + body.translate(_MD))
    return "  \n".join(lines)


_BACKTICKS = re.compile("`+")


def markdown_code(lines: list[str]) -> str:
    """Lines shown as written in a monospace block (a table whose columns must line up: markdown collapses
    repeated spaces): a fenced code block, whose content no renderer interprets (no entity, no link, no
    HTML), so nothing is escaped in it but what `visible` drops. Its fence is longer than any run of
    backticks in the text (CommonMark closes a fence only with one at least as long), so no line closes it."""
    text = "\n".join(visible(line).replace("\n", " ") for line in lines)
    fence = "`" * max(3, 1 + max((len(run) for run in _BACKTICKS.findall(text)), default=0))
    return f"{fence}\n{text}\n{fence}"


# ---------------------------------------------------------------- CSV (OWASP "CSV injection")

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")
_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")


def _starts_formula(text: str) -> bool:
    """Whether a spreadsheet may read `text` as a formula. The first character is read in its NFKC form: Excel
    in a Japanese or Chinese locale takes a cell typed or imported as `＝1+1` (fullwidth U+FF1D, the sign an
    East Asian input method types) as the formula `=1+1`, as it does `＋`, `－`, `＠` and the small forms
    (U+FE62, U+FE63, U+FE66, U+FE6B); LibreOffice does not, and quoting them costs a reader one character."""
    return bool(text) and unicodedata.normalize("NFKC", text[0]).startswith(_FORMULA_START)


def csv_cell(value: object) -> str:
    """A cell a spreadsheet never evaluates: one starting with = + - @, TAB or CR (or LF, which is what a CR
    becomes), or their fullwidth and small forms, is prefixed with a single quote, as OWASP recommends; a
    number ("-1.5", "+2") stays a number."""
    text = visible(str(value))  # first: a control character must not hide a formula ("\x00=1+1")
    return "'" + text if _starts_formula(text) and not _NUMBER.fullmatch(text) else text


# ---------------------------------------------------------------- XML 1.0

# What XML 1.0's Char production leaves out (#x9 | #xA | #xD | [#x20-#xD7FF] | [#xE000-#xFFFD] |
# [#x10000-#x10FFFF]), listed: the negated class of the allowed ranges took 4 to 7 ms to compile, in every
# process importing the reports (a `grader check` too, which writes no XML), against 0.5 ms.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_text(text: object) -> str:
    """Characters XML 1.0 cannot carry removed, and what a terminal showing the file would obey (escape
    sequences, C1 controls, bidi overrides). Markup escaping is ElementTree's job (text and attributes)."""
    return _NOT_XML.sub("", visible(str(text)))


# ---------------------------------------------------------------- HTML (the class report)


def html_text(text: object) -> str:
    """Text and attribute-safe HTML: `<`, `>`, `&` and both quotes become entities, after what `visible`
    drops (escape sequences, controls, bidi overrides). `<script>` in a student's name shows as those
    characters and never runs."""
    return html.escape(visible(str(text)), quote=True)
