"""Guess which assignment a submission is for, from the names its source defines (read as text, never run)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import TYPE_CHECKING

from grader import course_bases, imported, untrusted
from grader.defined import top_level_names
from grader.inside import aliases as naming
from grader.loaders import nothing_written
from grader.stages import PART_SEPARATOR, Stage, inference_requires

if TYPE_CHECKING:
    from grader.assignments import Assignment

_DEFINED = re.compile(rb"^[ \t]*(?:class|def)[ \t]+([A-Za-z_][A-Za-z0-9_]*)", re.MULTILINE)
_CLASS = re.compile(rb"^[ \t]*class[ \t]+([A-Za-z_][A-Za-z0-9_]*)", re.MULTILINE)


@dataclass(frozen=True)
class Candidate:
    """An assignment as inference sees it: its required names, the names each of its stages requires, and
    every name it grades (required, optional and the stages')."""

    id: str
    required: tuple[str, ...]
    stages: tuple[tuple[str, ...], ...] = ()
    known: tuple[str, ...] = ()
    # The names each of `stages` grades (beside it, same order): its own and its `extends` chain's required,
    # optional and detected classes. Empty: every name the assignment grades (`required` + `known`).
    graded: tuple[tuple[str, ...], ...] = ()
    modules: tuple[str, ...] = ()  # the files the manifest grades (miniflow.py, ch05/layer_naive.py)
    # Course files it does not grade, (path, what, names): its support files (the book's common/functions.py,
    # which the grader supplies itself) and the manifest's `ungraded_modules` (common/optimizer.py).
    ungraded: tuple[tuple[str, str, tuple[str, ...]], ...] = ()
    # The family's other spellings of a name it grades, lowered, (spelling, name): `affinelayer` is
    # `affine` (grader/inside/aliases.py), as grading and stage inference read them.
    spellings: tuple[tuple[str, str], ...] = ()
    # Whose the ungraded course files are, as a refusal names them: "the book's" (DLFS, DeZero), "the
    # course's" (MiniFlow's lesson files).
    whose: str = "the book's"
    # The stages' names, beside `stages` (the last entry, `required`, has none): a note names the stage
    # that grades what the inferred assignment does not (`graded_elsewhere`).
    stage_names: tuple[str, ...] = ()
    # The course family (miniflow, dezero, layers): a name is contested only between assignments of one
    # family; across families one spelling is another API (DeZero's Sigmoid is a Function, not a layer).
    family: str = ""

    def named(self, names: set[str]) -> set[str]:
        """`names` (lowered) with the name each of this family's spellings stands for."""
        return names | {name for spelling, name in self.spellings if spelling in names}


def candidate(assignment: Assignment) -> Candidate:
    """`assignment` as inference sees it: each stage by the names inference looks for (docs/STAGES.md)."""
    by_name = {s.name: s for s in assignment.stages}
    stages = tuple(inference_requires(s, by_name) for s in assignment.stages)
    known = tuple(dict.fromkeys((*assignment.optional, *(n for st in stages for n in st))))
    return Candidate(
        id=assignment.id,
        required=assignment.required,
        stages=(*stages, assignment.required),
        known=known,
        graded=(*(_graded_by(s, by_name) for s in assignment.stages), (*assignment.required, *known)),
        modules=assignment.modules,
        ungraded=(*_support_names(assignment), *assignment.ungraded_modules),
        spellings=tuple(
            (spelling.lower(), name.lower())
            for name, spellings in naming.for_inference(assignment.family).items()
            for spelling in spellings
            if spelling.lower() != name.lower()
            and "." not in name  # `layers.Linear` is no spelling of a name
        ),
        whose=_WHOSE.get(assignment.family, "the book's"),
        stage_names=tuple(s.name for s in assignment.stages),
        family=assignment.family,
    )


def _graded_by(stage: Stage, stages: Mapping[str, Stage]) -> tuple[str, ...]:
    """The names a stage grades, as inference ranks it: what it and its `extends` chain require, make
    optional or detect (dlfs-layers' default: chapter 5's six layers and TwoLayerNet). dlfs-advanced's
    `optimizers` grades the six optimizers and nothing of a chapter-5 file's layers."""
    names: list[str] = []
    seen: set[str] = set()
    current: Stage | None = stage
    while current is not None and current.name not in seen:
        seen.add(current.name)
        detected = (n for group in current.detect for n in group)
        names += (*current.requires, *current.optional_classes, *detected)
        current = stages.get(current.extends) if current.extends else None
    return tuple(dict.fromkeys(names))


# The families whose course files are a lesson's, not a book's.
_WHOSE = {"miniflow": "the course's"}


_SUPPORT_WHAT = "helper functions the grader supplies itself"


def _support_names(assignment: Assignment) -> Iterator[tuple[str, str, tuple[str, ...]]]:
    """The public top-level names of each support file the assignment ships (read as text)."""
    for rel, data in assignment.support_bytes().items():
        names = tuple(n for n in top_level_names(data) if not n.startswith("_"))
        if names:
            yield rel, _SUPPORT_WHAT, names


def defined_names(files: Mapping[str, bytes]) -> set[str]:
    names: set[str] = set()
    for rel, data in files.items():
        if rel.endswith(".py"):
            names.update(m.decode("ascii", "replace") for m in _DEFINED.findall(data))
    return names


def _ranking(names: set[str], pool: list[Candidate]) -> list[tuple[float, str]]:
    """(score, id), best first. A file is usually one step of a course: an assignment one of whose stages
    the files define completely wins over one they only half cover (a lone `two_layer_net.py` defines only
    TwoLayerNet: the whole of dlfs-layers' stage two-layer-net, 0 of its six required names). Among such
    assignments, the one that grades more of the defined names: the book's common/layers.py as of chapter 6
    completes dlfs-layers' `layers` (4 names) and dlfs-advanced's `ch06`, which also grades its Dropout and
    BatchNormalization. Only the names the complete stage grades count (`Candidate.graded`): chapter 5's
    seven names in dlfs-layers beat dlfs-advanced's `optimizers` (six). A defined name the assignment grades
    elsewhere but this stage leaves unchecked counts against the stage (`_stage_score`). No stage complete
    anywhere: the share of each assignment's required names defined."""

    named = {c.id: c.named(names) for c in pool}
    # A candidate counts only the names a stage the files complete grades: dlfs-advanced knows chapter 5's
    # Relu, Affine and SoftmaxWithLoss, but its stage `optimizers` grades none of them, and a chapter-5 file
    # that also holds the book's optimizers was graded there, its layers never checked.
    complete_at = {c.id: [_graded(c, i) for i in _complete(c, named[c.id])] for c in pool}

    def contested(c: Candidate) -> set[str]:
        """The names c grades that another assignment of its family grades at a complete stage: across
        families a shared spelling is no contest (a DeZero step with its own Sigmoid and ReLU Functions was
        dlfs-layers' `activations`, every case an error: review of s22-real3, finding 1)."""
        others = {n for o in _kin(c, pool) for g in complete_at[o.id] for n in g}
        return {n.lower() for n in (*c.required, *c.known)} & others

    bound = len(names) + 1  # more than any stage grades: one name left unchecked outweighs them all
    fought = {c.id: contested(c) for c in pool}
    best = {
        c.id: max(
            (_stage_score(named[c.id], g, fought[c.id], bound) for g in complete_at[c.id]), default=None
        )
        for c in pool
    }
    # Two assignments tied on that score are told apart as before it (the defined names the best complete
    # stage grades), a fraction below one: a chapter-6 BatchNormalization file beside the book's optimizers
    # tied 4 to 4 and read "cannot tell" where it was dlfs-advanced (review of s22-real3, finding 4).
    raw = {c.id: max((len(named[c.id] & g) for g in complete_at[c.id]), default=0) for c in pool}
    complete = [c for c in pool if best[c.id] is not None]
    if complete:
        scored = [(float(best[c.id] or 0) + raw[c.id] / (2 * bound), c.id) for c in complete]
    else:
        scored = [
            (sum(r.lower() in named[c.id] for r in c.required) / max(1, len(c.required)), c.id) for c in pool
        ]
    return sorted(scored, reverse=True)


def _kin(c: Candidate, pool: Iterable[Candidate]) -> list[Candidate]:
    """The other assignments of c's family (dlfs-layers and dlfs-advanced are both the book's layers)."""
    return [o for o in pool if o.id != c.id and o.family == c.family]


def _complete(c: Candidate, named: set[str]) -> list[int]:
    """The indexes of c's stages whose required names `named` (lowered, spellings read) all holds."""
    return [i for i, s in enumerate(c.stages) if s and all(r.lower() in named for r in s)]


def _graded(c: Candidate, i: int) -> set[str]:
    """The names (lowered) stage i of c grades."""
    return {n.lower() for n in (c.graded[i] if i < len(c.graded) else (*c.required, *c.known))}


def _stage_score(named: set[str], graded: set[str], contested: set[str], bound: int) -> int:
    """The defined names a complete stage grades, a stage leaving `contested` ones unchecked ranking below
    every stage that leaves none (`bound` exceeds any count): names its own assignment grades at another
    stage, which another assignment's complete stage would grade. Chapter 5's common/layers.py beside the
    book's common/optimizer.py (copied with the rest of common/, no ch05/) was dlfs-advanced's `optimizers`:
    six names against dlfs-layers' `layers` (four), and the Relu, Affine and SoftmaxWithLoss dlfs-advanced
    itself grades at `ch06` never ran. Subtracting them alone (6 - 3) tied with a layers.py without Sigmoid
    (three): "cannot tell". A name the assignment never grades (an optimizer, to dlfs-layers) costs nothing:
    the check names the assignment that grades it (`graded_elsewhere`); nor does one no other assignment
    would grade (DeZero's Variable beside step 42's mean_squared_error is still DeZero's step 1)."""
    return len(named & graded) - bound * len(named & (contested - graded))


_NOTE_FILES = 3  # files a note names before "and N more"


def graded_elsewhere(files: Mapping[str, bytes], candidates: Iterable[Candidate], chosen: str) -> str | None:
    """The defined names the `chosen` assignment grades nowhere, which another assignment's complete stage
    grades, as a note: chapter 5's common/layers.py is graded beside the book's common/optimizer.py, whose
    six optimizers dlfs-layers never runs (`_stage_score`); the student is told they went ungraded and how
    to check them. None when every such name is the chosen assignment's or no other assignment grades it."""
    pool = list(candidates)
    mine = next((c for c in pool if c.id == chosen), None)
    if mine is None:
        return None
    # the course's helper files (a copied common/functions.py: sigmoid, which DeZero grades) are no work
    support = {path for c in pool for path, _, _ in c.ungraded}
    work = {rel: data for rel, data in files.items() if not any(_is(rel, path) for path in support)}
    spelt = defined_names(work) - _helpers(pool)
    lowered = {n.lower() for n in spelt}
    own = mine.named(lowered) & {n.lower() for n in (*mine.required, *mine.known)}
    # only an assignment of the same family: across families a shared name is another API (DeZero's
    # TwoLayerNet(Model) at step 45 was sent to dlfs-layers, every case an error: review of s22-real3)
    for other in _kin(mine, pool):
        named = other.named(lowered)
        # another piece of work: a complete stage grading none of what `chosen` grades (the optimizers
        # beside chapter 5's layers; not dlfs-layers' `activations` beside chapter 6's Relu and Sigmoid)
        stages = [i for i in _complete(other, named) if not named & _graded(other, i) & own]
        picked = _covering_stages(other, named, stages)
        left = {
            n
            for n in spelt
            if n.lower() not in own and any(other.named({n.lower()}) & _graded(other, i) for i in picked)
        }
        if not left:
            continue
        shown = sorted(left, key=lambda n: (n.lower(), n))
        where = sorted(rel for rel, data in work.items() if rel.endswith(".py") and _defines(data, left))
        # several pieces (the optimizers and common/multi_layer_net.py's MultiLayerNet): one combined stage
        parts = [other.stage_names[i] for i in picked if i < len(other.stage_names)]
        stage = f" --stage {PART_SEPARATOR.join(parts)}" if len(parts) == len(picked) else ""
        # at most a few files named: 189 copies made one line of 15,422 characters, the command that
        # checks them at its end (review of s22-real3, finding 5); capped as any untrusted message too
        named_files = ", ".join(untrusted.name(w) for w in where[:_NOTE_FILES])
        if len(where) > _NOTE_FILES:
            named_files += f" and {len(where) - _NOTE_FILES} more"
        return untrusted.message(
            f"your code also defines {', '.join(untrusted.name(n) for n in shown)}"
            f" ({named_files}), which {chosen} does not grade: {other.id} "
            f"grades {'it' if len(shown) == 1 else 'them'} (grader check --assignment {other.id}{stage})"
        )
    return None


def _covering_stages(c: Candidate, named: set[str], stages: list[int]) -> list[int]:
    """Of `stages`, the one grading most of `named`, then each grading names not yet covered, in manifest
    order."""
    covered: set[str] = set()
    picked: list[int] = []
    while True:
        best = max(stages, key=lambda i: (len((named & _graded(c, i)) - covered), -i), default=None)
        if best is None or not (named & _graded(c, best)) - covered:
            return sorted(picked)
        picked.append(best)
        covered |= named & _graded(c, best)


def _is(rel: str, path: str) -> bool:
    """rel is the course file `path`, at the top or in a chapter folder (ch05/common/functions.py)."""
    return rel == path or rel.endswith("/" + path)


def _defines(data: bytes, names: set[str]) -> bool:
    return any(m.decode("ascii", "replace") in names for m in _DEFINED.findall(data))


def _helpers(pool: list[Candidate]) -> set[str]:
    """Names of course files no assignment grades (`sigmoid`, `softmax`, `im2col`, `SGD`), as spelt there:
    they say nothing of the assignment (common/functions.py's `relu` and `sigmoid` matched dlfs-layers' Relu
    and Sigmoid, compared without case, and the file was graded as that assignment: 0 of 43). A name some
    assignment grades (DeZero's `mean_squared_error`) still counts."""
    graded = {n for c in pool for n in (*c.required, *c.known)}
    return {n for c in pool for _, _, names in c.ungraded for n in names} - graded


def _lowered(files: Mapping[str, bytes], pool: list[Candidate]) -> set[str]:
    return {n.lower() for n in defined_names(files) - _helpers(pool)}


# The packages a course's files are imported from, by family (docs/STAGES.md): DeZero's dezero/, the DLFS
# book's common/, ch05/ and ch07/ folders, MiniFlow's miniflow.py. Not `layers` (DLFS's layers.py, also a
# DeZero module's name) nor `steps` (DeZero's step scripts import dezero; no one imports steps).
PACKAGES: dict[str, tuple[str, ...]] = {
    "dezero": ("dezero",),
    "layers": ("common", "ch05", "ch07"),
    "miniflow": ("miniflow",),
}


def _graded_names(c: Candidate) -> set[str]:
    return {n.lower() for n in (*c.required, *c.known)}


def _matching(c: Candidate, classes: set[str]) -> set[str]:
    """The classes (lowered) among `classes` that c grades, under one of its family's spellings or not."""
    graded = _graded_names(c)
    return {n for n in classes if c.named({n}) & graded}


def _built_on(files: Mapping[str, bytes], pool: list[Candidate], everyone: list[Candidate]) -> str:
    """ " (Conv2d and Pooling are built on the dezero package, not dlfs-advanced's)": why the names another
    family grades are not graded as that family's (`imported_family`)."""
    family = pool[0].family if pool else ""
    others = [c for c in everyone if c.family != family]
    built = course_bases.class_packages(files)
    classes = {n for n in built if any(_matching(c, {n.lower()}) for c in others)}
    if not classes:
        return ""
    shown = sorted(classes, key=lambda n: (n.lower(), n))
    named = ", ".join(shown[:3]) + (" ..." if len(shown) > 3 else "")
    ids = " and ".join(dict.fromkeys(c.id for c in others if _matching(c, {n.lower() for n in classes})))
    verb = "is" if len(shown) == 1 else "are"
    used = sorted({p for n in classes for p in built[n]} & set(PACKAGES.get(family, ())))  # common, not ch05
    packages = " and ".join(used) + (" packages" if len(used) > 1 else " package")
    return f" ({named} {verb} built on the {packages}, not {ids}'s)"


def imported_family(files: Mapping[str, bytes], pool: Iterable[Candidate]) -> str | None:
    """The one family F whose package (PACKAGES) the classes another family would grade are built on: every
    class of the files that another family's assignment grades subclasses a base imported from F's package,
    or uses a name imported from it, and no other family's (grader/course_bases.py). DeZero's
    functions_conv.py: `class Conv2d(Function)`, `from dezero.core import Function` (or `from .core import
    Function`). None when no class matches another family, or one does that is not built on F's package (a
    chapter-5 file with `import dezero` in its `__main__` block, a docstring or a notebook cell; MiniFlow's
    miniflow.py beside the DLFS book's files): its names decide, as before session 24 (review of s24-dz48,
    finding 1)."""
    candidates = list(pool)
    classes = {
        m.decode("ascii", "replace").lower()
        for rel, data in files.items()
        if rel.endswith(".py")
        for m in _CLASS.findall(data)
    }
    matched: dict[str, set[str]] = {c.family: set() for c in candidates}
    for c in candidates:
        matched[c.family] |= _matching(c, classes)
    if not any(matched.values()):
        return None  # nothing any family would grade: no need to parse
    family_of = {package: family for family, packages in PACKAGES.items() for package in packages}
    on: dict[str, set[str]] = {}  # class (lowered) -> the families whose package it is built on
    for name, packages in course_bases.class_packages(files).items():
        on.setdefault(name.lower(), set()).update(family_of[p] for p in packages if p in family_of)
    found: set[str] = set()
    for family in matched:
        others = {n for f, names in matched.items() if f != family for n in names}
        if others and all(on.get(n) == {family} for n in others):
            found.add(family)
    return found.pop() if len(found) == 1 else None


def same_family(files: Mapping[str, bytes], candidates: Iterable[Candidate]) -> list[Candidate]:
    """The candidates of the family the files' classes are built on (`imported_family`), or all of them.
    DeZero's step-57 functions_conv.py (classes Conv2d, Pooling, Im2col: Function subclasses) completed
    dlfs-advanced's stage `conv` (Conv2d is one of Convolution's spellings) and was graded there: every case
    an error for the missing dezero, 0 of 14 (session 24). A DeZero class is DeZero's, whatever another book
    calls its classes."""
    pool = list(candidates)
    family = imported_family(files, pool)
    narrowed = [c for c in pool if c.family == family]
    return narrowed or pool


def best_match(files: Mapping[str, bytes], candidates: Iterable[Candidate]) -> str | None:
    """The assignment the files are for (`_ranking`) among those of the family whose package they import
    (`same_family`); None when nothing matches or two match equally: the user chooses, told why by
    `no_match_reason`."""
    pool = same_family(files, candidates)
    scored = _ranking(_lowered(files, pool), pool)
    if not scored or scored[0][0] == 0 or (len(scored) > 1 and scored[0][0] == scored[1][0]):
        return None
    return scored[0][1]


_SHOWN = 6  # defined names listed in a refusal


def no_match_reason(files: Mapping[str, bytes], candidates: Iterable[Candidate]) -> str:
    """Why `best_match` gave None, for the student: the assignments the code fits equally (the book's whole
    repository holds chapter 5's and chapters 6-7's layers), or the names it defines when no assignment
    grades any of them (common/optimizer.py: SGD, Momentum, AdaGrad, Adam), or none of the family's whose
    package the files import (`same_family`: DeZero's functions_conv.py is not told "no assignment", which
    dlfs-advanced's Convolution would belie)."""
    everyone = list(candidates)
    pool = same_family(files, everyone)
    scored = _ranking(_lowered(files, pool), pool)
    if scored and scored[0][0] > 0:
        tied = [cid for score, cid in scored if score == scored[0][0]]
        return f"your code fits {' and '.join(tied)} equally"
    unreadable = sorted(rel for rel, data in files.items() if rel.endswith(".py") and b"\x00" in data)
    if unreadable:  # UTF-16 without a byte-order mark: no definition can be read, nor run by Python
        name = untrusted.name(unreadable[0])
        return f"{name} holds NUL bytes (saved as UTF-16?) and cannot be read: save it as UTF-8"
    found, classes, shown = _definitions(files)
    broken = _syntax_error(files)
    if not classes:
        return broken or nothing_written(files) or "your code defines no class or function"
    # A file that does not parse does not run: likely the real reason, which "pass --assignment" alone hid
    because = f" ({broken}: Python cannot run it)" if broken else ""
    # names an assignment grades without requiring them (DeZero's Mul, a later step's): not "graded nowhere"
    names = _lowered(files, pool)
    grading = [c for c in pool if c.named(names) & _graded_names(c)]
    if grading:
        which = " and ".join(c.id for c in grading)
        grades = "grades" if len(grading) == 1 else "grade"  # "miniflow and dezero and ... grades" was said
        graded = sorted(
            (
                n
                for n in defined_names(files) - _helpers(pool)
                if any(_matching(c, {n.lower()}) for c in grading)
            ),
            key=lambda n: (n.lower(), n),
        )
        if set(classes) <= set(graded):
            return (
                f"your code defines {shown}, which {which} {grades}, but none of the names it "
                f"requires{because}"
            )
        # only some of them: "AddLayer, Affine ... which dezero grades" was said of a chapter-5 file whose
        # Sigmoid alone dezero grades (review of s24-dz48, finding 4)
        some = ", ".join(graded[:_SHOWN]) + (
            f" and {len(graded) - _SHOWN} more" if len(graded) > _SHOWN else ""
        )
        return (
            f"your code defines {shown}; {which} {grades} {some}, but none of the names it requires{because}"
        )
    others = _ranking(_lowered(files, everyone), everyone)
    if len(pool) < len(everyone) and others and others[0][0] > 0:  # another family's names, not its own
        which = " and ".join(c.id for c in pool) + (" does" if len(pool) == 1 else " do")
        later = _later_steps(pool, found)
        if later:
            return f"your code defines {shown}, which {which} not grade yet{later}{because}"
        # not "yet": no later step of the course holds them (review of s24-dz48, finding 4)
        return (
            f"your code defines {shown}, which {which} not grade{_built_on(files, pool, everyone)}{because}"
        )
    return f"your code defines {shown}, and no assignment grades any of them{because}"


def _definitions(files: Mapping[str, bytes]) -> tuple[set[str], list[str], str]:
    """The files' unindented definitions (a class's methods, `__init__` and `update`, say nothing about
    the file), sorted (Mul before mul, whatever the set order), and as a refusal lists them."""
    found = {n for rel, data in files.items() if rel.endswith(".py") for n in top_level_names(data)}
    classes = sorted(found, key=lambda n: (n.lower(), n))
    shown = ", ".join(classes[:_SHOWN]) + (
        f" and {len(classes) - _SHOWN} more" if len(classes) > _SHOWN else ""
    )
    return found, classes, shown


def _later_module_alone(files: Mapping[str, bytes], pool: list[Candidate]) -> str | None:
    """A module of a later step of one family's package handed in alone, its classes built on that package
    and defining no name any assignment grades: DeZero's step-50 dezero/dataloaders.py (DataLoader, using
    `from dezero import cuda`) was "cannot tell which assignment this is: ... no assignment grades any of
    them; pass --assignment", where --assignment dezero grades nothing of it. Told as functions_conv.py is:
    not graded yet, and what to hand in."""
    family_of = {package: family for family, packages in PACKAGES.items() for package in packages}
    built = course_bases.class_packages(files)
    used = {family_of[p] for packages in built.values() for p in packages if p in family_of}
    narrowed = [c for c in pool if c.family in used]
    if len(used) != 1 or len(narrowed) != 1:
        return None
    found, _, shown = _definitions(files)
    later = _later_steps(narrowed, found)
    if not later:
        return None
    c = narrowed[0]
    whole = _whole_package(files, narrowed)
    at = _graded_at(c, found)
    if not at:
        return f"your code defines {shown}, which {c.id} does not grade yet{later}" + whole
    # DataLoader is graded at stage step50 since session 32: "does not grade yet" was untrue of it, and of
    # any later module whose classes a stage grades (the stage needs the rest of the package beside it)
    stages = dict.fromkeys(at.values())
    where = "; ".join(f"{', '.join(n for n in at if at[n] == stage)} at stage {stage}" for stage in stages)
    from grader.later_steps import LATER_NAMES

    table = LATER_NAMES.get(c.family, {})
    ungraded = sorted((n for n in found if n in table and n not in at), key=lambda n: (table[n], n))
    listed = ", ".join(f"{n} (step {table[n]})" for n in ungraded[:_SHOWN])
    yet = f", and does not grade {listed} yet" if ungraded else ""
    return f"your code defines {shown}; {c.id} grades {where}, not on its own{yet}" + whole


def _graded_at(c: Candidate, found: Iterable[str]) -> dict[str, str]:
    """The later step's names among `found` that a stage of c grades -> that stage: the stage named for the
    name's step (step50 for DataLoader, graded by its cases' step kind, not by a required name), unless no
    case runs it there (later_steps.NO_CASE: get_spiral); else the first stage requiring, making optional or
    detecting it. Sorted by step, then name."""
    from grader.inside.choice import stage_step
    from grader.later_steps import LATER_NAMES, NO_CASE

    table = LATER_NAMES.get(c.family, {})
    unrun = NO_CASE.get(c.family, frozenset())
    by_step = {int(n): s for s in c.stage_names if (n := stage_step(s)) is not None}
    at: dict[str, str] = {}
    for name in sorted((n for n in found if n in table and n not in unrun), key=lambda n: (table[n], n)):
        named = by_step.get(table[name])
        grading = (s for s, names in zip(c.stage_names, c.graded, strict=False) if name in names)
        stage = named or next(grading, None)
        if stage is not None:
            at[name] = stage
    return at


def _later_steps(pool: list[Candidate], found: set[str]) -> str:
    """ " (code of step 57: Conv2d, conv2d_simple, im2col ...)": the course's later steps `found` holds names
    of (grader/later_steps.py), for a family's file no stage grades."""
    from grader.later_steps import LATER_NAMES

    table = {name: step for c in pool for name, step in LATER_NAMES.get(c.family, {}).items()}
    steps = sorted({table[n] for n in found if n in table})
    if not steps:
        return ""
    names = sorted((n for n in found if table.get(n) in steps), key=lambda n: (table[n], n.lower(), n))
    which = (
        f"steps {', '.join(map(str, steps[:-1]))} and {steps[-1]}" if len(steps) > 1 else f"step {steps[0]}"
    )
    more = " ..." if len(names) > 3 else ""
    return f" (code of {which}: {', '.join(names[:3])}{more})"


def _syntax_error(files: Mapping[str, bytes]) -> str | None:
    """The first Python file (in path order, within the parent's parse budget) that does not parse, with
    its line and Python's words for it: `hw.py has a syntax error at line 3 ('(' was never closed)`."""
    from grader import pyparse

    python = ((rel, data) for rel, data in files.items() if rel.endswith(".py"))
    for rel, data, fits in pyparse.within_budget(python):
        if not fits:
            continue
        try:
            pyparse.parse_module(data, rel)
        except SyntaxError as err:
            words = untrusted.name(str(err.msg or "invalid syntax"))
            # no line for a file Python cannot decode (an unknown coding line): "at line None" said nothing
            where = f" at line {err.lineno}" if err.lineno else ""
            return f"{untrusted.name(rel)} has a syntax error{where} ({words})"
        except Exception:  # too costly or deep to parse here: the load says what is wrong with it
            continue
    return None


def nothing_to_check(files: Mapping[str, bytes], candidates: Iterable[Candidate]) -> str | None:
    """Why the files hold nothing to grade under any assignment, when "pass --assignment" would not help:
    an empty or comments-only file, or a file that uses the course's classes without defining them (`nn.py`:
    `from miniflow import *`; grader/imported.py names the file to hand in). None otherwise."""
    pool = list(candidates)
    # Before the ranking: the book's common/functions.py defines `sigmoid` and `mean_squared_error`, which
    # DeZero's later steps also grade, and that partial match made it "pass --assignment" again.
    ungraded = ungraded_only(files, pool)
    if ungraded:
        return ungraded
    narrowed = same_family(files, pool)  # a DeZero file defining DLFS's names (Conv2d) is DeZero's
    scored = _ranking(_lowered(files, narrowed), narrowed)
    if scored and scored[0][0] > 0:
        return None
    written = nothing_written(files)
    if written:
        return written
    elsewhere = imported.elsewhere(files, (m for c in narrowed for m in c.modules)) or ungraded_import(
        files, narrowed
    )
    if elsewhere:
        return f"{no_match_reason(files, pool)}; {elsewhere}"
    # a family's package none of whose graded names it defines, which another family's names would have
    # matched (dezero/functions_conv.py in its folder): "pass --assignment" would grade every name missing
    everyone = _ranking(_lowered(files, pool), pool)
    other_family = len(narrowed) < len(pool) and bool(everyone) and everyone[0][0] > 0
    if not other_family:
        return _later_module_alone(files, pool)
    return no_match_reason(files, pool) + _whole_package(files, narrowed)


def package_left_out(files: Mapping[str, bytes], candidates: Iterable[Candidate], guess: str) -> str | None:
    """A module of a course package handed in without the rest of it (the book's dezero/functions.py alone:
    Exp, Sin, ... and `from dezero.core import Function, Variable`): the names every stage of `guess`
    requires that it lacks, the import that was to bring them, and what to hand in. Graded, every case was
    an error of `import dezero` under the default stage ("no module named 'dezero'"), as if any stage could
    be graded from it. None when the files define those names or import no course package they lack."""
    c = next((c for c in candidates if c.id == guess), None)
    if c is None or not c.stages or not PACKAGES.get(c.family):
        return None
    everywhere = set.intersection(*(set(s) for s in c.stages))
    names = c.named({n.lower() for n in defined_names(files)})
    lacking = sorted((n for n in everywhere if n.lower() not in names), key=lambda n: (n.lower(), n))
    if not lacking:
        return None
    packages = PACKAGES[c.family]
    modules = [m for m in c.modules if PurePosixPath(m).parts[0].removesuffix(".py") in packages]
    where = imported.elsewhere(files, modules, lacking)
    if where is None:
        return None
    found = {n for rel, data in files.items() if rel.endswith(".py") for n in top_level_names(data)}
    classes = sorted(found, key=lambda n: (n.lower(), n))
    shown = ", ".join(classes[:_SHOWN]) + (
        f" and {len(classes) - _SHOWN} more" if len(classes) > _SHOWN else ""
    )
    which = "the name" if len(lacking) == 1 else "the names"
    return (
        f"your code defines {shown}, but not {', '.join(lacking)}, {which} every stage of {c.id} "
        f"needs; {where}"
    )


def _whole_package(files: Mapping[str, bytes], pool: list[Candidate]) -> str:
    """ ": hand in the whole dezero/ package (dezero grades it up to stage step47)": the next step for a
    file of a later step of the family's package, handed in without the rest of it (review of s24-dz48,
    finding 4: book_step57_functions_conv was told what is not graded, not what to do)."""
    packages = PACKAGES.get(pool[0].family, ()) if pool else ()
    found = {n for rel, data in files.items() if rel.endswith(".py") for n in top_level_names(data)}
    if len(pool) != 1 or len(packages) != 1 or not _later_steps(pool, found) or not pool[0].stage_names:
        return ""
    c = pool[0]
    return f": hand in the whole {packages[0]}/ package ({c.id} grades it up to stage {c.stage_names[-1]})"


def ungraded_only(files: Mapping[str, bytes], pool: list[Candidate]) -> str | None:
    """A submission that defines only names of course files no assignment grades (the book's
    common/optimizer.py, common/functions.py): which file that is, that it is not graded, and what is. It was
    "cannot tell which assignment this is: ...; pass --assignment", which would grade every name missing."""
    found = {n for rel, data in files.items() if rel.endswith(".py") for n in top_level_names(data)}
    # every name is a course file's, one at least graded nowhere (functions.py's mean_squared_error is
    # also DeZero's; sigmoid beside it says whose file this is)
    listed = {n for c in pool for _, _, names in c.ungraded for n in names}
    if not found or not found <= listed or not found & _helpers(pool):
        return None
    owners = _covering(found, [(c, path, what, set(names)) for c in pool for path, what, names in c.ungraded])
    shown = ", ".join(sorted(found, key=lambda n: (n.lower(), n))[:_SHOWN])
    more = f" and {len(found) - _SHOWN} more" if len(found) > _SHOWN else ""
    return f"your code defines {shown}{more}: {_not_graded(owners, pool)}"


def _covering(
    found: set[str], files: list[tuple[Candidate, str, str, set[str]]]
) -> list[tuple[Candidate, str, str]]:
    """The course files that define `found`, fewest first: the one defining the most of it, then each that
    adds names not yet covered. The book's chapter-4 files share `tangent_line` and `function_2`, and
    gradient_2d.py's `numerical_gradient` is common/gradient.py's too: each file sharing one was named."""
    left = set(found)
    out: list[tuple[Candidate, str, str]] = []
    while left:
        best = max(files, key=lambda f: len(f[3] & left), default=None)
        if best is None or not best[3] & left:
            break
        # the same file shipped by several assignments (common/functions.py): each of them
        out.extend(f[:3] for f in files if f[1] == best[1] and f[3] == best[3])
        left -= best[3]
    return out


def _not_graded(owners: list[tuple[Candidate, str, str]], pool: list[Candidate]) -> str:
    """`owners` (assignment, path, what) as one clause: the book's files, that they are not graded, and what
    each of their assignments grades instead."""
    by_what: dict[tuple[str, str], list[str]] = {}
    for c, path, what in owners:  # files that are one thing said once: "a.py and b.py (what)"
        by_what.setdefault((c.whose, what), []).append(path)
    # whose each group is: the book's chapter-4 files beside the course's gd.py were all "the book's"
    paths = [
        f"{whose} {' and '.join(dict.fromkeys(files))} ({what})" for (whose, what), files in by_what.items()
    ]
    ids = list(dict.fromkeys(c.id for c, _, _ in owners))
    graded = "; ".join(
        f"{c.id} grades {', '.join(dict.fromkeys((*c.required, *c.known)))} (in {_book_files(c)})"
        for c in pool
        if c.id in ids
    )
    who = " and ".join(ids) + (" does" if len(ids) == 1 else " do")
    return (
        f"{' and '.join(paths)}, which {who} not grade; {graded}: check the file that defines "
        "them instead (or the folder that holds it)"
    )


def ungraded_import(files: Mapping[str, bytes], pool: list[Candidate]) -> str | None:
    """A script that uses a course file no assignment grades, which it does not hold (the book's
    ch06/optimizer_compare_naive.py: `from common.optimizer import *`): that import, and what is graded."""
    imports = imported.course_imports(files, (path for c in pool for path, _, _ in c.ungraded))
    if not imports:
        return None
    first = imports[0]
    owners = [(c, path, what) for c in pool for path, what, _ in c.ungraded if path == first.expected]
    where, line = imported.place(files, first)
    return f"{where} imports {first.module} (line {line}): {_not_graded(owners, pool)}"


def _book_files(c: Candidate) -> str:
    """The graded files as the book lays them out (common/layers.py), else as the manifest lists them."""
    shown = [m for m in c.modules if "/" in m] or list(c.modules)
    return ", ".join(shown)
