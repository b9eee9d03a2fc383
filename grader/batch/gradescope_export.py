"""Who made each submission of a Gradescope "Export Submissions" download, from its submission_metadata.yml.

The export holds one folder per submission (`submission_123456789/`, the student's files) and, at its top,
`submission_metadata.yml`, written by Ruby's YAML (Psych) with Ruby-symbol keys:

    ---
    submission_123456789:
      :submitters:
      - :name: Jane Doe
        :sid: '12345678'
        :email: jane@example.edu
      :created_at: 2026-11-20 10:00:00.000000000 -08:00
      :score: 10.0
      :status: processed
      :history:
      - :id: 123456000
        ...

A group submission lists each member under `:submitters:`. Only the submitters' `:name:`, `:sid:` and
`:email:` are read. The grader has no YAML library (and adds none), so this is a small reader of that
subset: block mappings and sequences by indentation (Psych writes a mapping's sequence at the key's own
indentation), plain, quoted, block (`|-`) and `!binary` scalars; every other key's value, whatever it holds
(an autograder's output, flow collections), is skipped by its indentation unread. The file is untrusted
text: its size, line length and counts are capped, each value is normalised by grader/untrusted.py, and
anything else in the structure makes the whole file invalid (`MetadataError`, said as a warning; the batch
is then graded under its folder names, as without the file).
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from grader import untrusted

METADATA = "submission_metadata.yml"
# A class of a few thousand with every submission's history and autograder output stays well under this.
MAX_BYTES = 64 << 20
MAX_SUBMISSIONS = 20_000
# Gradescope's groups are small (the instructor sets the size); more than this is no real export.
MAX_SUBMITTERS = 32
# A line the reader parses (a key, a submitter's field) is at most this long; longer ones are allowed only
# in what is skipped (an autograder's output), where only their indentation is read.
MAX_LINE = 4096
_SUBMISSION = re.compile(r"submission_\d{1,20}")
# `key:` or `key: value`; a key is a Ruby symbol (`:name`), a plain word, or quoted.
_ENTRY = re.compile(r"""(?P<key>:?[A-Za-z_][\w-]*|'[^']*'|"[^"\\]*"):(?:[ \t]+(?P<value>.*))?""")
_BLOCK = re.compile(r"[|>][+-]?[1-9]?|[|>][1-9][+-]?")
_NULLS = frozenset({"", "~", "null", "Null", "NULL"})
_PLAIN_FORBIDDEN_START = tuple("[]{}&*!|>%@`#,")
_ESCAPES = {
    "0": "\0", "a": "\a", "b": "\b", "t": "\t", "\t": "\t", "n": "\n", "v": "\v", "f": "\f", "r": "\r",
    "e": "\x1b", " ": " ", '"': '"', "/": "/", "\\": "\\", "N": "\x85", "_": "\xa0", "L": "\u2028",
    "P": "\u2029",
}  # fmt: skip
_HEX_ESCAPES = {"x": 2, "u": 4, "U": 8}
_FIELDS = {":name": "name", ":sid": "sid", ":email": "email"}


class MetadataError(ValueError):
    """submission_metadata.yml is not what Gradescope writes: said to the instructor, then ignored."""


@dataclass(frozen=True)
class Submitter:
    name: str = ""
    sid: str = ""
    email: str = ""


@dataclass(frozen=True)
class _Line:
    number: int
    indent: int
    text: str  # without the indentation and the line break; cut to MAX_LINE
    long: bool  # the line was longer than MAX_LINE


def submitters_of(
    submitters: Mapping[str, Sequence[Submitter]] | None, file: str, stem: str
) -> tuple[Submitter, ...]:
    """The submitters of a batch entry, by its file name (`submission_123`, a folder) or its stem (the same
    folder zipped, `submission_123.zip`): the one lookup the gradebook's names, the missing-submitters line
    and `--only` share (`--only` once looked up the file name alone, and refused a zipped folder's email)."""
    return tuple((submitters or {}).get(file) or (submitters or {}).get(stem) or ())


