"""Stand-ins for modules a submission imports but does not contain, installed before any student code runs.

Two kinds (docs/LOADING.md):
- the book's support modules (`common.layers`, `common.functions`, `common.gradient`, `common.util`,
  `dataset.mnist`): grader-owned code, found *after* the submission's own files, so a student's own
  `common/layers.py` always wins. They let a lone `two_layer_net.py` run; nothing of them is ever graded as
  the student's (`is_standin`: a required class that is, or is built on, a stand-in counts as missing, and so
  does one that borrows a stand-in class's method: `forward = common.layers.Relu.forward`, or a copy of it
  made by exec-ing the stand-in's source).
- the same modules by their bare names (`from functions import *`, `from gradient import
  numerical_gradient`, `from layers import *`), as a student who copied the book's files into one folder
  imports them: `common`'s own module under a second name, when the submission's root holds the `common`
  package (an assignment that ships it as support files), so a flattened `layers.py` or `two_layer_net.py`
  handed in alone runs as a lone `common/layers.py` or `ch05/two_layer_net.py` does. Nothing answers these
  generic names in an assignment without that package.
- display libraries (matplotlib, seaborn, tqdm, IPython, PIL, ipywidgets) and a notebook host's helpers
  (google.colab): inert modules, found *before* any installed copy, so grading never draws, opens a window
  or writes a cache; and the builtins a notebook has, `get_ipython()` (a notebook exported to .py calls it
  for its magics) and `display(...)`, inert as well. Data libraries (scikit-learn, data.py) are found there
  too: they import, and code that calls them stops as code that loads a missing data set does.
  CuPy (gpu.py) too, when imported bare: a GPU-less stand-in whose get_array_module gives numpy; a
  guarded import fails as without cupy. SciPy (scientific.py): scipy.special's expit, logit, softmax,
  log_softmax and logsumexp computed with NumPy, every other name raising when used.
Every use is recorded with where the student's code imported it, for the report's warnings.
NumPy's removed aliases (`np.float`, `np.asscalar`, `np.NaN`: grader/inside/numpy_removed.py) are defined
again here too; the parent, not this process, tells the student where the code uses one.
"""

from __future__ import annotations

import builtins
import importlib.machinery
import importlib.util
import linecache
import os
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass

# importlib.abc's Loader is this class (importlib/abc.py re-exports it), already loaded by importlib.util;
# importing importlib.abc would also load importlib.resources, pathlib, urllib and tempfile (~7 ms of every
# sandbox worker's start, on the path of a cold `grader check`). The finders need no base class: the import
# system asks only for find_spec.
from importlib._abc import Loader
from types import CodeType, FrameType, FunctionType, ModuleType
from typing import Any

from .. import cells, lazy_annotations, newer_stdlib, numpy_removed, shipped
from ..address import key as _key
from . import data, gpu, inert, notebooks, scientific, typing_ext
from .data import DATA_PACKAGES
from .gpu import GPU_PACKAGES
from .inert import INERT_PACKAGES, Inert
from .kernel import Kernel
from .notebooks import NOTEBOOK_PACKAGES
from .scientific import SCIPY_PACKAGES
from .typing_ext import TYPING_PACKAGES

# Top-level packages whose every module is made here, before the path finder looks: package -> (the kind of
# use recorded, the factory of its modules).
MADE_PACKAGES: dict[str, tuple[str, Callable[[str], ModuleType]]] = {
    **dict.fromkeys(INERT_PACKAGES, ("inert", inert.make_module)),
    **dict.fromkeys(DATA_PACKAGES, ("data", data.make_module)),
    **dict.fromkeys(GPU_PACKAGES, ("gpu", gpu.make_module)),
    **dict.fromkeys(SCIPY_PACKAGES, ("scipy", scientific.make_module)),
    **dict.fromkeys(TYPING_PACKAGES, ("typing", typing_ext.make_module)),
    **dict.fromkeys(NOTEBOOK_PACKAGES, ("notebook", notebooks.make_module)),
}

