"""Python files saved as UTF-16, read as the UTF-8 they were meant to be (in the parent, never run).

Windows writes UTF-16 with a byte-order mark where a student does not expect it: PowerShell's `>` (a notebook
exported with `jupyter nbconvert --to script --stdout > layers.py`) and Notepad's "Unicode". Python cannot
run such a file ("source code string cannot contain null bytes"), and the grader used to report that as
"syntax error in ? line 0", 0 points for code that ran in the student's notebook. The text is the student's
code: it is re-encoded as UTF-8 and the student is told to save it so. Anything that does not decode cleanly
is left as it was (the sandbox then reports what Python says).
"""

from __future__ import annotations

import codecs
from collections.abc import Mapping

from grader import untrusted

_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)  # "utf-16" reads either and drops the mark


def as_utf8(files: Mapping[str, bytes]) -> tuple[dict[str, bytes], tuple[str, ...]]:
    """The files with every .py saved as UTF-16 (with its byte-order mark) re-encoded as UTF-8, and a note
    for each."""
    out = dict(files)
    notes: list[str] = []
    for rel, data in files.items():
        if not rel.lower().endswith(".py") or not data.startswith(_BOMS):
            continue
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError:
            continue
        out[rel] = text.encode("utf-8")
        notes.append(
            f"note: {untrusted.name(rel)} is saved as UTF-16 (PowerShell's `>` and Notepad's \"Unicode\" "
            "write it), which Python cannot run; it was graded as the same text in UTF-8: save it as UTF-8"
        )
    return out, tuple(notes)
