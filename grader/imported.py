"""The course module a file handed in alone takes its classes from (source read as text, never run).

A student who runs `grader check nn.py` (`from miniflow import *`), `buy_apple_orange.py` (`from layer_naive
import *`), `train_neuralnet.py` (`from two_layer_net import TwoLayerNet`), a `steps/step18.py` that imports
the `dezero` package or a test file has handed in the file that *uses* the graded classes, not the one that
defines them. Inference then finds nothing to grade, and "your code defines no class or function; pass
--assignment" sends them the wrong way: grading that file under any assignment reports every name missing.
`elsewhere` names the import, its line, and the file the student meant to hand in.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import PurePosixPath

from grader import untrusted
from grader.inside import cells, left_out

# `from X import a, b` / `from X import (a, b)` / `from X import *` / `import X` / `import X as y, Z`, at any
# indent (the book's steps import inside `if '__file__' in globals():`). Identifiers only: the module and the
# names shown come out of this pattern, never free text of the student's. After `import`, spaces, a
# parenthesis and spaces, or spaces alone: written `[ \t]+\(?[ \t]*`, the two runs of spaces shared out a
# line `from a import` and n spaces every way, n * n steps (64,000 spaces: 33 s of `grader check`).
_FROM = re.compile(
    rb"^[ \t]*from[ \t]+([A-Za-z_][A-Za-z0-9_.]*)[ \t]+import(?:[ \t]*\([ \t]*|[ \t]+)"
    rb"(\*|[A-Za-z_][A-Za-z0-9_, \t]*)",
    re.MULTILINE,
)
# `import a.b as c, d`: every module of the list (`import numpy as np, dezero` named numpy alone)
_IMPORT = re.compile(rb"^[ \t]*import[ \t]+([A-Za-z_][A-Za-z0-9_., \t]*)", re.MULTILINE)
_SHOWN = 4  # imported names listed


@dataclass(frozen=True)
class Import:
    """`names` (empty for `import X` and `*`) imported from `module` at `line` of `file`, which is the course
    module `expected` (a path an assignment's manifest lists)."""

    file: str
    line: int
    module: str
    names: tuple[str, ...]
    expected: str
    whole: bool = False  # `import X`: the module itself, no names taken from it


def _module_paths(module: str) -> set[str]:
    """`ch05.layer_naive` -> ch05/layer_naive.py, ch05/layer_naive/__init__.py: where Python would look."""
    base = module.replace(".", "/")
    return {f"{base}.py", f"{base}/__init__.py"}


def _course_file(module: str, modules: Iterable[str], packages: bool = False) -> str | None:
    """The manifest's module `module` names: the same path (`common.layers`), or the same stem (`layers` for
    common/layers.py, `dezero` for dezero.py: the book's steps put its folder on sys.path)."""
    listed = list(modules)
    paths = _module_paths(module)
    for m in listed:
        if m in paths:
            return m
    stem = module.rsplit(".", 1)[-1]
    for m in listed:
        if PurePosixPath(m).stem == stem:
            return m
    if not packages:
        return None
    # a module of the course's package (`from dezero.core import Function`): the package's own file
    root = module.split(".")[0]
    return f"{root}.py" if root != module and f"{root}.py" in listed else None


def _present(module: str, files: Mapping[str, bytes]) -> bool:
    """The imported module is in the submission itself: its classes were read, nothing is elsewhere."""
    stem = module.rsplit(".", 1)[-1]
    return any(
        rel in _module_paths(module)
        or PurePosixPath(rel).stem == stem
        or PurePosixPath(rel).parent.name == stem
        for rel in files
    )


def _names(raw: bytes) -> tuple[str, ...]:
    if raw.strip() == b"*":
        return ()
    names = (n.strip().split()[0] for n in raw.decode("ascii").split(",") if n.strip())
    return tuple(dict.fromkeys(names))


def _listed(raw: bytes) -> list[str]:
    """The modules of `import a.b as c, d`: a.b, d."""
    return [part.split()[0] for part in raw.decode("ascii").split(",") if part.split()]


def _modules(data: bytes) -> set[str]:
    """Every module a file's import lines name."""
    found = {m.group(1).decode("ascii") for m in _FROM.finditer(data)}
    return found | {module for m in _IMPORT.finditer(data) for module in _listed(m.group(1))}


def course_imports(
    files: Mapping[str, bytes], modules: Iterable[str], packages: bool = False
) -> list[Import]:
    """The imports of course modules (`modules`: every assignment's manifest paths) that the submission does
    not hold, in file then line order; with `packages`, the modules of a package `modules` lists too
    (`dezero.core` of dezero.py)."""
    listed = tuple(dict.fromkeys(modules))
    found: list[tuple[int, Import]] = []
    for rel, data in sorted(files.items()):
        if not rel.endswith(".py"):
            continue
        # names None: `import X` (the module itself)
        matches: list[tuple[int, str, tuple[str, ...] | None]] = [
            (m.start(), m.group(1).decode("ascii"), _names(m.group(2))) for m in _FROM.finditer(data)
        ]
        matches += [
            (m.start(), module, None) for m in _IMPORT.finditer(data) for module in _listed(m.group(1))
        ]
        line, counted = 1, 0  # counted as the matches go, in order: once over the file, whatever its size
        for start, module, names in sorted(matches, key=lambda found: found[0]):  # stable: list order
            expected = _course_file(module, listed, packages)
            if expected is None or _present(module, files):
                continue
            line += data.count(b"\n", counted, start)
            counted = start
            found.append(
                (start, Import(untrusted.name(rel), line, module, names or (), expected, names is None))
            )
    return [imp for _, imp in found]


def place(files: Mapping[str, bytes], imp: Import) -> tuple[str, int]:
    """(`steps/step24.py`, 5), or (`hw.ipynb, code cell 2`, 2) in a module made from a notebook: the student
    handed in hw.ipynb, and "hw.py ... (line 6)" named a file they never saw."""
    data = files.get(imp.file, b"")
    if not data.startswith(cells.HEADER.encode()):
        return imp.file, imp.line
    lines = data.decode("utf-8", "replace").replace("\r\n", "\n").replace("\r", "\n").split("\n")
    where, number = cells.locate_in(lines, imp.line) or (imp.file, imp.line)
    return untrusted.name(where), number


def elsewhere(files: Mapping[str, bytes], modules: Iterable[str], wanted: Iterable[str] = ()) -> str | None:
    """For a submission inference found nothing to grade in: which file it takes its classes from, and what
    to hand in instead. None when it imports no course module it lacks. The import of a name in `wanted` is
    named first: the book's dezero/functions.py imports dezero on line 2, and its Variable on line 4."""
    lacking, modules = set(wanted), tuple(modules)  # read twice below
    imports = course_imports(files, modules, packages=bool(lacking))
    if not imports:  # a lone module of the package (datasets.py: `from dezero.utils import get_file`)
        imports = [i for i in course_imports(files, modules, packages=True) if not _folder_held(files, i)]
    if not imports:
        return None
    first = next((imp for imp in imports if lacking & set(imp.names)), imports[0])
    what = "them"
    if first.names:
        shown = ", ".join(first.names[:_SHOWN]) + (" and more" if len(first.names) > _SHOWN else "")
        what = shown
    where, line = place(files, first)
    took = f"imports {first.module}" if first.whole else f"imports {what} from {first.module}"
    return f"{where} {took} (line {line}), which you did not hand in: {_hand_in(files, first)}"


def _folder_held(files: Mapping[str, bytes], imp: Import) -> bool:
    """The submission has a folder named for the package `imp` imports from (the book's dezero/ with
    functions_conv.py alone in it): what it lacks is said elsewhere (grader/infer.py _whole_package)."""
    root = imp.module.split(".")[0]
    return any(root in PurePosixPath(rel).parts[:-1] for rel in files)


def _hand_in(files: Mapping[str, bytes], imp: Import) -> str:
    """What to hand in instead: the course file, or the whole package when the module is one (the file sits
    in its folder, or bears the name of one of the book's modules) that the manifest lists no file of: "check
    dezero.py" sent the book's dezero/functions_conv.py to a file its package has not (review of s24-dz48,
    finding 4). A file that only uses the package (the book's steps/step23.py, step45.py importing
    dezero.layers) is told to hand the package in with it: "check dezero.py instead" sent it to a file the
    book never has, and "the whole dezero/ package instead" to leave out the file itself."""
    root = imp.module.split(".")[0]
    path = PurePosixPath(imp.file)
    member = root in path.parent.parts or path.stem in left_out.PACKAGES.get(root, frozenset())
    submodules = any(m.startswith(root + ".") for m in _modules(files.get(imp.file, b"")))
    if imp.expected.startswith(root + "/"):
        return f"check {imp.expected} instead (or the folder that holds it)"
    book = root in left_out.PACKAGES  # a package the student writes in the book (dezero, from step 23 on)
    if member or (submodules and not book):  # optimizers.py: `from dezero import cuda, Parameter`
        return f"hand in the whole {root}/ package instead (or the folder that holds it)"
    if book:
        # the book's dezero is a folder from step 23 on, never a dezero.py; a submodule needs the folder
        one_file = "" if submodules else f"; or {imp.expected}, if you keep it in one file"
        return (
            f"hand in your {root}/ folder with it (the book's package from step 23 on{one_file}), "
            "or the folder that holds both"
        )
    return f"check {imp.expected} instead (or the folder that holds it)"
