"""Compiling or parsing student source in the parent with the warnings it raises kept off stderr.

The compiler and the parser warn about the source they read: `SyntaxWarning: invalid escape sequence '\\q'`
(a DeprecationWarning, hidden by default, up to Python 3.11; a SyntaxWarning, printed, from 3.12 on), with
the student's file name and a character of theirs (an escape, a control character). Printed by the parent,
that is student text on the TA's terminal, unescaped, once per such line of every submission of a batch.

The warnings filters are process-wide and a batch's lanes are threads: one lock for every caller, so that a
`catch_warnings` block never restores over another thread's (which would leave one's recording in place for
good) and no caller's warnings land in another's record. A warning raised meanwhile by a thread that does not
go through this lock (a NumPy RuntimeWarning of the reference engine) is recorded here too, and dropped.
"""

from __future__ import annotations

import threading
import warnings
from collections.abc import Iterator
from contextlib import contextmanager

_LOCK = threading.Lock()


@contextmanager
def recorded() -> Iterator[list[warnings.WarningMessage]]:
    """Every warning raised inside, recorded (never printed), the caller's to read or drop."""
    with _LOCK, warnings.catch_warnings(record=True) as raised:
        warnings.simplefilter("always")
        yield raised
