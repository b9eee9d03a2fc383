"""`ast.parse` for the parent process, one thread at a time.

CPython 3.11 keeps the AST converter's recursion depth in per-interpreter state: when two threads parse at
once (a batch's lane threads build jobs while the main thread judges, and both read student source), a
garbage collection inside one conversion can switch threads mid-way and the other's depth accounting ends in
`SystemError: AST constructor recursion depth mismatch` (reproduced by tests/test_pyparse.py). Every parse of
student source in the parent goes through this lock: the defined names, the static scan, the stage scan.
The last few trees are kept: those three read the same files of a submission, one after the other (callers
only read a tree, never change it).
`walk` is `ast.walk` in the same order at about 2.5 times its speed: the scans walk every tree of a batch.
A file whose f-strings would cost seconds to parse (grader/parse_cost.py) raises CostlyToParse instead:
its readers read it as they read a file too large to parse.
The warnings a parse raises about the student's source (from Python 3.12, a printed SyntaxWarning for every
invalid escape, with a character of theirs) are recorded and dropped (grader/quiet.py), never on stderr.

Each reader parses at most `MAX_PARSED_BYTES` of a submission's Python (`within_budget`: files in path order,
as the static scan takes them, so that the readers parse the same files and share the cached trees); the rest
is read as text. A file is capped at 256 KiB, but a zip may hold 8 MiB of Python: 31 files of 250 KiB cost
the parent ~30 s of CPU and ~1 GB per submission when every reader parsed all of them.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable, Iterator, Mapping

from grader import parse_cost, quiet
from grader.inside import astparse, cells, newer_python
from grader.parse_cache import bounded_cache, source_bytes

# Python source parsed per submission by each reader in the parent (the defined names, the static scan, the
# stage scan): about a second whatever the submission holds.
MAX_PARSED_BYTES = 1024 * 1024

_LOCK = astparse.LOCK  # every parse of text in the process is one at a time (grader/inside/astparse.py)
# The failures a source always gives, kept with the trees: found at the end of a costly parse, each reader
# paid that parse again. RecursionError depends on the caller's stack depth as much as on the source (a parse
# 300 frames down fails where a shallow caller's succeeds: review of s25-huntin, finding 5): kept with that
# depth, for the readers as deep or deeper (a deeply nested file was parsed again by each of them).
DETERMINISTIC_FAILURES = (SyntaxError, ValueError, parse_cost.CostlyToParse)
DEPTH_FAILURES = (RecursionError,)
_CACHED = {"remember": DETERMINISTIC_FAILURES, "remember_by_depth": DEPTH_FAILURES}


def parse(source: str | bytes, filename: str = "<unknown>") -> ast.Module:
    with _LOCK:
        return _parse(source, filename)


# The trees kept: a batch's readers of one file are apart by the pool's lookahead. The static scan reads a
# file as its job is built (the pool's builder thread); the notes, the stage and the defined names read it
# when its result is judged (the caller's thread), up to 4 x lanes + 2 files later (the lanes' queue of built
# jobs, the jobs running, the results' queue, one being built, one judged: grader/sandbox/pool.py map).
# Kept 8 until session 33: at 2 lanes the judging thread parsed 18 of 20 bench files a second time (~9
# million instructions a file). 40 cover 8 lanes; memory stays bounded by the source they hold (below).
KEPT_TREES = 40


# A few dozen files, and at most one parse budget of source: flat memory whatever the class size and however
# dense the files (grader/parse_cache.py)
@bounded_cache(maxsize=KEPT_TREES, max_bytes=MAX_PARSED_BYTES, weight=source_bytes, **_CACHED)
def _parse(source: str | bytes, filename: str) -> ast.Module:
    parse_cost.check(source)  # CostlyToParse: an f-string that would hold the parent for seconds
    with quiet.recorded():  # its SyntaxWarnings are the student's text: never on the parent's stderr
        return _ast_parse(source, filename)


def _ast_parse(source: str | bytes, filename: str) -> ast.Module:
    """`ast.parse`, and for a file refused for Python 3.12's syntax, the tree of the same program written
    for this Python, as the student's process runs it (grader/inside/newer_python.py)."""
    return newer_python.read(source, lambda text: astparse.parse(text, filename), parses=True)


