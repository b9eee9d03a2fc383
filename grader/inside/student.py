"""Find and import the submission's modules from the working dir, tolerating real student code.

Preferred file names (the manifest's `modules`, in order) come first, then every other `.py` until every
required name is found. A module that raises *after* defining classes or functions (a training script at the
bottom, missing MNIST data, `np.asscalar`, `exit()`) is kept with a staff note: grade what is there.
"""

from __future__ import annotations

import ast
import importlib
import importlib.util
import inspect
import itertools
import linecache
import os
import re
import sys
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from types import FunctionType, ModuleType
from typing import Any

from . import (
    audit,
    budget,
    cells,
    choice,
    coherent,
    contexts,
    lazy_annotations,
    left_out,
    loading,
    own_functions,
    pickles,
    py2_errors,
    shipped,
    stable_hash,
    standins,
    stdlib_shadows,
)
from .address import key as _key
from .aliases import composed_for, dezero_helper
from .failures import StudentFailure, clean_text, describe, from_exception, staff_detail, student_frames
from .guard import ForbiddenImport
from .missing import method_words, missing_failure, near_names
from .params import Param
from .params import parameters as read_parameters

_SKIP_DIRS = {"__pycache__", ".git", ".ipynb_checkpoints", "__MACOSX"}


@dataclass
class LoadedModule:
    relpath: str
    name: str
    module: ModuleType | None
    failure: StudentFailure | None = None
    note: str | None = None
    stop: loading.Stop | None = None  # where its top-level code stopped on an exception (names kept)
    cell_errors: tuple[str, ...] = ()  # a notebook's cells that failed; the others ran (student-facing)
    cells_need_data: bool = False  # a notebook cell stopped for want of a data set (its note said so)
    unrun: tuple[tuple[int, int], ...] = ()  # line ranges whose top-level code never ran (first, last)
    cell_stops: tuple[loading.CellStop, ...] = ()  # a notebook's cells that did not run to their end


@dataclass
class Names:
    """The student's namespace across loaded modules; a required name may go by any of its aliases."""

    modules: list[LoadedModule]
    aliases: Mapping[str, Sequence[str]]
    blocked: StudentFailure | None = None  # why names might be missing (a module that failed to load)
    root: str = ""
    standins: standins.Registry | None = None
    standin_hits: dict[str, str] = field(default_factory=dict)  # required name -> the stand-in found instead
    _cache: dict[str, tuple[str, Any] | None] = field(default_factory=dict)
    _program: Mapping[str, type] | None = None
    _modules: list[tuple[str, Mapping[str, Any]]] | None = None  # _imported(), until the modules change
    # Steps set aside that the graded program imported (step14.py's `import step13`): they ran, and a name no
    # loaded module binds is looked up in them (`step13.Function` subclassed, never bound by step14.py, was
    # "missing: Function" while its case passed, beside the parent's reading of both: defined.imported_steps)
    imported_steps: list[LoadedModule] = field(default_factory=list)
    # a graded class -> its helper function (DeZero's Square -> square): the class may be the one the helper
    # calls, spelt in another script (_behind_helper)
    helpers: Mapping[str, str] = field(default_factory=dict)

    def locate(self, name: str) -> tuple[str, Any] | None:
        """("module.attr", object) of the first alias found, canonical name first, modules in load order;
        of several definitions, the first built with the program's own classes (grader/inside/coherent.py)."""
        if name not in self._cache:
            self._cache[name] = None
            for alias in (name, *[a for a in self.aliases.get(name, ()) if a != name]):
                hits: list[tuple[str, Any]] = []
                for m in self.modules:
                    obj = vars(m.module).get(alias) if m.module is not None else None
                    if obj is None:
                        continue
                    if not _qualifies(name, obj, self.aliases):
                        continue
                    origin = self.standins.origin(obj, m.relpath) if self.standins is not None else None
                    if origin is not None:  # never graded as the student's: the name counts as missing
                        if not hits:
                            self.standin_hits.setdefault(name, origin)
                        continue
                    if not any(obj is seen for _, seen in hits):
                        hits.append((f"{m.name}.{alias}", obj))
                if hits:
                    program = self.program()
                    hits += coherent.program_hits(
                        alias, hits, program, self._imported, lambda o: self._gradable(name, o)
                    )
                    self._cache[name] = coherent.choose(hits, program)
                    break
            if self._cache[name] is None and self.imported_steps:
                self._cache[name] = self._in_imported_steps(name)
            if self._cache[name] is None and name in self.helpers:
                self._cache[name] = self._behind_helper(self.helpers[name])
        return self._cache[name]

    def ran(self) -> list[LoadedModule]:
        """The modules loaded, then the steps set aside that they imported."""
        return [*self.modules, *self.imported_steps]

    def _in_imported_steps(self, name: str) -> tuple[str, Any] | None:
        """("module.attr", object) of the first alias an imported step binds, canonical name first."""
        for alias in (name, *[a for a in self.aliases.get(name, ()) if a != name]):
            for m in self.imported_steps:
                try:  # an object the student's code put in sys.modules may be anything
                    obj = vars(m.module).get(alias) if m.module is not None else None
                except Exception:
                    continue
                if obj is None or not _qualifies(name, obj, self.aliases):
                    continue
                if self.standins is not None and self.standins.origin(obj, m.relpath) is not None:
                    continue
                return f"{m.name}.{alias}", obj
        return None

    def _behind_helper(self, helper_name: str) -> tuple[str, Any] | None:
        """The class the helper calls where its name is in another script than the book's: `class 二乗
        (Function)` called by `def square(x): return 二乗()(x)` is Square (the parent reads the same from the
        source: stage_scan._classes_behind). A step-9 file so written was told "missing: Square" while its
        square() passed every Square case (sample step09_japanese_class_names.py)."""
        found = self.locate(helper_name)
        code = getattr(found[1], "__code__", None) if found is not None else None
        space = getattr(found[1], "__globals__", None) if found is not None else None
        if (
            found is None
            or not isinstance(space, dict)
            or not isinstance(getattr(code, "co_names", None), tuple)
        ):
            return None
        assert code is not None
        called = [n for n in code.co_names if isinstance(n, str) and not n.isascii()]
        classes = [(n, space.get(n)) for n in dict.fromkeys(called) if inspect.isclass(space.get(n))]
        if len(classes) != 1:
            return None
        module = found[0].rsplit(".", 1)[0]
        return f"{module}.{classes[0][0]}", classes[0][1]

    def _gradable(self, name: str, obj: Any) -> bool:
        """`obj` may be graded as `name`: of the qualifier's kind, and no stand-in of the grader's (a helper
        module the submission imported borrowing the stand-in's methods is refused as the load's hits are)."""
        if not _qualifies(name, obj, self.aliases):
            return False
        return self.standins is None or self.standins.origin(obj, "an imported module") is None

    def program(self) -> Mapping[str, type]:
        """The graded classes the first module binding any of them binds (coherent.anchor), kept until the
        modules change."""
        if self._program is None:
            spaces = (vars(m.module) for m in self.modules if m.module is not None)
            self._program = coherent.anchor(spaces, [a for n in self.aliases for a in self.aliases[n]])
        return self._program

    def _imported(self) -> list[tuple[str, Mapping[str, Any]]]:
        """(name, namespace) of the submission's modules in sys.modules, by name: the ones its code imported
        as well as the ones the load ran."""
        if self._modules is not None:
            return self._modules
        out: list[tuple[str, Mapping[str, Any]]] = []
        if self.root:
            for module_name, module, _ in sorted(_modules_under(self.root), key=lambda m: str(m[0])):
                try:
                    out.append((str(module_name), vars(module)))
                except Exception:  # a student's object put in sys.modules may be anything
                    continue
        self._modules = out
        return out

    def forget(self) -> None:
        """The modules changed: every lookup is made again."""
        self._cache.clear()
        self._program = None
        self._modules = None

    def get(self, name: str) -> Any:
        found = self.locate(name)
        return None if found is None else found[1]

    def require(self, name: str) -> Any:
        found = self.locate(name)
        if found is None:
            raise self.missing_failure(name)
        return found[1]

    def defined(self) -> list[str]:
        """Public classes and functions the submission's modules define (not imported ones)."""
        names: list[str] = []
        for m in self.modules:
            if m.module is None:
                continue
            for attr, obj in list(vars(m.module).items()):
                if attr.startswith("_") or attr in names:
                    continue
                if (inspect.isclass(obj) or inspect.isfunction(obj)) and getattr(obj, "__module__", None) == (
                    m.module.__name__
                ):
                    names.append(attr)
        return names

    def near(self, name: str) -> list[str]:
        return near_names(name, self.defined())

    def missing_failure(self, name: str) -> StudentFailure:
        where = [m.relpath for m in self.modules if m.module is not None]
        hit = self.standin_hits.get(name)
        reason = f"only the grader's stand-in {hit} was found (never graded as yours)" if hit else None
        return missing_failure(name, where, self.defined(), self.blocked, reason)


def _subclass_of(base: str) -> Callable[[Any], bool]:
    return lambda obj: inspect.isclass(obj) and any(c.__name__ == base for c in obj.__mro__[1:])


