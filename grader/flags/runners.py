"""The standard library's runners that run code only when handed text, and loaders of pickled code.

`timeit.timeit(lambda: r.forward(x), number=100)` times a function; `timeit.timeit(s, globals=globals())`
runs the string `s` as code. Staff saw `dynamic_code` on the first, the honest one (review: timeit of a
lambda, `cProfile.Profile().runcall(main)`, `pickle.loads(pickle.dumps(d))`, `dill.dump(obj, f)`). So these
names are judged at their call, by what they are handed:

- a runner (`RUNNERS`) is flagged when an argument that it runs as code is not plainly a function: a
  lambda, or a name or method the file defines with `def` (a string, a name bound to anything else, a call
  building one: flagged);
- a profiler's or tracer's object (`TEXT_OBJECTS`) runs text through its `run`/`runctx`/`runeval`: flagged
  where it is made when the file calls one of those with anything but a function, not for `runcall(main)`
  or `enable()`;
- a loader (`LOADERS`) unpickles: flagged unless it loads what the same expression just dumped (a deep
  copy, `pickle.loads(pickle.dumps(d))`); saving (`dill.dump`) runs nothing;
- a file loader (`FILE_LOADERS`: `pickle.load`, an `Unpickler`, `shelve.open`) unpickles what it reads: a
  file the program opens (`open(...)` handed in, or a name bound only by `with open(...) as f` or `f =
  open(...)`) is one the parent reads itself when it was handed in (grader/flags/pickled.py: the book's
  `load_params` is not flagged); anything else, bytes held in memory above all (`io.BytesIO(...)`, any
  object with `read` and `readline`), is flagged: a backward hidden as a pickle stream built from text
  and run by `builtins.exec` scored full marks with no flag (sample miniflow/hidden_code_pickle_stream.py).
  `numpy.load` (and `numpy.lib.format.read_array`) unpickles only with `allow_pickle` set: flagged then
  when it is handed a stream built in memory (an `io` object, or a name bound to one) rather than a path
  or an opened file.

A name of these used without being called (`t = timeit.timeit`) is flagged where it is used: its arguments
cannot be read.
"""

from __future__ import annotations

import ast
import fnmatch
import functools
from collections.abc import Collection, Iterator
from dataclasses import dataclass

from grader.flags.model import Hit
from grader.flags.source import Source

CODE = "dynamic_code"
# Runner -> (positions, keywords) of the arguments it runs as code.
RUNNERS: dict[str, tuple[tuple[int, ...], tuple[str, ...]]] = {
    **dict.fromkeys(("timeit.timeit", "timeit.repeat", "timeit.Timer"), ((0, 1), ("stmt", "setup"))),
    **dict.fromkeys(
        ("cProfile.run", "cProfile.runctx", "profile.run", "profile.runctx"),
        ((0,), ("statement",)),
    ),
}
# pdb is no longer judged here: a debugger runs text through far more than run/runctx/runeval (its commands,
# a .pdbrc it reads), so runtime.NAMES flags pdb.* wherever it is used
TEXT_OBJECTS = frozenset({"cProfile.Profile", "profile.Profile", "trace.Trace"})
TEXT_METHODS = frozenset({"run", "runctx", "runeval"})  # what those objects run text with
LOADERS = ("pickle.loads", "_pickle.loads", "dill.load*", "cloudpickle.load*")
FILE_LOADERS = frozenset(
    {
        "pickle.load",
        "_pickle.load",
        "pickle._load",
        "pickle.Unpickler",
        "_pickle.Unpickler",
        "pickle._Unpickler",
    }
    | {"shelve.open", "shelve.Shelf", "shelve.DbfilenameShelf", "shelve.BsdDbShelf"}
)
# numpy's readers that unpickle with allow_pickle (np.load, and what it calls: a .npy's object array)
# -> the position of allow_pickle among their arguments
NUMPY_LOADS = {"numpy.load": 2, "numpy.lib.npyio.load": 2, "numpy.lib.format.read_array": 1}
# What opens a file by its path: a pickle read from one the parent can read too, if it was handed in
OPENERS = frozenset(
    {"open", "builtins.open", "io.open", "gzip.open", "bz2.open", "lzma.open", "codecs.open"}
    | {"gzip.GzipFile", "bz2.BZ2File", "lzma.LZMAFile"}
)
# Openers that also read a file object (gzip.open(io.BytesIO(...)): a pickle stream held in memory, gzipped,
# unflagged; review of s19-hostile, pickle_gzip_stream.py): opened by path only when handed a path
COMPRESSED = frozenset(
    {"gzip.open", "bz2.open", "lzma.open", "gzip.GzipFile", "bz2.BZ2File", "lzma.LZMAFile"}
)
# Calls that build a path (of a file the parent can read too, when it was handed in)
PATH_BUILDERS = frozenset({"str", "os.fspath", "os.getcwd", "os.path.*", "pathlib.*", "posixpath.*"})
_WHY = "runs code built at run time"


