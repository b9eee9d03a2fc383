"""The student's own name of a class written in another script than the book's, for the report's messages.

A step-9 file's `class 二乗(Function)`, called by the book's `def square(x): return 二乗()(x)`, is graded as
Square (grader/inside/student.py `_behind_helper`; stage inference reads the same:
stage_scan._classes_behind), and its messages said "Square.backward uses the output y", a class the file
does not have. They now say "二乗.backward" (sample step09_japanese_class_names_square_from_output.py).

The judge's spelling (grader/judge/spelling.py) takes a name the student's process reports only from the
family's alias table, where no such name can be; this one is the parent's own reading of the source (the
class that very helper calls, where the code has no class of the book's name), never the process's claim.
"""

from __future__ import annotations

from collections.abc import Mapping

from grader import untrusted
from grader.fault import disowned
from grader.stage_scan import names_in

# Longer names are not worded into every message (a class name is the student's to choose, of any length).
MAX_SPELT = 40
# Letters Python takes in an identifier that show nothing (Unicode's default-ignorable Hangul fillers and
# Khmer inherent vowels): `class \u3164(Function)` was worded ".backward uses the output y", no class shown
# (review of s30-realdz). Python's NFKC keeps U+1160 and U+FFA0 as themselves and makes U+3164 U+1160.
_SHOWS_NOTHING = frozenset("\u115f\u1160\u3164\uffa0\u17b4\u17b5")


def _worded(spelt: str) -> bool:
    """A name a message can show as written: short, something visible in every character, left as it is by
    the report's own cleaning of names (no stack of combining marks past its limit), and holding none of the
    grader's wording of fault (`class 二乗_not_your_codes_fault` was the grader's own messages', blame's and
    title note's class: sample hostile/script_class_fault_wording.py); the book's name is said instead."""
    return (
        len(spelt) <= MAX_SPELT
        and not _SHOWS_NOTHING & set(spelt)
        and untrusted.name(spelt) == spelt
        and disowned(spelt, untrusted.NAME) == spelt
    )


def script_spellings(found: Mapping[str, str], files: Mapping[str, bytes]) -> dict[str, str]:
    """{required name: the student's class} ({"Square": "二乗"}) for each class of a non-ASCII name the source
    shows the book's helper calling, where the student's process found no class of the book's name (`found`:
    required name -> "module.Name"); {} for all others, nothing parsed where no file has a non-ASCII byte.
    Read in the file of the helper the process graded (`found[helper]` names its module): of two files
    whose `square` calls a class of its own, the process takes the one of its load order, and the first
    file here named the other's class (s37)."""
    python = {rel: data for rel, data in files.items() if rel.endswith(".py") and not data.isascii()}
    out: dict[str, str] = {}
    for rel, data in python.items():
        behind: Mapping[str, tuple[str, str]] = getattr(names_in({rel: data})[0], "behind", {})
        for name, (spelt, helper) in behind.items():
            where = found.get(helper)
            if name in found or where is None or not _worded(spelt):
                continue
            if _module_file(where.rsplit(".", 1)[0], files) == rel:
                out.setdefault(name, spelt)
    return out


def _module_file(module: str, files: Mapping[str, bytes]) -> str | None:
    """The file the process imported as `module`: the one whose dotted path is the module's name, else the
    one file whose stem it is (its folder on sys.path), else None (none, or several: nothing said)."""
    dotted = {rel: rel[:-3].replace("/", ".") for rel in files if rel.endswith(".py")}
    exact = [rel for rel, name in dotted.items() if name == module]
    if exact:
        return exact[0]
    by_stem = [rel for rel, name in dotted.items() if name.endswith("." + module)]
    return by_stem[0] if len(by_stem) == 1 else None