# A name the assignment qualifies by its module (DeZero's "layers.Linear", step 44) is a class of that kind
# only: dezero/functions.py's Linear (step 43, a Function) and dezero/layers.py's Linear (a Layer) share the
# name, and whichever module loaded first would answer for both.
QUALIFIERS: dict[str, Callable[[Any], bool]] = {"layers": _subclass_of("Layer")}


def _qualifies(name: str, obj: Any, names: Collection[str] = ()) -> bool:
    """`obj` may be graded as `name`: of the qualifier's kind for a qualified name; for a bare name that the
    assignment also qualifies (`names` holds "layers.Linear" beside "Linear"), not of that kind. A step-44
    program whose Linear is only the Layer, with step 43's composed `linear` standing for the Function, had
    the Layer graded as the Function: step43-linear-unit "Linear.backward returned 2 gradient(s) for 3
    input(s)" on right code (review of s28-realdz; sample book_step44_composed_linear/)."""
    qualifier = name.split(".", 1)[0] if "." in name else None
    if qualifier is None:
        return not any(kind(obj) for q, kind in QUALIFIERS.items() if f"{q}.{name}" in names)
    return qualifier not in QUALIFIERS or QUALIFIERS[qualifier](obj)


@dataclass
class LoadResult:
    names: Names
    found: dict[str, str]
    missing: list[str]
    near: dict[str, list[str]]
    notes: list[str]
    failure: StudentFailure | None
    warnings: list[str] = field(default_factory=list)  # student-facing (loading.py)
    reasons: dict[str, str] = field(default_factory=dict)  # missing name -> why it is missing
    standins: list[str] = field(default_factory=list)  # the stand-in modules used
    # modules a loaded one imported that define a found name (its file: `_credited`)
    homes: dict[str, str] = field(default_factory=dict)

    def frame(self) -> dict[str, Any]:
        return {
            "type": "loaded",
            "modules": {
                **self.homes,
                **{m.name: m.relpath for m in self.names.ran() if m.module is not None},
            },
            "found": dict(self.found),
            "missing": list(self.missing),
            "near": {k: list(v) for k, v in self.near.items()},
            "notes": list(self.notes),
            "warnings": list(self.warnings),
            "standins": list(self.standins),
        }


def _head(root: str, relpath: str, limit: int = 1024 * 1024) -> bytes:
    """A file's bytes (its first `limit`: a bigger one is no hand-written program), b"" if unreadable."""
    try:
        with open(os.path.join(root, relpath), "rb") as f:
            return f.read(limit)
    except OSError:
        return b""


def python_files(root: str) -> list[str]:
    """Every .py under root (relative, '/'-separated), skipping caches and hidden dirs, shallowest first."""
    found = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if d not in _SKIP_DIRS and not d.startswith("."))
        for f in filenames:
            if f.endswith(".py") and not f.startswith("."):
                found.append(os.path.relpath(os.path.join(dirpath, f), root).replace(os.sep, "/"))
    return sorted(found, key=lambda p: (p.count("/"), p))


def _module_name(relpath: str) -> str:
    return relpath[:-3].replace("/", ".")


def _parts(relpath: str) -> list[str]:
    """Package parts come from folders only: `hw5.v2.py` is one module named `hw5.v2`, not `v2` in `hw5`."""
    return relpath[:-3].split("/")


def _owned(module: ModuleType | None, root: str) -> bool:
    paths = [getattr(module, "__file__", None) or "", *list(getattr(module, "__path__", []) or [])]
    return any(os.path.realpath(p).startswith(root + os.sep) for p in paths if p)


def _import_package(name: str, root: str) -> None:
    """Import a package; when its own __init__.py raises (an import of a module the student never wrote,
    `from dezero.dataloaders import DataLoader`), keep the package as far as it got, as Python keeps the
    modules it imported before the error, and raise: this file's load says so once, and the package's
    other modules still load, instead of each running the failing __init__.py again. Where that line
    stood decided everything: below `import dezero.functions` 105 of 105, above it 9."""
    try:
        importlib.import_module(name)
    except BaseException:
        if name not in sys.modules:
            kept = _partial_package(name, root)
            if kept is not None:
                sys.modules[name] = kept
        raise


def _bind_to_package(name: str, module: ModuleType, root: str) -> None:
    """`dezero.functions` an attribute of `dezero`, as `import dezero.functions` makes it: a module the
    loader runs itself is not (core.py's `dezero.functions.sum_to` raised AttributeError when the package's
    __init__.py had stopped before importing it)."""
    package, _, child = name.rpartition(".")
    parent = sys.modules.get(package) if package else None
    if parent is not None and _owned(parent, root) and not hasattr(parent, child):
        setattr(parent, child, module)


def _partial_package(name: str, root: str) -> ModuleType | None:
    """The package object its __init__.py filled before it raised, as a module it imported holds it
    (`import dezero` in dezero/core.py, whose `dezero.cuda` must be the same object); else an empty
    package over its folder. None when the package is not the submission's."""
    init = os.path.join(root, *name.split("."), "__init__.py")
    if not os.path.isfile(init):
        return None
    for module in list(sys.modules.values()):
        if not str(getattr(module, "__name__", "")).startswith(name + ".") or not _owned(module, root):
            continue
        for value in list(vars(module).values()):
            if isinstance(value, ModuleType) and value.__name__ == name and _owned(value, root):
                return value
    package = ModuleType(name)
    package.__file__ = init
    package.__path__ = [os.path.dirname(init)]
    return package


# A chapter's own copy of a support package (`ch05/common/`) -> the package it extends (`common`): set by
# _nested_support_packages for the submission being loaded.
_NESTED_PACKAGE_DIRS: dict[str, str] = {}


# The `src/` folders of a src layout (`src/mf/__init__.py`: the package a pyproject's
# `[tool.setuptools.packages.find] where = ["src"]` or a setup.py's `package_dir={"": "src"}` installs),
# relative to the root: set by _source_roots for the submission being loaded.
_SOURCE_ROOTS: list[str] = []


def source_roots(files: Iterable[str]) -> list[str]:
    """The folders named `src` holding a package (a folder with an `__init__.py`), shallowest first: what
    `pip install -e .` puts on the path of a src layout, so that the package's own absolute imports
    (`from mf.core import Node` in src/mf/__init__.py) find it."""
    found: set[str] = set()
    for f in files:
        parts = f.split("/")
        if len(parts) >= 3 and parts[-1] == "__init__.py" and parts[-3] == "src":
            found.add("/".join(parts[:-2]))
    return sorted(found, key=lambda d: (d.count("/"), d))


def _source_roots(root: str, files: Sequence[str]) -> None:
    """Put each src layout's `src/` on sys.path, after the root, as an editable install of the repository
    would have it. Without it `from mf.miniflow import *` in src/mf/__init__.py was "no module named 'mf' in
    the submission" (0 points for a correct repository; sample submissions/miniflow/repo_src_layout/)."""
    _SOURCE_ROOTS[:] = source_roots(files)
    for d in _SOURCE_ROOTS:
        entry = os.path.join(root, d)
        if entry not in sys.path:
            sys.path.append(entry)


def _installed_source_root(relpath: str, root: str) -> str | None:
    """The src root a file is installed from (`src` for src/mf/miniflow.py): the file is in a package there,
    every folder between src/ and the file holding an `__init__.py`, as setuptools' find_packages installs
    it. A folder without one (src/hw/ beside the package src/common/) is no package: its files keep their own
    folder first on the path, and `from activations import ONE` finds their sibling (it was "no module
    named 'activations'", 0 of 43, once src/ held any package)."""
    src = next((d for d in _SOURCE_ROOTS if relpath.startswith(d + "/")), None)
    if src is None:
        return None
    folders = relpath[len(src) + 1 :].split("/")[:-1]
    if not folders or not all(
        os.path.isfile(os.path.join(root, src, *folders[: i + 1], "__init__.py")) for i in range(len(folders))
    ):
        return None
    return src


def _is_the_installed_package(top: str, folder: str, root: str) -> bool:
    """Whether the name `top` imports the package in `folder` (src/mf), not a same-named module elsewhere
    in the submission (a root mf.py, found first): importing that one as the package ran it, and the load
    failed inside importlib ("importing 'mf.miniflow' failed (<frozen importlib.util> line 98, in find_spec)")
    instead of naming the student's file. Found without running anything."""
    module = sys.modules.get(top)
    if module is not None:
        locations = list(getattr(module, "__path__", None) or []) if _owned(module, root) else []
    else:
        try:
            spec = importlib.util.find_spec(top)
        except (ImportError, ValueError):
            return False
        locations = list(spec.submodule_search_locations or []) if spec is not None else []
    return any(os.path.realpath(p) == os.path.realpath(folder) for p in locations)


def _in_source_root(relpath: str, root: str) -> tuple[str, Any] | None:
    """A file of a src layout's package (`src/mf/miniflow.py`) named as the installed package has it
    (`mf.miniflow`), never `src.mf.miniflow`: the package's own `from mf.miniflow import *` would have run the
    file a second time, as another module with other classes."""
    src = _installed_source_root(relpath, root)
    if src is None:
        return None
    parts = _parts(relpath[len(src) + 1 :])
    if not all(p.isidentifier() for p in parts) or not _is_the_installed_package(
        parts[0], os.path.join(root, src, parts[0]), root
    ):
        return None
    _import_package(".".join(parts[:-1]), root)
    try:
        spec = importlib.util.find_spec(".".join(parts))
    except (ImportError, ValueError):  # the package's __init__ replaced itself, or its __path__
        return None
    path = os.path.join(root, relpath)
    if spec is not None and spec.origin and os.path.realpath(spec.origin) == os.path.realpath(path):
        return ".".join(parts), spec
    return None