# A function of the name alone, asked of every library name a file reads (~64 a lesson file, each matched
# against every loader pattern): kept by the name, a bounded number of them.
@functools.lru_cache(maxsize=4096)
def judged(dotted: str) -> bool:
    """Whether a name is judged here, at its call, rather than flagged wherever it is used."""
    return (
        dotted in RUNNERS
        or dotted in TEXT_OBJECTS
        or dotted in FILE_LOADERS
        or any(fnmatch.fnmatchcase(dotted, p) for p in LOADERS)
    )


@dataclass(frozen=True)
class FileRunners:
    """What one file's calls say about its runners: which nodes are called, which names are functions."""

    called: frozenset[int]  # ids of the nodes called as functions
    functions: frozenset[str]  # names the file defines with def
    runs_text: bool  # some `x.run(...)`/`runctx`/`runeval` of the file is handed anything but a function
    opened: frozenset[int] = frozenset()  # ids of the names bound, where read, only to a file opened by path
    bound: frozenset[str] = frozenset()  # names the file binds itself (a builtin of that name is not one)
    streams: frozenset[str] = frozenset()  # names bound to an `io` object (bytes held in memory)

    @classmethod
    def of(cls, src: Source) -> FileRunners:
        calls = src.of(ast.Call)
        defs = src.of(ast.FunctionDef, ast.AsyncFunctionDef)
        defined = {n.name for n in defs if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)}
        # A name bound by anything but def may hold text when it is run (second review: `def stmt(): ...`
        # then `stmt = b64decode(...).decode()` and `timeit.timeit(stmt)`): no function then.
        rebound = _rebound(src)
        functions = frozenset(defined - rebound)
        called = frozenset(id(c.func) for c in calls)
        made = cls(called, functions, False)
        runs_text = any(
            isinstance(c.func, ast.Attribute) and c.func.attr in TEXT_METHODS and made.text(c, (0,), ())
            for c in calls
        ) or any(  # `run = cProfile.Profile().run`, then `run(s)`: what it is handed cannot be read
            isinstance(n, ast.Attribute) and n.attr in TEXT_METHODS and id(n) not in called
            for n in src.of(ast.Attribute)
        )
        bound = frozenset(rebound | defined)
        opened, streams = _file_names(src, bound)
        return cls(called, functions, runs_text, opened, bound, streams)

    def function(self, node: ast.AST) -> bool:
        if isinstance(node, ast.Lambda):
            return True
        if isinstance(node, ast.Name):
            return node.id in self.functions
        # A method of the object itself (self.forward); any other attribute may be text whatever its name
        # (second review: `cfg.forward` a decoded string in a file that defines `def forward`).
        return (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and node.value.id == "self"
            and node.attr in self.functions
        )

    def text(self, call: ast.Call, positions: tuple[int, ...], keywords: tuple[str, ...]) -> bool:
        """Whether an argument run as code is anything but a function (`*args` and `**kwargs` unread)."""
        if any(isinstance(a, ast.Starred) for a in call.args) or any(k.arg is None for k in call.keywords):
            return True
        handed = [call.args[i] for i in positions if i < len(call.args)]
        handed += [k.value for k in call.keywords if k.arg in keywords]
        return any(not self.function(a) for a in handed)

    def hits(self, src: Source, node: ast.AST) -> Iterator[Hit]:
        """A judged name's flag at `node`: a use that is no call, or a call handed text."""
        if isinstance(node, ast.Call):
            dotted = src.library_name(node.func)
            if dotted is not None and judged(dotted) and self._runs(src, node, dotted):
                yield Hit(CODE, node.lineno, f"uses {dotted} on code it is handed: {_WHY}")
            elif (
                dotted in NUMPY_LOADS
                and _allows_pickle(node, NUMPY_LOADS[dotted])
                and self._in_memory(src, _file_argument(node))
            ):
                yield Hit(
                    CODE, node.lineno, f"uses {dotted} with allow_pickle on bytes held in memory: {_WHY}"
                )
        elif isinstance(node, (ast.Name, ast.Attribute)) and id(node) not in self.called:
            dotted = src.library_name(node)
            if dotted is not None and judged(dotted):
                yield Hit(CODE, getattr(node, "lineno", 0), f"uses {dotted}: {_WHY}")

    def _runs(self, src: Source, call: ast.Call, dotted: str) -> bool:
        if dotted in RUNNERS:
            return self.text(call, *RUNNERS[dotted])
        if dotted in TEXT_OBJECTS:
            return self.runs_text
        if dotted in FILE_LOADERS:
            return not self._opened(src, _file_argument(call))
        return not _round_trip(src, call)

    def _opened(self, src: Source, node: ast.AST | None) -> bool:
        """Whether `node` is a file the program opens by its path (`open(...)`, or a name bound only so)."""
        if isinstance(node, ast.Name):
            return id(node) in self.opened
        return _opens(src, node, self.bound)

    def _in_memory(self, src: Source, node: ast.AST | None) -> bool:
        """Whether `node` is a stream built in memory (an `io` object, or a name bound to one)."""
        if isinstance(node, ast.Name) and node.id in self.streams:
            return True
        return _streams(src, node, self.bound)


