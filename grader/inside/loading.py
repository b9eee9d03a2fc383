"""What a load tells the student beyond "found" and "missing": read from the files, never by running more.

- every module that failed to load, with its file, line and source line, even when the required names were
  found elsewhere (files the loader never ran are checked statically: do they compile, do their imports
  exist?), with a "did you mean" where one fits (`layer_navie` -> layer_naive, `lamdba` -> lambda);
- a module stopped by an exception at import: where it stopped, and for each required name defined below
  that line, "never defined: the module stopped at line N";
- a script that stopped only for want of what grading does not provide (a data set, a home folder, another
  program: grader/inside/unavailable.py): a note, not an error;
- a class defined twice (Python keeps the last one), a misspelt `__init__` (a hint);
- every stand-in used (grader/inside/standins), and a required name found only as a stand-in.
Messages are the student's claim about its own files (this runs in the student's process): the parent
re-validates and normalises them like everything else from here.
"""

from __future__ import annotations

import ast
import importlib.util
import linecache
import os
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from types import CodeType, FunctionType, TracebackType
from typing import Any

from . import cells, choice, lookalikes, newer_syntax, py2_errors, unavailable
from .budget import LoadTooLong
from .encoding_guess import not_utf8_hint
from .failures import clean_text, describe, traceback_line
from .guard import ForbiddenImport
from .left_out import package_hint as left_out_package
from .main_guard import import_branches, on_import
from .paths import alias as alias  # the parent reads it too (grader/sandbox/frames.py)
from .spelling import init_typo, keyword_typo, module_typo
from .standins import (
    BOOK_MODULES,
    BOOK_ONLY_MODULES,
    DATA_SET_MODULES,
    FLAT_BOOK_HELPERS,
    MADE_PACKAGES,
    Registry,
    flat_helper,
)
from .standins.inert import HOST_PACKAGES
from .standins.scientific import FUNCTIONS as SCIPY_FUNCTIONS

_SOURCE_CAP = 160


@dataclass(frozen=True)
class Stop:
    """Where a module's top-level code stopped on an exception (after defining some of its names)."""

    line: int  # the file's own line number (compared with where names are defined)
    where: str  # "two_layer_net.py line 89: `net.train(x)`" (a notebook's cell and line)
    error: str  # "ValueError: ..." and where it was raised, if deeper
    data_set: bool  # it stopped only because grading lacks what it needed (a data set, a home, a program)
    test_runner: bool = False  # a unit-test runner's exit (`unittest.main()` at the top level of a step file)
    too_long: bool = False  # still running when the load's time was up (budget.py: a training loop at import)
    needs: unavailable.Need = unavailable.DATA_SET  # what it needed, when `data_set`


def shown_line(relpath: str, filename: str, line: int) -> str:
    """ "a.py line 3" or "hw.ipynb, code cell 2 line 1"."""
    place, number = cells.locate(filename, line) or (relpath, line)
    return f"{place} line {number}"


def source_line(filename: str, line: int) -> str:
    return clean_text(linecache.getline(filename, line).strip(), _SOURCE_CAP)


# The modules whose SystemExit is a test runner's: the book's step files end with `unittest.main()`.
_TEST_RUNNERS = (os.path.join("unittest", "main.py"),)


def stop_of(exc: BaseException, filename: str, relpath: str, root: str) -> Stop:
    """Where the module's own top-level code was when `exc` escaped it."""
    line, deepest, runner = 0, None, False
    library: list[str] = []  # the files of the frames outside the submission
    tb: TracebackType | None = exc.__traceback__
    while tb is not None:
        code = tb.tb_frame.f_code
        runner = runner or code.co_filename.endswith(_TEST_RUNNERS)
        if code.co_name == "<module>" and os.path.realpath(code.co_filename) == os.path.realpath(filename):
            line = traceback_line(tb)
        elif os.path.isabs(code.co_filename) and os.path.realpath(code.co_filename).startswith(root + os.sep):
            # (a compiled extension's frame has a relative name, "numpy/random/mtrand.pyx": not the root's)
            deepest = (code.co_filename, traceback_line(tb), code.co_name)
        else:
            library.append(code.co_filename)
        tb = tb.tb_next
    where = shown_line(relpath, filename, line)
    source = source_line(filename, line)
    if source:
        where += f": `{source}`"
    error = describe(exc)
    if isinstance(exc, LoadTooLong):  # stopped from outside, wherever it was: no "raised in"
        error, deepest = str(exc), None
    if deepest is not None:
        rel = os.path.relpath(os.path.realpath(deepest[0]), root)
        error += f" (raised in {deepest[2]}, {shown_line(rel, deepest[0], deepest[1])})"
    need = unavailable.needed(exc, library)
    return Stop(
        line,
        where,
        error,
        need is not None,
        runner and isinstance(exc, SystemExit),
        isinstance(exc, LoadTooLong),
        need or unavailable.DATA_SET,
    )