def parse_module(source: bytes, filename: str = "<unknown>") -> ast.Module:
    """The tree of a submission file as the student's process runs it. A module the loader built from a
    notebook (grader/inside/cells.py) runs cell by cell, so it is read cell by cell: the cells that parse,
    at their own lines. Read whole, a string opened in one cell and closed two cells later parsed as one
    string, and the cell between them, which the student's process runs on its own, went unread (its
    flags, names and stage unseen). A script exported from a notebook (`# In[3]:` lines) likewise. Any other
    file: `parse` (SyntaxError, ValueError as ast.parse). Either raises parse_cost.CostlyToParse for a file
    too costly to parse in the parent."""
    with _LOCK:
        return _parse_module(source, filename)


@bounded_cache(maxsize=KEPT_TREES, max_bytes=MAX_PARSED_BYTES, weight=source_bytes, **_CACHED)
def _parse_module(source: bytes, filename: str) -> ast.Module:
    try:
        text, utf8 = source.decode("utf-8"), True
    except UnicodeDecodeError:
        text, utf8 = source.decode("utf-8", "replace"), False
    # A script nbconvert exported runs cell by cell too (its `# In[3]:` lines), read as a notebook is, when
    # it reads as UTF-8 (nbconvert writes UTF-8); the student's process runs any other file whole
    exported = utf8 and b"# In[" in source
    found = cells.parts(text) or (cells.exported_parts(text) if exported else [])
    if not found:
        return _parse(source, filename)  # which bounds its cost itself: checked once, not twice
    parse_cost.check(source)  # the whole module: its cells cost no more than it
    body: list[ast.stmt] = []
    for _, above, text in found:
        try:
            with quiet.recorded():  # as in _parse
                tree = _ast_parse(text, filename)  # never cached: its line numbers are moved below
        except (SyntaxError, ValueError):
            continue  # the student's process skips that cell too
        body.extend(ast.increment_lineno(tree, above).body)
    return ast.Module(body=body, type_ignores=[])


def within_budget(files: Iterable[tuple[str, bytes]]) -> Iterator[tuple[str, bytes, bool]]:
    """(path, source, whether to parse it) for Python files in path order: a file is parsed while the files
    parsed before it and itself add up to at most MAX_PARSED_BYTES; one that does not fit is passed over
    (a smaller one after it may still fit)."""
    budget = MAX_PARSED_BYTES
    for rel, data in sorted(files):
        fits = len(data) <= budget
        budget -= len(data) if fits else 0
        yield rel, data, fits


def python_trees(files: Mapping[str, bytes]) -> Iterator[tuple[str, bytes, ast.Module]]:
    """(path, source, tree) of each Python file within the parent's budget that parses (`parse_module`), in
    path order: a file that does not parse is passed over (the load says what is wrong with it)."""
    python = ((rel, data) for rel, data in files.items() if rel.endswith(".py"))
    for rel, data, fits in within_budget(python):
        if not fits:
            continue
        try:
            tree = parse_module(data, rel)
        except (SyntaxError, ValueError, RecursionError, MemoryError, parse_cost.CostlyToParse):
            continue
        yield rel, data, tree


_AST = ast.AST


def walked(tree: ast.AST) -> tuple[ast.AST, ...]:
    """`walk(tree)` as a tuple, kept on the tree for its next reader: the parent's readers of a submission
    file share its cached tree (the static scan's Source, the pyc's compile cost: grader/compile_cost.py),
    and a walk is ~0.3 ms a bench file. The tree keeps the nodes below it (not itself: no reference cycle,
    so the tree is still freed by its reference count when the parse caches drop it), and where each one's
    parent is in the walk (`walked_parents`). Never change a tree once walked."""
    below = tree.__dict__.get("_walked_below")
    if below is None:
        nodes, parents = walk_with_parents(tree)
        # the parents first: a reader seeing _walked_below (another thread's) finds them set
        tree._walked_parents = tuple(parents)  # type: ignore[attr-defined]
        below = tree._walked_below = tuple(nodes)[1:]  # type: ignore[attr-defined]
    return (tree, *below)