def _spec_for(relpath: str, root: str) -> tuple[str, Any]:
    """The module name and spec: dotted from root when it is a clean, free name; a private alias otherwise."""
    installed = _in_source_root(relpath, root)
    if installed is not None:
        return installed
    dotted = _module_name(relpath)
    path = os.path.join(root, relpath)
    parts = _parts(relpath)
    package = _NESTED_PACKAGE_DIRS.get(os.path.dirname(relpath))
    if package is not None and parts[-1].isidentifier():
        # `ch05/common/layers.py` is `common.layers`, the module ch05/two_layer_net.py's `from common.layers
        # import *` finds: loaded as `ch05.common.layers` it was a second module of the same file, its
        # classes other classes than TwoLayerNet's, and a correct repository was told it "mixes two
        # versions of the program".
        spec = importlib.util.find_spec(f"{package}.{parts[-1]}")
        if spec is not None and spec.origin and os.path.realpath(spec.origin) == os.path.realpath(path):
            return f"{package}.{parts[-1]}", spec
    if len(parts) > 1 and all(p.isidentifier() for p in parts) and not _is_package(parts[0]):
        # `miniflow/miniflow.py`: the file's folder is on sys.path (_prepare_path), so Python finds the top
        # name `miniflow` as this very file, not as a package holding it; importing that "parent" ran the
        # file and `miniflow.miniflow` did not exist. The file is `miniflow`, as `python nn.py` has it.
        dotted, parts = parts[-1], parts[-1:]
    top = sys.modules.get(parts[0])
    clean = all(p.isidentifier() for p in parts) and (top is None or _owned(top, root))
    if clean:
        if len(parts) > 1:
            _import_package(".".join(parts[:-1]), root)  # the parent package (namespace or regular)
        spec = importlib.util.find_spec(dotted)
        if spec is not None and spec.origin and os.path.realpath(spec.origin) == os.path.realpath(path):
            return dotted, spec
    alias = loading.alias(relpath)
    return alias, importlib.util.spec_from_file_location(
        alias, path, loader=lazy_annotations.Loader(alias, path)
    )


def _is_package(top: str) -> bool:
    """Whether the top-level name `top` is found as a package (regular or namespace), found without running
    anything: a top-level find_spec imports nothing (a name already imported gives its own spec)."""
    try:
        spec = importlib.util.find_spec(top)
    except (ImportError, ValueError):
        return True  # not ours to decide: the dotted import says what is wrong
    return spec is None or spec.submodule_search_locations is not None


def _defines_something(module: ModuleType) -> bool:
    return any(
        (inspect.isclass(o) or inspect.isfunction(o)) and getattr(o, "__module__", None) == module.__name__
        for o in list(vars(module).values())
    )


def _syntax_failure(exc: SyntaxError, root: str, relpath: str) -> StudentFailure:
    # A file Python refuses whole (NUL bytes) raises with no filename: it is the file being imported, unless
    # a student file's import statement read it (the traceback then ends there, importlib's frames removed):
    # then the refused file is the one that import names, never the importer.
    refused = not exc.filename and not exc.lineno and "null bytes" in (exc.msg or "")
    # "<frozen importlib._bootstrap>" resolves under the working dir too: no file, no import statement
    frames = (
        [f for f in student_frames(exc.__traceback__, root) if not f.path.startswith("<")] if refused else []
    )
    if frames:
        message = f"{relpath} could not be loaded: the module imported at {frames[-1].where()} " + (
            loading.syntax_message(exc, "it", "").removeprefix("it ")
        )
        return StudentFailure("syntax_error", message, staff_detail(exc, root) + "\n" + message)
    path = exc.filename or os.path.join(root, relpath)
    real = os.path.realpath(path)
    rel = os.path.relpath(real, root) if real.startswith(root + os.sep) else os.path.basename(path)
    message = loading.syntax_message(exc, rel, path)
    return StudentFailure("syntax_error", message, staff_detail(exc, root) + "\n" + message)


def _import_statement(frames: Sequence[Any]) -> tuple[str, list[str]] | None:
    """(module, names) of the failing `from X import a, b` line, read from its source."""
    if not frames or not frames[-1].source:
        return None
    try:
        node = ast.parse(frames[-1].source).body[0]
    except (SyntaxError, IndexError, ValueError):
        return None
    if isinstance(node, ast.ImportFrom):
        return "." * node.level + (node.module or ""), [a.name for a in node.names]
    if isinstance(node, ast.Import):
        return node.names[0].name, []
    return None


def _import_failure(exc: ImportError, relpath: str, root: str, known: Sequence[str]) -> StudentFailure:
    frames = student_frames(exc.__traceback__, root)
    at = frames[-1].where() if frames else relpath
    statement = _import_statement(frames)
    module = exc.name or (statement[0] if statement else "?")
    text = clean_text(exc, 200)
    if module.startswith(".") and "relative import" in text:
        wanted = ", ".join(statement[1]) if statement and statement[1] else "it"
        bare = module.lstrip(".") or "the package"
        hint = (
            f"a relative import of {module!r} (for {wanted}), but {relpath} was loaded as a top-level file, "
            f"not as part of a package: write `from {bare} import {wanted}`"
        )
        message = f"{relpath} could not be loaded ({at}): {hint}"
        return StudentFailure("import_error", message, staff_detail(exc, root))
    clash = stdlib_shadows.clash(module)
    if clash is not None:  # the student's file is right, its name is what fails: no other hint helps
        message = f"{relpath} could not be loaded: importing {module!r} failed ({at}): {clash}"
        return StudentFailure("import_error", message, staff_detail(exc, root))
    why = text
    # a Python 2 module or name is no module the grader lacks: "only numpy ... are available" misled
    python2 = None
    own_package = False
    if isinstance(exc, ModuleNotFoundError) and exc.name:
        itself = set(loading.module_names([relpath]))  # never "did you mean" the file doing the import
        others = [k for k in known if k not in itself]
        why = loading.missing_module(exc.name, others, relpath)
        python2 = py2_errors.module_hint(exc.name)
        # the student's own package left out: "only numpy ... are available" read as one the grader lacks
        own_package = left_out.package_hint(exc.name, relpath, others) is not None
    elif statement and statement[1] and "cannot import name" in text:
        absent = [n for n in statement[1] if f"'{n}'" in text] or statement[1]
        why = f"{module!r} has no {', '.join(absent)}"
        python2 = py2_errors.name_hint(module, absent)
        why = why if python2 is None else f"{why}: {python2}"
    available = (
        ""
        if python2 is not None or own_package or isinstance(exc, shipped.NotShipped)
        else "; only numpy, the standard library, the assignment's support files and the files of the "
        "submission are available"
    )
    return StudentFailure(
        "import_error",
        f"{relpath} could not be loaded: importing {module!r} failed ({at}): {why}{available}",
        staff_detail(exc, root),
    )


def _failure(
    exc: BaseException, relpath: str, root: str, known: Sequence[str], family: str = ""
) -> StudentFailure:
    if isinstance(exc, SyntaxError):
        return _syntax_failure(exc, root, relpath)
    if isinstance(exc, ImportError) and not isinstance(exc, ForbiddenImport):
        return _import_failure(exc, relpath, root, known)
    return from_exception(exc, f"importing {relpath}", root, family)


def import_file(
    relpath: str,
    root: str,
    known: Sequence[str] = (),
    time: budget.Budget | None = None,
    family: str = "",
) -> LoadedModule:
    """Execute one file as a module; keep a partially executed module if it defined something. `time`: the
    load's budget, which stops top-level code still running when it is spent (grader/inside/budget.py).
    `family`: the adapter's, whose own clauses an error at import may be told (failures.FAMILY_CLAUSES)."""
    time = time or budget.Budget()
    name = _module_name(relpath)
    existing = sys.modules.get(name)
    if existing is not None and _owned(existing, root):
        return LoadedModule(relpath, name, existing)  # already imported by another student module
    module: ModuleType | None = None
    try:
        name, spec = _spec_for(relpath, root)
        ran = _ran_already(name, os.path.join(root, relpath), root)
        if ran is not None:
            return LoadedModule(relpath, name, ran)
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        notebook = _notebook_cells(os.path.join(root, relpath))
        if notebook:
            errors, stopped, need_data = _run_cells(
                module, notebook, os.path.join(root, relpath), relpath, root, time
            )
            return LoadedModule(
                relpath,
                name,
                module,
                cell_errors=errors,
                unrun=tuple((c.first, c.last) for c in stopped),
                cells_need_data=need_data,
                cell_stops=stopped,
            )
        with time.arm():
            spec.loader.exec_module(module)
        _bind_to_package(name, module, root)
        return LoadedModule(relpath, name, module)
    except BaseException as exc:
        failure = _failure(exc, relpath, root, known, family)
        stop = loading.stop_of(exc, os.path.join(root, relpath), relpath, root)
        if module is not None and not isinstance(exc, SyntaxError) and _defines_something(module):
            note = (
                f"{relpath} ran its unit tests at import and the test runner exited (names defined before "
                "it kept); see the warning"
                if stop.test_runner
                else f"{relpath} was stopped at import after defining its names (kept): {stop.where}, "
                f"{stop.error}"
                if stop.too_long  # stop.error is the budget's words, without the grader's class name
                else f"{relpath} raised at import after defining its names (kept): {failure.message}"
            )
            unrun = ((stop.line, _END),) if stop.line else ()  # the statement that raised never finished
            return LoadedModule(relpath, name, module, note=note, stop=stop, unrun=unrun)
        sys.modules.pop(name, None)
        if stop.too_long:  # a training script that defines nothing of its own: nothing lost
            note = f"{relpath} was stopped while loading: {stop.where}, {stop.error}"
            return LoadedModule(relpath, name, None, note=note, stop=stop)
        if stop.data_set and not isinstance(exc, SyntaxError):
            note = f"{relpath} {stop.needs.short} and was not loaded: {failure.message}"
            return LoadedModule(relpath, name, None, note=note, stop=stop)  # a note, not an error
        return LoadedModule(relpath, name, None, failure=failure)