def _rebound(src: Source) -> set[str]:
    """Names the file binds otherwise than by def: assigned, imported, a parameter, a loop or with target, a
    class, an `except ... as` name, a `match` capture."""
    names = {n.id for n in src.of(ast.Name) if isinstance(n.ctx, ast.Store | ast.Del)}
    names.update(n.arg for n in src.of(ast.arg))
    names.update(_other_bindings(src))
    for node in src.of(ast.Import, ast.ImportFrom):
        if isinstance(node, ast.Import | ast.ImportFrom):
            names.update((a.asname or a.name).split(".")[0] for a in node.names)
    return names


def _other_bindings(src: Source) -> set[str]:
    """Names bound by no Name node: `class open:` (review of s19-hostile, pickle_class_open.py: a class named
    like the builtin returned a pickle stream held in memory, unflagged), `except E as open`, `case open:`."""
    names: set[str] = set()
    for node in src.of(ast.ClassDef, ast.ExceptHandler, ast.MatchAs, ast.MatchStar, ast.MatchMapping):
        name = getattr(node, "rest" if isinstance(node, ast.MatchMapping) else "name", None)
        if isinstance(name, str):
            names.add(name)
    return names


def _round_trip(src: Source, call: ast.Call) -> bool:
    """`pickle.loads(pickle.dumps(d))`: a deep copy of the program's own objects."""
    first = call.args[0] if call.args else None
    if not isinstance(first, ast.Call):
        return False
    dotted = src.library_name(first.func)
    return dotted is not None and dotted.endswith(".dumps")


def _file_argument(call: ast.Call) -> ast.AST | None:
    """The file a loader reads: its first argument, or `file=`/`filename=`; None when unreadable."""
    if call.args:
        return None if isinstance(call.args[0], ast.Starred) else call.args[0]
    return next((k.value for k in call.keywords if k.arg in ("file", "filename")), None)


def _allows_pickle(call: ast.Call, position: int) -> bool:
    """`allow_pickle=` anything but a literal False (`**kwargs` may hold it), or given at `position`."""
    for k in call.keywords:
        if k.arg is None or k.arg == "allow_pickle":
            return not (isinstance(k.value, ast.Constant) and k.value.value is False)
    if any(isinstance(a, ast.Starred) for a in call.args):
        return True
    if len(call.args) > position:
        given = call.args[position]
        return not (isinstance(given, ast.Constant) and given.value is False)
    return False


def _called_name(src: Source, node: ast.AST | None, bound: Collection[str]) -> str | None:
    """The dotted name a call calls through an import, or a builtin's (`open`) when the file binds no name
    of that kind of its own (`bound`: `open = lambda *a: io.BytesIO(...)` is no builtin)."""
    if not isinstance(node, ast.Call):
        return None
    resolved = src.resolve(node.func)
    if resolved is None:
        return None
    dotted, via_import = resolved
    return dotted if via_import or ("." not in dotted and dotted not in bound) else None


def _opens(src: Source, node: ast.AST | None, bound: Collection[str]) -> bool:
    name = _called_name(src, node, bound)
    if name not in OPENERS:
        return False
    return name not in COMPRESSED or (isinstance(node, ast.Call) and _path_argument(src, node, bound))


