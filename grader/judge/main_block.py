"""A case that stopped on a NameError for a class the file defines only under `if __name__ == "__main__":`.

The book's helper `square(x)` calls `Square()`; a student who wrote Square inside the main block beside the
demo that tries it gets "NameError: name 'Square' is not defined" from every case through the helper, and
nothing said the class exists, only where an import never runs it (session 34; the load's missing line and
the stage line say so since session 33). Read from the parent's own parse of the program (grader/defined.py
`nested_methods`: `Square under if __name__ == "__main__"`), never from the student's process.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Sequence

from grader.inside.missing import nested_reason
from grader.judge.results import CaseResult

_UNDEFINED = re.compile(r"NameError: name '([A-Za-z_]\w{0,99})' is not defined")


def told(results: Sequence[CaseResult], places: Sequence[str]) -> tuple[CaseResult, ...]:
    """`results`, each error on an undefined name that is such a class saying why, on its first line."""
    if not places:
        return tuple(results)
    return tuple(_told(r, places) for r in results)


def _told(result: CaseResult, places: Sequence[str]) -> CaseResult:
    if result.status != "error":
        return result
    found = _UNDEFINED.search(result.message)
    reason = nested_reason(found.group(1), places) if found else None
    if reason is None or reason in result.message:
        return result
    first, newline, rest = result.message.partition("\n")
    return dataclasses.replace(result, message=f"{first}: {reason}{newline}{rest}")
