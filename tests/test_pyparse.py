"""The parent's ast.parse, one thread at a time: concurrent parses never fail with the AST depth error."""

from __future__ import annotations

import ast
import gc
import sys
import threading
import traceback
import warnings
from collections.abc import Callable
from pathlib import Path

import pytest

from grader import pyparse

SOURCES = [
    p.read_bytes() for p in sorted((Path(__file__).resolve().parents[1] / "submissions").rglob("*.py"))
][:60]


class _Finalised:
    def __del__(self) -> None:  # Python code run by the collector, inside whichever thread triggered it
        sum(range(50))


def _stress(parse: Callable[[bytes], object]) -> list[str]:
    """Three threads parsing while a fourth makes garbage with finalizers, switching threads as often as the
    interpreter allows; the SystemErrors seen."""
    errors: list[str] = []

    def churn() -> None:
        for _ in range(100_000):
            cycle: list[object] = [_Finalised()]
            cycle.append(cycle)

    def work() -> None:
        for _ in range(6):
            for source in SOURCES:
                try:
                    parse(source)
                except SyntaxError:
                    pass
                except SystemError as exc:
                    errors.append(str(exc))
                    return

    thresholds, interval = gc.get_threshold(), sys.getswitchinterval()
    gc.set_threshold(50, 5, 5)
    sys.setswitchinterval(1e-6)
    try:
        threads = [threading.Thread(target=work) for _ in range(3)] + [threading.Thread(target=churn)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    finally:
        gc.set_threshold(*thresholds)
        sys.setswitchinterval(interval)
    return errors


@pytest.mark.slow
def test_concurrent_parses_through_the_lock_never_fail() -> None:
    """Under the stress that makes bare ast.parse fail (shown first, when this machine reproduces it), the
    locked parse never raises SystemError."""
    seen = next((e for e in (_stress(ast.parse) for _ in range(3)) if e), None)
    if seen is None:
        pytest.skip("bare ast.parse did not fail under this stress here, so the lock is not shown to matter")
    assert "recursion depth mismatch" in seen[0]
    assert _stress(lambda s: pyparse.parse(s, "x.py")) == []


def test_the_same_source_is_parsed_once_and_another_is_not_confused_with_it() -> None:
    """The defined names, the static scan and the stage scan read the same file: one parse serves them all;
    another source (or the same text under another file name) gets its own tree."""
    first = pyparse.parse(b"class Linear:\n    pass\n", "a.py")
    assert pyparse.parse(b"class Linear:\n    pass\n", "a.py") is first
    other = pyparse.parse(b"class Sigmoid:\n    pass\n", "a.py")
    assert other is not first and isinstance(other.body[0], ast.ClassDef) and other.body[0].name == "Sigmoid"
    assert pyparse.parse(b"class Linear:\n    pass\n", "b.py") is not first


def _count_parses(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The file names pyparse hands to a parse from now on, one per parse (cached ones are not parses)."""
    calls: list[str] = []
    real = pyparse._ast_parse

    def counted(source: str | bytes, filename: str) -> ast.Module:
        calls.append(filename)
        return real(source, filename)

    monkeypatch.setattr(pyparse, "_ast_parse", counted)
    return calls


def test_a_source_that_always_fails_is_parsed_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """A file whose parse always fails was parsed again by every reader of the parent: its failure is kept
    with the trees, raised again as a new exception each time (the same object carried one caller's
    __context__ and traceback, and its frames' locals, into the next: review of s25-huntin, finding 6).
    Control: a MemoryError (which may be the parent's own, not the source's) is not kept."""
    calls = _count_parses(monkeypatch)
    broken = b"x = (\n"
    raised: list[SyntaxError] = []
    for reader in (pyparse.parse, pyparse.parse_module, pyparse.parse):
        try:
            raise KeyError("another caller's own error")
        except KeyError:
            with pytest.raises(SyntaxError) as err:
                reader(broken, "broken.py")
        raised.append(err.value)
        assert len(traceback.extract_tb(err.value.__traceback__)) < 20  # not grown call by call
    assert calls == ["broken.py"]
    assert len({id(e) for e in raised}) == 3
    assert all(e.lineno == 1 and e.filename == "broken.py" for e in raised)
    pyparse._parse.cache_clear()
    with pytest.raises(SyntaxError) as fresh:
        pyparse.parse(broken, "broken.py")
    assert fresh.value.__context__ is None  # the earlier callers' KeyError is theirs alone

    def out_of_memory(source: str | bytes, filename: str) -> ast.Module:
        calls.append(filename)
        raise MemoryError

    monkeypatch.setattr(pyparse, "_ast_parse", out_of_memory)
    for _ in range(2):
        with pytest.raises(MemoryError):
            pyparse.parse(b"y = 1\n", "oom.py")
    assert calls == ["broken.py", "broken.py", "oom.py", "oom.py"]


def test_a_recursion_error_is_not_remembered() -> None:
    """RecursionError depends on the caller's stack depth: a parse 300 frames down failed and a shallow
    caller afterwards got that cached failure, where it parses (review of s25-huntin, finding 5). Control:
    the same source fails 300 frames down (found by search: the deepest nesting that still parses at the
    top), so the test sees a failure that is the stack's, not the source's."""

    def at(depth: int, source: bytes) -> str:
        if depth:
            return at(depth - 1, source)
        try:
            pyparse.parse(source, "hw.py")
            return "tree"
        except RecursionError:
            return "RecursionError"

    def nested(n: int) -> bytes:
        return b"x = a" + b"[0]" * n + b"\n"

    def fresh(depth: int, n: int) -> str:
        pyparse._parse.cache_clear()
        return at(depth, nested(n))

    tried = {n: (fresh(0, n), fresh(300, n)) for n in range(500, 4000, 50)}
    # the deepest such nesting: a frame more or less (the helper's) leaves it failing deep, parsing on top
    edge = max((n for n, (top, deep) in tried.items() if top == "tree" and deep != "tree"), default=None)
    assert edge is not None, f"no nesting fails only deep in the stack: {tried}"
    pyparse._parse.cache_clear()
    assert at(300, nested(edge)) == "RecursionError"
    assert at(0, nested(edge)) == "tree"


def test_walk_visits_what_ast_walk_visits_in_the_same_order():
    """The scans' walk is ast.walk's breadth-first order, node for node, on a tree of many kinds of field."""
    source = (
        "import os as o\nclass A(B, metaclass=M):\n    x: int = 1\n    async def f(self, *a, k=2, **kw):\n"
        "        return [i async for i in g() if i] or {1: (2, *a)} or (lambda y: y[1:2, ...])\n"
        "try:\n    pass\nexcept (E, F) as e:\n    raise\nelse:\n    del q[0]\nfinally:\n    w = f'{o!r:>3}'\n"
    )
    tree = ast.parse(source)
    ours = pyparse.walk(tree)
    theirs = list(ast.walk(tree))
    assert len(ours) == len(theirs) > 60
    assert all(a is b for a, b in zip(ours, theirs, strict=True))


def test_within_budget_takes_files_in_path_order_until_the_budget() -> None:
    """A file that does not fit is passed over without spending the budget; a smaller one after it fits."""
    cap = pyparse.MAX_PARSED_BYTES
    files = [("c.py", b"x" * 10), ("a.py", b"x" * (cap - 100)), ("b.py", b"x" * 200)]
    assert [(rel, fits) for rel, _, fits in pyparse.within_budget(files)] == [
        ("a.py", True),
        ("b.py", False),
        ("c.py", True),
    ]


def test_the_parents_readers_parse_a_bounded_share_of_a_many_file_zip(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A zip of 31 files of 250 KiB (8 MiB of Python; each file under the 256 KiB cap) was parsed whole by the
    defined names and the stage scan, and again and again past the parse cache: ~30 s of the parent's CPU
    and ~1 GB per submission (a 30 KB zip), while the static scan stopped at its budget. Every reader now
    parses at most MAX_PARSED_BYTES; the definitions of the files past it are still read, as text."""
    from grader.defined import public_names
    from grader.flags import scan_submission
    from grader.flags import source as flag_source
    from grader.stage_scan import names_in

    files = {
        f"m{i:02d}.py": f"class Made{i}:\n    pass\n".encode() + b"# " + b"x" * (250 * 1024) + b"\n"
        for i in range(31)
    }
    parsed: list[int] = []
    real = ast.parse

    def counting(source: str | bytes, *args: object, **kwargs: object) -> ast.Module:
        parsed.append(len(source))
        return real(source, *args, **kwargs)  # type: ignore[arg-type]

    pyparse._parse.cache_clear()
    flag_source._parse.cache_clear()
    monkeypatch.setattr(pyparse.ast, "parse", counting)
    names = public_names(files)
    scan_submission(files)
    defined, _ = names_in(files)
    assert sum(parsed) <= 3 * (1 << 20), f"{sum(parsed):,} bytes parsed"
    made = {f"Made{i}" for i in range(31)}
    assert made <= set(names) and made <= defined


def test_walk_is_ast_walk_on_the_submissions():
    for source in SOURCES:
        try:
            tree = ast.parse(source)
        except (SyntaxError, ValueError):
            continue
        ours, theirs = pyparse.walk(tree), list(ast.walk(tree))
        assert len(ours) == len(theirs) and all(a is b for a, b in zip(ours, theirs, strict=True))


def test_the_walks_read_only_the_fields_that_may_hold_nodes() -> None:
    """A Name's `id`, a Constant's `value`, a function's `name` hold no node in a parsed tree: the walks never
    read them (a Name and a Constant are about half of a file's nodes). Shown with a node put where the
    grammar has a name or a constant: ast.walk (every field read) finds it, the walks do not; everything
    else in the tree they visit as ast.walk does, the parents' walk too."""
    tree = ast.parse("def f(a):\n    return a + 1\n")
    hidden = [ast.Name(id=f"hidden{i}") for i in range(3)]  # no ctx: nothing below them
    function = tree.body[0]
    assert isinstance(function, ast.FunctionDef)
    name = next(n for n in ast.walk(tree) if isinstance(n, ast.Name))
    constant = next(n for n in ast.walk(tree) if isinstance(n, ast.Constant))
    name.id, constant.value, function.name = hidden  # type: ignore[assignment]
    theirs = list(ast.walk(tree))
    assert all(h in theirs for h in hidden)  # the control: a walk of every field meets them
    expected = [n for n in theirs if all(n is not h for h in hidden)]
    ours, (with_parents, _parents) = pyparse.walk(tree), pyparse.walk_with_parents(tree)
    for walked in (ours, with_parents):
        assert len(walked) == len(expected) and all(a is b for a, b in zip(walked, expected, strict=True))
    assert pyparse.NODE_FIELDS[ast.Name] == ("ctx",) and pyparse.NODE_FIELDS[ast.Constant] == ()


def test_a_node_type_without_the_grammars_signature_has_all_its_fields_read() -> None:
    """A class whose docstring is not the grammar's signature of exactly its fields: every field read."""

    class Made(ast.AST):
        """Made(identifier label)"""

        _fields = ("label", "child")

    assert pyparse.NODE_FIELDS[Made] == ("label", "child")
    child = ast.Name(id="x", ctx=ast.Load())
    assert pyparse.walk(Made(label=child))[1] is child


# Every statement, expression, pattern and helper node of the grammar (Python 3.11; the later ones' syntax
# added on those): the walks' fields are checked on each node type, not only on those the first 60 sample
# files happen to use (none of them a `match` with patterns: a walk that skipped every case body passed).
EVERY_NODE = """\
import os, sys as system
from . import sibling as other
from pkg.mod import (name as alias_name)
global_value: int = 1
counter = 0
counter += 1
del counter
x = y = [1, 2.0, "s", b"b", None, True, ..., -1, not x, ~y, +x]
t = (x, *x); s = {1, *x}; d = {"k": 1, **{}}; f = f"{x!r:>{y}}"
c = [i for i in x if i]; g = {i for i in x}; h = {i: i for i in x}; e = (i for i in x)
z = x if y else lambda a, /, b=1, *args, c, d=2, **kw: a
w = x[1:2:3, ::]; v = x.attr; u = x(1, *y, k=2, **kw)
r = 1 < 2 <= 3 and 4 or 5 @ 6 ** 7 // 8 % 9 << 1 >> 2 | 3 ^ 4 & 5 - 6 / 7
if (n := 10) > 5:
    pass
elif n:
    ...
else:
    raise ValueError("x") from None
while x:
    break
else:
    continue_ = 1
for i, j in x:
    continue
else:
    pass
with open(x) as fh, open(y):
    assert fh, "msg"
try:
    pass
except* (ValueError, TypeError) as err:
    pass
except* OSError:
    pass
else:
    pass
finally:
    pass
try:
    pass
except Exception as err:
    pass
finally:
    pass
@decorator
class C(Base, metaclass=Meta):
    attr: "int"
    def method(self, a: int = 1) -> None:  # type: ignore
        nonlocal_value = 1
        def inner():
            nonlocal nonlocal_value
            global global_value
            return (yield nonlocal_value)
        yield from inner()
async def coroutine():
    async with x as a:
        await a
    async for b in x:
        pass
    return [c async for c in x]
match x:
    case 1 | 2:
        pass
    case [a, *rest]:
        pass
    case {"k": v, **more}:
        pass
    case Point(x=0, y=py) as point:
        pass
    case None:
        pass
    case str() if x:
        pass
    case _:
        pass
"""
EVERY_NODE_312 = "type Alias[T: int, *Ts, **P] = list[T]\ndef generic[T](a: T) -> T: ...\nclass Box[T]: ...\n"
EVERY_NODE_313 = "type Default[T = int] = T\n"
_NOT_IN_A_FILE = {"Expression", "Interactive", "FunctionType", "Suite"}  # another mode's root, or none


def _every_node_tree() -> ast.Module:
    source = EVERY_NODE
    source += EVERY_NODE_312 if sys.version_info >= (3, 12) else ""
    source += EVERY_NODE_313 if sys.version_info >= (3, 13) else ""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the deprecated node classes, looked up below
        return ast.parse(source, type_comments=True)


def test_every_node_type_of_the_grammar_is_walked_as_ast_walk_walks_it() -> None:
    """A tree holding every node type with fields this Python parses a file into: the walks give ast.walk's
    nodes in its order (the parents' walk too); a field dropped from NODE_FIELDS for any type fails here."""
    tree = _every_node_tree()
    theirs = list(ast.walk(tree))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        types = [getattr(ast, n) for n in dir(ast)]
    with_fields = {
        t.__name__
        for t in types
        if isinstance(t, type) and issubclass(t, ast.AST) and t._fields and not t.__subclasses__()
        if t.__doc__ and t.__doc__.startswith(f"{t.__name__}(")  # the grammar's own, not a deprecated alias
    }
    assert with_fields - _NOT_IN_A_FILE <= {type(n).__name__ for n in theirs}  # the control: all are there
    ours, (with_parents, parents) = pyparse.walk(tree), pyparse.walk_with_parents(tree)
    for walked in (ours, with_parents):
        assert len(walked) == len(theirs) and all(a is b for a, b in zip(walked, theirs, strict=True))
    assert len(parents) == len(theirs)


@pytest.mark.skipif(sys.version_info < (3, 13), reason="ast's _field_types came in Python 3.13")
def test_the_node_fields_are_those_typed_as_nodes() -> None:
    """From 3.13 each node type says its fields' types: NODE_FIELDS holds exactly those typed as a node."""
    for name in dir(ast):
        kind = getattr(ast, name)
        if isinstance(kind, type) and issubclass(kind, ast.AST) and getattr(kind, "_field_types", None):
            typed = kind._field_types
            nodes = tuple(f for f in kind._fields if "ast." in repr(typed[f]))
            assert pyparse.NODE_FIELDS[kind] == nodes, name


def test_walk_with_parents_is_ast_walk_on_the_submissions() -> None:
    for source in SOURCES:
        try:
            tree = ast.parse(source)
        except (SyntaxError, ValueError):
            continue
        (ours, parents), theirs = pyparse.walk_with_parents(tree), list(ast.walk(tree))
        assert len(ours) == len(theirs) == len(parents)
        assert all(a is b for a, b in zip(ours, theirs, strict=True))


# A student's string with an escape Python does not know, and one with a control character after the
# backslash: from Python 3.12 on, ast.parse prints `SyntaxWarning: invalid escape sequence` for each, with the
# student's file name and that character, on the parent's stderr (a DeprecationWarning, hidden, in 3.11).
WARNING_SOURCE = b'pattern = "\\d+"\ntitle = "\\\x1b]0;graded 10/10\x07"\n'


def test_the_detector_sees_the_warning_of_a_plain_parse() -> None:
    """Negative control for the test below: ast.parse itself does warn about this source."""
    import warnings

    with warnings.catch_warnings(record=True) as raised:
        warnings.simplefilter("always")
        ast.parse(WARNING_SOURCE, filename="warned.py")
    assert any("invalid escape sequence" in str(w.message) for w in raised)


def test_parsing_student_source_prints_none_of_its_warnings() -> None:
    """The parent's parses (whole file, notebook module cell by cell) raise no warning past themselves: it
    would be printed on the TA's terminal, with a raw control character of the student's."""
    import warnings

    from grader.inside import cells

    notebook = (cells.header("nb.ipynb") + "\n" + cells.marker(1) + "\n").encode() + WARNING_SOURCE
    with warnings.catch_warnings(record=True) as raised:
        warnings.simplefilter("always")
        tree = pyparse.parse(WARNING_SOURCE + b"# whole\n", filename="warned.py")
        cell_tree = pyparse.parse_module(notebook, filename="nb.py")
    assert [type(n).__name__ for n in tree.body] == ["Assign", "Assign"]
    assert [type(n).__name__ for n in cell_tree.body] == ["Assign", "Assign"]
    assert not raised, [str(w.message) for w in raised]


def test_a_script_exported_from_a_notebook_is_read_cell_by_cell() -> None:
    """An nbconvert export with a broken scratch cell: the student's process skips that cell and runs the
    others, so the parent reads the others at their own lines (read whole, the file did not parse at all)."""
    source = (
        b"# In[1]:\n\n\nclass MulLayer:\n    pass\n\n\n"
        b"# In[2]:\n\n\nx = (\n\n\n"
        b"# In[3]:\n\n\ndef f():\n    pass\n"
    )
    with pytest.raises(SyntaxError):
        ast.parse(source)
    tree = pyparse.parse_module(source, "hw.py")
    assert [(type(n).__name__, n.lineno) for n in tree.body] == [("ClassDef", 4), ("FunctionDef", 17)]


def test_an_exported_script_of_many_cells_costs_the_parent_linear_work() -> None:
    """20,000 one-line cells (0.5 MB): each cell was padded with blank lines to its own line before parsing,
    quadratic in the cells (500 MiB and 20 s in the parent); the cells are parsed as they are and their line
    numbers moved, as a notebook's are. Memory is what separates the two readings: the padded one holds
    hundreds of MiB of line breaks, so it is measured here, not time."""
    import tracemalloc

    source = "".join(f"# In[{k}]:\nx{k} = {k}\n" for k in range(20000)).encode()
    tracemalloc.start()
    try:
        tree = pyparse.parse_module(source, "many_cells.py")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert len(tree.body) == 20000 and tree.body[-1].lineno == 40000
    assert peak < 200 * 2**20, f"{peak / 2**20:.0f} MiB"


def test_an_exported_script_not_in_utf8_is_read_whole_as_the_student_process_runs_it() -> None:
    """The student's process splits an exported script into cells only when it reads as UTF-8 (nbconvert
    writes UTF-8) and runs any other file whole; the parent split it whatever its bytes (decoded with
    replacement characters), so it read cells the student's process never ran apart. Since the parent decodes
    a file as Python does before it parses it (grader/parse_cost.py), a cp1252 export with a broken cell does
    not parse in the parent either. Control: the same text in UTF-8, read by cells."""
    text = (
        "# In[1]:\n\n\n# caf\u00e9\nclass MulLayer:\n    pass\n\n\n"
        "# In[2]:\n\n\nx = (\n\n\n"
        "# In[3]:\n\n\ny = 1\n"
    )
    tree = pyparse.parse_module(text.encode("utf-8"), "hw.py")
    assert [type(n).__name__ for n in tree.body] == ["ClassDef", "Assign"]
    with pytest.raises((SyntaxError, ValueError)):  # what every reader takes for "does not parse"
        pyparse.parse_module(text.encode("cp1252"), "hw.py")


def test_the_parse_caches_hold_at_most_one_parse_budget_of_source() -> None:
    """One 250 KB line of `f(a, a, ...)` is 52 MB of tree (a node every two bytes). The caches kept the last
    8 trees and 16 scanned sources by count alone: 20 such files (five submissions of four) left 16 trees
    alive, 850 MB of the batch parent's memory for as long as it ran. Each cache now also holds at most
    MAX_PARSED_BYTES of source: the trees still alive are counted (work, not time). Two files more than the
    budget holds are enough (a cache bound by count alone keeps them all: KEPT_TREES is larger). Control:
    the last file parsed is still a cache hit (the same tree), as the readers of one submission share it."""
    import gc
    import weakref

    from grader.flags import source as flag_source

    pyparse._parse.cache_clear()
    pyparse._parse_module.cache_clear()
    flag_source._parse.cache_clear()
    size = len(b"x0 = f(" + b"a," * 125_000 + b")\n")
    files = pyparse.MAX_PARSED_BYTES // size + 2
    assert files <= pyparse.KEPT_TREES  # else the count alone would drop the trees this test counts
    trees = []
    for i in range(files):
        data = b"x%d = f(" % i + b"a," * 125_000 + b")\n"
        scanned = flag_source.parse(f"f{i}.py", data, frozenset())
        assert scanned is not None
        trees.append(weakref.ref(scanned.tree))
        del scanned
    gc.collect()
    alive = sum(ref() is not None for ref in trees)
    per_budget = pyparse.MAX_PARSED_BYTES // len(data)
    assert 1 <= alive <= per_budget, alive
    assert flag_source.parse(f"f{files - 1}.py", data, frozenset()).tree is trees[-1]()


def test_walked_is_the_walk_kept_on_the_tree_without_a_cycle(monkeypatch: pytest.MonkeyPatch) -> None:
    """pyparse.walked: the walk's nodes in its order, walked once per tree (the static scan and the pyc's
    compile cost read the same cached tree), and kept without a reference from the tree to itself: the tree
    is freed by its reference count alone when the caches drop it (the parent's memory stays flat)."""
    import weakref

    tree = ast.parse("class A:\n    def f(self, x):\n        return [y for y in x]\n")
    walks: list[ast.AST] = []
    real = pyparse.walk_with_parents
    monkeypatch.setattr(pyparse, "walk_with_parents", lambda node: walks.append(node) or real(node))
    first = pyparse.walked(tree)
    assert list(first) == pyparse.walk(tree) and walks == [tree]
    assert pyparse.walked(tree) == first and walks == [tree]  # kept: not walked again
    assert pyparse.walked(ast.parse("x = 1")) != first and len(walks) == 2  # another tree is its own
    gone = weakref.ref(tree)
    gc.disable()  # freed by its reference count, not by the collector
    try:
        del tree, first, walks[:]
        assert gone() is None
    finally:
        gc.enable()


def test_a_recursion_error_is_remembered_for_readers_as_deep_or_deeper(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A file nested too deep to parse at the top of the stack is parsed once: the next readers (the static
    scan's, the defined names', a tree of the same source) at the same depth or deeper get the failure
    without a parse; a shallower reader parses again (the depth rule of the test above). Control: before,
    each reader parsed it again (4 parses here)."""
    from grader import defined
    from grader.flags import source as flag_source

    calls = _count_parses(monkeypatch)
    pyparse._parse.cache_clear()
    pyparse._parse_module.cache_clear()
    deep = b"x = a" + b"[0]" * 50_000 + b"\n"  # fails however shallow the caller; within the scans' sizes

    def at(depth: int, read: Callable[[], object]) -> object:
        return at(depth - 1, read) if depth else read()

    with pytest.raises(RecursionError):
        at(10, lambda: pyparse.parse_module(deep, "deep.py"))
    assert calls == ["deep.py"]
    with pytest.raises(RecursionError):
        at(40, lambda: pyparse.parse_module(deep, "deep.py"))
    with pytest.raises(flag_source.Unscannable, match="too deeply nested"):
        at(40, lambda: flag_source.parse("deep.py", deep, frozenset()))
    assert at(40, lambda: defined.public_names({"deep.py": deep})) == []
    assert calls == ["deep.py"]
    with pytest.raises(RecursionError):
        pyparse.parse_module(deep, "deep.py")  # shallower than the first: parsed again, and failing again
    assert calls == ["deep.py", "deep.py"]


@pytest.mark.parametrize("lanes", [2, 8])
def test_a_batchs_readers_of_a_file_share_one_parse_across_the_pools_lookahead(
    monkeypatch: pytest.MonkeyPatch, lanes: int
) -> None:
    """In a batch the static scan reads a file as its job is built and the notes read it again when its
    result is judged, up to 4 x lanes + 2 files later (grader/sandbox/pool.py map: the built jobs' queue, the
    jobs running, the results' queue, one being built, one judged). The trees were kept 8 deep: at 2 lanes
    the judging thread parsed 18 of 20 bench files a second time (session 33, counted on a real batch).
    Counted: one parse a file for this access order, 8 lanes included."""
    from grader.flags import source as flag_source

    lag = 4 * lanes + 2
    files = [(f"student_{i:05d}.py", f"class Made{i}:\n    value = {i}\n".encode()) for i in range(lag + 12)]
    parsed: list[str] = []
    real = pyparse.astparse.parse

    def counting(text: str | bytes, filename: str = "<unknown>") -> ast.Module:
        parsed.append(filename)
        return real(text, filename)

    pyparse._parse.cache_clear()
    pyparse._parse_module.cache_clear()
    flag_source._parse.cache_clear()
    monkeypatch.setattr(pyparse.astparse, "parse", counting)
    for i, (rel, data) in enumerate(files):
        assert flag_source.parse(rel, data, frozenset()) is not None  # the builder's scan of file i
        if i >= lag:
            judged = dict([files[i - lag]])
            assert [rel for rel, _, _ in pyparse.python_trees(judged)] == list(judged)  # the notes' read
    assert sorted(parsed) == sorted(rel for rel, _ in files), "a file parsed twice (or not at all)"