def too_long_note(stop: Stop, *, cell: bool = False) -> str:
    """A module (or a notebook cell: `cell`) whose top-level code was stopped by the load's budget: where, and
    what to do. A notebook's cells all run, as Restart & Run All runs them, and `__name__` is "__main__" in
    Jupyter, so a guard is no advice there."""
    head = f"note: loading stopped at {stop.where}, {stop.error}"
    if cell:
        return (
            f"{head}: every cell runs when the notebook is graded, a training cell too; the names defined "
            "before that line are graded and the other cells were run (not an error)"
        )
    return (
        f"{head}: code at the top level of a file (a training loop, a demo) runs whenever the file is "
        "imported; the names defined before that line are graded. Put that code under "
        '`if __name__ == "__main__":`'
    )


@dataclass(frozen=True)
class CellStop:
    """A notebook cell that did not run to its end: its lines `first` to `last` (the module's) never ran."""

    first: int
    last: int
    filename: str  # the module built from the notebook (cells.locate reads its cell markers)
    stop: Stop | None  # where it stopped; None: the cell was skipped for a syntax error
    why: str = ""  # a skipped cell's syntax error, as the student was told


def data_set_stop_note(stop: Stop, shape: Outline, bound: Iterable[str] = ()) -> str:
    """A script (not a notebook) whose top level stopped for want of what grading lacks (`stop.needs`: a data
    set, the home folder, another program). Python runs a script to that
    line and no further, so the classes and functions defined below it never ran: "not an error" alone read
    as nothing lost, and then every one of them was "missing". Names them and says how to keep them; a name
    the module holds all the same (`bound`: bound by a decorator on the line that raised) is not lost."""
    kept = set(bound)
    head = f"note: loading stopped at {stop.where} because the code {stop.needs.script} ({stop.error})"
    lost = sorted(
        (
            (at, name)
            for name, places in shape.defs.items()
            for _, at in places
            if at > stop.line and name not in kept
        ),
        key=lambda pair: pair[0],
    )
    names = list(dict.fromkeys(name for _, name in lost))
    if not names:
        return f"{head}; not an error"
    return (
        f"{head}, so {_listed(names)} below that line never ran: define "
        f"{'it' if len(names) == 1 else 'them'} above the line that loads the data, or put the loading and "
        'training under `if __name__ == "__main__":`'
    )


def cell_error(stop: Stop, lost: Sequence[str] = ()) -> str:
    """A notebook cell that raised (`stop`: where it stopped), for the student: where, what, and that the
    other cells ran. `lost`: the classes and functions the cell defines below that line, which never ran."""
    if stop.data_set and lost:
        return (
            f"{stop.where} {stop.needs.cell} ({stop.error}), so {_listed(lost)} below it in that cell never "
            f"ran: move {'it' if len(lost) == 1 else 'them'} to a cell of its own, above the one that loads "
            "the data; the other cells were run"
        )
    if stop.too_long:
        return too_long_note(stop, cell=True)
    if stop.data_set:
        return f"note: {stop.where} {stop.needs.cell} ({stop.error}); the other cells were run (not an error)"
    return (
        f"{stop.where}: {stop.error}; the other cells were run (as in Jupyter), but the names this cell "
        "would have defined after that line are missing"
    )


def data_followers(stopped: Sequence[tuple[str, str]]) -> str:
    """One note for the cells that stopped on a name the data-set cell would have made (`stopped`: each
    cell's place, "hw.ipynb, code cell 7", and the name): a consequence of that note, not an error each."""
    book, number = cells.split_place(stopped[0][0])  # one notebook: every place is one of its cells
    # A script exported from a notebook has no cell numbers: its places are lines ("nb.py line 40").
    numbers = list(dict.fromkeys(cells.split_place(place)[1] if number else place for place, _ in stopped))
    names = list(dict.fromkeys(name for _, name in stopped))
    listed = f"{', '.join(numbers[:-1])} and {numbers[-1]}" if len(numbers) > 1 else numbers[0]
    which = f"{book}, code cell{'s' if len(numbers) > 1 else ''} {listed}" if number else listed
    return (
        f"note: {which} stopped on {', '.join(names[:6])}, which the cell that loads the data set "
        "would have made; the other cells were run (not an error)"
    )


def _listed(names: Sequence[str]) -> str:
    shown = [f"{_noun_of(n)} {n}" for n in names[:4]]
    more = f" and {len(names) - 4} more" if len(names) > 4 else ""
    return (", ".join(shown[:-1]) + " and " + shown[-1] if len(shown) > 1 else shown[0]) + more


def _noun_of(name: str) -> str:
    return "class" if name[:1].isupper() else "function"


def defined_below(source: str, line: int) -> list[str]:
    """The classes and functions a cell defines at its top level below `line`: what a cell that stopped at
    that line never defined (a training cell's assignments are not counted: they are not the program)."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):
        return []
    defs = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
    return [s.name for s in tree.body if isinstance(s, defs) and s.lineno > line]


def bound_from(source: str, line: int) -> set[str]:
    """The names a cell's top-level statements bind from `line` on (the statement there included): what
    the cell would have defined had it not stopped at that line. Nested function and class bodies bind
    nothing here; a cell that does not parse binds nothing."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):
        return set()
    names: set[str] = set()
    pending: list[ast.AST] = [s for s in tree.body if s.end_lineno is None or s.end_lineno >= line]
    while pending:
        node = pending.pop()
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names.add(node.name)
            continue
        if isinstance(node, ast.Lambda):
            continue
        if isinstance(node, ast.Import | ast.ImportFrom):
            names.update((a.asname or a.name).split(".")[0] for a in node.names)
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
        pending.extend(ast.iter_child_nodes(node))
    return names