_HERE = os.path.dirname(os.path.abspath(__file__))
_BOOK = os.path.join(_HERE, "book")
# Book files that are not in the runtime: the parent sends each job their text, built by
# grader/served_standins.py from grader/standin_book/ (the graded classes without their math), which no
# student process can read (never bound into bubblewrap, outside Landlock's read rules and the root fallback's
# private root). The worker writes them once, read-only, in a folder of its own outside the jobs' scratch
# (worker.Worker.served_folder), which each student process's Landlock domain may read and not write.
SERVED_ONLY = frozenset({"common/layers.py"})
# Where the trusted side's own in-process runs (tests, the in-process runner) read them.
_PARENT_BOOK = os.path.join(os.path.dirname(os.path.dirname(_HERE)), "standin_book")
_served: list[str] = []  # the folder of this job's served files, if any (set once, before student code)


def serve(folder: str | None) -> None:
    """Book files in SERVED_ONLY come from `folder` (None: from the parent's copy, in-process only), each
    noted as the grader's file (shipped.grant) for the import checks that refuse a file written at run
    time. Called by the worker's student process (and the in-process runner of the tests) before student
    code."""
    _served[:] = [folder] if folder else []
    for top in _served:
        for relfile in SERVED_ONLY:
            shipped.grant(os.path.join(top, relfile))


def _book_file(relfile: str) -> str:
    if relfile not in SERVED_ONLY:
        return os.path.join(_BOOK, relfile)
    return os.path.join(_served[0] if _served else _PARENT_BOOK, relfile)


def _in_book(filename: str) -> bool:
    """Code compiled from a stand-in file: the runtime's or this job's served ones, which no student process
    can write."""
    return any(filename.startswith(folder + os.sep) for folder in [_BOOK, *_served])


# Module name -> file under standins/book/. Packages are the `__init__.py` ones.
BOOK_MODULES: dict[str, str] = {
    "common": "common/__init__.py",
    "common.functions": "common/functions.py",
    "common.layers": "common/layers.py",
    "common.gradient": "common/gradient.py",
    "common.util": "common/util.py",
    "dataset": "dataset/__init__.py",
    "dataset.mnist": "dataset/mnist.py",
}
# The book's other helper modules (deep-learning-from-scratch's common/): a training script imports them
# (ch07/train_convnet.py: `from common.trainer import Trainer`), the grader supplies none, and a missing one
# is the book's file left out, never a misspelling of a supplied one ("did you mean common.gradient?").
BOOK_ONLY_MODULES: dict[str, str] = {
    "common.trainer": "common/trainer.py",
    "common.optimizer": "common/optimizer.py",
    "common.multi_layer_net": "common/multi_layer_net.py",
    "common.multi_layer_net_extend": "common/multi_layer_net_extend.py",
}
# The book's `common` modules by the bare names of a flattened copy (layers.py beside functions.py):
# bare name -> the module it is, answered only when the root holds the `common` package.
FLAT_BOOK_HELPERS: dict[str, str] = {
    "functions": "common.functions",
    "gradient": "common.gradient",
    "util": "common.util",
    "layers": "common.layers",
}
# Stand-ins whose only job is to say that a script needs a data set.
DATA_SET_MODULES = frozenset({"dataset.mnist"})
KERNEL = "get_ipython()"  # what a use of the notebook kernel stand-in is recorded as
DISPLAY = "display()"  # and of Jupyter's display builtin


@dataclass(frozen=True)
class Use:
    module: str  # "common.layers", "matplotlib.pyplot"
    kind: str  # "book" or "inert"
    at: str  # "two_layer_net.py line 5" (where the student's code imported it), or ""


def _codes(value: Any) -> list[CodeType]:
    """The code objects behind a class attribute: a function, static or class method, or property."""
    if isinstance(value, (staticmethod, classmethod)):
        value = value.__func__
    if isinstance(value, property):
        return [c for f in (value.fget, value.fset, value.fdel) for c in _codes(f)]
    code = getattr(value, "__code__", None) if callable(value) else None
    return [code] if isinstance(code, CodeType) else []


