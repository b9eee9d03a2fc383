"""One submission file, parsed for the scan (never executed): its tree, lines and import aliases.

Parsing is the only thing done with student code here. A file over `MAX_SOURCE_BYTES`, or one whose tree is
too deep for the parser, raises `Unscannable` (staff are told to read it); a file Python itself cannot
compile (a syntax error, a NUL byte) gives None: it cannot run either, and the load failure says so.
"""

from __future__ import annotations

import ast
import re
import sys
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Any, TypeVar, overload

from grader import pyparse
from grader.flags.bindings import Bindings
from grader.parse_cache import bounded_cache
from grader.parse_cost import CostlyToParse

MAX_SOURCE_BYTES = 256 * 1024  # real student files are under 100 KiB; parsing 256 KiB takes ~0.3 s
_NEWLINE = re.compile(r"\r\n|\r|\n")  # the line breaks the tokenizer counts, and only those


_Node = TypeVar("_Node", bound=ast.AST)
_UNASKED = object()  # a node `Source.resolve` has not been asked about (None is an answer)


class Unscannable(Exception):
    """A Python file the scan refuses to analyse; the message says why, for staff."""


@dataclass(frozen=True)
class Source:
    path: str
    tree: ast.Module
    lines: tuple[str, ...]
    modules: Mapping[str, str]  # alias -> module, from `import x` / `import x.y as z`
    imported: Mapping[str, str]  # alias -> dotted name, from `from x import y as z`
    local_modules: frozenset[str]  # top-level names the submission's own files provide
    defined: frozenset[str]  # every name the file binds anywhere (def, class, assignment, argument)
    nodes: tuple[ast.AST, ...]  # every node of the tree, walked once and shared by the rules
    # Node type -> the positions in `nodes` of the nodes of exactly that type (a parsed tree has no
    # subclasses): a rule that reads one or two kinds of node visits those alone, not the whole walk (a
    # dozen passes over every node were a third of the scan's CPU).
    positions: Mapping[type[ast.AST], tuple[int, ...]]
    starred: tuple[str, ...] = ()  # modules of `from x import *`, in the file's order (star_imports.py)
    # `resolve` of each node asked, kept: the runtime rules ask it of every Name and Attribute three times
    # (the names' rule, the judged runners, the memmaps), and of a call's function twice more (~940 asks of
    # ~330 nodes a bench file). Keyed by the node itself, which the dict then holds: an id would be reused
    # by a node made and dropped by a caller. Filled by whichever thread asks first; every answer is the
    # same, so two threads writing one key write one value.
    _resolved: dict[ast.AST, tuple[str, bool] | None] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )
    _bindings: list[Bindings] = field(default_factory=list, init=False, repr=False, compare=False)

    def bindings(self) -> Bindings:
        """The file's names bound scope by scope (grader/flags/bindings.py), read once when first asked."""
        if not self._bindings:
            self._bindings.append(Bindings.of(self.tree))
        return self._bindings[0]

    @overload
    def of(self, kind: type[_Node], /) -> list[_Node]: ...
    @overload
    def of(self, *kinds: type[ast.AST]) -> list[ast.AST]: ...

    def of(self, *kinds: type[ast.AST]) -> list[Any]:
        """The nodes of these exact types, in walk order."""
        return _select(self.nodes, self.positions, kinds)

    def line(self, lineno: int) -> str:
        return self.lines[lineno - 1] if 0 < lineno <= len(self.lines) else ""

    def resolve(self, node: ast.AST) -> tuple[str, bool] | None:
        """`a.b.c` as a dotted name with its import alias expanded (`np.x` -> `numpy.x`), and whether the
        chain starts at an imported name; None for anything that is not a plain Name/Attribute chain."""
        known = self._resolved.get(node, _UNASKED)
        if known is _UNASKED:
            known = self._resolved[node] = self._resolve(node)
        return known  # type: ignore[return-value]

    def _resolve(self, node: ast.AST) -> tuple[str, bool] | None:
        parts: list[str] = []
        while isinstance(node, ast.Attribute):
            parts.append(node.attr)
            node = node.value
        if not isinstance(node, ast.Name):
            return None
        base, via_import = node.id, True
        if base in self.modules:
            base = self.modules[base]
        elif base in self.imported:
            base = self.imported[base]
        elif (starred := self._star_bound(node)) is not None:
            base = starred
        else:
            via_import = False
        return ".".join([base, *reversed(parts)]), via_import

    def _star_bound(self, node: ast.Name) -> str | None:
        """What a star import of a library binds `node` to, when the scan reads that name (`from pickle
        import *` then `loads(...)`: pickle.loads); None when no scope the use reads binds it otherwise."""
        if not self.starred or self.bindings().resolved(node) is not None:
            return None
        from grader.flags import star_imports  # it reads the rules' names, whose modules read this one

        return star_imports.bound([m for m in self.starred if not self.is_local(m)], node.id)

    def is_local(self, dotted: str) -> bool:
        return dotted.split(".", 1)[0] in self.local_modules

    def library_name(self, node: ast.AST) -> str | None:
        """The dotted name `node` reads from a library the file imports (not one the submission provides),
        else None: the one test of the rules that flag only a library's names (runners, memmaps) and of the
        loop that asks them (`runtime.runtime_flags`), so the loop never passes over a node a rule reads."""
        resolved = self.resolve(node)
        return resolved[0] if resolved and resolved[1] and not self.is_local(resolved[0]) else None