# ------------------------------------------------------------------ reading files without running them
_GUARDS = frozenset({"ImportError", "ModuleNotFoundError", "Exception", "BaseException"})


def called_under_main(filename: str, function: str) -> str | None:
    """Where the file calls `function()` in a block the import reaches but never runs, as the file writes
    it: "`if __name__ == '__main__':`" (an `elif` of it too), or "the `else` of `if __name__ !=
    '__main__':`" (read, never run); None when it calls it nowhere so. The setup warning quoted the first
    for a call under the `else` of `!=`, a guard the file does not have."""
    try:
        with open(filename, "rb") as fh:
            tree = ast.parse(fh.read(), filename)
    except (SyntaxError, OSError, ValueError, RecursionError, MemoryError):
        return None
    for node in _body(tree.body):
        if not isinstance(node, ast.If):
            continue
        if any(_calls(block, function) for block in import_branches(node).skipped):
            guard = f"`if {_shown_test(node.test)}:`"
            return guard if on_import(node.test) is False else f"the `else` of {guard}"
    return None


_MAX_TEST_SHOWN = 80  # a guard's test as quoted: `__name__ != '__main__' or DEBUG` and the like, not a page


def _shown_test(test: ast.expr) -> str:
    try:
        text = ast.unparse(test)
    except Exception:  # an odd tree: said as the book writes the guard
        return "__name__ == '__main__'"
    return text if len(text) <= _MAX_TEST_SHOWN else text[: _MAX_TEST_SHOWN - 3] + "..."


def _calls(block: ast.stmt, function: str) -> bool:
    return any(
        isinstance(c, ast.Call) and isinstance(c.func, ast.Name) and c.func.id == function
        for c in ast.walk(block)
    )


def _guarded(node: ast.Try) -> bool:
    """A `try` whose handler catches a failed import (`try: import cupy ... except ImportError:`)."""
    names = []
    for handler in node.handlers:
        kinds = handler.type.elts if isinstance(handler.type, ast.Tuple) else [handler.type]
        names += ["BaseException" if k is None else getattr(k, "id", "") for k in kinds]
    return any(n in _GUARDS for n in names)


def _body(nodes: Iterable[ast.stmt], *, imports: bool = False) -> Iterator[ast.stmt]:
    """Statements that run at import: top level, and inside `if`/`try`/`with` blocks (definitions behind a
    version check), never under `if __name__ == "__main__":` (grader/inside/main_guard.py). With `imports`,
    the body of a `try` that catches ImportError is skipped too: an import that may fail there is meant to."""
    for node in nodes:
        yield node
        if isinstance(node, ast.If):
            yield from _body(import_branches(node).runs, imports=imports)
        elif isinstance(node, ast.With):
            yield from _body(node.body, imports=imports)
        elif isinstance(node, ast.Try):
            guarded = imports and _guarded(node)
            blocks = [node.orelse, node.finalbody, *[h.body for h in node.handlers]]
            for block in blocks if guarded else [node.body, *blocks]:
                yield from _body(block, imports=imports)


@dataclass(frozen=True)
class Outline:
    """A file's top-level classes and functions, read line by line (no parse: this runs on every load)."""

    defs: dict[str, list[tuple[str, int]]]  # name -> [("class" | "function", line)], in order
    classes: list[tuple[str, int, dict[str, int]]]  # (class name, line, {method: line})
    # Definitions indented inside the file's top-level if/elif/else, try/except/else/finally, with and
    # match blocks (`try: from dezero import Variable` / `except ImportError: class Variable:`), which run
    # on import too; never under `if __name__ == "__main__":` nor in a function's or class's body.
    nested: Mapping[str, list[tuple[str, int]]] = field(default_factory=dict)

    @property
    def run_names(self) -> frozenset[str]:
        """Every name the file defines when imported: unindented, or nested in a block that runs then."""
        return frozenset(self.defs) | frozenset(self.nested)

    @property
    def bound(self) -> dict[str, list[tuple[str, int]]]:
        """`run_names` with where each is defined: the unindented definitions, then the nested ones."""
        if not self.nested:
            return self.defs
        merged = {name: list(places) for name, places in self.defs.items()}
        for name, places in self.nested.items():
            merged.setdefault(name, []).extend(places)
        return merged


_TOP_DEF = re.compile(r"(class|def|async\s+def)\s+([A-Za-z_][A-Za-z0-9_]*)")
_METHOD = re.compile(r"([ \t]+)(?:async\s+)?def\s+([A-Za-z_][A-Za-z0-9_]*)")


# Each file's outline with the lines it was read from, for the process. A load reads a file's outline
# twice (the choice of files, `student._repeats`, then the review), and the two patterns over every line
# cost a bench file ~0.8 million instructions a reading (session 30, callgrind). linecache hands back the
# same list until its entry is dropped and read again (`checkcache` after a traceback, a file changed on
# disk): then the outline is read again from the new lines. The choice of files reads a file's outline at
# its turn, before that file runs (one load a process): only the review's can be one kept from before.
_OUTLINES: dict[str, tuple[list[str], Outline]] = {}


