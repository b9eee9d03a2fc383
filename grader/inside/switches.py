"""Module-level switches every case starts with as the submission loaded them.

The cases of a phase run one after another in one student process. A case that leaves a switch of the
student's module changed hands the change to every later case: DeZero's `using_config` without
`try/finally` (or without restoring the old value at all) leaves `Config.enable_backprop` False after the
no-grad case, and every later case then builds graphs with no creator, so one mistake in `no_grad` cost
17 of 53 points instead of the one check that sees it. The adapter names its family's switches
(`AdapterBase.SWITCHES`); their values are kept when the submission loads and put back before each case.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from .failures import StudentFailure
from .names import StudentNames
from .remote import Ref, Session


@dataclass(frozen=True)
class Switch:
    """`holder.attr` as loaded: the holder and the value, handles kept in the student's process; `name`: the
    holder's name in the submission (`Config`), for a message."""

    holder: Ref
    attr: str
    value: Ref
    name: str = ""


def keep(session: Session, names: StudentNames, wanted: Sequence[tuple[str, str]]) -> tuple[Switch, ...]:
    """The switches the submission defines, read right after it loaded (none that cannot be read)."""
    if not wanted:
        # Nothing to read, so no round trip: the load's queued lookups and class descriptions go with the
        # first case, which reports a student's error among them (hostile harness_unanswered_lookup.py).
        return ()
    asked: list[tuple[str, Ref, str, Ref]] = []
    try:
        for name, attr in wanted:
            holder = names.get(name)
            if holder is not None:
                asked.append((name, holder, attr, session.getattr(holder, attr, missing_ok=True)))
        session.sync()
        return tuple(
            Switch(session.pin(holder), attr, session.pin(value), name)
            for name, holder, attr, value in asked
            if not value.missing
        )
    except StudentFailure as failure:
        # The student's error, in the load's queued lookups and descriptions or in a Config whose attribute
        # access raises: nothing to put back, and the first case reports it, as it would with no switches.
        session.defer(failure)
        return ()


def restore(session: Session, switches: Sequence[Switch]) -> None:
    """Queue `holder.attr = value` for each switch: sent with the case's first batch. An error there (a
    Config whose class refuses a set from outside its file) is said as this step's: it was worded with the
    context left from before, "loading the submission" for the first case and "checking the inputs" for the
    others, which named a step that had passed."""
    for switch in switches:
        session.context = (
            f"putting {switch.name}.{switch.attr} back to its value when your code loaded (before each case)"
        )
        session.setattr(switch.holder, switch.attr, switch.value)