def _path_argument(src: Source, call: ast.Call, bound: Collection[str]) -> bool:
    """Whether a compressed opener is handed a path (no `fileobj=`): a string, an f-string, a sum with one, a
    path built by os.path/pathlib/str, a name bound (in the scope it is read from) only to one of those, or
    a loop's name over a literal list of them (`for name in ['a.pkl.gz', 'b.pkl.gz']`). Unlike `open`, which
    takes nothing but a path, gzip.open (bz2, lzma) reads any object with a `read` method: a parameter or an
    attribute (`def load(path): gzip.open(path)`, `self.file`) may be handed a stream built in memory in
    another file, or an object of the submission's own class whose `read` hands out a pickle (review of
    session 19), so those stay flagged, a prompt for staff. A call (`gzip.open(make())`) stays flagged too."""
    if any(k.arg in ("fileobj", None) for k in call.keywords):
        return False
    handed = _file_argument(call)
    return _path_like(src, handed, bound, depth=2) or (
        isinstance(handed, ast.Name) and _looped_over_paths(src, handed, bound)
    )


def _looped_over_paths(src: Source, name: ast.Name, bound: Collection[str]) -> bool:
    """Whether every binding `name` may read, in its scope, is a `for` over a literal list (or tuple) of
    paths (a parameter or loop of another function is none of its bindings: review of s29-realdlfs)."""
    loops = [src.bindings().statement_of.get(id(b)) for b in src.bindings().reaching(name) or []]
    return bool(loops) and all(
        isinstance(loop, ast.For)
        and isinstance(loop.iter, ast.List | ast.Tuple)
        and all(_path_like(src, item, bound, depth=0) for item in loop.iter.elts)
        for loop in loops
    )


def _path_like(src: Source, node: ast.AST | None, bound: Collection[str], depth: int) -> bool:
    if isinstance(node, ast.Constant):
        return isinstance(node.value, str | bytes)
    if isinstance(node, ast.JoinedStr):
        return True
    if isinstance(node, ast.BinOp):
        return any(_path_like(src, side, bound, depth) for side in (node.left, node.right))
    if isinstance(node, ast.Call):
        name = _called_name(src, node, bound)
        return name is not None and any(fnmatch.fnmatchcase(name, p) for p in PATH_BUILDERS)
    if isinstance(node, ast.Name) and depth > 0:
        # every binding the name may read, in its own scope, an `x = <path>` (review of s29-realdlfs: a
        # parameter of another function made a path a stream, and a class, import or `except ... as` of
        # the same name was no binding of it)
        values = [src.bindings().statement_of.get(id(b)) for b in src.bindings().reaching(node) or []]
        return bool(values) and all(
            isinstance(v, ast.Assign) and _path_like(src, v.value, bound, depth - 1) for v in values
        )
    return False


def _streams(src: Source, node: ast.AST | None, bound: Collection[str]) -> bool:
    name = _called_name(src, node, bound)
    return name is not None and name.startswith("io.") and name not in OPENERS


def _file_names(src: Source, bound: Collection[str]) -> tuple[frozenset[int], frozenset[str]]:
    """(ids of the names whose every binding, in the scope they are read from, is a file opened by path;
    names bound to an `io` stream anywhere in the file). Scope by scope (grader/flags/bindings.py): a
    parameter `f` of another function is no binding of the `f` a `with open(...) as f:` binds (the book's
    `numerical_gradient(f, x)` beside `load_params` made its `pickle.load(f)` a flagged load)."""
    opened_at: set[int] = set()
    streams: set[str] = set()
    for node in src.of(ast.Assign, ast.With, ast.AsyncWith):
        pairs: list[tuple[ast.AST | None, ast.AST]] = []
        if isinstance(node, ast.Assign):
            pairs = [(t, node.value) for t in node.targets]
        elif isinstance(node, ast.With | ast.AsyncWith):
            pairs = [(item.optional_vars, item.context_expr) for item in node.items]
        for target, value in pairs:
            if not isinstance(target, ast.Name):
                continue
            if _opens(src, value, bound):
                opened_at.add(id(target))
            elif _streams(src, value, bound):
                streams.add(target.id)
    if not opened_at:
        return frozenset(), frozenset(streams)
    # a name bound any other way too in its scope (a parameter, a loop, another assignment) may hold anything
    bindings = src.bindings()
    opened = {
        id(n)
        for n in src.of(ast.Name)
        if isinstance(n.ctx, ast.Load) and bindings.bound_only_by(n, opened_at)
    }
    return frozenset(opened), frozenset(streams)