def code_key(code: CodeType) -> tuple[Any, ...]:
    """What code equality compares (not the file name), with the lazy-annotations flag left out: a copy
    exec'd by the submission's own file inherits that flag (grader/inside/lazy_annotations.py) and is the
    same code. Made of the code's own fields, never a new code object: `code.replace` while the submission
    runs is refused by the audit hook (audit.py), for this registry too, since a C callable it is handed
    (a property's getter) ran under its frame (review of s23-hunt). Constants are keyed by type and repr
    (1, 1.0 and True, 0.0 and -0.0 are different code) and a nested code (a lambda's) by its own key."""
    return (
        code.co_code,
        tuple(_const_key(c) for c in code.co_consts),
        code.co_names,
        code.co_varnames,
        code.co_freevars,
        code.co_cellvars,
        code.co_flags & ~lazy_annotations.FLAGS,
        code.co_argcount,
        code.co_posonlyargcount,
        code.co_kwonlyargcount,
        code.co_firstlineno,
        code.co_name,
        code.co_linetable,
        code.co_exceptiontable,
    )


def _const_key(value: Any) -> Any:
    if type(value) is CodeType:
        return ("code", code_key(value))
    if type(value) in (tuple, frozenset):
        return (
            type(value).__name__,
            tuple(sorted(map(repr, value)))
            if type(value) is frozenset
            else tuple(_const_key(v) for v in value),
        )
    return (type(value).__name__, repr(value))


# The classes of the stand-in for the book's common/layers.py (grader/standin_book/common/layers.py; a test
# keeps the two alike): a graded class of the student's of one of these names is a layer, whose calls the
# stand-in's layers refuse to serve (Registry.layer_guard). Others (TwoLayerNet) may use them: that is their
# purpose.
BOOK_LAYERS = frozenset(
    {"Relu", "Sigmoid", "Affine", "SoftmaxWithLoss", "Dropout", "BatchNormalization"}
    | {"Convolution", "Pooling"}
)


class LayerCallRefused(RuntimeError):
    """A stand-in layer's method ran while a graded layer of the student's was being called."""


