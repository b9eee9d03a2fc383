"""Module-level switches every case starts with as the submission loaded them.

The cases of a phase run one after another in one student process. A case that leaves a switch of the
student's module changed hands the change to every later case: DeZero's `using_config` without
`try/finally` (or without restoring the old value at all) leaves `Config.enable_backprop` False after the
no-grad case, and every later case then builds graphs with no creator, so one mistake in `no_grad` cost
17 of 53 points instead of the one check that sees it. The adapter names its family's switches
(`AdapterBase.SWITCHES`: a holder's name and an attribute, or a key when the holder is a dict); their values
are kept when the submission loads and put back before each case.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from .failures import StudentFailure
from .names import StudentNames
from .remote import Ref, Session

# A holder written `Name.attr...`: a name of the submission, then attributes read from it. The globals of the
# module a function was defined in are where `global enable_backprop` writes and a bare `enable_backprop`
# reads (the function's `__globals__`, a dict: the switch is kept by key).
GLOBALS = "__globals__"


@dataclass(frozen=True)
class Switch:
    """`holder.attr` (or `holder[attr]`, `keyed`, for a dict) as loaded: the holder and the value, handles
    kept in the student's process; `name`: the holder's name in the submission (`Config`), for a message."""

    holder: Ref
    attr: str
    value: Ref | bool
    name: str = ""
    keyed: bool = False
    left_off: bool = False  # loaded False, a switch every case needs on: put back True instead

    def shown(self) -> str:
        if self.name.endswith(f".{GLOBALS}"):
            return f"the global {self.attr}"  # a bare module global: the student wrote no holder
        return f"{self.name}[{self.attr!r}]" if self.keyed else f"{self.name}.{self.attr}"


def keep(
    session: Session,
    names: StudentNames,
    wanted: Sequence[tuple[str, str]],
    on: frozenset[str] = frozenset(),
) -> tuple[Switch, ...]:
    """The switches the submission defines, read right after it loaded (none that cannot be read). A holder
    is a class or an object (`Config.enable_backprop`) or a dict (`CONFIG['enable_backprop']`: a student's
    own way to keep the flag, whose using_config without a restore cost 17 of 53 points as the class's did:
    sample submissions/dezero/step18_dict_config_no_restore.py), or a path from a name (`Function.__call__.
    __globals__`: a bare module global, sample step18_global_flag_no_restore.py). A switch of `on` loaded
    False was turned off by code at the top level and never turned back (a demo whose no_grad or backward
    leaves Config.enable_backprop False): kept as True, marked `left_off` (sample
    book_step33_backprop_left_off/). The harness leaves out of `on` a name the code itself sets False (a
    Config whose `enable_backprop = False`, read by the parent: grader/defined.py defaults_off), graded as
    written: put back True, it scored 53 of 53 (sample step18_config_default_false.py)."""
    if not wanted:
        # Nothing to read, so no round trip: the load's queued lookups and class descriptions go with the
        # first case, which reports a student's error among them (hostile harness_unanswered_lookup.py).
        return ()
    try:
        names.ask([name.split(".")[0] for name, _ in wanted])  # every candidate holder in one round trip
        asked: list[tuple[str, Ref, str, Ref, Ref]] = []
        for name, attr in wanted:
            first, *path = name.split(".")
            holder = names.get(first)
            for step in path:  # queued with the rest: a step that is not there leaves a missing holder
                holder = None if holder is None else session.getattr(holder, step, missing_ok=True)
            if holder is not None:
                by_attr = session.getattr(holder, attr, missing_ok=True)
                asked.append((name, holder, attr, by_attr, session.getitem(holder, attr, missing_ok=True)))
        session.sync()
        kept = []
        for name, holder, attr, by_attr, by_key in asked:
            if not by_attr.missing or not by_key.missing:
                value, keyed = (by_attr, False) if not by_attr.missing else (by_key, True)
                if attr in on and value.kind == "bool" and value.desc.get("v") is False:
                    kept.append(Switch(session.pin(holder), attr, True, name, keyed, left_off=True))
                    continue
                kept.append(Switch(session.pin(holder), attr, session.pin(value), name, keyed))
        return tuple(kept)
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
            f"putting {switch.shown()} back to its value when your code loaded (before each case)"
        )
        if switch.keyed:
            session.setitem(switch.holder, switch.attr, switch.value)
        else:
            session.setattr(switch.holder, switch.attr, switch.value)


def left_off_warnings(switches: Sequence[Switch]) -> list[str]:
    """What to tell the student of each switch their code left off at import (`Switch.left_off`), each once:
    a bare module global is kept through several holders (Function.__call__'s globals, no_grad's), one dict
    (sample global_flag_demo: the warning was printed twice)."""
    said = (
        f"{switch.shown()} was False once your code had loaded: code at the top level (a demo using no_grad, "
        "using_config or backward) turned it off and never set it back, or was stopped while it was off, so "
        f"what your file ran after that built no graph. Every case starts with {switch.attr} True"
        # a student with no Config class is not told what "the book's Config" does with a flag of theirs
        f"{', as the book' + chr(39) + 's Config sets it' if switch.name.startswith('Config') else ''}; "
        "a with block or a backward that changes it must put the old value back (try/finally)"
        for switch in switches
        if switch.left_off
    )
    return list(dict.fromkeys(said))
