"""Code of the course's steps after the last one an assignment grades, named on `grader check`'s stage line.

DeZero's stages end at step 46. A student's dezero/ of step 52 (get_item, softmax_cross_entropy, DataLoader,
`dezero.cuda`) was inferred `step46` and told "your code defines Variable, Function, ..." and "all visible
cases pass": nothing said that steps 47 to 52 are not graded, so a student could take the full marks for the
work of steps they had handed in. The stage line now says which later steps the code reaches, by the names
the book introduces there and by the file names (steps/step52.py), and that only steps up to the last stage
are graded. Read from the parsed source and the file names in the parent; never what the code does.

Only what the student's library defines counts as a name: a module-level class or def of a file that is no
demo script. A demo's variable (`dropout = 0.2`), its own helper (`def accuracy` in steps/step46.py), a method
(`Parameter.clip`) and a loop's target are not code of a later step (review of s21-real2: each was told
"your code also has code of step NN"). A graded file's own name says nothing either: a step-46 file named
step47.py is graded, not "not graded".
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable, Mapping

from grader import pyparse
from grader.inside.choice import old_copy, stage_step
from grader.stages import Stage

# family -> a name the book introduces after DeZero's step 46 -> its step (dezero/functions.py, layers.py,
# models.py, dataloaders.py, datasets.py, cuda.py, utils.py of steps 47 to 60). Names of the last graded
# step or before (Linear, MLP, SGD, MomentumSGD) are not here: a step-46 package defines them.
LATER_NAMES: dict[str, dict[str, int]] = {
    "dezero": {
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


def reached(family: str, last: int, defined: Iterable[str], files: Iterable[str]) -> list[tuple[str, int]]:
    """(what, step) for each later step the code reaches, by step: a name the book introduces after `last`
    that the code defines (`library_names`), or a source file named for a later step of the book
    (steps/step53.py; not one named as an old copy; `named_files`)."""
    table: Mapping[str, int] = {**LATER_NAMES.get(family, {}), **LATER_METHODS.get(family, {})}
    found = {name: table[name] for name in defined if table.get(name, 0) > last}
    for path in files:
        base = path.rsplit("/", 1)[-1]
        match = _FILE.match(base) if base.lower().endswith((".py", ".ipynb")) and not old_copy(path) else None
        if match is not None and last < int(match.group(1)) <= 60:
            found[path] = int(match.group(1))
    return sorted(found.items(), key=lambda item: (item[1], item[0]))


def note(last: int, found: list[tuple[str, int]]) -> str:
    """What the stage line adds when the code has code of steps after the last graded one: those steps, and
    what the latest of them defines (or the file named for it)."""
    steps = sorted({step for _, step in found})
    latest = [what for what, step in found if step == steps[-1]]
    listed = ", ".join(str(n) for n in steps[:-1])
    which = f"steps {listed} and {steps[-1]}" if listed else f"step {steps[-1]}"
    more = f" and {len(latest) - _SHOWN} more" if len(latest) > _SHOWN else ""
    return (
        f"; your code also has code of {which}, after step {last}, the last step graded here (step "
        f"{steps[-1]}: {', '.join(latest[:_SHOWN])}{more}): that code is not graded"
    )
