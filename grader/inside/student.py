"""Find and import the submission's modules from the working dir, tolerating real student code.

Preferred file names (the manifest's `modules`, in order) come first, then every other `.py` until every
required name is found. A module that raises *after* defining classes or functions (a training script at the
bottom, missing MNIST data, `np.asscalar`, `exit()`) is kept with a staff note: grade what is there.
"""

from __future__ import annotations

import difflib
import importlib
import importlib.util
import inspect
import os
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any

from .failures import StudentFailure, clean_text, describe, from_exception, staff_detail, student_frames
from .guard import ForbiddenImport

_SKIP_DIRS = {"__pycache__", ".git", ".ipynb_checkpoints", "__MACOSX"}
_MAX_NEAR = 3
_MAX_FOUND = 6


def _noun(name: str) -> str:
    return "class" if name[:1].isupper() else "function"


@dataclass
class LoadedModule:
    relpath: str
    name: str
    module: ModuleType | None
    failure: StudentFailure | None = None
    note: str | None = None


@dataclass
class Names:
    """The student's namespace across loaded modules; a required name may go by any of its aliases."""

    modules: list[LoadedModule]
    aliases: Mapping[str, Sequence[str]]
    blocked: StudentFailure | None = None  # why names might be missing (a module that failed to load)
    root: str = ""
    _cache: dict[str, tuple[str, Any] | None] = field(default_factory=dict)

    def locate(self, name: str) -> tuple[str, Any] | None:
        """("module.attr", object) of the first alias found, canonical name first, modules in load order."""
        if name not in self._cache:
            self._cache[name] = None
            for alias in (name, *[a for a in self.aliases.get(name, ()) if a != name]):
                hit = next(
                    (m for m in self.modules if m.module is not None and alias in vars(m.module)), None
                )
                if hit is not None and hit.module is not None:
                    self._cache[name] = (f"{hit.name}.{alias}", vars(hit.module)[alias])
                    break
        return self._cache[name]

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
        return missing_failure(name, where, self.defined(), self.blocked)


def near_names(name: str, defined: Sequence[str]) -> list[str]:
    """Defined names a student may have meant: same name in another case, then close spellings."""
    same_case = [d for d in defined if d.lower() == name.lower()]
    close = difflib.get_close_matches(name, defined, n=_MAX_NEAR, cutoff=0.6)
    lowered = {d.lower(): d for d in defined}
    close_ci = [lowered[c] for c in difflib.get_close_matches(name.lower(), list(lowered), n=_MAX_NEAR)]
    return list(dict.fromkeys(same_case + close + close_ci))[:_MAX_NEAR]


def missing_failure(
    name: str, modules: Sequence[str], defined: Sequence[str], blocked: StudentFailure | None
) -> StudentFailure:
    """ "no class Linear in a.py; found Lineer (did you mean Lineer?)", or the load failure that hid it."""
    where = ", ".join(modules) or "the submission"
    near = near_names(name, defined)
    found = list(dict.fromkeys(near + [d for d in defined if d[:1].isupper() == name[:1].isupper()]))
    text = f"no {_noun(name)} {name} in {where}"
    if found:
        text += f"; found {', '.join(found[:_MAX_FOUND])}"
    if near:
        text += f" (did you mean {near[0]}?)"
    if blocked is not None:
        return StudentFailure(blocked.code, f"{text}; {blocked.message}", blocked.detail)
    return StudentFailure("missing_name", text)


@dataclass
class LoadResult:
    names: Names
    found: dict[str, str]
    missing: list[str]
    near: dict[str, list[str]]
    notes: list[str]
    failure: StudentFailure | None

    def frame(self) -> dict[str, Any]:
        return {
            "type": "loaded",
            "modules": {m.name: m.relpath for m in self.names.modules if m.module is not None},
            "found": dict(self.found),
            "missing": list(self.missing),
            "near": {k: list(v) for k, v in self.near.items()},
            "notes": list(self.notes),
        }


def python_files(root: str) -> list[str]:
    """Every .py under root (relative, '/'-separated), skipping caches and hidden dirs, shallowest first."""
    found = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if d not in _SKIP_DIRS and not d.startswith("."))
        for f in filenames:
            if f.endswith(".py") and not f.startswith("."):
                found.append(os.path.relpath(os.path.join(dirpath, f), root).replace(os.sep, "/"))
    return sorted(found, key=lambda p: (p.count("/"), p))


def candidates(files: Sequence[str], preferred: Sequence[str], exclude: Iterable[str]) -> list[str]:
    """Preferred names in order (also found one folder down, e.g. `hw1/layers.py`), then the rest."""
    excluded = set(exclude)
    pool = [f for f in files if f not in excluded]
    chosen: list[str] = []
    for want in preferred:
        hit = want if want in pool else next((f for f in pool if f.endswith("/" + want)), None)
        if hit is not None and hit not in chosen:
            chosen.append(hit)
    return chosen + [f for f in pool if f not in chosen]


def _module_name(relpath: str) -> str:
    return relpath[:-3].replace("/", ".")


def _owned(module: ModuleType | None, root: str) -> bool:
    paths = [getattr(module, "__file__", None) or "", *list(getattr(module, "__path__", []) or [])]
    return any(os.path.realpath(p).startswith(root + os.sep) for p in paths if p)