def local_module_names(paths: Iterable[str]) -> frozenset[str]:
    """Every folder and file stem of the submission: any of them may be on sys.path when it is imported
    (`sys.path.append(os.pardir)`, a notebook's %%writefile'd modules)."""
    names: set[str] = set()
    for rel in paths:
        path = PurePosixPath(rel)
        names.update(path.parts[:-1])
        names.add(path.stem)
    return frozenset(names)


# What `import NAME` finds in the student's process before any file of the submission (the submission's
# folder is first on sys.path, but the import system asks sys.modules, the builtins and the frozen modules
# before it): a module already imported (PRELOADED), one built into the interpreter (gc, marshal, sys) or
# frozen into it (os, site, runpy). A submission's `pickle.py` (or a data file `pickle.pkl`, or a folder
# `gc/`) made the flags read every `pickle.` of the submission as its own module's, while the process ran
# the standard library's: a backward hidden in `pickle.loads` of bytes scored full marks with no flag beside
# an empty pickle.py (sample miniflow/stdlib_named_decoy). A standard module not imported by then (`code`,
# `profile`, `random`) is found in the submission's folder first, but only while that folder is first on
# sys.path: a submission that takes it off for one import (or puts the library's folder before it) gets the
# library behind its decoy `code.py`, and `code.InteractiveInterpreter(ns).runcode(text)` ran a hidden
# backward with no flag (review of session 19). So every standard module's name is read as the library's
# (NEVER_LOCAL), at the price of a flag on an honest repo's own `code/` package calling what the library's
# `code` would flag (a prompt for staff, never a verdict); any other name is the submission's own.
#
# The top-level names in sys.modules when a submission's first line runs in the worker's student process
# (Python 3.11, the numpy installed), measured by tests/flags/test_preloaded.py, which grades a probe and
# fails when this list no longer matches (another Python or numpy: update it from its message).
# asyncio and what it imports (logging, ssl, subprocess, string, locale, concurrent, atexit) since the review
# of s23-hunt's fix: grader/inside/audit.py imports it before the hook that refuses its @types.coroutine.
PRELOADED = frozenset(
    [
        "__future__",
        "_abc",
        "_ast",
        "_asyncio",
        "_bisect",
        "_codecs",
        "_collections",
        "_collections_abc",
        "_compat_pickle",
        "_contextvars",
        "_ctypes",
        "_datetime",
        "_frozen_importlib",
        "_frozen_importlib_external",
        "_functools",
        "_heapq",
        "_imp",
        "_io",
        "_json",
        "_locale",
        "_opcode",
        "_operator",
        "_pickle",
        "_posixsubprocess",
        "_signal",
        "_socket",
        "_sre",
        "_ssl",
        "_stat",
        "_string",
        "_struct",
        "_thread",
        "_typing",
        "_warnings",
        "_weakref",
        "_weakrefset",
        "abc",
        "array",
        "ast",
        "asyncio",
        "atexit",
        "base64",
        "binascii",
        "bisect",
        "builtins",
        "codecs",
        "collections",
        "concurrent",
        "contextlib",
        "contextvars",
        "copy",
        "copyreg",
        "ctypes",
        "dataclasses",
        "datetime",
        "difflib",
        "dis",
        "encodings",
        "enum",
        "errno",
        "fcntl",
        "fnmatch",
        "functools",
        "gc",
        "genericpath",
        "glob",
        "heapq",
        "importlib",
        "inspect",
        "io",
        "itertools",
        "json",
        "keyword",
        "linecache",
        "locale",
        "logging",
        "marshal",
        "math",
        "numbers",
        "numpy",
        "opcode",
        "operator",
        "os",
        "pickle",
        "platform",
        "posix",
        "posixpath",
        "re",
        "reprlib",
        "resource",
        "select",
        "selectors",
        "shlex",
        "signal",
        "socket",
        "ssl",
        "stat",
        "string",
        "struct",
        "subprocess",
        "sys",
        "textwrap",
        "threading",
        "time",
        "token",
        "tokenize",
        "traceback",
        "types",
        "typing",
        "unicodedata",
        "warnings",
        "weakref",
        "zipimport",
    ]
)


def _frozen() -> frozenset[str]:
    import _imp  # the interpreter's own table of frozen modules (3.11: os, site, zipimport, ...)

    names = getattr(_imp, "_frozen_module_names", lambda: ())()
    return frozenset(n.split(".", 1)[0] for n in names if _imp.is_frozen(n))


NEVER_LOCAL = (
    PRELOADED
    | frozenset(sys.builtin_module_names)
    | _frozen()
    | frozenset(sys.stdlib_module_names)
    | {"numpy"}
)
# Files the import system loads as a module by their name (a data file `pickle.pkl` is no module `pickle`)
_MODULE_SUFFIXES = frozenset({".py", ".pyc", ".pyo", ".pyw", ".so", ".pyd", ".ipynb"})