def outline(path: str) -> Outline:
    """Unindented `class X` / `def f` lines and each class's methods (its first indentation level only).

    Also works on a file that does not compile. `defs` and `classes` are the unindented definitions (the
    hints and explanations: an `if`/`else` pair defining Affine twice is no duplicate); `nested` adds the
    ones inside top-level `if`/`try`/`with`/`match` blocks, which run on import too. The outline decides
    which of the submission's other files run (`student._completes`, `student._repeats`, on `run_names`):
    read from the unindented names alone, a file defining a missing name only inside an `if` (or an
    `except ImportError:`), beside a name already found, was taken for a copy and never run."""
    lines = linecache.getlines(path)
    kept = _OUTLINES.get(path)
    if kept is not None and kept[0] is lines:
        return kept[1]
    shape = _outline_of(lines)
    _OUTLINES[path] = (lines, shape)
    return shape


def _outline_of(lines: Sequence[str]) -> Outline:
    defs: dict[str, list[tuple[str, int]]] = {}
    classes: list[tuple[str, int, dict[str, int]]] = []
    indent: str | None = None
    # a line inside a triple-quoted string is text, whatever it looks like (an older version quoted out)
    inside = choice.string_lines("".join(lines))
    for number, text in enumerate(lines, start=1):
        if number in inside:
            continue
        top = _TOP_DEF.match(text)
        if top:
            kind = "class" if top.group(1) == "class" else "function"
            defs.setdefault(top.group(2), []).append((kind, number))
            if kind == "class":
                classes.append((top.group(2), number, {}))
                indent = None
            else:
                indent = ""  # methods end with the class
            continue
        method = _METHOD.match(text)
        if method and classes and indent != "":
            indent = method.group(1) if indent is None else indent
            if method.group(1) == indent:
                classes[-1][2].setdefault(method.group(2), number)
        elif text[:1] not in ("", " ", "\t", "\n", "\r", "#", '"', "'", ")", "]", "}"):
            indent = ""  # other top-level code: the last class has ended
    return Outline(defs, classes, choice.nested_defs(lines, inside))


def init_hints(shape: Outline, relpath: str, filename: str) -> list[str]:
    hints = []
    for name, line, methods in shape.classes:
        typo = init_typo(list(methods))
        if typo is not None:
            hints.append(
                f"class {name} ({shown_line(relpath, filename, line)}) has no __init__ but defines {typo} "
                f"({shown_line(relpath, filename, methods[typo])}), which Python never calls: did you mean "
                f"__init__? (graded as Python runs it: {name}() takes no arguments)"
            )
    return hints


def duplicate_warnings(
    shape: Outline,
    relpath: str,
    filename: str,
    wanted: Iterable[str],
    unrun: Sequence[tuple[int, int]] = (),
    namespace: Mapping[str, Any] | None = None,
) -> list[str]:
    """A class (or a required function) defined more than once: Python keeps the last definition that ran.

    `unrun`: the module's line ranges whose top-level code never ran to its end (from the line where the
    module stopped; a notebook cell skipped for a syntax error, or a cell from the line that raised). A
    definition there never replaced the one before it. In a notebook each definition is cited by its cell.
    `namespace`: the module's names as loaded; the definition the bound object's code comes from is the one
    graded, whatever the line ranges say (a class decorated by a function that binds it and then raises
    stopped the module on its own decorator line, yet is the one graded: the ranges called it unrun, and
    the warning named the earlier definition to staff as the graded one)."""
    wanted = set(wanted)
    out = []
    for name, defs in shape.defs.items():
        kinds = {k for k, _ in defs}
        if len(defs) < 2 or not ("class" in kinds or name in wanted):
            continue
        located = [cells.locate(filename, n) or (relpath, n) for _, n in defs]
        places = {place for place, _ in located}
        if len(places) == 1:
            cited = [str(n) for _, n in located]
            where, lines, at = f" in {places.pop()}", "lines ", "line "
        else:  # a notebook's cells: "hw.ipynb, code cell 3" each, cited as "code cell 3 line 1"
            book = cells.split_place(located[0][0])[0]
            cited = [f"{place.removeprefix(book + ', ')} line {n}" for place, n in located]
            where, lines, at = f" in {book}", "", ""
        listed = ", ".join(cited[:-1]) + f" and {cited[-1]}"
        count = "twice" if len(defs) == 2 else f"{len(defs)} times"
        bound = _bound_definition(shape, name, namespace, filename)
        ran = (
            [i for i, (_, n) in enumerate(defs) if not any(a <= n <= b for a, b in unrun)]
            if bound is None
            else list(range(bound + 1))
        )
        head = f"{defs[-1][0]} {name} is defined {count}{where} ({lines}{listed}): "
        if ran and ran[-1] == len(defs) - 1:
            out.append(
                head + f"Python keeps the last one ({at}{cited[-1]}), and that is the one graded; delete or "
                "rename the other"
            )
        elif ran:
            out.append(
                head + f"the last one ({at}{cited[-1]}) never ran (the code stopped before it: see the other "
                f"warnings), so Python kept the one at {at}{cited[ran[-1]]}, and that is the one graded"
            )
    return out


