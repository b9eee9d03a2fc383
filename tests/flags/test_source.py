"""grader/flags/source.py: the names a file binds, and the nodes of a kind, read by exact node type as
isinstance reads them."""

from __future__ import annotations

import ast
import dataclasses
from pathlib import Path

import pytest

from grader import pyparse
from grader.flags.source import Source, Unscannable, _bound_names, parse

ROOT = Path(__file__).resolve().parents[2]
CORPUS = sorted(p for d in ("submissions", "fixtures", "reference") for p in (ROOT / d).rglob("*.py"))


def _tree(path: Path) -> ast.Module | None:
    try:
        return ast.parse(path.read_bytes())
    except (SyntaxError, ValueError):  # the samples of syntax errors and NUL bytes: nothing to scan
        return None


# Parsed in each test, not at collection: every collection (each pytest-xdist worker's too) parsed the ~2,500
# files twice and kept their trees and scans for the whole session (~40 s and most of a GiB).
IDS = {"ids": lambda p: str(p.relative_to(ROOT))}
# One file a distinct text (its first path): the samples copy the book's files into many folders, and what
# these tests read is read off the text alone (1,192 of the 2,569 files were distinct in session 36).
DISTINCT = sorted({p.read_bytes(): p for p in reversed(CORPUS)}.values())


def _reference_bound_names(nodes: list[ast.AST]) -> frozenset[str]:
    """The isinstance reading the exact-type one replaced."""
    bound: set[str] = set()
    for node in nodes:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            bound.add(node.name)
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            bound.add(node.id)
        elif isinstance(node, ast.arg):
            bound.add(node.arg)
    return frozenset(bound)


def test_the_corpus_is_there():
    # Nearly every sample parses; the few that do not are samples of that (other encodings, Python 2, tabs
    # mixed with spaces, syntax errors), 11 of 651 now: a fixed bound of 10 failed as such samples were added.
    # Each distinct text parsed once (a copy parses as its first path does).
    parses = {p.read_bytes(): _tree(p) is not None for p in DISTINCT}
    parsed = [p for p in CORPUS if parses[p.read_bytes()]]
    assert len(parsed) > 100 and len(CORPUS) - len(parsed) <= len(CORPUS) // 20


@pytest.mark.parametrize("path", DISTINCT, **IDS)
def test_bound_names_are_the_isinstance_reading(path):
    tree = _tree(path)
    if tree is None:
        pytest.skip("not Python 3 syntax: a sample of that (test_the_corpus_is_there counts them)")
    nodes = pyparse.walk(tree)
    assert _bound_names(nodes) == _reference_bound_names(nodes)


def test_bound_names_of_every_kind():
    source = "import os\nclass C:\n    def m(self, a, *b, c=1, **d):\n        x, y = 1, 2\n        del x\n"
    source += "async def f():\n    async for i in g(): pass\nlambda q: q\n[z for z in ()]\n"
    nodes = pyparse.walk(ast.parse(source))
    assert _bound_names(nodes) == _reference_bound_names(nodes)
    assert _bound_names(nodes) == {"C", "m", "self", "a", "b", "c", "d", "x", "y", "f", "i", "q", "z"}


# The kinds the rules ask `Source.of` for, alone and together.
ASKED = [
    (ast.Call,),
    (ast.Assign,),
    (ast.arguments,),
    (ast.Attribute,),
    (ast.Name,),
    (ast.arg,),
    (ast.Assign, ast.AnnAssign),
    (ast.FunctionDef, ast.AsyncFunctionDef),
    (ast.Import, ast.ImportFrom),
]


def _scanned(path: Path) -> Source | None:
    """The file as the scan reads it; None where the scan refuses it (a sample of that: too costly)."""
    try:
        return parse(str(path.relative_to(ROOT)), path.read_bytes(), frozenset())
    except Unscannable:
        return None


