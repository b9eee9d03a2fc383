"""The one normalisation for text that comes from a submission (names, messages, output, file names).

Applied once, where such text enters the parent's records (grader/model.py, the loader, batch entries, the
pipeline's student ids); every writer then escapes for its own medium (grader/reports/escape.py). What comes
out of `clean` is valid Unicode, carries no escape sequence and no control character but `\\n` and `\\t`, no
bidi override, and is no longer than its cap, with a visible TRUNCATED marker where it was cut.

The caps (characters, lines, list items, report bytes) are the constants below, in this one place.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

V = TypeVar("V")

TRUNCATED = "[... truncated]"


@dataclass(frozen=True)
class TextCap:
    chars: int
    lines: int
    single_line: bool = False
    shows_invisible: bool = False  # characters a reader cannot see written as their code points
    shows_controls: bool = False  # control characters (but not other invisible ones) written so


# Class, module, case and file names, student ids: one line (no outer spaces), short.
NAME = TextCap(chars=200, lines=1, single_line=True, shows_invisible=True)
# A path (the submission's own location, file names inside it).
PATH = TextCap(chars=1024, lines=1, single_line=True, shows_controls=True)
# A student-facing message (an exception, a load failure): enough for a traceback summary and a table.
MESSAGE = TextCap(chars=4000, lines=60)
# Staff-only detail (a traceback, a note).
DETAIL = TextCap(chars=20_000, lines=400)
# Captured stdout / stderr, per stream (staff-only): the sandbox already caps bytes at the output limit.
OUTPUT = TextCap(chars=64 * 1024, lines=2000)

# Items in any list or mapping of names that a submission controls (missing, near, notes, modules, ...): an
# honest run has a handful (the assignment's required names, its modules).
MAX_ITEMS = 32
# Items in the maps and lists of the assignment's names a load reports (found, missing, near, and the
# modules they are in): a late course stage asks for more than a handful (DeZero's step 42: 33 required, 2
# optional; cut at MAX_ITEMS, the last were never "found"). The parent narrows them to the job's names.
MAX_NAMES = 256
# Names suggested per missing name ("you defined sigmoid"): a reader needs two or three.
MAX_NEAR = 8
# The whole report.json of one student, in UTF-8 bytes (grader.judge.size_cap enforces it).
MAX_REPORT_BYTES = 1 << 20

# Escape sequences, removed whole (ECMA-48): CSI (ESC [ or 0x9B ... final byte), string controls OSC, DCS,
# SOS, PM, APC (ESC ] P X ^ _ or 0x9D 0x90 0x98 0x9E 0x9F ... up to BEL or ST), and two-byte escapes
# (ESC, intermediates, one final byte). An unterminated string control loses only its introducer.
# A string control's body stops at the next introducer too: with introducers allowed inside it, each of
# n unterminated ones (`print("\x9d" * n)`) was scanned to the end of the text, n * n steps: 32,000 took
# 11 s of the parent's CPU, and a captured stream of 256 KiB (130,000 of them) several minutes.
_STRING_INTRODUCERS = "\x9d\x90\x98\x9e\x9f"
_SEQUENCES = re.compile(
    r"(?:\x1b\[|\x9b)[\x30-\x3f]*[\x20-\x2f]*[\x40-\x7e]"
    rf"|(?:\x1b[\]PX^_]|[{_STRING_INTRODUCERS}])[^\x07\x1b\x9c{_STRING_INTRODUCERS}]*(?:\x07|\x1b\\|\x9c)"
    r"|\x1b[\x20-\x2f]*[\x30-\x7e]"
)
# Every other C0 control but TAB and LF, DEL, C1, the bidi embeddings/overrides/isolates (U+202A-U+202E,
# U+2066-U+2069: they reorder what a reader sees), the bidi marks (U+200E, U+200F, U+061C: they move the
# neutral characters around them, `)` and `.py`) and the Unicode line/paragraph separators.
_CONTROLS = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]"
)
# In a name (NAME: shows_invisible) every invisible character is shown by its code point (`jo<U+200D>n.py`,
# `jo<U+0007>n.py`), never removed: controls, TAB and LF, and an escape sequence's ESC (removed until
# session 22, `jo\x07n.py` and `jo\x1b[mn.py` were shown as `jon.py`, another student's name), format
# characters (zero-width space, non-joiner and joiner, word joiner, invisible operators, U+FEFF, U+180E,
# the soft hyphen, the bidi marks and overrides), spaces other than the ASCII one, line and paragraph
# separators, private-use and unassigned code points. Shown raw, `jo<U+200D>n.py` was a second `jon.py`
# beside the real one in gradebook.csv and the class report; removed (session 21), it became `jon.py`
# itself, the other student's file, in the report's path and the gradebook. A path keeps them as they are
# (never rewritten: it names the student's own file, and its last part is shown as a name wherever a TA
# reads it), but for its controls, shown by code point too (PATH: shows_controls): removed, the report of
# `cls/jo\x07n.py` named `cls/jon.py`, the other student's file. Messages and output keep them (a line of
# code quoted may hold an emoji sequence's joiner; the lookalike hint names such a character by its code
# point).
_SURROGATES = re.compile("[\ud800-\udfff]")
# An object's default repr carries its address ("<hw.Add object at 0x7fbe...>"), which changes from run to
# run: the same submission and seed must give byte-identical reports (review of s24-fixmut: a KeyError on a
# node in report.json). Messages, details and output only: names and paths are never rewritten.
_ADDRESS = re.compile(r" at 0x[0-9a-fA-F]+>")
_NO_ADDRESS = " at 0x...>"
# Before the regular expressions run: no input costs more than a few times its cap to clean.
_WORK_FACTOR = 4


def _text(value: object, budget: int) -> tuple[str, bool]:
    """(text, whether it was cut to `budget`). Invalid UTF-8 bytes become U+FFFD (lone surrogates, from a
    file name's undecodable bytes or a forged frame, do in `visible`); what is not text becomes its `repr`."""
    if isinstance(value, bytes | bytearray):
        text = bytes(value[: budget * 4]).decode("utf-8", "replace")
        return text[:budget], len(text) > budget or len(value) > budget * 4
    # str.__str__ gives an exact str even for a subclass, whose own methods are never called.
    text = str.__str__(value) if isinstance(value, str) else repr(value)
    return text[:budget], len(text) > budget


def _cut_chars(text: str, limit: int, *, force: bool = False) -> str:
    if len(text) <= limit and not (force and not text.endswith(TRUNCATED)):
        return text
    return text[: max(0, limit - len(TRUNCATED) - 1)] + " " + TRUNCATED


def utf8_prefix(text: str, limit: int) -> str:
    """`text` cut to at most `limit` bytes of UTF-8, at a character boundary (a file name's cap is bytes)."""
    return text.encode("utf-8")[: max(0, limit)].decode("utf-8", "ignore")


def _cut_lines(text: str, limit: int) -> str:
    if text.count("\n") < limit:
        return text
    kept = text.split("\n", limit - 1)[: limit - 1]
    return "\n".join([*kept, TRUNCATED])


def visible(text: str) -> str:
    """`text` without escape sequences, control characters (but LF and TAB), bidi overrides and lone
    surrogates, and with at most MAX_STACKED_MARKS combining marks on a character; CR LF and a lone CR (which
    would overwrite a terminal line) become LF. No length cap: the writers' last line of defence for text that
    may not have come through `clean` (a report read back)."""
    if text.isprintable():  # no Cc, Cf (bidi), Cs (surrogates), Zl, Zp: nothing to remove (the common case)
        return text if text.isascii() else unstacked(text)  # isascii: a flag of the string, no scan
    text = _SURROGATES.sub("\ufffd", text)
    text = _SEQUENCES.sub("", text)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return unstacked(_CONTROLS.sub("", text))


# Combining marks (Unicode categories Mn, Me) on one character: a browser, a terminal or a spreadsheet draws
# each above or below the one before, so 60 of them in a file name drew a stroke 200 px tall across the rows
# of other students in the class report (and thousands in a 4,000-character exception message, the page's
# whole height). No script stacks more than about five (Hebrew points with cantillation, Tibetan subjoined
# letters with a vowel sign; a keycap emoji has two).
MAX_STACKED_MARKS = 8
_MARKS = frozenset({"Mn", "Me"})
# A format character (Cf: a zero-width joiner, a word joiner) between two marks does not end the stack: it is
# drawn as nothing, the marks after it go on stacking on the same letter (one grapheme cluster, UAX #29), so
# "o" + (8 accents + ZWJ) x 50 drew 400 accents on one letter. It is not counted either (an emoji's joiner).
_THROUGH_STACK = _MARKS | {"Cf"}
# A stack is a run of non-ASCII characters (every mark is one): only such runs are looked at, character by
# character, so ASCII text costs one regular-expression scan.
_STACK_CANDIDATES = re.compile(f"[^\x00-\x7f]{{{MAX_STACKED_MARKS + 1},}}")


def unstacked(text: str, shown: Callable[[str], str] = lambda ch: "") -> str:
    """`text` with the combining marks past MAX_STACKED_MARKS on one character replaced by `shown(mark)`
    (dropped by default; a name's and a path's written as code points, so that two names that differ only
    there stay two names)."""

    def cut(run: re.Match[str]) -> str:
        chars = run.group()
        # A stack past the limit covers MAX_STACKED_MARKS + 1 characters in a row (marks, or format characters
        # between them), one of them at a multiple of that: where none of those is either, nothing is cut (a
        # Korean or Chinese message, a ninth read).
        if all(unicodedata.category(ch) not in _THROUGH_STACK for ch in chars[:: MAX_STACKED_MARKS + 1]):
            return chars
        out, stacked = [], 0
        for ch in chars:
            kind = unicodedata.category(ch)
            if kind in _MARKS:
                stacked += 1
            elif kind != "Cf":
                stacked = 0
            out.append(ch if kind not in _MARKS or stacked <= MAX_STACKED_MARKS else shown(ch))
        return "".join(out)

    return _STACK_CANDIDATES.sub(cut, text)


def _code_point(ch: str) -> str:
    return f"<U+{ord(ch):04X}>"


def shown_invisible(text: str) -> str:
    """`text` with every character a reader cannot see, controls included, written as its code point,
    `<U+200D>`, `<U+0007>`: two names that differ only in such a character stay two names. An escape
    sequence is shown, never run nor removed: `jo\\x1b[mn.py` is `jo<U+001B>[mn.py`, where removing the
    sequence made it `jon.py`, another student's name (review of session 22). TAB and LF too (a name is
    one line). Lone surrogates are left to `visible` (U+FFFD)."""
    return _code_points(text, _is_invisible)


def shown_controls(text: str) -> str:
    """`text` with its C0/C1 controls and DEL written as code points (a path: `jo<U+0007>n.py` is not the
    other student's `jon.py`); other invisible characters are left as they are, a path is never rewritten
    into another file's path."""
    return _code_points(text, _is_control)


def _code_points(text: str, hidden: Callable[[str], bool]) -> str:
    if text.isprintable():  # the common case: nothing to show
        return text
    return "".join(_code_point(ch) if hidden(ch) else ch for ch in text)


def _is_invisible(ch: str) -> bool:
    return not ch.isprintable() and unicodedata.category(ch) != "Cs"


def _is_control(ch: str) -> bool:
    return unicodedata.category(ch) == "Cc"


def clean(value: object, cap: TextCap = MESSAGE) -> str:
    """The normal form of untrusted text under `cap`. Idempotent: clean(clean(x, c), c) == clean(x, c)."""
    text, precut = _text(value, cap.chars * _WORK_FACTOR + 64)
    if cap.shows_invisible:
        text = shown_invisible(text)
    elif cap.shows_controls:
        text = shown_controls(text)
    if cap.shows_invisible or cap.shows_controls:
        text = unstacked(text, _code_point)
    text = visible(text)
    if not cap.single_line:  # a name or path is never rewritten into another's (two files, one name)
        text = _ADDRESS.sub(_NO_ADDRESS, text)
    if cap.single_line:
        text = text.replace("\n", " ").replace("\t", " ").strip(" ")
    return _cut_chars(_cut_lines(text, cap.lines), cap.chars, force=precut)


def name(value: object) -> str:
    if type(value) is str and len(value) <= _KEPT_NAME:
        return _short_name(value)
    return clean(value, NAME)


# A batch's names are mostly the same few hundred (modules, classes, "module.attr", case ids, file names):
# each of a job's loads normalised each of them twice (its account, then the parent's narrowing of it:
# grader/sandbox/frames.py), ~120 a submission, each through five passes over its characters. `clean` is a
# function of the text alone, so a short name's normal form is kept; a long one (up to the frame's cap) is
# worked out each time: at most 1,024 names of up to 128 characters are kept, under 1.7 MB whatever they
# hold (1.58 MB measured with every name an emoji then 127 invisible astral characters, each kept with its
# 200-character normal form of 4-byte characters: tests/test_untrusted.py; "under 1.5 MB" was the strings
# alone, without the cache's own links).
_KEPT_NAME = 128


@functools.lru_cache(maxsize=1024)
def _short_name(text: str) -> str:
    return clean(text, NAME)


def path(value: object) -> str:
    return clean(value, PATH)


def message(value: object) -> str:
    return clean(value, MESSAGE)


def detail(value: object) -> str:
    return clean(value, DETAIL)


def output(value: object) -> str:
    return clean(value, OUTPUT)


def items(
    values: Iterable[Any], each: Callable[[Any], str] = name, limit: int = MAX_ITEMS
) -> tuple[str, ...]:
    """At most `limit` cleaned items; when more were given, the last kept item says how many were dropped."""
    values = values if isinstance(values, list | tuple) else list(values)
    out = [each(v) for v in values[:limit]]
    if len(values) > limit:
        out[-1] = f"{TRUNCATED} {len(values) - limit + 1} more"
    return tuple(out)


def mapping(values: Mapping[Any, Any], value: Callable[[Any], V], limit: int = MAX_ITEMS) -> dict[str, V]:
    """At most `limit` entries with cleaned keys (and values cleaned by `value`); when more were given, the
    last kept entry is replaced by one whose key says how many were dropped."""
    out: dict[str, V] = {}
    pairs = list(values.items())
    for key, val in pairs[:limit]:
        out[name(key)] = value(val)
    if len(pairs) > limit:
        out.pop(next(reversed(out)))
        out[f"{TRUNCATED} {len(pairs) - limit + 1} more"] = value("")
    return out
