"""What a student reads when a name the assignment grades is missing: "no class Linear in mf.py; found
Lineer (did you mean Lineer?)".

A module of its own because the harness writes these messages too (names.py) and imports nothing of the
submission's loading: importing student.py would give the harness the loader, the stand-ins and their imports
(~15 ms of its start, on the path of every cold `grader check`).
"""

from __future__ import annotations

import difflib
from collections.abc import Collection, Sequence

from .failures import StudentFailure

_MAX_NEAR = 3
_MAX_FOUND = 6


def method_words(qualified: str, function: str = "") -> str:
    """Where a missing function was written as a method: `Graph.topological_sort`, `Network.Graph.
    topological_sort` (a nested class), `Graph.topological_sort inside the function build_graph` (a class
    defined in a function). The load's missing line and the parent's stage line say it in these words."""
    return f"{qualified} inside the function {function}" if function else qualified


# How the parent's reading words a class defined under the module's `if __name__ == "__main__":` block
# (grader/defined.py nested_class_methods): `Sigmoid under if __name__ == "__main__"`
UNDER_MAIN = ' under if __name__ == "__main__"'
# The block as the messages show it, the case's and the stage line's alike
MAIN_BLOCK = '`if __name__ == "__main__":`'


def nested_reason(name: str, places: Sequence[str]) -> str | None:
    """Why a class the grader looks up at a module's top level is not there, when the parent's reading of
    the source (grader/defined.py `nested_methods`: `Network.Sigmoid`, `Sigmoid inside the function make`)
    found it nested: "missing" alone sent the student looking for a class they wrote (s32). None for a
    function (a method of a class is the missing line's "you defined Graph.name") or a class not nested."""
    if not name[:1].isupper():
        return None
    for place in places:
        if place == f"{name}{UNDER_MAIN}":
            return (
                f"class {name} is defined under {MAIN_BLOCK}, which runs only when the file "
                "is run as a script, never when the grader imports it: move the class above that block, "
                "unindented"
            )
        qualified, _, function = place.partition(" inside the function ")
        owner, dot, last = qualified.rpartition(".")
        if last != name:
            continue
        around = f"class {owner}" + (f" (itself inside the function {function})" if function else "")
        where = around if dot else f"the function {function}"
        alias = f", or add `{name} = {owner}.{name}` below class {owner}" if dot and not function else ""
        return (
            f"class {name} is defined inside {where}; the grader looks for it at the module's top level, "
            f"where Python never binds it: unindent it to the top level{alias}"
        )
    return None


def _noun(name: str) -> str:
    return "class" if name[:1].isupper() else "function"


def near_names(name: str, defined: Sequence[str]) -> list[str]:
    """Defined names a student may have meant: same name in another case, then close spellings; names of the
    same kind first (a capital for a class, none for a function): a missing class Sigmoid beside the class
    Sigmiod and the book's function sigmoid is "did you mean Sigmiod?", never the helper function."""
    same_case = [d for d in defined if d.lower() == name.lower()]
    close = difflib.get_close_matches(name, defined, n=_MAX_NEAR, cutoff=0.6)
    lowered = {d.lower(): d for d in defined}
    close_ci = [lowered[c] for c in difflib.get_close_matches(name.lower(), list(lowered), n=_MAX_NEAR)]
    found = list(dict.fromkeys(same_case + close + close_ci))
    found.sort(key=lambda d: d[:1].isupper() != name[:1].isupper())  # stable: each kind keeps its order
    return found[:_MAX_NEAR]


def missing_failure(
    name: str,
    modules: Sequence[str],
    defined: Sequence[str],
    blocked: StudentFailure | None,
    reason: str | None = None,
    wanted: Collection[str] = (),
) -> StudentFailure:
    """ "no class Linear in a.py; found Lineer (did you mean Lineer?)", or the load failure that hid it;
    `reason` says why when the load knows ("never defined: the module stopped at line 89 ..."), and then
    nothing else is offered: the names read from the source were never defined either, and a near name is
    no typo. A name the assignment asks for itself (`wanted`: AddLayer for MulLayer) is never "meant"."""
    where = ", ".join(modules) or "the submission"
    defined = [d for d in defined if d != name]  # defined yet refused (a stand-in): never "meant" for itself
    near = [] if reason else [n for n in near_names(name, defined) if n not in wanted]
    found = (
        []
        if reason
        else list(dict.fromkeys(near + [d for d in defined if d[:1].isupper() == name[:1].isupper()]))
    )
    text = f"no {_noun(name)} {name} in {where}"
    if reason:
        text += f": {reason}"
    if found:
        more = len(found) - _MAX_FOUND
        text += f"; found {', '.join(found[:_MAX_FOUND])}" + (f" and {more} more" if more > 0 else "")
    if near:
        text += f" (did you mean {near[0]}?)"
    if blocked is not None:
        return StudentFailure(blocked.code, f"{text}; {blocked.message}", blocked.detail)
    return StudentFailure("missing_name", text)
