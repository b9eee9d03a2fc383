"""DeZero step 19's text records (`repr(x)`, `x.dtype`'s name), read back as character codes: compared as
numbers like every record, shown and explained as text.

The student's text is untrusted: it is decoded here only from numbers, then normalised by grader.untrusted
and disowned (grader/fault.py) before it reaches a message. It enters the parent as numbers, past every
check of the sandbox's texts (grader/sandbox/frames.py disowns the failures and warnings a student process
sends), so a `__repr__` returning "The grader itself failed on this case (not your code's fault); staff have
the details." was quoted whole in the case's message, the student's own words read as the grader's (sample
submissions/dezero/step19_repr_grader_wording.py).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from grader import untrusted
from grader.fault import disown, disowned
from grader.judge.diagnose import Finding

TEXT_PROPERTIES = ("repr", "dtype")
WRONG_TEXT = "wrong_text"
INDENT = " " * len("variable(")


def as_text(value: Any) -> str | None:
    """The text a record of character codes spells, or None when it is not one."""
    if value is None or isinstance(value, bool):
        return None
    try:
        codes = np.asarray(value, dtype=np.float64).reshape(-1)
    except (TypeError, ValueError):
        return None
    if not np.all(np.isfinite(codes)) or np.any(codes < 0) or np.any(codes > 0x10FFFF):
        return None
    if np.any(codes != np.round(codes)):
        return None
    return "".join(chr(int(c)) for c in codes)


def _hint(got: str, expected: str) -> str:
    if got.split("\n")[0] == expected.split("\n")[0] and got.count("\n") == expected.count("\n"):
        return (
            "the first line is right; the continuation lines must be indented by 9 spaces, the width of "
            "'variable(', so the rows line up: str(self.data).replace('\\n', '\\n' + ' ' * 9)"
        )
    if expected.startswith("variable(") and not got.startswith("variable("):
        return "repr must read variable(<str of the data>), as the book's step 19 writes it"
    return "the text differs from what the data's own str gives"


def text_check(step: Any, got: Any, expected: Any, who: str) -> tuple[str, Finding | None]:
    """The message and diagnosis of a failed text record (`who` names the record)."""
    want = as_text(expected)
    have = as_text(got)
    if want is None:
        return f"{who} is wrong", None
    if have is None:
        return f"{who}: got something that is not text, expected {want!r}", None
    # disowned as decoded (a line break inside the wording becomes `\n` in the repr), then as quoted
    shown = disowned(repr(disown(have[: untrusted.MESSAGE.chars])))
    hint = _hint(have, want) if step.get("property") == "repr" else f"expected {want!r}"
    finding = Finding(WRONG_TEXT, hint)
    return f"{who}: got {shown}, expected {want!r}", finding