def _bound_definition(
    shape: Outline, name: str, namespace: Mapping[str, Any] | None, filename: str
) -> int | None:
    """Which of the definitions of `name` (its index in `shape.defs[name]`) the object bound to it comes
    from, read from its code's first lines in `filename`: a function's own (its decorators come just before
    its `def`); for a class, the occurrence whose methods, by name, start where the bound class's do (a
    method borrowed from elsewhere matches none). None when that cannot be told."""
    if namespace is None:
        return None
    defs = shape.defs.get(name, [])
    try:
        obj = namespace.get(name)
        if isinstance(obj, type):
            starts = {}
            for attr, value in list(vars(obj).items()):
                code = getattr(value, "__code__", None) if isinstance(value, FunctionType) else None
                if isinstance(code, CodeType) and code.co_filename == filename:
                    starts[attr] = code.co_firstlineno
            occurrences = [(line, methods) for cls, line, methods in shape.classes if cls == name]
            scores = [
                sum(1 for m, at in methods.items() if m in starts and at - _DECORATORS <= starts[m] <= at)
                for _, methods in occurrences
            ]
            if not scores or max(scores) == 0 or scores.count(max(scores)) > 1:
                return None
            line = occurrences[scores.index(max(scores))][0]
            found = [i for i, (kind, n) in enumerate(defs) if kind == "class" and n == line]
            return found[0] if found else None
        code = getattr(obj, "__code__", None) if isinstance(obj, FunctionType) else None
        if not isinstance(code, CodeType) or code.co_filename != filename:
            return None
        found = [
            i
            for i, (kind, n) in enumerate(defs)
            if kind == "function" and code.co_firstlineno <= n <= code.co_firstlineno + _DECORATORS
        ]
        return found[0] if found else None
    except Exception:  # a student's metaclass or descriptor may raise anywhere
        return None


_DECORATORS = 20  # lines of decorators a definition's code may start before its `def`


# ------------------------------------------------------------------ files the loader did not run
@dataclass
class Importable:
    """Can `import name` work here, judged without running any of the submission's code?"""

    root: str
    modules: Sequence[str]  # the submission's module names ("layers", "ch05.layer_naive", "layer_naive")

    def __call__(self, name: str, folder: str) -> bool:
        parts = name.split(".")
        if name in BOOK_MODULES or parts[0] in MADE_PACKAGES or flat_helper(self.root, name) is not None:
            return True
        for base in (self.root, folder):
            path = os.path.join(base, *parts)
            if os.path.isfile(path + ".py") or os.path.isdir(path):
                return True
        if os.path.isdir(os.path.join(self.root, parts[0])) or os.path.isdir(os.path.join(folder, parts[0])):
            return False  # the student's own package, without this module
        try:
            return importlib.util.find_spec(parts[0]) is not None  # a top-level name runs nothing
        except ForbiddenImport:
            raise
        except Exception:
            return False


def _imports(tree: ast.Module) -> Iterator[tuple[ast.stmt, str, int]]:
    for node in _body(tree.body, imports=True):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node, alias.name, 0
        elif isinstance(node, ast.ImportFrom):
            yield node, node.module or "", node.level


# Files a tool runs, never the program: packaging's setup.py, the test runner's conftest.py and test files,
# nox's noxfile.py. Their imports name the tool (setuptools, pytest), which no grading has: "setup.py line 1:
# `from setuptools import setup`: no module named 'setuptools' in the submission ... (this file was not
# needed for grading and was not run)" was on every repository handed in with its packaging or its tests,
# and told the student nothing to do. Their syntax errors are still said.
_TOOLING = re.compile(r"(?:^|/)(?:setup|conftest|noxfile|test_\w*|\w+_test)\.py$")


def tooling_file(relpath: str) -> bool:
    return _TOOLING.search(relpath) is not None


def static_problem(relpath: str, root: str, importable: Importable) -> str | None:
    """Why a file the loader did not need to run would fail to load: a syntax error or a missing module (not
    for a tool's file, `tooling_file`)."""
    filename = os.path.join(root, relpath)
    try:
        with open(filename, "rb") as fh:
            source = fh.read()
        tree = ast.parse(source, filename)
        compile(
            tree, filename, "exec", dont_inherit=True
        )  # what ast.parse lets through (`return` outside def)
    except SyntaxError as exc:
        return syntax_message(exc, relpath, filename)
    except (OSError, ValueError, RecursionError, MemoryError) as exc:
        return f"{relpath} cannot be read as Python: {clean_text(exc, 200)}"
    folder = os.path.dirname(filename)
    for node, module, level in _imports(tree):
        where = f"{shown_line(relpath, filename, node.lineno)}: `{source_line(filename, node.lineno)}`"
        if level:
            base = folder
            for _ in range(level - 1):
                base = os.path.dirname(base)
            target = os.path.join(base, *module.split(".")) if module else base
            if not (os.path.isfile(target + ".py") or os.path.isdir(target)):
                absent = module or "."
                return f"{where}: relative import of {absent!r}, which is not in the submission"
            continue
        try:
            ok = importable(module, folder)
        except ForbiddenImport:
            return f"{where}: imports {module!r}, which this assignment forbids"
        if not ok and not tooling_file(relpath):
            itself = set(module_names([relpath]))  # never "did you mean" the file doing the import
            known = [m for m in importable.modules if m not in itself]
            return f"{where}: {missing_module(module, known, relpath)}"
    return None