class Registry:
    """Which objects are stand-ins, and which stand-ins the submission used."""

    def __init__(self, root: str) -> None:
        self.root = root
        self.uses: list[Use] = []
        # Sentences about the notebook kernel's %run (standins/kernel.py): a file it ran that raised.
        self.runs: list[str] = []
        self._objects: dict[int, Any] = {}  # address.key -> object, kept alive so that a key is never reused
        # The stand-in classes' methods, compared by value: the very function borrowed as a class attribute,
        # or a copy compiled from the stand-in's source (exec), is the grader's code under any name.
        self._method_keys: set[tuple[Any, ...]] = set()
        # their bytecode alone: a student's method is keyed (~8 us) only when its bytecode is a stand-in's
        self._method_bytecodes: set[bytes] = set()
        # The graded layer of the student's being called by the harness (server._calling), if any: the
        # stand-in's layers refuse to run meanwhile (layer_guard). Process-wide, not per thread: a thread
        # the layer starts and joins is the layer's work too.
        self.layer_call: str | None = None
        self.layer_refused: str | None = None  # what layer_guard refused during that call, if anything

    def layer_guard(self, method: str, graded: bool | str = False) -> None:
        """Called first by each method of the stand-in's layers (grader/standin_book/common/layers.py
        `_GRADER_GUARD`, through `_guard_of`), with that method's qualified name. `graded`: False for a class
        served with its math; else a stub's (grader/served_standins.py), which refuses every caller: True
        (or the class's own name) for a class the run grades (a TwoLayerNet of the student's built on it is
        told which class to write), the graded class whose math this one's would compute
        (served_standins.CARRIED_BY), or "" for a class nothing graded in the run builds. A class not graded
        is never said to be graded; a call from the student's file at import is told its line and what to
        do (a demo under `if __name__ == "__main__":` is not run by the grader)."""
        if self.layer_call is not None:
            self.layer_refused = (
                f"{self.layer_call} ran the grader's stand-in common.layers.{method}: a graded layer that "
                f"hands its work to the stand-in is not a layer of your own, so {self.layer_call} counts as "
                "missing; write it yourself (the stand-in only lets your other classes run)"
            )
        elif graded is not False:
            cls = method.split(".", 1)[0]
            self.layer_refused = self._stub_refusal(cls, method, cls if graded is True else str(graded))
        else:
            return
        raise LayerCallRefused(self.layer_refused)

    def _stub_refusal(self, cls: str, method: str, stands_for: str) -> str:
        frame = self._student_frame()
        at_import = frame is not None and frame.f_code.co_name == "<module>"
        called = f"{method} was called" + (f" at import, {self._importer()}" if at_import else "")
        if stands_for == cls:
            said = (
                f"and {cls} is graded in this assignment: the stand-in has no math for it ({called}), so "
                f"write class {cls} yourself (the stand-in only lets your other classes run on the layers it "
                "does not grade)"
            )
        else:
            why = f"its math would compute {stands_for}, which is graded" if stands_for else ""
            why = why or "nothing graded here builds it"
            todo = f"if your code needs {cls}, write it yourself"
            if at_import:
                todo = f'move that call under `if __name__ == "__main__":` or write class {cls} yourself'
            said = f"served without its math in this assignment ({why}; {called}): {todo}"
        return f"only the grader's stand-in common.layers.{cls} was found, {said}"

    def register(self, module: ModuleType) -> None:
        self._objects[_key(module)] = module
        if "_GRADER_GUARD" in vars(module):
            _guard_layers(module, _guard_of(self))
        for value in list(vars(module).values()):
            if callable(value) and getattr(value, "__module__", None) == module.__name__:
                self._objects[_key(value)] = value
                if isinstance(value, type):
                    # by code_key: a copy exec'd with the lazy-annotations flag is the same code
                    codes = [c for v in vars(value).values() for c in _codes(v)]
                    self._method_keys.update(code_key(c) for c in codes)
                    self._method_bytecodes.update(c.co_code for c in codes)

    def _known(self, obj: Any) -> bool:
        return self._objects.get(_key(obj)) is obj

    def _borrowed(self, code: CodeType) -> bool:
        in_book = _in_book(code.co_filename) and "." in code.co_qualname
        known = code.co_code in self._method_bytecodes and code_key(code) in self._method_keys
        return in_book or (known and not self._genuine(code))

    def _genuine(self, code: CodeType) -> bool:
        """Compiled from the submission's own file where it says: a `def` (or its decorator) on that line of
        a file under the root. Code objects equal by value ignore the file name, so an honest one-line
        `__init__` on the same line number as the stand-in's compares equal; a copy exec'd from the
        stand-in's source keeps the stand-in's line numbers, where the student's file has no such `def`."""
        path = os.path.realpath(code.co_filename) if os.path.isabs(code.co_filename) else ""
        if not path.startswith(self.root + os.sep):
            return False
        line = linecache.getline(path, code.co_firstlineno).lstrip()
        return line.startswith(("@", "async def ", "def ")) and (
            line.startswith("@") or f" {code.co_name}(" in f" {line.split('def ', 1)[-1]}"
        )

    def is_standin(self, obj: Any) -> bool:
        """A stand-in's class or function, a class built on one (its methods are the grader's), or a class
        one of whose methods is a stand-in class's method (borrowed, or compiled again from its source)."""
        return self.origin(obj, "") is not None

    def origin(self, obj: Any, where: str) -> str | None:
        """What makes `obj` (found at `where`, "layers.py") the grader's, in a few words; None: nothing."""
        try:
            if self._known(obj):
                name = f"{getattr(obj, '__module__', '?')}.{getattr(obj, '__qualname__', '?')}"
                return f"{name} (imported into {where})"
            if not isinstance(obj, type):
                borrowed = next((c for c in _codes(obj) if self._borrowed(c)), None)
                return None if borrowed is None else f"{borrowed.co_qualname} (copied into {where})"
            mro = type.mro(obj)
            base = next((b for b in mro if self._known(b)), None)
            if base is not None:
                return f"{base.__module__}.{base.__qualname__} (the base of {obj.__qualname__} in {where})"
            for klass in mro:
                if klass is object:  # slot wrappers only, never code: a third of the walk for nothing
                    continue
                for attr, value in list(vars(klass).items()):
                    borrowed = self._borrowed_code(value)
                    if borrowed is not None:
                        return f"{borrowed.co_qualname} (copied as {klass.__qualname__}.{attr} in {where})"
            return None
        except Exception:  # a student's metaclass may raise anywhere
            return None

    def _borrowed_code(self, value: Any) -> CodeType | None:
        """The stand-in method behind one class attribute, if any. An attribute that raises when looked at
        hides nothing: it is passed over, and the attributes after it are still looked at."""
        try:
            return next((c for c in _codes(value) if self._borrowed(c)), None)
        except Exception:
            return None

    def get_ipython(self) -> Inert:
        """The notebook kernel, for a notebook exported to .py: every magic it is asked to run is a no-op
        but %run of a file of the submission, which runs it (standins/kernel.py)."""
        return Kernel(self.root, self.runs.append, lambda: self.record(KERNEL, "kernel"))

    def display(self, *objects: Any, **options: Any) -> None:
        """Jupyter's builtin `display(...)`: shows nothing while grading."""
        self.record(DISPLAY, "display")

    def record(self, module: str, kind: str) -> None:
        if not any(u.module == module for u in self.uses):
            self.uses.append(Use(module, kind, self._importer()))

    def guarded_import(self) -> bool:
        """The student's statement importing now is inside a try that catches ImportError."""
        frame = self._student_frame()
        return frame is not None and gpu.guarded(frame.f_code.co_filename, frame.f_lineno)

    def _student_frame(self) -> FrameType | None:
        """The innermost frame of code under the submission's root (none: an import of the grader's own)."""
        frame: FrameType | None = sys._getframe(1)
        while frame is not None:
            filename = frame.f_code.co_filename
            full = os.path.realpath(filename) if filename and not filename.startswith("<") else ""
            if full.startswith(self.root + os.sep):
                return frame
            frame = frame.f_back
        return None

    def _importer(self) -> str:
        """The innermost frame of the student's own code: the import statement that asked for the module."""
        frame = self._student_frame()
        if frame is None:
            return ""
        filename = frame.f_code.co_filename
        where, line = cells.locate(filename, frame.f_lineno) or (
            os.path.relpath(os.path.realpath(filename), self.root),
            frame.f_lineno,
        )
        return f"{where} line {line}"