def _ran_already(name: str, path: str, root: str) -> ModuleType | None:
    """This very file, already run under the name it is loaded as: a src layout's package ran it while being
    imported (src/mf/__init__.py's `from mf.miniflow import *`). Running it again doubled its top-level code
    against the load budget and made mf.Input another class than mf.miniflow.Input."""
    module = sys.modules.get(name)
    where = getattr(module, "__file__", None)
    if module is None or not _owned(module, root) or not isinstance(where, str):
        return None
    return module if os.path.realpath(where) == os.path.realpath(path) else None


_MAX_CELL_ERRORS = 5
_END = 1 << 30  # the last line of any module
_COPY_NAMES = 2  # an ungraded file defining this many of the assignment's names is another copy of the work


def _listed(names: Sequence[str]) -> str:
    """At most four names, then '...'."""
    return ", ".join(names[:4]) + (" ..." if len(names) > 4 else "")


def _notebook_cells(path: str) -> list[tuple[int, str]]:
    """The code cells of a module the parent built from a notebook, or of a script nbconvert exported from
    one (UTF-8, as nbconvert writes it; [] for any other file)."""
    try:
        data = shipped.read(path)  # once: the import system reads it again anyway
        if cells.is_notebook(_text(data.partition(b"\n")[0], "replace")):
            return cells.split(_text(data, "replace"))
        return cells.exported(_text(data, "strict"))
    except (OSError, ValueError, shipped.NotShipped):  # UnicodeDecodeError: another encoding; a file
        return []  # not as handed in: the import system refuses it and says so


def _own_names(module: ModuleType | None) -> set[str]:
    """The names a module binds to classes and functions of its own (not those a star import brought)."""
    if module is None:
        return set()
    own = module.__name__
    out = set()
    for name, value in list(vars(module).items()):
        try:  # the student's objects: any attribute may be odd
            if getattr(value, "__module__", None) == own:
                out.add(name)
        except Exception:  # a property that raises is not a definition of this module
            continue
    return out


def _text(data: bytes, errors: str) -> str:
    """UTF-8 with universal newlines, as a file opened in text mode reads."""
    return data.decode("utf-8", errors).replace("\r\n", "\n").replace("\r", "\n")


def _run_cells(
    module: ModuleType,
    notebook: list[tuple[int, str]],
    filename: str,
    relpath: str,
    root: str,
    time: budget.Budget,
) -> tuple[tuple[str, ...], tuple[loading.CellStop, ...], bool]:
    """Run a notebook as Jupyter runs its cells one by one: each compiled and run on its own, so a cell
    with a syntax error or an exception costs that cell alone. A forbidden import still ends the load.

    Returns the student-facing errors, the cells that did not run to their end (a skipped cell, the rest
    of a cell from the line that raised: the module's line ranges that never ran), and whether a cell
    stopped for want of a data set. The cells that then stop on a name the data-set cell would have made
    get one note together; a data-set cell that defines classes or functions below the line that needs the
    data is no mere note: those definitions never ran."""
    namespace = vars(module)
    errors: list[str] = []
    unrun: list[loading.CellStop] = []
    data_names: set[str] = set()  # names the cells that needed a data set would have defined
    followers: list[tuple[str, str]] = []  # (cell, name) of the cells that stopped on one of them
    need_data = False
    for _, source in notebook:
        first, last = len(source) - len(source.lstrip("\n")) + 1, source.count("\n")
        try:
            code = lazy_annotations.compile_source(source, filename)
        except (SyntaxError, ValueError) as exc:
            message = (
                loading.syntax_message(exc, relpath, filename) if isinstance(exc, SyntaxError) else str(exc)
            )
            errors.append(f"{message}: this cell was skipped, the other cells were run (as in Jupyter)")
            unrun.append(loading.CellStop(first, last, filename, None, message))
            continue
        try:
            with time.arm():
                exec(code, namespace)
        except ForbiddenImport:
            raise
        except BaseException as exc:  # the student's cell may raise anything, SystemExit included
            stop = loading.stop_of(exc, filename, relpath, root)
            missing = getattr(exc, "name", None) if isinstance(exc, NameError) else None
            follows = missing if missing in data_names else None
            if stop.data_set or follows is not None:  # what this cell would have made needs the data too
                data_names |= loading.bound_from(source, stop.line)
            need_data = need_data or stop.data_set
            located = (
                cells.locate(filename, stop.line) or (loading.shown_line(relpath, filename, stop.line), 0)
                if follows is not None
                else None
            )
            if follows is not None and located is not None:
                followers.append((located[0], follows))
            else:
                lost = loading.defined_below(source, stop.line) if stop.data_set else []
                errors.append(loading.cell_error(stop, lost))
            start = max(stop.line, first) if stop.line else first
            unrun.append(loading.CellStop(start, last, filename, stop))
    if followers:
        errors.append(loading.data_followers(followers))
    if len(errors) > _MAX_CELL_ERRORS:
        errors[_MAX_CELL_ERRORS:] = [f"... and {len(errors) - _MAX_CELL_ERRORS} more cells that failed"]
    return tuple(errors), tuple(unrun), need_data


def _credited(names: Names, hit: tuple[str, Any], root: str, homes: dict[str, str]) -> str:
    """`hit`'s "module.attr", or that of the submission's module that defines the object (its `__module__`),
    loaded or imported, when that module binds it under the same name: a class the first module in load
    order only imports is credited to the file that wrote it. two_layer_net.py's `from my_layers import *`
    credited Affine, Relu and SoftmaxWithLoss to two_layer_net.py in the report's "graded from" line, and
    my_layers.py was one of the "other .py files not graded" (grader/reports/graded_files.py). `homes`:
    an imported module credited so -> its file, added to the load's modules. Which object is graded is
    unchanged."""
    where, obj = hit
    module, _, attr = where.rpartition(".")
    try:  # the student's object and modules: any attribute may be anything
        home = obj.__module__
        if not isinstance(home, str) or home == module:
            return where
        for m in names.ran():
            if m.module is not None and m.module.__name__ == home and vars(m.module).get(attr) is obj:
                return f"{m.name}.{attr}"
        for name, imported, path in _modules_under(root):
            relpath = os.path.relpath(path, root).replace(os.sep, "/")
            if name == home and vars(imported).get(attr) is obj and _path_gives(relpath, home):
                homes[home] = relpath
                return f"{home}.{attr}"
    except Exception:
        pass
    return where


def _path_gives(relpath: str, name: str) -> bool:
    """Whether `name` is one the module of file `relpath` has as Python imports it (its dotted path or a
    dotted tail, a package's without `__init__`): the parent keeps only such a name (grader/sandbox/
    frames.py `_module_names`). A file loaded under a name of its own (`spec_from_file_location("mylayers",
    ...)`) was credited to a module the parent then dropped, and each name credited there with it."""
    dotted = relpath.removesuffix(".py").replace("/", ".")
    return any(
        whole == name or whole.endswith("." + name) for whole in (dotted, dotted.removesuffix(".__init__"))
    )


def _stale_bases(names: Names, found: Mapping[str, str]) -> list[str]:
    """A graded class built on a base class its module later defined again: a notebook kept step by step
    (DeZero's step-9 cell with Exp and Function, the step-18 cell with a new Function and no Exp), or one
    file with a class pasted twice. Python keeps the old base under the class made before the new one, so
    Exp()(x) runs the old Function.__call__ on the new Variable ("'Exp' object has no attribute
    'generation'"): as Jupyter runs it, but the error names neither. One warning per class (at most five)."""
    out: list[str] = []
    for name in found:
        hit = names.locate(name)
        cls = hit[1] if hit is not None else None
        if not isinstance(cls, type):
            continue
        try:  # the student's classes: any attribute may be odd
            module = sys.modules.get(str(cls.__module__))
            own = vars(module) if module is not None else {}
            stale = [
                b
                for b in cls.__mro__[1:-1]
                if b.__module__ == cls.__module__
                and isinstance(own.get(b.__name__), type)
                and own.get(b.__name__) is not b
            ]
        except Exception:
            continue
        for base in stale[:1]:
            c, b = cls.__name__, base.__name__
            if any(text.startswith(f"class {c} is built on") for text in out):
                continue
            out.append(
                f"class {c} is built on an earlier class {b}, which a later definition of {b} replaced: "
                f"Python keeps the old {b} as the base of {c}, so {c} runs the old {b}'s methods. Define {c} "
                f"again below the new {b} (in a notebook: in that cell or a later one)"
            )
        if len(out) == 5:
            break
    return out