def walked_parents(tree: ast.AST) -> tuple[int, ...]:
    """For each node of `walked(tree)`, the position there of the node whose field holds it (-1: the tree).
    A reader that wants the nodes under one function climbs from the nodes it wants to their functions,
    instead of walking each function again (the numerical-gradient rule: ~19 walks a lesson file)."""
    walked(tree)
    return tree._walked_parents  # type: ignore[attr-defined]


def kinds(tree: ast.AST) -> dict[type[ast.AST], tuple[int, ...]]:
    """For each node type, the positions in `walked(tree)` of the nodes of exactly that type (a parsed tree
    has no subclasses), kept on the tree as the walk is: a reader wanting a few kinds of node visits those
    alone, not the ~1,000 nodes of a lesson file (the static scan's Source, the pickle names' reading,
    grader/pickle_defs.py). Never change a tree once walked."""
    found = tree.__dict__.get("_walked_kinds")
    if found is None:
        at: dict[type[ast.AST], list[int]] = {}
        for i, node in enumerate(walked(tree)):
            kind = type(node)
            if kind in at:
                at[kind].append(i)
            else:
                at[kind] = [i]
        found = tree._walked_kinds = {kind: tuple(where) for kind, where in at.items()}  # type: ignore[attr-defined]
    return found


# The grammar's field types that hold no node (ASDL's builtin types): a name, a constant, a string, an int
_LEAF_TYPES = frozenset({"identifier", "constant", "string", "int"})
_FIELD = re.compile(r"(\w+)[?*]? (\w+)")


class _NodeFields(dict[type, tuple[str, ...]]):
    """For each node type, its fields that may hold nodes, read from the grammar's signature CPython gives as
    the class's docstring (`Name(identifier id, expr_context ctx)`: only `ctx`): a walk need not read a
    name's `id` or a constant's `value`, and Names and Constants are about half of a file's nodes. A type
    whose signature does not give exactly its `_fields` (another Python's, a hand-made class) has all of
    them. Worked out on a type's first lookup (a missing key), then a dict's."""

    def __missing__(self, kind: type) -> tuple[str, ...]:
        doc = kind.__doc__ or ""
        signature = doc[doc.find("(") + 1 : doc.rfind(")")] if doc.startswith(f"{kind.__name__}(") else ""
        typed = _FIELD.findall(signature)
        fields = tuple(getattr(kind, "_fields", ()))
        if tuple(name for _, name in typed) == fields:
            found = tuple(name for of_type, name in typed if of_type not in _LEAF_TYPES)
        else:
            found = fields
        self[kind] = found
        return found


NODE_FIELDS = _NodeFields()


def walk_with_parents(node: ast.AST) -> tuple[list[ast.AST], list[int]]:
    """`walk(node)`, and beside it each node's parent's position in it (-1 for `node`): ~10% more than the
    walk alone. Only the fields that may hold nodes are read (`NODE_FIELDS`)."""
    out = [node]
    parents = [-1]
    append, extend = out.append, out.extend
    parent, parent_of_each = parents.append, parents.extend
    fields = NODE_FIELDS
    at = -1
    for current in out:  # as in walk: the list is its own queue
        at += 1
        for name in fields[type(current)]:
            value = getattr(current, name, None)
            if isinstance(value, _AST):
                append(value)
                parent(at)
            elif isinstance(value, list):
                found = [x for x in value if isinstance(x, _AST)]
                if found:
                    extend(found)
                    parent_of_each([at] * len(found))
    return out, parents


def walk(node: ast.AST) -> list[ast.AST]:
    """Every node under `node` (itself first), breadth-first like `ast.walk`, as a list."""
    out = [node]
    append, extend = out.append, out.extend
    # The list is its own queue: a for loop over a list also visits the items appended while it runs (the
    # language reference's note on `for`), which saves an index kept by hand (~10% of the walk).
    fields = NODE_FIELDS
    for current in out:
        for name in fields[type(current)]:
            value = getattr(current, name, None)
            if isinstance(value, _AST):
                append(value)
            elif isinstance(value, list):
                extend([x for x in value if isinstance(x, _AST)])
    return out