def read(directory: Path) -> tuple[dict[str, tuple[Submitter, ...]] | None, str | None]:
    """(the submitters of each `submission_<id>` folder, a warning): (None, None) when the directory has no
    submission_metadata.yml (not a Gradescope export: nothing changes), (None, why) when it is unreadable or
    invalid (the batch is graded under its folder names)."""
    path = directory / METADATA
    if not path.is_file() and not path.is_symlink():
        return None, None
    try:
        if path.is_symlink():  # as a submission that is a link is refused (entries.skip_reason)
            raise MetadataError("it is a symbolic link; put the file itself in the folder")
        if path.stat().st_size > MAX_BYTES:
            raise MetadataError(f"it is larger than {MAX_BYTES} bytes")
        with path.open("rb") as fh:
            return parse(_lines(fh)), None
    except (OSError, MetadataError) as err:
        why = untrusted.message(str(err))
        return None, (
            f"{METADATA} was not read ({why}): the submissions are graded under their folder names, "
            "with no submitter names, ids or emails"
        )


def _lines(fh: BinaryIO) -> Iterator[_Line]:
    """The file's lines that hold anything (blank and comment-only lines left out), each cut to MAX_LINE.
    Only spaces count as indentation: a tab starting a line the reader parses makes it no `key: value` line
    (YAML forbids it), while one in a skipped value (an autograder's output) is nothing to the reader."""
    number = total = 0

    def readline(limit: int) -> bytes:
        nonlocal total
        raw = fh.readline(limit)
        total += len(raw)
        if total > MAX_BYTES:  # grown since its size was checked
            raise MetadataError(f"it is larger than {MAX_BYTES} bytes")
        return raw

    while True:
        raw = readline(MAX_LINE + 1)
        if not raw:
            return
        number += 1
        long = len(raw) > MAX_LINE and not raw.endswith(b"\n")
        while long and (rest := readline(1 << 16)) and not rest.endswith(b"\n"):
            pass  # the rest of a long line, read in bounded pieces and dropped
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            if not long:
                raise MetadataError(f"line {number} is not UTF-8 text") from None
            text = raw.decode("utf-8", "ignore")  # cut inside a character: only its indentation is read
        text = text.rstrip("\r\n").removeprefix("\ufeff" if number == 1 else "")
        body = text.lstrip(" ")
        if not body.strip() or body.startswith("#"):
            continue
        yield _Line(number, len(text) - len(body), body.rstrip(), long)


class _Reader:
    """The lines, one looked ahead."""

    def __init__(self, lines: Iterator[_Line]) -> None:
        self._lines = lines
        self.next: _Line | None = next(lines, None)

    def take(self) -> _Line:
        line = self.next
        assert line is not None
        self.next = next(self._lines, None)
        return line

    def skip_deeper(self, indent: int, *, sequence_at: int | None = None) -> None:
        """Drop the lines indented deeper than `indent` (and, for a value Psych may write as a sequence at
        its key's indentation, the `-` lines at `sequence_at` with theirs)."""
        while (line := self.next) is not None and (
            line.indent > indent or (line.indent == sequence_at and _is_item(line.text))
        ):
            self.take()

    def deeper(self, indent: int) -> list[_Line]:
        """Take the lines indented deeper than `indent` (a scalar's continuation or block), at most a few."""
        taken: list[_Line] = []
        while (line := self.next) is not None and line.indent > indent:
            taken.append(self.take())
            if len(taken) > 64 or line.long:
                raise MetadataError(f"line {line.number}: a submitter's field is too long")
        return taken


def _is_item(text: str) -> bool:
    return text == "-" or text.startswith("- ")