# A package's switch between two versions of its classes, and what the book does with it.
_SWITCHES = {"is_simple_core": "the book's dezero/__init__.py sets is_simple_core = False from step 33 on"}
_MIXED_USERS = 4  # classes named in a mixed-definitions warning, then a count


def _mixed_definitions(names: Names, found: Mapping[str, str]) -> list[str]:
    """Graded classes made with other versions of graded classes: the book's dezero/__init__.py left at
    is_simple_core = True gives core_simple's Variable and Function, while core.py's Add and functions.py's
    Sin make and check core's Variable, and every case raised "<class 'dezero.core_simple.Variable'> is not
    supported" with nothing saying why. One warning: the names found first (in load order) that others were
    made without, and those others."""
    classes = {n: o for n in found if isinstance(o := names.get(n), type)}
    graded_ids = {
        id(c) for c in classes.values()
    }  # DeZero's layers.Linear is graded beside the function Linear
    users: dict[str, list[str]] = {}
    others: dict[str, Any] = {}
    for name, cls in classes.items():
        try:  # the student's classes: any attribute may be odd
            module = sys.modules.get(str(cls.__module__))
            own = vars(module) if module is not None else {}
            for other_name, graded in classes.items():
                theirs = own.get(other_name)
                if (
                    other_name != name
                    and _another_version(theirs, graded)
                    and id(theirs) not in graded_ids  # another graded class of that name, not another version
                    and _owned(sys.modules.get(str(theirs.__module__)), names.root)  # never a stand-in
                ):
                    users.setdefault(other_name, []).append(name)
                    others.setdefault(other_name, theirs)
        except Exception:
            continue
    if not users:
        return []
    order = {m.name: i for i, m in enumerate(names.modules)}
    home = {n: (hit[0].rsplit(".", 1)[0] if (hit := names.locate(n)) else "") for n in users}
    first = min(home.values(), key=lambda m: order.get(m, len(order)))
    shadowed = [n for n in users if home[n] == first]
    made = list(dict.fromkeys(u for n in shadowed for u in users[n] if u not in shadowed))
    where = _relpath_of(names, first)
    listed = ", ".join(shadowed)
    shown = ", ".join(made[:_MIXED_USERS]) + (
        f" and {len(made) - _MIXED_USERS} more" if len(made) > _MIXED_USERS else ""
    )
    mine, theirs = _module_of(classes[shadowed[0]]), _module_of(others[shadowed[0]])
    return [
        f"the graded classes mix two versions of the program: {listed} {_be(shadowed)} graded from {where} "
        f"({mine}'s), but {shown} {_be(made, 'was')} made with another {listed}, {theirs}'s: an instance of "
        f"one is not an instance of the other, so they fail together. Import every class from one module"
        f"{_switch_note(names, where)}"
    ]


def _be(names: Sequence[str], one: str = "is") -> str:
    return one if len(names) == 1 else ("were" if one == "was" else "are")


def _another_version(theirs: Any, graded: type) -> bool:
    """`theirs` is another class than the graded one of that name, and no class of another kind a qualifier
    tells apart (dezero/layers.py's Linear, a Layer, beside the Function Linear: two graded classes). The
    bases' names are not compared: a program's two copies may name them apart (MiniFlow's Neuron, renamed
    Node in a later lesson, left two versions of Add with two different bases)."""
    if not isinstance(theirs, type) or theirs is graded:
        return False
    return all(bool(kind(theirs)) == bool(kind(graded)) for kind in QUALIFIERS.values())


def _module_of(cls: type) -> str:
    try:
        return str(cls.__module__)
    except Exception:
        return "?"


def _relpath_of(names: Names, module_name: str) -> str:
    return next((m.relpath for m in names.ran() if m.name == module_name), module_name)


def _switch_note(names: Names, relpath: str) -> str:
    """`: <what the book does>` when the module a name was found in sets a known switch to True."""
    for m in names.modules:
        if m.relpath == relpath and m.module is not None:
            for switch, book in _SWITCHES.items():
                if vars(m.module).get(switch) is True:
                    return f": {relpath} sets {switch} = True, and {book}"
    return ""


def _nested_support_packages(
    root: str, files: Sequence[str], support: Iterable[str], aside: Collection[str] = ()
) -> None:
    """A student's own copy of a support package in a chapter folder (`ch05/common/layers.py`, beside
    `ch05/two_layer_net.py` doing `from common.layers import *`; the book's folders copied, no
    sys.path.append) is what `common` means to the code there, as `python two_layer_net.py` run in ch05/
    has it: its folder goes first in the package's path, the assignment's support files (at the root) after
    it. Without it `common` was the root's support package alone, its missing `layers` the grader's stand-in
    ("common.layers is not in the submission"), and TwoLayerNet ran on the stand-in's layers. Only when the
    student has no file of their own in the root's package (a root `common/layers.py` is theirs and stays
    what `common` means). A copy holding a file set aside (`ch06/common/layers.py` beside the graded
    `ch07/common/layers.py`: choice.copies) is another version, left out."""
    shipped = set(support)
    _NESTED_PACKAGE_DIRS.clear()
    for top in sorted({s.split("/", 1)[0] for s in shipped if "/" in s}):
        if any(f.startswith(top + "/") and f not in shipped for f in files):
            continue
        dirs = {os.path.dirname(f) for f in files if os.path.dirname(f).endswith("/" + top)}
        dirs -= {os.path.dirname(f) for f in aside}
        nested = sorted(dirs, key=lambda d: (d.count("/"), d))
        if not nested:
            continue
        _prepare_path(root, "x.py")
        try:
            package = importlib.import_module(top)
        except Exception:  # the support package itself failed: nothing to extend
            continue
        path = getattr(package, "__path__", None)
        if isinstance(path, list):
            path[:0] = [os.path.join(root, d) for d in nested if os.path.join(root, d) not in path]
            _NESTED_PACKAGE_DIRS.update((d, top) for d in nested)


def _prepare_path(root: str, relpath: str) -> None:
    """Root first (for `common.functions`), then the file's dir (siblings, `sys.path.append(os.pardir)`). A
    file of a src layout's package has its `src/` there instead, as installed: with its own folder first,
    `src/miniflow/miniflow.py` was the top-level module `miniflow`, never the package its __init__ imports."""
    src = _installed_source_root(relpath, root)
    folder = os.path.join(root, src) if src is not None else os.path.dirname(os.path.join(root, relpath))
    for entry in (folder, root):
        if entry in sys.path:
            sys.path.remove(entry)
        sys.path.insert(0, entry)


_REGISTRY: standins.Registry | None = None


def standin_registry() -> standins.Registry | None:
    """The stand-ins of the loaded submission (None before a load, or when none was installed)."""
    return _REGISTRY


def _standins(root: str) -> standins.Registry:
    global _REGISTRY
    if _REGISTRY is None or _REGISTRY.root != root:
        _REGISTRY = standins.install(root)
    return _REGISTRY


_STAR_IMPORT = re.compile(rb"^[ \t]*from[ \t]+[\w.]+[ \t]+import[ \t]+\*", re.MULTILINE)


def _methods_named(modules: Sequence[Any], name: str) -> list[str]:
    """`Graph.topological_sort` for a missing `topological_sort`: the function written as a method of a class
    of the student's (a Graph wrapping the sort and the pass), so "missing" says where it is; also in a class
    nested in one (`Network.Graph.topological_sort`) or defined inside a module function, read from the
    function's code (`Graph.topological_sort inside the function build_graph`), in the stage line's words
    (s31: both were "missing: topological_sort" alone, while the stage line said the code defines it)."""
    found: list[str] = []
    for m in modules:
        for obj in list(vars(m.module).values()) if m.module is not None else ():
            # by the object's real type, never its `__class__` (an object posing as a function, its
            # `__code__` None, failed the whole load with "AttributeError: ... 'co_flags'", s31); an object
            # whose reading raises is passed over: these words are a hint, the load goes on without them
            try:
                if issubclass(type(obj), type) and obj.__module__ == m.module.__name__:
                    found += _in_class(obj, name, obj.__name__, _NESTING)
                elif type(obj) is FunctionType and obj.__module__ == m.module.__name__:
                    found += _in_code(obj.__code__, name, _NESTING)
            except Exception:  # student-made attributes (a metaclass's properties) may raise
                continue
    return list(dict.fromkeys(found))


_NESTING = 4  # classes within classes (or code within code) read this deep: the lesson's Graph is one level
_CLASS_BODY_FLAGS = (
    inspect.CO_OPTIMIZED | inspect.CO_NEWLOCALS
)  # a function's code has them, a class body's not


def _in_class(cls: type, name: str, qualified: str, depth: int) -> list[str]:
    found = [f"{qualified}.{name}"] if name in cls.__dict__ else []
    for inner in list(cls.__dict__.values()) if depth > 0 else ():
        if issubclass(type(inner), type) and inner.__qualname__ == f"{cls.__qualname__}.{inner.__name__}":
            found += _in_class(inner, name, f"{qualified}.{inner.__name__}", depth - 1)
    return found


