"""Code of the course's steps after the last one an assignment grades, named on `grader check`'s stage line.

DeZero's stages ended at step 46 until session 23 (now step 47). A student's dezero/ of step 52 (get_item,
softmax_cross_entropy, DataLoader, `dezero.cuda`) was inferred `step46` and told "your code defines Variable,
Function, ..." and "all visible cases pass": nothing said that steps 47 to 52 are not graded, so a student
could take the full marks for the work of steps they had handed in. The stage line now says which later steps
the code reaches, by the names the book introduces there and by the file names (steps/step52.py), and that
only steps up to the last stage are graded. Read from the parsed source and the file names in the parent;
never what the code does.

Only what the student's library defines counts as a name: a module-level class or def of a file that is no
demo script. A demo's variable (`dropout = 0.2`), its own helper (`def accuracy` in steps/step46.py), a method
(`Parameter.clip`) and a loop's target are not code of a later step (review of s21-real2: each was told
"your code also has code of step NN"). A graded file's own name says nothing either: a step-46 file named
step47.py is graded, not "not graded".

Code inferred at an earlier stage than the last one is told about the steps up to the last one too, as
graded at their own stage: book_step46 with step 47's get_item appended is inferred step46 (no softmax yet),
and "the last step graded here" would be false; it reads "step 47's ... is graded at stage step47 (--stage
step47), which also needs softmax, softmax_cross_entropy" (review of s23-dz47, finding 3).
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable, Collection, Iterable, Mapping

from grader import pyparse
from grader.inside.choice import old_copy, stage_step
from grader.stages import Stage

# family -> a name the book introduces after DeZero's step 46 -> its step (dezero/functions.py, layers.py,
# models.py, dataloaders.py, datasets.py, cuda.py, utils.py of steps 47 to 60). Names a stage grades (Linear,
# MLP, SGD, MomentumSGD) are not here: a step-46 package defines them. Step 47's are graded since session 23:
# named for code inferred at an earlier stage (`note`, graded at stage step47). The one exception of an
# earlier step: step 43's first versions, linear_simple and sigmoid_simple, which stage step43 grades where
# the code lacks the classes (session 27; grader/inside/aliases.py DEZERO_COMPOSED), named for code
# inferred before it.
LATER_NAMES: dict[str, dict[str, int]] = {
    "dezero": {
        # step 43's first, composed versions: graded at step43 for a student who stopped there (session 27),
        # named here for code inferred at an earlier stage (sample book_step43_simple_only/)
        "linear_simple": 43,
        "sigmoid_simple": 43,
        "GetItem": 47,
        "get_item": 47,
        "GetItemGrad": 47,
        "softmax_simple": 47,
        "softmax1d": 47,
        "softmax_cross_entropy_simple": 47,
        "Softmax": 47,
        "softmax": 47,
        "SoftmaxCrossEntropy": 47,
        "softmax_cross_entropy": 47,
        "Clip": 47,
        "clip": 47,
        "get_spiral": 48,
        "Dataset": 49,
        "Spiral": 49,
        "DataLoader": 50,
        "accuracy": 50,
        "MNIST": 51,
        "get_array_module": 52,
        "as_cupy": 52,
        "dropout": 54,
        "test_mode": 54,
        "get_conv_outsize": 55,
        "im2col": 57,
        "col2im": 57,
        "conv2d": 57,
        "conv2d_simple": 57,
        "pooling": 57,
        "Conv2d": 57,
        "VGG16": 58,
        "RNN": 59,
        "SimpleRNN": 59,
        "LSTM": 60,
        "BetterRNN": 60,
    },
}
# family -> a method the book adds to its classes after step 46 (Layer.save_weights, Variable.to_gpu) -> its
# step: read as methods of a class, where LATER_NAMES are read as module-level definitions only (a student's
# own method named like a later function, Parameter.clip, is no code of step 47).
LATER_METHODS: dict[str, dict[str, int]] = {
    "dezero": {"to_gpu": 52, "to_cpu": 52, "save_weights": 53, "load_weights": 53},
}
# family -> names of steps up to the last stage that no case of any stage runs: the stage named for their
# step grades another name of it (stage step50 grades accuracy, Dataset and DataLoader, not the spiral data
# set), or none has a stage. Only names *after* the step code is graded at were told; the book's final
# package at step54 (save_weights) read "all visible cases pass" and nothing said its save_weights went unrun
# (session 32, sample book_step53/). Dataset and DataLoader left it when the step50-dataloader cases came
# (session 32: the case builds its own Dataset subclass, so Spiral and get_spiral stay unrun).
NO_CASE: dict[str, frozenset[str]] = {
    "dezero": frozenset({"get_spiral", "Spiral", "MNIST", "VGG16"}),
}
# Why no case runs one of them, where the student could not guess it (s35: a step-60 package with VGG16 was
# told nothing of it), worded for the assignment's memory limit (None: not known). Step 58's VGG16 downloads
# the book's weights only with pretrained=True (the review of s35: "it loads them by downloading" was untrue
# of VGG16() as the book defines it); built either way, its 138,357,544 parameters are 528 MiB of float32,
# above the 512 MiB the shipped manifests give a case's process, but a manifest may give 64 to 65536 MiB: a
# course giving 1 GiB was told "more than grading's 512 MiB" (s36 review): the limit is said only under it.
VGG16_BYTES = 138_357_544 * 4


def _vgg16_why(memory_mib: int | None) -> str:
    over = memory_mib is not None and memory_mib << 20 < VGG16_BYTES
    memory = f", more than grading's {memory_mib} MiB of memory," if over else ""
    return (
        f"its 138 million parameters are 528 MiB of float32{memory} and VGG16(pretrained=True) downloads the "
        "book's weights, which grading cannot: it runs with no network"
    )


NO_CASE_WHY: dict[str, Callable[[int | None], str]] = {"VGG16": _vgg16_why}
# Session 33 graded save_weights and load_weights at stage step53 alone (step54 and the later stages extended
# step50): they were told unrun at those stages. Since session 34 step54 grades step53's save/load cases too,
# where the code defines the methods (`optional_classes`, grader/stages.py STEP_METHODS), and so do the
# stages after it: every stage from step 53 on runs them.


_FAMILIES = tuple(NO_CASE)
_FILE = re.compile(r"(?:dezero[ _-]?)?step[ _-]?0*(\d{1,2})(?!\d)", re.IGNORECASE)  # as named_step's
_SHOWN = 3  # what the latest step defines, listed, then a count


def last_step(stages: Iterable[Stage]) -> int | None:
    """The latest step an assignment has a `stepNN` stage for (DeZero: 46), None without such stages."""
    steps = [int(n) for s in stages if (n := stage_step(s.name)) is not None]
    return max(steps) if steps else None


def _is_script(path: str) -> bool:
    """A demo script, not the library: a file named for a step (steps/step46.py, step52.py) or in steps/."""
    parts = path.split("/")
    return _FILE.match(parts[-1]) is not None or "steps" in parts[:-1]


def _has_library(files: Iterable[str]) -> bool:
    return any(path.endswith(".py") and not _is_script(path) for path in files)


def library_names(family: str, files: Mapping[str, bytes], graded: Iterable[str]) -> list[str]:
    """The names `reached` reads: the module-level classes and functions of the library's files (every file
    but the demo scripts; with no such file, the graded ones: a single step52.py), and the methods of their
    classes that LATER_METHODS lists. Not a variable, a loop's target, a demo's helper or another method."""
    kept = set(graded)
    library = _has_library(files)
    methods = LATER_METHODS.get(family, {})
    names: dict[str, None] = {}
    chosen = {
        path: data for path, data in files.items() if (not _is_script(path) if library else path in kept)
    }
    for _, _, tree in pyparse.python_trees(chosen):
        for node in tree.body:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                names[node.name] = None
            if isinstance(node, ast.ClassDef):
                names.update(
                    (item.name, None)
                    for item in node.body
                    if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)) and item.name in methods
                )
    return list(names)


def named_files(files: Iterable[str], graded: Iterable[str]) -> list[str]:
    """The files whose names `reached` reads: all of them beside a library (a demo steps/step53.py), else
    those not graded (a single step47.py whose code is step 46's is graded, not "not graded")."""
    paths = list(files)
    if _has_library(paths):
        return paths
    kept = set(graded)
    return [path for path in paths if path not in kept]


def reached(
    family: str,
    at: int,
    defined: Iterable[str],
    files: Iterable[str],
    last: int | None = None,
    staged: Collection[int] | None = None,
) -> list[tuple[str, int]]:
    """(what, step) for each later step the code reaches, by step: a name the book introduces after `at`, the
    step the code is graded at, that the code defines (`library_names`), or a source file named for a step
    after `last`, the assignment's last (default `at`; steps/step53.py; not one named as an old copy;
    `named_files`): a file named for a step up to it is graded as that step's (grader/named_step.py), unless
    `staged`, the steps with a stage of their own, lacks it (DeZero's steps 48 to 56 below step57)."""
    last = at if last is None else last
    table: Mapping[str, int] = {**LATER_NAMES.get(family, {}), **LATER_METHODS.get(family, {})}
    unrun = NO_CASE.get(family, frozenset())
    found = {
        name: table[name] for name in defined if table.get(name, 0) > at or (name in unrun and name in table)
    }
    for path in files:
        base = path.rsplit("/", 1)[-1]
        match = _FILE.match(base) if base.lower().endswith((".py", ".ipynb")) and not old_copy(path) else None
        n = int(match.group(1)) if match is not None else 0
        if at < n <= 60 and (last < n or (staged is not None and n not in staged)):
            found[path] = n
    return sorted(found.items(), key=lambda item: (item[1], item[0]))


def stage_needs(
    stages: Iterable[Stage], family: str, step: int, defined: Iterable[str]
) -> tuple[str, list[str]]:
    """(name of the stage that grades `step`, its required names the code does not define under any of the
    family's spellings), or ("", []) when no stage is named for it."""
    from grader.inside.aliases import for_inference  # plain data (the parent's stage inference reads it too)

    # as inference reads them: linear_simple stands for the class Linear step 43 requires
    table = for_inference(family)
    have = set(defined)
    for stage in stages:
        if stage_step(stage.name) == str(step):
            wanted = [r for r in stage.requires if not have & set(table.get(r, (r.rsplit(".", 1)[-1],)))]
            return stage.name, [r.rsplit(".", 1)[-1] for r in wanted]
    return "", []


def note(
    last: int,
    found: list[tuple[str, int]],
    at: int | None = None,
    needs: Mapping[int, tuple[str, list[str]]] | None = None,
    memory_mib: int | None = None,
) -> str:
    """What the stage line adds when the code has code of steps after `at`, the step it is graded at
    (default `last`): those up to `last`, the assignment's last step, graded at their own stage (`needs`:
    step -> `stage_needs`); those after it, and what the latest of them defines (or the file named for it),
    not graded. `memory_mib`: the assignment's memory limit, said where it is why a name goes unrun."""
    at = last if at is None else at
    # without `needs`, every step up to the last has a stage; with it, one whose stage is "" has none (since
    # session 32 DeZero's stages end at step 60, and steps 48, 49, 51 to 53, 55, 56 and 58 add nothing a stage
    # grades)
    staged = {step for step, (stage, _) in (needs or {}).items() if stage} if needs is not None else None
    unrun = [(w, s) for w, s in found if s <= at and any(w in NO_CASE[family] for family in _FAMILIES)]
    graded = [
        (w, s) for w, s in found if s <= last and (staged is None or s in staged) and (w, s) not in unrun
    ]
    later = [(w, s) for w, s in found if (w, s) not in graded and (w, s) not in unrun]
    said = "".join(_graded_later(step, graded, (needs or {}).get(step, ("", []))) for step in _steps(graded))
    said += _not_graded(last, later, "it" if said else "your code") if later else ""
    return said + (_unrun(unrun, "it" if said else "your code", memory_mib) if unrun else "")


def _unrun(found: list[tuple[str, int]], whose: str, memory_mib: int | None) -> str:
    """Code of a step at or before the one graded that no case runs (DataLoader at stage step50)."""
    listed = ", ".join(f"{what} (step {step})" for what, step in found)
    why = "".join(f" ({what}: {NO_CASE_WHY[what](memory_mib)})" for what, _ in found if what in NO_CASE_WHY)
    return f"; {whose} also has {listed}, which no case here runs: not graded, so a mistake in it goes " + (
        f"unreported{why}"
    )


def _steps(found: list[tuple[str, int]]) -> list[int]:
    return sorted({step for _, step in found})


def _listed(names: list[str]) -> str:
    more = f" and {len(names) - _SHOWN} more" if len(names) > _SHOWN else ""
    return ", ".join(names[:_SHOWN]) + more


def _graded_later(step: int, found: list[tuple[str, int]], needs: tuple[str, list[str]]) -> str:
    stage, missing = needs
    names = [what for what, s in found if s == step]
    where = f"graded at stage {stage} (--stage {stage})" if stage else "graded at a later stage"
    also = f", which also needs {_listed(missing)}" if missing else ""
    return f"; your code also has code of step {step} ({_listed(names)}): it is {where}{also}"


def _not_graded(last: int, found: list[tuple[str, int]], whose: str = "your code") -> str:
    steps = _steps(found)
    latest = [what for what, step in found if step == steps[-1]]
    listed = ", ".join(str(n) for n in steps[:-1])
    which = f"steps {listed} and {steps[-1]}" if listed else f"step {steps[-1]}"
    more = f" and {len(latest) - _SHOWN} more" if len(latest) > _SHOWN else ""
    where = (
        f"after step {last}, the last step graded here"
        if steps[0] > last
        else f"which no stage here grades (the last step graded is {last})"
    )
    return (
        f"; {whose} also has code of {which}, {where} (step "
        f"{steps[-1]}: {', '.join(latest[:_SHOWN])}{more}): that code is not graded (no case here runs it, "
        "so a mistake in it goes unreported)"
    )


def off_branch(
    stages: Iterable[Stage],
    graded: Mapping[str, Collection[str]],
    family: str,
    at: str,
    defined: Iterable[str],
    mentioned: Iterable[str] = (),
) -> str:
    """What the stage line adds when the code defines (or, `mentioned`, only uses) the subject of an earlier
    stage on another branch of the progression, whose cases stage `at` does not run: DeZero's step60 extends
    step54, not step57, and the book's step-60 package keeps dezero/functions_conv.py (review of s32-dzrnn:
    its im2col, conv2d and pooling went ungraded and the stage line said nothing; a layers.py calling
    F.conv2d, which nothing defines, was "missing: im2col" at step57 before, at step60 full marks unsaid).
    `graded`: stage -> its case ids."""
    from grader.inside.aliases import for_inference
    from grader.named_step import ancestors

    by_name = {s.name: s for s in stages}
    own = stage_step(at)
    if own is None or at not in by_name:
        return ""
    chain = ancestors(by_name, at)
    table = for_inference(family)
    have = set(defined)
    uses = set(mentioned) - have
    said = ""
    for stage in by_name.values():
        n = stage_step(stage.name)
        if n is None or int(n) >= int(own) or stage.name in chain:
            continue
        if not set(ancestors(by_name, stage.name)) & set(chain):
            continue  # no common ancestor: not a branch of the same progression
        if not set(graded.get(stage.name, ())) - set(graded.get(at, ())):
            continue  # its cases run here too
        base = by_name.get(stage.extends or "")
        subject = [r for r in stage.requires if base is None or r not in base.requires]
        spelled = {r: set(table.get(r, (r.rsplit(".", 1)[-1],))) for r in subject}
        written = [r.rsplit(".", 1)[-1] for r in subject if have & spelled[r]]
        used = [r.rsplit(".", 1)[-1] for r in subject if not have & spelled[r] and uses & spelled[r]]
        whose = _listed(written) if written else ""
        if used:
            whose += (" and " if whose else "") + f"calls to {_listed(used)}, which it does not define"
        if whose:
            said += (
                f"; your code also has {whose} (stage {stage.name}), which stage {at} does not grade ({at} "
                f"does not extend {stage.name}): not graded here, so a mistake in it goes unreported "
                f"(--stage {stage.name} grades it)"
            )
    return said