def _spec_for(relpath: str, root: str) -> tuple[str, Any]:
    """The module name and spec: dotted from root when it is a clean, free name; a private alias otherwise."""
    dotted = _module_name(relpath)
    path = os.path.join(root, relpath)
    parts = dotted.split(".")
    top = sys.modules.get(parts[0])
    clean = all(p.isidentifier() for p in parts) and (top is None or _owned(top, root))
    if clean:
        if len(parts) > 1:
            importlib.import_module(".".join(parts[:-1]))  # the parent package (namespace or regular)
        spec = importlib.util.find_spec(dotted)
        if spec is not None and spec.origin and os.path.realpath(spec.origin) == os.path.realpath(path):
            return dotted, spec
    alias = "_submission_" + "".join(c if c.isalnum() else "_" for c in relpath[:-3])
    return alias, importlib.util.spec_from_file_location(alias, path)


def _defines_something(module: ModuleType) -> bool:
    return any(
        (inspect.isclass(o) or inspect.isfunction(o)) and getattr(o, "__module__", None) == module.__name__
        for o in list(vars(module).values())
    )


def _syntax_failure(exc: SyntaxError, root: str) -> StudentFailure:
    path = exc.filename or "?"
    real = os.path.realpath(path) if path != "?" else path
    rel = os.path.relpath(real, root) if real.startswith(root + os.sep) else os.path.basename(path)
    line = clean_text((exc.text or "").strip(), 160)
    where = f"{rel} line {exc.lineno}, column {exc.offset}"
    message = f"syntax error in {where}: {clean_text(exc.msg, 200)}"
    if line:
        message += f": `{line}`"
    if "print" in (exc.msg or "") or line.startswith("print "):
        message += " (Python 2 code? this grader runs Python 3)"
    return StudentFailure("syntax_error", message, f"{where}\n{line}\n{describe(exc)}")


def _import_failure(exc: ImportError, relpath: str, root: str) -> StudentFailure:
    frames = student_frames(exc.__traceback__, root)
    at = frames[-1].where() if frames else relpath
    module = exc.name or "?"
    return StudentFailure(
        "import_error",
        f"{relpath} could not be loaded: importing {module!r} failed ({at}): {clean_text(exc, 200)}; only "
        "numpy, the standard library and the assignment's support files are available",
        staff_detail(exc, root),
    )


def _failure(exc: BaseException, relpath: str, root: str) -> StudentFailure:
    if isinstance(exc, SyntaxError):
        return _syntax_failure(exc, root)
    if isinstance(exc, ImportError) and not isinstance(exc, ForbiddenImport):
        return _import_failure(exc, relpath, root)
    return from_exception(exc, f"importing {relpath}", root)


def import_file(relpath: str, root: str) -> LoadedModule:
    """Execute one file as a module; keep a partially executed module if it defined something."""
    name = _module_name(relpath)
    existing = sys.modules.get(name)
    if existing is not None and _owned(existing, root):
        return LoadedModule(relpath, name, existing)  # already imported by another student module
    module: ModuleType | None = None
    try:
        name, spec = _spec_for(relpath, root)
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
        return LoadedModule(relpath, name, module)
    except BaseException as exc:
        failure = _failure(exc, relpath, root)
        if module is not None and not isinstance(exc, SyntaxError) and _defines_something(module):
            note = f"{relpath} raised at import after defining its names (kept): {failure.message}"
            return LoadedModule(relpath, name, module, note=note)
        sys.modules.pop(name, None)
        return LoadedModule(relpath, name, None, failure=failure)


def _prepare_path(root: str, relpath: str) -> None:
    """Root first (for `common.functions`), then the file's dir (siblings, `sys.path.append(os.pardir)`)."""
    for entry in (os.path.dirname(os.path.join(root, relpath)), root):
        if entry in sys.path:
            sys.path.remove(entry)
        sys.path.insert(0, entry)


def load(
    root: str,
    *,
    preferred: Sequence[str],
    required: Sequence[str],
    optional: Sequence[str] = (),
    aliases: Mapping[str, Sequence[str]],
    exclude: Iterable[str] = (),
) -> LoadResult:
    """Import the submission; `failure` is set only when nothing required could be found because of it."""
    root = os.path.realpath(root)
    order = candidates(python_files(root), preferred, exclude)
    n_preferred = sum(1 for p in order if p in preferred or any(p.endswith("/" + w) for w in preferred))
    names = Names([], aliases, root=root)
    notes: list[str] = []
    for i, relpath in enumerate(order):
        if i >= n_preferred and all(names.locate(r) for r in required):
            break  # everything found: do not run more of the submission's scripts than needed
        _prepare_path(root, relpath)
        loaded = import_file(relpath, root)
        names.modules.append(loaded)
        names._cache.clear()
        if loaded.note:
            notes.append(loaded.note)
        if loaded.failure is not None:
            notes.append(f"{relpath} not loaded: {loaded.failure.message}")
    # Restore the root's priority: a file's own dir was pushed in front of it.
    _prepare_path(root, "x.py")
    failures = [m.failure for m in names.modules if m.failure is not None]
    found = {r: hit[0] for r in (*required, *optional) if (hit := names.locate(r)) is not None}
    missing = [r for r in required if r not in found]
    near = {r: names.near(r) for r in missing}
    names.blocked = failures[0] if failures and missing else None
    failure = None
    if missing and failures and not any(r in found for r in required):
        failure = failures[0]
    elif not order:
        wanted = ", ".join(preferred) or "a .py file"
        failure = StudentFailure("missing_name", f"no Python file in the submission (expected {wanted})")
    return LoadResult(names, found, missing, near, notes, failure)