def imported_modules(relpath: str, filename: str) -> set[str]:
    """The dotted names of the modules a file's imports name anywhere in it (both branches of an `if`, a
    function's body), read, never run: relative imports made absolute from its folder, and an absolute one
    also as from its own folder (a script's folder is first on sys.path). `from pkg import mod` names
    pkg.mod as well. A file that cannot be read names nothing."""
    try:
        with open(filename, "rb") as fh:
            tree = ast.parse(fh.read(), filename)
    except (SyntaxError, OSError, ValueError, RecursionError, MemoryError):
        return set()
    folder = [p for p in os.path.dirname(relpath).split("/") if p]
    named: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            bases = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                up = folder[: len(folder) - (node.level - 1)] if node.level - 1 <= len(folder) else []
                base = ".".join([*up, *([node.module] if node.module else [])])
            else:
                base = node.module or ""
            bases = [base, *(f"{base}.{a.name}" if base else a.name for a in node.names)]
        else:
            continue
        for base in filter(None, bases):
            named.add(base)
            if folder and not (isinstance(node, ast.ImportFrom) and node.level):
                named.add(".".join([*folder, base]))
    return named


def missing_module(module: str, known: Iterable[str], importer: str = "") -> str:
    """Why `module`, imported by `importer` (a path in the submission, when known), cannot be imported."""
    known = list(known)
    meant = module_typo(module, [*known, *BOOK_MODULES, *BOOK_ONLY_MODULES])
    did_you_mean = f" (did you mean {meant}?)" if meant else ""
    left_out = left_out_package(module, importer, known) if importer else None
    if left_out is not None:
        return f"no module named {module!r} in the submission: {left_out}{did_you_mean}"
    book = BOOK_ONLY_MODULES.get(module)
    if book is not None:
        supplied = ", ".join(f for m, f in BOOK_MODULES.items() if m.startswith("common.") and f != book)
        return (
            f"{module!r} is the book's {book}, which is not in the submission (the grader supplies only the "
            f"book's {supplied})"
        )
    renamed = py2_errors.module_hint(module)
    if renamed is not None:
        return f"no module named {module!r}: {renamed}"
    return f"no module named {module!r} in the submission or the standard library{did_you_mean}"


_NUL_BYTES = (
    "the file holds NUL bytes: it was saved in another encoding, such as UTF-16 without a byte-order mark, "
    "or is not a text file; save it as UTF-8"
)


def _tab_hint(exc: TabError) -> str:
    """What a TabError means for the line Python stopped at: which of tabs or spaces it mixed in."""
    indent = (exc.text or "")[: len(exc.text or "") - len((exc.text or "").lstrip(" \t"))]
    uses = (
        "a tab where the lines around it use spaces"
        if "\t" in indent
        else "spaces where the lines around it use tabs"
    )
    return (
        f"line {exc.lineno} is indented with {uses}: indent with spaces only, 4 per level; an editor's "
        "'convert indentation to spaces' fixes the whole file"
    )


def _ipython_hint(line: str) -> str | None:
    """A line Python stopped at that is IPython's own syntax (`%matplotlib inline`, `%%time`, `!pip install
    ...`): never Python at the start of a statement, so a notebook's line pasted into a .py file."""
    if not line.startswith(("%", "!")):
        return None
    word = line.split()[0]
    return (
        f"`{word}` is IPython syntax, a notebook's magic or shell command: Python cannot run it in a .py "
        "file; delete the line, or hand in the notebook (.ipynb) itself, where such lines are ignored while "
        "grading"
    )


_PRINT_WORD = re.compile(r"\bprint\b")