def _guard_of(registry: Registry) -> Callable[..., None]:
    """The stand-in layers' guard: a plain function, so that the registry it consults is not handed out as
    a bound method's `__self__` (its `__closure__` still leads there, by routes the scan flags
    runtime_introspection and nothing contains: review of s21-hostile, docs/LOADING.md):
    `type(_L._GRADER_GUARD.__self__).layer_call = property(lambda s: None, lambda s, v: None)` turned the
    guard off for good, 29 / 29 and no flag (session 21, sample layers/standin_guard_unflagged.py)."""
    check = registry.layer_guard

    def guard(graded: bool | str = False) -> None:
        check(sys._getframe(1).f_code.co_qualname, graded)

    return guard


def _unbound(method: Callable[..., Any]) -> Callable[..., Any]:
    """A plain function calling `method`, for what the submission's code is handed (the notebook builtins):
    a bound method's `__self__` is the registry, whose guard state a property on its class overrides
    (`type(get_ipython.__self__).layer_call = property(...)`: 29 / 29 at stage layers, no flag; session 21,
    sample layers/standin_guard_unflagged.py). Still reached through `__closure__` and `cell_contents`,
    flagged runtime_introspection, not contained (review of s21-hostile)."""

    def call(*args: Any, **kwargs: Any) -> Any:
        return method(*args, **kwargs)

    call.__name__ = call.__qualname__ = method.__name__
    call.__doc__ = method.__doc__
    return call