@pytest.mark.parametrize("path", DISTINCT, **IDS)
def test_the_nodes_of_a_kind_are_the_walks_in_its_order(path):
    """`Source.of` gives what filtering the whole walk with isinstance gives, in the same order (the step
    finder folds bindings in walk order), and the names the file binds are read from the whole walk."""
    source = _scanned(path)  # None for a syntax error: no ast.parse first, a second parse of every file
    if source is None:
        pytest.skip("not Python 3 syntax, or a file the scan refuses as too costly (a sample of that)")
    for kinds in ASKED:
        assert source.of(*kinds) == [n for n in source.nodes if isinstance(n, kinds)], kinds
    assert source.defined == _reference_bound_names(list(source.nodes))


def test_the_nodes_of_two_kinds_interleave_as_written():
    source = parse(
        "m.py", b"a = 1\nb: int = 2\nc = 3\ndef f(): pass\nasync def g(): pass\ndef h(): pass\n", frozenset()
    )
    assert source is not None
    assert [ast.unparse(n).split()[0] for n in source.of(ast.Assign, ast.AnnAssign)] == ["a", "b:", "c"]
    assert [n.name for n in source.of(ast.FunctionDef, ast.AsyncFunctionDef)] == ["f", "g", "h"]
    assert source.of(ast.While) == []


HIDDEN = (
    b"import pickle\nx = pickle.loads(blob)\nimport gc\ngc.get_objects()\nimport numpy as np\n"
    b"np.ctypeslib.load_library\n"
)


@pytest.mark.parametrize(
    "decoy",
    [
        {"pickle.py": b"", "gc.py": b"", "numpy.py": b""},  # module files named like what the process imports
        {"pickle.pkl": b"", "gc/notes.txt": b"", "numpy.npy": b""},  # data files and a folder of those names
    ],
)
def test_a_file_named_like_a_standard_module_hides_no_flag(decoy: dict[str, bytes]) -> None:
    """The process imports the standard pickle (numpy did first), the builtin gc and numpy whatever files the
    submission has: their rules still apply (before: no flag at all beside an empty pickle.py; sample
    submissions/miniflow/stdlib_named_decoy)."""
    from grader.flags.scan import scan_submission

    alone = [(f.code, f.line) for f in scan_submission({"m.py": HIDDEN})]
    assert alone == [("dynamic_code", 2), ("runtime_introspection", 4), ("native_code", 6)], alone
    assert [(f.code, f.line) for f in scan_submission({"m.py": HIDDEN, **decoy})] == alone


def test_a_module_of_the_submission_is_still_its_own() -> None:
    """Negative control: `helpers.loads(...)` of the submission's helpers.py is its own code, no flag; and a
    folder or module file of another name stays local."""
    from grader.flags.scan import scan_submission
    from grader.flags.source import flagged_local_names

    files = {
        "m.py": b"import helpers\nx = helpers.loads(b'')\n",
        "helpers.py": b"def loads(b):\n    return b\n",
    }
    assert scan_submission(files) == ()
    names = flagged_local_names(
        ["common/layers.py", "pickle.py", "data.pkl", "ext.cpython-311-x86_64-linux-gnu.so"]
    )
    assert names == {"common", "layers", "ext"}


def test_each_nodes_dotted_name_is_worked_out_once_and_is_the_chains_reading():
    """`Source.resolve` keeps each node's answer (the runtime rules ask about every Name and Attribute three
    times): every answer, asked twice, is what reading the chain afresh gives, and the second ask reads no
    chain (a resolve that works each one out again fails this)."""
    calls = 0
    # one file a distinct text: the answers are read off the text (the samples copy book files into folders)
    for path in DISTINCT:
        source = _scanned(path)
        if source is None:
            continue
        read = source._resolve

        def counted(node: ast.AST, read=read) -> tuple[str, bool] | None:
            nonlocal calls
            calls += 1
            return read(node)

        fresh = Source(*(getattr(source, f.name) for f in dataclasses.fields(Source) if f.init))
        object.__setattr__(fresh, "_resolve", counted)
        asked = [n for n in fresh.nodes if isinstance(n, ast.Name | ast.Attribute | ast.Call)]
        before = calls
        first = [fresh.resolve(n) for n in asked]
        assert calls - before == len(asked), path
        assert [fresh.resolve(n) for n in asked] == first == [read(n) for n in asked], path
        assert calls - before == len(asked), path  # the second round asked nothing afresh
    assert calls > 10_000