def syntax_message(exc: SyntaxError, relpath: str, filename: str) -> str:
    if not exc.lineno:  # Python refused the file whole, before reading any line
        message = f"{relpath} cannot be read as Python: {clean_text(exc.msg, 200)}"
        return f"{message} ({_NUL_BYTES})" if "null bytes" in (exc.msg or "") else message
    line = clean_text((exc.text or "").strip(), _SOURCE_CAP)
    where = shown_line(relpath, filename, exc.lineno or 0)
    message = f"syntax error in {where}, column {exc.offset}: {clean_text(exc.msg, 200)}"
    if line:
        message += f": `{line}`"
    # Python's own suggestion ("Did you mean print(...)?") or an undecodable byte says what is wrong: a word
    # of the line that looks like a keyword is then no typo
    own = "did you mean" in (exc.msg or "").lower() or "unicode error" in (exc.msg or "")
    # An indentation error is about a line's leading whitespace, never its words: `sigmoid = self.value`
    # indented with a tab got "did you mean False instead of value?"
    ipython = _ipython_hint(line)
    # A full-width space or a typographic quote: the character is the mistake, not a word of the line. Said
    # of "the line" the message names already: a notebook's module line (line 9) beside its cell's (code
    # cell 2 line 4) told the student of a line they never saw (review)
    lookalike = lookalikes.hint(exc.msg or "")
    # An f-string of Python 3.12 (PEP 701): the student's Python ran it, no word of the line is a typo
    newer = newer_syntax.hint(exc.msg or "", exc.text or "")
    guessed = own or ipython or lookalike or newer or isinstance(exc, IndentationError)
    typo = None if guessed else keyword_typo(line)
    if typo is not None:
        message += f" (did you mean {typo[1]} instead of {typo[0]}?)"
    if isinstance(exc, TabError):
        message += f" ({_tab_hint(exc)})"
    if ipython is not None:
        message += f" ({ipython})"
    if "codec can't decode" in (exc.msg or "") or "Non-UTF-8 code" in (exc.msg or ""):
        message += f" ({not_utf8_hint(filename)})"
    if lookalike is not None:
        message += f" ({lookalike})"
    if newer is not None:
        message += f" ({newer})"
    # Python 3's "Missing parentheses in call to 'print'": the word, never "non-printable" (a full-width
    # space was told "Python 2 code?")
    if _PRINT_WORD.search(exc.msg or "") or line.startswith("print "):
        message += " (Python 2 code? this grader runs Python 3)"
    return message


def module_names(relpaths: Iterable[str]) -> list[str]:
    """Every name a submission's module can be imported by: dotted from the root, and its bare stem."""
    names = []
    for rel in relpaths:
        if rel.endswith(".py"):
            dotted = rel[:-3].replace("/", ".")
            names += [dotted, dotted.rsplit(".", 1)[-1]]
    return list(dict.fromkeys(names))


_MAX_SET_ASIDE = 8


# ------------------------------------------------------------------ why a required name is missing
def never_defined(
    names: Sequence[str],
    aliases: Mapping[str, Sequence[str]],
    defs: Mapping[str, dict[str, list[tuple[str, int]]]],
    stops: Mapping[str, Stop],
    failed: Mapping[str, str],
    cell_stops: Mapping[str, Sequence[CellStop]] = {},
) -> dict[str, str]:
    """name -> "never defined: a.py stopped at line 89 (...) before line 120, where class Linear is"; in a
    notebook, the cell that stopped (or was skipped) before the line where the name is defined."""
    reasons = {}
    for name in names:
        for relpath, found in defs.items():
            hit = next((found[a] for a in (name, *aliases.get(name, ())) if a in found), None)
            if hit is None:
                continue
            kind, line = hit[0]
            cell = next((c for c in cell_stops.get(relpath, ()) if c.first <= line <= c.last), None)
            if cell is not None:
                reasons[name] = _never_ran(cell, relpath, f"{kind} {name}", line)
                break
            stop = stops.get(relpath)
            if stop is not None and line > stop.line:
                reasons[name] = (
                    f"never defined: the module stopped at line {stop.line} ({stop.where}: {stop.error}), "
                    f"before line {line}, where {kind} {name} is"
                )
                break
            if relpath in failed:
                reasons[name] = f"never defined: {relpath} could not be loaded ({failed[relpath]})"
                break
    return reasons


def _never_ran(cell: CellStop, relpath: str, what: str, line: int) -> str:
    """Why a definition in a notebook cell that did not run to its end was never made."""
    at = shown_line(relpath, cell.filename, line)
    if cell.stop is None:
        return f"never defined: {what} is at {at}, in a cell skipped for its syntax error ({cell.why})"
    stop = cell.stop
    located = cells.locate(cell.filename, stop.line)
    source = source_line(cell.filename, stop.line)
    below = f"line {located[1] if located else stop.line} of that cell" + (f" (`{source}`)" if source else "")
    if stop.data_set:
        return (
            f"never defined: {what} is at {at}, below {below}, which {stop.needs.script}, so the rest of the "
            f"cell never ran: move {what} to a cell of its own, above the one that loads the data"
        )
    return f"never defined: {what} is at {at}, below {below}, where the cell stopped ({stop.error})"


def set_aside_warnings(
    aside: Mapping[str, str],
    reason: Callable[[str, list[str]], str] | None = None,
    stage_step: str | None = None,
) -> list[str]:
    """One warning per graded alternative, naming the files set aside for it (grader/inside/choice.py);
    `reason(chosen, others)` says why a copy of a preferred file was graded over the others
    (`choice.copy_reason`; without it, the usual reason: it defines the most); `stage_step`: the step the
    stage grades, whose file, or else the next one up, choice.for_stage put first."""
    by_chosen: dict[str, list[str]] = {}
    for other, chosen in aside.items():
        by_chosen.setdefault(chosen, []).append(other)
    out = []
    for chosen, others in by_chosen.items():
        listed = ", ".join(sorted(others)[:_MAX_SET_ASIDE]) + (" ..." if len(others) > _MAX_SET_ASIDE else "")
        if choice.step_of(chosen) is None:  # another copy of a preferred file (choice.copies)
            name = chosen.rsplit("/", 1)[-1]
            why = reason(chosen, others) if reason is not None else choice.copy_reasons()[0]
            out.append(
                f"{listed}: other copies of {name}, each a program of its own, not run: {chosen} is graded "
                f"({why}); to have another one graded, hand in that one alone"
            )
            continue
        # graded for the stage (choice.for_stage) while a later step is set aside, or the latest step
        later = any(int(choice.step_of(o) or 0) > int(choice.step_of(chosen) or 0) for o in others)
        if not later:
            why = "the latest step the submission has"
        elif stage_step is None or choice.step_of(chosen) == stage_step:
            why = "the step the stage grades; later steps are set aside"
        else:  # the stage's own step is not handed in: for_stage took the next one up
            why = (
                f"the submission has no step {stage_step}, which the stage grades: the next step up is; "
                "later steps are set aside"
            )
        out.append(
            f"{listed}: other steps of the course, each a program of its own, not run: {chosen} is graded "
            f"({why})"
        )
    return out