def _in_code(code: Any, name: str, depth: int) -> list[str]:
    """Methods named `name` of the classes a function's code defines (its constants hold their bodies'
    code), and a class `name` it defines."""
    found: list[str] = []
    is_class = not code.co_flags & _CLASS_BODY_FLAGS
    for inner in code.co_consts if depth > 0 else ():
        if not inspect.iscode(inner):
            continue
        # a method of a class body, or the class `name` itself (a class body: `Sigmoid inside the function
        # make`, s32)
        if inner.co_name == name and (is_class or not inner.co_flags & _CLASS_BODY_FLAGS):
            function, _, qualified = inner.co_qualname.rpartition(".<locals>.")
            found.append(method_words(qualified, function.rsplit(".", 1)[-1]))
        found += _in_code(inner, name, depth - 1)
    return found


def _hiding(
    root: str, modules: Sequence[LoadedModule], missing: Sequence[str], aliases: Mapping[str, Sequence[str]]
) -> StudentFailure | None:
    """The load failure that may have hidden a missing name: the first failing file that names one (defines
    or uses it: `class MulLayer`, `MulLayer()` after `from layer_naive import *`) or star-imports a module
    (which may have held it); None when no failing file could have held it. In a whole repository every
    missing name was blamed on the first file that failed, whatever it was: `no class MulLayer ...;
    ch04/gradient_method.py could not be loaded: importing 'gradient_2d' failed`, code import_error, a
    chapter-4 plotting script that never mentions MulLayer (sample
    submissions/layers/book_repo_no_layer_naive/)."""
    # a qualified name (`layers.Linear`: a class Linear of a Layer) is named in the source by its last part
    words = {n.rsplit(".", 1)[-1] for m in missing for n in (m, *aliases.get(m, ()))}
    words = {w for w in words if w.isidentifier()}
    if not words:
        return None
    named = re.compile(rb"\b(?:" + b"|".join(re.escape(w.encode()) for w in sorted(words)) + rb")\b")
    for loaded in modules:
        if loaded.failure is None:
            continue
        source = _head(root, loaded.relpath)
        if named.search(source) or _STAR_IMPORT.search(source):
            return loaded.failure
    return None


def load(
    root: str,
    *,
    preferred: Sequence[str],
    required: Sequence[str],
    optional: Sequence[str] = (),
    aliases: Mapping[str, Sequence[str]],
    exclude: Iterable[str] = (),
    one_of: Sequence[Sequence[str]] = (),
    copies: Mapping[str, str] | None = None,
    copy_reasons: Mapping[str, str] | None = None,
    stage_step: str | None = None,
    family: str = "",
    pickle_defs: Mapping[str, Sequence[str]] | None = None,
) -> LoadResult:
    """Import the submission; `failure` is set only when nothing required could be found because of it.
    `one_of`: groups of alternative files; only the first present is imported (grader/inside/choice.py).
    `copies`: other copies of a preferred file -> the copy graded (the parent's choice.copies): not imported.
    `copy_reasons`: the copy graded -> why, in the parent's words (defined.copy_reasons_of).
    `stage_step`: the step the stage grades ("18"), whose file `one_of` puts first (choice.for_stage).
    `family`: the adapter's, for the clauses of its own an error at import may be told (failures.py).
    `pickle_defs`: the parent's reading of what a pickle may name in each file (grader/pickle_defs.py).
    """
    root = os.path.realpath(root)
    registry = _standins(root)
    lazy_annotations.install(root)  # type hints as Python 3.14 runs them: never evaluated at def time
    stable_hash.install(root)  # its sets iterate in the same order on every run, whatever the addresses
    pickles.install()  # a pickle from a file the parent never read loads data only (after the snapshot)
    files = python_files(root)
    known = loading.module_names(files)
    present = set(files)
    aside = choice.set_aside(files, one_of)
    aside.update((f, kept) for f, kept in (copies or {}).items() if f in present and kept in present)
    weight: dict[str, int] = {}
    for f in files:
        if f not in aside:
            head = _head(root, f)  # one at a time: up to 1 MiB each, never all kept
            weight[f] = choice.required_defined(head, required, aliases)
    # The import system's reads and a pickle's names, decided in a hook nothing of this process reaches
    own = audit.own_modules(root, files)
    audit.install(
        frozenset(n for names in own.values() for n in names), audit.defined_names(own, pickle_defs or {})
    )
    # Of files defining as many required names, a starter of stubs defines them too: stubs are counted only
    # where they break such a tie (the tokenizer costs ~5 ms for a 10 KiB file; a single file pays nothing).
    # Counted in a dict, not a Counter: a Counter of a generator asks isinstance(it, Mapping) first, an ABC
    # check whose caches each forked student process wrote afresh (~30 copy-on-write faults, session 37).
    ties: dict[int, int] = {}
    for n_defined in weight.values():
        if n_defined:
            ties[n_defined] = ties.get(n_defined, 0) + 1
    stubs = {f: choice.stub_bodies(_head(root, f)) for f, w in weight.items() if w and ties[w] > 1}
    order = choice.candidates([f for f in files if f not in aside], preferred, exclude, weight, stubs)
    n_preferred = sum(1 for p in order if any(choice.member(p, w) for w in preferred))
    names = Names([], aliases, root=root, standins=registry)
    if family == "dezero":
        graded_names = {*required, *optional}
        names.helpers = {
            r: dezero_helper(r) for r in graded_names if r[:1].isupper() and dezero_helper(r) in graded_names
        }
    notes: list[str] = []
    unvisited: list[str] = []
    _nested_support_packages(root, files, exclude, aside)
    _source_roots(root, files)
    stdlib_shadows.release(files, _PRELOADED)  # a helper copy.py is the student's `copy`, as in Python
    time = budget.Budget()
    for i, relpath in enumerate(order):
        # Everything required is found: run no more of the submission's scripts than needed, except a file
        # that completes the program with an optional name a case grades (the book's ch07/simple_convnet.py
        # beside common/layers.py) and defines nothing already found.
        if (
            i >= n_preferred
            and all(names.locate(r) for r in required)
            and not _completes(os.path.join(root, relpath), names, optional, required, aliases)
        ) or (i >= n_preferred and _repeats(os.path.join(root, relpath), names, required, optional, aliases)):
            unvisited.append(relpath)
            continue
        _prepare_path(root, relpath)
        # As `python miniflow.py` would have it: a script reading sys.argv (argparse at the top level) sees
        # its own name and no arguments, never the worker's command line.
        sys.argv = [relpath]
        loaded = import_file(relpath, root, known, time, family)
        names.modules.append(loaded)
        names.forget()
        names.standin_hits.clear()
        if loaded.note:
            notes.append(loaded.note)
        if loaded.failure is not None:
            notes.append(f"{relpath} not loaded: {loaded.failure.message}")
    # Restore the root's priority: a file's own dir was pushed in front of it.
    _prepare_path(root, "x.py")
    # A file another one imported (`from dezero import *` running dezero/core.py) did run: it is part of
    # the graded program, not an unrun copy of it.
    imported = imported_files(root)
    unvisited = [r for r in unvisited if os.path.join(root, r) not in imported]
    steps = {f: kept for f, kept in aside.items() if f not in (copies or {})}  # as the parent reads them
    names.imported_steps = _imported_steps(root, steps, imported)
    names.forget()
    setup_warnings = _package_setup(names)
    failures = [m.failure for m in names.modules if m.failure is not None]
    homes: dict[str, str] = {}
    found = {
        r: _credited(names, hit, root, homes)
        for r in (*required, *optional)
        if (hit := names.locate(r)) is not None
    }
    unlike = {r: w for r in found if (w := own_functions.unlike_the_books(r, _parameters(names, r)))}
    found = {r: where for r, where in found.items() if r not in unlike}
    # a class its composed first version stands for (linear_simple for Linear, found as linear) is graded
    # through it: no missing name
    missing = [r for r in required if r not in found and not any(map(names.locate, composed_for(family, r)))]
    # A name the assignment grades is never a misspelling of another it grades: "missing: Sum (you defined
    # Sub, sub)" told a step-35 package graded at step 40 that its Sub was a typo of Sum.
    graded = {*required, *optional}
    near = {
        r: [n for n in names.near(r) if n not in graded] + _methods_named(names.modules, r) for r in missing
    }
    hiding = _hiding(root, names.modules, missing, aliases) if failures and missing else None
    names.blocked = hiding
    failure = None
    if missing and failures and not any(r in found for r in required):
        failure = hiding or failures[0]
    elif not order:
        wanted = ", ".join(preferred) or "a .py file"
        failure = StudentFailure("missing_name", f"no Python file in the submission (expected {wanted})")
    warnings, reasons = _review(root, names, unvisited, known, (*required, *optional), aliases, family)
    # A name the load explains (its class is in a cell skipped for a syntax error, below the line the module
    # stopped at) is no typo: "missing: Sigmoid (you defined sigmoid)" pointed at the helper function.
    near = {r: [] if r in reasons else n for r, n in near.items()}

    def reason(chosen: str, others: list[str]) -> str:
        if copy_reasons and chosen in copy_reasons:  # the parent decided, on the assignment's names
            return copy_reasons[chosen]
        sources = {f: _head(root, f) for f in (chosen, *others)}
        return choice.copy_reason(chosen, others, sources, preferred, required, optional)

    # a step set aside that the graded step imports (step14.py's `from step13 import Function`) ran with it:
    # it was said "not run" (session 36)
    not_run = {f: kept for f, kept in aside.items() if os.path.join(root, f) not in imported}
    warnings += loading.set_aside_warnings(not_run, reason, stage_step) + setup_warnings
    warnings += _stale_bases(names, found)
    warnings += _mixed_definitions(names, found)
    warnings += unlike.values()
    warnings += _kept_shadows(root, names)
    used = [u.module for u in registry.uses]
    return LoadResult(names, found, missing, near, notes, failure, warnings, reasons, used, homes)