def _guard_layers(module: ModuleType, guard: Callable[..., None]) -> None:
    """Give every method of the module's classes a private copy of the module's namespace holding `guard`.

    The methods read `_GRADER_GUARD` as a global: from the module's own namespace, any module object the
    student holds could rebind it (`def reset(m): m._GRADER_GUARD = None` then `reset(common.layers)`, or
    `setattr(m, ...)`, a loop or a class attribute holding the module: no rule of the scan can follow every
    alias; 29 / 29 and no flag, session 21). From a namespace of their own, nothing done to the module
    changes what they call; the namespace is still theirs to reach as `__globals__` (flagged
    runtime_introspection, `getattr(f, "__globals__")` too: review of s21-hostile), a bar and not a wall.
    Done once per student process, when the stand-in is first imported (some 20 functions)."""
    namespace = dict(vars(module), _GRADER_GUARD=guard)
    module._GRADER_GUARD = guard  # type: ignore[attr-defined]  # read by nothing now; kept for the record
    for cls in [v for v in vars(module).values() if isinstance(v, type) and v.__module__ == module.__name__]:
        for name, fn in list(vars(cls).items()):
            if isinstance(fn, FunctionType) and fn.__globals__ is vars(module):
                setattr(cls, name, _rebound(fn, namespace))


def _rebound(fn: FunctionType, namespace: dict[str, Any]) -> FunctionType:
    """fn with other globals; never `functools.wraps`, whose `__wrapped__` would hand out the original."""
    copy = FunctionType(fn.__code__, namespace, fn.__name__, fn.__defaults__, fn.__closure__)
    copy.__kwdefaults__ = fn.__kwdefaults__
    copy.__qualname__ = fn.__qualname__
    copy.__doc__ = fn.__doc__
    copy.__module__ = fn.__module__
    return copy


class _BookLoader(Loader):
    def __init__(self, registry: Registry, path: str) -> None:
        self.registry = registry
        self.path = path

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> None:
        return None

    def exec_module(self, module: ModuleType) -> None:
        with open(self.path, encoding="utf-8") as fh:
            code = compile(fh.read(), self.path, "exec", dont_inherit=True)
        module.__grader_standin__ = True  # type: ignore[attr-defined]
        exec(code, vars(module))
        self.registry.register(module)


class _MadeLoader(Loader):
    def __init__(self, registry: Registry, make: Callable[[str], ModuleType]) -> None:
        self.registry = registry
        self.make = make

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> ModuleType:
        module = self.make(spec.name)
        self.registry.register(module)
        return module

    def exec_module(self, module: ModuleType) -> None:
        pass


def flat_helper(root: str, name: str) -> str | None:
    """The `common` module a bare `import functions` means here (None: not the flat name of a book module,
    or no `common` package in the root: an assignment without the book's `common/`)."""
    target = FLAT_BOOK_HELPERS.get(name)
    if target is None or not os.path.isfile(os.path.join(root, "common", "__init__.py")):
        return None
    return target


class _AliasLoader(Loader):
    """A module already known under another name: `functions` is `common.functions`, one module, one state."""

    def __init__(self, target: str) -> None:
        self.target = target

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> ModuleType:
        return importlib.import_module(self.target)

    def exec_module(self, module: ModuleType) -> None:
        pass


