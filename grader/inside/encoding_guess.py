"""Which encoding a file Python refused as not UTF-8 was most likely saved in, for the coding line to suggest.

The hint used to suggest `# -*- coding: shift_jis -*-` whatever the bytes: a French student's cp1252 file
("précis" in a string) was told to declare Shift_JIS, which reads its é and the letter after it as one kanji.
Latin text has its accented letters one or two at a time between ASCII letters; Japanese, Chinese and Korean
text has its characters as longer runs of bytes that decode into that script's letters. Kana settle
Japanese; ideographs or Hangul alone may come from two codecs (GBK's common hanzi are valid EUC-KR Hangul),
and each is then offered for its language. Bytes no rule makes plausible get no coding line: the hint then
says only to save the file as UTF-8.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

_MAX_BYTES = 1 << 20  # enough of any source file to tell
_HIGH_RUNS = re.compile(rb"[\x80-\xff]+")


def _never(ch: str) -> bool:
    return False


def _in(*ranges: tuple[int, int]) -> Callable[[str], bool]:
    return lambda ch: any(lo <= ord(ch) <= hi for lo, hi in ranges)


# Full-width kana only: the half-width ones are Shift_JIS's single bytes A1-DF, which GBK's lead and trail
# bytes are too, so Chinese text read as Shift_JIS is all half-width kana.
_KANA = _in((0x3040, 0x30FF))
_HANGUL = _in((0xAC00, 0xD7A3), (0x3130, 0x318F))
# Ideographs, CJK punctuation and full-width forms (not the half-width kana): shared by the three scripts
_HAN = _in((0x4E00, 0x9FFF), (0x3000, 0x303F), (0xFF00, 0xFF60))
# dashes, curly quotes, ellipsis, guillemets, degree, euro, no-break space, middle dot, Spanish ¿ and ¡
_LATIN_MARKS = set(
    "\u2013\u2014\u2018\u2019\u201c\u201d\u2026\u00ab\u00bb\u00b0\u20ac\u00a0\u00b7\u00bf\u00a1"
)


@dataclass(frozen=True)
class Guess:
    codec: str  # as the coding line names it
    name: str  # how the student knows it
    language: str
    needs: Callable[[str], bool]  # letters of which one at least must appear once decoded
    allows: Callable[[str], bool]  # letters every decoded one must be


# The symbols of JIS X 0208's non-kanji rows that Japanese comments use (× ÷ § °, Greek and Cyrillic
# letters, → ※ ① Ⅰ ℃, box drawing, ○ ■ ★, ㍉): a Shift_JIS file with "→" was read as GBK alone and told
# `coding: gbk`, which reads its text as other characters. Half-width kana stay out: GBK text read as
# Shift_JIS is full of them.
_JIS_SYMBOLS = _in(
    (0x00A7, 0x00B6), (0x00D7, 0x00D7), (0x00F7, 0x00F7), (0x0391, 0x03C9), (0x0401, 0x0451),
    (0x2010, 0x2312), (0x2460, 0x27BF), (0x3000, 0x33FF), (0xFFE0, 0xFFE5),
)  # fmt: skip
# Kana settle it for Shift_JIS (no other encoding here gives them); ideographs alone, or Hangul, may be read
# from the same bytes by two of them (GBK's common hanzi are valid EUC-KR Hangul): each plausible one is
# offered, for its language.
_SHIFT_JIS = Guess(
    "shift_jis", "Shift_JIS", "Japanese", _KANA, lambda ch: _KANA(ch) or _HAN(ch) or _JIS_SYMBOLS(ch)
)
_CJK: tuple[Guess, ...] = (
    Guess("gbk", "GBK", "Chinese", _HAN, _HAN),
    Guess("cp949", "CP949/EUC-KR", "Korean", _HANGUL, lambda ch: _HANGUL(ch) or _HAN(ch)),
    Guess("shift_jis", "Shift_JIS", "Japanese", _HAN, _HAN),
)
_LATIN = Guess("cp1252", "cp1252", "a Western European language", _never, _never)
# The codec each is checked with: cp932 reads what Windows writes as Shift_JIS; Korean is checked as EUC-KR,
# whose 2350 syllables hold everyday Korean, since CP949's extra syllables (lead bytes 81-C6 with ASCII
# trail bytes) read Japanese kanji as Hangul.
_CHECKED_AS = {"shift_jis": "cp932", "cp949": "euc_kr"}


def _plausible(data: bytes, guess: Guess) -> bool:
    try:
        text = data.decode(_CHECKED_AS.get(guess.codec, guess.codec))
    except UnicodeDecodeError:
        return False
    letters = [ch for ch in text if ord(ch) >= 0x80]
    return any(map(guess.needs, letters)) and all(map(guess.allows, letters))


def _latin(runs: list[bytes]) -> bool:
    """Accented letters one or two at a time ("pr\u00e9cis", "M\u00fc\u00dfiggang"), each a letter or
    typographic punctuation in cp1252."""
    if any(len(r) > 2 for r in runs):
        return False
    letters = b"".join(runs).decode("cp1252", errors="replace")
    return all(ch.isalpha() or ch in _LATIN_MARKS for ch in letters)


def likely_encodings(data: bytes) -> tuple[Guess, ...]:
    """The encodings `data` plausibly is, most likely first; none when no rule fits."""
    data = data[:_MAX_BYTES]
    runs = _HIGH_RUNS.findall(data)
    if not runs:
        return ()
    if _plausible(data, _SHIFT_JIS):
        return (_SHIFT_JIS,)
    if _latin(runs):
        return (_LATIN,)
    return tuple(g for g in _CJK if _plausible(data, g))


def read_head(filename: str) -> bytes:
    """The first bytes of the file, or nothing when it cannot be read."""
    try:
        with open(filename, "rb") as f:
            return f.read(_MAX_BYTES)
    except OSError:
        return b""


def not_utf8_hint(filename: str) -> str:
    """What to tell a student whose file Python refused as not UTF-8: the likely encoding's coding line (one
    per language when the bytes read as several), or only to save it as UTF-8."""
    guesses = likely_encodings(read_head(filename))
    if not guesses:
        return (
            "the file is not UTF-8: it was saved in another encoding (Shift_JIS, GBK, CP949, cp1252, ...); "
            "save it as UTF-8 (most editors: 'Save with Encoding' or 'Reopen with Encoding', then UTF-8)"
        )
    if len(guesses) == 1:
        g = guesses[0]
        return (
            f"the file is not UTF-8: its bytes read as {g.name} ({g.language}). Save it as UTF-8, or name "
            f"its encoding in its first line: `# -*- coding: {g.codec} -*-`"
        )
    lines = ", ".join(f"`# -*- coding: {g.codec} -*-` if it is {g.language}" for g in guesses)
    names = " or ".join(g.name for g in guesses)
    return (
        f"the file is not UTF-8: its bytes read as {names}. Save it as UTF-8, or name its encoding in its "
        f"first line: {lines}"
    )