def _parameters(names: Names, name: str) -> list[Param] | None:
    """The parameters of one of the book's test functions the code defines (own_functions.py), else None."""
    if name not in own_functions.BOOK_ARGUMENTS:
        return None
    try:
        return read_parameters(names.get(name))
    except Exception:  # a student's __signature__ or __init__ raising: the call will say what it does
        return None


# The modules the worker holds when it forks a student process (numpy, this runtime): none is a file of a
# submission. Kept by identity (the dict holds each module, so that its id is never reused by another).
_PRELOADED: dict[int, ModuleType] = {}


def remember_preloaded() -> None:
    """Called by the worker before it forks any student process. `imported_files` then passes over these
    modules without reading their attributes: in a forked child every inherited object it reads gets its
    reference count written, a copy-on-write page fault (measured: ~370 faults, 1 to 2 ms of CPU a student
    process, when every module's `__file__` was read)."""
    _PRELOADED.update((_key(m), m) for m in list(sys.modules.values()))
    stdlib_shadows.remember()


def _imported_steps(root: str, steps: Mapping[str, str], imported: set[str]) -> list[LoadedModule]:
    """The other steps of a `one_of` group that the graded program imported, as modules, in path order."""
    ran = {os.path.join(root, f): f for f in sorted(steps)}
    if not ran.keys() & imported:
        return []
    modules = {path: (str(name), module) for name, module, path in _modules_under(root) if path in ran}
    return [LoadedModule(ran[p], *modules[p]) for p in ran if p in modules]


def imported_files(root: str) -> set[str]:
    """The real paths of the files under `root` that are modules in sys.modules: the ones the student's code
    imported (a package's __init__.py and the modules it imports), loaded and still there."""
    return {path for _, _, path in _modules_under(root)}


def _modules_under(root: str) -> Iterator[tuple[Any, Any, str]]:
    """(name, module, real path) of each module in sys.modules whose file is under `root`, the worker's own
    modules passed over unread (remember_preloaded). Only a file named under the root is resolved: realpath
    on every numpy module's file cost ~11 ms a student process (an lstat a path component); the
    submission's own modules are named from sys.path entries under the root, real or as given."""
    prefixes = tuple({root + os.sep, os.path.realpath(root) + os.sep})
    for name, module in _added_since_fork():
        try:
            filename = module.__dict__.get("__file__")
            if isinstance(filename, str) and os.path.abspath(filename).startswith(prefixes):
                path = os.path.realpath(os.path.abspath(filename))
                if path.startswith(root + os.sep):
                    yield name, module, path
        except Exception:  # a student's object put in sys.modules may be anything
            continue


def _added_since_fork() -> list[tuple[Any, Any]]:
    """(name, module) of each entry of sys.modules whose module is not one the worker held
    (remember_preloaded), in the dict's order: the ones added since the fork, and any put at a name the
    worker held (`sys.modules["json"] = mine`, as the load does for a submission's json.py).

    In a forked child every inherited object read gets its reference count written, a copy-on-write page
    fault: one pass over sys.modules' items cost a student process ~310 faults, over its names ~210, over its
    modules ~175 (session 24, `ru_minflt` in a forked child of a worker-like process). The modules are read
    (a module put at a held name keeps that name's place in the dict); the names only from the first entry
    whose module the worker did not hold to the end, read from the end (a dict keeps its insertion order).
    A change of size or of the tail between the two reads (a student's thread) is noticed and sys.modules
    read whole, as before; a module put at a held name meanwhile is not, as one put there just after the
    scan is not. Keyed by address without `id()`, whose audit event ran the grader's hook once a module
    passed (~280 a student process: address.py). A
    sys.modules the student replaced by a mapping of their own is read whole as well (`items()` may give
    anything: review of s24-ssand, a dict subclass whose items() cannot be reversed stopped the load)."""
    modules = list(sys.modules.values())
    first = len(modules)
    for index, module in enumerate(modules):
        if _PRELOADED.get(_key(module)) is not module:
            first = index
            break
    try:
        if type(sys.modules) is not dict:
            raise TypeError("not the interpreter's dict")
        tail = list(itertools.islice(reversed(sys.modules.items()), len(modules) - first))
    except Exception:  # changed size while read, or a mapping of the student's: read whole below
        tail = []
    tail.reverse()
    same = len(sys.modules) == len(modules) and len(tail) == len(modules) - first
    if not same or any(held is not m for (_, held), m in zip(tail, modules[first:], strict=True)):
        tail = list(sys.modules.items())
    return [(name, module) for name, module in tail if _PRELOADED.get(_key(module)) is not module]


def _completes(
    path: str,
    names: Names,
    optional: Sequence[str],
    required: Sequence[str],
    aliases: Mapping[str, Sequence[str]],
) -> bool:
    """`path` defines (on import, as loading.outline reads it: unindented or inside a top-level if/try) an
    optional name still missing, and none of the names already found at the top level: a part of the
    program, not a second copy of it (`miniflow (1).py`). A found name defined only inside a block (an
    `except ImportError:` fallback for `from layers import Relu`) makes no copy."""
    shape = loading.outline(path)
    missing = [n for n in optional if names.locate(n) is None]
    found = [n for n in (*required, *optional) if n not in missing]
    return _defines_any(shape.run_names, missing, aliases) and not _defines_any(
        shape.defs.keys(), found, aliases
    )


def _defines_any(defs: AbstractSet[str], wanted: Sequence[str], aliases: Mapping[str, Sequence[str]]) -> bool:
    """`defs` (names a file's outline reads) defines one of `wanted`, as spelt or as one of its aliases."""
    return any({n, *aliases.get(n, ())} & defs for n in wanted)


def _repeats(
    path: str,
    names: Names,
    required: Sequence[str],
    optional: Sequence[str],
    aliases: Mapping[str, Sequence[str]],
) -> bool:
    """While required names are still missing, `path` defines names already found and none of the missing
    required ones: another copy of what was loaded, not the part still needed. The book's dezero/ keeps
    core_simple.py beside core.py from step 32 on; when dezero/functions.py (Sin, Cos, Tanh) came later in
    the order, core_simple.py ran first and its Square and Exp, over its own Variable, were graded with
    core.py's Variable (every case through them raised "Variable is not supported")."""
    missing = [r for r in required if names.locate(r) is None]
    if not missing:
        return False
    # the missing on `run_names` (a file whose missing class sits in `except ImportError:` or an `if` is no
    # copy), the found on the unindented `defs` (a fallback copy of a found class in a block makes no copy)
    shape = loading.outline(path)
    found = [n for n in (*required, *optional) if n not in missing and names.locate(n) is not None]
    return _defines_any(shape.defs.keys(), found, aliases) and not _defines_any(
        shape.run_names, missing, aliases
    )


# The book's dezero/core_simple.py (step 23) defines setup_variable(), which gives Variable its operators, and
# leaves the call to dezero/__init__.py. A core_simple.py handed in alone is loaded as that __init__ loads it.
# function -> (the class it completes, attributes none of which it has until then, the file that calls it)
_PACKAGE_SETUP: dict[str, tuple[str, tuple[str, ...], str]] = {
    "setup_variable": ("Variable", ("__add__", "__mul__"), "dezero/__init__.py"),
}


def _caller_state(names: Names, relpath: str, caller: str, fn_name: str, fn: Any) -> str:
    """Why the package's __init__.py beside `relpath` did not call the setup: absent, stopped, calling
    another module's function of that name (the book's `if is_simple_core:` imports core_simple's), or
    silent."""
    init = "/".join([*relpath.split("/")[:-1], "__init__.py"])
    if not os.path.isfile(os.path.join(names.root, init)):
        return f"the book calls it in {caller}, which is not in the submission"
    loaded = [m for m in names.modules if m.relpath == init]
    if any(m.failure is not None or m.stop is not None for m in loaded):
        return f"the book calls it in {caller}, and {init} stopped before that line: see its warning"
    space = next((vars(m.module) for m in loaded if m.module is not None), {})
    theirs = space.get(fn_name)
    if inspect.isfunction(theirs) and theirs is not fn:
        switch = next((f", which {k} = True imports" for k in _SWITCHES if space.get(k) is True), "")
        module = str(theirs.__module__)
        other = _relpath_of(names, module)  # a module the load did not list: its file, when it is one
        path = module.replace(".", "/") + ".py"
        other = path if other == module and os.path.isfile(os.path.join(names.root, path)) else other
        return f"{init} calls {other}'s {fn_name}(){switch}, not this file's"
    return f"the book calls it in {caller}, and {init} does not"


