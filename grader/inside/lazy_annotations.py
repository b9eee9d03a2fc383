"""The submission's files compiled as Python 3.14 runs them: an annotation is not evaluated when its def runs.

Since Python 3.14 (PEP 649, PEP 749) an annotation is evaluated only when something asks for it, so a type
hint naming a class defined further down (`def set_creator(self, func: Function) -> None:` inside `class
Variable`, above `class Function`) runs. The grader's Python (3.11) evaluates it when the def runs:
NameError, the class holding the def is never defined, and a correct DeZero file lost every case with
"name 'Function' is not defined" (sample submissions/dezero/typehints_forward_ref.py). The submission's own
files (modules, notebook cells) are compiled with `from __future__ import annotations`, the nearest Python
3.11 has to 3.14's behaviour: every annotation stays unevaluated. Code that runs on 3.11 runs the same; only
code reading `__annotations__` itself sees strings, as under the future import.

Standard library only (runs in the student's process, before the submission's code).
"""

from __future__ import annotations
import __future__

import importlib.machinery
import importlib.util
import marshal
import os
import stat
import sys
import zipimport
from collections.abc import Callable
from types import CodeType
from typing import Any

from . import newer_python, shipped

FLAGS = __future__.annotations.compiler_flag


def compile_source(source: str | bytes, filename: str) -> CodeType:
    """`source` compiled as a file of the submission: annotations never evaluated. A file this Python
    refuses for Python 3.12's syntax (grader/inside/newer_python.py) is compiled as written for this
    Python, at the same lines."""
    return newer_python.read(
        source, lambda text: compile(text, filename, "exec", flags=FLAGS, dont_inherit=True)
    )


# The pyc of a submission's file compiled with FLAGS (grader/bytecode.py writes it): a name of its own, which
# only `Loader` reads. Under Python's own name, the SourceFileLoader of a module the student loads by hand
# (importlib.util.spec_from_file_location) ran it too: annotations unevaluated where Python 3.11 evaluates
# them, and a @dataclass of a module not in sys.modules crashed (review of session 17).
OPTIMIZATION = "lazyannotations"
_CHECKED_HASH_PYC = (0b11).to_bytes(4, "little")  # PEP 552 flags: hash-based, check the source


def pyc_header(source: bytes) -> bytes:
    """The 16 bytes a checked hash-based pyc (PEP 552) of `source` starts with: the one layout the parent
    writes (grader/bytecode.py) and `Loader` accepts."""
    return importlib.util.MAGIC_NUMBER + _CHECKED_HASH_PYC + importlib.util.source_hash(source)


def cache_path(path: str) -> str:
    """Where `Loader` looks for the pyc of `path`."""
    return importlib.util.cache_from_source(path, optimization=OPTIMIZATION)


class Loader(importlib.machinery.SourceFileLoader):
    """Loads a submission's .py file with FLAGS: the parent's checked pyc of exactly this source if there is
    one (compiling in a freshly forked student process costs ~2 ms a file), else the source compiled here
    (nothing is written: the sandbox runs -B)."""

    def get_code(self, fullname: str) -> CodeType:
        path = self.get_filename(fullname)
        source = shipped.read(path)  # a file written while the submission ran was never scanned
        code = _cached(path, source)
        return code if code is not None else compile_source(source, path)


def _cached(path: str, source: bytes) -> CodeType | None:
    try:
        data = shipped.read(cache_path(path))  # the parent's pyc, not one the submission wrote there
    except (OSError, NotImplementedError, ValueError, shipped.NotShipped):
        return None
    if data[:16] != pyc_header(source):
        return None  # another Python's, or another source's: compiled here
    try:
        code = marshal.loads(data[16:])
    except (EOFError, ValueError, TypeError):
        return None
    return code if isinstance(code, CodeType) else None


# Absolute entries of sys.path_importer_cache resolved by the worker before it forks any student process
# (remember_resolved): the runtime's folders (the stdlib's packages, numpy's, the grader's), the same in every
# child, on paths no job can write. `install` tests every entry of the cache against the submission's root;
# resolving them in each student process cost ~0.5 ms (26 realpaths, an lstat a path component).
_RESOLVED: dict[str, str] = {}


def remember_resolved() -> None:
    """Called by the worker before it forks: resolve the absolute entries of sys.path_importer_cache once."""
    for entry in list(sys.path_importer_cache):
        if type(entry) is str and os.path.isabs(entry):
            try:
                _RESOLVED[entry] = os.path.realpath(entry)
            except (OSError, ValueError):
                continue


