"""Where a case stopped, as the harness words it at the head of a message and the parent reads it back.

The harness (in the sandbox) prefixes an error with the step it was taking; the parent's blame tells a load
that stopped apart from a case that failed by that prefix. One spelling for both sides, in a module both
import cheaply.
"""

from __future__ import annotations

LOADING = "loading the submission"


def at_load(message: str) -> bool:
    """A message the harness wrote while it loaded the submission or looked up its classes."""
    return message.startswith(f"{LOADING}: ")