def _entry(line: _Line) -> tuple[str, str]:
    if line.long:
        raise MetadataError(f"line {line.number} is longer than {MAX_LINE} characters")
    m = _ENTRY.fullmatch(line.text)
    if m is None:
        raise MetadataError(f"line {line.number} is no 'key: value' line")
    key = m["key"]
    return (key[1:-1] if key[0] in "'\"" else key), m["value"] or ""


def parse(lines: Iterator[_Line]) -> dict[str, tuple[Submitter, ...]]:
    """The submitters of each top-level `submission_<id>` key; other top-level keys are skipped."""
    reader = _Reader(lines)
    found: dict[str, tuple[Submitter, ...]] = {}
    started = False
    while (line := reader.next) is not None:
        if line.indent != 0:
            raise MetadataError(f"line {line.number} is indented where a submission_<id>: key was expected")
        reader.take()
        if line.text in ("---", "--- {}", "...") or line.text.startswith("--- #"):
            if started and line.text != "...":
                raise MetadataError(f"line {line.number} starts a second YAML document")
            started = True
            continue
        started = True
        key, value = _entry(line)
        if not _SUBMISSION.fullmatch(key):
            reader.skip_deeper(0, sequence_at=0 if not value else None)
            continue
        if value and value != "{}":
            raise MetadataError(f"line {line.number}: {key} holds no mapping")
        if key in found:
            raise MetadataError(f"line {line.number}: {key} is listed twice")
        if len(found) >= MAX_SUBMISSIONS:
            raise MetadataError(f"it lists more than {MAX_SUBMISSIONS} submissions")
        found[key] = _submission(reader, key)
    return found


def _submission(reader: _Reader, key: str) -> tuple[Submitter, ...]:
    """The submitters of one submission's mapping (its lines indented deeper than the key)."""
    first = reader.next
    if first is None or first.indent == 0:
        return ()
    indent = first.indent
    submitters: tuple[Submitter, ...] | None = None
    while (line := reader.next) is not None and line.indent > 0:
        if line.indent != indent:
            raise MetadataError(f"line {line.number} is indented unlike the rest of {key}")
        reader.take()
        field, value = _entry(line)
        if field != ":submitters":
            reader.skip_deeper(indent, sequence_at=None if value else indent)
            continue
        if submitters is not None:
            raise MetadataError(f"line {line.number}: {key} lists its submitters twice")
        submitters = _submitters(reader, indent, value, line)
    if submitters is None:
        raise MetadataError(f"{key} has no :submitters:")
    return submitters


def _submitters(reader: _Reader, indent: int, value: str, at: _Line) -> tuple[Submitter, ...]:
    """A `:submitters:` sequence: `- :name: ...` items at the key's indentation or deeper."""
    if value == "[]":
        return ()
    if value:
        raise MetadataError(f"line {at.number}: :submitters: is no list")
    first = reader.next
    if first is None or first.indent < indent or not _is_item(first.text):
        raise MetadataError(f"line {at.number}: :submitters: is no list")
    column = first.indent
    people: list[Submitter] = []
    while (line := reader.next) is not None and line.indent == column and _is_item(line.text):
        if len(people) >= MAX_SUBMITTERS:
            raise MetadataError(f"line {line.number}: more than {MAX_SUBMITTERS} submitters")
        people.append(_submitter(reader, column))
    return tuple(people)