def _within(path: str, root: str, resolved: dict[str, str] | None = None) -> bool:
    """`path` resolved lies at or under `root`; `resolved`: paths already resolved (remember_resolved)."""
    try:
        full = (resolved and resolved.get(path)) or os.path.realpath(path or ".")
    except (OSError, ValueError):
        return False
    return full == root or full.startswith(root + os.sep)


class _Sourceless(importlib.machinery.SourcelessFileLoader):
    """A .pyc of the submission: only as handed in (flagged; one written at run time was never scanned)."""

    def get_data(self, path: str) -> bytes:
        return shipped.read(path)


class _Extension(importlib.machinery.ExtensionFileLoader):
    """An extension module of the submission: only as handed in."""

    def create_module(self, spec: Any) -> Any:
        shipped.check(self.path)
        return super().create_module(spec)


class _Refused:
    """The finder of a zip under the submission's folder written while it ran: its modules are refused."""

    def __init__(self, path: str) -> None:
        self.path = path

    def find_spec(self, fullname: str, target: Any = None) -> Any:
        shipped.check(self.path)  # raises: the zip is not as handed in
        return None

    def invalidate_caches(self) -> None:
        return None


class _Nothing:
    """The finder of a sys.path entry that is not a plain str: it finds nothing. A str subclass can answer
    differently each time it is read (truthy for this hook, falsy for Python's FileFinder, which then reads
    the working directory: the submission's folder), so none is trusted (sample falsy_path of the review)."""

    def find_spec(self, fullname: str, target: Any = None) -> Any:
        return None

    def invalidate_caches(self) -> None:
        return None


class _Zip(zipimport.zipimporter):
    """A zip handed in with the submission: zipimport reads the archive again at each import, so each
    module's code is checked against the snapshot after it is read."""

    def get_code(self, fullname: str) -> Any:
        code = super().get_code(fullname)
        shipped.check(self.archive)
        return code

    def load_module(self, fullname: str) -> Any:
        shipped.check(self.archive)  # deprecated path (imp-style); checked before it runs the code
        return super().load_module(fullname)


def _archive(path: str) -> str | None:
    """The file a path into a zip names: `path` itself or, as zipimport reads `lib.zip/src` (the folder
    src inside lib.zip), its nearest existing ancestor. None when that is not a regular file."""
    probe = path
    while True:
        try:
            st = os.stat(probe)
        except (OSError, ValueError):
            parent = os.path.dirname(probe)
            if parent == probe:
                return None
            probe = parent
            continue
        return probe if stat.S_ISREG(st.st_mode) else None


def hook_for(root: str) -> Callable[[Any], Any]:
    """The path hook of the submission's folder `root` (realpath): see `install`."""

    def hook(path: Any) -> Any:
        if type(path) is not str:
            return _Nothing()
        if not _within(path, root):
            raise ImportError("not a folder of the submission")
        if os.path.isdir(path):
            # Python's own loaders but for source files: a sourceless .pyc or an extension module of the
            # submission still imports (the source loader alone made them "no module named ...")
            return importlib.machinery.FileFinder(
                path,
                (_Extension, importlib.machinery.EXTENSION_SUFFIXES),
                (Loader, importlib.machinery.SOURCE_SUFFIXES),
                (_Sourceless, importlib.machinery.BYTECODE_SUFFIXES),
            )
        # Not a folder: a zip under the root (sample submissions/miniflow/zipped_module_import), or a folder
        # inside one. The zipimporter is built here from a file as handed in and checked again after it read
        # the archive; a later hook (zipimport's own) never gets to read a file written at run time
        archive = _archive(path)
        if archive is None:
            raise ImportError("not a folder of the submission")
        if not shipped.unchanged(archive):
            return _Refused(archive)
        try:
            finder = _Zip(path)
        except zipimport.ZipImportError as exc:
            raise ImportError("not a zip of the submission") from exc
        return finder if shipped.unchanged(archive) else _Refused(archive)

    return hook


def install(root: str) -> None:
    """Every import of a file under `root` (the submission's folders on sys.path, its packages' `__path__`)
    goes through `Loader`; any other path keeps Python's own finder. Notes the files under `root` first
    (grader/inside/shipped.py): only those are imported as they were handed in."""
    root = os.path.realpath(root)
    shipped.snapshot(root)

    if any(getattr(h, "_submission_root", None) == root for h in sys.path_hooks):
        return
    hook_fn = hook_for(root)
    hook_fn._submission_root = root  # type: ignore[attr-defined]
    sys.path_hooks.insert(0, hook_fn)
    # Only the entries added since the worker forked are resolved here: the inherited ones were resolved
    # once, by the worker before it forked (remember_resolved)
    for entry in [e for e in sys.path_importer_cache if _within(e, root, _RESOLVED)]:
        del sys.path_importer_cache[entry]
