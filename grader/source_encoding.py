"""Python files saved as UTF-16 or UTF-32, read as the UTF-8 they were meant to be (in the parent, never run).

Windows writes UTF-16 with a byte-order mark where a student does not expect it: PowerShell's `>` (a notebook
exported with `jupyter nbconvert --to script --stdout > layers.py`) and Notepad's "Unicode". Python cannot
run such a file ("source code string cannot contain null bytes"), and the grader used to report that as
"syntax error in ? line 0", 0 points for code that ran in the student's notebook. The text is the student's
code: it is re-encoded as UTF-8 and the student is told to save it so. Anything that does not decode cleanly
is left as it was (the sandbox then reports what Python says).

UTF-32 (with its byte-order mark: Python's `open(..., encoding="utf-32")`, some editors' "UTF-32") is the
same case and read the same way. Its little-endian mark, FF FE 00 00, starts with UTF-16's, FF FE: read as
UTF-16 it decoded "cleanly" into text with a NUL after every character, and the student was told the file
was UTF-16 and then that it held NUL bytes. The UTF-32 marks are tried first.
"""

from __future__ import annotations

import codecs
from collections.abc import Mapping

from grader import untrusted

# Byte-order mark -> (codec, name): each codec reads either byte order and drops the mark. UTF-32 first: its
# little-endian mark begins with UTF-16's.
_BOMS: tuple[tuple[bytes, str, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32", "UTF-32"),
    (codecs.BOM_UTF32_BE, "utf-32", "UTF-32"),
    (codecs.BOM_UTF16_LE, "utf-16", "UTF-16"),
    (codecs.BOM_UTF16_BE, "utf-16", "UTF-16"),
)
# Who writes each, for the note: what the student can recognise and change.
_WRITERS = {
    "UTF-16": "PowerShell's `>` and Notepad's \"Unicode\" write it",
    "UTF-32": "an editor's or Python's \"utf-32\" writes it",
}


def as_utf8(files: Mapping[str, bytes]) -> tuple[dict[str, bytes], tuple[str, ...]]:
    """The files with every .py saved as UTF-16 or UTF-32 (with its byte-order mark) re-encoded as UTF-8,
    and a note for each."""
    out = dict(files)
    notes: list[str] = []
    for rel, data in files.items():
        if not rel.lower().endswith(".py"):
            continue
        found = next(((codec, name) for bom, codec, name in _BOMS if data.startswith(bom)), None)
        if found is None:
            continue
        codec, name = found
        try:
            text = data.decode(codec)
        except UnicodeDecodeError:
            continue
        out[rel] = text.encode("utf-8")
        notes.append(
            f"note: {untrusted.name(rel)} is saved as {name} ({_WRITERS[name]}), which Python cannot run; it "
            "was graded as the same text in UTF-8: save it as UTF-8"
        )
    return out, tuple(notes)