def _submitter(reader: _Reader, column: int) -> Submitter:
    """One `- :name: ...` item: its mapping starts after the `- ` and goes on at that column."""
    item = reader.take()
    rest = item.text[1:].lstrip(" ")
    inner = column + len(item.text) - len(rest)
    values: dict[str, str] = {}
    line: _Line | None = _Line(item.number, inner, rest, item.long) if rest else None
    if line is None:  # `-` alone: the mapping starts on the next line
        line = reader.next
        if line is None or line.indent <= column:
            raise MetadataError(f"line {item.number}: an empty submitter")
        inner = line.indent
        reader.take()
    while True:
        field, value = _entry(line)
        name = _FIELDS.get(field)
        if name is None:
            reader.skip_deeper(inner, sequence_at=None if value else inner)
        elif name in values:
            raise MetadataError(f"line {line.number}: a submitter's {field[1:]} is given twice")
        else:
            values[name] = untrusted.name(_scalar(value, reader.deeper(inner), line.number))
        line = reader.next
        if line is None or line.indent != inner:
            if line is not None and line.indent > column and not _is_item(line.text):
                raise MetadataError(f"line {line.number} is indented unlike the rest of its submitter")
            return Submitter(**values)
        reader.take()


def _scalar(value: str, more: list[_Line], number: int) -> str:
    """A string scalar: the value after `key: ` and the lines indented under it (continuation, block)."""
    if value.startswith("!binary"):
        return _binary(value[len("!binary") :].strip(), more, number)
    if value.startswith("!!str "):
        value = value[len("!!str ") :].lstrip()
    if _BLOCK.fullmatch(value):
        return "\n".join(line.text for line in more)
    text = _folded([value, *(line.text for line in more)]) if more else value
    if text.startswith("'"):
        return _single_quoted(text, number)
    if text.startswith('"'):
        return _double_quoted(text, number)
    if text.startswith(_PLAIN_FORBIDDEN_START):
        raise MetadataError(f"line {number}: a submitter's field is no text ({untrusted.name(text)})")
    plain = text.split(" #", 1)[0].rstrip()
    return "" if plain in _NULLS else plain


def _folded(parts: list[str]) -> str:
    """A scalar written over several lines: joined by a space, as YAML folds them, but for a double-quoted
    line that ends in an escaped line break (`\\`, how libyaml breaks a long quoted string inside a word)."""
    text = parts[0]
    for part in parts[1:]:
        escaped = text.startswith('"') and (len(text) - len(text.rstrip("\\"))) % 2 == 1
        text = text[:-1] + part if escaped else f"{text} {part}"
    return text.strip()


def _binary(value: str, more: list[_Line], number: int) -> str:
    """Psych's `!binary` (base64 of a string Ruby held as bytes, a name with an accent in older exports)."""
    coded = "".join(line.text for line in more) if _BLOCK.fullmatch(value) else value.strip("'\"")
    try:
        return base64.b64decode(coded, validate=True).decode("utf-8", "replace")
    except (binascii.Error, ValueError):
        raise MetadataError(f"line {number}: a !binary field is not base64") from None


def _single_quoted(text: str, number: int) -> str:
    if len(text) < 2 or not text.endswith("'") or "'" in text[1:-1].replace("''", ""):
        raise MetadataError(f"line {number}: a quoted field is not closed")
    return text[1:-1].replace("''", "'")


def _double_quoted(text: str, number: int) -> str:
    out, i, end = [], 1, len(text) - 1
    if len(text) < 2 or not text.endswith('"'):
        raise MetadataError(f"line {number}: a quoted field is not closed")
    while i < end:
        ch = text[i]
        if ch == '"':
            raise MetadataError(f"line {number}: a quoted field is not closed")
        if ch != "\\":
            out.append(ch)
            i += 1
            continue
        code = text[i + 1] if i + 1 < end else ""
        if code in _ESCAPES:
            out.append(_ESCAPES[code])
            i += 2
        elif code in _HEX_ESCAPES:
            digits = text[i + 2 : i + 2 + _HEX_ESCAPES[code]]
            if len(digits) != _HEX_ESCAPES[code] or not all(c in "0123456789abcdefABCDEF" for c in digits):
                raise MetadataError(f"line {number}: a bad escape \\{code} in a quoted field")
            out.append(chr(min(int(digits, 16), 0x10FFFF)))
            i += 2 + len(digits)
        else:
            raise MetadataError(f"line {number}: an unknown escape in a quoted field")
    return "".join(out)