def _package_setup(names: Names) -> list[str]:
    """Call a package's setup function that the submission defines but never calls, once, and say so."""
    warnings: list[str] = []
    for m in names.modules:
        if m.module is None:
            continue
        for fn_name, (cls_name, attrs, caller) in _PACKAGE_SETUP.items():
            fn, cls = m.module.__dict__.get(fn_name), m.module.__dict__.get(cls_name)
            if not inspect.isfunction(fn) or not isinstance(cls, type) or any(hasattr(cls, a) for a in attrs):
                continue
            params = read_parameters(fn)
            if params is None or any(not p.has_default for p in params):
                continue  # not the book's setup: it asks for arguments (or Python cannot tell)
            try:
                fn()
            except ForbiddenImport:
                raise  # as at import: a forbidden import ends the load
            except BaseException as exc:  # the student's function may raise anything, SystemExit included
                warnings.append(
                    f"{m.relpath}: {fn_name}() is defined but never called; calling it raised {describe(exc)}"
                )
                continue
            done = f"the grader called it once, as the book's {caller} does, so {cls_name} has its operators"
            under = loading.called_under_main(os.path.join(names.root, m.relpath), fn_name)
            if under is not None:
                # "never called" was said of a file that calls it, under the guard an import skips
                warnings.append(
                    f"{m.relpath}: {fn_name}() is called only under {under}, which does not run when the "
                    f"file is imported: {done}. Call it at module level, above the guard"
                )
                continue
            why = _caller_state(names, m.relpath, caller, fn_name, fn)
            warnings.append(
                f"{m.relpath}: {fn_name}() is defined but never called ({why}): {done}. To run this file on "
                f"its own, call {fn_name}() at its end"
            )
    return warnings


def _kept_shadows(root: str, names: Names) -> list[str]:
    """A file of the submission named like a standard module the grader keeps (platform.py, which numpy
    holds), imported by the program some way whose import cannot fail: `from platform import *` or `import
    platform` then `platform.sigmoid(x)` got "name 'sigmoid' is not defined" or "module 'platform' has no
    attribute 'sigmoid'" on every case, with no word of the clash that `from platform import sigmoid` is
    told of (review of s26-realmf). Said once, as a load warning, in stdlib_shadows.clash's words; not again
    where an import failure said them. The program's imports are read only when such a file exists."""
    kept = stdlib_shadows.kept()
    if not kept:
        return []
    said = " ".join(m.failure.message for m in names.modules if m.failure is not None)
    named = {n.split(".", 1)[0] for n in _named_by_program(root, [m.relpath for m in names.modules])}
    told = [text for n in kept if n in named and (text := stdlib_shadows.clash(n)) is not None]
    return [text[0].upper() + text[1:] for text in told if text not in said]


def _named_by_program(root: str, relpaths: Sequence[str]) -> set[str]:
    """The modules named by the imports of the files the load ran (or tried to), of the packages'
    `__init__.py` files above them, which Python runs first, and so on through the submission's files those
    imports name (read, never run: both branches of the book's `if is_simple_core:` are named)."""
    named: set[str] = set()
    todo, seen = list(relpaths), set()
    while todo:
        rel = todo.pop()
        filename = os.path.join(root, rel)
        if rel in seen or not os.path.isfile(filename):
            continue
        seen.add(rel)
        parts = rel.split("/")[:-1]
        todo += ["/".join([*parts[:i], "__init__.py"]) for i in range(1, len(parts) + 1)]
        found = loading.imported_modules(rel, filename) - named
        named |= found
        for module in found:
            path = module.replace(".", "/")
            todo += [f"{path}.py", f"{path}/__init__.py"]
    return named


def _review(
    root: str,
    names: Names,
    unvisited: Sequence[str],
    known: Sequence[str],
    wanted: Sequence[str],
    aliases: Mapping[str, Sequence[str]],
    family: str = "",
) -> tuple[list[str], dict[str, str]]:
    """The load's student-facing warnings, and why each wanted name that was not found is missing."""
    problems: list[str] = []
    hints: list[str] = []
    defs: dict[str, dict[str, list[tuple[str, int]]]] = {}
    stops: dict[str, loading.Stop] = {}
    cell_stops: dict[str, tuple[loading.CellStop, ...]] = {}
    failed: dict[str, str] = {}
    for m in names.modules:
        filename = os.path.join(root, m.relpath)
        shape = loading.outline(filename)
        defs[m.relpath] = shape.bound  # what Python binds on import: under a top-level `if`/`try` too
        problems.extend(m.cell_errors)
        if m.cell_stops:
            cell_stops[m.relpath] = m.cell_stops
        if m.failure is not None:
            problems.append(m.failure.message)
            failed[m.relpath] = m.failure.code
        elif m.stop is not None and m.stop.data_set:
            bound = _own_names(m.module)
            problems.append(loading.data_set_stop_note(m.stop, shape, bound))
            stops[m.relpath] = m.stop
        elif m.stop is not None and m.stop.too_long:
            problems.append(loading.too_long_note(m.stop))
            stops[m.relpath] = m.stop
        elif m.stop is not None and m.stop.test_runner:
            problems.append(
                f"note: {m.stop.where} runs the file's unit tests when it is loaded, as a script would, and "
                "the test runner exits there; the names defined before that line are graded (not an error). "
                'Put it under `if __name__ == "__main__":` to run the tests only as a script'
            )
            stops[m.relpath] = m.stop
        elif m.stop is not None:
            # nn.py's `m / batch_size` in range(): Python 2's floor, its fix shown on the file's own line
            divided = py2_errors.division_in_source(linecache.getlines(filename), m.stop.line)
            py2 = py2_errors.explain(m.stop.error, divided, family)
            said = f"{m.stop.error}; {py2}" if py2 else m.stop.error
            problems.append(
                f"an exception stopped the loading of {m.stop.where}: {said}; the names defined before that "
                "line are graded, the ones after it were never defined"
            )
            stops[m.relpath] = m.stop
        if m.module is not None:
            hints += loading.duplicate_warnings(shape, m.relpath, filename, wanted, m.unrun, vars(m.module))
            hints += loading.init_hints(shape, m.relpath, filename)
    importable = loading.Importable(root, known)
    graded = [m.relpath for m in names.modules if m.module is not None]
    graded_defs = {n for rel in graded for n in defs.get(rel, {})}
    # The program's imports, parsed from its files again: read only for a file that could be a copy (a
    # one-file submission, the usual one, has none; reading them cost every student process ~2 ms).
    named: set[str] | None = None
    for relpath in unvisited:
        problem = loading.static_problem(relpath, root, importable)
        if problem is not None and problem not in problems:  # not when a graded file's import met it
            problems.append(f"{problem} {contexts.NOT_RUN_NOTE}")
        copy = [n for n in loading.outline(os.path.join(root, relpath)).bound if n in wanted]
        # A module the program's own imports name (the book's dezero/__init__.py: `if is_simple_core: from
        # dezero.core_simple import ...`) is a part of it that its code chose against, not a copy to hand in.
        if len(copy) < _COPY_NAMES or not graded:
            continue
        if named is None:
            named = _named_by_program(root, [m.relpath for m in names.modules])
        if relpath[:-3].replace("/", ".") in named:
            continue
        # Only the names a graded file defines too are "graded from" it: the add quiz's Add, beside a
        # Linear quiz graded at a stage where Add is optional, is graded from nowhere.
        shared = [n for n in copy if n in graded_defs] or copy
        own = [n for n in copy if n not in shared]
        unrun = f" (so {_listed(own)}, which only it defines, {'is' if len(own) == 1 else 'are'} not graded)"
        problems.append(
            f"{relpath} also defines {_listed(shared)}, graded from {', '.join(graded[:3])}: it was not "
            f"run{unrun if own else ''}. If it holds the version to grade (a copy such as "
            "`miniflow (1).py`), remove the other one or give it the expected file name"
        )
    absent = [n for n in wanted if names.locate(n) is None]
    reasons = loading.never_defined(absent, aliases, defs, stops, failed, cell_stops)
    for name, standin in names.standin_hits.items():
        reasons.setdefault(
            name,
            f"only the grader's stand-in {standin} was found, and a stand-in is never graded as yours",
        )
    registry = names.standins
    data_set_noted = any((m.stop is not None and m.stop.data_set) or m.cells_need_data for m in names.modules)
    used = loading.standin_warnings(registry, data_set_noted) if registry is not None else []
    warnings = _one_per_cause(problems) + hints + used
    return warnings, reasons


_NOT_LOADED = " could not be loaded: "
_NAMED_FILES = 3


def _one_per_cause(problems: Sequence[str]) -> list[str]:
    """Each load problem said once: a package whose modules all import one broken module (a bare `import
    cupy` in dezero/cuda.py, a syntax error in dezero/optimizers.py) failed every file that imports it,
    and the same cause was said once per file, eleven times. Failures with the same cause after
    "x.py could not be loaded: " are one line naming the files."""
    files: dict[str, list[str]] = {}
    out: list[str] = []
    for problem in problems:
        relpath, sep, cause = problem.partition(_NOT_LOADED)
        key = cause if sep else problem
        if key not in files:
            files[key] = []
            out.append(key)
        if sep:
            files[key].append(relpath)
    merged = []
    for key in out:
        named = files[key]
        if not named:
            merged.append(key)
            continue
        shown = ", ".join(named[:_NAMED_FILES])
        more = f" and {len(named) - _NAMED_FILES} more" if len(named) > _NAMED_FILES else ""
        merged.append(f"{shown}{more}{_NOT_LOADED}{key}")
    return merged