class BookFinder:
    """Last on the meta path: answers only for book modules no earlier finder (the submission) found."""

    def __init__(self, registry: Registry) -> None:
        self.registry = registry

    def find_spec(
        self, fullname: str, path: Sequence[str] | None = None, target: ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        flat = flat_helper(self.registry.root, fullname) if path is None else None
        if flat is not None:
            self.registry.record(fullname, "flat")
            return importlib.machinery.ModuleSpec(fullname, _AliasLoader(flat))
        relfile = BOOK_MODULES.get(fullname)
        if relfile is None:
            return None
        if "." in fullname:
            self.registry.record(fullname, "book")
        location = _book_file(relfile)
        is_package = relfile.endswith("__init__.py")
        spec = importlib.util.spec_from_file_location(
            fullname, location, loader=_BookLoader(self.registry, location)
        )
        if spec is not None and is_package:
            # An empty __path__: every submodule comes through this finder (and its loader, which registers
            # it), never through the path finder reading standins/book/ directly.
            spec.submodule_search_locations = []
        return spec


class MadeFinder:
    """Before the path finders: display and data libraries are always the stand-ins while grading."""

    def __init__(self, registry: Registry) -> None:
        self.registry = registry

    def find_spec(
        self, fullname: str, path: Sequence[str] | None = None, target: ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        made = MADE_PACKAGES.get(fullname.split(".")[0])
        if made is None:
            return None
        kind, make = made
        if kind == "gpu" and self.registry.guarded_import():
            # `try: import cupy ... except ImportError:` takes the book's path for a machine without cupy.
            raise ModuleNotFoundError(f"No module named {fullname!r}", name=fullname)
        if kind == "notebook":
            # a notebook of the submission by ipynb's name: the module itself, never registered as a stand-in
            notebook = notebooks.notebook_module(fullname, self.registry.root)
            if notebook is not None:
                self.registry.record(fullname, kind)
                return importlib.machinery.ModuleSpec(fullname, _AliasLoader(notebook))
            if fullname.rpartition(".")[0] in notebooks.NOTEBOOK_PARENTS:  # no notebook of the submission
                raise ModuleNotFoundError(f"No module named {fullname!r}", name=fullname)
            if fullname == "import_ipynb":
                self.registry.record(fullname, kind)
            return importlib.machinery.ModuleSpec(fullname, _MadeLoader(self.registry, make), is_package=True)
        self.registry.record(fullname, kind)
        return importlib.machinery.ModuleSpec(fullname, _MadeLoader(self.registry, make), is_package=True)


def install(root: str) -> Registry:
    """Put both finders on sys.meta_path (made ones before the path finder, book ones last)."""
    registry = Registry(root)
    # A cached real copy would bypass the finder. Its package is then cached too (importing a submodule
    # imports its package first), so sys.modules is walked only when one is: walking every module name of a
    # forked student process costs ~90 copy-on-write faults (their reference counts are written).
    if any(package in sys.modules for package in MADE_PACKAGES):
        for name in [n for n in sys.modules if n.split(".")[0] in MADE_PACKAGES]:
            del sys.modules[name]
    at = next(
        (i for i, f in enumerate(sys.meta_path) if f is importlib.machinery.PathFinder), len(sys.meta_path)
    )
    sys.meta_path.insert(at, MadeFinder(registry))
    sys.meta_path.append(BookFinder(registry))
    if not hasattr(builtins, "get_ipython"):
        builtins.get_ipython = _unbound(registry.get_ipython)  # type: ignore[attr-defined]
    if not hasattr(builtins, "display"):
        builtins.display = _unbound(registry.display)  # type: ignore[attr-defined]
    import numpy  # the worker holds it already

    numpy_removed.install(numpy)  # np.float, np.asscalar, np.NaN of older courses' code
    newer_stdlib.install()  # typing.override of a student on Python 3.12 or later
    return registry


def names_of(module: str) -> list[str]:
    """The stand-in module names a `did you mean` may suggest (they are importable while grading)."""
    return [m for m in BOOK_MODULES if m == module or "." in m]