def standin_warnings(registry: Registry, data_set_noted: bool = False) -> list[str]:
    """One warning per stand-in used; the data-set note only if no module's stop already gave it."""
    out = []
    # A flat name answered by a stand-in (`from layers import *`): one warning, the flat name's.
    standins_used = {u.module for u in registry.uses if u.kind == "book"}
    flat = {FLAT_BOOK_HELPERS[u.module] for u in registry.uses if u.kind == "flat"}
    for use in registry.uses:
        if use.kind == "book" and use.module in flat:
            continue
        at = f" (imported at {use.at})" if use.at else ""
        if use.module in DATA_SET_MODULES:
            if data_set_noted:
                continue
            out.append(
                f"note: {use.module}{at} needs a data set, which is not available while grading: a "
                "stand-in was used, and code that loads the data stops there (not an error)"
            )
        elif use.kind == "data":
            if data_set_noted or "." in use.module:  # `import sklearn.datasets` records sklearn first
                continue
            out.append(
                f"note: {use.module}{at} is not available while grading: a stand-in was used, and code that "
                "calls it (to load, split or shuffle data) stops there (not an error)"
            )
        elif use.kind == "gpu":
            if "." in use.module:  # `import cupyx.scipy` records cupyx first: one warning
                continue
            out.append(
                f"{use.module}{at} needs a GPU, which a grading run does not have: a stand-in was used whose "
                "get_array_module gives numpy, so the code ran on NumPy arrays (moving data to the GPU "
                "raises). Guard the import as the book's dezero/cuda.py does: `try: import cupy` ... "
                "`except ImportError: gpu_enable = False`"
            )
        elif use.kind == "scipy":
            if "." in use.module:  # `from scipy.special import expit` records scipy first: one warning
                continue
            out.append(
                f"{use.module}{at} is not available while grading: a stand-in was used whose scipy.special "
                f"{', '.join(sorted(SCIPY_FUNCTIONS))} are computed with NumPy (the same values); any other "
                "scipy name raises when the code uses it. Write those with NumPy if you can"
            )
        elif use.kind == "typing":
            out.append(
                f"note: {use.module}{at} is not available while grading: the standard library's typing "
                "answered its names (type hints only; not an error)"
            )
        elif use.kind == "book":
            out.append(
                f"{use.module} is not in the submission{at}: the grader's stand-in was used so that your "
                "own classes can run; nothing of the stand-in is graded as yours"
            )
        elif use.kind == "flat":
            package = FLAT_BOOK_HELPERS[use.module]
            book = package.replace(".", "/") + ".py"
            out.append(
                f"{use.module} is not in the submission{at}: the grader's stand-in of the book's {book} was "
                "used so that your own classes can run; nothing of the stand-in is graded as yours"
                if package in standins_used
                else f"{use.module} is not in the submission{at}: the book's {book}, which the assignment "
                f"supplies, was used for it (the book's files import it as {package})"
            )
        elif use.kind == "notebook":
            what = (
                "makes notebooks importable"
                if use.module == "import_ipynb"
                else f"is the notebook {use.module.rpartition('.')[2]}.ipynb"
            )
            out.append(
                f"note: {use.module}{at} {what}; grading reads every notebook of the submission as a module "
                "of its name already, so the import was answered by that (not an error)"
            )
        elif use.kind == "kernel":
            called = f" (called at {use.at})" if use.at else ""
            out.append(
                f"{use.module}{called} is the notebook's kernel, which a grading run does not have: an inert "
                "stand-in was used, so the magics it runs (%matplotlib, !pip ...) do nothing"
            )
        elif use.kind == "display":
            called = f" (called at {use.at})" if use.at else ""
            out.append(
                f"{use.module}{called} is Jupyter's display builtin: it shows nothing while grading (an "
                "inert stand-in was used)"
            )
        elif use.module in HOST_PACKAGES:
            out.append(
                f"{use.module}{at} belongs to the notebook host (Colab's drive, files), not to your code: "
                "an inert stand-in that does nothing was used while grading"
            )
        elif "." not in use.module:  # `import matplotlib.pyplot` records matplotlib first: one warning
            out.append(
                f"{use.module}{at} only displays things: an inert stand-in that draws and shows nothing "
                "was used while grading"
            )
    out += [f"note: {run}" for run in registry.runs]
    return out