def flagged_local_names(paths: Iterable[str]) -> frozenset[str]:
    """The top-level names the flags read as the submission's own modules: its folders and module files,
    but for the names the student's process finds elsewhere first (NEVER_LOCAL)."""
    names: set[str] = set()
    for rel in paths:
        path = PurePosixPath(rel)
        names.update(path.parts[:-1])
        if path.suffix in _MODULE_SUFFIXES:
            names.add(path.name.split(".", 1)[0])  # `x.cpython-311-x86_64-linux-gnu.so` is module x
    return frozenset(names - NEVER_LOCAL)


def _aliases(nodes: Iterable[ast.AST]) -> tuple[dict[str, str], dict[str, str], tuple[str, ...]]:
    modules: dict[str, str] = {}
    imported: dict[str, str] = {}
    starred: list[str] = []
    for node in nodes:
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.asname:
                    modules[alias.asname] = alias.name
                else:  # `import os.path` binds `os`
                    top = alias.name.split(".", 1)[0]
                    modules[top] = top
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            for alias in node.names:
                if alias.name != "*":
                    imported[alias.asname or alias.name] = f"{node.module}.{alias.name}"
                else:
                    starred.append(node.module)
    return modules, imported, tuple(starred)


_DEFINITIONS = frozenset({ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef})


def _bound_names(nodes: Iterable[ast.AST]) -> frozenset[str]:
    bound: set[str] = set()
    for node in nodes:  # exact node types, the common first: a parsed tree has no subclasses
        kind = type(node)
        if kind is ast.Name:
            if type(node.ctx) is ast.Store:  # type: ignore[attr-defined]
                bound.add(node.id)  # type: ignore[attr-defined]
        elif kind is ast.arg:
            bound.add(node.arg)  # type: ignore[attr-defined]
        elif kind in _DEFINITIONS:
            bound.add(node.name)  # type: ignore[attr-defined]
    return frozenset(bound)


def parse(path: str, data: bytes, local_modules: frozenset[str]) -> Source | None:
    """The file's Source (None: Python cannot compile it); the static scan and the stage scan read the same
    files of a submission one after the other, so the last few are kept (callers never change them)."""
    with _CACHE_LOCK:
        return _parse(path, data, local_modules)


_CACHE_LOCK = threading.Lock()


def sources(
    files: Mapping[str, bytes], worth: Callable[[bytes], bool] = lambda data: True
) -> Iterator[tuple[str, bytes, Source]]:
    """(path, text, Source) of each Python file of a submission that a reader of the parent's notes may read:
    within the parent's parse budget (pyparse.within_budget), under MAX_SOURCE_BYTES, passing `worth` (a
    cheap test of the text that spares most files a parse), and parseable. A file past any bound is passed
    over: a note costs nothing the grade needs."""
    local = local_module_names(files)
    python = ((rel, data) for rel, data in files.items() if rel.endswith(".py"))
    for rel, data, fits in pyparse.within_budget(python):
        if not fits or len(data) > MAX_SOURCE_BYTES or not worth(data):
            continue
        try:
            source = parse(rel, data, local)
        except Unscannable:
            continue
        if source is not None:
            yield rel, data, source


# as many as the trees (pyparse.KEPT_TREES): its readers are as far apart as theirs
@bounded_cache(
    maxsize=pyparse.KEPT_TREES, max_bytes=pyparse.MAX_PARSED_BYTES, weight=lambda path, data, local: len(data)
)
def _parse(path: str, data: bytes, local_modules: frozenset[str]) -> Source | None:
    if len(data) > MAX_SOURCE_BYTES:
        raise Unscannable(f"{len(data)} bytes, over the scan's limit of {MAX_SOURCE_BYTES}")
    try:
        tree = pyparse.parse_module(data, path)  # a notebook cell by cell, as the student's process runs it
    except (SyntaxError, ValueError):
        return None
    except (RecursionError, MemoryError) as exc:
        raise Unscannable(f"too deeply nested to parse ({type(exc).__name__})") from None
    except CostlyToParse as exc:
        raise Unscannable(str(exc)) from None
    text = data.decode("utf-8", "replace").removeprefix("\ufeff")
    nodes = pyparse.walked(tree)  # kept on the tree: the pyc's compile cost reads it too
    positions = pyparse.kinds(tree)
    modules, imported, starred = _aliases(_select(nodes, positions, (ast.Import, ast.ImportFrom)))
    lines = tuple(_NEWLINE.split(text))
    defined = _bound_names(_select(nodes, positions, (ast.Name, ast.arg, *_DEFINITIONS)))
    return Source(path, tree, lines, modules, imported, local_modules, defined, nodes, positions, starred)


def _select(
    nodes: tuple[ast.AST, ...],
    positions: Mapping[type[ast.AST], tuple[int, ...]],
    kinds: tuple[type[ast.AST], ...],
) -> list[ast.AST]:
    if len(kinds) == 1:
        return [nodes[i] for i in positions.get(kinds[0], ())]
    return [nodes[i] for i in sorted(i for kind in kinds for i in positions.get(kind, ()))]
